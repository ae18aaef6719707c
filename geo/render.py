"""Rendering: mentioned places and context layers -> a self-contained Folium map.

Everything the page needs is inlined (Leaflet and its images come from the ``xstatic-leaflet``
package), so ``maps/index.html`` works on a laptop with no network. The offline basemap is
drawn from the gazetteer; online tile layers stay available as other base layers.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from geo import _assets
from geo.geojson import AREA_KINDS, ShapeOf
from geo.records import Article, MappedPlace

KIND_COLOURS = {
    "country": "#6a3d9a", "continent": "#6a3d9a", "region": "#1f78b4", "adm1": "#1f78b4",
    "adm2": "#33a02c", "adm3": "#33a02c", "city": "#e31a1c", "town": "#ff7f00",
    "village": "#b15928", "physical": "#17becf",
}
ATTRIBUTION = (
    "Places: GeoNames (CC BY 4.0) | Boundaries: Natural Earth (public domain), "
    "geoBoundaries (CC BY 3.0 IGO; Iraq: CSO/OCHA) | Curated layers: geo"
)
_UUID_RE = re.compile(r"[0-9a-f]{32}")


_JS_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def _e(value: object) -> str:
    """HTML-escape any text that comes from an article or the gazetteer.

    Folium places popup HTML inside a JavaScript template literal, so the characters that
    act there (backtick, dollar, backslash) become entities too.
    """
    return html.escape(str(value), quote=True).translate(_JS_LITERAL)


def _highlight(sentence: str, names: Sequence[str]) -> str:
    """The sentence, escaped, with each spelling of the place in <mark>."""
    out = _e(sentence)
    for name in sorted(names, key=len, reverse=True):
        out = out.replace(_e(name), f"<mark>{_e(name)}</mark>")
    return out


def popup_html(mp: MappedPlace, articles: dict[str, Article]) -> str:
    """The popup of one place: name, kind, mention count, and per article title and sentence."""
    p = mp.place
    rows = [f"<b>{_e(p.name)}</b> <i>({_e(p.kind)}{', ' + _e(p.country) if p.country else ''})</i>",
            f"<br>{mp.mentions} mention{'s' if mp.mentions != 1 else ''} in "
            f"{len(mp.articles)} article{'s' if len(mp.articles) != 1 else ''}"]
    for art_id, sentence in mp.snippets:
        art = articles.get(art_id)
        title = _e(art.title if art and art.title else art_id)
        if art and art.url.startswith(("http://", "https://")):
            title = f'<a href="{_e(art.url)}" target="_blank" rel="noopener">{title}</a>'
        meta = " · ".join(_e(x) for x in (art.source, art.date) if x) if art else ""
        rows.append(f"<hr style='margin:4px 0'><b>{title}</b>"
                    f"{'<br><small>' + meta + '</small>' if meta else ''}"
                    f"<br>{_highlight(sentence, mp.names)}")
    return "<div style='max-width:320px;max-height:260px;overflow:auto'>" + "".join(rows) + "</div>"


def _radius(mentions: int) -> float:
    return 5 + 4 * math.sqrt(mentions)


def _basemap(m: folium.Map, basemap: dict[str, Any]) -> None:
    group = folium.FeatureGroup(name="Offline basemap (gazetteer)", overlay=False, show=True)
    folium.GeoJson(
        basemap, name="basemap", control=False, interactive=False,
        style_function=lambda f: {
            "fillColor": "#f4f1ea", "fillOpacity": 1.0, "color": "#8a8a8a",
            "weight": 0.8 if f["properties"]["kind"] == "country" else 0.4,
            "dashArray": None if f["properties"]["kind"] == "country" else "3",
        },
    ).add_to(group)
    group.add_to(m)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", show=False).add_to(m)


def _context_layers(m: folium.Map, context: dict[str, Any]) -> None:
    styles = {"kurdistan-region": ("Kurdistan Region", "#f2b701"),
              "disputed-territories": ("Disputed territories", "#d62728")}
    for layer, (title, colour) in styles.items():
        feats = [f for f in context["features"] if f["properties"]["layer"] == layer]
        group = folium.FeatureGroup(name=title, show=True)
        for f in feats:
            props = f["properties"]
            tip = _e(props["name"])
            pop = f"<b>{tip}</b>"
            if props.get("sources"):
                pop += f"<br>Counted as disputed by: {_e(props['sources'])}"
            if props.get("governorates"):
                pop += f"<br>Governorates: {_e(props['governorates'])}"
            if props.get("approx"):
                pop += "<br><i>approximate boundary</i>"
            folium.GeoJson(
                f, style_function=lambda _, c=colour: {"color": c, "weight": 1.5,
                                                       "fillColor": c, "fillOpacity": 0.15},
                tooltip=folium.Tooltip(tip), popup=folium.Popup(pop, max_width=340),
                marker=folium.CircleMarker(radius=6, color=colour, fill=True),
            ).add_to(group)
        group.add_to(m)


def _place_layers(m: folium.Map, places: Sequence[MappedPlace], shape_of: ShapeOf,
                  articles: dict[str, Article]) -> None:
    points = folium.FeatureGroup(name="Mentioned places", show=True)
    areas = folium.FeatureGroup(name="Mentioned regions", show=True)
    top = max((mp.mentions for mp in places), default=1)
    for mp in places:
        p = mp.place
        colour = KIND_COLOURS.get(p.kind, "#555555")
        tip = folium.Tooltip(f"{_e(p.name)} ({mp.mentions})")
        shape = shape_of(p.id) if p.has_shape and p.kind in AREA_KINDS else None
        if shape is not None:
            shade = 0.15 + 0.45 * mp.mentions / top
            folium.GeoJson(
                {"type": "Feature", "geometry": shape, "properties": {}},
                style_function=lambda _, c=colour, o=shade: {"color": c, "weight": 1,
                                                             "fillColor": c, "fillOpacity": o},
                tooltip=tip, popup=folium.Popup(popup_html(mp, articles), max_width=340),
            ).add_to(areas)
        folium.CircleMarker(
            location=(p.lat, p.lon),  # folium takes (lat, lon)
            radius=_radius(mp.mentions), color=colour, weight=1.5, fill=True, fill_opacity=0.7,
            tooltip=folium.Tooltip(f"{_e(p.name)} ({mp.mentions})"),
            popup=folium.Popup(popup_html(mp, articles), max_width=340),
        ).add_to(points)
    areas.add_to(m)
    points.add_to(m)


class _Attribution(MacroElement):  # type: ignore[misc]
    """Adds the data sources to the map's attribution control."""

    _template = Template("""{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
    {% endmacro %}""")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def _legend() -> Element:
    items = "".join(
        f"<div><span style='display:inline-block;width:10px;height:10px;border-radius:50%;"
        f"background:{c};margin-right:4px'></span>{k}</div>"
        for k, c in KIND_COLOURS.items() if k not in ("continent", "adm3"))
    return Element(
        "<div id='geo-legend' style='position:fixed;bottom:24px;left:10px;z-index:1000;"
        "background:white;padding:6px 8px;font:12px sans-serif;border-radius:4px;"
        "box-shadow:0 1px 4px rgba(0,0,0,.3)'><b>Kinds</b>" + items +
        "<div style='margin-top:4px'>Marker size: mentions</div></div>")


def bounds(places: Sequence[MappedPlace]) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the places' points, in folium's (lat, lon) order."""
    if not places:
        return None
    lats = [mp.place.lat for mp in places]
    lons = [mp.place.lon for mp in places]
    pad = 0.5
    return [[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]]


def render(places: Sequence[MappedPlace], *, context: dict[str, Any], basemap: dict[str, Any],
           shape_of: ShapeOf, articles: Sequence[Article]) -> str:
    """The whole map page as one self-contained HTML string (deterministic)."""
    m = folium.Map(location=(36.0, 44.0), zoom_start=6, tiles=None, control_scale=True)
    m.default_js = [("leaflet", _assets.LEAFLET_JS_URL), ("jquery", _assets.JQUERY_JS_URL)]
    m.default_css = [("leaflet_css", _assets.LEAFLET_CSS_URL)]
    _basemap(m, basemap)
    _context_layers(m, context)
    _place_layers(m, places, shape_of, {a.id: a for a in articles})
    folium.LayerControl(collapsed=False).add_to(m)
    _Attribution(ATTRIBUTION).add_to(m)
    m.get_root().html.add_child(_legend())
    box = bounds(places)
    if box:
        m.fit_bounds(box)
    page = m.get_root().render()
    return _stable_ids(_assets.inline(page))


def _stable_ids(page: str) -> str:
    """Replace folium's random element ids with counters, so a build is byte-for-byte stable."""
    seen: dict[str, str] = {}

    def sub(match: re.Match[str]) -> str:
        return seen.setdefault(match.group(), f"{len(seen):032x}")

    return _UUID_RE.sub(sub, page)

