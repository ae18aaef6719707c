"""A long list of places in one article (a gazetteer page, a list of villages): the resolver's
cost stays linear in the number of names, and its results are those of the plain scan."""

from __future__ import annotations

import math
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import resolve
from geo.bench_extract import village_list
from geo.gazetteer.store import Gazetteer
from geo.pipeline import extract

_lat = st.floats(-89.0, 89.0, allow_nan=False)
_lon = st.floats(-180.0, 180.0, allow_nan=False)
_point = st.tuples(st.sampled_from("abcde"), st.tuples(_lat, _lon, st.floats(0.0, 5.0)))


@settings(max_examples=300, deadline=None)
@given(st.lists(_point, min_size=1, max_size=60), _lat, _lon, st.sampled_from("abcdez"))
def test_grid_finds_the_distance_a_scan_finds(owned: list[tuple[str, tuple[float, float, float]]],
                                              lat: float, lon: float, exclude: str) -> None:
    scale = math.cos(math.radians(lat))
    scan = min((math.hypot((o_lon - lon) * scale, o_lat - lat) + handicap
                for key, (o_lat, o_lon, handicap) in owned if key != exclude), default=math.inf)
    assert resolve._Grid(owned).nearest(lat, lon, scale, exclude) == scan


def test_dense_points_get_small_cells() -> None:
    owned = [(str(n), (33.0 + n / 1000, 44.0 + n / 1000, 0.0)) for n in range(400)]
    grid = resolve._Grid(owned)
    assert grid.size < resolve.GRID_CELL
    assert len(owned) <= resolve.GRID_FILL * len(grid.cells) or grid.size == resolve.GRID_CELL_MIN


def test_a_long_list_resolves_in_linear_memory(gaz: Gazetteer) -> None:
    """3,000 distinct names: the former all-pairs nearness held one list of every other name's
    points per name (over 400 MB at 2,000 names); now a few tens of MB."""
    text = village_list(gaz, 3000)
    extract("Erbil and Kirkuk", gaz)  # memo tables and imports warmed up outside the count
    tracemalloc.start()
    try:
        found = extract(text, gaz)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sum(m.place is not None for m in found) > 2500
    assert peak < 120e6, f"{peak / 1e6:.0f} MB"


def test_a_list_over_the_ceiling_is_resolved_in_parts(gaz: Gazetteer,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    text = village_list(gaz, 300)
    whole = extract(text, gaz)
    monkeypatch.setattr(resolve, "MAX_CONTEXT_SPANS", 40)
    parts = extract(text, gaz)
    assert [(m.start, m.end) for m in parts] == [(m.start, m.end) for m in whole]
    assert sum(m.place is not None for m in parts) >= 0.95 * sum(m.place is not None for m in whole)
    # each part is its own context: the later "Paris", in a part without "Texas", is France's
    story = "Paris, Texas, flooded. Later Paris was quiet."
    monkeypatch.setattr(resolve, "MAX_CONTEXT_SPANS", 2)
    assert [m.place.country for m in extract(story, gaz) if m.place and m.text == "Paris"] \
        == ["US", "FR"]
    monkeypatch.setattr(resolve, "MAX_CONTEXT_SPANS", 20_000)
    assert [m.place.country for m in extract(story, gaz) if m.place and m.text == "Paris"] \
        == ["US", "US"]
