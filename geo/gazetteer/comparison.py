"""How far geo's boundaries agree with a reference dataset (OCHA COD-AB and the like).

``geo gazetteer compare REFERENCE...`` measures the context layers as geo draws them
(:meth:`Gazetteer.context`, imports included) against the reference units with the same
P-codes: the IoU of the Kurdistan Region, of the disputed territories' union and of each
feature; and, for a table of towns, whether each falls inside geo's polygon of the district the
reference puts it in. Areas are measured in an equal-area projection, not in square degrees.

The reference is only read when this command runs: geo never needs it to make a map.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.errors import BoundaryError
from geo.gazetteer._geometry import reproject
from geo.gazetteer.boundaries import (
    LEVELS,
    BoundaryFile,
    Feature,
    context_codes,
    file_level,
    iou,
    match_to_gazetteer,
    read_boundary_file,
)
from geo.gazetteer.store import Gazetteer

# WGS 84 / NSIDC EASE-Grid 2.0 Global: an equal-area projection, so an IoU weighs square
# kilometres alike at any latitude.
EQUAL_AREA = "EPSG:6933"
# The boundary files a reference folder is searched for (a file given by name may be any).
BOUNDARY_SUFFIXES = (".geojson", ".gpkg", ".shp", ".fgb")
KR_LAYER, DISPUTED_LAYER = "kurdistan-region", "disputed-territories"


@dataclass(frozen=True, slots=True)
class Town:
    """A town of the towns table: its name and point."""

    name: str
    lat: float
    lon: float

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        # GeoJSON order is (lon, lat).
        return {"type": "Point", "coordinates": (self.lon, self.lat)}


@dataclass(frozen=True, slots=True)
class UnitScore:
    """One context feature against the reference units with its P-codes.

    ``iou`` is None when a P-code is not in the reference (or the feature has none).
    """

    id: str
    name: str
    layer: str
    codes: tuple[str, ...]
    geometry: str
    boundary: str
    iou: float | None


@dataclass(frozen=True, slots=True)
class TownCheck:
    """A town, the reference district that holds it, and whether geo's polygon of that
    district holds it too (None: no reference district or no geo polygon to check)."""

    town: Town
    district: str
    district_name: str
    unit: str
    unit_name: str
    inside: bool | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """The figures of one comparison; ``kurdistan`` and ``disputed`` are IoUs (None when the
    reference lacks their units)."""

    references: tuple[tuple[str, str, int], ...]
    kurdistan: float | None
    disputed: float | None
    disputed_units: int
    units: tuple[UnitScore, ...]
    towns: tuple[TownCheck, ...]

    @property
    def towns_outside(self) -> tuple[TownCheck, ...]:
        """The towns geo's district polygon does not hold (or that could not be checked)."""
        return tuple(t for t in self.towns if not t.inside)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``--json``)."""
        return {"projection": EQUAL_AREA,
                "references": [{"level": lv, "file": f, "features": n}
                               for lv, f, n in self.references],
                "kurdistan_region_iou": self.kurdistan, "disputed_union_iou": self.disputed,
                "disputed_units": self.disputed_units,
                "units": [asdict(u) for u in self.units],
                "towns": [{**asdict(t.town), **{k: v for k, v in asdict(t).items() if k != "town"}}
                          for t in self.towns],
                "towns_inside": len(self.towns) - len(self.towns_outside),
                "towns_outside": [t.town.name for t in self.towns_outside]}

    def lines(self) -> list[str]:
        """The comparison as ``geo gazetteer compare`` prints it."""
        def fmt(x: float | None) -> str:
            return "n/a" if x is None else f"{x:.3f}"

        refs = "; ".join(f"{lv} {f} ({n} features)" for lv, f, n in self.references)
        disputed = f"disputed territories union ({self.disputed_units} units)"
        out = [f"reference: {refs}",
               f"IoU in {EQUAL_AREA} (equal area), geo's context layers as drawn", "",
               f"{'Kurdistan Region vs its governorates':<44} {fmt(self.kurdistan)}",
               f"{disputed:<44} {fmt(self.disputed)}", "",
               f"{'context feature':<24} {'P-codes':<18} {'geometry':<13} IoU"]
        out += [f"{u.id:<24} {'|'.join(u.codes):<18} {u.geometry:<13} {fmt(u.iou)}"
                for u in self.units]
        if self.towns:
            out += ["", (f"{'town':<22} {'lat':>9} {'lon':>9}  inside  "
                         f"{'reference district':<26} geo's polygon of it")]
            for t in self.towns:
                inside = {True: "yes", False: "NO", None: "n/a"}[t.inside]
                out.append(f"{t.town.name:<22} {t.town.lat:>9.5f} {t.town.lon:>9.5f}  "
                           f"{inside:<6}  {(t.district + ' ' + t.district_name):<26} "
                           f"{t.unit_name} ({t.unit or '-'})")
            outside = ", ".join(t.town.name for t in self.towns_outside) or "none"
            out.append(f"{len(self.towns)} towns: {len(self.towns) - len(self.towns_outside)} "
                       f"inside geo's polygon of their district; outside: {outside}")
        return out


def find_references(paths: Sequence[Path]) -> dict[str, BoundaryFile]:
    """The reference boundary files by level, from files and folders.

    In a folder, every boundary file whose fields name a level from adm1 to adm3 is read (a
    country outline, adm0, is passed over).

    Raises
    ------
    BoundaryError
        If a path does not exist, two files have the same level, or none has a level.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += [p for p in sorted(path.iterdir())
                      if p.suffix.lower() in BOUNDARY_SUFFIXES and file_level(p) in LEVELS]
        elif path.exists():
            files.append(path)
        else:
            msg = f"reference {str(path)!r} does not exist; give boundary files or their folder"
            raise BoundaryError(msg)
    out: dict[str, BoundaryFile] = {}
    for path in files:
        bf = read_boundary_file(path)
        if bf.layout.level in out:
            msg = (f"two reference files are {bf.layout.level}: "
                   f"{out[bf.layout.level].path.name!r} and {path.name!r}; give one of them")
            raise BoundaryError(msg)
        out[bf.layout.level] = bf
    if not out:
        msg = (f"no adm1, adm2 or adm3 boundary file in {', '.join(map(str, paths))}; give "
               "COD-AB style files (ADM1_PCODE, ADM2_PCODE, ...)")
        raise BoundaryError(msg)
    return out


def read_towns(path: Path) -> tuple[Town, ...]:
    """The towns of a CSV file with ``name``, ``lat`` and ``lon`` columns.

    Raises
    ------
    BoundaryError
        If the file is missing, lacks a column or has a bad number.
    """
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        return tuple(Town(r["name"], float(r["lat"]), float(r["lon"])) for r in rows)
    except (OSError, KeyError, TypeError, ValueError) as e:
        msg = (f"cannot read towns from {str(path)!r} ({type(e).__name__}: {e}); give a CSV "
               "file with the columns name, lat, lon")
        raise BoundaryError(msg) from e


Projection = Callable[[BaseGeometry], BaseGeometry]


def _score(feat: Mapping[str, Any], ref: Mapping[str, BaseGeometry],
           project: Projection) -> UnitScore:
    p = feat["properties"]
    codes = context_codes(p)
    score = None
    if codes and all(c in ref for c in codes):
        score = iou(project(shape(feat["geometry"])),
                    project(shapely.union_all([ref[c] for c in codes])))
    return UnitScore(id=p.get("id", ""), name=p.get("name", ""), layer=p.get("layer", ""),
                     codes=codes, geometry=feat["geometry"]["type"],
                     boundary=str(p.get("boundary", "")), iou=score)


def _union_iou(feats: Sequence[Mapping[str, Any]], ref: Mapping[str, BaseGeometry],
               project: Projection) -> float | None:
    """IoU of the union of features against the union of their reference units."""
    if not feats:
        return None
    ours = shapely.union_all([shape(f["geometry"]) for f in feats])
    theirs = shapely.union_all([ref[c] for f in feats for c in context_codes(f["properties"])])
    return iou(project(ours), project(theirs))


def _district_shapes(gaz: Gazetteer, districts: Sequence[Feature], country: str,
                     context: Mapping[str, Any]) -> dict[str, tuple[str, str, BaseGeometry]]:
    """geo's polygon of each reference district, by P-code: (id, name, geometry).

    A district that is a context feature of its own (a disputed district) is that feature as
    geo draws it; any other is the gazetteer unit it matches (name, alias, overlap).
    """
    out: dict[str, tuple[str, str, BaseGeometry]] = {}
    for m in match_to_gazetteer(districts, gaz, country, "adm2")[1]:
        if m is None:
            continue
        drawn, place = gaz.shape(m.place_id), gaz.place(m.place_id)  # drawn: imports included
        if drawn is not None and place is not None:
            out[m.feature.code] = (m.place_id, place.name, shape(drawn))
    for feat in context["features"]:
        p = feat["properties"]
        codes = context_codes(p)
        if len(codes) == 1 and p.get("layer") == DISPUTED_LAYER:
            out[codes[0]] = (p["id"], p.get("name", ""), shape(feat["geometry"]))
    return out


def _check_towns(towns: Sequence[Town], districts: Sequence[Feature],
                 ours: Mapping[str, tuple[str, str, BaseGeometry]]) -> tuple[TownCheck, ...]:
    tree = shapely.STRtree([d.geometry for d in districts])
    out = []
    for town in towns:
        point = shapely.Point(town.lon, town.lat)  # shapely takes (x=lon, y=lat)
        hits = tree.query(point, predicate="covered_by").tolist()
        if not hits:
            out.append(TownCheck(town, "", "(in no reference district)", "", "", None))
            continue
        d = districts[hits[0]]
        unit, name, geom = ours.get(d.code, ("", "(no geo polygon)", None))
        inside = None if geom is None else bool(geom.covers(point))
        out.append(TownCheck(town, d.code, d.name, unit, name, inside))
    return tuple(out)


def compare(gaz: Gazetteer, references: Mapping[str, BoundaryFile],
            towns: Sequence[Town] = ()) -> Comparison:
    """Compare geo's context layers (and its districts, for the towns) with a reference.

    Parameters
    ----------
    gaz
        The gazetteer, with whatever boundary files were imported into it.
    references
        The reference boundary files by level (:func:`find_references`).
    towns
        Towns to check; needs an adm2 reference.

    Raises
    ------
    BoundaryError
        If towns are given without an adm2 reference.
    """
    if towns and "adm2" not in references:
        msg = "checking towns needs the reference's adm2 (district) file; add it to the paths"
        raise BoundaryError(msg)
    # GeoJSON (x=lon, y=lat) geometries -> the same in EPSG:6933 metres
    project: Projection = partial(reproject, src="EPSG:4326", dst=EQUAL_AREA)
    ref = {f.code: f.geometry for bf in references.values() for f in bf.features if f.code}
    context = gaz.context()
    feats = context["features"]
    units = tuple(_score(f, ref, project) for f in feats)
    kr = next((u.iou for u in units if u.layer == KR_LAYER), None)
    covered = [f for f, u in zip(feats, units) if u.layer == DISPUTED_LAYER and u.iou is not None]
    checks: tuple[TownCheck, ...] = ()
    if towns:
        adm2 = references["adm2"]
        ours = _district_shapes(gaz, adm2.features, adm2.layout.country, context)
        checks = _check_towns(towns, adm2.features, ours)
    return Comparison(
        references=tuple((lv, references[lv].path.name, len(references[lv].features))
                         for lv in LEVELS if lv in references),
        kurdistan=kr, disputed=_union_iou(covered, ref, project), disputed_units=len(covered),
        units=units, towns=checks)
