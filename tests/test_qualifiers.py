"""Names qualified, or made, by what is written around them: a unit's code after a town
("Aurora, CO"), particles inside a name ("Deir ez-Zor"), feature words after it ("Raqqa
governorates"), a possessive before a landmark ("Rome's St Peter's Square").

Every example sentence was written for these tests (issue 18's failure classes)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geo.gazetteer.store import Gazetteer
from geo.pipeline import explain, extract

from .conftest import ROOT


def _found(text: str, gaz: Gazetteer) -> list[tuple[str, str]]:
    """(text, place id) of each placed mention, in order."""
    return [(m.text, m.place.id) for m in extract(text, gaz) if m.place is not None]


@pytest.mark.parametrize(("text", "town", "code", "unit"), [
    ("Officials in Aurora, CO said the road was closed.", "Aurora", "CO", "iso:US-CO"),
    ("He moved to Kingston, ON last year.", "Kingston", "ON", "iso:CA-ON"),
    ("The air base near Dover, DE is large.", "Dover", "DE", "iso:US-DE"),
    ("She lives in Columbus, GA now.", "Columbus", "GA", "iso:US-GA"),
    ("The office is in Sydney, NSW, AUS.", "Sydney", "NSW", "iso:AU-NSW"),
    ("It rained in Portland, OR and in Bangor, ME.", "Bangor", "ME", "iso:US-ME"),
])
def test_a_code_after_a_town_names_its_unit(gaz: Gazetteer, text: str, town: str, code: str,
                                            unit: str) -> None:
    """The town goes to the unit the code stands for, and the code is a mention of that unit
    (as the gold corpora count "Ga." in "Columbus, Ga.")."""
    places = {m.text: m.place for m in extract(text, gaz) if m.place is not None}
    assert places[town].admin1 == unit
    assert places[code].id == unit


def test_a_code_elsewhere_is_no_place(gaz: Gazetteer) -> None:
    text = ("CO levels rose. DE and ON are codes. Go IN now, OR else. ME too. "
            "Crowds in Paris, CO2 rising, NATO, UN officials said.")
    assert [name for name, _ in _found(text, gaz)] == ["Paris"]


def test_a_code_that_names_no_unit_of_the_town_is_no_place(gaz: Gazetteer) -> None:
    # no Paris lies in a unit coded DE; "Tom Bakk, DFL" names no town
    assert _found("Talks in Paris, DE officials said. Tom Bakk, DFL, spoke.", gaz) == [
        ("Paris", "gn:2988507")]


def test_one_sense_per_article_keeps_a_code_qualified_use(gaz: Gazetteer) -> None:
    text = "Fans in Columbus, Ohio and Columbus, GA cheered."
    towns = [m.place.admin1 for m in extract(text, gaz) if m.place and m.text == "Columbus"]
    assert towns == ["iso:US-OH", "iso:US-GA"]


@pytest.mark.parametrize(("text", "name", "country"), [
    ("Fighting continued in Deir ez-Zor on Monday.", "Deir ez-Zor", "SY"),
    ("A tour of Stratford-upon-Avon was cancelled.", "Stratford-upon-Avon", "GB"),
    ("Ferries left Boulogne-sur-Mer at dawn.", "Boulogne-sur-Mer", "FR"),
])
def test_a_name_with_lower_case_particles_is_read_whole(gaz: Gazetteer, text: str, name: str,
                                                        country: str) -> None:
    """The particles ("ez-", "-upon-", "-sur-") join the words of one name, not a tail
    ("Zor", a village in Kuwait) or a head (Stratford, Connecticut) read alone."""
    places = [(m.text, m.place.country) for m in extract(text, gaz) if m.place is not None]
    assert places == [(name, country)]


def test_the_tail_of_an_unknown_name_is_no_place(gaz: Gazetteer) -> None:
    # the gazetteer knows no "Khirbet el-Salem" nor "Qayyarah al-Jadida": "Salem" (India) and
    # "Jadida" (Morocco) alone would be namesakes far away
    text = "Villagers of Khirbet el-Salem fled to Qayyarah al-Jadida."
    assert [(m.text, m.place.country) for m in extract(text, gaz) if m.place] == [
        ("Qayyarah", "IQ")]


@pytest.mark.parametrize("text", ["Fighting in the Raqqa Governorates continued.",
                                  "Curfews held across the Raqqa provinces."])
def test_a_plural_unit_word_asks_for_the_unit(gaz: Gazetteer, text: str) -> None:
    assert dict(_found(text, gaz))["Raqqa"] == "iso:SY-RA"  # the governorate, not the city


def test_a_unit_the_gazetteer_lacks_is_left_unplaced(gaz: Gazetteer) -> None:
    """"Zhari district" names a district of Afghanistan the gazetteer does not hold: the name is
    found but placed nowhere, rather than at Żary, a town in Poland."""
    ms = [m for m in extract("Troops patrolled in Zhari district on Monday.", gaz)
          if m.text == "Zhari"]
    assert [m.place for m in ms] == [None]
    # a town of the unit's name in the article's country stays: most likely its seat
    seat = [m.place.country for m in extract(
        "Villagers in Georgia fled the Ochamchire district.", gaz) if m.text == "Ochamchire"]
    assert seat == ["GE"]


def test_a_capitalised_word_opening_a_sentence_is_no_small_town(gaz: Gazetteer) -> None:
    """"Farmers" is another name of Weston, a small town in Massachusetts: opening a sentence,
    its capital says nothing, and the article never writes it inside one."""
    assert _found("Prices fell again. Farmers protested in Lyon.", gaz) == [("Lyon", "gn:2996944")]


@pytest.mark.parametrize("text", [
    "Prices fell again. Weston flooded on Monday. Roads in Weston were shut.",  # also inside
    "Prices fell again. Weston, Massachusetts, flooded.",  # a container after it
    "Pataskala zoning allows fire station",  # a title opens with its place
    "Towns visited\n\n1. Weston\n2. Lyon\n",  # a list: no sentence goes on after it
])
def test_a_small_town_opening_a_sentence_stays_when_the_text_says_it_is_one(
        gaz: Gazetteer, text: str) -> None:
    first = next(m for m in extract(text, gaz) if m.text in ("Weston", "Pataskala"))
    assert first.place is not None and first.place.country == "US"


def test_a_possessive_before_a_landmark_is_no_town(gaz: Gazetteer) -> None:
    """"St Peter" in "St Peter's Square" is the saint's name, not Saint Peter, Minnesota; the
    city before it stays, as does a place's possessive before an institution."""
    assert _found("Crowds gathered in Rome's St Peter's Square.", gaz) == [("Rome", "gn:3169070")]
    assert [name for name, _ in _found(
        "Patients at St Mary's Hospital in London. Oregon's Guard was sent.", gaz)] == [
        "London", "Oregon"]


def test_explain_says_why_a_town_went_to_the_unit_of_its_code(gaz: Gazetteer) -> None:
    found = {m.text: (m.place, why) for m, why in explain("Officials in Aurora, CO said.", gaz)}
    place, why = found["Aurora"]
    assert place is not None and place.admin1 == "iso:US-CO"
    assert "qualified by the unit written after it (Colorado)" in why
    assert "read as the ISO 3166-2 code US-CO of the unit the town before it lies in" in found[
        "CO"][1]
    unplaced = explain("Troops patrolled in Zhari district.", gaz)
    assert [why[-1].endswith("left unplaced") for _, why in unplaced] == [True]


def test_explain_names_the_state_the_other_names_imply(gaz: Gazetteer) -> None:
    # written here: a local story's towns, their state never named (see W_STATE)
    found = {m.text: why for m, why in explain(
        "An Alexandria man was hurt north of Brandon, then taken to St. Cloud.", gaz)}
    assert any(why.endswith("of the other names' votes are for the unit it lies in (Minnesota)")
               for why in found["Alexandria"])


def test_geo_explain_prints_the_reasons() -> None:
    done = subprocess.run([sys.executable, "-m", "geo", "explain", "--json",
                           "Fans in Columbus, Ohio and Columbus, GA cheered."],
                          text=True, capture_output=True, cwd=ROOT, check=True)
    rows = [row for row in json.loads(done.stdout) if row["name"] == "Columbus"]
    assert [row["reasons"][0] for row in rows] == [
        "qualified by the unit written after it (Ohio)",
        "qualified by the unit written after it (Georgia)"]
