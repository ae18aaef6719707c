"""Distances: geopy's where they read better (evaluation), and the hot path's own fast
formula (resolution's nearness), which must agree with geopy's."""

from __future__ import annotations

import math

from geopy.distance import great_circle
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import evaluate, resolve
from geo.records import Place


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(-60, 60), lon=st.floats(-179, 179), dlat=st.floats(-1.5, 1.5),
       dlon=st.floats(-1.5, 1.5))
def test_the_hot_paths_fast_distance_agrees_with_geopys(lat: float, lon: float, dlat: float,
                                                        dlon: float) -> None:
    """resolve's equirectangular km (its nearness test, within a few hundred km) is within
    2% (and 1 km) of geopy's great-circle distance."""
    here = Place(id="x", name="x", kind="town", country="", lat=lat, lon=lon)
    fast = resolve._km(here, lat + dlat, lon + dlon)
    exact = great_circle((lat, lon), (lat + dlat, lon + dlon), radius=6371.0).km
    assert math.isclose(fast, exact, rel_tol=0.02, abs_tol=1.0)


def _score_py_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The haversine of ``shared/eval/score.py``, the definition ``geo eval`` follows."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


@given(a=st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
       b=st.tuples(st.floats(-90, 90), st.floats(-180, 180)))
def test_evaluation_distances_are_score_pys(a: tuple[float, float],
                                            b: tuple[float, float]) -> None:
    """geo eval's km (geopy's great circle) is score.py's, to the millimetre."""
    assert math.isclose(evaluate.km(*a, *b), _score_py_km(*a, *b), abs_tol=1e-6)
    assert 320 < evaluate.km(36.19, 44.01, 33.31, 44.37) < 325  # Erbil to Baghdad
