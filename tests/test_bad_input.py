"""Bad input and interrupted builds: skipped files with reasons, encodings, a build that fails
or is killed while writing, a failing extraction, two builds at once."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from geo import _io, pipeline
from geo.errors import BuildLockedError
from geo.settings import Settings

from .conftest import ROOT

SENTENCE = "Shelling was reported near Kirkuk on Monday, and aid reached Sinjar. "


def _geo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], text=True, capture_output=True,
                          cwd=ROOT, check=False, env=env)


def _place_names(out: Path) -> set[str]:
    """Every spelling of a mapped place seen in the articles."""
    fc = json.loads((out / "places.geojson").read_text("utf-8"))
    return {name for f in fc["features"] for name in f["properties"]["names"]}


def test_bad_files_are_skipped_and_other_encodings_are_mapped(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "nul.txt").write_bytes(b"Clashes in Mosul\x00\x00\x00 today.")
    (seeds / "latin1.txt").write_bytes("Réfugiés à Zakho\n\nFamilies reached Zakho.".encode(
        "latin-1"))
    (seeds / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + "Halabja\n\nRain in Halabja."
                                      .encode("utf-16-le"))
    (seeds / "big.txt").write_text("Big\n\n" + SENTENCE * (1_000_000 // len(SENTENCE)), "utf-8")
    done = _geo("build", "--seeds", str(seeds), "--out", str(tmp_path / "maps"))
    assert done.returncode == 0, done.stderr
    skipped = [line for line in done.stderr.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 3
    assert any("photo.png" in line and "binary" in line for line in skipped)
    assert any("empty.txt" in line and "empty" in line for line in skipped)
    assert any("nul.txt" in line and "NUL" in line for line in skipped)
    assert "3 articles read, 3 skipped" in done.stdout
    assert {"Zakho", "Halabja", "Kirkuk", "Sinjar"} <= _place_names(tmp_path / "maps")


def test_utf16_without_a_bom_is_read() -> None:
    from geo.articles import decode

    assert decode("Rain in Halabja.".encode("utf-16-le")) == "Rain in Halabja."
    assert decode("Rain in Halabja.".encode("utf-16-be")) == "Rain in Halabja."


def test_an_article_that_breaks_extraction_does_not_stop_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.txt").write_text("Fighting near Mosul.", encoding="utf-8")
    (seeds / "bad.txt").write_text("Poison pill near Erbil.", encoding="utf-8")
    real = pipeline.extract

    def extract(text: str, gaz: object, lang: str = "") -> object:
        if "Poison" in text:
            raise RecursionError("maximum recursion depth exceeded")
        return real(text, gaz, lang)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "extract", extract)
    report = pipeline.build(Settings(seeds_dir=seeds, out_dir=tmp_path / "maps"))
    assert report.articles == 1 and [s.path.name for s in report.skipped] == ["bad.txt"]
    assert "extraction failed (RecursionError" in report.skipped[0].reason
    assert _place_names(tmp_path / "maps") == {"Mosul"}


def test_a_build_that_fails_while_writing_leaves_the_previous_outputs_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds, out = tmp_path / "seeds", tmp_path / "maps"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Talks in Erbil.", encoding="utf-8")
    pipeline.build(Settings(seeds_dir=seeds, out_dir=out))
    before = {name: (out / name).read_bytes() for name in pipeline.OUTPUT_NAMES}
    (seeds / "b.txt").write_text("Floods in Basra.", encoding="utf-8")
    real_replace = _io.os.replace
    temps_at_rename: list[list[str]] = []

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst).parent != out:  # the cache's entries are written as usual
            return real_replace(src, dst)
        temps_at_rename.append(sorted(p.name for p in out.glob(".*.tmp")))
        raise OSError(28, "No space left on device")  # as a kill between writing and renaming

    monkeypatch.setattr(_io.os, "replace", replace)
    with pytest.raises(OSError, match="No space left"):
        pipeline.build(Settings(seeds_dir=seeds, out_dir=out))
    monkeypatch.undo()
    [temps] = temps_at_rename  # every output's temporary file was written before any rename
    assert len(temps) == len(before)
    assert all(any(t.startswith(f".{name}.") for t in temps) for name in before)
    for name, data in before.items():
        assert (out / name).read_bytes() == data, name
    json.loads((out / "places.geojson").read_text("utf-8"))
    assert not list(out.glob(".*.tmp"))  # the failed build removed its temporary files


def test_a_killed_builds_temporary_files_are_removed_by_the_next_build(tmp_path: Path) -> None:
    seeds, out = tmp_path / "seeds", tmp_path / "maps"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Talks in Erbil.", encoding="utf-8")
    pipeline.build(Settings(seeds_dir=seeds, out_dir=out))
    stale = [out / f".{name}.x.tmp" for name in pipeline.OUTPUT_NAMES]
    for path in stale:  # what a build killed halfway through writing leaves
        path.write_text("half a fi", encoding="utf-8")
    (seeds / "b.txt").write_text("Floods in Basra.", encoding="utf-8")
    report = pipeline.build(Settings(seeds_dir=seeds, out_dir=out))
    assert report.rendered and "Basra" in _place_names(out)
    assert not list(out.glob(".*.tmp"))


def test_a_second_build_waits_for_the_first(tmp_path: Path) -> None:
    released = threading.Event()
    waited: list[bool] = []

    def hold() -> None:
        with _io.build_lock(tmp_path):
            released.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.1)
    with pytest.raises(BuildLockedError, match="another geo build"), \
            _io.build_lock(tmp_path, wait=0.2):
        pass
    threading.Timer(0.3, released.set).start()
    with _io.build_lock(tmp_path, wait=5, on_wait=lambda: waited.append(True)):
        assert released.is_set()
    holder.join()
    assert waited == [True]
