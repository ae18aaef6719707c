"""The build cache in ``<out>/.geo-cache/``: extractions by content hash, the page's skeleton and
the output stamp.

Every entry is keyed by a *fingerprint* of what could change it, so a stale result is never
served, and sealed with the digest of its own text (see :func:`seal`), so a truncated or
damaged entry is a miss, never a broken page. Both fingerprints cover the gazetteer files (name, size and modification time, and the
manifests' text), geo's code and bundled tables, and the Python version; the *render*
fingerprint adds the page's static files and the versions of the packages that shape the map.
So upgrading folium or editing the page's CSS renders the map again but keeps every cached
extraction. Entries are written atomically and content-addressed, so two processes sharing a
cache cannot corrupt it; an entry that cannot be read is a miss.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from itertools import chain
from pathlib import Path
from typing import Any

from geo._io import write_atomic, writing
from geo._map_ui import sentence_list
from geo.aggregate import Mapped, Named
from geo.gazetteer import overlay, sources
from geo.records import MappedPlace, Mention, Place

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


def _code_files(*, pages: bool) -> list[Path]:
    """geo's files (code and bundled tables); with ``pages``, also ``static/``, which only the
    rendered page uses."""
    return sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts and (pages or "static" not in p.parts))


def _file_state(paths: Iterable[Path]) -> Iterator[bytes]:
    """Each file's name and content hash."""
    for path in paths:
        yield f"{path.relative_to(PACKAGE_DIR)}\0".encode()
        yield hashlib.sha256(path.read_bytes()).digest()


def _gazetteer_state(gazetteer_dir: Path) -> Iterator[bytes]:
    """The gazetteer's and its overlay's files (name, size, modification time) and both
    manifests' text: the bundled gazetteer's and that of the boundaries imported over it."""
    imported = overlay.folder_of(gazetteer_dir)
    for folder in (gazetteer_dir, imported):
        for path in sorted(p for p in folder.glob("*") if p.is_file()):
            st = path.stat()
            yield f"{path.name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode()
    for manifest in (gazetteer_dir / "MANIFEST.json", imported / overlay.MANIFEST):
        if manifest.exists():
            yield manifest.read_bytes()


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
    return h.hexdigest()


@lru_cache(maxsize=8)
def extraction_fingerprint(gazetteer_dir: Path) -> str:
    """A hash of what an article's extraction depends on: the gazetteer, geo's code and tables
    (not the page's static files), and Python."""
    return _digest(chain([b"extraction\0", sys.version.encode()], _gazetteer_state(gazetteer_dir),
                         _file_state(_code_files(pages=False))))


@lru_cache(maxsize=8)
def render_fingerprint(gazetteer_dir: Path) -> str:
    """A hash of what the outputs depend on besides the articles: the gazetteer, all of geo's
    files, Python and the map packages."""
    return _digest(chain([b"render\0", sys.version.encode()], _gazetteer_state(gazetteer_dir),
                         _file_state(_code_files(pages=True)),
                         ["\0".join(_package_versions()).encode()]))


def text_key(fp: str, text: str) -> str:
    """The cache key of one article's extraction: the extraction fingerprint and the text's
    hash."""
    return hashlib.sha256(f"{fp}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


SEAL = "\n#geo-cache sha256:"


def seal(text: str) -> str:
    """``text`` with a last line holding its digest, as every cache entry is written."""
    return f"{text}{SEAL}{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()}\n"


def unseal(sealed: str) -> str | None:
    """The text :func:`seal` sealed, or None when the entry is truncated, damaged or not
    sealed."""
    text, mark, digest = sealed.rpartition(SEAL)
    if not mark or digest != hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() + "\n":
        return None
    return text


def _seal_bytes(data: bytes) -> bytes:
    """:func:`seal` for bytes (UTF-8 text): the same last line."""
    return data + f"{SEAL}{hashlib.sha256(data).hexdigest()}\n".encode()


def _unseal_bytes(sealed: bytes) -> bytes | None:
    """:func:`unseal` for bytes: the bytes :func:`_seal_bytes` sealed."""
    data, mark, digest = sealed.rpartition(SEAL.encode())
    if not mark or digest != hashlib.sha256(data).hexdigest().encode() + b"\n":
        return None
    return data


def _read_sealed(path: Path) -> str | None:
    """The sealed text in ``path``, or None (missing, unreadable, damaged)."""
    try:
        # bytes decoded as they are: read_text would turn any "\r" into "\n"
        return unseal(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


_FIELDS: dict[type, tuple[str, ...]] = {}  # a record class's field names (fields() is slow)


def _record(obj: Any) -> dict[str, Any]:
    names = _FIELDS.get(type(obj))
    if names is None:
        names = _FIELDS[type(obj)] = tuple(f.name for f in fields(obj))
    return {name: getattr(obj, name) for name in names}


def encode_data(mentions: Iterable[Mention]) -> dict[str, Any]:
    """The JSON value of an extraction; each distinct place is stored once, with its fields."""
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
    return {"places": table, "mentions": rows}


def encode(mentions: Iterable[Mention]) -> str:
    """The JSON text of an extraction (see :func:`encode_data`)."""
    return json.dumps(encode_data(mentions), ensure_ascii=False, sort_keys=True)


@lru_cache(maxsize=65_536)
def _known_place(fields: tuple[tuple[str, Any], ...]) -> Place:
    return Place(**dict(fields))


def _place(fields: dict[str, Any]) -> Place:
    """The Place of these fields: one record per place however many articles name it."""
    return _known_place(tuple(fields.items()))


def decode_data(data: Any) -> tuple[Mention, ...]:
    """The mentions :func:`encode_data` stored.

    Raises
    ------
    ValueError, KeyError, TypeError, IndexError
        When the value is not one :func:`encode_data` wrote.
    """
    table = [_place(p) for p in data["places"]]
    out = []
    for row in data["mentions"]:
        row = dict(row)
        index = row.pop("place")
        if index is not None and not 0 <= index < len(table):
            msg = f"place index {index!r} out of range"
            raise IndexError(msg)
        out.append(Mention(place=None if index is None else table[index], **row))
    return tuple(out)


def decode(text: str) -> tuple[Mention, ...]:
    """The mentions :func:`encode` stored (raises as :func:`decode_data` does)."""
    return decode_data(json.loads(text))


def load(folder: Path, key: str) -> tuple[Mention, ...] | None:
    """The cached extraction under ``key``, or None (missing, unreadable or damaged)."""
    text = _read_sealed(folder / "extract" / f"{key}.json")
    if text is None:
        return None
    try:
        return decode(text)
    except (ValueError, KeyError, TypeError, IndexError, RecursionError):
        return None


def store(folder: Path, key: str, mentions: Iterable[Mention]) -> None:
    """Keep an extraction under ``key``."""
    # sealed: one a crash tears is a miss, so it is not flushed to disk (one fsync an article
    # would cost a first build more time than its extraction)
    write_atomic(folder / "extract" / f"{key}.json", seal(encode(mentions)), durable=False)


def prune(folder: Path, keep: Iterable[str]) -> None:
    """Remove the extractions not in ``keep`` (articles gone or code changed), and the
    temporary files a killed build left in the cache (call under the build lock)."""
    wanted = {f"{k}.json" for k in keep}
    for path in (folder / "extract").glob("*.json"):
        if path.name not in wanted:
            path.unlink(missing_ok=True)
    for leftover in (*folder.glob(".*.tmp"), *folder.glob("*/.*.tmp")):
        leftover.unlink(missing_ok=True)


def load_text(folder: Path, name: str, key: str) -> str | None:
    """The text kept under ``name`` for ``key`` by :func:`keep_text`, or None (none kept,
    kept for another key, or unreadable)."""
    return _read_sealed(folder / "text" / f"{name}.{key}.txt")


def has_text(folder: Path, name: str, key: str) -> bool:
    """Whether a text is kept under ``name`` for ``key`` (it may still be damaged)."""
    return (folder / "text" / f"{name}.{key}.txt").is_file()


def keep_text(folder: Path, name: str, key: str, text: str) -> None:
    """Keep ``text`` under ``name`` for ``key``; only the latest key of each name is kept."""
    entries = folder / "text"
    for old in entries.glob(f"{name}.*.txt"):
        old.unlink(missing_ok=True)
    # sealed, so not flushed to disk: one a crash tears is a miss (see store)
    write_atomic(entries / f"{name}.{key}.txt", seal(text), durable=False)


def load_json(folder: Path, name: str, key: str) -> Any:
    """The JSON value kept under ``name`` for ``key`` by :func:`keep_json`, or None."""
    text = load_text(folder, name, key)
    try:
        return None if text is None else json.loads(text)
    except ValueError:
        return None


def keep_json(folder: Path, name: str, key: str, value: Any) -> None:
    """Keep a JSON value under ``name`` for ``key`` (only the latest key of a name is kept)."""
    keep_text(folder, name, key, json.dumps(value, ensure_ascii=False, separators=(",", ":")))


_PLACE_FIELDS = tuple(f.name for f in fields(Place))  # in the order Place takes them
_PLACE_WIDTH = len(_PLACE_FIELDS)


@dataclass(frozen=True, slots=True)
class MapRow:
    """What one article gives the map, as kept in the rows file: ``entries`` the JSON text of
    its places (per place its fields in _PLACE_FIELDS' order, mentions, names and sentence
    number, in one flat list), read only when the map's places are made from the rows (see
    :func:`decode_named`); ``count`` and ``sentences`` its sentences as
    ``geo.render.Sentences`` holds them (the page's data is made of that text as it is)."""

    entries: str
    count: int
    sentences: str


def encode_named(mapped: Mapped) -> MapRow:
    """The row of what one article gives the map (see :class:`MapRow`)."""
    entries = [[*(getattr(n.place, f) for f in _PLACE_FIELDS), n.mentions, list(n.names),
                n.sentence] for n in mapped.places]
    return MapRow(_compact(entries), *sentence_list(mapped.sentences))


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def decode_named(row: MapRow, places: dict[str, Place]) -> tuple[Named, ...]:
    """The places :func:`encode_named` stored. ``places`` holds the Place of each id seen so
    far: one record per place however many articles name it (the rows of one extraction
    fingerprint come from one gazetteer, which has one record per id).

    Raises
    ------
    ValueError, KeyError, TypeError, IndexError
        When the row is not one :func:`encode_named` wrote.
    """
    out = []
    for entry in json.loads(row.entries):
        place = places.get(entry[0])
        if place is None:
            place = places[entry[0]] = Place(*entry[:_PLACE_WIDTH])
        mentions, names, sentence = entry[_PLACE_WIDTH:]
        if not 0 <= sentence < row.count:
            msg = f"sentence {sentence!r} of a row of the map out of range"
            raise IndexError(msg)
        out.append(Named(place, mentions, tuple(names), sentence))
    return tuple(out)


def keep_places(folder: Path, key: str, articles: Sequence[tuple[str, str]],
                places: Sequence[MappedPlace]) -> None:
    """Keep the map's places (``geo.aggregate.places_of`` of the map's rows) made from
    ``articles`` (id and extraction key, in order) under ``key``; only the latest key is
    kept."""
    number = {aid: i for i, (aid, _) in enumerate(articles)}
    value = {"articles": [list(a) for a in articles],
             "places": [[*(getattr(mp.place, f) for f in _PLACE_FIELDS), mp.mentions,
                         list(mp.names), [number[a] for a in mp.articles], list(mp.said)]
                        for mp in places]}
    keep_json(folder, "map-places", key, value)


def load_places(folder: Path, key: str) -> tuple[list[tuple[str, str]], list[MappedPlace]]:
    """What :func:`keep_places` kept under ``key``: the articles and the places made from
    them; none when none are kept (or for another key, or damaged)."""
    kept = load_json(folder, "map-places", key)
    try:
        articles = [(aid, k) for aid, k in kept["articles"]]
        out = []
        for entry in kept["places"]:
            mentions, names, numbers, said = entry[_PLACE_WIDTH:]
            out.append(MappedPlace(place=Place(*entry[:_PLACE_WIDTH]), mentions=mentions,
                                   articles=tuple(articles[i][0] for i in numbers),
                                   names=tuple(names), said=tuple(said)))
    except (TypeError, KeyError, ValueError, IndexError):
        return [], []
    return articles, out


def _features_file(folder: Path, key: str) -> Path:
    return folder / "text" / f"features.{key}.txt"


Features = tuple[list[tuple[str, str]], dict[str, bytes]]


def load_features(folder: Path, key: str) -> Features:
    """What :func:`keep_features` kept for ``key``: the articles (id and extraction key, in
    order) the lines were made from, and each place's line by its id; none when none are
    kept (or for another key, or damaged)."""
    try:
        data = _unseal_bytes(_features_file(folder, key).read_bytes())
    except OSError:
        data = None
    if not data:
        return [], {}
    head, _, body = data.partition(b"\n")
    try:
        kept = json.loads(head)
        lines = body.split(b"\n") if body else []
        if len(lines) != len(kept["places"]):
            return [], {}
        return [(a, k) for a, k in kept["articles"]], dict(zip(kept["places"], lines))
    except (ValueError, TypeError, KeyError):
        return [], {}


def keep_features(folder: Path, key: str, articles: Iterable[tuple[str, str]],
                  lines: dict[str, bytes]) -> None:
    """Keep each place's line of ``places.geojson`` (UTF-8, no newline) by its id, made from
    ``articles`` (id and extraction key, in order), under ``key``; only the latest key is
    kept."""
    head = json.dumps({"articles": list(articles), "places": list(lines)}).encode()
    data = head + b"\n" + b"\n".join(lines.values())
    for old in (folder / "text").glob("features.*.txt"):
        old.unlink(missing_ok=True)
    # sealed, so not flushed to disk (see store)
    write_atomic(_features_file(folder, key), _seal_bytes(data), durable=False)


def _rows_file(folder: Path, key: str) -> Path:
    return folder / "text" / f"map-rows.{key}.jsonl"


def load_rows(folder: Path, fp: str) -> dict[str, MapRow]:
    """The rows kept under the key ``fp`` (a fingerprint) by :func:`keep_rows`, by key; a line
    that cannot be read (a build killed while appending it) is left out. The places of a row
    are left as text (see :class:`MapRow`)."""
    try:
        # split at "\n" only: the JSON text may hold U+2028 and the like, which splitlines
        # would split at
        lines = _rows_file(folder, fp).read_bytes().decode("utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return {}
    out = {}
    for line in lines:
        key, _, rest = line.partition("\t")
        value, _, digest = rest.rpartition("\t")
        if not digest or digest != _row_digest(key, value):  # truncated, damaged or not a row
            continue
        entries, count, sentences = (value.split("\t") + ["", ""])[:3]
        if count.isdigit() and sentences.startswith("[") and entries.startswith("["):
            out[key] = MapRow(entries, int(count), sentences)
    return out


def _row_digest(key: str, value: str) -> str:
    return hashlib.sha256(f"{key}\t{value}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _lines(rows: dict[str, MapRow]) -> str:
    """Each row as a line ``key TAB entries TAB count TAB sentences TAB digest`` (JSON text
    holds no tab or newline: those are escaped in its strings)."""
    out = []
    for key, row in rows.items():
        value = f"{row.entries}\t{row.count}\t{row.sentences}"
        out.append(f"{key}\t{value}\t{_row_digest(key, value)}\n")
    return "".join(out)


def keep_rows(folder: Path, fp: str, rows: dict[str, MapRow], *,
              kept: dict[str, MapRow]) -> None:
    """Keep ``rows`` (by key, a line each) for ``fp``, where ``kept`` are the rows
    :func:`load_rows` read: the new ones are appended when none went, else all are written
    anew (and other fingerprints' rows removed)."""
    path = _rows_file(folder, fp)
    if kept and kept.keys() <= rows.keys():
        with writing(path), path.open("a", encoding="utf-8") as f:
            f.write(_lines({k: v for k, v in rows.items() if k not in kept}))
        return
    for old in path.parent.glob("map-rows.*.jsonl"):
        old.unlink(missing_ok=True)
    write_atomic(path, _lines(rows))


def file_hash(path: Path) -> str | None:
    """The sha256 of a file's bytes, or None if it cannot be read."""
    try:
        return sources.sha256(path)
    except OSError:
        return None


def outputs_current(folder: Path, key: str, outputs: Iterable[Path]) -> dict[str, Any] | None:
    """The summary stamped with the outputs if they were written from inputs with this
    ``key`` and are unchanged since, else None."""
    try:
        stamp = json.loads((folder / STAMP).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("key") != key:
        return None
    files = stamp.get("files", {})
    summary = stamp.get("summary")
    if not isinstance(summary, dict) or not all(files.get(p.name) == file_hash(p)
                                                for p in outputs):
        return None
    return summary


def stamp_outputs(folder: Path, key: str, written: dict[Path, bytes],
                  summary: dict[str, Any]) -> None:
    """Record that the outputs now hold ``written``, the bytes inputs with this ``key`` give,
    and what the build found (``summary``, JSON), to report when nothing changed."""
    files = {p.name: hashlib.sha256(data).hexdigest() for p, data in written.items()}
    # not flushed to disk: a stamp a crash tears or loses is not JSON, or does not match the
    # outputs' hashes, and the next build renders them again
    write_atomic(folder / STAMP, json.dumps({"key": key, "files": files, "summary": summary},
                                            sort_keys=True, ensure_ascii=False), durable=False)
