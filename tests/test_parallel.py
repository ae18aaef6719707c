"""Corpora past one process: geo extract's inputs and outputs, --jobs, Dask, and maps built from
a mentions Parquet; every path gives what one process gives, mention for mention."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from geo import cli, corpus, languages, parallel, pipeline, render
from geo.gazetteer.store import Gazetteer
from geo.settings import Settings

from .conftest import FIXTURES, ROOT

CORPUS = FIXTURES / "corpus.jsonl"
DOCUMENTED = ["article", "lang", "start", "end", "name", "role", "place_id", "place", "kind", "country",
              "lat", "lon", "score", "sentence"]


@pytest.fixture
def small_partitions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Partitions of two articles, so that a small corpus spreads over several workers."""
    monkeypatch.setattr(corpus, "PARTITION_ROWS", 2)


def _expected(gaz: Gazetteer) -> str:
    """The JSON Lines geo extract writes, from pipeline.extract article by article."""
    lines = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        lang = languages.detect(row["text"])
        ms = [m.as_dict() for m in pipeline.extract(row["text"], gaz, lang)]
        lines.append(json.dumps({"id": row["id"], "lang": lang, "mentions": ms},
                                ensure_ascii=False) + "\n")
    return "".join(lines)


def _extract(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["extract", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("small_partitions")
@pytest.mark.parametrize("jobs", ["1", "2", "3"])
def test_jobs_write_what_one_process_writes(gaz: Gazetteer, capsys: pytest.CaptureFixture[str],
                                            jobs: str) -> None:
    code, out, err = _extract(capsys, str(CORPUS), "--jobs", jobs)
    assert code == 0, err
    assert out == _expected(gaz)
    assert "12 articles read, 0 skipped" in err and f"{jobs} process" in err


def _rows(path: Path) -> list[dict[str, object]]:
    return [row for _, row in corpus.read_mentions(path)]


@pytest.mark.usefixtures("small_partitions")
def test_parquet_output_is_the_same_whatever_the_jobs(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    one, two = tmp_path / "one.parquet", tmp_path / "two.parquet"
    assert _extract(capsys, str(CORPUS), "-o", str(one), "--jobs", "1")[0] == 0
    assert _extract(capsys, str(CORPUS), "-o", str(two), "--jobs", "2")[0] == 0
    assert one.read_bytes() == two.read_bytes()
    table = pq.read_table(one)
    assert table.column_names == DOCUMENTED
    assert table.num_rows == len(_rows(one)) > 20


def test_parquet_rows_hold_the_mentions(gaz: Gazetteer, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.parquet"
    assert _extract(capsys, str(CORPUS), "-o", str(out))[0] == 0
    rows = _rows(out)
    text = json.loads(CORPUS.read_text(encoding="utf-8").splitlines()[0])["text"]
    first = [r for r in rows if r["article"] == "a00"]
    want = pipeline.extract(text, gaz)
    assert [(r["start"], r["end"], r["name"], r["place_id"], r["score"]) for r in first] == [
        (m.start, m.end, m.text, m.place and m.place.id, m.score) for m in want]
    erbil = next(r for r in first if r["name"] == "Erbil")
    assert (erbil["kind"], erbil["country"], erbil["role"]) == ("city", "IQ", "name")
    assert text[erbil["start"]:erbil["end"]] == "Erbil" and erbil["sentence"] in text


def test_geoparquet_has_a_point_per_resolved_mention(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import geopandas

    out = tmp_path / "m.geoparquet"
    assert _extract(capsys, str(CORPUS), "-o", str(out))[0] == 0
    frame = geopandas.read_parquet(out)
    assert list(frame.columns) == [*DOCUMENTED, "geometry"]
    assert frame.crs.to_epsg() == 4326
    placed = frame[frame["place_id"].notna()]
    assert len(placed) > 20 and (placed.geometry.geom_type == "Point").all()
    # points are (lon, lat)
    assert (placed.geometry.x == placed["lon"]).all() and (placed.geometry.y == placed["lat"]).all()
    assert frame[frame["place_id"].isna()].geometry.isna().all()


def test_bad_rows_are_reported_and_the_others_extracted(
        gaz: Gazetteer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = CORPUS.read_text(encoding="utf-8").splitlines()
    bad = ['{"id": "x1", "text": 42}', "not json at all", '{"id": "x2"}', '["id", "text"]',
           "[" * 100_000, '{"id": ["x3"], "text": "Erbil"}']
    source = tmp_path / "mixed.jsonl"
    source.write_text("\n".join([good[0], *bad, *good[1:]]) + "\n", encoding="utf-8")
    code, out, err = _extract(capsys, str(source), "--jobs", "2")
    assert code == 1
    assert out == _expected(gaz)
    assert f"{source} line 2: 'text' must be a string, got int (id 'x1')" in err
    assert f"{source} line 3: 'not json at all' is not a JSON object" in err
    assert f"{source} line 4: no 'text'; give each row its article's text (id 'x2')" in err
    assert f"{source} line 5: not a JSON object with 'id' and 'text'" in err
    assert f"{source} line 6: '[[[" in err and "(nested too deeply)" in err
    assert f"{source} line 7: 'id' must be a string or a number, got ['x3']" in err
    assert "12 articles read, 6 skipped" in err and "Traceback" not in err


def test_lone_surrogates_become_replacement_characters(capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"id": "c", "text": "Lone \\ud800 in Kirkuk."}\n'))
    code, out, _ = _extract(capsys)
    [kirkuk] = json.loads(out)["mentions"]
    assert code == 0 and kirkuk["start"] == len("Lone \ufffd in ")


def test_parquet_and_folder_inputs(gaz: Gazetteer, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    rows = [json.loads(x) for x in CORPUS.read_text(encoding="utf-8").splitlines()]
    pd.DataFrame(rows).to_parquet(tmp_path / "in.parquet", index=False)
    code, out, err = _extract(capsys, str(tmp_path / "in.parquet"))
    assert code == 0, err
    assert out == _expected(gaz)
    folder = tmp_path / "articles"
    folder.mkdir()
    for row in rows[:3]:
        (folder / f"{row['id']}.txt").write_text(f"{row['text']}\n", encoding="utf-8")
    code, out, err = _extract(capsys, str(folder))
    found = [json.loads(x) for x in out.splitlines()]
    assert [f["id"] for f in found] == ["a00", "a01", "a02"]
    assert [m["name"] for m in found[1]["mentions"]] == ["Mosul", "Tal Afar", "Nineveh"]


def test_a_parquet_without_text_says_which_columns_it_has(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pd.DataFrame({"id": ["a"], "body": ["Erbil"]}).to_parquet(tmp_path / "x.parquet")
    code, _, err = _extract(capsys, str(tmp_path / "x.parquet"))
    assert code != 0 and "'body'" in err and "id and text" in err


def test_extract_partition_is_the_library_face(gaz: Gazetteer) -> None:
    part = pd.DataFrame({"id": ["k", "e"], "text": ["Kirkuk and Erbil.", 3]}, index=[10, 11])
    with pytest.warns(UserWarning, match="article 'e': 'text' must be a string"):
        found = parallel.extract_partition(part, gazetteer=gaz)
    assert list(found.columns) == DOCUMENTED
    assert found.index.tolist() == [10, 10]  # each mention keeps its article's row
    assert found["name"].tolist() == ["Kirkuk", "Erbil"]
    assert found.equals(parallel.extract_partition(part.iloc[:1], gazetteer=str(gaz.folder)))


def _parquet_of(parts: list[corpus.Batch], gaz: Gazetteer, path: Path) -> list[dict[str, object]]:
    corpus.write_parquet(path, (parallel.extract_rows(p, gaz).mentions for p in parts))
    return _rows(path)


def test_a_threaded_local_cluster_writes_what_one_process_writes(gaz: Gazetteer,
                                                                 tmp_path: Path) -> None:
    from geo import _dask

    rows = corpus.read(str(CORPUS), max_bytes=10**6)
    parts = list(corpus.partitions(rows, on_bad=print, size=5))
    with _dask.connect(_dask.LOCAL, workers=2, gazetteer_dir=gaz.folder,
                       processes=False) as client:
        written = _dask.write_parquet(client, parts, tmp_path / "out", gazetteer_dir=gaz.folder)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    single = _parquet_of(parts, gaz, tmp_path / "one.parquet")
    assert _rows(tmp_path / "out") == single and sum(w.mentions for w in written) == len(single)
    assert sum(w.articles for w in written) == 12


def test_workers_read_a_parquet_input_and_report_its_bad_rows(gaz: Gazetteer,
                                                               tmp_path: Path) -> None:
    from geo import _dask

    rows = [json.loads(x) for x in CORPUS.read_text(encoding="utf-8").splitlines()]
    texts: list[object] = [r["text"] for r in rows]
    texts[6] = None  # row 7 has no text
    source = tmp_path / "corpus.parquet"
    pq.write_table(pa.table({"id": [r["id"] for r in rows], "text": texts}), source,
                   row_group_size=5)  # three row groups: three partitions, read by the workers
    with _dask.connect(_dask.LOCAL, workers=2, gazetteer_dir=gaz.folder,
                       processes=False) as client:
        written = _dask.write_parquet(client, _dask.read_parquet(source), tmp_path / "out",
                                      gazetteer_dir=gaz.folder, where="corpus.parquet")
    assert [w.articles for w in written] == [5, 4, 2]
    assert [(b.where, b.ident) for w in written for b in w.bad] == [
        ("corpus.parquet row 7", rows[6]["id"])]
    kept = [corpus.Row(r["id"], r["text"], {}) for i, r in enumerate(rows) if i != 6]
    parts = list(corpus.partitions(kept, on_bad=print))
    assert _rows(tmp_path / "out") == _parquet_of(parts, gaz, tmp_path / "one.parquet")


def test_geo_extract_on_a_two_process_local_cluster(gaz: Gazetteer, tmp_path: Path) -> None:
    out = tmp_path / "parts"
    done = subprocess.run([sys.executable, "-m", "geo", "extract", str(CORPUS), "--dask", "local",
                           "--jobs", "2", "-o", str(out), "--format", "parquet"],
                          capture_output=True, text=True, cwd=ROOT, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "12 articles read" in done.stderr and "2 processes" in done.stderr
    rows = corpus.read(str(CORPUS), max_bytes=10**6)
    parts = list(corpus.partitions(rows, on_bad=print))
    assert _rows(out) == _parquet_of(parts, gaz, tmp_path / "one.parquet")


def test_dask_needs_an_output_folder(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _extract(capsys, str(CORPUS), "--dask", "local")
    assert code != 0 and "-o DIR" in err


def _outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in pipeline.OUTPUT_NAMES}


def _seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / "kurdistan24-joint-coordination-center-kirkuk.txt", seeds)
    for line in CORPUS.read_text(encoding="utf-8").splitlines()[:5]:
        row = json.loads(line)
        (seeds / f"{row['id']}.md").write_text(
            f"---\ntitle: {row['title']}\nsource: {row['source']}\ndate: {row['date']}\n---\n"
            f"{row['text']}\n", encoding="utf-8")
    return seeds


@pytest.mark.usefixtures("small_partitions")
def test_build_with_two_jobs_writes_the_same_map(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path)
    one = pipeline.build(Settings(seeds_dir=seeds, out_dir=tmp_path / "one"), jobs=1)
    two = pipeline.build(Settings(seeds_dir=seeds, out_dir=tmp_path / "two"), jobs=2)
    assert (one.extracted, two.extracted, two.mentions) == (6, 6, one.mentions)
    assert _outputs(tmp_path / "one") == _outputs(tmp_path / "two")


def _cache_files(out: Path) -> dict[str, bytes]:
    """Every file of a build's cache, by its path in the cache (the build lock and the seeds'
    stamps, kept once the files are a few seconds old, left out)."""
    cache = out / ".geo-cache"
    return {str(p.relative_to(cache)): p.read_bytes() for p in sorted(cache.rglob("*"))
            if p.is_file() and "lock" not in p.name and not p.name.startswith("seeds.")}


@pytest.mark.usefixtures("small_partitions")
def test_workers_keep_what_one_process_keeps(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path)
    pipeline.build(Settings(seeds_dir=seeds, out_dir=tmp_path / "one"), jobs=1)
    pipeline.build(Settings(seeds_dir=seeds, out_dir=tmp_path / "two"), jobs=2)
    one, two = _cache_files(tmp_path / "one"), _cache_files(tmp_path / "two")
    # the workers' extractions, the map's rows, the skeleton the forked process made, the
    # regions simplified in a pool: byte for byte
    assert sum(name.startswith("extract/") for name in one) == 6
    assert len([n for n in one if n.startswith("text/regions.")]) == 1
    assert one == two


def _made_in(log: Path, made: Callable[..., Any]) -> Callable[..., Any]:
    def logged(*args: Any) -> Any:
        with log.open("a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
        return made(*args)

    return logged


@pytest.mark.usefixtures("small_partitions")
def test_two_jobs_simplify_the_regions_in_other_processes(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "pids"
    monkeypatch.setattr(render, "regions_of", _made_in(log, render.regions_of))
    pipeline.build(Settings(seeds_dir=_seeds(tmp_path), out_dir=tmp_path / "two"), jobs=2)
    pids = log.read_text(encoding="utf-8").split()
    assert len(pids) > 1 and str(os.getpid()) not in pids


@pytest.mark.usefixtures("small_partitions")
def test_a_skeleton_process_that_fails_leaves_the_map_whole(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = _seeds(tmp_path)
    pipeline.build(Settings(seeds_dir=seeds, out_dir=tmp_path / "one"), jobs=1)
    monkeypatch.setattr(pipeline, "_keep_skeleton", lambda settings: os._exit(1))
    pipeline.build(Settings(seeds_dir=seeds, out_dir=tmp_path / "two"), jobs=2)
    assert _outputs(tmp_path / "one") == _outputs(tmp_path / "two")


@pytest.mark.usefixtures("small_partitions")
def test_adding_to_a_map_built_by_two_jobs(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path)
    pipeline.build(Settings(seeds_dir=seeds, out_dir=tmp_path / "two"), jobs=2)
    (seeds / "mosul.txt").write_text("Floods in Mosul\n\nThe Tigris flooded Mosul.",
                                     encoding="utf-8")
    report = pipeline.build(Settings(seeds_dir=seeds, out_dir=tmp_path / "two"))
    pipeline.build(Settings(seeds_dir=seeds, out_dir=tmp_path / "fresh"), jobs=1)
    assert (report.extracted, report.cached) == (1, 6)
    assert _outputs(tmp_path / "two") == _outputs(tmp_path / "fresh")


def test_a_map_from_mentions_parquet_equals_the_build(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    seeds = _seeds(tmp_path)
    pipeline.build(Settings(seeds_dir=seeds, out_dir=tmp_path / "built"))
    mentions = tmp_path / "m.parquet"
    assert _extract(capsys, str(seeds), "-o", str(mentions))[0] == 0
    code = cli.main(["build", "--mentions", str(mentions), "--articles", str(seeds),
                     "--out", str(tmp_path / "mapped")])
    assert code == 0, capsys.readouterr().err
    assert _outputs(tmp_path / "built") == _outputs(tmp_path / "mapped")


def test_a_map_from_mentions_without_metadata_titles_articles_by_id(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mentions = tmp_path / "m.parquet"
    assert _extract(capsys, str(CORPUS), "-o", str(mentions))[0] == 0
    report = pipeline.build(Settings(out_dir=tmp_path / "maps"), mentions=mentions)
    assert report.articles == 10  # the two articles without mentions (a07, a11) are not known
    page = (tmp_path / "maps" / "index.html").read_text(encoding="utf-8")
    assert "a00" in page and "Report 0" not in page


def test_map_partitions_over_a_dask_dataframe(gaz: Gazetteer) -> None:
    import dask.dataframe as dd

    rows = [json.loads(x) for x in CORPUS.read_text(encoding="utf-8").splitlines()]
    frame = pd.DataFrame({"id": [r["id"] for r in rows], "text": [r["text"] for r in rows]})
    found = dd.from_pandas(frame, npartitions=3).map_partitions(
        parallel.extract_partition, gazetteer=gaz, meta=corpus.empty_mentions())
    got = found.compute(scheduler="sync")
    assert got.equals(parallel.extract_partition(frame, gazetteer=gaz))
    assert list(got.dtypes.astype(str)) == [t for t, _ in corpus.MENTION_COLUMNS.values()]
