"""Boundary imports and the comparison with a reference: geo gazetteer import-boundaries,
remove-boundaries and compare, on a throwaway copy of the gazetteer."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import box, shape

from geo._io import LOCK_NAME, build_lock
from geo.errors import BoundaryError, BuildLockedError
from geo.gazetteer import boundaries, comparison, overlay
from geo.gazetteer.store import Gazetteer

from .conftest import FIXTURES, ROOT, SHARED

ADM2 = FIXTURES / "codab_adm2_sample.geojson"
ADM1 = FIXTURES / "codab_adm1_sample.geojson"
REFERENCE = SHARED / "reference" / "iraq"
# The fixture's rectangles, (lon_min, lat_min, lon_max, lat_max) as shapely's box takes them.
HAWIGA, TILKAEF, KHANAQIN = (43.55, 35.15, 44.0, 35.5), (43.0, 36.4, 43.3, 36.7), (45.1, 34.1, 45.6, 34.6)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A gazetteer folder whose bundled files are links to data/gazetteer/ (nothing there is
    written); the parsed-table cache goes to a temporary folder too."""
    base = tmp_path_factory.mktemp("gazetteer-copy")
    (base / "gazetteer").mkdir()
    for path in (ROOT / "data" / "gazetteer").iterdir():
        if path.is_file():
            (base / "gazetteer" / path.name).symlink_to(path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(base / "cache"))
        yield base / "gazetteer"


@pytest.fixture(scope="module")
def copy(folder: Path) -> Gazetteer:
    return Gazetteer(folder)


@pytest.fixture()
def gaz_copy(copy: Gazetteer) -> Iterator[Gazetteer]:
    """The gazetteer copy, with no imports before or after the test."""
    overlay.remove(copy.folder)
    yield copy
    overlay.remove(copy.folder)


def unit_id(gaz: Gazetteer, name: str, kind: str = "adm2") -> str:
    return next(p.id for p in gaz.units("IQ", kind) if p.name == name)


def context_geometry(gaz: Gazetteer, ident: str, *, imported: bool = True) -> Any:
    feats = gaz.context(imported=imported)["features"]
    return shape(next(f["geometry"] for f in feats if f["properties"]["id"] == ident))


def overlay_files(gaz: Gazetteer) -> list[str]:
    """The files in the overlay folder, temporary ones included (the lock is in a subfolder)."""
    return sorted(p.name for p in overlay.folder_of(gaz.folder).iterdir() if p.is_file())


def lock_dir(gaz: Gazetteer) -> Path:
    return overlay.folder_of(gaz.folder) / overlay.LOCK_DIR


def close(geojson: dict[str, Any] | None, expected: Any, tol: float = 1e-3) -> bool:
    """Whether a GeoJSON geometry covers nearly the same ground as a shapely one."""
    assert geojson is not None
    return bool(shape(geojson).symmetric_difference(expected).area < tol * expected.area)


# --- the layout of a file -----------------------------------------------------------------


@pytest.mark.parametrize(("fields", "level"), [
    (["ADM2_EN", "ADM2_PCODE", "ADM1_PCODE", "ADM0_PCODE"], "adm2"),
    (["ADM3_EN", "ADM3_PCODE", "ADM2_PCODE", "ADM1_PCODE"], "adm3"),
    (["GID_0", "GID_1", "NAME_1"], "adm1"),
    (["ADM0_EN", "ADM0_PCODE"], "adm0"),
    (["name", "code"], ""),
])
def test_level_comes_from_the_deepest_code_field(fields: list[str], level: str) -> None:
    assert boundaries.detect_level(fields) == level


def test_layout_picks_codab_fields_and_honours_flags() -> None:
    lay = boundaries.detect_layout(["ADM2_EN", "ADM2_AR", "ADM2_PCODE", "ADM1_PCODE"])
    assert (lay.level, lay.name_field, lay.code_field) == ("adm2", "ADM2_EN", "ADM2_PCODE")
    lay = boundaries.detect_layout(["district", "id"], level="adm2", name_field="district",
                                   code_field="id")
    assert (lay.level, lay.name_field, lay.code_field) == ("adm2", "district", "id")


@pytest.mark.parametrize(("fields", "options", "shown", "fix"), [
    (["name"], {}, "no level", "--level"),
    (["ADM0_PCODE", "ADM0_EN"], {}, "'adm0'", "--level"),
    (["name"], {"level": "adm4"}, "'adm4'", "--level adm1, adm2 or adm3"),
    (["ADM2_EN", "ADM2_PCODE"], {"name_field": "NAME"}, "'NAME'", "--name-field"),
    (["district", "ADM2_PCODE"], {}, "district", "--name-field"),
])
def test_layout_errors_show_the_value_and_the_fix(fields: list[str], options: dict[str, str],
                                                  shown: str, fix: str) -> None:
    with pytest.raises(BoundaryError) as err:
        boundaries.detect_layout(fields, **options)
    assert shown in str(err.value) and fix in str(err.value)


def test_country_from_adm0_field_or_pcode_prefix() -> None:
    assert boundaries.detect_country(["IQG13Q01"], ["IQ", "IQ"]) == "IQ"
    assert boundaries.detect_country(["IQG13Q01", "IQG15Q09"], []) == "IQ"
    assert boundaries.detect_country(["IQG13", "SY01"], []) == ""
    assert boundaries.detect_country([], []) == ""


def test_reading_the_fixture() -> None:
    bf = boundaries.read_boundary_file(ADM2)
    assert bf.layout == boundaries.Layout("adm2", "ADM2_EN", "ADM2_PCODE", "IQ")
    assert [f.code for f in bf.features] == ["IQG13Q01", "IQG15Q09", "IQG10Q05", "IQG01Q99"]
    assert bf.features[0].geometry.equals(box(*HAWIGA)) and len(bf.sha256) == 64


# --- importing ------------------------------------------------------------------------------


def test_import_redraws_matched_units(gaz_copy: Gazetteer) -> None:
    report = boundaries.import_boundaries(ADM2, gaz_copy)
    hawiga, tilkaef = unit_id(gaz_copy, "Al-Hawiga"), unit_id(gaz_copy, "Tilkaef")
    assert {(m.place_id, m.how) for m in report.matches} == {(hawiga, "name"), (tilkaef, "name")}
    assert close(gaz_copy.shape(hawiga), box(*HAWIGA))
    assert close(gaz_copy.shape(tilkaef), box(*TILKAEF))
    assert not close(gaz_copy.shape(hawiga, imported=False), box(*HAWIGA))
    kirkuk = unit_id(gaz_copy, "Kirkuk")
    assert gaz_copy.shape(kirkuk) == gaz_copy.shape(kirkuk, imported=False)


def test_import_redraws_context_features_with_the_files_pcodes(gaz_copy: Gazetteer) -> None:
    report = boundaries.import_boundaries(ADM2, gaz_copy)
    assert set(report.entry.context) == {"geo:dibs-hawija", "geo:dibs-tel-kaif", "geo:dibs-khanaqin"}
    assert context_geometry(gaz_copy, "geo:dibs-khanaqin").equals(box(*KHANAQIN))
    assert context_geometry(gaz_copy, "geo:dibs-hawija").equals(box(*HAWIGA))
    khanaqin = next(f["properties"] for f in gaz_copy.context()["features"]
                    if f["properties"]["id"] == "geo:dibs-khanaqin")
    assert khanaqin["approx"] is False and ADM2.name in khanaqin["boundary"]
    sinjar = context_geometry(gaz_copy, "geo:dibs-sinjar")
    assert sinjar.equals(context_geometry(gaz_copy, "geo:dibs-sinjar", imported=False))
    assert not context_geometry(gaz_copy, "geo:dibs-khanaqin", imported=False).equals(
        box(*KHANAQIN))


def test_unmatched_features_are_reported_and_listed(gaz_copy: Gazetteer) -> None:
    report = boundaries.import_boundaries(ADM2, gaz_copy)
    assert report.entry.unmatched == ("Qadha Al-Wahmi (IQG01Q99)",)
    imports, _ = overlay.read(gaz_copy.folder)
    assert [i.unmatched for i in imports] == [("Qadha Al-Wahmi (IQG01Q99)",)]
    assert imports[0].sha256 == boundaries.read_boundary_file(ADM2).sha256
    assert (imports[0].features, imports[0].units) == (4, 2)


def test_reimport_replaces_the_earlier_import(gaz_copy: Gazetteer) -> None:
    first = boundaries.import_boundaries(ADM2, gaz_copy)
    lines = (overlay.folder_of(gaz_copy.folder) / overlay.BOUNDARIES).read_bytes()
    second = boundaries.import_boundaries(ADM2, gaz_copy)
    assert not first.replaced and second.replaced
    assert (overlay.folder_of(gaz_copy.folder) / overlay.BOUNDARIES).read_bytes() == lines
    imports, records = overlay.read(gaz_copy.folder)
    assert [i.file for i in imports] == [ADM2.name] and len(records) == 5


def test_remove_restores_the_bundled_gazetteer(gaz_copy: Gazetteer) -> None:
    hawiga = unit_id(gaz_copy, "Al-Hawiga")
    bundled = gaz_copy.shape(hawiga)
    context = gaz_copy.context()
    boundaries.import_boundaries(ADM2, gaz_copy)
    assert gaz_copy.shape(hawiga) != bundled and gaz_copy.context() != context
    assert boundaries.remove_boundaries(gaz_copy.folder) == [ADM2.name]
    assert gaz_copy.shape(hawiga) == bundled and gaz_copy.context() == context
    assert overlay_files(gaz_copy) == [] and overlay.read(gaz_copy.folder) == ([], [])
    assert boundaries.remove_boundaries(gaz_copy.folder) == []


@pytest.mark.parametrize("file", [None, ADM2.name])
def test_removal_keeps_the_lock_file(gaz_copy: Gazetteer, file: str | None) -> None:
    boundaries.import_boundaries(ADM2, gaz_copy)
    lock = lock_dir(gaz_copy) / LOCK_NAME
    inode = lock.stat().st_ino
    assert boundaries.remove_boundaries(gaz_copy.folder, file=file) == [ADM2.name]
    assert lock.stat().st_ino == inode and overlay_files(gaz_copy) == []


def test_a_lock_held_through_a_removal_stays_held(gaz_copy: Gazetteer) -> None:
    boundaries.import_boundaries(ADM2, gaz_copy)
    with overlay.lock(gaz_copy.folder):
        overlay.remove(gaz_copy.folder)
        with pytest.raises(BuildLockedError), build_lock(lock_dir(gaz_copy), wait=0):
            pass
    assert overlay.read(gaz_copy.folder) == ([], []) and overlay_files(gaz_copy) == []


def test_removing_one_import_keeps_the_other(gaz_copy: Gazetteer) -> None:
    boundaries.import_boundaries(ADM2, gaz_copy)
    boundaries.import_boundaries(ADM1, gaz_copy)
    assert boundaries.remove_boundaries(gaz_copy.folder, file=ADM2.name) == [ADM2.name]
    imports, records = overlay.read(gaz_copy.folder)
    assert [i.file for i in imports] == [ADM1.name]
    assert {r.source for r in records} == {ADM1.name}
    hawiga = unit_id(gaz_copy, "Al-Hawiga")
    assert gaz_copy.shape(hawiga) == gaz_copy.shape(hawiga, imported=False)
    with pytest.raises(BoundaryError, match="no import of 'other.geojson'.*codab_adm1"):
        boundaries.remove_boundaries(gaz_copy.folder, file="other.geojson")


def test_adm1_file_with_the_three_governorates_redraws_the_kurdistan_region(
        gaz_copy: Gazetteer) -> None:
    report = boundaries.import_boundaries(ADM1, gaz_copy)
    kr = shapely.union_all([box(45.0, 35.0, 46.0, 36.0), box(42.6, 36.7, 43.5, 37.3),
                            box(43.5, 35.8, 44.8, 36.9)])
    assert report.entry.context == ("geo:kurdistan-region",)
    assert context_geometry(gaz_copy, "geo:kurdistan-region").equals(kr)
    assert close(gaz_copy.shape("geo:kurdistan-region"), kr)
    hows = {m.feature.name: (m.place_id, m.how) for m in report.matches}
    assert hows["Al-Sulaymaniyah"] == ("iso:IQ-SU", "name")
    assert hows["Ninewa"] == ("iso:IQ-NI", "alias")


def test_a_feature_named_otherwise_is_matched_by_overlap(gaz_copy: Gazetteer,
                                                         tmp_path: Path) -> None:
    dibis = unit_id(gaz_copy, "Dibis")
    geometry = gaz_copy.shape(dibis, imported=False)
    path = tmp_path / "renamed.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": geometry,
        "properties": {"ADM2_EN": "Qadha Dubz", "ADM2_PCODE": "IQG13Q03"}}]}))
    report = boundaries.import_boundaries(path, gaz_copy)
    assert [(m.place_id, m.how) for m in report.matches] == [(dibis, "geometry")]
    assert report.entry.context == ("geo:dibs-dibis",)


def test_a_projected_geopackage_is_reprojected(gaz_copy: Gazetteer, tmp_path: Path) -> None:
    import geopandas

    path = tmp_path / "utm.gpkg"
    geopandas.read_file(ADM2).to_crs("EPSG:32638").to_file(path)  # UTM zone 38N, metres
    report = boundaries.import_boundaries(path, gaz_copy)
    assert len(report.matches) == 2 and report.layout.country == "IQ"
    assert close(gaz_copy.shape(unit_id(gaz_copy, "Tilkaef")), box(*TILKAEF), tol=5e-3)


def one_feature(code: str, geometry: dict[str, Any]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"ADM2_EN": "A", "ADM2_PCODE": code},
        "geometry": geometry}]})


@pytest.mark.parametrize(("text", "options", "shown", "fix"), [
    (None, {}, "missing.geojson", "give the path"),
    ("{not json", {}, "bad.geojson", "give a GeoJSON"),
    (one_feature("IQG01Q01", {"type": "Point", "coordinates": [44, 33]}), {},
     "holds no polygons", "unit boundaries"),
    (one_feature("01", {"type": "Polygon", "coordinates": [[[44, 33], [45, 33], [45, 34],
                                                           [44, 33]]]}), {}, "'01'", "--country"),
    (ADM2.read_text(encoding="utf-8"), {"country": "ZZ"}, "'ZZ'", "--country"),
    (ADM2.read_text(encoding="utf-8"), {"level": "adm5"}, "'adm5'", "--level"),
])
def test_bad_files_raise_boundary_errors(gaz_copy: Gazetteer, tmp_path: Path, text: str | None,
                                         options: dict[str, str], shown: str, fix: str) -> None:
    path = tmp_path / ("missing.geojson" if text is None else "bad.geojson")
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(BoundaryError) as err:
        boundaries.import_boundaries(path, gaz_copy, **options)
    assert shown in str(err.value) and fix in str(err.value)
    assert not overlay.folder_of(gaz_copy.folder).exists() or not overlay.read(gaz_copy.folder)[0]


def test_corrupt_overlay_is_a_clear_error_and_can_be_removed(gaz_copy: Gazetteer) -> None:
    from geo.errors import GazetteerError

    boundaries.import_boundaries(ADM2, gaz_copy)
    (overlay.folder_of(gaz_copy.folder) / overlay.MANIFEST).write_text("{")
    with pytest.raises(GazetteerError, match="remove-boundaries"):
        gaz_copy.context()
    assert boundaries.remove_boundaries(gaz_copy.folder)
    assert gaz_copy.context() == gaz_copy.context(imported=False)


# --- the command ----------------------------------------------------------------------------


def geo(*args: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args, "--gazetteer", str(folder)],
                          text=True, capture_output=True, cwd=ROOT, check=False)


def test_cli_imports_reports_and_removes(gaz_copy: Gazetteer) -> None:
    done = geo("gazetteer", "import-boundaries", str(ADM2), folder=gaz_copy.folder)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"imported {ADM2.name} (adm2, IQ" in out and "4 features" in out
    assert "2 units redrawn (2 by name, 0 by alias, 0 by geometry)" in out
    assert "geo:dibs-khanaqin" in out and "Qadha Al-Wahmi (IQG01Q99)" in out
    assert "overrides/boundaries.jsonl" in out
    done = geo("gazetteer", "remove-boundaries", folder=gaz_copy.folder)
    assert done.returncode == 0 and f"removed the import of {ADM2.name}" in done.stdout
    done = geo("gazetteer", "remove-boundaries", folder=gaz_copy.folder)
    assert "nothing to remove" in done.stdout


def test_cli_bad_file_is_a_clean_error(gaz_copy: Gazetteer, tmp_path: Path) -> None:
    done = geo("gazetteer", "import-boundaries", str(tmp_path / "nope.geojson"),
               folder=gaz_copy.folder)
    assert done.returncode == 1 and done.stderr.startswith("geo: error: boundary file")
    assert "Traceback" not in done.stderr


# --- comparing ------------------------------------------------------------------------------


def test_compare_scores_context_features_and_checks_towns(gaz_copy: Gazetteer,
                                                          tmp_path: Path) -> None:
    towns = tmp_path / "towns.csv"
    # Points chosen for this test: one inside the Al-Hawiga rectangle, one in none.
    towns.write_text("name,lat,lon\nHawija,35.33,43.77\nRutba,33.04,40.28\n")
    refs = comparison.find_references([ADM2])
    before = comparison.compare(gaz_copy, refs, comparison.read_towns(towns))
    boundaries.import_boundaries(ADM2, gaz_copy)
    after = comparison.compare(gaz_copy, refs, comparison.read_towns(towns))
    by_id = {u.id: u for u in after.units}
    assert by_id["geo:dibs-khanaqin"].iou == pytest.approx(1.0)
    assert by_id["geo:dibs-sinjar"].iou is None and after.kurdistan is None
    assert before.disputed is not None and before.disputed < 0.5
    assert after.disputed == pytest.approx(1.0) and after.disputed_units == 3
    hawija, rutba = after.towns
    assert (hawija.district, hawija.unit, hawija.inside) == ("IQG13Q01", "geo:dibs-hawija", True)
    assert rutba.inside is None and [t.town.name for t in after.towns_outside] == ["Rutba"]
    out = json.loads(json.dumps(after.as_dict()))
    assert out["projection"] == "EPSG:6933" and out["towns_outside"] == ["Rutba"]
    assert any(line.startswith("geo:dibs-khanaqin") and line.endswith("1.000")
               for line in after.lines())


def test_compare_needs_a_district_file_for_towns(gaz_copy: Gazetteer) -> None:
    with pytest.raises(BoundaryError, match="adm2"):
        comparison.compare(gaz_copy, comparison.find_references([ADM1]),
                           (comparison.Town("Erbil", 36.19, 44.01),))


needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(),
                                     reason=f"the COD-AB reference {REFERENCE} is not here")


@needs_reference
def test_bundled_gazetteer_meets_the_issue_thresholds(gaz: Gazetteer) -> None:
    result = comparison.compare(gaz, comparison.find_references([REFERENCE]),
                                comparison.read_towns(REFERENCE / "places_coordinates.csv"))
    assert result.disputed is not None and result.disputed >= 0.93
    assert result.kurdistan is not None and result.kurdistan >= 0.95
    assert len(result.towns) == 24 and not result.towns_outside, result.towns_outside


@needs_reference
def test_imported_codab_reproduces_the_reference(gaz_copy: Gazetteer) -> None:
    refs = comparison.find_references([REFERENCE])
    reports = [boundaries.import_boundaries(refs[lv].path, gaz_copy) for lv in sorted(refs)]
    assert len(reports[0].matches) == 18  # every governorate, whatever its spelling
    result = comparison.compare(gaz_copy, refs,
                                comparison.read_towns(REFERENCE / "places_coordinates.csv"))
    assert result.disputed is not None and result.disputed >= 0.99
    assert result.kurdistan is not None and result.kurdistan >= 0.99
    assert all(u.iou is not None and u.iou >= 0.99 for u in result.units), result.units
    assert not result.towns_outside
