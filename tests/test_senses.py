"""Which place a recognised name goes to: the resolution classes of issue 18's misses, each
with examples written for these tests (none is taken from a corpus)."""

from __future__ import annotations

from geo.gazetteer.store import Gazetteer
from geo.pipeline import explain, extract


def _places(text: str, gaz: Gazetteer) -> dict[str, str]:
    """Place id by mention text (the last use of a name wins)."""
    return {m.text: m.place.id for m in extract(text, gaz) if m.place is not None}


def test_two_countries_after_a_comma_are_a_list(gaz: Gazetteer) -> None:
    # China has a village in Japan and Iraq is an alternate name of a city in Iran: neither
    # "China, Japan" nor "Iraq, Iran" puts the first inside the second
    text = "Flights from Brazil, China, Japan and Iraq, Iran, Syria were cancelled on Monday."
    found = _places(text, gaz)
    assert found["China"] == "iso:CN" and found["Iraq"] == "iso:IQ"


def test_two_states_after_a_comma_are_a_list(gaz: Gazetteer) -> None:
    # Pennsylvania has a village called Oklahoma; Ohio has a county called Delaware
    text = "Bee losses were counted in Kansas, Oklahoma, Pennsylvania and Nebraska."
    assert _places(text, gaz)["Oklahoma"] == "iso:US-OK"
    text = "The plant opened in Delaware, Ohio, north of Columbus."
    found = _places(text, gaz)
    assert found["Delaware"] != "iso:US-DE" and found["Columbus"] != "iso:US-DE"


def test_a_name_listed_with_units_is_a_unit_of_their_kind(gaz: Gazetteer) -> None:
    # Indiana is also a town in Pennsylvania, New Brunswick one in New Jersey: the story's
    # own state pulls them there unless the list they stand in counts
    text = "A Pittsburgh, Pa., trucker hauls steel to Indiana, Ohio and Michigan."
    assert _places(text, gaz)["Indiana"] == "iso:US-IN"
    text = "A Newark, N.J., distributor ships to Manitoba, Ontario and New Brunswick."
    assert _places(text, gaz)["New Brunswick"] == "iso:CA-NB"


def test_explain_says_a_name_was_listed_with_units(gaz: Gazetteer) -> None:
    found = {m.text: why for m, why in explain("Exports to Greece and Portugal fell.", gaz)}
    assert "listed beside countries" in found["Greece"]


def _kinds(text: str, gaz: Gazetteer) -> dict[str, tuple[str, str]]:
    """(kind, first-level unit) of each placed mention, by its text."""
    return {m.text: (m.place.kind, m.place.admin1) for m in extract(text, gaz) if m.place}


def test_a_county_s_name_written_bare_is_the_town(gaz: Gazetteer) -> None:
    # Michigan has both a Monroe County and the city of Monroe, its seat
    text = "Water mains broke in Monroe, a city south of Detroit."
    assert _kinds(text, gaz)["Monroe"] == ("town", "iso:US-MI")
    found = {m.text: why for m, why in explain(text, gaz)}
    assert "written without a unit word: the unit of its name counts less than the town" \
        in found["Monroe"]


def test_a_unit_word_after_a_list_is_said_of_every_name_in_it(gaz: Gazetteer) -> None:
    # Becker, Mahnomen and Eastland are also towns of their counties
    text = ("Snow closed schools in Becker, Mahnomen and Otter Tail counties. Fires burned in "
            "Eastland and Callahan counties, Texas.")
    found = _kinds(text, gaz)
    assert [found[n][0] for n in ("Becker", "Mahnomen", "Eastland", "Callahan")] == ["adm2"] * 4
