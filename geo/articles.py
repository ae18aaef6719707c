"""Articles: reading ``seeds/`` (the only module that touches it).

An article is a ``.txt`` or ``.md`` file, optionally opening with a metadata header::

    ---
    title: Peshmerga and Iraqi army to establish ...
    source: Kurdistan 24
    url: https://...
    date: 2020-06-14
    ---

With no header, the first non-empty line is the title.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from geo.errors import ArticleError
from geo.records import Article

HEADER_KEYS = ("title", "source", "url", "date")
_HEADER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_ID_RE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that was not read, and why."""

    path: Path
    reason: str


def decode(data: bytes, name: str = "<bytes>") -> str:
    """Decode article bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Raises
    ------
    ArticleError
        For empty or binary content.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    elif b"\x00" in data:
        msg = f"{name}: binary content (NUL bytes); save the article as UTF-8 text"
        raise ArticleError(msg)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if not text.strip():
        msg = f"{name}: empty article; add its text or remove the file"
        raise ArticleError(msg)
    if _control_share(text) > 0.05:
        msg = f"{name}: looks binary (control characters); save the article as UTF-8 text"
        raise ArticleError(msg)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _control_share(text: str) -> float:
    sample = text[:20000]
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return bad / max(1, len(sample))


def article_id(path: Path) -> str:
    """A stable, URL-safe id from a file name: ``Kirkuk News (2).txt`` -> ``kirkuk-news-2``."""
    return _ID_RE.sub("-", path.stem.lower()).strip("-") or "article"


def parse(text: str, ident: str, path: str = "") -> Article:
    """An Article from decoded text: the header's metadata, or the first line as title."""
    meta: dict[str, str] = {}
    m = _HEADER_RE.match(text)
    if m:
        for line in m.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip().lower() in HEADER_KEYS:
                meta[key.strip().lower()] = value.strip()
        text = text[m.end():]
    if "title" not in meta:
        first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
        meta["title"] = first.lstrip("# ").strip()[:200]
    return Article(id=ident, text=text, path=path, **meta)


def read(path: Path, *, max_bytes: int) -> Article:
    """Read one article file.

    Raises
    ------
    ArticleError
        When the file is too large, binary, empty or unreadable.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            msg = f"{path}: {size:,} bytes is over the {max_bytes:,}-byte limit; split it"
            raise ArticleError(msg)
        data = path.read_bytes()
    except OSError as e:
        msg = f"{path}: cannot read ({e.strerror}); check the file's permissions"
        raise ArticleError(msg) from e
    return parse(decode(data, str(path)), article_id(path), str(path))


def article_files(folder: Path) -> list[Path]:
    """The article files in a folder, sorted by name (hidden files and README excluded)."""
    if not folder.is_dir():
        msg = f"seeds folder {str(folder)!r} does not exist; create it or pass --seeds DIR"
        raise ArticleError(msg)
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.stem.upper() != "README")


def read_all(folder: Path, *, max_bytes: int) -> Iterator[Article | Skipped]:
    """Every article in ``folder``, or a Skipped record for each one that cannot be read."""
    seen: dict[str, Path] = {}
    for path in article_files(folder):
        try:
            art = read(path, max_bytes=max_bytes)
        except ArticleError as e:
            yield Skipped(path, str(e).split(": ", 1)[-1])
            continue
        if art.id in seen:
            yield Skipped(path, f"same id {art.id!r} as {seen[art.id].name}; rename one")
            continue
        seen[art.id] = path
        yield art
