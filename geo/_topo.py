"""Region polygons for the page, TopoJSON-style: shared borders stored once, then simplified.

Coordinates are snapped to a grid of ``1 / SCALE`` degrees. Each ring is cut into *arcs* at its
junctions (the points where the rings that share a border part ways, told by the edges they
share, so that borders that only touch here and there are not cut to pieces), identical arcs are kept
once whichever way they run, and each arc is simplified (Douglas-Peucker, its ends fixed, by
GEOS through shapely) with the finest tolerance of the rings that use it. Two neighbours
therefore keep one and the same simplified border: no gaps, no overlaps, and half the bytes.

The result (see :func:`topology`) is what ``geo/static/geo-regions.js`` decodes: ``arcs`` holds
each arc as the text of :func:`encode` (x0, y0, dx1, dy1, ... on the grid, longitude first as in
GeoJSON),
``shapes`` each geometry as polygons of rings of arc references (``~i``, that is ``-i - 1``,
for arc ``i`` run backwards).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

SCALE = 1000  # grid cells per degree: about 110 m, finer than a region needs on screen
# (geo.render.TOPO_SCALE repeats it, for pages that reuse cached regions without numpy)
_SHIFT = 1 << 31  # grid coordinates made non-negative, to pack a point into one integer
Ints = npt.NDArray[np.int64]


def _rings(geometry: dict[str, Any]) -> list[list[Ints]]:
    """The polygons of a GeoJSON (Multi)Polygon as rings of grid points ((n, 2) arrays, lon
    first), each ring without its closing point or repeats; rings of under three points go."""
    coords = geometry.get("coordinates") or []
    polygons = [coords] if geometry.get("type") == "Polygon" else coords
    out = []
    for polygon in polygons:
        rings = [r for r in map(_snap, polygon) if len(r) >= 3]
        if rings:
            out.append(rings)
    return out


def _snap(ring: Sequence[Sequence[float]]) -> Ints:
    grid: Ints = np.rint(np.asarray([p[:2] for p in ring], dtype=float) * SCALE).astype(np.int64)
    if len(grid) == 0:
        return grid.reshape(0, 2)
    keep = np.ones(len(grid), dtype=bool)
    keep[1:] = (grid[1:] != grid[:-1]).any(axis=1)
    grid = grid[keep]
    while len(grid) > 1 and (grid[0] == grid[-1]).all():
        grid = grid[:-1]
    out: Ints = grid
    return out


def _keys(points: Ints) -> Ints:
    """Each grid point packed into one integer."""
    out: Ints = ((points[:, 0] + _SHIFT) << 32) | (points[:, 1] + _SHIFT)
    return out


def _junctions(rings: Sequence[Ints]) -> list[npt.NDArray[np.bool_]]:
    """For each ring, which of its points are junctions: where the rings that hold the edge
    before the point differ from those that hold the edge after it (a shared border begins or
    ends there). Rings that merely touch at a point share no edge and are not cut there."""
    if not rings:
        return []
    keys = [_keys(r) for r in rings]
    point = np.concatenate(keys)
    after = np.concatenate([np.roll(k, -1) for k in keys])
    owner = np.repeat(np.arange(len(rings), dtype=np.int64), [len(k) for k in keys])
    low, high = np.minimum(point, after), np.maximum(point, after)
    order = np.lexsort((high, low))
    starts = np.flatnonzero(np.r_[True, (np.diff(low[order]) != 0) | (np.diff(high[order]) != 0)])
    group = np.empty(len(point), dtype=np.int64)
    group[order] = np.cumsum(np.r_[True, (np.diff(low[order]) != 0)
                                   | (np.diff(high[order]) != 0)]) - 1
    # which rings hold an edge, as (count, sum, sum of squares) of their numbers: exact for the
    # one or two rings an edge nearly always has
    r = owner[order]
    sig = np.stack([np.add.reduceat(np.ones_like(r), starts), np.add.reduceat(r, starts),
                    np.add.reduceat(r * r, starts)], axis=1)[group]  # per edge: point -> next
    out, at = [], 0
    for k in keys:
        edge = sig[at:at + len(k)]
        out.append((edge != np.roll(edge, 1, axis=0)).any(axis=1))
        at += len(k)
    return out


def _cut(ring: Ints, marks_at: npt.NDArray[np.bool_]) -> list[Ints]:
    """The ring as arcs from junction to junction (one closed arc if it has none)."""
    marks = np.flatnonzero(marks_at)
    if len(marks) == 0:
        start = int(np.argmin(_keys(ring)))  # a fixed start: the same ring gives the same arc
        turned = np.roll(ring, -start, axis=0)
        return [np.vstack([turned, turned[:1]])]
    turned = np.roll(ring, -int(marks[0]), axis=0)
    closed = np.vstack([turned, turned[:1]])
    cuts = [*(marks - marks[0]).tolist(), len(ring)]
    return [closed[a:b + 1] for a, b in pairwise(cuts)]


def simplify(arcs: Sequence[Ints], tolerances: Sequence[float]) -> list[Ints]:
    """Each arc simplified by Douglas-Peucker (GEOS, through shapely) with its tolerance, both
    ends kept (a closed arc keeps its farthest point too, so that it stays a ring)."""
    if not arcs:
        return []
    which = np.repeat(np.arange(len(arcs)), [len(a) for a in arcs])
    lines = shapely.simplify(shapely.linestrings(np.vstack(arcs).astype(float), indices=which),
                             np.asarray(tolerances, dtype=float), preserve_topology=False)
    points, owner = shapely.get_coordinates(lines, return_index=True)
    cuts = np.flatnonzero(np.diff(owner)) + 1
    return list(np.split(np.rint(points).astype(np.int64), cuts))


def encode(arc: Ints) -> str:
    """An arc as text: the first point, then each step, each number zigzag-encoded in 5-bit
    chunks as characters from "?" on (the polyline encoding), longitude first."""
    steps = np.vstack([arc[:1], np.diff(arc, axis=0)]).ravel().tolist()
    out = []
    for v in steps:
        z = (v << 1) ^ (v >> 63)  # zigzag: small negatives become small positives
        while z >= 0x20:
            out.append(chr((0x20 | (z & 0x1F)) + 63))
            z >>= 5
        out.append(chr(z + 63))
    return "".join(out)


class _Arcs:
    """The distinct arcs seen so far, each with the finest tolerance asked of it."""

    def __init__(self) -> None:
        self.index: dict[bytes, int] = {}
        self.arcs: list[Ints] = []
        self.finest: list[float] = []

    def ref(self, arc: Ints, tolerance: float) -> int:
        """The reference to ``arc`` (``~i`` when kept the other way round), added if new."""
        ahead, back = _keys(arc).tobytes(), _keys(arc[::-1]).tobytes()
        key = min(ahead, back)
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.arcs)
            self.arcs.append(arc if key == ahead else arc[::-1])
            self.finest.append(tolerance)
        self.finest[i] = min(self.finest[i], tolerance)
        return i if key == ahead else ~i


def topology(geometries: Sequence[tuple[dict[str, Any], float]]) -> dict[str, Any]:
    """The geometries, each with its tolerance in grid cells, as shared, simplified arcs.

    Returns ``{"scale", "arcs", "shapes"}`` (see the module's docstring); ``shapes[i]`` is
    ``geometries[i]``, empty when nothing of it is left.
    """
    polys = [_rings(g) for g, _ in geometries]
    marks = iter(_junctions([r for rings in polys for poly in rings for r in poly]))
    arcs = _Arcs()
    shapes = [[[[arcs.ref(arc, tolerance) for arc in _cut(r, next(marks))] for r in poly]
               for poly in rings] for rings, (_, tolerance) in zip(polys, geometries, strict=True)]
    simple = simplify(arcs.arcs, arcs.finest)
    sizes = [len(a) - 1 for a in simple]
    return {"scale": SCALE, "arcs": [encode(a) for a in simple],
            "shapes": [_drop_slivers(s, sizes) for s in shapes]}


def _drop_slivers(shape: list[list[list[int]]], sizes: Sequence[int]) -> list[list[list[int]]]:
    """The shape without the rings simplification left with fewer than three points, and
    without polygons whose outer ring went."""
    def size(ring: list[int]) -> int:
        return sum(sizes[r if r >= 0 else ~r] for r in ring)

    return [[r for r in poly if size(r) >= 3] for poly in shape if size(poly[0]) >= 3]

