"""The map page's own parts: the legend, kind colours, and the element that hands the places
to ``geo/static/geo-map.js`` (markers, regions, article and date filter, search, full screen)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import folium
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo import _assets

KIND_LABELS = {
    "continent": "continent", "country": "country", "region": "region",
    "adm1": "governorate / province", "adm2": "district", "adm3": "sub-district",
    "city": "city", "town": "town", "village": "village", "physical": "physical feature",
}
RAMP_ENDS = ((0xe8, 0xe0, 0xf0), (0x4a, 0x1f, 0x85))  # light to dark, for mention counts
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                  "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_safe(json_text: str) -> str:
    """JSON text made safe to stand inside an HTML ``<script>`` element as a JavaScript value.

    ``<``, ``>`` and ``&`` become ``\\u`` escapes, so no string can close the element; so do
    U+2028 and U+2029, which JavaScript once did not allow in strings.
    """
    for char, escape in _SCRIPT_UNSAFE.items():
        json_text = json_text.replace(char, escape)
    return json_text


def script_json(value: Any) -> str:
    """``value`` as compact JSON that can stand inside an HTML ``<script>`` element."""
    return script_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def kinds_on_map(kinds: Sequence[str]) -> list[str]:
    """The distinct kinds, in the legend's order (unknown kinds last, alphabetically)."""
    order = list(KIND_LABELS)
    return sorted(set(kinds), key=lambda k: (order.index(k) if k in order else len(order), k))


def ramp(n: int) -> list[str]:
    """``n`` colours from light to dark (one colour is a middle shade)."""
    (r0, g0, b0), (r1, g1, b1) = RAMP_ENDS
    steps = [0.6] if n == 1 else [0.2 + 0.8 * i / (n - 1) for i in range(n)]
    return [f"#{round(r0 + (r1 - r0) * t):02x}{round(g0 + (g1 - g0) * t):02x}"
            f"{round(b0 + (b1 - b0) * t):02x}" for t in steps]


def kind_css(kinds: Sequence[str], colours: Mapping[str, str], other: str) -> str:
    """CSS giving the marker of kind number ``i`` (class ``geo-k{i}``) its colour."""
    return "".join(f".geo-k{i}{{background:{colours.get(k, other)}}}" for i, k in enumerate(kinds))


def _class_labels(classes: Sequence[int], top: int) -> list[str]:
    """"1", "2", "3–4", "5+" style labels of the mention classes (the last one ends at top)."""
    highs = [c - 1 for c in classes[1:]] + [top]
    return [str(lo) if lo == hi else f"{lo}–{hi}" for lo, hi in zip(classes, highs, strict=True)]


def _swatch(style: str, label: str) -> str:
    return f"<div><i class='geo-swatch' style='{style}'></i>{label}</div>"


def legend_html(kinds: Sequence[str], colours: Mapping[str, str], *, classes: Sequence[int],
                top: int, context: Mapping[str, str]) -> str:
    """The legend: marker kinds and sizes, the regions' colour scale, the context layers.

    Built only from geo's own constants and numbers, never from article text.
    """
    rows = ["<details open class='geo-legend'><summary>Legend</summary>",
            "<div class='geo-legend-h'>Mentioned places</div>"]
    rows += [f"<div><i class='geo-dot geo-k{i}'></i>{KIND_LABELS.get(k, k)}</div>"
             for i, k in enumerate(kinds)]
    rows.append(f"<div class='geo-note'>size: mentions (largest {top}); a numbered circle "
                "groups nearby places</div>")
    rows.append("<div class='geo-legend-h'>Mentioned regions: mentions</div><div>")
    rows += [f"<span class='geo-step'><i class='geo-swatch' style='background:{c}'></i>{lab}"
             "</span>" for c, lab in zip(ramp(len(classes)), _class_labels(classes, top),
                                        strict=True)]
    rows.append("</div><div class='geo-legend-h'>Context</div>")
    rows += [_swatch(f"border:2px solid {c};background:{c}22", title)
             for title, c in context.items()]
    rows.append("<div class='geo-note'>click a disputed unit for the sources counting it</div>")
    return "".join(rows) + "</details>"


class ScriptLayer(JSCSSMixin, folium.map.Layer):  # type: ignore[misc]
    """A layer that a JavaScript expression builds (``var NAME = EXPRESSION;``), listed in the
    layer control like any folium layer: one element, one template, whatever its size.

    Parameters
    ----------
    expression
        JavaScript that evaluates to a Leaflet layer; any data in it must come from
        ``script_json`` or ``script_safe``.
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
        self.default_js = [("geo_map", _assets.MAP_JS_URL), *js]
        self.default_css = [("geo_map_css", _assets.MAP_CSS_URL), *css]


class MapUI(JSCSSMixin):  # type: ignore[misc]
    """Draws the places and regions and adds the filter, search, full-screen and legend
    controls (``geo/static/geo-map.js``), fed with one JSON document from ``render.map_data``.

    Parameters
    ----------
    data
        The document from ``render.map_data``.
    cluster, regions
        The layers the markers and the region polygons go into.
    legend
        The legend's HTML (``legend_html``).
    css
        Extra CSS for the page (the kind colours, ``kind_css``).
    """

    _template = Template("""
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
        {% macro script(this, kwargs) %}
        geoMap({{ this._parent.get_name() }}, {{ this.cluster.get_name() }},
               {{ this.regions.get_name() }}, {{ this.data }}, {{ this.legend }});
        {% endmacro %}
    """)
    default_js = [("geo_map", _assets.MAP_JS_URL)]
    default_css = [("geo_map_css", _assets.MAP_CSS_URL)]

    def __init__(self, data: dict[str, Any], *, cluster: folium.map.Layer,
                 regions: folium.map.Layer, legend: str, css: str) -> None:
        super().__init__()
        self._name = "GeoMapUI"
        self.data = script_json(data)
        self.legend = script_json(legend)
        self.css = css.replace("<", "")  # geo's constants; never lets the style element close
        self.cluster = cluster
        self.regions = regions
