"""A tiny hand-made map input for the render and browser tests: three dated articles, three
places and a square for every area, so the tests do not depend on recognition or resolution."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geo import render
from geo.records import Article, MappedPlace, Place

ARTICLES = (
    Article(id="b", text="", title="Second <b>report</b>", source="Wire", date="2020-06-01"),
    Article(id="a", text="", title="First report", source="Wire", url="https://example.org/a",
            date="2020-01-01"),
    Article(id="c", text="", title="Third report", date="2021-01-01"),
)
PLACES = (
    MappedPlace(Place("t:1", "Alpha Town", "town", "IQ", 35.0, 44.0), 3, ("a",), ("Alpha Town",),
                (("a", "Fighting near Alpha Town."),)),
    MappedPlace(Place("t:2", "Beta Gov", "adm1", "IQ", 34.0, 45.0, has_shape=True), 2, ("b",),
                ("Beta Gov", "Beta"), (("b", "Talks in Beta."),)),
    MappedPlace(Place("t:3", "Gamma", "city", "IQ", 36.5, 43.0), 1, ("a", "c"), ("Gamma",),
                (("c", "Gamma was quiet."),)),
)
# the order ordered_articles gives: a (2020-01-01), b (2020-06-01), c (2021-01-01)


def square(lat: float, lon: float) -> dict[str, Any]:
    """A one-degree square around (lat, lon), as GeoJSON (lon, lat), counter-clockwise."""
    ring = [[lon - .5, lat - .5], [lon + .5, lat - .5], [lon + .5, lat + .5], [lon - .5, lat + .5],
            [lon - .5, lat - .5]]
    return {"type": "Polygon", "coordinates": [ring]}


def shape_of(place_id: str) -> dict[str, Any] | None:
    hits = [mp.place for mp in PLACES if mp.place.id == place_id and mp.place.has_shape]
    return square(hits[0].lat, hits[0].lon) if hits else None


BASEMAP = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"kind": "country"}, "geometry": square(35.0, 44.0)}]})
CONTEXT = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"layer": "kurdistan-region", "name": "KR"},
     "geometry": square(36.5, 44.5)},
    {"type": "Feature", "properties": {"layer": "disputed-territories", "name": "Unit X",
                                       "sources": "UNAMI 2009"},
     "geometry": square(35.0, 44.0)}]}


LABELS = (render.Label("Alpha Town", 35.0, 44.0, 3, 18, 1),)


def skeleton() -> render.Skeleton:
    """The page's skeleton with this basemap, its label and these context layers."""
    return render.skeleton(render.backdrop(CONTEXT, BASEMAP, LABELS))


def page(places: Sequence[MappedPlace] = PLACES,
         articles: Sequence[Article] = ARTICLES) -> str:
    """The map page of these places and articles (by default the three)."""
    return render.render(places, articles=articles, shape_of=shape_of, skeleton=skeleton())


def write(folder: Path, places: Sequence[MappedPlace] = PLACES,
          articles: Sequence[Article] = ARTICLES) -> Path:
    """Write the page to ``folder/index.html`` and return its path."""
    path = folder / "index.html"
    path.write_text(page(places, articles), encoding="utf-8")
    return path
