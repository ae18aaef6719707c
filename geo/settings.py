"""Settings: the paths and thresholds geo runs with, in one documented place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _default_gazetteer_dir() -> Path:
    env = os.environ.get("GEO_GAZETTEER")
    return Path(env) if env else REPO_ROOT / "data" / "gazetteer"


@dataclass(frozen=True, slots=True)
class GeocoderSettings:
    """An online geocoder to ask about the names the gazetteer cannot place (opt-in; see
    ``geo.geocode``).

    Attributes
    ----------
    service
        A geopy service name: "nominatim", "photon", "arcgis", ...
    user_agent
        Sent with every request; the services' terms require one that names the application
        and a contact.
    options
        Keyword options of the service's geopy class, as (name, text) pairs ("domain", "api_key").
    delay
        Seconds between two requests at least (Nominatim's policy: one a second).
    timeout
        Seconds to wait for an answer before leaving the name unresolved.
    """

    service: str
    user_agent: str
    options: tuple[tuple[str, str], ...] = ()
    delay: float = 1.0
    timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the pipeline needs to know, read at the edges and passed inward.

    Attributes
    ----------
    seeds_dir
        Folder of articles (``.txt``, ``.md``, ``.html``).
    out_dir
        Folder the map and GeoJSON files are written to.
    gazetteer_dir
        The bundled gazetteer (``data/gazetteer/``); ``$GEO_GAZETTEER`` overrides it.
    min_score
        Mentions resolved with a lower score are kept in the extraction but left off the map.
    max_article_bytes
        Larger files are skipped with a message (a 5 MB article is still processed).
    geocoder
        The online geocoder to ask about names the gazetteer lacks; None (the default): geo
        stays offline and uses only the answers kept from earlier builds.
    recheck
        Read every article again, even those whose file has the size, modification and change
        times and inode it had at the last build (which a build otherwise takes as unchanged).
    """

    seeds_dir: Path = REPO_ROOT / "seeds"
    out_dir: Path = REPO_ROOT / "maps"
    gazetteer_dir: Path = field(default_factory=_default_gazetteer_dir)
    min_score: float = 0.2
    max_article_bytes: int = 20_000_000
    geocoder: GeocoderSettings | None = None
    recheck: bool = False
