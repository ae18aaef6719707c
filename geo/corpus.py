"""Corpora: articles in (JSON Lines, Parquet with ``id``/``text`` columns, or a folder of
articles as ``seeds/``), cut into partitions; mentions out, as JSON Lines (the form
``geo extract`` has always written), Parquet or GeoParquet, one row per mention.

A partition (:class:`Batch`) holds each article's id and text with its label, its position
in the input (0, 1, 2, ... over the good rows); its mentions (:class:`Mentions`) have the
columns of :data:`MENTION_COLUMNS`, each mention keeping its article's label, as
``DataFrame.explode`` keeps the index. Both are plain columns, so that a build imports no
pandas; each turns into a DataFrame for pandas and Dask. Rows that cannot be read are
reported by line (or row, or file) and id, and the others go on.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from geo import articles
from geo._io import replace_atomic
from geo.errors import ExportError, InputError
from geo.gazetteer.store import Gazetteer
from geo.records import Article, Mention

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow

PARTITION_ROWS = 500  # articles per partition: fixed, so outputs never depend on the parallelism
STDIN = "-"
META_KEYS = ("title", "source", "url", "date")
# column -> (pandas dtype, Arrow type name); every string column may hold None
MENTION_COLUMNS: dict[str, tuple[str, str]] = {
    "article": ("object", "string"),  # the article's id (JSON text when it is not a string)
    "lang": ("object", "string"),  # the article's language (a code of geo.languages)
    "start": ("int64", "int64"),  # offsets into the text
    "end": ("int64", "int64"),
    "name": ("object", "string"),  # as written
    "role": ("object", "string"),  # name, demonym or org
    "place_id": ("object", "string"),  # None when unresolved, as are the columns below
    "place": ("object", "string"),
    "kind": ("object", "string"),
    "country": ("object", "string"),
    "lat": ("float64", "float64"),
    "lon": ("float64", "float64"),
    "score": ("float64", "float64"),  # unrounded (JSON Lines rounds it to 3 places)
    "sentence": ("object", "string"),
}
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
FORMATS = {"jsonl": (".jsonl", ".json", ".ndjson"), "parquet": (".parquet",),
           "geoparquet": (".geoparquet",)}


@dataclass(frozen=True, slots=True)
class Row:
    """One article of a corpus: its id as the input gives it, its text and metadata."""

    ident: Any
    text: str
    meta: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that cannot be extracted: where it is, its id if it has one, and why."""

    where: str
    ident: Any
    reason: str

    def message(self) -> str:
        """The line a user reads."""
        who = "" if self.ident is None else f" (id {self.ident!r})"
        return f"{self.where}: {self.reason}{who}"


def kind_of(source: str) -> str:
    """``folder``, ``parquet`` or ``jsonl`` (also for ``-``, standard input)."""
    if source != STDIN and Path(source).is_dir():
        return "folder"
    return "parquet" if Path(source).suffix.lower() in (".parquet", ".pq") else "jsonl"


def read(source: str, *, max_bytes: int, stdin: IO[str] | None = None, need_text: bool = True,
         ) -> Iterator[Row | BadRow]:
    """The rows of a corpus: JSON Lines (a file, or ``-`` for ``stdin``, by default
    standard input), Parquet with
    ``id``/``text`` columns, or a folder of articles. ``need_text=False`` reads metadata only.

    Raises
    ------
    InputError
        When the source does not exist or a Parquet file lacks the ``id`` column.
    """
    kind = kind_of(source)
    if source != STDIN and not Path(source).exists():
        msg = f"no such corpus {source!r}; give a JSON Lines or Parquet file, or a folder"
        raise InputError(msg)
    if kind == "folder":
        return _folder(Path(source), max_bytes=max_bytes)
    if kind == "parquet":
        return _parquet(Path(source), need_text=need_text)
    if source == STDIN:
        return _jsonl(stdin or sys.stdin, "standard input", need_text=need_text)
    return _jsonl_file(Path(source), need_text=need_text)


def _jsonl_file(path: Path, *, need_text: bool) -> Iterator[Row | BadRow]:
    with path.open(encoding="utf-8", errors="replace") as f:
        yield from _jsonl(f, str(path), need_text=need_text)


def _meta(row: Mapping[str, Any]) -> dict[str, str]:
    return {k: row[k] for k in META_KEYS if isinstance(row.get(k), str)}


def _checked(where: str, row: Any, *, need_text: bool) -> Row | BadRow:
    """A decoded row as a Row, or why it is not one. Lone surrogates (which no UTF-8 output
    can hold) are replaced by U+FFFD, which keeps every offset."""
    if not isinstance(row, dict) or "id" not in row:
        return BadRow(where, None, "not a JSON object with 'id' and 'text'")
    ident, text = row["id"], row.get("text", "" if not need_text else None)
    if isinstance(ident, (list, dict)):
        return BadRow(where, None, f"'id' must be a string or a number, got {ident!r:.60}")
    if text is None:
        return BadRow(where, ident, "no 'text'; give each row its article's text")
    if not isinstance(text, str):
        return BadRow(where, ident, f"'text' must be a string, got {type(text).__name__}")
    if isinstance(ident, str):
        ident = _SURROGATE_RE.sub("\ufffd", ident)
    return Row(ident, _SURROGATE_RE.sub("\ufffd", text), _meta(row))


def _jsonl(lines: Iterable[str], name: str, *, need_text: bool) -> Iterator[Row | BadRow]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name} line {n}"
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as e:
            why = "nested too deeply" if isinstance(e, RecursionError) else str(e)
            yield BadRow(where, None, f"{line.strip()[:80]!r} is not a JSON object with 'id' "
                                      f"and 'text' ({why})")
            continue
        yield _checked(where, row, need_text=need_text)


def _parquet(path: Path, *, need_text: bool) -> Iterator[Row | BadRow]:
    pq = pyarrow_parquet()
    file = pq.ParquetFile(path)
    names = set(file.schema_arrow.names)
    needed = {"id", "text"} if need_text else {"id"}
    if not needed <= names:
        msg = (f"{str(path)!r} has the columns {sorted(names)}; geo needs "
               f"{' and '.join(sorted(needed))}")
        raise InputError(msg)
    columns = [c for c in ("id", "text", *META_KEYS) if c in names]
    n = 0
    for batch in file.iter_batches(columns=columns, batch_size=PARTITION_ROWS):
        for row in batch.to_pylist():
            n += 1
            yield _checked(f"{path} row {n}", row, need_text=need_text)


def _folder(folder: Path, *, max_bytes: int) -> Iterator[Row | BadRow]:
    for item in articles.read_all(folder, max_bytes=max_bytes):
        if isinstance(item, articles.Skipped):
            yield BadRow(str(item.path), None, item.reason)
        elif isinstance(item, Article):
            yield Row(item.id, item.text, {k: getattr(item, k) for k in META_KEYS})


@dataclass(frozen=True, slots=True)
class Batch:
    """A partition of a corpus as plain columns: each article's label (its position in the
    input), id and text. ``frame`` and ``batch_of`` turn it to and from pandas."""

    labels: tuple[int, ...]
    ids: tuple[Any, ...]
    texts: tuple[Any, ...]
    langs: tuple[str, ...] = ()  # each article's language if its input says it ("" detects)

    def __len__(self) -> int:
        return len(self.labels)

    def lang(self, i: int) -> str:
        """The language the input gives the ``i``-th article ("": detect it)."""
        return self.langs[i] if i < len(self.langs) else ""

    def frame(self) -> pd.DataFrame:
        """The partition as a DataFrame with ``id`` and ``text``, indexed by label."""
        import pandas as pd

        index = pd.Index(self.labels, dtype="int64")
        return pd.DataFrame({"id": pd.Series(self.ids, dtype=object, index=index),
                             "text": pd.Series(self.texts, dtype=object, index=index)},
                            index=index)


def batch_of(frame: pd.DataFrame) -> Batch:
    """The Batch of a DataFrame with ``id`` and ``text`` columns (its index as labels)."""
    return Batch(tuple(frame.index.tolist()), tuple(frame["id"].tolist()),
                 tuple(frame["text"].tolist()))


def partitions(rows: Iterable[Row | BadRow], *, on_bad: Callable[[BadRow], None],
               size: int | None = None) -> Iterator[Batch]:
    """The good rows in partitions of ``size`` (default PARTITION_ROWS); each bad row goes to
    ``on_bad`` as it is met."""
    size = size or PARTITION_ROWS
    batch: list[Row] = []
    start = 0

    def cut() -> Batch:
        return Batch(tuple(range(start, start + len(batch))), tuple(r.ident for r in batch),
                     tuple(r.text for r in batch), tuple(r.meta.get("lang", "") for r in batch))

    for row in rows:
        if isinstance(row, BadRow):
            on_bad(row)
            continue
        batch.append(row)
        if len(batch) == size:
            yield cut()
            start += size
            batch = []
    if batch:
        yield cut()


def article_key(ident: Any) -> str:
    """An article id as the ``article`` column holds it: a string as it is, else its JSON."""
    return ident if isinstance(ident, str) else json.dumps(ident, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Mentions:
    """The mentions of a partition as plain columns (those of :data:`MENTION_COLUMNS`, None
    where a mention has no place), with each mention's article label in ``index``."""

    index: list[int]
    columns: dict[str, list[Any]]
    langs: dict[int, str] = field(default_factory=dict)  # each article's language, by label

    def __len__(self) -> int:
        return len(self.index)

    def frame(self) -> pd.DataFrame:
        """The mentions as a DataFrame (NaN coordinates where unresolved), indexed by label."""
        import pandas as pd

        index = pd.Index(self.index, dtype="int64")
        return pd.DataFrame({c: pd.Series(v, dtype=MENTION_COLUMNS[c][0], index=index)
                             for c, v in self.columns.items()}, index=index)

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(article label, column -> value) per mention."""
        for i, label in enumerate(self.index):
            yield label, {c: v[i] for c, v in self.columns.items()}


def empty_mentions() -> pd.DataFrame:
    """A mentions frame with no rows (the ``meta`` Dask needs)."""
    return mention_columns(()).frame()


def mention_columns(found: Iterable[tuple[int, str, str, Sequence[Mention]]]) -> Mentions:
    """The Mentions of (article label, article key, language, mentions) rows."""
    cols: dict[str, list[Any]] = {c: [] for c in MENTION_COLUMNS}
    index: list[int] = []
    langs: dict[int, str] = {}
    for label, key, lang, mentions in found:
        langs[label] = lang
        for m in mentions:
            p = m.place
            index.append(label)
            cols["article"].append(key)
            cols["lang"].append(lang)
            cols["start"].append(m.start)
            cols["end"].append(m.end)
            cols["name"].append(m.text)
            cols["role"].append(m.role)
            cols["place_id"].append(p and p.id)
            cols["place"].append(p and p.name)
            cols["kind"].append(p and p.kind)
            cols["country"].append(p and p.country)
            cols["lat"].append(p and p.lat)
            cols["lon"].append(p and p.lon)
            cols["score"].append(m.score)
            cols["sentence"].append(m.sentence)
    return Mentions(index, cols, langs)


def mentions_of(found: Mentions, gaz: Gazetteer) -> dict[int, tuple[Mention, ...]]:
    """The Mention records of a partition's mentions, by article label; places from the
    gazetteer."""
    out: dict[int, list[Mention]] = {}
    for label, r in found.records():
        out.setdefault(label, []).append(_mention(r, gaz))
    return {label: tuple(ms) for label, ms in out.items()}


def _mention(r: Mapping[str, Any], gaz: Gazetteer) -> Mention:
    """The Mention record of a mention row.

    Raises
    ------
    InputError
        When its place id is not in this gazetteer (the row came from another one).
    """
    place = None if r["place_id"] is None else gaz.place(r["place_id"])
    if r["place_id"] is not None and place is None:
        msg = (f"article {r['article']!r}: place {r['place_id']!r} is not in the gazetteer "
               f"{str(gaz.folder)!r}; build with the gazetteer the mentions came from")
        raise InputError(msg)
    return Mention(start=r["start"], end=r["end"], text=r["name"], place=place,
                   score=r["score"], role=r["role"], sentence=r["sentence"] or "")


def _json_mention(r: Mapping[str, Any]) -> dict[str, Any]:
    """A mention in the ``geo extract`` JSON form (that of ``Mention.as_dict``)."""
    return {"start": r["start"], "end": r["end"], "name": r["name"], "lat": r["lat"],
            "lon": r["lon"], "id": r["place_id"], "kind": r["kind"], "country": r["country"],
            "score": round(r["score"], 3), "role": r["role"]}


def jsonl_lines(part: Batch, found: Mentions, skip: frozenset[int] = frozenset(),
                ) -> Iterator[str]:
    """One ``{"id", "lang", "mentions"}`` line per article of the partition (those in
    ``skip``, whose extraction failed, left out)."""
    by_label: dict[int, list[dict[str, Any]]] = {}
    for label, r in found.records():
        by_label.setdefault(label, []).append(_json_mention(r))
    for label, ident in zip(part.labels, part.ids, strict=True):
        if label not in skip:
            yield json.dumps({"id": ident, "lang": found.langs.get(label, ""),
                              "mentions": by_label.get(label, [])}, ensure_ascii=False) + "\n"


def output_format(path: str | None, fmt: str | None) -> str:
    """The output format: ``fmt`` if given, else from the suffix (JSON Lines for none).

    Raises
    ------
    InputError
        For an unknown format.
    """
    if fmt is None:
        suffix = "" if path is None else Path(path).suffix.lower()
        fmt = next((f for f, sfx in FORMATS.items() if suffix in sfx), "jsonl")
    if fmt not in FORMATS:
        msg = f"unknown output format {fmt!r}; use one of {', '.join(FORMATS)}"
        raise InputError(msg)
    return fmt


def pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError as e:
        msg = "Parquet needs pyarrow: pip install 'geo[parquet]' (or pip install pyarrow)"
        raise ExportError(msg) from e
    return pq


def arrow_schema() -> pyarrow.Schema:
    """The Arrow schema of a mentions table (what Parquet output holds)."""
    import pyarrow as pa

    return pa.schema([(c, getattr(pa, t)()) for c, (_, t) in MENTION_COLUMNS.items()])


def arrow_table(found: Mentions) -> pyarrow.Table:
    """The mentions as an Arrow table of :func:`arrow_schema` (a worker makes it, so that the
    process writing the file only writes)."""
    import pyarrow as pa

    return pa.table(found.columns, schema=arrow_schema())


def write_parquet(path: Path, parts: Iterable[Mentions | pyarrow.Table]) -> int:
    """Write mentions (or their :func:`arrow_table`) to one Parquet file, a row group per
    partition; the row count."""
    pq = pyarrow_parquet()
    schema = arrow_schema()
    rows = 0

    def write(tmp: Path) -> None:
        nonlocal rows
        with pq.ParquetWriter(tmp, schema) as out:
            for found in parts:
                table = arrow_table(found) if isinstance(found, Mentions) else found
                out.write_table(table)
                rows += table.num_rows

    replace_atomic(path, write)
    return rows


def write_geoparquet(path: Path, parts: Iterable[Mentions]) -> int:
    """Write mentions to one GeoParquet file (a point per resolved mention, null geometry
    otherwise); the row count. The whole table is held in memory."""
    import geopandas
    import pandas as pd
    from shapely.geometry import Point

    pyarrow_parquet()
    frame = pd.concat([empty_mentions(), *(p.frame() for p in parts)], ignore_index=True)
    # shapely points are (lon, lat)
    points = [None if pid is None else Point(lon, lat)
              for pid, lat, lon in zip(frame["place_id"], frame["lat"], frame["lon"], strict=True)]
    geo = geopandas.GeoDataFrame(frame, geometry=geopandas.GeoSeries(points, crs="EPSG:4326"))
    replace_atomic(path, lambda tmp: geo.to_parquet(tmp, index=False))
    return len(frame)


def read_mentions(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """The rows of mentions Parquet (one file, or a folder of parts in name order) as
    (article key, column -> value), in file order.

    Raises
    ------
    InputError
        When the path is missing or lacks the mention columns.
    """
    pq = pyarrow_parquet()
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    if not files or not files[0].exists():
        msg = f"no mentions Parquet at {str(path)!r}; write one with geo extract -o FILE.parquet"
        raise InputError(msg)
    for file in files:
        table = pq.read_table(file)
        missing = [c for c in MENTION_COLUMNS if c not in table.column_names]
        if missing:
            msg = f"{str(file)!r} lacks the mention columns {missing}; is it geo's output?"
            raise InputError(msg)
        cols = {c: table.column(c).to_pylist() for c in MENTION_COLUMNS}
        for i in range(table.num_rows):
            yield cols["article"][i], {c: v[i] for c, v in cols.items()}


def mentions_from_rows(rows: Iterable[tuple[str, dict[str, Any]]], gaz: Gazetteer,
                       ) -> dict[str, list[Mention]]:
    """Mention records by article key from the rows of :func:`read_mentions`."""
    out: dict[str, list[Mention]] = {}
    for key, r in rows:
        out.setdefault(key, []).append(_mention(r, gaz))
    return out


def metadata_article(row: Row) -> Article:
    """The Article a metadata row describes (its id as the ``article`` column holds it)."""
    key = article_key(row.ident)
    return Article(id=key, text=row.text, title=row.meta.get("title") or key,
                   source=row.meta.get("source", ""), url=row.meta.get("url", ""),
                   date=row.meta.get("date", ""))
