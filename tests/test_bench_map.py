"""The map benchmark's second series runs the steps as a user does: the ``geo`` command, in new
processes, on a copy of the folder (the articles are this repo's seed and fixtures)."""

from __future__ import annotations

import shutil
from pathlib import Path

from geo import bench_map
from geo.settings import Settings

from .conftest import FIXTURES, SEED


def test_commands_build_then_add_the_last_file_in_new_processes(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copyfile(SEED, folder / "a-seed.txt")
    shutil.copyfile(FIXTURES / "saved-page.html", folder / "b-saved-page.html")
    files = sorted(folder.iterdir())
    scratch = tmp_path / "scratch"
    result = bench_map._commands(Settings(), files, scratch)
    stored = [p for p in (scratch / "seeds").iterdir() if not p.name.startswith(".")]
    assert len(stored) == 2  # the first built, the last added (geo add names it by its title)
    assert (scratch / "maps" / "index.html").stat().st_size > 0
    assert result.build_seconds > 0 and result.add_seconds > 0 and result.no_change_seconds > 0
    limits = dict(bench_map.MapBench(articles=2, places=1, build_seconds=1.0, size_bytes=1,
                                     loads=(bench_map.PageLoad(1.0, 1.0, 1.0),),
                                     no_change_seconds=0.01, add_seconds=0.05,
                                     commands=result).checks())
    assert limits["add (new process)"] == (result.add_seconds <= 0.10 * result.build_seconds)
