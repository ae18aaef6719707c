"""geo eval's scores: the definitions of score.py on a hand-made corpus, and its extra figure."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from geo import evaluate
from geo.errors import InputError

from .conftest import SHARED

SCORE_PY = SHARED / "eval" / "score.py"
# Two documents: one exact hit placed right, one overlap placed 1,000+ km off inside a square
# polygon, one gold name missed, one prediction that matches nothing.
GOLD = {
    "a": [{"start": 0, "end": 6, "name": "Kirkuk", "lat": 35.47, "lon": 44.39},
          {"start": 11, "end": 16, "name": "Erbil", "lat": 36.19, "lon": 44.01}],
    "b": [{"start": 0, "end": 6, "name": "Canada", "lat": 60.0, "lon": -95.0}],
}
PRED = {
    "a": [{"start": 0, "end": 6, "name": "Kirkuk", "lat": 35.46, "lon": 44.39, "id": "k"},
          {"start": 20, "end": 25, "name": "Mosul", "lat": 36.34, "lon": 43.12, "id": "m"}],
    "b": [{"start": 0, "end": 7, "name": "Canada.", "lat": 60.1, "lon": -113.6, "id": "ca"}],
}


def _inside(place_id: str, lat: float, lon: float) -> bool:
    return place_id == "ca" and 40 < lat < 80 and -140 < lon < -50


def test_scores_follow_the_definitions() -> None:
    result = evaluate.score(GOLD, PRED)
    assert result["exact"] == {"precision": 0.3333, "recall": 0.3333, "f1": 0.3333}
    assert result["overlap"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667}
    assert result["resolution"]["pairs"] == 2
    assert result["resolution"]["acc@161"] == 0.5
    assert "acc@161+polygon" not in result["resolution"]


def test_polygon_figure_counts_a_gold_point_inside_the_resolved_polygon() -> None:
    result = evaluate.score(GOLD, PRED, inside=_inside)
    assert result["resolution"]["acc@161"] == 0.5  # the score.py figure is unchanged
    assert result["resolution"]["acc@161+polygon"] == 1.0


def test_polygon_test_reads_geojson_polygons_in_lon_lat_order() -> None:
    square = {"type": "Polygon",
              "coordinates": [[[-120, 50], [-80, 50], [-80, 70], [-120, 70], [-120, 50]]]}
    inside = evaluate.polygon_test(lambda pid: square if pid == "ca" else None)
    assert inside("ca", 60.0, -95.0)
    assert not inside("ca", -95.0, 60.0)  # lat and lon swapped lies outside
    assert not inside("none", 60.0, -95.0)


def _score_py() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shared_eval_score", SCORE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not SCORE_PY.exists(), reason="shared/eval/score.py is not in this checkout")
def test_scores_equal_score_py() -> None:
    # Beyond GOLD and PRED: a gold name without coordinates found and placed anyway, a name
    # found but not placed, and a document with no prediction line at all.
    gold = GOLD | {
        "c": [{"start": 0, "end": 5, "name": "Sinai", "lat": None, "lon": None},
              {"start": 10, "end": 15, "name": "Basra", "lat": 30.51, "lon": 47.81}],
        "d": [{"start": 0, "end": 5, "name": "Zakho", "lat": 37.14, "lon": 42.68}],
    }
    pred = PRED | {
        "c": [{"start": 0, "end": 5, "name": "Sinai", "lat": 29.5, "lon": 33.8, "id": "s"},
              {"start": 10, "end": 15, "name": "Basra", "lat": None, "lon": None}],
    }
    theirs = _score_py().score(gold, pred)
    ours = evaluate.score(gold, pred)
    assert ours == theirs
    for part in ("exact", "overlap"):
        assert ours[part]["f1"] == pytest.approx(theirs[part]["f1"], abs=1e-4)
    assert ours["resolution"]["acc@161"] == pytest.approx(theirs["resolution"]["acc@161"],
                                                           abs=1e-4)
    assert ours["docs_missing_in_pred"] == 1 and None not in ours["resolution"].values()


def test_a_folder_or_a_bad_line_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the corpus"):
        evaluate.read_corpus(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    with pytest.raises(InputError, match="bad.jsonl:1"):
        evaluate.read_corpus(bad)
