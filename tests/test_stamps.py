"""Builds that take an unchanged file's stamp for its content: what they skip, what they still
see, and that their outputs are those of a build from scratch."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from geo import articles, pipeline
from geo.geojson import ShapeOf
from geo.records import MappedPlace
from geo.settings import Settings

ARTICLES = {  # written here; place names of the bundled seed's region
    "a.txt": "Clashes near Kirkuk\n\nFighting was reported near Kirkuk and Tuz Khurmatu.",
    "b.md": "---\ntitle: Aid for Sinjar\nsource: Wire\ndate: 2020-06-14\n---\n"
            "Trucks reached Sinjar from Duhok on Monday. Sinjar waits.",
    "c.txt": "Talks in Erbil\n\nDelegates from Baghdad met officials in Erbil.",
}
EXPORTS = ("places.geojson", "places.csv", "mentions.csv")


@pytest.fixture
def seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # files written a moment ago count as settled, as files older than two seconds do
    monkeypatch.setattr(articles, "RACY_NS", -10**12)
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the article files read from now on."""
    names: list[str] = []
    real = articles._read_article

    def counted(path: Path, *, max_bytes: int) -> tuple[object, ...]:
        names.append(path.name)
        return real(path, max_bytes=max_bytes)

    monkeypatch.setattr(articles, "_read_article", counted)
    return names


def _outputs(settings: Settings) -> dict[str, bytes]:
    """The map's files and every export, as bytes."""
    out = {name: (settings.out_dir / name).read_bytes() for name in pipeline.OUTPUT_NAMES}
    exports = settings.out_dir.parent / f"{settings.out_dir.name}-exports"
    for name in EXPORTS:
        pipeline.export(settings, exports / name, mentions=name.startswith("mentions"))
        out[f"export {name}"] = (exports / name).read_bytes()
    return out


def _fresh(settings: Settings, tmp_path: Path, name: str) -> dict[str, bytes]:
    """The outputs of a build from scratch of a copy of the same seeds."""
    copy = tmp_path / f"{name}-seeds"
    shutil.copytree(settings.seeds_dir, copy)
    fresh = Settings(seeds_dir=copy, out_dir=tmp_path / name)
    pipeline.build(fresh)
    return _outputs(fresh)


def test_an_unchanged_article_is_not_read_again(seeds: Path, tmp_path: Path,
                                                 reads: list[str]) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    assert sorted(reads) == sorted(ARTICLES)
    reads.clear()
    (seeds / "d.txt").write_text("Floods in Mosul\n\nThe Tigris flooded Mosul.", "utf-8")
    report = pipeline.build(settings)
    assert reads == ["d.txt"]
    assert (report.extracted, report.cached, report.rendered) == (1, 3, True)
    reads.clear()
    assert not pipeline.build(settings).rendered and reads == []


def test_outputs_after_adding_and_removing_equal_a_build_from_scratch(
        seeds: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    (seeds / "d.txt").write_text("Floods in Mosul\n\nThe Tigris flooded Mosul and Kirkuk.",
                                 "utf-8")
    pipeline.build(settings)
    assert _outputs(settings) == _fresh(settings, tmp_path, "fresh-added")
    (seeds / "a.txt").unlink()
    pipeline.build(settings)
    assert _outputs(settings) == _fresh(settings, tmp_path, "fresh-removed")


def test_an_added_article_makes_only_the_lines_of_the_places_it_names(
        seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    # between b.md and c.txt by name; Sinjar and Erbil are on the map already, Mosul is new
    (seeds / "b0.txt").write_text("Convoy to Sinjar\n\nA convoy left Erbil for Sinjar and "
                                  "Mosul.", "utf-8")
    made: list[str] = []
    real = pipeline._feature_lines

    def recorded(settings: Settings, mapped: list[MappedPlace], shape_of: ShapeOf) -> list[str]:
        made.extend(mp.place.name for mp in mapped)
        return real(settings, mapped, shape_of)

    monkeypatch.setattr(pipeline, "_feature_lines", recorded)
    pipeline.build(settings, jobs=1)  # in this process, where the lines made are recorded
    assert sorted(made) == ["Erbil", "Mosul", "Sinjār"]  # as the gazetteer spells them
    assert _outputs(settings) == _fresh(settings, tmp_path, "fresh")


def test_an_edit_that_keeps_the_size_and_modification_time_is_seen(
        seeds: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    path = seeds / "c.txt"
    before = path.stat()
    text = ARTICLES["c.txt"].replace("Baghdad", "Duhok!!")  # as many bytes
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the time set back
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size,
                                                              before.st_mtime_ns)
    report = pipeline.build(settings)
    assert (report.extracted, report.rendered) == (1, True)
    assert '"Duhok"' in (settings.out_dir / "places.geojson").read_text("utf-8")
    assert _outputs(settings) == _fresh(settings, tmp_path, "fresh")


def test_a_file_replaced_by_another_is_read_again(seeds: Path, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    other = tmp_path / "other.txt"
    other.write_text(ARTICLES["a.txt"].replace("Kirkuk", "Mosul!"), encoding="utf-8")
    old = (seeds / "a.txt").stat()
    os.utime(other, ns=(old.st_atime_ns, old.st_mtime_ns))
    os.replace(other, seeds / "a.txt")  # same size and time, another inode
    assert pipeline.build(settings).extracted == 1
    assert '"Mosul"' in (settings.out_dir / "places.geojson").read_text("utf-8")


def test_recheck_reads_every_article(seeds: Path, tmp_path: Path, reads: list[str]) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    reads.clear()
    pipeline.build(settings)
    assert reads == []
    pipeline.build(Settings(seeds_dir=seeds, out_dir=settings.out_dir, recheck=True))
    assert sorted(reads) == sorted(ARTICLES)


def test_a_file_written_just_before_a_build_is_read_again(tmp_path: Path,
                                                          reads: list[str]) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(ARTICLES["a.txt"], encoding="utf-8")
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)  # a.txt is under two seconds old: its stamp is not trusted yet
    reads.clear()
    pipeline.build(settings)
    assert reads == ["a.txt"]


def test_the_map_rows_of_an_article_not_read_are_rebuilt_from_its_text(
        seeds: Path, tmp_path: Path, reads: list[str]) -> None:
    settings = Settings(seeds_dir=seeds, out_dir=tmp_path / "maps")
    pipeline.build(settings)
    cache = settings.out_dir / ".geo-cache"
    shutil.rmtree(cache / "extract")
    for rows in (cache / "text").glob("map-rows.*"):
        rows.unlink()
    (settings.out_dir / "index.html").unlink()
    reads.clear()
    report = pipeline.build(settings)
    assert sorted(reads) == sorted(ARTICLES) and report.extracted == 3
    assert _outputs(settings) == _fresh(settings, tmp_path, "fresh")
