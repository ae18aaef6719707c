"""GeoJSON (RFC 7946) documents: the mentioned places and the context layers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from geo.records import MappedPlace

# the kinds drawn as their polygon, largest first (the map draws smaller units on top)
AREA_KINDS = ("continent", "country", "region", "adm1", "adm2", "adm3")
ShapeOf = Callable[[str], "dict[str, Any] | None"]


def place_feature(mp: MappedPlace, shape_of: ShapeOf) -> dict[str, Any]:
    """One Feature: the unit's polygon for countries, regions and units; else a Point. A place
    from outside the gazetteer has a ``source`` property (``geocoder/nominatim``)."""
    p = mp.place
    geometry = shape_of(p.id) if p.has_shape and p.kind in AREA_KINDS else None
    if geometry is None:
        geometry = {"type": "Point", "coordinates": [p.lon, p.lat]}  # GeoJSON is (lon, lat)
    properties = {
        "name": p.name, "id": p.id, "kind": p.kind, "country": p.country,
        "mentions": mp.mentions, "articles": list(mp.articles), "names": list(mp.names),
        "lat": p.lat, "lon": p.lon, "population": p.population,
    }
    if p.source:  # a place from outside the gazetteer: "geocoder/nominatim"
        properties["source"] = p.source
    return {"type": "Feature", "id": p.id, "geometry": geometry, "properties": properties}


def places_collection(places: Iterable[MappedPlace], shape_of: ShapeOf) -> dict[str, Any]:
    """The FeatureCollection of ``maps/places.geojson``."""
    return {"type": "FeatureCollection",
            "features": [place_feature(mp, shape_of) for mp in places]}


def dumps(collection: dict[str, Any]) -> str:
    """Deterministic, compact-but-readable GeoJSON text (one feature per line)."""
    return join_features(feature_text(f) for f in collection["features"])


def feature_text(feature: dict[str, Any]) -> str:
    """One feature's line of :func:`dumps`."""
    return json.dumps(feature, ensure_ascii=False, sort_keys=True)


RAW_GEOMETRY = {"type": "geo:raw", "coordinates": "\0"}  # stands for a geometry's kept text
_NEXT_FEATURE = ', {"geometry": '  # between two place features of one json.dumps of a list


def places_text(features: Sequence[dict[str, Any]], geometries: Sequence[str] = ()) -> str:
    """:func:`dumps` of a collection of these place features (see :func:`feature_lines`)."""
    return join_features(feature_lines(features, geometries))


def feature_lines(features: Sequence[dict[str, Any]], geometries: Sequence[str] = ()
                  ) -> list[str]:
    """Each place feature's line of :func:`dumps` (see :func:`place_feature`), made in one
    ``json.dumps`` call rather than one per feature; each geometry that is RAW_GEOMETRY is
    replaced by the next text of ``geometries`` (a geometry's :func:`feature_text`).

    Raises
    ------
    ValueError
        If ``geometries`` are not as many as the features' RAW_GEOMETRY.
    """
    if not features:
        return []
    body = json.dumps(list(features), ensure_ascii=False, sort_keys=True)[1:-1]
    # a place feature's first key is "geometry" (its keys are sorted) and nothing inside one
    # is a list of objects; and a quote in a string is escaped: so this marks where each
    # feature begins but the first, and nothing else (a string holds no raw newline)
    body = body.replace("}" + _NEXT_FEATURE, "}\n" + _NEXT_FEATURE[2:])
    pieces = body.split(feature_text(RAW_GEOMETRY))
    if len(pieces) != len(geometries) + 1:
        msg = f"{len(pieces) - 1} geometries to fill, {len(geometries)} given"
        raise ValueError(msg)
    return "".join(p + g for p, g in zip(pieces, [*geometries, ""], strict=True)).split("\n")


_HEAD, _TAIL = '{"type": "FeatureCollection", "features": [', "]}\n"


def join_features(lines: Iterable[str]) -> str:
    """The FeatureCollection text of :func:`dumps` from its features' lines."""
    feats = ",\n".join(lines)
    return _HEAD + ("\n" + feats + "\n" if feats else "") + _TAIL


def join_feature_bytes(lines: Iterable[bytes]) -> bytes:
    """:func:`join_features` of UTF-8 lines, as UTF-8."""
    feats = b",\n".join(lines)
    return _HEAD.encode() + (b"\n" + feats + b"\n" if feats else b"") + _TAIL.encode()
