"""Shared fixtures: the bundled gazetteer (loaded once), small articles, a built map."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from geo import pipeline
from geo.gazetteer.store import Gazetteer
from geo.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
# The development workplace's shared folder (eval corpora, reference boundaries), beside the
# checkout as in CI: tests that need it skip without it; $GEO_SHARED points elsewhere.
SHARED = Path(os.environ.get("GEO_SHARED") or ROOT.parent / "shared")
SEED = ROOT / "seeds" / "kurdistan24-joint-coordination-center-kirkuk.txt"


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    return pipeline.gazetteer(Settings())


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """maps/ built from a copy of the bundled seeds, in a temporary folder."""
    base = tmp_path_factory.mktemp("seed-build")
    shutil.copytree(ROOT / "seeds", base / "seeds")
    pipeline.build(Settings(seeds_dir=base / "seeds", out_dir=base / "maps"))
    return base / "maps"


@pytest.fixture(scope="session")
def hostile_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    (base / "seeds").mkdir()
    shutil.copy(FIXTURES / "hostile.txt", base / "seeds")
    shutil.copy(ROOT / "seeds" / "kurdistan24-joint-coordination-center-kirkuk.txt", base / "seeds")
    pipeline.build(Settings(seeds_dir=base / "seeds", out_dir=base / "maps"))
    return base / "maps" / "index.html"
