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
import json
import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from geo import _map_ui, geocode
from geo.errors import AssetError
from geo.geojson import AREA_KINDS, ShapeOf
from geo.records import Article, MappedPlace, Place

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
MIN_RADIUS, MAX_RADIUS = 4.0, 16.0
QUANTILES = (0.0, 0.5, 0.75, 0.9, 0.97)  # where the size and shade classes begin
COORD_DIGITS = 4  # decimals of a point on the page: about 10 m
TITLE_CHARS, SOURCE_CHARS = 120, 60  # longer titles and sources are cut on the page
# Douglas-Peucker tolerance of a region's outline by kind, in grid cells of geo._topo (~110 m)
TOPO_SCALE = 1000  # geo._topo.SCALE (that module needs numpy; a cached page does not)
GROUP_DEGREES = 10  # the cells regions are simplified in together (see region_groups)
TOLERANCES = {"continent": 40, "country": 20, "region": 10, "adm1": 8, "*": 4}
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_LABEL_ZOOM = 18
Bounds = tuple[tuple[float, float], tuple[float, float]]


def _e(value: object) -> str:
    """HTML-escape text from the gazetteer that the page shows as HTML (the context layers'
    popups; quotes too). Article text never goes through here: the page shows it as text."""
    return html.escape(str(value))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def quantile_classes(counts: Sequence[int], *, quantiles: Sequence[float] = QUANTILES
                     ) -> tuple[int, ...]:
    """Lower bounds of the classes of mention counts, at these quantiles of ``counts`` (a
    count shared by many places makes one class, so there may be fewer than ``quantiles``)."""
    ordered = sorted(counts) or [1]
    n = len(ordered)
    return tuple(sorted({ordered[min(n - 1, int(q * n))] for q in quantiles}))


def class_of(mentions: int, classes: Sequence[int]) -> int:
    """The number of the class ``mentions`` falls in (0 for the lowest); ``classes`` are
    sorted, as :func:`quantile_classes` gives them."""
    return max(bisect_right(classes, mentions) - 1, 0)


def radii(n: int) -> tuple[float, ...]:
    """The marker radius of each of ``n`` size classes, MIN_RADIUS to MAX_RADIUS."""
    if n == 1:
        return ((MIN_RADIUS + MAX_RADIUS) / 2,)
    return tuple(round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * i / (n - 1), 1) for i in range(n))


def shade(mentions: int, classes: Sequence[int]) -> str:
    """The fill colour of a region mentioned ``mentions`` times."""
    return _map_ui.ramp(len(classes))[class_of(mentions, classes)]


def _iso_date(value: str) -> str:
    """The date if it is ISO yyyy-mm-dd, else "" (such articles stay out of the time filter)."""
    return value if _ISO_DATE_RE.fullmatch(value) else ""


def _short(text: str, limit: int) -> str:
    """The text, cut to ``limit`` characters (with an ellipsis) where it is longer."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _web_url(value: str) -> str:
    """The address if it is an http(s) one (the page links only those), else ""."""
    return value if value.lower().startswith(("http://", "https://")) else ""


def ordered_articles(articles: Sequence[Article]) -> list[Article]:
    """Articles oldest first (undated last), ties by title then id: the filter's order."""
    return sorted(articles, key=lambda a: (_iso_date(a.date) or "9999", a.title, a.id))


@dataclass(frozen=True, slots=True)
class Scale:
    """How the places are drawn: ``kinds`` are the kinds on the map in the legend's order (a
    marker of kind number ``i`` has the class ``geo-k{i}``), ``sizes`` the classes of the
    markers' mention counts and ``classes`` those of the regions' (see
    :func:`quantile_classes`); ``top`` is the most mentions of a place."""

    top: int
    kinds: tuple[str, ...]
    sizes: tuple[int, ...]
    classes: tuple[int, ...]


def scale_of(places: Sequence[MappedPlace]) -> Scale:
    """The scale of these places on the map."""
    top = max((mp.mentions for mp in places), default=1)
    kinds = _map_ui.kinds_on_map([mp.place.kind for mp in places])
    areas = [mp.mentions for mp in places if mp.place.kind in AREA_ORDER and mp.place.has_shape]
    return Scale(top=top, kinds=tuple(kinds), sizes=quantile_classes([mp.mentions for mp in places]),
                 classes=quantile_classes(areas))


def _coordinate(value: float) -> float:
    return round(value, COORD_DIGITS)


Sentences = Mapping[str, tuple[int, str]]  # article id -> how many, their JSON list text
_SENTENCES_HOLE = "\0geo-sentences"  # where the sentences' JSON text goes (see _document)


def map_data(places: Sequence[MappedPlace], *, articles: Sequence[Article],
             regions: Regions, scale: Scale, sentences: Sentences | None = None
             ) -> dict[str, Any]:
    """The JSON document the page's script draws, as tables (see ``geo/static/geo-core.js``):

    - ``articles``: columns ``id``, ``t`` (title, cut to TITLE_CHARS), ``s`` (number in
      ``sources``, -1 for none),
      ``d`` (ISO date or "") and ``u`` (http(s) address or ""), oldest first;
    - ``places``: columns ``n`` (name), ``k`` (kind number), ``c`` (country), ``ll`` (lat, lon
      pairs, flat, Leaflet's order), ``m`` (mentions), ``z`` (size class), ``alt`` (the other
      spellings seen) and ``a`` (per place, flat ``article, sentence`` pairs: each article
      that names it with the first sentence that does, a number in ``sentences``, or -1);
    - ``sentences``: article by article (in the articles' order), the sentences that the
      places point at, each once per article, sorted; ``regions`` (see :func:`regions_of`);
      the scale and the view's ``bounds`` (none when no place is mapped: the map keeps its
      initial view).

    ``sentences`` gives each article's sentences as JSON text, and then each place's ``said``
    numbers them (see ``geo.aggregate.Mapped``); without it, they come from the places'
    snippets. Every string is plain text, which the script puts in the page as text, never as
    HTML.
    """
    doc, text = _document(places, articles=articles, regions=regions, scale=scale,
                          sentences=sentences)
    return {**doc, "sentences": json.loads(text)}


def _document(places: Sequence[MappedPlace], *, articles: Sequence[Article],
              regions: Regions, scale: Scale, sentences: Sentences | None
              ) -> tuple[dict[str, Any], str]:
    """:func:`map_data` with a hole for the sentences, and the sentences' JSON text."""
    arts = ordered_articles(articles)
    index = {a.id: i for i, a in enumerate(arts)}
    sources = sorted({_short(a.source, SOURCE_CHARS) for a in arts if a.source})
    source_index = {s: i for i, s in enumerate(sources)}
    said = [mp.said for mp in places]
    if sentences is None:
        sentences, said = sentences_of(places)
    offsets, texts, total = {}, [], 0
    for a in arts:
        count, text = sentences.get(a.id, (0, "[]"))
        offsets[a.id] = total
        total += count
        if count:
            texts.append(text[1:-1])
    places_table = _place_table(places, said, index, offsets, scale)
    data: dict[str, Any] = {
        "articles": {"id": [a.id for a in arts],
                     "t": [_short(a.title or a.id, TITLE_CHARS) for a in arts],
                     "s": [source_index.get(_short(a.source, SOURCE_CHARS), -1) for a in arts],
                     "d": [_iso_date(a.date) for a in arts], "u": [_web_url(a.url) for a in arts]},
        "sources": sources,
        "places": places_table,
        "sentences": _SENTENCES_HOLE,
        "regions": {"p": list(regions.places), "topology": regions.topology},
        "kinds": [_map_ui.KIND_LABELS.get(k, k) for k in scale.kinds],
        "sizes": list(scale.sizes), "radii": list(radii(len(scale.sizes))),
        "classes": list(scale.classes), "ramp": _map_ui.ramp(len(scale.classes)),
    }
    geocoded = sorted({mp.place.source for mp in places if mp.place.source})
    if geocoded:  # places from an online geocoder: the popup and the attribution name it
        places_table["src"] = [mp.place.source for mp in places]
        # Leaflet's attribution control takes HTML, so this one string is escaped here
        data["attribution"] = [html.escape(geocode.attribution(s)) for s in geocoded]
    box = bounds(places)
    return data if box is None else {**data, "bounds": box}, "[" + ",".join(texts) + "]"


def sentences_of(places: Sequence[MappedPlace]) -> tuple[dict[str, tuple[int, str]],
                                                          list[tuple[int, ...]]]:
    """The sentences of each article from the places' snippets (each once, sorted, as
    ``geo.aggregate.named`` orders them), and each place's ``said`` numbers (-1 for an
    article it has no snippet of)."""
    found: dict[str, set[str]] = {}
    for mp in places:
        for a, sentence in mp.snippets:
            found.setdefault(a, set()).add(sentence)
    ordered = {a: sorted(v) for a, v in found.items()}
    number = {a: {s: i for i, s in enumerate(v)} for a, v in ordered.items()}
    said = []
    for mp in places:
        first = dict(mp.snippets)
        said.append(tuple(number[a][first[a]] if a in first else -1 for a in mp.articles))
    return {a: _map_ui.sentence_list(v) for a, v in ordered.items()}, said


def _place_table(places: Sequence[MappedPlace], said: Sequence[Sequence[int]],
                 index: dict[str, int], offsets: dict[str, int],
                 scale: Scale) -> dict[str, list[Any]]:
    table: dict[str, list[Any]] = {key: [] for key in ("n", "k", "c", "ll", "m", "z", "alt", "a")}
    kind_number = {k: i for i, k in enumerate(scale.kinds)}
    for mp, numbers in zip(places, said, strict=True):
        p = mp.place
        table["n"].append(p.name)
        table["k"].append(kind_number[p.kind])
        table["c"].append(p.country)
        table["ll"] += [_coordinate(p.lat), _coordinate(p.lon)]  # Leaflet's (lat, lon) order
        table["m"].append(mp.mentions)
        table["z"].append(class_of(mp.mentions, scale.sizes))
        table["alt"].append([n for n in mp.names if n != p.name])
        pairs = sorted([(index[a], offsets[a] + n if n >= 0 else -1)
                        for a, n in zip(mp.articles, numbers, strict=True) if a in index])
        table["a"].append(list(chain.from_iterable(pairs)))
    return table


@dataclass(frozen=True, slots=True)
class Regions:
    """The polygons of the mentioned areas: ``places`` are their numbers among the mapped
    places, largest kinds first (so smaller units lie on top), ``topology`` their shapes as
    ``geo._topo.topology`` gives them."""

    places: tuple[int, ...]
    topology: dict[str, Any]


def region_places(places: Sequence[MappedPlace]) -> list[int]:
    """The numbers of the places drawn as regions, largest kinds first."""
    areas = [i for i, mp in enumerate(places)
             if mp.place.kind in AREA_ORDER and mp.place.has_shape]
    return sorted(areas, key=lambda i: AREA_ORDER[places[i].place.kind])


def region_groups(places: Sequence[MappedPlace]) -> dict[str, list[int]]:
    """The regions' numbers by the cell of GROUP_DEGREES their point lies in: each cell's
    borders are shared and simplified together (and kept apart, so that a new region costs
    only its cell's work), borders across cells once per side."""
    out: dict[str, list[int]] = {}
    for i in region_places(places):
        p = places[i].place
        cell = f"{math.floor(p.lat / GROUP_DEGREES)}/{math.floor(p.lon / GROUP_DEGREES)}"
        out.setdefault(cell, []).append(i)
    return out


def regions_of(places: Sequence[MappedPlace], shape_of: ShapeOf,
               numbers: Sequence[int] | None = None) -> Regions:
    """The polygons of the regions among the mapped places (those ``numbers``, or all),
    simplified by kind (``TOLERANCES``); a region too small to keep a ring at its tolerance is
    left out."""
    from geo import _topo  # numpy and shapely: only a build with new regions needs them

    chosen = region_places(places) if numbers is None else numbers
    found = [(i, shape) for i in chosen if (shape := shape_of(places[i].place.id)) is not None]
    tolerance = [TOLERANCES.get(places[i].place.kind, TOLERANCES["*"]) for i, _ in found]
    topology = _topo.topology([(shape, t) for (_, shape), t in zip(found, tolerance, strict=True)])
    kept = [j for j, shape in enumerate(topology["shapes"]) if shape]
    return Regions(places=tuple(found[j][0] for j in kept),
                   topology={**topology, "shapes": [topology["shapes"][j] for j in kept]})


def merged(places: Sequence[MappedPlace], parts: Sequence[Regions]) -> Regions:
    """The regions of several :func:`regions_of` as one, largest kinds first: their arcs one
    after the other, their shapes' arc references moved to match (see ``geo._topo``)."""
    arcs: list[str] = []
    shapes: list[Any] = []
    for part in parts:
        at = len(arcs)
        arcs += part.topology["arcs"]
        shapes += [[[[r + at if r >= 0 else ~(~r + at) for r in ring] for ring in poly]
                    for poly in shape] for shape in part.topology["shapes"]]
    numbers = [i for r in parts for i in r.places]
    order = sorted(range(len(numbers)), key=lambda j: AREA_ORDER[places[numbers[j]].place.kind])
    return Regions(places=tuple(numbers[j] for j in order),
                   topology={"scale": TOPO_SCALE, "arcs": arcs,
                             "shapes": [shapes[j] for j in order]})


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

    ``basemap`` builds the offline basemap (the gazetteer's JSON text, embedded as it is) with
    its place labels; ``context`` holds ``(layer name, expression)`` of each context layer.
    """

    basemap: str
    context: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Label:
    """A name on the offline basemap: shown from zoom ``low`` to ``high`` where it does not
    collide with a label placed before it (labels are placed in the order given)."""

    name: str
    lat: float
    lon: float
    low: int
    high: int
    style: int  # LABEL_STYLES' number


LABEL_STYLES = ("country", "city", "adm1")
LABEL_KINDS = frozenset(LABEL_STYLES)
# the smallest city population labelled at each zoom, and the zooms of countries and provinces
CITY_ZOOMS = ((5_000_000, 3), (1_000_000, 5), (300_000, 6), (100_000, 8))
COUNTRY_ZOOMS, ADM1_ZOOMS = (2, 5), (6, MAX_LABEL_ZOOM)


def labels(places: Iterable[Place], *, names: Mapping[str, int]) -> list[Label]:
    """The labels of the offline basemap: countries when zoomed out, then the large cities
    (the larger, the sooner) and the governorate/province names as you zoom in.

    Where labels collide the page keeps the first; cities come before provinces, and among
    cities shown from the same zoom the one known by more ``names`` (a place id's number of
    names in the gazetteer) comes first: the city itself rather than a district of it that
    GeoNames gives the city's population.
    """
    ranked = []
    for p in places:
        if p.kind == "country":
            label = Label(p.name, p.lat, p.lon, *COUNTRY_ZOOMS, 0)
        elif p.kind == "adm1":
            label = Label(p.name, p.lat, p.lon, *ADM1_ZOOMS, 2)
        else:
            low = next((z for least, z in CITY_ZOOMS if p.population >= least), None)
            if low is None:
                continue
            label = Label(p.name, p.lat, p.lon, low, MAX_LABEL_ZOOM, 1)
        ranked.append(((label.low, label.style == 2, -names.get(p.id, 0), -p.population,
                        p.name), label))
    return [label for _, label in sorted(ranked, key=lambda x: x[0])]


def _label_table(found: Sequence[Label]) -> list[Any]:
    """The labels as one flat list, six values each (Leaflet's (lat, lon) order)."""
    return [x for lb in found for x in (lb.name, _coordinate(lb.lat), _coordinate(lb.lon),
                                        lb.low, lb.high, lb.style)]


def backdrop(context: dict[str, Any], basemap: str, found: Sequence[Label] = ()) -> Backdrop:
    """The backdrop of the page: the basemap (JSON text) with these labels, and the context
    layers (GeoJSON)."""
    layers = []
    for layer, (title, colour, dash) in CONTEXT_STYLES.items():
        data = {"type": "FeatureCollection", "features": context_features(context, layer)}
        style = {"color": colour, "weight": 2, "dashArray": dash, "fillColor": colour,
                 "fillOpacity": 0.1}
        call = f"geoContext({_map_ui.script_json(data)}, {_map_ui.script_json(style)})"
        layers.append((title, call))
    basemap_call = (f"geoBasemap({_map_ui.script_safe(basemap)}, "
                    f"{_map_ui.script_json(BASEMAP_STYLES)}, "
                    f"{_map_ui.script_json(_label_table(found))})")
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
          regions: Regions, sentences: Sentences | None = None) -> Parts:
    """The parts of the page the mapped places, their regions and their articles make (the
    articles' sentences as ``map_data`` takes them)."""
    scale = scale_of(places)
    doc, text = _document(places, articles=articles, regions=regions, scale=scale,
                          sentences=sentences)
    # the hole is the one "\u0000" after a key: in a string a quote would be escaped
    hole = f'"sentences":{json.dumps(_SENTENCES_HOLE)}'
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).replace(
        hole, f'"sentences":{text}', 1)
    legend = _map_ui.legend_html(scale.kinds, sizes=scale.sizes, radii=radii(len(scale.sizes)),
                                 classes=scale.classes, top=scale.top,
                                 context={t: c for t, c, _ in CONTEXT_STYLES.values()})
    # built from geo's constants only, so it never holds a "<" that could close the element
    css = _map_ui.kind_css(scale.kinds, KIND_COLOURS, OTHER_COLOUR)
    return Parts(data=_map_ui.script_safe(data), legend=_map_ui.script_json(legend), css=css)


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
           skeleton: Skeleton, regions: Regions | None = None,
           sentences: Sentences | None = None) -> str:
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
    regions
        :func:`regions_of` these places, when the caller kept it; else it is made here.
    sentences
        Each article's sentences, as :func:`map_data` takes them; by default from the places'
        snippets.
    """
    if regions is None:
        regions = regions_of(places, shape_of)
    return skeleton.fill(parts(places, articles=articles, regions=regions, sentences=sentences))
