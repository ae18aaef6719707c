"""Load the bundled gazetteer and look names up in it.

The tables are read once into plain dicts of strings; a row becomes a ``Place`` only when a
lookup asks for it, which keeps loading fast and memory small. Polygons are read on demand from
``shapes.jsonl`` by byte offset.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from geo._io import write_atomic
from geo.errors import GazetteerError
from geo.gazetteer import overlay
from geo.gazetteer.names import name_key
from geo.records import Place

TABLE_FILES = ("places.tsv", "names.tsv", "demonyms.tsv", "common.tsv", "given.tsv", "codes.tsv",
               "curated.tsv")
FILES = (*TABLE_FILES, "shapes.jsonl", "context.geojson")


def _read_pairs(path: Path) -> dict[str, str]:
    """A two-column TSV as a dict (the fastest way CPython has to build it)."""
    fields = path.read_text(encoding="utf-8").rstrip("\n").replace("\n", "\t").split("\t")
    return dict(zip(fields[0::2], fields[1::2])) if fields != [""] else {}


def _read_keys(path: Path) -> frozenset[str]:
    """The keys of a file of one key a line."""
    return frozenset(path.read_text(encoding="utf-8").split("\n")) - {""}


def _read_rows(path: Path) -> dict[str, str]:
    """A TSV as a dict: first field -> the rest of the line (header dropped)."""
    rows = path.read_text(encoding="utf-8").rstrip("\n").split("\n")[1:]
    ids = [row[:row.find("\t")] for row in rows]
    return dict(zip(ids, (row[len(i) + 1:] for i, row in zip(ids, rows))))


Tables = tuple[dict[str, str], dict[str, str], dict[str, str], frozenset[str], frozenset[str],
               dict[str, str], frozenset[str], frozenset[str]]
MEMO_SIZE = 100_000  # entries each memo table of a Gazetteer keeps (see Gazetteer.memo)
TABLE_FORMAT = 6  # bump when the tuple below, or the cache file's, changes shape


def _shared(table: dict[str, str], pool: dict[str, str]) -> dict[str, str]:
    """``table`` with every value replaced by the equal string of ``pool`` (added when new),
    so that equal values are one object: most names lead to one place, whose id is already a
    key of the places table, and many names to the same list of ids."""
    return {key: pool.setdefault(value, value) for key, value in table.items()}


def _parse(folder: Path) -> Tables:
    rows = _read_rows(folder / "places.tsv")
    # the values of names.tsv are place ids (comma-separated): held once each, the ids as the
    # places table's own keys (marshal keeps the sharing in the cache file)
    pool = {place_id: place_id for place_id in rows}
    names = _shared(_read_pairs(folder / "names.tsv"), pool)
    # first words of the multi-word names: a capitalised word that is neither a name nor one
    # of these cannot start a match, so the recogniser moves on at once (a first word that is
    # a name itself is held as that name's key)
    keys = {key: key for key in names}
    firsts = frozenset(keys.get(f, f) for f in (k[:k.find(" ")] for k in names if " " in k))
    return (rows, names, _shared(_read_pairs(folder / "demonyms.tsv"), pool),
            _read_keys(folder / "common.tsv"), _read_keys(folder / "given.tsv"),
            _shared(_read_pairs(folder / "codes.tsv"), pool), firsts,
            _read_keys(folder / "curated.tsv"))


def _cache_file(folder: Path) -> Path:
    """Where the parsed tables of this gazetteer folder are kept: the user's cache folder, one
    file per gazetteer folder, which each new version of its tables replaces."""
    h = hashlib.sha256(str(folder.resolve()).encode())
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "geo" / f"gazetteer-tables-{h.hexdigest()[:20]}.marshal"


def _version(folder: Path) -> str:
    """A stamp of the table files that changes whenever one of them does."""
    stats = [(name, (folder / name).stat()) for name in TABLE_FILES]
    return f"{TABLE_FORMAT}" + "".join(f"|{n}:{st.st_size}:{st.st_mtime_ns}" for n, st in stats)


def _tables(folder: Path) -> Tables:
    """The parsed tables, from the user's cache when it holds this version of them (marshal:
    plain data, no code), else parsed from the TSV files and cached for the next process."""
    cache, version = _cache_file(folder), _version(folder)
    tables: Tables
    try:
        cached, tables = marshal.loads(cache.read_bytes())
        if cached == version:
            return tables
    except (OSError, EOFError, ValueError, TypeError):
        pass
    tables = _parse(folder)
    try:
        write_atomic(cache, marshal.dumps((version, tables)))
    except OSError:
        pass  # a read-only home only costs the next process a parse
    return tables


class Gazetteer:
    """The offline gazetteer: names to ranked places, places to points and polygons.

    Parameters
    ----------
    folder
        A folder written by ``geo gazetteer build`` (``data/gazetteer/``).
    """

    def __init__(self, folder: Path) -> None:
        missing = [f for f in FILES if not (folder / f).exists()]
        if missing:
            msg = (f"gazetteer folder {str(folder)!r} lacks {', '.join(missing)}; run "
                   "'geo gazetteer build' or point $GEO_GAZETTEER at a built gazetteer")
            raise GazetteerError(msg)
        self.folder = folder
        (self._rows, self._names, self._demonyms, self._common, self._given, self._codes,
         self._firsts, self._curated) = _tables(folder)
        self._cache: dict[str, Place] = {}
        self._memos: dict[str, dict[Any, Any]] = {}
        self._heads: frozenset[str] | None = None  # see may_continue
        self._later: frozenset[str] | None = None  # see may_follow
        self._candidates: dict[str, tuple[Place, ...]] = self.memo("candidates")

    def __len__(self) -> int:
        return len(self._rows)

    def __dask_tokenize__(self) -> str:
        """What dask keys a task graph holding this gazetteer by (``map_partitions(...,
        gazetteer=gaz)``): its folder and the version of its tables. The class is compiled
        (geo/_compiled.py), and a compiled object has no pickled form for dask to hash."""
        return f"geo.Gazetteer:{self.folder.resolve()}:{_version(self.folder)}"

    def place(self, place_id: str) -> Place | None:
        """The place with this id, or None."""
        hit = self._cache.get(place_id)
        if hit is not None:
            return hit
        row = self._rows.get(place_id)
        if row is None:
            return None
        name, kind, country, admin1, lat, lon, pop, shape = row.split("\t")
        # a few hundred distinct codes among all places: one string each
        hit = Place(id=place_id, name=name, kind=sys.intern(kind),
                    country=sys.intern(country), admin1=sys.intern(admin1),
                    lat=float(lat), lon=float(lon), population=int(pop),
                    has_shape=shape != "-1")
        self._cache[place_id] = hit
        return hit

    def may_start(self, key: str) -> bool:
        """Whether a name, or the first word of a longer name, has this key."""
        return key in self._names or key in self._firsts or key in self._demonyms

    def may_continue(self, key: str) -> bool:
        """Whether a name of more words starts with the words of this key (two or more).

        The set is worked out on first use, not at load: only text whose every word may start
        a name (a script without capitals) needs it."""
        if self._heads is None:
            self._heads = frozenset(
                " ".join(words[:n]) for words in (k.split(" ") for k in self._names
                                                  if k.count(" ") >= 2)
                for n in range(2, len(words)))
        return key in self._heads

    def may_follow(self, key: str) -> bool:
        """Whether a word with this key is a later word (not the first) of a name or demonym of
        more words. Worked out on first use, as may_continue is."""
        if self._later is None:
            self._later = frozenset(word for table in (self._names, self._demonyms)
                                    for k in table if " " in k for word in k.split(" ")[1:])
        return key in self._later

    def has_key(self, key: str) -> bool:
        """Whether any place is known by this normalised key."""
        return key in self._names

    def memo(self, table: str) -> dict[Any, Any]:
        """A memo table that lives as long as this gazetteer, for answers that depend only on a
        key and the gazetteer's data (parsed candidate lists, the recogniser's per-word tests,
        the resolver's prominence scores): most names come back article after article. Callers
        add at most ``MEMO_SIZE`` entries to a table."""
        return self._memos.setdefault(table, {})

    def candidates(self, key: str) -> tuple[Place, ...]:
        """The places known by a normalised key, most prominent first; () if none."""
        hit = self._candidates.get(key)
        if hit is None:
            ids = self._names.get(key)
            hit = tuple(p for p in map(self.place, ids.split(",")) if p is not None) if ids else ()
            if len(self._candidates) < MEMO_SIZE:
                self._candidates[key] = hit
        return hit

    def lookup(self, name: str) -> tuple[Place, ...]:
        """The places a name (as written) may refer to, most prominent first."""
        return self.candidates(name_key(name))

    def demonym(self, key: str) -> Place | None:
        """The place a demonym or adjective key ("iraqi") stands for, or None."""
        target = self._demonyms.get(key)
        return None if target is None else self.place(target)

    def is_demonym(self, key: str) -> bool:
        """Whether a normalised key is a known demonym."""
        return key in self._demonyms

    def coded_country(self, key: str) -> Place | None:
        """The country whose ISO 3166-1 alpha-3 code has this key ("aus": Australia), or None.
        Only a reader that knows a code stands there asks: "CAN" is mostly a word."""
        target = self._codes.get(key)
        return None if target is None else self.place(target)

    def is_common_word(self, key: str) -> bool:
        """Whether a one-word key is also an everyday English word ("mobile", "reading")."""
        return key in self._common

    def is_curated(self, key: str) -> bool:
        """Whether a key is one of the spellings authored for geo (aliases.tsv, places.tsv):
        the names the region's press uses, whatever the place's size."""
        return key in self._curated

    def is_given_name(self, key: str) -> bool:
        """Whether a one-word key is a common given name ("mary", "kelly", "jordan")."""
        return key in self._given

    def shape(self, place_id: str, *, imported: bool = True) -> dict[str, Any] | None:
        """The GeoJSON geometry of a place's polygon, or None if it has none.

        Parameters
        ----------
        place_id
            The place's id.
        imported
            A polygon imported by ``geo gazetteer import-boundaries`` comes before the bundled
            one (False: the bundled polygon only).
        """
        offset = overlay.unit_offsets(self.folder).get(place_id) if imported else None
        if offset is not None:
            return overlay.geometry_at(self.folder, offset)
        row = self._rows.get(place_id)
        if row is None:
            return None
        offset = int(row.rsplit("\t", 1)[1])
        if offset < 0:
            return None
        with (self.folder / "shapes.jsonl").open("rb") as f:
            f.seek(offset)
            record = json.loads(f.readline())
        geometry: dict[str, Any] = record["geometry"]
        return geometry

    def context(self, *, imported: bool = True) -> dict[str, Any]:
        """The curated context layers (Kurdistan Region, disputed territories) as GeoJSON.

        Parameters
        ----------
        imported
            Redraw the features an imported boundary file covers (False: the bundled layers).
        """
        return context_layers(self.folder, imported=imported)

    def units(self, country: str, kind: str) -> list[Place]:
        """Every place of one kind ("adm1", "adm2", ...) in a country, in id order."""
        ids = sorted(i for i, row in self._rows.items()
                     if row.split("\t", 3)[1:3] == [kind, country])  # name, kind, country, ...
        return [p for p in map(self.place, ids) if p is not None]


def context_layers(folder: Path, *, imported: bool = True) -> dict[str, Any]:
    """``Gazetteer.context`` of the gazetteer in ``folder``, without loading it."""
    data: dict[str, Any] = json.loads((folder / "context.geojson").read_text("utf-8"))
    return overlay.apply_context(data, folder) if imported else data


@lru_cache(maxsize=4)
def load(folder: Path) -> Gazetteer:
    """Load (once per process) the gazetteer in ``folder``."""
    return Gazetteer(folder)
