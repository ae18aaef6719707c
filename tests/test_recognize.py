"""Recognition: which spans of English text are place names, class by class (the examples are
written here, each after a kind of error geo made on news text)."""

from __future__ import annotations

import pytest

from geo.gazetteer.store import Gazetteer
from geo.pipeline import extract


def _found(text: str, gaz: Gazetteer) -> list[str]:
    return [m.text for m in extract(text, gaz)]


@pytest.mark.parametrize("text", [
    '"We will rebuild the bridge," Hopkins said on Monday.',
    "The season was hard, Meredith told reporters after the vote.",
])
def test_a_small_place_name_before_a_verb_of_saying_is_a_person(gaz: Gazetteer,
                                                                text: str) -> None:
    assert _found(text, gaz) == []


@pytest.mark.parametrize(("text", "name"), [
    ("A farmer from Tyler said the wells were dry.", "Tyler"),
    ("A spokesman for the city of Hopkins said the road is shut.", "Hopkins"),
    ("Beijing said it would answer the tariffs.", "Beijing"),
])
def test_a_place_before_a_verb_of_saying_stays_when_placed_or_prominent(
        gaz: Gazetteer, text: str, name: str) -> None:
    assert name in _found(text, gaz)


@pytest.mark.parametrize("text", [
    "Tom Walsh moved here with his wife, Caroline, and their son in May.",
    "The prize went to her daughter Kristina for the second year.",
])
def test_a_given_name_that_names_a_small_place_is_a_person(gaz: Gazetteer, text: str) -> None:
    assert not {"Caroline", "Kristina"} & set(_found(text, gaz))


@pytest.mark.parametrize(("text", "name"), [
    ("Schools in Barrow, Jackson and Madison counties will close.", "Jackson"),
    ("The avenue runs between Lakeview and Harrison streets.", "Harrison"),
    ("She grew up on a farm in Virginia.", "Virginia"),
    ("Virginia joins 23 other states that offer the plates.", "Virginia"),
    ("A nurse of Regina won the award.", "Regina"),
])
def test_a_given_name_stays_a_place_when_the_text_says_so(gaz: Gazetteer, text: str,
                                                          name: str) -> None:
    assert name in _found(text, gaz)


def test_a_first_level_unit_before_a_verb_of_saying_is_its_government(gaz: Gazetteer) -> None:
    assert "Tamil Nadu" in _found("Tamil Nadu said it had written to the Centre.", gaz)


def test_a_name_the_article_shows_speaking_is_a_person_throughout(gaz: Gazetteer) -> None:
    text = ('"The old cinema was the first with air conditioning," Robertson said. In 2003 '
            "Robertson bought the building from the bank.")
    assert "Robertson" not in _found(text, gaz)


@pytest.mark.parametrize(("text", "absent"), [
    ("The council paid Stevens & Wilkinson for the design.", {"Stevens", "Wilkinson"}),
    ("A warden of the Texas Parks & Wildlife Department came.", {"Parks"}),
])
def test_a_name_joined_by_an_ampersand_is_a_firm(gaz: Gazetteer, text: str,
                                                 absent: set[str]) -> None:
    assert not absent & set(_found(text, gaz))


def test_places_joined_by_an_ampersand_stay(gaz: Gazetteer) -> None:
    assert {"TIJUANA", "SAN DIEGO"} <= set(_found("TIJUANA & SAN DIEGO, March 29 -- Talks.", gaz))


def test_an_organisation_word_alone_is_no_place(gaz: Gazetteer) -> None:
    # "University" is also a town's name; here it opens the name of a university
    found = _found("She teaches law at the University of Iowa.", gaz)
    assert "University" not in found and "Iowa" in found


@pytest.mark.parametrize("text", [
    "Farmers along the Nile in Sudan lost their crops to the flood.",
    "He fished in the Nile every morning.",
])
def test_a_feature_named_after_the_article_is_the_feature(gaz: Gazetteer, text: str) -> None:
    # "the Nile" is the river the gazetteer has (geo:nile), not the state of River Nile, Sudan
    placed = {m.text: m.place.id for m in extract(text, gaz) if m.place}
    assert placed["Nile"] == "geo:nile"


@pytest.mark.parametrize(("text", "town", "town_country", "code", "country_id"), [
    ("Bushfires reached Sydney, NSW, AUS on Friday.", "Sydney", "AU", "AUS", "iso:AU"),
    ("Rain fell on Perth, GBR overnight.", "Perth", "GB", "GBR", "iso:GB"),
    ("The plant in London, CAN will close.", "London", "CA", "CAN", "iso:CA"),
])
def test_a_country_s_three_letter_code_after_a_town_is_the_country(
        gaz: Gazetteer, text: str, town: str, town_country: str, code: str,
        country_id: str) -> None:
    placed = {m.text: m.place for m in extract(text, gaz) if m.place}
    assert placed[code].id == country_id
    assert placed[town].country == town_country  # and it says which town it is


def test_a_three_letter_word_elsewhere_is_no_country_code(gaz: Gazetteer) -> None:
    # "CAN" names Canada only as a code after a place of Canada
    assert "CAN" not in _found("YES WE CAN, the crowd in Paris shouted.", gaz)


def test_a_plural_title_s_abbreviation_is_no_place(gaz: Gazetteer) -> None:
    # "Sens" is also a town in France
    assert "Sens" not in _found("Sens. Tim Grendell and Bob Gibbs backed the bill.", gaz)
