"""Boundary imports: a user's official unit polygons (OCHA COD-AB and the like) in the overlay.

``geo gazetteer import-boundaries FILE`` reads a boundary file, matches each feature to a
gazetteer unit of the same country and level, and writes the matched polygons to the overlay
(:mod:`geo.gazetteer.overlay`), which the store reads before the bundled shapes. Features whose
P-codes cover a context feature (a disputed district or sub-district; the Kurdistan Region's
three governorates) redraw it too.

Reading the file and writing the overlay happen in :func:`read_boundary_file` and
:func:`import_boundaries`; detecting the layout, matching and building the records are pure.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.errors import BoundaryError, GazetteerError
from geo.gazetteer import overlay
from geo.gazetteer._geometry import oriented, reproject, simplify
from geo.gazetteer.names import name_key
from geo.gazetteer.sources import sha256
from geo.gazetteer.store import Gazetteer
from geo.records import Place

LEVELS = ("adm1", "adm2", "adm3")
# A feature whose name matches no unit is taken for the unit it overlaps this much (IoU).
MATCH_IOU = 0.5
SHOW_UNMATCHED = 12  # unmatched features a report names (the manifest lists them all)
# Field names by convention, {n} the level: OCHA COD-AB, GADM, then plain names.
NAME_FIELDS = ("ADM{n}_EN", "NAME_{n}", "ADM{n}_NAME", "shapeName", "name", "NAME")
CODE_FIELDS = ("ADM{n}_PCODE", "GID_{n}", "shapeISO", "pcode", "PCODE", "code")
LEVEL_FIELD = re.compile(r"^(?:ADM(\d)_PCODE|GID_(\d))$")
COUNTRY_FIELDS = ("ADM0_PCODE", "ISO2", "iso_a2")


@dataclass(frozen=True, slots=True)
class Layout:
    """How a boundary file is laid out: its level and the fields holding names and codes."""

    level: str
    name_field: str
    code_field: str
    country: str


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature of a boundary file; ``geometry`` is in EPSG:4326, (x=lon, y=lat)."""

    name: str
    code: str
    geometry: BaseGeometry

    @property
    def label(self) -> str:
        """The name and code as a report shows them: "Tilkaef (IQG15Q09)"."""
        return f"{self.name} ({self.code})" if self.code else self.name


@dataclass(frozen=True, slots=True)
class BoundaryFile:
    """A boundary file as read: where it is, its checksum, layout and features."""

    path: Path
    sha256: str
    layout: Layout
    features: tuple[Feature, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """A feature matched to a gazetteer unit, and how: "name", "alias" or "geometry"."""

    feature: Feature
    place_id: str
    how: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: its entry in the overlay's manifest (the file, its features, the
    context features it redrew, what matched nothing), the units it redrew and how."""

    entry: overlay.Import
    layout: Layout
    matches: tuple[Match, ...]
    units_known: int
    replaced: bool
    written: tuple[Path, ...]

    def lines(self) -> list[str]:
        """The report as ``geo gazetteer import-boundaries`` prints it."""
        lay, entry = self.layout, self.entry
        hows = {h: sum(m.how == h for m in self.matches) for h in ("name", "alias", "geometry")}
        by = ", ".join(f"{n} by {h}" for h, n in hows.items())
        redrawn = f": {', '.join(entry.context)}" if entry.context else ""
        out = [(f"imported {entry.file} ({lay.level}, {lay.country}; names from "
                f"{lay.name_field!r}, codes from {lay.code_field or '-'!r}): "
                f"{entry.features} features"),
               f"  {len(self.matches)} units redrawn ({by})",
               f"  {len(entry.context)} context features redrawn{redrawn}"]
        if entry.unmatched:
            shown = ", ".join(entry.unmatched[:SHOW_UNMATCHED])
            more = len(entry.unmatched) - SHOW_UNMATCHED
            out.append(f"  {len(entry.unmatched)} features matched no {lay.level} unit of "
                       f"{lay.country} ({self.units_known} in the gazetteer) and no context "
                       f"feature: {shown}" + (f" and {more} more (all in the overlay's "
                                             "MANIFEST.json)" if more > 0 else ""))
        if self.replaced:
            out.append(f"  replaced the earlier import of {entry.file}")
        out += [f"wrote {p}" for p in self.written]
        return out


# --- reading a boundary file -------------------------------------------------------------


def detect_level(fields: Sequence[str]) -> str:
    """The level a file's fields suggest ("adm0" ... "adm3"), or "" when they give none.

    A COD-AB or GADM file carries its parents' codes too, so the deepest level wins:
    ``ADM2_PCODE`` beside ``ADM1_PCODE`` is an adm2 file.
    """
    matches = [LEVEL_FIELD.match(f) for f in fields]
    found = [int(m.group(1) or m.group(2)) for m in matches if m]
    return f"adm{max(found)}" if found else ""


def _pick(fields: Sequence[str], given: str | None, patterns: Sequence[str], n: str,
          what: str, source: str, *, required: bool) -> str:
    """The field holding the names or codes: the one given, else the first by convention
    ("" when there is none and the field is not ``required``)."""
    flag = f"--{what}-field"
    if given is not None:
        if given not in fields:
            msg = (f"{source} has no field {given!r}; its fields are {', '.join(fields)}; "
                   f"pass one of them with {flag}")
            raise BoundaryError(msg)
        return given
    for pattern in patterns:
        if pattern.format(n=n) in fields:
            return pattern.format(n=n)
    if not required:
        return ""
    msg = (f"cannot tell which field of {source} holds the {what}s; its fields are "
           f"{', '.join(fields)}; pass one of them with {flag}")
    raise BoundaryError(msg)


def detect_layout(fields: Sequence[str], *, level: str | None = None,
                  name_field: str | None = None, code_field: str | None = None,
                  source: str = "the boundary file") -> Layout:
    """The layout of a file with these fields (the country is filled in later).

    Parameters
    ----------
    fields
        The attribute fields of the file.
    level
        "adm1", "adm2" or "adm3"; detected from COD-AB or GADM code fields when None.
    name_field, code_field
        The fields to use; detected (``ADMn_EN``/``ADMn_PCODE``, ``NAME_n``/``GID_n``, ...)
        when None.
    source
        How error messages name the file.

    Raises
    ------
    BoundaryError
        If the level is unknown or cannot be detected, or a field is missing.
    """
    level = level or detect_level(fields)
    if level not in LEVELS:
        found = f"level {level!r}" if level else "no level"
        msg = (f"{source} gives {found}; geo imports {', '.join(LEVELS)}: pass --level adm1, "
               "adm2 or adm3")
        raise BoundaryError(msg)
    n = level[-1]
    return Layout(level=level, country="",
                  name_field=_pick(fields, name_field, NAME_FIELDS, n, "name", source,
                                   required=True),
                  # codes are optional: without them nothing but units is redrawn
                  code_field=_pick(fields, code_field, CODE_FIELDS, n, "code", source,
                                   required=False))


def detect_country(codes: Iterable[str], country_values: Iterable[str]) -> str:
    """The ISO 3166-1 alpha-2 code a file's features share ("" if they do not tell).

    A country field (``ADM0_PCODE``) decides; else the P-codes' common two-letter prefix
    (COD-AB P-codes start with it: ``IQG13Q04``).
    """
    values = {v.strip().upper() for v in country_values if v}
    prefixes = {c[:2].upper() for c in codes if c}
    for found in (values, prefixes):
        if len(found) == 1 and re.fullmatch(r"[A-Z]{2}", only := next(iter(found))):
            return only
    return ""


def _to_wgs84(geoms: Any, crs: str | None, path: Path) -> Any:
    """The geometries in EPSG:4326, (x=lon, y=lat), from the file's CRS."""
    import pyproj

    if crs is None:  # GeoJSON without "crs" is lon/lat by definition (RFC 7946)
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
        if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
            msg = (f"{str(path)!r} has no coordinate reference system and its coordinates "
                   f"({xmin:.0f}, {ymin:.0f}, {xmax:.0f}, {ymax:.0f}) are not degrees; "
                   "save it with its CRS (a .prj file, or GeoPackage) and import it again")
            raise BoundaryError(msg)
        return geoms
    source = pyproj.CRS.from_user_input(crs)
    if source.equals(pyproj.CRS("OGC:CRS84")) or source.to_epsg() == 4326:
        return geoms  # GDAL reads EPSG:4326 in (lon, lat) order, as CRS84
    return reproject(geoms, source, "EPSG:4326")  # (x, y) in, (x=lon, y=lat) out


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn GDAL's read errors on ``path`` into a BoundaryError that says what to give."""
    try:
        yield
    except (DataSourceError, DataLayerError) as e:
        msg = (f"cannot read {str(path)!r} as a boundary file ({e}); give a GeoJSON, "
               "GeoPackage or shapefile of polygons")
        raise BoundaryError(msg) from e


def file_level(path: Path) -> str:
    """The level a boundary file's fields suggest, without reading its features ("" if none).

    Raises
    ------
    BoundaryError
        If the file cannot be read.
    """
    with _reading(path):
        return detect_level([str(f) for f in pyogrio.read_info(path)["fields"]])


def read_boundary_file(path: Path, *, level: str | None = None, name_field: str | None = None,
                       code_field: str | None = None, country: str | None = None,
                       ) -> BoundaryFile:
    """Read a boundary file (GeoJSON, GeoPackage, shapefile, ...: whatever GDAL reads).

    Parameters
    ----------
    path
        The file.
    level, name_field, code_field
        See :func:`detect_layout`.
    country
        The ISO 3166-1 alpha-2 code of its country; detected from ``ADM0_PCODE`` or the
        P-codes' prefix when None.

    Raises
    ------
    BoundaryError
        If the file cannot be read, has no polygons, or its layout cannot be told.
    """
    if not path.is_file():
        msg = f"boundary file {str(path)!r} does not exist; give the path of a GeoJSON file"
        raise BoundaryError(msg)
    with _reading(path):
        fields = [str(f) for f in pyogrio.read_info(path)["fields"]]
        lay = detect_layout(fields, level=level, name_field=name_field, code_field=code_field,
                            source=repr(str(path)))
        wanted = [f for f in (lay.name_field, lay.code_field, *COUNTRY_FIELDS) if f in fields]
        meta, _, wkb, values = pyogrio.raw.read(path, columns=list(dict.fromkeys(wanted)))
    columns = dict(zip(meta["fields"], values))
    names = [str(v) if v is not None else "" for v in columns[lay.name_field]]
    codes = [str(v).strip().upper() if v is not None else ""
             for v in columns.get(lay.code_field, [None] * len(names))]
    geoms = _to_wgs84(shapely.make_valid(shapely.from_wkb(wkb)), meta["crs"], path)
    features = tuple(Feature(name=n, code=c, geometry=g) for n, c, g in zip(names, codes, geoms)
                     if g is not None and g.area > 0)
    if not features:
        msg = f"{str(path)!r} holds no polygons; give a file of unit boundaries"
        raise BoundaryError(msg)
    found = detect_country(codes, (str(v) for f in COUNTRY_FIELDS if f in columns
                                   for v in columns[f] if v is not None))
    country = (country or found).upper()
    if not country:
        msg = (f"cannot tell the country of {str(path)!r} (no ADM0_PCODE field, P-codes "
               f"{', '.join(map(repr, sorted(set(codes))[:3])) or 'none'}); pass --country with its "
               "ISO 3166-1 alpha-2 code, e.g. --country IQ")
        raise BoundaryError(msg)
    return BoundaryFile(path=path, sha256=sha256(path), features=features,
                        layout=replace(lay, country=country))


# --- matching features to units ----------------------------------------------------------


def iou(a: BaseGeometry, b: BaseGeometry) -> float:
    """Intersection over union of two polygons, in their own units (0 when both are empty)."""
    union = shapely.union(a, b).area
    return shapely.intersection(a, b).area / union if union > 0 else 0.0


def _best(feature: Feature, candidates: Sequence[Place],
          shapes: Mapping[str, BaseGeometry]) -> str:
    """The candidate a named feature is: the one it overlaps most, or the only one without a
    polygon to check; "" when no candidate overlaps it."""
    scored = [(iou(feature.geometry, shapes[p.id]), p.id) for p in candidates if p.id in shapes]
    best = max(scored, default=(0.0, ""))
    if best[0] > 0:
        return best[1]
    lone = len(candidates) == 1 and candidates[0].id not in shapes
    return candidates[0].id if lone else ""


def _by_geometry(feature: Feature, shapes: Mapping[str, BaseGeometry],
                 tree: shapely.STRtree, ids: Sequence[str]) -> str:
    scored = [(iou(feature.geometry, shapes[ids[i]]), ids[i])
              for i in tree.query(feature.geometry, predicate="intersects").tolist()]
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] >= MATCH_IOU else ""


def match_units(features: Sequence[Feature], units: Sequence[Place],
                shapes: Mapping[str, BaseGeometry],
                lookup: Callable[[str], Sequence[Place]]) -> tuple[Match | None, ...]:
    """Match each feature to at most one unit, and each unit to at most one feature.

    A feature is matched, in this order, by its normalised name to a unit's name, by the
    gazetteer's names and aliases (``lookup``) to a unit, and failing both to the unit it
    overlaps with an IoU of at least ``MATCH_IOU``. A name match must overlap the unit's
    polygon (when it has one). A unit claimed by an earlier feature is not given again.

    Parameters
    ----------
    features
        The file's features.
    units
        The gazetteer's units of the file's country and level.
    shapes
        The bundled polygons of these units (and no others) by id, (x=lon, y=lat).
    lookup
        The gazetteer's name lookup (:meth:`Gazetteer.lookup`).

    Returns
    -------
    tuple
        A Match or None per feature, in order.
    """
    by_key: dict[str, list[Place]] = defaultdict(list)
    for u in units:
        by_key[name_key(u.name)].append(u)
    ids = {u.id for u in units}
    out: list[Match | None] = [None] * len(features)
    taken: set[str] = set()
    for i, f in enumerate(features):
        for how, cands in (("name", by_key.get(name_key(f.name), [])),
                           ("alias", [p for p in lookup(f.name) if p.id in ids])):
            hit = _best(f, [c for c in cands if c.id not in taken], shapes)
            if hit:
                out[i] = Match(f, hit, how)
                taken.add(hit)
                break
    free = [u for u in sorted(shapes) if u not in taken]
    tree = shapely.STRtree([shapes[i] for i in free])
    for i, f in enumerate(features):
        if out[i] is None and (hit := _by_geometry(f, shapes, tree, free)) and hit not in taken:
            out[i] = Match(f, hit, "geometry")
            taken.add(hit)
    return tuple(out)


# --- context features --------------------------------------------------------------------


def context_codes(properties: Mapping[str, Any]) -> tuple[str, ...]:
    """The P-codes a context feature stands for (its ``pcode``: "|" between the codes of a
    union, as the Kurdistan Region's "IQG06|IQG09|IQG11"), () if it has none."""
    raw = properties.get("pcode", "")
    return tuple(c.strip().upper() for c in str(raw).split("|") if c.strip())


def context_redraws(context: Mapping[str, Any],
                    features: Sequence[Feature]) -> dict[str, tuple[Feature, ...]]:
    """The context features a file covers: id -> the file's features with its P-codes.

    A context feature is covered when every one of its P-codes is a feature's code, so an adm1
    file with IQG06, IQG09 and IQG11 redraws the Kurdistan Region as their union.
    """
    by_code = {f.code: f for f in features if f.code}
    out = {}
    for feat in context["features"]:
        codes = context_codes(feat["properties"])
        if codes and all(c in by_code for c in codes):
            out[feat["properties"]["id"]] = tuple(by_code[c] for c in codes)
    return out


# --- the records and the import ----------------------------------------------------------


def _geometry(parts: Iterable[Feature], country: str, kind: str) -> dict[str, Any] | None:
    """The parts' union simplified, oriented and rounded like the bundled shapes (None if
    nothing of it is left)."""
    g = simplify(shapely.union_all([p.geometry for p in parts]), country, kind)
    return oriented(g) if g.area > 0 else None


def records_of(bf: BoundaryFile, matches: Sequence[Match | None],
               redraws: Mapping[str, Sequence[Feature]],
               places: Callable[[str], Place | None]) -> list[overlay.Record]:
    """The overlay records of an import: one per matched unit, one per redrawn context feature,
    and one for a context feature that is also a gazetteer place (the Kurdistan Region)."""
    lay, source = bf.layout, bf.path.name

    def record(target: str, is_context: bool, parts: Sequence[Feature],
               kind: str) -> overlay.Record | None:
        geom = _geometry(parts, lay.country, kind)
        if geom is None:
            return None
        return overlay.Record(target=target, is_context=is_context, level=lay.level,
                              country=lay.country, source=source,
                              name=" + ".join(p.name for p in parts),
                              code="|".join(p.code for p in parts), geometry=geom)

    out = [record(m.place_id, False, [m.feature], lay.level) for m in matches if m is not None]
    matched = {m.place_id for m in matches if m is not None}
    for target, parts in redraws.items():
        out.append(record(target, True, parts, "region"))
        if target not in matched and places(target) is not None:
            out.append(record(target, False, parts, "region"))
    return [r for r in out if r is not None]


def match_to_gazetteer(features: Sequence[Feature], gaz: Gazetteer, country: str,
                       level: str) -> tuple[list[Place], tuple[Match | None, ...]]:
    """The gazetteer's units of a country and level, and the match of each feature among them
    (:func:`match_units`, against the units' bundled polygons)."""
    units = gaz.units(country, level)
    shapes = {u.id: shape(g) for u in units if (g := gaz.shape(u.id, imported=False))}
    return units, match_units(features, units, shapes, gaz.lookup)


def import_boundaries(path: Path, gaz: Gazetteer, *, level: str | None = None,
                      name_field: str | None = None, code_field: str | None = None,
                      country: str | None = None, licence: str = "") -> ImportReport:
    """Import a boundary file into the overlay of ``gaz``'s folder.

    Re-importing a file (the same name or content) replaces its earlier records.

    Parameters
    ----------
    path
        The boundary file.
    gaz
        The gazetteer whose units the features are matched to; the overlay is written into
        ``gaz.folder / "overrides"``.
    level, name_field, code_field, country
        See :func:`read_boundary_file`.
    licence
        The file's licence, recorded in the overlay's manifest.

    Raises
    ------
    BoundaryError
        If the file cannot be read or its layout told, or its country is not in the gazetteer.
    """
    bf = read_boundary_file(path, level=level, name_field=name_field, code_field=code_field,
                            country=country)
    lay = bf.layout
    if gaz.place(f"iso:{lay.country}") is None:
        msg = (f"the gazetteer has no country {lay.country!r}; pass --country with an ISO "
               "3166-1 alpha-2 code, e.g. --country IQ")
        raise BoundaryError(msg)
    units, matches = match_to_gazetteer(bf.features, gaz, lay.country, lay.level)
    redraws = context_redraws(gaz.context(imported=False), bf.features)
    used = {f.code for parts in redraws.values() for f in parts}
    records = records_of(bf, matches, redraws, gaz.place)
    drawn = {r.target for r in records if not r.is_context}
    matched = tuple(m for m in matches if m is not None and m.place_id in drawn)
    unmatched = tuple(f.label for f, m in zip(bf.features, matches)
                      if f.code not in used and (m is None or m.place_id not in drawn))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    entry = overlay.Import(level=lay.level, country=lay.country, file=path.name,
                           sha256=bf.sha256, imported=now, licence=licence,
                           features=len(bf.features), context=tuple(redraws),
                           units=sum(not r.is_context for r in records), unmatched=unmatched)
    with overlay.lock(gaz.folder):  # one import or removal at a time
        imports, old = overlay.read(gaz.folder)
        replaced = any(i.file == entry.file or i.sha256 == entry.sha256 for i in imports)
        written = overlay.write(gaz.folder, *overlay.replace(imports, old, entry, records))
    return ImportReport(entry=entry, layout=lay, matches=matched, units_known=len(units),
                        replaced=replaced, written=tuple(written))


def remove_boundaries(gazetteer_dir: Path, *, file: str | None = None) -> list[str]:
    """Remove one import (``file``: its file name) or every one; the file names removed.

    Raises
    ------
    BoundaryError
        If ``file`` was never imported.
    """
    folder = overlay.folder_of(gazetteer_dir)
    if not folder.exists():
        return []
    with overlay.lock(gazetteer_dir):
        if file is None:
            try:
                names = [i.file for i in overlay.read(gazetteer_dir)[0]]
            except GazetteerError:
                names = [f"(an unreadable overlay in {str(folder)!r})"]
            overlay.remove(gazetteer_dir)
            return names
        imports, records = overlay.read(gazetteer_dir)
        if file not in {i.file for i in imports}:
            listed = ", ".join(repr(i.file) for i in imports) or "none"
            msg = (f"no import of {file!r} in this gazetteer (imported: {listed}); give one "
                   "of those names, or no name to remove them all")
            raise BoundaryError(msg)
        overlay.write(gazetteer_dir, *overlay.without(imports, records, file))
    return [file]
