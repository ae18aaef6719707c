"""The Arabic and Kurdish development set: the committed JSON Lines are what the markup builds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .devset import build

DEVSET = Path(build.__file__).parent


def _docs(lang: str) -> list[dict[str, Any]]:
    lines = (DEVSET / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_committed_files_equal_a_fresh_build() -> None:
    for name, content in build.build_all().items():
        committed = (DEVSET / name).read_text(encoding="utf-8")
        assert committed == content, f"{name} is stale: run python3 tests/devset/build.py"


@pytest.mark.parametrize("lang", build.LANGUAGES)
def test_every_span_is_its_name_and_none_overlap(lang: str) -> None:
    for doc in _docs(lang):
        text, last_end = str(doc["text"]), 0
        for t in doc["toponyms"]:
            assert text[t["start"]:t["end"]] == t["name"], (doc["id"], t)
            assert t["start"] >= last_end, f"{doc['id']}: {t['name']!r} overlaps the span before"
            assert t["name"] == t["name"].strip() and t["name"]
            last_end = t["end"]


def test_places_have_sane_coordinates_and_iraqi_ones_lie_in_iraq() -> None:
    for place in build.read_places(DEVSET / "places.tsv").values():
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180, place
        if place.country == "IQ":
            assert 29 <= place.lat <= 38 and 38 <= place.lon <= 49, place


def test_every_place_row_is_used() -> None:
    used = {key for lang in build.LANGUAGES
            for key in build.MARK.findall((DEVSET / f"{lang}.txt").read_text(encoding="utf-8"))}
    unused = set(build.read_places(DEVSET / "places.tsv")) - {key for _, key in used}
    assert not unused, f"rows of places.tsv no document uses: {sorted(unused)}"


@pytest.mark.parametrize("lang", build.LANGUAGES)
def test_at_least_forty_documents_per_language(lang: str) -> None:
    docs = _docs(lang)
    assert len(docs) >= 40, f"{lang}: {len(docs)} documents; issue 14 asks for at least 40"
    assert all(doc["toponyms"] for doc in docs), f"{lang}: a document without toponyms"


def test_markup_gives_offsets_without_the_clitic() -> None:
    places = build.read_places(DEVSET / "places.tsv")
    text, toponyms = build.unmark("زار و[[أربيل|erbil]] li [[Hewlêr|erbil]]ê", places, "here")
    spans = [(t["start"], t["end"], t["name"]) for t in toponyms]
    assert text == "زار وأربيل li Hewlêrê"
    assert spans == [(5, 10, "أربيل"), (14, 20, "Hewlêr")]


@pytest.mark.parametrize("marked", ["[[أربيل|nowhere]]", "[[أربيل|erbil]", "[[ أربيل|erbil]]"])
def test_bad_markup_is_refused_with_the_place_it_is(marked: str) -> None:
    places = build.read_places(DEVSET / "places.tsv")
    with pytest.raises(build.MarkupError, match="here"):
        build.unmark(marked, places, "here")
