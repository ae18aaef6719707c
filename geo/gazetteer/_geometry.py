"""Geometry helpers shared by the gazetteer build and boundary imports: simplify, orient, round,
reproject.

Every polygon geo stores goes through these, so bundled and imported shapes look alike: the same
simplification tolerance, a 1e-4 degree grid, counter-clockwise exterior rings (RFC 7946) and
four decimals (about 11 m).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

if TYPE_CHECKING:
    from pyproj import CRS

# Countries whose polygons are kept finer: Iraq and its neighbours.
DETAILED = {"IQ", "SY", "TR", "IR", "JO", "SA", "KW"}


def simplify(geom: BaseGeometry, country: str, kind: str) -> BaseGeometry:
    """Simplify a polygon the way the bundled gazetteer does (finer in and around Iraq and for
    second-level units and regions), snapped to a 1e-4 degree grid and made valid."""
    fine = country in DETAILED or kind in ("adm2", "adm3", "region")
    g = geom.simplify(0.002 if fine else 0.01, preserve_topology=True)
    g = shapely.set_precision(g, 1e-4)
    return shapely.make_valid(g)


def oriented(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON geometry (lon, lat) with counter-clockwise exterior rings (RFC 7946).

    Only the polygons of ``geom`` are kept; lines and points left by ``make_valid`` are dropped.
    """
    polys = [p for p in getattr(geom, "geoms", [geom]) if p.geom_type == "Polygon"]
    polys = [orient(p, 1.0) for p in polys if not p.is_empty]
    out = shapely.MultiPolygon(polys) if len(polys) > 1 else polys[0]
    geometry: dict[str, Any] = rounded(mapping(out))
    return geometry


def rounded(obj: Any) -> Any:
    """A copy of nested lists, tuples and dicts with every float rounded to four decimals."""
    if isinstance(obj, float):
        return round(obj, 4)
    if isinstance(obj, (list, tuple)):
        return [rounded(x) for x in obj]
    if isinstance(obj, dict):
        return {k: rounded(v) for k, v in obj.items()}
    return obj


def reproject(geoms: Any, src: CRS | str, dst: CRS | str) -> Any:
    """A geometry (or an array of them) from one CRS to another, both taken in (x, y) order:
    (x=lon, y=lat) for geographic ones, as GeoJSON and shapely have them."""
    import pyproj

    t = pyproj.Transformer.from_crs(src, dst, always_xy=True)
    return shapely.transform(geoms, t.transform, interleaved=False)
