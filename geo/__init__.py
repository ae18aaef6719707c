"""geo: turn news articles into maps — offline geoparsing, layered Folium maps, GeoJSON."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from geo import _compiled
from geo.errors import ArticleError, GazetteerError, GeoError, InputError
from geo.records import Article, Mention, Place

_compiled.use_fresh_source()

try:
    __version__ = version("geo")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = ["Article", "ArticleError", "GazetteerError", "GeoError", "InputError", "Mention",
           "Place", "__version__"]
