"""The Arabic and Kurdish gold sets: the committed JSON Lines are what the markup builds.

Two folders share one layout and one build script: ``tests/devset`` (the development set the
language work is tuned on) and ``tests/heldback`` (a smaller split by another author that nobody
tunes on). Every check runs on both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .devset import build

DEVSET = Path(build.__file__).parent
HELDBACK = DEVSET.parent / "heldback"
# folder -> the fewest documents each language must keep there
MINIMUM = {DEVSET: 40, HELDBACK: 20}
FOLDERS = pytest.mark.parametrize("folder", list(MINIMUM), ids=lambda f: f.name)
EACH_LANGUAGE = pytest.mark.parametrize("lang", build.LANGUAGES)
# a run of this many words found in both sets means a held-back text reuses a development one
SHARED_RUN = 8


def _docs(folder: Path, lang: str) -> list[dict[str, Any]]:
    lines = (folder / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@FOLDERS
def test_committed_files_equal_a_fresh_build(folder: Path) -> None:
    for name, content in build.build_all(folder).items():
        committed = (folder / name).read_text(encoding="utf-8")
        rebuild = f"python3 tests/devset/build.py tests/{folder.name}"
        assert committed == content, f"{folder.name}/{name} is stale: run {rebuild}"


@FOLDERS
@EACH_LANGUAGE
def test_every_span_is_its_name_and_none_overlap(folder: Path, lang: str) -> None:
    for doc in _docs(folder, lang):
        text, last_end = str(doc["text"]), 0
        for t in doc["toponyms"]:
            assert text[t["start"]:t["end"]] == t["name"], (doc["id"], t)
            assert t["start"] >= last_end, f"{doc['id']}: {t['name']!r} overlaps the span before"
            assert t["name"] == t["name"].strip() and t["name"]
            last_end = t["end"]


@FOLDERS
def test_places_have_sane_coordinates_and_iraqi_ones_lie_in_iraq(folder: Path) -> None:
    for place in build.read_places(folder / "places.tsv").values():
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180, place
        if place.country == "IQ":
            assert 29 <= place.lat <= 38 and 38 <= place.lon <= 49, place


@FOLDERS
def test_every_place_row_is_used(folder: Path) -> None:
    used = {key for lang in build.LANGUAGES
            for key in build.MARK.findall((folder / f"{lang}.txt").read_text(encoding="utf-8"))}
    unused = set(build.read_places(folder / "places.tsv")) - {key for _, key in used}
    assert not unused, f"rows of {folder.name}/places.tsv no document uses: {sorted(unused)}"


@FOLDERS
@EACH_LANGUAGE
def test_enough_documents_per_language(folder: Path, lang: str) -> None:
    docs, least = _docs(folder, lang), MINIMUM[folder]
    assert len(docs) >= least, f"{folder.name}/{lang}: {len(docs)} documents; keep {least}"
    assert all(doc["toponyms"] for doc in docs), f"{lang}: a document without toponyms"


def _shingles(text: str, size: int) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


@EACH_LANGUAGE
def test_held_back_documents_share_no_run_of_words_with_the_development_set(lang: str) -> None:
    seen = {s for doc in _docs(DEVSET, lang) for s in _shingles(doc["text"], SHARED_RUN)}
    for doc in _docs(HELDBACK, lang):
        shared = _shingles(doc["text"], SHARED_RUN) & seen
        assert not shared, f"{doc['id']} repeats the development set: {' '.join(min(shared))!r}"


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
