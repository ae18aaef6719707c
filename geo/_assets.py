"""Inline the page's scripts, stylesheets and images so the map needs no network."""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

from geo.errors import AssetError

LEAFLET_JS_URL = "geo-asset:leaflet/leaflet.js"
LEAFLET_CSS_URL = "geo-asset:leaflet/leaflet.css"
CLUSTER_JS_URL = "geo-asset:leaflet_markercluster/leaflet.markercluster.js"
CLUSTER_CSS_URLS = ("geo-asset:leaflet_markercluster/MarkerCluster.css",
                    "geo-asset:leaflet_markercluster/MarkerCluster.Default.css")
# geo's own modules, in geo/static/, in the order the page loads them (geo-map.js wires them)
MAP_JS_MODULES = ("core", "popup", "markers", "regions", "histogram", "panel", "search", "hash",
                  "labels", "controls", "map")
MAP_JS_URLS = tuple(f"geo-asset:geo/geo-{name}.js" for name in MAP_JS_MODULES)
MAP_CSS_URL = "geo-asset:geo/geo-map.css"
_OWN_STATIC = Path(__file__).parent / "static"
_SCRIPT_RE = re.compile(r'<script src="([^"]+)"></script>')
_LINK_RE = re.compile(r'<link rel="stylesheet" href="([^"]+)"\s*/?>')
_CSS_URL_RE = re.compile(r"url\((images/[^)]+\.png)\)")


def _asset_dir(package: str) -> Path:
    """The folder of an asset package: geo's own ``static/`` or an installed xstatic package."""
    if package == "geo":
        return _OWN_STATIC
    try:
        module = __import__(f"xstatic.pkg.{package}", fromlist=["BASE_DIR"])
    except ImportError as e:
        msg = (f"the map needs the 'xstatic-{package.replace('_', '-')}' package for its "
               "offline assets; reinstall geo (pip install -e .)")
        raise AssetError(msg) from e
    return Path(module.BASE_DIR)


@lru_cache(maxsize=16)
def read_asset(ref: str) -> str:
    """The text of an asset named ``geo-asset:PACKAGE/FILE``, CSS images inlined."""
    package, _, name = ref.removeprefix("geo-asset:").partition("/")
    folder = _asset_dir(package)
    text = (folder / name).read_text(encoding="utf-8")
    if name.endswith(".css"):
        text = _CSS_URL_RE.sub(lambda m: _data_uri(folder / m.group(1)), text)
    return text


def _data_uri(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"url(data:image/png;base64,{data})"


def inline(page: str) -> str:
    """Replace every asset reference with the asset itself; refuse any remote reference."""

    def script(m: re.Match[str]) -> str:
        body = read_asset(m.group(1)).replace("</script", "<\\/script")
        return f"<script>{body}</script>"

    def style(m: re.Match[str]) -> str:
        return f"<style>{read_asset(m.group(1))}</style>"

    page = _SCRIPT_RE.sub(script, page)
    page = _LINK_RE.sub(style, page)
    remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', page)
    if remote:
        msg = f"the map page would load {remote[0]!r} from the network; inline it in geo/_assets.py"
        raise AssetError(msg)
    return page
