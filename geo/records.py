"""Immutable records passed between the pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Article:
    """One article read from ``seeds/``: its text and the metadata from its header."""

    id: str
    text: str
    title: str = ""
    source: str = ""
    url: str = ""
    date: str = ""
    path: str = ""
    lang: str = ""  # the language its header names ("": detected when needed, see articles)


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry: a named place with a representative point.

    ``kind`` is the level: country, adm1, adm2, adm3, region, city, town, village, physical.
    ``country`` is the ISO 3166-1 alpha-2 code ("" for places spanning countries).
    ``source`` is "" for the gazetteer's places, and says where any other place came from
    (``geocoder/nominatim`` for a point an online geocoder found, see ``geo.geocode``).
    """

    id: str
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    population: int = 0
    admin1: str = ""
    has_shape: bool = False
    source: str = ""

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        # GeoJSON order is (lon, lat).
        return {"type": "Point", "coordinates": (self.lon, self.lat)}


@dataclass(frozen=True, slots=True)
class Span:
    """A candidate place name found in a text: offsets, the text as written, cues around it."""

    start: int
    end: int
    text: str
    key: str  # its name key; for a unit's code after a town ("Aurora, CO"), the unit's id
    role: str = "name"  # "name", or "demonym" for adjectives such as "Iraqi"
    cue: str = ""  # a feature cue next to it: "adm", "city", "village", "physical"


@dataclass(frozen=True, slots=True)
class Mention:
    """A span resolved to a gazetteer place (or to nothing: ``place`` is None)."""

    start: int
    end: int
    text: str
    place: Place | None
    score: float
    role: str = "name"
    sentence: str = ""

    @property
    def __geo_interface__(self) -> dict[str, Any] | None:
        return None if self.place is None else self.place.__geo_interface__

    def as_dict(self) -> dict[str, Any]:
        """The ``geo extract`` JSON form of this mention."""
        p = self.place
        return {
            "start": self.start,
            "end": self.end,
            "name": self.text,
            "lat": None if p is None else p.lat,
            "lon": None if p is None else p.lon,
            "id": None if p is None else p.id,
            "kind": None if p is None else p.kind,
            "country": None if p is None else p.country,
            "score": round(self.score, 3),
            "role": self.role,
        }


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """An article with its resolved mentions."""

    article: Article
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True, slots=True)
class MappedPlace:
    """A place mentioned across articles, ready for the map: counts, spellings, sentences."""

    place: Place
    mentions: int
    articles: tuple[str, ...]
    names: tuple[str, ...]
    snippets: tuple[tuple[str, str], ...] = field(default=())  # (article id, sentence)
    # per article, the number of its first sentence that names the place among the sentences
    # of that article on the map (see geo.aggregate.Mapped); with these, no snippets are needed
    said: tuple[int, ...] = field(default=())

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        return self.place.__geo_interface__
