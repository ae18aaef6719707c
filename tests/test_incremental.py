"""Incremental builds: the extraction cache, skipping an unchanged render, identical bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import _cache, aggregate, parallel, pipeline, render
from geo.aggregate import Named
from geo.gazetteer.store import Gazetteer
from geo.records import Place
from geo.settings import Settings

ARTICLES = {
    "a.txt": "Clashes near Kirkuk\n\nFighting was reported near Kirkuk and Tuz Khurmatu.",
    "b.md": "---\ntitle: Aid for Sinjar\n---\nTrucks reached Sinjar from Duhok on Monday.",
    "c.txt": "Talks in Erbil\n\nDelegates from Baghdad met officials in Erbil.",
}


def _outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in pipeline.OUTPUT_NAMES}


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_rebuild_with_nothing_changed_reuses_everything(seeds: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    first = pipeline.build(settings)
    before = _outputs(settings.out_dir)
    again = pipeline.build(settings)
    assert (first.extracted, first.cached, first.rendered) == (3, 0, True)
    assert (again.extracted, again.cached, again.rendered) == (0, 3, False)
    assert _outputs(settings.out_dir) == before
    assert (again.articles, again.places, again.mentions) == (
        first.articles, first.places, first.mentions)


def _no_folium(*args: object, **kwargs: object) -> render.Skeleton:
    raise AssertionError("the page skeleton was rendered again")


def test_adding_one_article_extracts_only_that_one(seeds: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    (seeds / "d.txt").write_text("Floods in Mosul\n\nThe Tigris flooded Mosul.", encoding="utf-8")
    with monkeypatch.context() as m:
        m.setattr(render, "skeleton", _no_folium)  # the first build's skeleton is reused
        report = pipeline.build(settings)
    assert (report.extracted, report.cached, report.rendered) == (1, 3, True)
    fresh = Settings(seeds_dir=seeds, out_dir=tmp_path / "fresh")
    pipeline.build(fresh)
    assert _outputs(settings.out_dir) == _outputs(fresh.out_dir)


def test_editing_an_article_re_extracts_it(seeds: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    (seeds / "c.txt").write_text("Talks in Erbil\n\nDelegates met in Sulaymaniyah.", "utf-8")
    report = pipeline.build(settings)
    assert (report.extracted, report.cached) == (1, 2)
    assert "Sulaymaniyah" in (settings.out_dir / "places.geojson").read_text("utf-8")


def test_a_damaged_cache_or_output_is_rebuilt(seeds: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    before = _outputs(settings.out_dir)
    entries = sorted((_cache.cache_dir(settings.out_dir) / "extract").glob("*.json"))
    assert len(entries) == 3
    entries[0].write_text("{not json", encoding="utf-8")
    [rows] = (_cache.cache_dir(settings.out_dir) / "text").glob("map-rows.*.jsonl")
    rows.write_text("f" * 64 + '\t{"places": [', encoding="utf-8")
    (settings.out_dir / "index.html").write_text("edited by hand", encoding="utf-8")
    report = pipeline.build(settings)
    assert (report.extracted, report.rendered) == (1, True)
    assert _outputs(settings.out_dir) == before


def test_removed_articles_leave_the_cache(seeds: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    (seeds / "a.txt").unlink()
    pipeline.build(settings)
    assert len(list((_cache.cache_dir(settings.out_dir) / "extract").glob("*.json"))) == 2


def test_cache_round_trip_keeps_every_field(gaz: object) -> None:
    from geo.gazetteer.store import Gazetteer

    assert isinstance(gaz, Gazetteer)
    mentions = tuple(pipeline.extract("Iraqi forces entered Kirkuk; Kurdistan 24 said so.", gaz))
    assert mentions and _cache.decode(_cache.encode(mentions)) == mentions


def test_extractions_are_cached_without_waiting_for_the_disk(
        gaz: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from geo import _io

    synced: list[int] = []
    monkeypatch.setattr(_io.os, "fsync", synced.append)
    mentions = tuple(pipeline.extract("Erbil and Duhok.", gaz))
    _cache.store(tmp_path, "k", mentions)
    assert _cache.load(tmp_path, "k") == mentions and synced == []
    (tmp_path / "extract" / "k.json").write_bytes(b"")  # what a crash may leave: a miss
    assert _cache.load(tmp_path, "k") is None
    _io.write_atomic(tmp_path / "index.html", "page")  # the outputs do wait for it
    assert len(synced) == 1


def test_a_damaged_page_skeleton_is_rendered_again(seeds: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    before = _outputs(settings.out_dir)
    [kept] = (_cache.cache_dir(settings.out_dir) / "text").glob("skeleton.*.txt")
    kept.write_text(kept.read_text("utf-8").replace(render.HOLES["data"], ""), "utf-8")
    (settings.out_dir / "index.html").unlink()
    assert pipeline.build(settings).rendered
    assert _outputs(settings.out_dir) == before
    assert render.HOLES["data"] in kept.read_text("utf-8")


def test_renaming_an_article_renders_again_from_the_cache(seeds: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    (seeds / "a.txt").rename(seeds / "z.txt")  # same text, another id
    report = pipeline.build(settings)
    assert (report.extracted, report.cached, report.rendered) == (0, 3, True)
    assert '"z"' in (settings.out_dir / "places.geojson").read_text("utf-8")


@pytest.fixture
def code_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of geo's files that the fingerprints read instead of the package."""
    copy = tmp_path / "code"
    shutil.copytree(_cache.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    fingerprints = (_cache.extraction_fingerprint, _cache.render_fingerprint)
    for f in fingerprints:
        f.cache_clear()
    monkeypatch.setattr(_cache, "PACKAGE_DIR", copy)
    yield copy
    monkeypatch.undo()
    for f in fingerprints:
        f.cache_clear()


def test_page_files_and_map_packages_keep_the_extractions(
        seeds: Path, tmp_path: Path, code_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    with (code_copy / "static" / "geo-map.css").open("a", encoding="utf-8") as f:
        f.write(".geo-new { color: red; }\n")
    monkeypatch.setattr(_cache, "_package_versions", lambda: ["folium==99.0"])
    _cache.render_fingerprint.cache_clear()
    report = pipeline.build(settings)
    assert (report.extracted, report.cached, report.rendered) == (0, 3, True)
    (code_copy / "resolve.py").write_text("# edited\n", encoding="utf-8")
    _cache.extraction_fingerprint.cache_clear()
    assert pipeline.build(settings).extracted == 3


def test_every_code_file_but_the_page_files_keys_the_extractions(code_copy: Path) -> None:
    before = _cache.extraction_fingerprint(Settings().gazetteer_dir)
    (code_copy / "records.py").write_text("# edited\n", encoding="utf-8")
    _cache.extraction_fingerprint.cache_clear()
    assert _cache.extraction_fingerprint(Settings().gazetteer_dir) != before


HEAVY = ("folium", "branca", "jinja2", "pandas", "numpy", "geopandas", "shapely", "pyogrio")
ADD_AND_LIST_MODULES = f"""
import sys
from geo import cli
code = cli.main(sys.argv[1:])
print(sorted({{m.split(".")[0] for m in sys.modules}} & {set(HEAVY)!r}))
sys.exit(code)
"""


def test_adding_an_article_imports_neither_folium_nor_pandas(seeds: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    new = tmp_path / "d.txt"
    new.write_text("Floods in Mosul\n\nThe Tigris flooded Mosul.", encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", ADD_AND_LIST_MODULES, "add", str(new), "--seeds",
                          str(seeds), "--out", str(settings.out_dir)],
                         capture_output=True, text=True, check=True)
    assert "1 extracted, 3 from cache" in run.stdout, run.stdout
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_a_rebuild_reads_the_map_rows_not_every_extraction(seeds: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    before = _outputs(settings.out_dir)
    extractions = _cache.cache_dir(settings.out_dir) / "extract"
    shutil.rmtree(extractions)  # what a build would read, were it to read them
    again = pipeline.build(settings)
    assert (again.extracted, again.rendered) == (0, False)  # nothing changed: nothing read
    (seeds / "d.txt").write_text("Floods in Mosul\n\nThe Tigris flooded Mosul.", encoding="utf-8")
    added = pipeline.build(settings)
    assert (added.extracted, added.cached, added.rendered) == (1, 3, True)
    (seeds / "d.txt").unlink()
    pipeline.build(settings)
    assert _outputs(settings.out_dir) == before


def _counting_decodes(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    decoded: list[object] = []
    real = _cache.decode_named

    def counting(row: _cache.MapRow, places: dict[str, Place]) -> tuple[Named, ...]:
        decoded.append(row)
        return real(row, places)

    monkeypatch.setattr(_cache, "decode_named", counting)
    return decoded


def test_adding_articles_adds_their_places_to_the_kept_ones(
        seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    decoded = _counting_decodes(monkeypatch)
    # "b0" sorts between a.txt and b.md: its places go between theirs in each place's articles
    (seeds / "b0.txt").write_text("Floods in Mosul\n\nThe Tigris flooded Mosul and Kirkuk.",
                                  encoding="utf-8")
    (seeds / "d.txt").write_text("Talks\n\nErbil and Kirkuk met in Baghdad.", encoding="utf-8")
    report = pipeline.build(settings)
    assert (report.extracted, report.cached) == (2, 3)
    assert len(decoded) == 2  # the new articles' rows only
    fresh = Settings(seeds_dir=seeds, out_dir=tmp_path / "fresh")
    pipeline.build(fresh)
    assert _outputs(settings.out_dir) == _outputs(fresh.out_dir)


def test_kept_places_that_do_not_fit_the_articles_are_made_again(
        seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    (seeds / "a.txt").unlink()  # an article gone: the kept places still count it
    (seeds / "d.txt").write_text("Floods in Mosul\n\nThe Tigris flooded Mosul.", encoding="utf-8")
    pipeline.build(settings)
    fresh = Settings(seeds_dir=seeds, out_dir=tmp_path / "fresh")
    pipeline.build(fresh)
    assert _outputs(settings.out_dir) == _outputs(fresh.out_dir)
    [kept] = (_cache.cache_dir(settings.out_dir) / "text").glob("map-places.*.txt")
    kept.write_text(kept.read_text("utf-8").replace('"places":[[', '"places":[["x"', 1),
                    encoding="utf-8")  # damaged: its seal no longer matches
    (seeds / "e.txt").write_text("Talks\n\nErbil and Kirkuk met in Baghdad.", encoding="utf-8")
    decoded = _counting_decodes(monkeypatch)
    pipeline.build(settings)
    assert len(decoded) == 4  # every row, as there were no kept places
    pipeline.build(fresh)
    assert _outputs(settings.out_dir) == _outputs(fresh.out_dir)


def test_places_with_added_articles_are_those_of_all_articles() -> None:
    def place(pid: str) -> Place:
        return Place(id=pid, name=pid.title(), kind="city", country="IQ", lat=36.0, lon=44.0)

    rows = {"a": [Named(place("kirkuk"), 2, ("Kirkuk",), 0)],
            "b": [Named(place("kirkuk"), 1, ("Kerkuk",), 1), Named(place("erbil"), 1, ("Erbil",), 0)],
            "c": [Named(place("kirkuk"), 1, ("Kirkuk",), 0), Named(place("mosul"), 3, ("Mosul",), 0)]}
    order = ["a", "b", "c"]
    kept = aggregate.places_of((a, rows[a]) for a in ("a", "c"))
    assert aggregate.with_added(kept, [("b", rows["b"])], order=order) == aggregate.places_of(
        (a, rows[a]) for a in order)


@pytest.mark.skipif(parallel.start_method() != "fork", reason="the platform does not fork")
def test_bytes_made_aside_come_from_another_process_or_else_from_this_one() -> None:
    here = os.getpid()

    def pid() -> bytes:
        return str(os.getpid()).encode()

    def fails_elsewhere() -> bytes:
        if os.getpid() != here:
            raise RuntimeError("only in the forked process")
        return b"made here"

    with pipeline._aside(pid, fork=True) as made:
        assert made() != str(here).encode()
    with pipeline._aside(fails_elsewhere, fork=True) as made:
        assert made() == b"made here"
    with pipeline._aside(pid, fork=False) as made:
        assert made() == str(here).encode()
