"""The boundary overlay: imported polygons kept beside the bundled gazetteer, never inside it.

``geo gazetteer import-boundaries`` writes ``<gazetteer>/overrides/``:

- ``boundaries.jsonl``: one JSON object per line, either a unit's polygon (``"id"``: the
  gazetteer place it replaces) or a context layer's (``"context"``: the id of a Kurdistan Region
  or disputed-territory feature), each with the import ``level``, the ``source`` file, the
  feature's ``name`` and ``code`` and an RFC 7946 ``geometry``;
- ``MANIFEST.json``: one entry per import (source file, its sha256, date, licence note, counts).

The store reads unit polygons from here before the bundled ``shapes.jsonl``, and redraws the
context features listed here. Imports and removals hold the lock in ``overrides/.lock/``
(:func:`lock`); removing the overlay deletes its files but keeps the folder and the lock, so a
removal never deletes a lock that is held. A folder with nothing but the lock is no overlay;
deleting the folder also restores the bundled gazetteer.

The online geocoder's answers (``geo build --geocoder``, see ``geo.geocode``) are kept in
``overrides/geocoded/answers.jsonl``, one JSON object a line, written under the same lock. They
lie in a subfolder because they change no extraction: the build cache's fingerprint reads the
overlay folder's own files only, and a build's render key covers the answers it used.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from geo._io import build_lock, remove_leftovers, write_all_atomic
from geo.errors import GazetteerError

OVERLAY_DIR = "overrides"
BOUNDARIES = "boundaries.jsonl"
MANIFEST = "MANIFEST.json"
# The lock's folder: a subfolder, so the lock file is none of the overlay folder's files, which
# the build cache's fingerprint reads (and the lock's time changes each time it is taken).
LOCK_DIR = ".lock"
FORMAT = 1
GEOCODED_DIR = "geocoded"
GEOCODED = "answers.jsonl"


@dataclass(frozen=True, slots=True)
class Record:
    """One imported polygon: a unit's (``target`` is a place id) or a context feature's."""

    target: str
    is_context: bool
    level: str
    country: str
    source: str
    name: str
    code: str
    geometry: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of a line of ``boundaries.jsonl``."""
        return {"context" if self.is_context else "id": self.target, "level": self.level,
                "country": self.country, "source": self.source, "name": self.name,
                "code": self.code, "geometry": self.geometry}

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Record:
        """The record of a line of ``boundaries.jsonl``."""
        is_context = "context" in row
        return cls(target=row["context"] if is_context else row["id"], is_context=is_context,
                   level=row["level"], country=row["country"], source=row["source"],
                   name=row["name"], code=row["code"], geometry=row["geometry"])


@dataclass(frozen=True, slots=True)
class Import:
    """One import of a boundary file, as the overlay's manifest lists it."""

    level: str
    country: str
    file: str
    sha256: str
    imported: str
    licence: str
    features: int
    units: int
    context: tuple[str, ...]
    unmatched: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of this entry of ``MANIFEST.json`` (the tuples become JSON lists)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Import:
        """The entry of a ``MANIFEST.json`` object."""
        return cls(**{**row, "context": tuple(row["context"]),
                      "unmatched": tuple(row["unmatched"])})


def folder_of(gazetteer_dir: Path) -> Path:
    """The overlay folder of a gazetteer folder."""
    return gazetteer_dir / OVERLAY_DIR


def lock(gazetteer_dir: Path) -> AbstractContextManager[None]:
    """The lock an import or a removal holds while it reads and writes the overlay."""
    return build_lock(folder_of(gazetteer_dir) / LOCK_DIR)


def read(gazetteer_dir: Path) -> tuple[list[Import], list[Record]]:
    """The imports and records of the overlay ([] and [] when there is none).

    Raises
    ------
    GazetteerError
        If the overlay is incomplete, corrupt or of another format.
    """
    folder = folder_of(gazetteer_dir)
    if not (folder / MANIFEST).exists():
        return [], []
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            msg = f"format {manifest.get('format')!r}, this geo reads format {FORMAT}"
            raise ValueError(msg)
        imports = [Import.from_dict(row) for row in manifest["imports"]]
        with (folder / BOUNDARIES).open(encoding="utf-8") as f:
            records = [Record.from_dict(json.loads(line)) for line in f if line.strip()]
    except (OSError, ValueError, KeyError, TypeError) as e:
        msg = (f"the boundary overlay in {str(folder)!r} cannot be read ({type(e).__name__}: "
               f"{e}); run 'geo gazetteer remove-boundaries' and import the files again")
        raise GazetteerError(msg) from e
    return imports, records


def replace(imports: Iterable[Import], records: Iterable[Record], new: Import,
            new_records: Iterable[Record]) -> tuple[list[Import], list[Record]]:
    """The overlay with ``new`` added last, after dropping an earlier import of the same file.

    The same file is one with the same name or the same content (sha256); its earlier records
    go with it. Records later in the list win, so the newest import redraws a unit last.
    """
    kept = [i for i in imports if i.file != new.file and i.sha256 != new.sha256]
    dropped = {i.file for i in imports} - {i.file for i in kept}
    rest = [r for r in records if r.source not in dropped]
    return [*kept, new], [*rest, *new_records]


def without(imports: Iterable[Import], records: Iterable[Record],
            file: str) -> tuple[list[Import], list[Record]]:
    """The overlay less the import of ``file`` (a source file name) and its records."""
    return ([i for i in imports if i.file != file], [r for r in records if r.source != file])


def dumps(obj: Any) -> str:
    """Compact JSON with sorted keys, as the overlay's and the bundled gazetteer's JSON files
    store it. (It lives here, not in ``_geometry``, because the store imports this module and
    must load without shapely.)"""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def write(gazetteer_dir: Path, imports: Iterable[Import], records: Iterable[Record]) -> list[Path]:
    """Write the overlay (both files renamed into place together; call under the folder's
    lock); the paths written.

    An overlay without imports is removed instead, which restores the bundled gazetteer.
    """
    imports = list(imports)
    if not imports:
        remove(gazetteer_dir)
        return []
    folder = folder_of(gazetteer_dir)
    lines = "".join(dumps(r.as_dict()) + "\n" for r in records)
    manifest = {"format": FORMAT, "imports": [i.as_dict() for i in imports]}
    files = {folder / BOUNDARIES: lines,
             folder / MANIFEST: json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"}
    write_all_atomic(files)
    return list(files)


def remove(gazetteer_dir: Path) -> None:
    """Delete the overlay's files and the temporary files a killed write left (call under the
    folder's lock). The folder and its lock file stay: the lock may be held, by this removal."""
    files = [folder_of(gazetteer_dir) / name for name in (MANIFEST, BOUNDARIES)]
    for path in files:  # the manifest first: read() never finds it without its records
        path.unlink(missing_ok=True)
    remove_leftovers(files)


def unit_offsets(gazetteer_dir: Path) -> dict[str, int]:
    """Byte offsets of the unit polygons in ``boundaries.jsonl``, by place id ({} if none).

    Re-read whenever the file changes, so a long-lived process sees a new import.
    """
    path = folder_of(gazetteer_dir) / BOUNDARIES
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    return _offsets(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _offsets(path: Path, mtime_ns: int, size: int) -> dict[str, int]:
    """The index of one version of ``boundaries.jsonl`` (the stamp is the cache key)."""
    out, pos = {}, 0
    with path.open("rb") as f:
        for n, line in enumerate(f, 1):
            try:
                row = json.loads(line)
            except ValueError as e:
                msg = (f"line {n} of {str(path)!r} is not JSON ({e}); run 'geo gazetteer "
                       "remove-boundaries' and import the files again")
                raise GazetteerError(msg) from e
            if "id" in row:
                out[row["id"]] = pos
            pos += len(line)
    return out


def geometry_at(gazetteer_dir: Path, offset: int) -> dict[str, Any]:
    """The geometry of the record starting at ``offset`` in ``boundaries.jsonl``."""
    with (folder_of(gazetteer_dir) / BOUNDARIES).open("rb") as f:
        f.seek(offset)
        geometry: dict[str, Any] = json.loads(f.readline())["geometry"]
    return geometry


def apply_context(context: dict[str, Any], gazetteer_dir: Path) -> dict[str, Any]:
    """The context layers with every feature the overlay redraws replaced (a new object).

    When several imports redraw a feature, the latest wins. A redrawn feature is no longer
    ``approx`` and its ``boundary`` names the imported file.
    """
    _, records = read(gazetteer_dir)
    latest = {r.target: r for r in records if r.is_context}
    if not latest:
        return context
    out = copy.deepcopy(context)
    for feat in out["features"]:
        rec = latest.get(feat["properties"].get("id", ""))
        if rec is not None:
            feat["geometry"] = rec.geometry
            feat["properties"]["approx"] = False
            feat["properties"]["boundary"] = f"{rec.source} (imported, {rec.level})"
    return out


def geocoded_path(gazetteer_dir: Path) -> Path:
    """The file of the geocoder's answers kept in the overlay."""
    return folder_of(gazetteer_dir) / GEOCODED_DIR / GEOCODED


def read_geocoded(gazetteer_dir: Path) -> list[dict[str, Any]]:
    """The geocoder's answers kept in the overlay, one dict a line ([] when there are none).

    Raises
    ------
    GazetteerError
        If the file is not JSON Lines of objects.
    """
    path = geocoded_path(gazetteer_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    try:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        if not all(isinstance(row, dict) for row in rows):
            msg = "a line is not a JSON object"
            raise ValueError(msg)
    except ValueError as e:
        msg = (f"the geocoded names in {str(path)!r} cannot be read ({e}); run 'geo gazetteer "
               "remove-geocoded' and build with --geocoder again")
        raise GazetteerError(msg) from e
    return rows


def write_geocoded(gazetteer_dir: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Write the geocoder's answers, one line each in the order given (atomically; call under
    :func:`lock`); with none, delete the file."""
    path = geocoded_path(gazetteer_dir)
    lines = "".join(dumps(row) + "\n" for row in rows)
    remove_leftovers([path])
    if lines:
        write_all_atomic({path: lines})
    else:
        path.unlink(missing_ok=True)
