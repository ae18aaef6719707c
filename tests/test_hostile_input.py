"""Hostile and broken input (issue 13): what is never read, what is repaired, what is refused,
and that every failure ends as one ``geo: error:`` line with the previous outputs whole."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from geo import _cache, _io, cli, pipeline
from geo.articles import decode_noting, parse_noting
from geo.settings import Settings

from .conftest import ROOT

ERBIL = "Talks in Erbil.\n\nDelegates met in Erbil and Kirkuk on Monday.\n"


def _geo(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-W", "ignore", "-m", "geo", *args], text=True,
                          capture_output=True, cwd=cwd, check=False)


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    seeds, out = tmp_path / "seeds", tmp_path / "maps"
    seeds.mkdir()
    (seeds / "erbil.txt").write_text(ERBIL, encoding="utf-8")
    return seeds, out


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in pipeline.OUTPUT_NAMES}


def _articles_on_map(out: Path) -> str:
    return (out / "index.html").read_text("utf-8")


# -- 2: links, FIFOs and other entries ---------------------------------------------------------

def test_links_and_fifos_in_seeds_are_never_read_and_each_is_named(tmp_path: Path) -> None:
    seeds, out = _folders(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n\nNear Mosul.", encoding="utf-8")
    (seeds / "passwd.txt").symlink_to(secret)
    (seeds / "dangling.txt").symlink_to(tmp_path / "nothing.txt")
    (seeds / "loop.txt").symlink_to(seeds / "loop.txt")
    os.mkfifo(seeds / "pipe.txt")
    done = _geo("build", "--seeds", str(seeds), "--out", str(out))
    assert done.returncode == 0, done.stderr
    skipped = {line.split(":")[0].removeprefix("skipped ") for line in done.stderr.splitlines()
               if line.startswith("skipped ")}
    assert skipped == {str(seeds / n) for n in ("passwd.txt", "dangling.txt", "loop.txt",
                                                "pipe.txt")}
    assert "symbolic link" in done.stderr and "FIFO" in done.stderr
    assert "root:x" not in _articles_on_map(out) and "1 articles read, 4 skipped" in done.stdout


def test_geo_add_of_a_folder_does_not_follow_its_links_nor_wait_on_a_fifo(tmp_path: Path) -> None:
    inbox, seeds = tmp_path / "inbox", tmp_path / "seeds"
    inbox.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("Secret\n\nroot:x:0:0 in Mosul.", encoding="utf-8")
    (inbox / "link.txt").symlink_to(secret)
    os.mkfifo(inbox / "pipe.txt")
    os.mkfifo(tmp_path / "named.fifo")
    (inbox / "real.txt").write_text(ERBIL, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "geo", "add", str(inbox),
         str(tmp_path / "named.fifo"), "--seeds", str(seeds), "--out", str(tmp_path / "maps")],
        text=True, capture_output=True, cwd=ROOT, check=False, timeout=120)
    assert done.returncode == 1  # something was skipped
    assert sorted(p.name for p in seeds.iterdir() if not p.name.startswith(".")) == ["real.txt"]
    assert done.stderr.count("skipped ") == 3 and "symbolic link" in done.stderr
    assert "named.fifo: not a regular file (a FIFO)" in done.stderr


# -- 3: a damaged cache is a miss -----------------------------------------------------------

def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if how == "truncated" else b"\x00garbage{[" * 7)


@pytest.mark.parametrize("how", ["truncated", "garbage"])
def test_after_any_cache_file_is_damaged_the_next_build_equals_a_fresh_one(
        tmp_path: Path, how: str) -> None:
    seeds, out = _folders(tmp_path)
    pipeline.build(Settings(seeds_dir=seeds, out_dir=out))
    entries = sorted(p for p in _cache.cache_dir(out).rglob("*") if p.is_file())
    assert {p.parent.name for p in entries} >= {"extract", "text", ".geo-cache"}
    (seeds / "basra.txt").write_text("Floods in Basra.\n\nRain hit Basra.", encoding="utf-8")
    fresh = tmp_path / "fresh"
    pipeline.build(Settings(seeds_dir=seeds, out_dir=fresh))
    for entry in entries:
        damaged = tmp_path / f"damaged-{entry.name}"
        shutil.copytree(out, damaged)
        _damage(damaged / entry.relative_to(out), how)
        pipeline.build(Settings(seeds_dir=seeds, out_dir=damaged))
        assert _outputs(damaged) == _outputs(fresh), entry.name


def test_a_cached_extraction_with_an_index_out_of_range_is_a_miss(tmp_path: Path) -> None:
    entry = json.dumps({"places": [], "mentions": [{"place": 3}]})
    (tmp_path / "extract").mkdir()
    (tmp_path / "extract" / "k.json").write_text(_cache.seal(entry), encoding="utf-8")
    assert _cache.load(tmp_path, "k") is None


def test_temporary_files_a_kill_left_in_the_cache_are_removed(tmp_path: Path) -> None:
    seeds, out = _folders(tmp_path)
    pipeline.build(Settings(seeds_dir=seeds, out_dir=out))
    left = _cache.cache_dir(out) / "extract" / ".abc.json.x1y2.tmp"
    left.write_text("half", encoding="utf-8")
    (seeds / "basra.txt").write_text("Floods in Basra.", encoding="utf-8")
    pipeline.build(Settings(seeds_dir=seeds, out_dir=out))  # the next build that writes
    assert not left.exists()


# -- 4: simultaneous adds -----------------------------------------------------------------

ADD_WHEN_RELEASED = """
import sys, time
from pathlib import Path
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.002)
from geo import cli
sys.exit(cli.main(["add", *sys.argv[2:]]))
"""


def test_three_simultaneous_adds_of_one_article_store_it_once(tmp_path: Path) -> None:
    article, seeds, go = tmp_path / "report.txt", tmp_path / "seeds", tmp_path / "go"
    article.write_text(ERBIL, encoding="utf-8")
    args = [str(go), str(article), "--seeds", str(seeds), "--out", str(tmp_path / "maps")]
    procs = [subprocess.Popen([sys.executable, "-W", "ignore", "-c", ADD_WHEN_RELEASED, *args],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    go.touch()  # the three are released together, each already past its imports
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert [p.name for p in seeds.iterdir() if not p.name.startswith(".")] == ["report.txt"]
    assert sum("already there" in o for o in outs) == 2


# -- 5: bounded metadata ------------------------------------------------------------------

def test_a_huge_header_title_or_source_is_cut(tmp_path: Path) -> None:
    seeds, out = _folders(tmp_path)
    huge = "T" * 400_000
    (seeds / "huge.md").write_text(f"---\ntitle: {huge}\nsource: {huge}\n---\nIn Kirkuk.\n",
                                   encoding="utf-8")
    report = pipeline.build(Settings(seeds_dir=seeds, out_dir=out))
    assert (out / "index.html").stat().st_size < 3_000_000
    assert [r.reason for r in report.repaired] == ["source cut to 120 characters"]
    art, note = parse_noting(f"---\ntitle: {huge}\n---\nText", "x")
    assert len(art.title) == 200 and note == ""  # a title is cut quietly, as a first line is


# -- 6: write errors and bad JSON lines -----------------------------------------------------

def _build_cli(seeds: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["build", "--seeds", str(seeds), "--out", str(out)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC, errno.EACCES])
def test_a_failed_write_is_one_error_line_and_the_outputs_stay_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        code: int) -> None:
    seeds, out = _folders(tmp_path)
    pipeline.build(Settings(seeds_dir=seeds, out_dir=out))
    before = _outputs(out)
    (seeds / "basra.txt").write_text("Floods in Basra.", encoding="utf-8")

    def fail(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(_io.os, "fsync", fail)
    status, err = _build_cli(seeds, out, capsys)
    assert status == 1 and err.count("\n") == 1 and err.startswith("geo: error: cannot write ")
    assert os.strerror(code) in err and ("--out DIR" in err or "free some space" in err)
    assert _outputs(out) == before


@pytest.mark.parametrize("what", ["cache", "lock", "extract"])
def test_a_cache_or_lock_path_of_the_wrong_type_is_one_error_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str) -> None:
    seeds, out = _folders(tmp_path)
    out.mkdir()
    if what == "cache":
        (out / ".geo-cache").write_text("a file where a folder goes", encoding="utf-8")
    elif what == "lock":
        (out / _io.LOCK_NAME).mkdir()
    else:
        (out / ".geo-cache").mkdir()
        (out / ".geo-cache" / "extract").write_text("a file", encoding="utf-8")
    status, err = _build_cli(seeds, out, capsys)
    assert status == 1 and err.count("\n") == 1 and "geo: error: cannot write" in err
    assert "in the way" in err


@contextmanager
def _tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, check=False)
    if done.returncode:
        pytest.skip("cannot mount a tmpfs here (needs root); the simulated tests above cover it")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_a_real_full_disk_and_a_read_only_folder(tmp_path: Path) -> None:
    seeds, _ = _folders(tmp_path)
    with _tmpfs(tmp_path / "disk", "8m") as disk:
        out = disk / "maps"
        assert _geo("build", "--seeds", str(seeds), "--out", str(out)).returncode == 0
        before = _outputs(out)
        (seeds / "basra.txt").write_text("Floods in Basra.", encoding="utf-8")
        with (disk / "filler").open("wb") as f:  # fill the disk to the last block
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        done = _geo("build", "--seeds", str(seeds), "--out", str(out))
        assert done.returncode == 1 and done.stderr.startswith("geo: error: cannot write")
        assert "No space left" in done.stderr and len(done.stderr.splitlines()) == 1
        assert _outputs(out) == before
        (disk / "filler").unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        done = _geo("build", "--seeds", str(seeds), "--out", str(out))
        assert done.returncode == 1 and "Read-only file system" in done.stderr
        assert len(done.stderr.splitlines()) == 1 and _outputs(out) == before


def test_extract_reports_a_bad_line_and_goes_on() -> None:
    lines = ['{"id": "a", "text": "Rain in Erbil."}', "[" * 100_000, '{"id": "b"}',
             '{"id": "c", "text": "Lone \\ud800 surrogate in Kirkuk."}',
             '{"id": "d", "text": "Floods in Basra."}']
    done = subprocess.run([sys.executable, "-W", "ignore", "-m", "geo", "extract"],
                          input="\n".join(lines) + "\n", text=True, capture_output=True,
                          cwd=ROOT, check=False)
    assert done.returncode == 1
    assert [json.loads(x)["id"] for x in done.stdout.splitlines()] == ["a", "c", "d"]
    errors = done.stderr.splitlines()
    assert errors[0].startswith("geo: error: standard input line 2:") and "nested" in errors[0]
    assert errors[1].startswith("geo: error: standard input line 3:") and len(errors) == 3
    assert "Traceback" not in done.stderr
    [kirkuk] = json.loads(done.stdout.splitlines()[1])["mentions"]
    assert kirkuk["name"] == "Kirkuk" and kirkuk["start"] == len("Lone \ufffd surrogate in ")


# -- 7: one stray byte --------------------------------------------------------------------

def test_one_stray_byte_in_utf8_is_replaced_not_read_as_windows_1252(tmp_path: Path) -> None:
    sorani = "هەولێر\n\nلە هەولێر و کەرکووک کۆبوونەوەیەک کرا.".encode() + b"\xff"
    text, note = decode_noting(sorani, "a.txt")
    assert text.startswith("هەولێر") and text.endswith("\ufffd")
    assert note == "1 invalid UTF-8 byte replaced by \ufffd; the rest is UTF-8"
    latin = "Réfugiés à Zakho".encode("latin-1")  # a real Windows-1252 file stays one
    assert decode_noting(latin, "b.txt") == ("Réfugiés à Zakho", "")
    seeds, out = _folders(tmp_path)
    (seeds / "sorani.txt").write_bytes(sorani)
    done = _geo("build", "--seeds", str(seeds), "--out", str(out))
    assert f"repaired {seeds / 'sorani.txt'}: 1 invalid UTF-8 byte" in done.stderr


# -- 8: seeds folder equal to the output folder ---------------------------------------------

def test_a_seeds_folder_that_is_the_output_folder_is_refused(tmp_path: Path) -> None:
    seeds, _ = _folders(tmp_path)
    for command in ("build", "add"):
        extra = [str(tmp_path / "x.txt")] if command == "add" else []
        (tmp_path / "x.txt").write_text("Rain in Basra.", encoding="utf-8")
        done = _geo(command, *extra, "--seeds", str(seeds), "--out", str(seeds / "."))
        assert done.returncode == 1 and "read its own map back" in done.stderr, done.stderr
    assert sorted(p.name for p in seeds.iterdir()) == ["erbil.txt"]


# -- 9: formulas in CSV ------------------------------------------------------------------

def test_csv_exports_defuse_formulas(tmp_path: Path) -> None:
    seeds, out = _folders(tmp_path)
    (seeds / "f.md").write_text('---\ntitle: =HYPERLINK("http://x.example","click")\n'
                                "source: @SUM(A1)\n---\nShelling near Mosul.\n", encoding="utf-8")
    for extra in ((), ("--mentions",)):
        path = tmp_path / f"export{len(extra)}.csv"
        done = _geo("export", "-o", str(path), *extra, "--seeds", str(seeds), "--out", str(out))
        assert done.returncode == 0, done.stderr
        text = path.read_text("utf-8")
        assert "=HYPERLINK" not in text.replace("'=HYPERLINK", "")
        assert ",=" not in text and ",@" not in text and ",+" not in text
    mentions = (tmp_path / "export1.csv").read_text("utf-8")
    assert "'=HYPERLINK" in mentions and ",4" in mentions  # numbers (lon 43.1) left alone


# -- 10: skip lines and dates ------------------------------------------------------------

def test_skip_lines_stay_one_line_whatever_the_file_name(tmp_path: Path) -> None:
    seeds, out = _folders(tmp_path)
    (seeds / "a: b.txt").write_bytes(b"")
    (seeds / "two\nlines.txt").write_bytes(b"")
    done = _geo("build", "--seeds", str(seeds), "--out", str(out))
    skipped = [line for line in done.stderr.splitlines() if line.startswith("skipped")]
    why = "empty article; add its text or remove the file"
    assert skipped == [f"skipped {str(seeds / 'a: b.txt')!r}: {why}",
                       f"skipped {str(seeds / ('two' + chr(10) + 'lines.txt'))!r}: {why}"]


def test_an_impossible_date_is_dropped_with_a_note() -> None:
    art, note = parse_noting("---\ntitle: T\ndate: 2020-02-30\n---\nText", "x")
    assert art.date == "" and "2020-02-30" in note
    art, note = parse_noting("---\ntitle: T\ndate: 2020-02-29\n---\nText", "x")
    assert art.date == "2020-02-29" and note == ""
