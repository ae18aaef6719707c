"""The files a build writes: schema, RFC 7946 geometry, determinism, the committed maps/."""

from __future__ import annotations

import json
import shutil
from itertools import pairwise
from pathlib import Path

from shapely.geometry import shape

from geo import pipeline
from geo.settings import Settings

from .conftest import ROOT

PLACE_PROPS = {"name", "id", "kind", "country", "mentions", "articles", "names", "lat", "lon"}


def _rings_ccw(geometry: dict) -> bool:
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for poly in polys:
        ring = poly[0]
        area2 = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring))
        if area2 <= 0:
            return False
    return True


def test_places_geojson_schema(seed_build: Path) -> None:
    fc = json.loads((seed_build / "places.geojson").read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    assert fc["features"]
    for f in fc["features"]:
        props = f["properties"]
        assert PLACE_PROPS <= set(props)
        assert len(props["country"]) == 2 and props["mentions"] >= 1
        g = f["geometry"]
        if g["type"] == "Point":
            assert g["coordinates"] == [props["lon"], props["lat"]]  # (lon, lat) order
        else:
            assert g["type"] in ("Polygon", "MultiPolygon") and _rings_ccw(g)
            assert shape(g).is_valid


def test_polygons_for_units_points_for_towns(seed_build: Path) -> None:
    fc = json.loads((seed_build / "places.geojson").read_text(encoding="utf-8"))
    # "Kirkuk" is the city, and in "Diyala, Kirkuk, and Nineveh provinces" the province
    kinds = {(f["properties"]["name"], f["properties"]["kind"]): f["geometry"]["type"]
             for f in fc["features"]}
    assert kinds["Kirkuk", "city"] == "Point"
    assert kinds["Kirkuk", "adm1"] in ("Polygon", "MultiPolygon")
    assert kinds["Iraq", "country"] in ("Polygon", "MultiPolygon")
    assert kinds["Diyala", "adm1"] in ("Polygon", "MultiPolygon")


def test_context_geojson_layers(seed_build: Path) -> None:
    fc = json.loads((seed_build / "context.geojson").read_text(encoding="utf-8"))
    layers = {f["properties"]["layer"] for f in fc["features"]}
    assert layers == {"kurdistan-region", "disputed-territories"}
    for f in fc["features"]:
        if f["geometry"]["type"] != "Point":
            assert _rings_ccw(f["geometry"])


def test_build_is_deterministic_and_matches_committed_maps(tmp_path: Path, seed_build: Path) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    pipeline.build(Settings(seeds_dir=tmp_path / "seeds", out_dir=tmp_path / "maps"))
    for name in ("places.geojson", "context.geojson", "index.html"):
        again = (tmp_path / "maps" / name).read_bytes()
        assert again == (seed_build / name).read_bytes(), name
        assert again == (ROOT / "maps" / name).read_bytes(), f"maps/{name} is stale: run make map"


def test_a_bad_article_does_not_stop_the_others(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Fighting near Mosul.", encoding="utf-8")
    (seeds / "b.txt").write_bytes(b"\x00\x01\x02binary")
    report = pipeline.build(Settings(seeds_dir=seeds, out_dir=tmp_path / "maps"))
    assert report.articles == 1 and [s.path.name for s in report.skipped] == ["b.txt"]
    fc = json.loads((tmp_path / "maps" / "places.geojson").read_text(encoding="utf-8"))
    assert [f["properties"]["name"] for f in fc["features"]] == ["Mosul"]
