"""``geo export``: each format opens in its usual reader with the places' properties."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from geo import export, pipeline
from geo.errors import InputError
from geo.records import Article, ArticleResult, Mention
from geo.settings import Settings

from .conftest import ROOT

KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    base = tmp_path_factory.mktemp("export")
    (base / "seeds").mkdir()
    (base / "seeds" / "a.txt").write_text(
        "Talks in Erbil\n\nDelegates from Baghdad met officials in Erbil & Duhok.", "utf-8")
    (base / "seeds" / "b.txt").write_text("Aid\n\nTrucks reached Sinjar and Kirkuk.", "utf-8")
    settings = Settings(seeds_dir=base / "seeds", out_dir=base / "maps")
    pipeline.build(settings)
    return settings


def _places(settings: Settings) -> list[dict]:
    fc = json.loads((settings.out_dir / "places.geojson").read_text("utf-8"))
    return [f["properties"] for f in fc["features"]]


def test_geojson_export_is_places_geojson(built: Settings, tmp_path: Path) -> None:
    fmt, rows, _ = pipeline.export(built, tmp_path / "p.geojson")
    assert (fmt, rows) == ("geojson", len(_places(built)))
    assert (tmp_path / "p.geojson").read_bytes() == (built.out_dir / "places.geojson").read_bytes()


def test_geopackage_opens_with_pyogrio_and_sqlite(built: Settings, tmp_path: Path) -> None:
    import pyogrio

    pipeline.export(built, tmp_path / "p.gpkg")
    frame = pyogrio.read_dataframe(tmp_path / "p.gpkg", layer="places")
    props = _places(built)
    assert list(frame["id"]) == [p["id"] for p in props]
    assert list(frame["names"]) == ["; ".join(p["names"]) for p in props]
    with sqlite3.connect(tmp_path / "p.gpkg") as db:
        tables = {r[0] for r in db.execute("select table_name from gpkg_contents")}
    assert tables == {"places"}


def test_csv_has_the_properties_and_lat_lon(built: Settings, tmp_path: Path) -> None:
    pipeline.export(built, tmp_path / "p.csv")
    with (tmp_path / "p.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    props = _places(built)
    assert set(rows[0]) == set(props[0])
    assert [(float(r["lat"]), float(r["lon"])) for r in rows] == [(p["lat"], p["lon"])
                                                                  for p in props]


def test_kml_has_a_placemark_per_place(built: Settings, tmp_path: Path) -> None:
    pipeline.export(built, tmp_path / "p.kml")
    root = ET.parse(tmp_path / "p.kml").getroot()
    marks = list(root.iter(f"{KML}Placemark"))
    assert len(marks) == len(_places(built))
    assert {m.findtext(f"{KML}name") for m in marks} == {p["name"] for p in _places(built)}


def test_parquet_round_trips_with_lists(built: Settings, tmp_path: Path) -> None:
    import geopandas

    pipeline.export(built, tmp_path / "p.parquet")
    frame = geopandas.read_parquet(tmp_path / "p.parquet")
    assert [list(v) for v in frame["names"]] == [p["names"] for p in _places(built)]
    assert frame.crs.to_epsg() == 4326


def test_mentions_table_for_analysts(built: Settings, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "geo", "export", "--mentions", "-o",
                           str(tmp_path / "m.csv"), "--seeds", str(built.seeds_dir),
                           "--out", str(built.out_dir)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    with (tmp_path / "m.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert set(rows[0]) == set(export.MENTION_COLUMNS)
    texts = {p.stem: p.read_text("utf-8") for p in built.seeds_dir.iterdir()}
    for r in rows:
        body = texts[r["article"]]
        assert body[int(r["start"]):int(r["end"])] == r["text"]
    erbil = next(r for r in rows if r["text"] == "Erbil")
    assert erbil["place_id"] and float(erbil["lat"]) > 35 and erbil["on_map"] == "True"


def test_kml_written_without_gdal_escapes_text() -> None:
    feature = {"type": "Feature", "geometry": None,
               "properties": {"name": "A <b> & \"c\"", "lat": 36.1, "lon": 44.0,
                              "names": ["x", "y"]}}
    root = ET.fromstring(export.kml_text([feature], layer="places").split("?>", 1)[1])
    mark = next(root.iter(f"{KML}Placemark"))
    assert mark.findtext(f"{KML}name") == "A <b> & \"c\""
    assert mark.findtext(f".//{KML}coordinates") == "44.0,36.1"  # KML is lon,lat


def test_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="from its suffix; pass --format"):
        export.format_for(Path("x.xlsx"), None)


def test_mention_features_are_points_in_lon_lat_order(built: Settings) -> None:
    unresolved = ArticleResult(Article(id="x", text="Foo."), (Mention(0, 3, "Foo", None, 0.0),))
    results = [*pipeline.analyse(built).results, unresolved]
    features = export.mention_features(results, min_score=built.min_score)
    mentions = [m for r in results for m in r.mentions]
    assert len(features) == len(mentions)
    for feature, m in zip(features, mentions, strict=True):
        expected = None if m.place is None else {"type": "Point",
                                                 "coordinates": [m.place.lon, m.place.lat]}
        assert json.loads(json.dumps(feature["geometry"])) == expected  # GeoJSON is (lon, lat)
