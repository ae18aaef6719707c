"""The compiled hot path (setup.py, geo/_compiled.py): a stale compiled copy is never run."""

from __future__ import annotations

import importlib.machinery
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo import _compiled

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _touch(path: Path, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path, (mtime, mtime))


def test_a_source_newer_than_its_compiled_copy_is_stale(tmp_path: Path) -> None:
    (tmp_path / "setup.py").touch()  # a source tree
    for module in _compiled.COMPILED:
        source = _compiled._source(module, tmp_path)
        _touch(source, 1_000)
        _touch(source.with_name(source.stem + SUFFIX), 2_000)
    assert _compiled.stale(tmp_path) == []
    _touch(tmp_path / "geo" / "recognize.py", 3_000)  # edited after the build
    assert _compiled.stale(tmp_path) == ["geo.recognize"]
    _touch(tmp_path / "geo" / "languages" / "__init__.py", 3_000)  # a package's module
    assert _compiled.stale(tmp_path) == ["geo.languages", "geo.recognize"]
    (tmp_path / "setup.py").unlink()  # an installed copy: pip wrote the .py after the .so
    assert _compiled.stale(tmp_path) == []


def test_a_module_never_compiled_is_not_stale(tmp_path: Path) -> None:
    (tmp_path / "setup.py").touch()
    for module in _compiled.COMPILED:
        _touch(_compiled._source(module, tmp_path), 1_000)
    assert _compiled.stale(tmp_path) == []


def _origins(root: Path) -> list[str]:
    code = ("import geo.pipeline, sys; "
            "print(*[sys.modules[m].__file__ for m in geo._compiled.COMPILED])")
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=root, env=env,
                         capture_output=True, text=True, check=True)
    return out.stdout.split()


@pytest.mark.skipif(_compiled.stale() or not any(
    _compiled._built(m, _compiled.ROOT) for m in _compiled.COMPILED),
    reason="this checkout's hot path is not compiled (or not freshly)")
def test_an_edit_runs_the_source_until_it_is_compiled_again(tmp_path: Path) -> None:
    root = _compiled.ROOT
    shutil.copytree(root / "geo", tmp_path / "geo",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for shared in [*root.glob("geo__mypyc*"), root / "setup.py"]:  # mypyc's runtime library
        shutil.copy2(shared, tmp_path)
    assert all(path.startswith(str(tmp_path)) and path.endswith(SUFFIX)
               for path in _origins(tmp_path))
    (tmp_path / "geo" / "resolve.py").touch()  # an edit
    assert all(path.endswith(".py") for path in _origins(tmp_path))


def test_the_compiled_sources_include_a_package_module() -> None:
    # setup.py and the Makefile compile these files: a package's module is its __init__.py
    assert "geo/languages/__init__.py" in _compiled.SOURCES
    assert all((_compiled.ROOT / source).is_file() for source in _compiled.SOURCES)


def test_the_extraction_benchmark_reports_its_figures(tmp_path: Path) -> None:
    from geo import bench_extract
    from geo.settings import Settings

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "1", "text": "Clashes near Sinjar in Nineveh.", "toponyms": []}\n'
                      '{"id": "2", "text": "Talks in Erbil.", "toponyms": []}\n',
                      encoding="utf-8")
    result = bench_extract.run([corpus], Settings().gazetteer_dir)
    assert (result.articles, result.characters) == (2, 46)
    assert result.articles_per_s > 0 and result.peak_rss_mb >= result.rss_after_load_mb > 0
    assert result.compiled == _compiled.in_use()
    assert "compiled" in "\n".join(result.lines())
