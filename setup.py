"""Build geo, compiling the extraction hot path (recognition, resolution, name keys) with mypyc.

The metadata lives in pyproject.toml; this file only adds the compiled modules. They are the
same source, type-checked and compiled to C: extraction runs about 1.4 times as fast
(`geo bench-extract`). Without a C compiler, or with GEO_PURE=1, geo installs as plain Python
and gives the same results.
"""

from __future__ import annotations

import os
import runpy
import sys

from setuptools import Extension, setup

# the modules named in geo/_compiled.py, as paths
COMPILED = list(runpy.run_path("geo/_compiled.py")["SOURCES"])


def compiled_modules() -> list[Extension]:
    """The mypyc extensions, each optional: one that fails to build leaves its .py in use."""
    if os.environ.get("GEO_PURE") == "1":
        return []
    try:
        from mypyc.build import mypycify

        extensions = mypycify(COMPILED, opt_level="3", group_name="geo")
    except (ImportError, SystemExit) as e:  # no mypyc, or it refuses the code: plain Python
        print(f"geo: not compiling the hot path ({e}); installing plain Python", file=sys.stderr)
        return []
    for ext in extensions:
        ext.optional = True
    return extensions


setup(ext_modules=compiled_modules())
