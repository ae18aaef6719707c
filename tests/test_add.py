"""``geo add``: safe names, no overwrites, duplicates, encodings, saved pages, standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo import articles
from geo.errors import InputError

from .conftest import FIXTURES, ROOT

LIMIT = 1_000_000


def _add(seeds: Path, *sources: str, stdin: bytes = b"") -> list[articles.Added]:
    items = articles.incoming(list(sources), stdin=lambda: stdin)
    return articles.add(items, seeds, max_bytes=LIMIT)


def test_a_text_file_is_copied_under_a_safe_name(tmp_path: Path) -> None:
    src = tmp_path / "Kirkuk News (2).TXT"
    src.write_text("Kirkuk news\n\nTalks in Kirkuk.", encoding="utf-8")
    [done] = _add(tmp_path / "seeds", str(src))
    assert done.status == "added" and done.path == tmp_path / "seeds" / "kirkuk-news-2.txt"
    assert done.path.read_text("utf-8") == "Kirkuk news\n\nTalks in Kirkuk.\n"


def test_adding_the_same_article_twice_is_a_no_op(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("Erbil\n\nNews from Erbil.", encoding="utf-8")
    _add(tmp_path / "seeds", str(src))
    [again] = _add(tmp_path / "seeds", str(src))
    assert again.status == "duplicate" and again.path == tmp_path / "seeds" / "a.txt"
    assert [p.name for p in (tmp_path / "seeds").iterdir()] == ["a.txt"]


def test_a_different_article_with_the_same_name_gets_a_new_suffix(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "report.md").write_text("First\n\nIn Mosul.", encoding="utf-8")
    src = tmp_path / "in" / "report.txt"
    src.parent.mkdir()
    src.write_text("Second\n\nIn Duhok.", encoding="utf-8")
    [done] = _add(seeds, str(src))
    assert done.path == seeds / "report-2.txt"
    assert (seeds / "report.md").read_text("utf-8") == "First\n\nIn Mosul."


def test_names_cannot_leave_the_seeds_folder(tmp_path: Path) -> None:
    [done] = _add(tmp_path / "seeds", "-", stdin=b"---\ntitle: ../../etc/passwd\n---\nIn Zakho.")
    assert done.path is not None and done.path.parent == tmp_path / "seeds"
    assert done.path.name == "etc-passwd.md"


def test_a_folder_adds_every_article_and_refuses_bad_files(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "one.txt").write_bytes("Café in Erbil\n\nErbil.".encode("cp1252"))
    (src / "sub" / "two.md").write_text("Two\n\nSinjar.", encoding="utf-8")
    (src / "photo.jpg").write_bytes(b"\xff\xd8\xff\x00JFIF\x00")
    done = {Path(a.source).name: a for a in _add(tmp_path / "seeds", str(src))}
    assert done["one.txt"].status == done["two.md"].status == "added"
    assert done["photo.jpg"].status == "skipped" and "binary" in done["photo.jpg"].reason
    assert (tmp_path / "seeds" / "one.txt").read_text("utf-8").startswith("Café")  # now UTF-8


def test_a_folder_adds_only_the_files_a_build_reads(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / ".git").mkdir(parents=True)
    (src / "README.md").write_text("About these articles\n\nNotes.", encoding="utf-8")
    (src / ".draft.txt").write_text("Draft\n\nIn Kirkuk.", encoding="utf-8")
    (src / ".git" / "HEAD.txt").write_text("ref\n\nIn Kirkuk.", encoding="utf-8")
    (src / "news.txt").write_text("News\n\nIn Kirkuk.", encoding="utf-8")
    done = _add(tmp_path / "seeds", str(src))
    assert [(Path(a.source).name, a.status) for a in done] == [("news.txt", "added")]
    assert articles.article_files(tmp_path / "seeds") == [tmp_path / "seeds" / "news.txt"]


def test_a_readme_named_on_its_own_is_stored_under_a_name_the_build_reads(tmp_path: Path) -> None:
    src = tmp_path / "README.md"
    src.write_text("Readme\n\nTalks in Duhok.", encoding="utf-8")
    [done] = _add(tmp_path / "seeds", str(src))
    assert done.path == tmp_path / "seeds" / "readme-2.md"
    assert articles.article_files(tmp_path / "seeds") == [done.path]


def test_an_article_over_the_limit_is_skipped_without_being_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"Big\n\n" + b"x" * LIMIT)
    small = tmp_path / "small.txt"
    small.write_text("Small\n\nIn Zakho.", encoding="utf-8")
    read: list[str] = []
    real = os.fdopen

    def fdopen(fd: int, *args: str) -> object:  # geo opens a file, then reads it through this
        read.append(Path(os.readlink(f"/proc/self/fd/{fd}")).name)
        return real(fd, *args)

    monkeypatch.setattr(os, "fdopen", fdopen)
    big_file, small_file, big_stdin = _add(tmp_path / "seeds", str(big), str(small), "-",
                                           stdin=b"x" * (LIMIT + 1))
    for skipped in (big_file, big_stdin):
        assert skipped.status == "skipped" and "over the 1,000,000-byte limit" in skipped.reason
    assert small_file.status == "added" and "big.txt" not in read


def test_an_unreadable_file_is_skipped_and_the_others_added(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked, ok = tmp_path / "locked.txt", tmp_path / "ok.txt"
    locked.write_text("Locked\n\nIn Erbil.", encoding="utf-8")
    ok.write_text("Open\n\nIn Erbil.", encoding="utf-8")
    real = os.open

    def open_file(path: str | Path, flags: int, *args: int) -> int:
        if Path(path).name == "locked.txt":  # as a mode-000 file for anyone but root
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, flags, *args)

    monkeypatch.setattr(os, "open", open_file)
    bad, good = _add(tmp_path / "seeds", str(locked), str(ok))
    assert bad.status == "skipped" and bad.reason.startswith("cannot read (Permission denied)")
    assert good.status == "added"


def test_an_article_put_in_seeds_by_hand_is_not_added_again(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "mine.txt").write_bytes(b"Mine\r\n\r\nIn Sulaymaniyah.")  # not as geo add stores it
    src = tmp_path / "copy.txt"
    src.write_bytes((seeds / "mine.txt").read_bytes())
    [done] = _add(seeds, str(src))
    assert done.status == "duplicate" and done.path == seeds / "mine.txt"


def test_a_saved_page_is_stored_as_markdown_with_a_header(tmp_path: Path) -> None:
    [done] = _add(tmp_path / "seeds", str(FIXTURES / "saved-page.html"))
    assert done.status == "added" and done.path == tmp_path / "seeds" / "water-talks-in-duhok.md"
    art = articles.read(done.path, max_bytes=LIMIT)
    assert (art.title, art.source, art.date) == ("Water talks in Duhok", "The Test Courier",
                                                 "2023-05-17")
    assert art.url == "https://courier.example/2023/05/water-talks-duhok"
    assert "Engineers from Mosul and Zakho met in Duhok" in art.text
    assert "Subscribe" not in art.text and "Sport" not in art.text


def test_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'nope.txt' does not exist"):
        _add(tmp_path / "seeds", "nope.txt")


def test_geo_add_from_standard_input_builds_the_map(tmp_path: Path) -> None:
    seeds, out = tmp_path / "seeds", tmp_path / "maps"
    args = [sys.executable, "-m", "geo", "add", "-", "--seeds", str(seeds), "--out", str(out)]
    text = "Shelling near Makhmur\n\nShelling was reported near Makhmur."
    done = subprocess.run(args, input=text, text=True, capture_output=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert "added - as" in done.stdout and "1 articles read" in done.stdout
    assert "Makhmur" in (out / "places.geojson").read_text("utf-8")
    again = subprocess.run(args, input=text, text=True, capture_output=True, cwd=ROOT,
                           check=False)
    assert again.returncode == 0 and "not added again" in again.stdout
    assert "nothing new" in again.stdout
