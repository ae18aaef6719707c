"""The map page's Folium tree: the map, its panes, layers, layer control and geo's controls.

Only this module imports folium (slow to import), and only when a page skeleton must be
rendered: ``geo.render`` decides what the page shows, as JavaScript and HTML text, and this
module puts that text into folium elements and renders them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo import _assets, _map_ui

ATTRIBUTION = (
    "Places: GeoNames (CC BY 4.0) | Boundaries and offline basemap: Natural Earth, "
    "geoBoundaries (CC BY 3.0 IGO; Iraq: CSO/OCHA) | Disputed territories: see popups"
)
MAX_ZOOM = 18
CLUSTER_OPTIONS = {"maxClusterRadius": 30, "disableClusteringAtZoom": 10,
                   "showCoverageOnHover": False, "spiderfyOnMaxZoom": True,
                   "chunkedLoading": True}  # thousands of markers: the first frames come sooner
_UUID_RE = re.compile(r"[0-9a-f]{32}")


def _own_js() -> list[tuple[str, str]]:
    """geo's own scripts, as (name, geo-asset URL), in load order."""
    return [(f"geo_{name}", url) for name, url in zip(_assets.MAP_JS_MODULES, _assets.MAP_JS_URLS,
                                                      strict=True)]


class ScriptLayer(JSCSSMixin, folium.map.Layer):
    """A layer that a JavaScript expression builds (``var NAME = EXPRESSION;``), listed in the
    layer control like any folium layer: one element, one template, whatever its size.

    Parameters
    ----------
    expression
        JavaScript that evaluates to a Leaflet layer; any data in it must come from
        ``_map_ui.script_json`` or ``_map_ui.script_safe``.
    name
        The layer's name in the layer control.
    overlay
        An overlay (True) or a base layer (False).
    js, css
        ``(name, geo-asset URL)`` pairs of the scripts and stylesheets the expression needs.
    """

    _template = Template("""{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {{ this.expression }};
    {% endmacro %}""")

    def __init__(self, expression: str, *, name: str, overlay: bool = True,
                 js: Sequence[tuple[str, str]] = (),
                 css: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(name=name, overlay=overlay)
        self._name = "ScriptLayer"
        self.expression = expression
        self.default_js = [*_own_js(), *js]
        self.default_css = [("geo_map_css", _assets.MAP_CSS_URL), *css]


class MapUI(JSCSSMixin):
    """Draws the places and regions and adds the filter, search, full-screen and legend
    controls (``geo/static/geo-*.js``), fed with one JSON document from ``render.map_data``.

    Parameters
    ----------
    data
        The document from ``render.map_data``, as script-safe JSON text.
    cluster, regions
        The layers the markers and the region polygons go into.
    legend
        The legend's HTML as a script-safe JSON string.
    css
        Extra CSS for the page (the kind colours); it must not contain ``<``.
    """

    # The data is a JSON block of its own (JSON.parse reads it faster than a script literal);
    # script_json escaped every "<" in it, so nothing in it can end the element.
    _template = Template("""
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>
        <script type="application/json" id="geo-data">{{ this.data }}</script>{% endmacro %}
        {% macro script(this, kwargs) %}
        geoMap({{ this._parent.get_name() }}, {{ this.cluster.get_name() }},
               {{ this.regions.get_name() }},
               geoData(document.getElementById("geo-data")), {{ this.legend }});
        {% endmacro %}
    """)

    def __init__(self, data: str, *, cluster: folium.map.Layer, regions: folium.map.Layer,
                 legend: str, css: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "GeoMapUI"
        self.default_js = _own_js()
        self.default_css = [("geo_map_css", _assets.MAP_CSS_URL)]
        self.data = data
        self.legend = legend
        self.css = css
        self.cluster = cluster
        self.regions = regions


class _Attribution(MacroElement):
    """Adds the data sources to the map's attribution control."""

    _template = Template("""{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
    {% endmacro %}""")

    def __init__(self, text: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.text = text


def _new_map() -> folium.Map:
    m = folium.Map(location=(36.0, 44.0), zoom_start=6, tiles=None, control_scale=True)
    m.options["maxZoom"] = MAX_ZOOM  # with no tile layer at start, marker clustering needs it
    m.default_js = [("leaflet", _assets.LEAFLET_JS_URL)]
    m.default_css = [("leaflet_css", _assets.LEAFLET_CSS_URL)]
    return m


def _panes(m: folium.Map) -> None:
    """Fixed drawing order whatever the reader toggles: basemap, regions, context, markers."""
    folium.map.CustomPane("geoBase", z_index=250, pointer_events=False).add_to(m)
    folium.map.CustomPane("geoRegions", z_index=390, pointer_events=True).add_to(m)


def _cluster() -> ScriptLayer:
    """The layer the place markers cluster in (``geo-map.js`` fills it)."""
    return ScriptLayer(
        f"L.markerClusterGroup({_map_ui.script_json(CLUSTER_OPTIONS)})",
        name="Mentioned places", js=[("markercluster", _assets.CLUSTER_JS_URL)],
        css=[(f"markercluster{i}", url) for i, url in enumerate(_assets.CLUSTER_CSS_URLS)])


def page(*, basemap: str, context: Sequence[tuple[str, str]], data: str, legend: str,
         css: str) -> str:
    """The whole page, self-contained and with stable element ids.

    Parameters
    ----------
    basemap
        JavaScript expression that builds the offline basemap.
    context
        ``(layer name, JavaScript expression)`` of each context layer.
    data, legend, css
        What ``MapUI`` takes (the view to fit travels in ``data``).
    """
    m = _new_map()
    _panes(m)
    ScriptLayer(basemap, name="Offline basemap (gazetteer)", overlay=False).add_to(m)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", show=False).add_to(m)
    markers = _cluster()
    markers.add_to(m)
    regions = folium.FeatureGroup(name="Mentioned regions", show=True)
    regions.add_to(m)
    for name, expression in context:
        ScriptLayer(expression, name=name).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    _Attribution(ATTRIBUTION).add_to(m)
    MapUI(data, cluster=markers, regions=regions, legend=legend, css=css).add_to(m)
    return _stable_ids(_assets.inline(m.get_root().render()))


def _stable_ids(page: str) -> str:
    """Replace folium's random element ids with counters, so a build is byte-for-byte stable."""
    seen: dict[str, str] = {}

    def sub(match: re.Match[str]) -> str:
        return seen.setdefault(match.group(), f"{len(seen):032x}")

    return _UUID_RE.sub(sub, page)
