"""The build cache in ``<out>/.geo-cache/``: extractions by content hash, and the output stamp.

Every entry is keyed by a *fingerprint* of what could change a result: geo's own source files
(the code and its bundled tables), the gazetteer files (name, size, modification time, and the
manifest's text) and the versions of the packages that shape the map. Change any of them and
every entry misses, so a stale result is never served. Entries are written atomically and
content-addressed, so two processes sharing a cache cannot corrupt it; an entry that cannot be
read is a miss.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import fields
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from geo._io import write_atomic
from geo.records import Mention, Place

PACKAGE_DIR = Path(__file__).resolve().parent
MAP_PACKAGES = ("folium", "branca", "jinja2", "xstatic-leaflet",
                "xstatic-leaflet-markercluster")
STAMP = "outputs.json"


def cache_dir(out_dir: Path) -> Path:
    """Where the cache of the outputs in ``out_dir`` lives."""
    return out_dir / ".geo-cache"


def _package_versions() -> list[str]:
    out = []
    for name in MAP_PACKAGES:
        try:
            out.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            out.append(f"{name}==?")
    return out


@lru_cache(maxsize=8)
def fingerprint(gazetteer_dir: Path) -> str:
    """A hash of the code, the gazetteer and the map packages a build's results depend on."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(f"{path.relative_to(PACKAGE_DIR)}\0".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    for path in sorted(gazetteer_dir.glob("*")):
        st = path.stat()
        h.update(f"{path.name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    for manifest in (gazetteer_dir / "MANIFEST.json",  # the bundled gazetteer and the
                     gazetteer_dir / "overrides" / "MANIFEST.json"):  # boundaries imported over it
        if manifest.exists():
            h.update(manifest.read_bytes())
    h.update("\0".join(_package_versions()).encode())
    return h.hexdigest()


def text_key(fp: str, text: str) -> str:
    """The cache key of one article's extraction: the fingerprint and the text's hash."""
    return hashlib.sha256(f"{fp}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


def _record(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def encode(mentions: Iterable[Mention]) -> str:
    """The JSON form of an extraction; each distinct place is stored once, with its fields."""
    places: dict[str, int] = {}
    table: list[dict[str, Any]] = []
    rows = []
    for m in mentions:
        row = _record(m)
        if m.place is not None:
            if m.place.id not in places:
                places[m.place.id] = len(table)
                table.append(_record(m.place))
            row["place"] = places[m.place.id]
        rows.append(row)
    return json.dumps({"places": table, "mentions": rows}, ensure_ascii=False, sort_keys=True)


def decode(text: str) -> tuple[Mention, ...]:
    """The mentions :func:`encode` stored.

    Raises
    ------
    ValueError, KeyError, TypeError
        When the entry is not one :func:`encode` wrote.
    """
    data = json.loads(text)
    table = [Place(**p) for p in data["places"]]
    out = []
    for row in data["mentions"]:
        index = row.pop("place")
        out.append(Mention(place=None if index is None else table[index], **row))
    return tuple(out)


def load(folder: Path, key: str) -> tuple[Mention, ...] | None:
    """The cached extraction under ``key``, or None (missing or unreadable)."""
    try:
        return decode((folder / "extract" / f"{key}.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(folder: Path, key: str, mentions: Iterable[Mention]) -> None:
    """Keep an extraction under ``key``."""
    write_atomic(folder / "extract" / f"{key}.json", encode(mentions))


def prune(folder: Path, keep: Iterable[str]) -> int:
    """Remove the extractions not in ``keep`` (articles gone or code changed); how many."""
    wanted = {f"{k}.json" for k in keep}
    gone = 0
    for path in (folder / "extract").glob("*.json"):
        if path.name not in wanted:
            path.unlink(missing_ok=True)
            gone += 1
    return gone


def compact_json(folder: Path, fp: str, source: Path) -> str:
    """A JSON file's content as compact JSON text, kept in the cache under the fingerprint.

    The text is always ``json.dumps`` output (never the file's own bytes), so it can be
    embedded in a page as a JavaScript value; only the entry for the current ``fp`` is kept.
    """
    text = load_text(folder, source.stem, fp)
    if text is None:
        text = json.dumps(json.loads(source.read_text("utf-8")), ensure_ascii=False,
                          separators=(",", ":"))
        keep_text(folder, source.stem, fp, text)
    return text


def load_text(folder: Path, name: str, key: str) -> str | None:
    """The text kept under ``name`` for ``key`` by :func:`keep_text`, or None (none kept,
    kept for another key, or unreadable)."""
    try:
        # bytes decoded as they are: read_text would turn any "\r" into "\n"
        return (folder / "text" / f"{name}.{key}.txt").read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def keep_text(folder: Path, name: str, key: str, text: str) -> None:
    """Keep ``text`` under ``name`` for ``key``; only the latest key of each name is kept."""
    entries = folder / "text"
    for old in entries.glob(f"{name}.*.txt"):
        old.unlink(missing_ok=True)
    write_atomic(entries / f"{name}.{key}.txt", text)


def file_hash(path: Path) -> str | None:
    """The sha256 of a file's bytes, or None if it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def outputs_current(folder: Path, key: str, outputs: Iterable[Path]) -> bool:
    """Whether the outputs were written from inputs with this ``key`` and are unchanged since."""
    try:
        stamp = json.loads((folder / STAMP).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict) or stamp.get("key") != key:
        return False
    files = stamp.get("files", {})
    return all(files.get(p.name) == file_hash(p) for p in outputs)


def stamp_outputs(folder: Path, key: str, written: dict[Path, str]) -> None:
    """Record that the outputs now hold ``written``, the texts inputs with this ``key`` give."""
    files = {p.name: hashlib.sha256(text.encode("utf-8")).hexdigest()
             for p, text in written.items()}
    write_atomic(folder / STAMP, json.dumps({"key": key, "files": files}, sort_keys=True))
