"""Compiled copies of the hot path that are older than their source are not used.

``pip install -e .`` (see setup.py) compiles the modules in COMPILED with mypyc and puts each
extension next to its .py file in the source tree, where Python's import prefers it. After an edit, or a checkout,
that copy would silently run the old code; so when any source is newer than its compiled copy,
all of them are imported from source (they call one another, so they go together) until
``make`` or ``pip install -e .`` compiles them again.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import warnings
from pathlib import Path

# in import order; setup.py and the Makefile read this list and SOURCES (this module imports
# only the standard library, so they can run it on its own)
COMPILED = ("geo.gazetteer.names", "geo.gazetteer.store", "geo.languages", "geo.recognize",
            "geo.resolve")
PACKAGES = frozenset({"geo.languages"})  # modules of COMPILED that are a package's __init__.py
ROOT = Path(__file__).resolve().parent.parent


def _source(module: str, root: Path) -> Path:
    path = root.joinpath(*module.split("."))
    return path / "__init__.py" if module in PACKAGES else path.with_suffix(".py")


# the source files of COMPILED, relative to the source tree
SOURCES = tuple(str(_source(m, Path())) for m in COMPILED)


def _built(module: str, root: Path) -> list[Path]:
    src = _source(module, root)
    built = [src.with_name(src.stem + suffix) for suffix in importlib.machinery.EXTENSION_SUFFIXES]
    return [path for path in built if path.exists()]


def stale(root: Path = ROOT) -> list[str]:
    """The modules of COMPILED under ``root`` whose source changed after they were compiled.

    Only in a source tree (one with setup.py), where the compiled copies sit beside the files
    people edit. An installed copy never is: an install writes both together, the .py last.
    """
    if not (root / "setup.py").is_file():
        return []
    return [m for m in COMPILED if any(
        b.stat().st_mtime < _source(m, root).stat().st_mtime for b in _built(m, root))]


def use_fresh_source() -> None:
    """Import every module of COMPILED from its .py file if any compiled copy is stale."""
    old = stale()
    if not old or any(m in sys.modules for m in COMPILED):
        return
    warnings.warn(f"{', '.join(old)} changed after it was compiled: running the source; run "
                  "'make' or 'pip install -e .' to compile it again", stacklevel=2)
    for module in COMPILED:
        spec = importlib.util.spec_from_file_location(module, _source(module, ROOT))
        assert spec is not None and spec.loader is not None
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[module] = loaded
        spec.loader.exec_module(loaded)
        parent, _, name = module.rpartition(".")
        setattr(importlib.import_module(parent), name, loaded)  # as an import would


def in_use() -> bool:
    """Whether every module of COMPILED runs compiled (for the benchmark's report)."""
    return all(str(getattr(sys.modules.get(m), "__file__", "")).endswith(
        tuple(importlib.machinery.EXTENSION_SUFFIXES)) for m in COMPILED)
