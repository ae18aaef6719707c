"""Rendering: mentioned places and context layers -> a self-contained Folium map.

Everything the page needs is inlined (Leaflet, Leaflet.markercluster and geo's own controls in
``geo/static/``), so ``maps/index.html`` works on a laptop with no network. The offline basemap
is drawn from the gazetteer; online tile layers stay available as other base layers.

The mentioned places and regions travel to the page as one JSON document (see ``map_data``) that
``geo/static/geo-map.js`` turns into markers and polygons: one compact blob opens much faster
than thousands of folium objects, and lets the page filter by article and date.

The page is a *skeleton* with holes, filled with the *parts* the articles make (see ``parts``):
the skeleton depends only on the gazetteer and on geo itself, so a build may keep it and skip
folium when only the articles changed (``geo.pipeline``); a filled skeleton is the same bytes
as the page folium renders with the parts in place, which the tests check. Even the view the
map opens on travels in the document (``bounds``), so the skeleton does not depend on it.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geo import _map_ui, geocode
from geo.errors import AssetError
from geo.geojson import AREA_KINDS, ShapeOf
from geo.records import Article, MappedPlace

KIND_COLOURS = {
    "country": "#6a3d9a", "continent": "#6a3d9a", "region": "#1f78b4", "adm1": "#1f78b4",
    "adm2": "#33a02c", "adm3": "#33a02c", "city": "#e31a1c", "town": "#ff7f00",
    "village": "#b15928", "physical": "#17becf",
}
OTHER_COLOUR = "#555555"
CONTEXT_STYLES = {"kurdistan-region": ("Kurdistan Region", "#e0a800", None),
                  "disputed-territories": ("Disputed territories", "#d62728", "5 4")}
_LAND = {"fillColor": "#f4f1ea", "fillOpacity": 1.0, "color": "#8a8a8a"}
BASEMAP_STYLES = {"country": {**_LAND, "weight": 0.8, "dashArray": None},  # by feature kind
                  "*": {**_LAND, "weight": 0.4, "dashArray": "3"}}
AREA_ORDER = {kind: i for i, kind in enumerate(AREA_KINDS)}  # largest first
MIN_RADIUS, MAX_RADIUS = 5.0, 22.0
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
Bounds = tuple[tuple[float, float], tuple[float, float]]


def _e(value: object) -> str:
    """HTML-escape any text that comes from an article or the gazetteer (quotes too)."""
    return html.escape(str(value))


def _highlight(sentence: str, names: Sequence[str]) -> str:
    """The sentence, escaped, with each spelling of the place in <mark>."""
    out = _e(sentence)
    for name in sorted(names, key=len, reverse=True):
        out = out.replace(_e(name), f"<mark>{_e(name)}</mark>")
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _article_html(art: Article | None, art_id: str) -> str:
    """An article's title (a link when it has a web address) and its source and date."""
    title = _e(art.title if art and art.title else art_id)
    if art and art.url.startswith(("http://", "https://")):
        title = f'<a href="{_e(art.url)}" target="_blank" rel="noopener">{title}</a>'
    meta = " · ".join(_e(x) for x in (art.source, art.date) if x) if art else ""
    return f"<b>{title}</b>{'<br><small>' + meta + '</small>' if meta else ''}"


def popup_html(mp: MappedPlace, articles: dict[str, Article]) -> str:
    """The popup of one place: name, kind, mention count, and per article title and sentence."""
    p = mp.place
    kind = _map_ui.KIND_LABELS.get(p.kind, p.kind)
    rows = [f"<b>{_e(p.name)}</b> <i>({_e(kind)}{', ' + _e(p.country) if p.country else ''})</i>",
            f"<br>{_plural(mp.mentions, 'mention')} in {_plural(len(mp.articles), 'article')}"]
    if p.source:  # not from the gazetteer: say where the point comes from
        rows.append(f"<br><small>source: {_e(p.source)}</small>")
    for art_id, sentence in mp.snippets:
        rows.append(f"<hr style='margin:4px 0'>{_article_html(articles.get(art_id), art_id)}"
                    f"<br>{_highlight(sentence, mp.names)}")
    more = len(set(mp.articles) - {art_id for art_id, _ in mp.snippets})
    if more:
        rows.append(f"<hr style='margin:4px 0'><small>and {_plural(more, 'more article')}</small>")
    return "<div class='geo-popup'>" + "".join(rows) + "</div>"


def radius(mentions: int, top: int) -> float:
    """A marker's radius in pixels: its area grows with the mentions, the most mentioned
    place gets ``MAX_RADIUS`` and none gets less than ``MIN_RADIUS``."""
    return round(max(MIN_RADIUS, MAX_RADIUS * math.sqrt(mentions / max(top, 1))), 1)


def mention_classes(top: int, *, n: int = 5) -> tuple[int, ...]:
    """Lower bounds of up to ``n`` classes of mention counts, evenly spaced on a log scale
    from 1 to ``top`` (the shading of *Mentioned regions*)."""
    return tuple(sorted({max(1, round(max(top, 1) ** (i / n))) for i in range(n)}))


def shade(mentions: int, classes: Sequence[int]) -> str:
    """The fill colour of a region mentioned ``mentions`` times."""
    k = sum(1 for low in classes if mentions >= low) - 1
    return _map_ui.ramp(len(classes))[max(k, 0)]


def _iso_date(value: str) -> str:
    """The date if it is ISO yyyy-mm-dd, else "" (such articles stay out of the time filter)."""
    return value if _ISO_DATE_RE.fullmatch(value) else ""


def ordered_articles(articles: Sequence[Article]) -> list[Article]:
    """Articles oldest first (undated last), ties by title then id: the filter's order."""
    return sorted(articles, key=lambda a: (_iso_date(a.date) or "9999", a.title, a.id))


@dataclass(frozen=True, slots=True)
class Scale:
    """How the places are drawn: ``top`` is the most mentions of a place (the largest
    marker), ``kinds`` the kinds on the map in the legend's order (a marker of kind number
    ``i`` has the class ``geo-k{i}``) and ``classes`` the shades of the regions (see
    :func:`mention_classes`)."""

    top: int
    kinds: tuple[str, ...]
    classes: tuple[int, ...]


def scale_of(places: Sequence[MappedPlace]) -> Scale:
    """The scale of these places on the map."""
    top = max((mp.mentions for mp in places), default=1)
    kinds = _map_ui.kinds_on_map([mp.place.kind for mp in places])
    return Scale(top=top, kinds=tuple(kinds), classes=mention_classes(top))


def map_data(places: Sequence[MappedPlace], *, articles: Sequence[Article],
             shape_of: ShapeOf, scale: Scale) -> dict[str, Any]:
    """The JSON document ``geo-map.js`` draws: articles, places, regions, the view's
    ``bounds`` (none when no place is mapped: the map keeps its initial view) and, when places
    come from an online geocoder, the ``attribution`` of each service.

    Every string in it that the page shows as HTML is escaped here by ``_e``; the script
    inserts those strings as they are and builds no markup from anything else. The places'
    search names (``s``) are plain text, which the script only compares and shows as text.
    """
    arts = ordered_articles(articles)
    index = {a.id: i for i, a in enumerate(arts)}
    by_id = {a.id: a for a in arts}
    data: dict[str, Any] = {
        "articles": [{"t": _e(a.title or a.id), "d": _iso_date(a.date)} for a in arts],
        "places": [_place_record(mp, by_id, index, scale) for mp in places],
        "regions": _region_records(places, shape_of, scale.classes)}
    sources = sorted({mp.place.source for mp in places if mp.place.source})
    if sources:  # the page adds these to its attribution
        data["attribution"] = [_e(geocode.attribution(s)) for s in sources]
    box = bounds(places)
    return data if box is None else {**data, "bounds": box}


def _place_record(mp: MappedPlace, by_id: dict[str, Article], index: dict[str, int],
                  scale: Scale) -> dict[str, Any]:
    p = mp.place
    label = _map_ui.KIND_LABELS.get(p.kind, p.kind)
    return {
        "ll": [p.lat, p.lon],  # Leaflet's (lat, lon) order
        "r": radius(mp.mentions, scale.top),
        "k": scale.kinds.index(p.kind),
        "tip": f"<b>{_e(p.name)}</b> ({_e(label)}) · {_plural(mp.mentions, 'mention')}",
        "pop": popup_html(mp, by_id),
        "a": sorted(index[a] for a in mp.articles if a in index),
        "s": list(dict.fromkeys((p.name, *mp.names))),
    }


def _region_records(places: Sequence[MappedPlace], shape_of: ShapeOf,
                    classes: Sequence[int]) -> list[dict[str, Any]]:
    """Polygons of the mentioned areas, largest kinds first so smaller units lie on top.

    Countries get a faint fill and a firm outline, so a country does not drown its regions.
    """
    out = []
    areas = [(i, mp) for i, mp in enumerate(places) if mp.place.kind in AREA_ORDER]
    for i, mp in sorted(areas, key=lambda x: AREA_ORDER[x[1].place.kind]):
        p = mp.place
        shape = shape_of(p.id) if p.has_shape else None
        if shape is None:
            continue
        colour = shade(mp.mentions, classes)
        broad = AREA_ORDER[p.kind] <= AREA_ORDER["country"]
        style = {"color": colour, "weight": 2.5 if broad else 1, "fillColor": colour,
                 "fillOpacity": 0.1 if broad else 0.45}
        out.append({"p": i, "g": shape, "s": style})  # "g" stays GeoJSON (lon, lat)
    return out


def bounds(places: Sequence[MappedPlace]) -> Bounds | None:
    """((south, west), (north, east)) of the places' points, padded, in Leaflet's (lat, lon)
    order; None when there are none."""
    if not places:
        return None
    lats = [mp.place.lat for mp in places]
    lons = [mp.place.lon for mp in places]
    pad = 0.5
    return ((min(lats) - pad, min(lons) - pad), (max(lats) + pad, max(lons) + pad))


def _context_popup(props: dict[str, Any]) -> str:
    pop = f"<b>{_e(props['name'])}</b>"
    if props.get("sources"):
        pop += f"<br>Counted as disputed by: {_e(props['sources'])}"
    if props.get("governorates"):
        pop += f"<br>Governorates: {_e(props['governorates'])}"
    if props.get("approx"):
        pop += "<br><i>approximate boundary</i>"
    return pop


def context_features(context: dict[str, Any], layer: str) -> list[dict[str, Any]]:
    """The units of one context layer, each with only its escaped tooltip and popup HTML."""
    return [{"type": "Feature", "geometry": f["geometry"],  # GeoJSON, (lon, lat)
             "properties": {"tip": _e(f["properties"]["name"]),
                            "pop": _context_popup(f["properties"])}}
            for f in context["features"] if f["properties"]["layer"] == layer]


@dataclass(frozen=True, slots=True)
class Backdrop:
    """What the page shows whatever the articles, as the JavaScript that draws it.

    ``basemap`` builds the offline basemap (the gazetteer's JSON text, embedded as it is);
    ``context`` holds ``(layer name, expression)`` of each context layer.
    """

    basemap: str
    context: tuple[tuple[str, str], ...]


def backdrop(context: dict[str, Any], basemap: str) -> Backdrop:
    """The backdrop of the page: the basemap (JSON text) and the context layers (GeoJSON)."""
    layers = []
    for layer, (title, colour, dash) in CONTEXT_STYLES.items():
        data = {"type": "FeatureCollection", "features": context_features(context, layer)}
        style = {"color": colour, "weight": 2, "dashArray": dash, "fillColor": colour,
                 "fillOpacity": 0.1}
        call = f"geoContext({_map_ui.script_json(data)}, {_map_ui.script_json(style)})"
        layers.append((title, call))
    basemap_call = (f"geoBasemap({_map_ui.script_safe(basemap)}, "
                    f"{_map_ui.script_json(BASEMAP_STYLES)})")
    return Backdrop(basemap=basemap_call, context=tuple(layers))


@dataclass(frozen=True, slots=True)
class Parts:
    """What the page shows of the articles, as the text that goes into the page's holes.

    ``data`` is the ``map_data`` document and ``legend`` the legend's HTML, both as JavaScript
    values; ``css`` colours the marker kinds.
    """

    data: str
    legend: str
    css: str

    def texts(self) -> dict[str, str]:
        """The text of each hole of the page."""
        return {"data": self.data, "legend": self.legend, "css": self.css}


def parts(places: Sequence[MappedPlace], *, articles: Sequence[Article],
          shape_of: ShapeOf) -> Parts:
    """The parts of the page the mapped places and their articles make."""
    scale = scale_of(places)
    data = map_data(places, articles=articles, shape_of=shape_of, scale=scale)
    legend = _map_ui.legend_html(scale.kinds, classes=scale.classes, top=scale.top,
                                 context={t: c for t, c, _ in CONTEXT_STYLES.values()})
    # built from geo's constants only, so it never holds a "<" that could close the element
    css = _map_ui.kind_css(scale.kinds, KIND_COLOURS, OTHER_COLOUR)
    return Parts(data=_map_ui.script_json(data), legend=_map_ui.script_json(legend), css=css)


# Where each part goes in a skeleton. The gazetteer's text reaches the page through
# script_json or script_safe, which escape "<", so these cannot occur in it; Skeleton.parse
# refuses a page with a hole twice.
HOLES = {"data": "<@geo-hole:data@>", "legend": "<@geo-hole:legend@>",
         "css": "<@geo-hole:css@>"}


@dataclass(frozen=True, slots=True)
class Skeleton:
    """The map page with holes where the articles' parts go.

    ``pieces`` are the text around the holes, ``holes`` the names of the parts (keys of
    ``HOLES``) in page order: ``pieces[0] + part(holes[0]) + pieces[1] + ...``.
    """

    pieces: tuple[str, ...]
    holes: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Skeleton | None:
        """The skeleton whose :attr:`text` this is, or None if it lacks a hole (or has one
        twice)."""
        if any(text.count(mark) != 1 for mark in HOLES.values()):
            return None
        order = sorted(HOLES, key=lambda h: text.index(HOLES[h]))
        pieces, rest = [], text
        for hole in order:
            before, _, rest = rest.partition(HOLES[hole])
            pieces.append(before)
        return cls(pieces=(*pieces, rest), holes=tuple(order))

    def _join(self, texts: Mapping[str, str]) -> str:
        """The pieces with ``texts[hole]`` in each hole."""
        filled = [texts[h] for h in self.holes]
        return "".join(p + t for p, t in zip(self.pieces, [*filled, ""], strict=True))

    @property
    def text(self) -> str:
        """The page with each hole marked (what :meth:`parse` reads)."""
        return self._join(HOLES)

    def fill(self, parts: Parts) -> str:
        """The page with the parts in its holes."""
        return self._join(parts.texts())


def skeleton(backdrop: Backdrop) -> Skeleton:
    """The Folium map page with holes for the articles' parts (see :func:`parts`).

    The page itself is built and rendered by folium in ``geo._page``.

    Raises
    ------
    AssetError
        If an inlined asset happens to contain a hole's marker (the gazetteer's text cannot:
        it reaches the page escaped).
    """
    from geo import _page  # folium is slow to import; a cached skeleton never needs it

    text = _page.page(basemap=backdrop.basemap, context=backdrop.context,
                      data=HOLES["data"], legend=HOLES["legend"], css=HOLES["css"])
    found = Skeleton.parse(text)
    if found is None:
        msg = (f"the map page's assets contain geo's placeholder text {'@geo-hole:'!r}; "
               "remove it from them")
        raise AssetError(msg)
    return found


def render(places: Sequence[MappedPlace], *, articles: Sequence[Article], shape_of: ShapeOf,
           skeleton: Skeleton) -> str:
    """The whole map page as one self-contained HTML string (deterministic).

    Parameters
    ----------
    places
        The mapped places.
    articles
        The articles mapped.
    shape_of
        The polygon of a place id, or None.
    skeleton
        The page's skeleton: :func:`skeleton` of the :func:`backdrop`, or that one kept from
        an earlier build (it depends on neither the places nor the articles).
    """
    return skeleton.fill(parts(places, articles=articles, shape_of=shape_of))
