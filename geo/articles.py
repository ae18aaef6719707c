"""Articles: reading and adding to ``seeds/`` (the only module that touches it).

An article is a ``.txt`` or ``.md`` file, optionally opening with a metadata header::

    ---
    title: Peshmerga and Iraqi army to establish ...
    source: Kurdistan 24
    url: https://...
    date: 2020-06-14
    ---

With no header, the first non-empty line is the title. A saved web page (``.html``) is read
through ``geo._html``; ``geo add`` stores it as ``.md`` with a header, so the build reads it
as text.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from geo import _html, languages
from geo._io import create_new
from geo.errors import ArticleError, InputError
from geo.records import Article

HEADER_KEYS = ("title", "source", "url", "date", "lang")
_HEADER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_ID_RE = re.compile(r"[^a-z0-9]+")
_CONTROL_CHARS = tuple(chr(i) for i in range(32) if chr(i) not in "\n\r\t\f")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that was not read, and why."""

    path: Path
    reason: str


def _utf16_without_bom(data: bytes) -> str | None:
    """The codec of UTF-16 text saved without a BOM (mostly-ASCII text leaves every other byte
    NUL), or None."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    for codec, zeros, chars in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) > 0.9 * len(zeros) and chars.count(0) == 0:
            return codec
    return None


def decode(data: bytes, name: str = "<bytes>") -> str:
    """Decode article bytes: UTF-8 (with or without BOM), UTF-16 (BOM, or mostly-ASCII text
    without one), else Windows-1252 (which also covers Latin-1's letters).

    Raises
    ------
    ArticleError
        For empty or binary content.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            msg = f"{name}: binary content (NUL bytes); save the article as UTF-8 text"
            raise ArticleError(msg)
        text = data.decode(utf16, errors="replace")
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
    bad = sum(map(sample.count, _CONTROL_CHARS))
    return bad / max(1, len(sample))


def _slug(text: str, *, limit: int | None = None) -> str:
    """``text`` reduced to ``a-z0-9-`` (at most ``limit`` characters), or ``article``."""
    return _ID_RE.sub("-", text.lower())[:limit].strip("-") or "article"


def article_id(path: Path) -> str:
    """A stable, URL-safe id from a file name: ``Kirkuk News (2).txt`` -> ``kirkuk-news-2``."""
    return _slug(path.stem)


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
    if "lang" not in meta:  # a header's "lang: ckb" says it; else it is detected
        meta["lang"] = languages.detect(text)
    return Article(id=ident, text=text, path=path, **meta)


def _check_size(name: str, size: int, *, max_bytes: int) -> None:
    if size > max_bytes:
        msg = f"{name}: {size:,} bytes is over the {max_bytes:,}-byte limit; split it"
        raise ArticleError(msg)


def _read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of a file, its size checked before it is read."""
    try:
        _check_size(str(path), path.stat().st_size, max_bytes=max_bytes)
        return path.read_bytes()
    except OSError as e:
        msg = f"{path}: cannot read ({e.strerror}); check the file's permissions"
        raise ArticleError(msg) from e


def from_page(data: bytes, ident: str, path: str = "") -> Article:
    """An Article from a saved web page: its main text, title, site, address and date."""
    pg = _html.page(data, path or ident)
    return Article(id=ident, text=pg.text, title=pg.title, source=pg.source, url=pg.url,
                   date=pg.date, path=path, lang=languages.detect(pg.text))


def read(path: Path, *, max_bytes: int) -> Article:
    """Read one article file (a saved page if it ends in ``.html`` or ``.htm``).

    Raises
    ------
    ArticleError
        When the file is too large, binary, empty or unreadable.
    """
    data = _read_bytes(path, max_bytes=max_bytes)
    if path.suffix.lower() in _html.HTML_SUFFIXES:
        return from_page(data, article_id(path), str(path))
    return parse(decode(data, str(path)), article_id(path), str(path))


def _is_article(path: Path) -> bool:
    """Whether a file is read as an article: hidden files and README are not."""
    return path.is_file() and not path.name.startswith(".") and path.stem.upper() != "README"


def article_files(folder: Path) -> list[Path]:
    """The article files in a folder, sorted by name (hidden files and README excluded)."""
    if not folder.is_dir():
        msg = f"seeds folder {str(folder)!r} does not exist; create it or pass --seeds DIR"
        raise ArticleError(msg)
    return sorted(filter(_is_article, folder.iterdir()))


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


MAX_STEM = 80
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Incoming:
    """An article to add: where it came from (a file's path, or ``-``) and, for standard input,
    its bytes (``None`` for a file, which is read when it is added)."""

    label: str
    data: bytes | None = None


@dataclass(frozen=True, slots=True)
class Added:
    """What :func:`add` did with one incoming article: ``added``, ``duplicate`` or ``skipped``.

    ``path`` is the file in the seeds folder (the new one, or the one it duplicates).
    """

    source: str
    status: str
    path: Path | None = None
    reason: str = ""


def _files_under(folder: Path) -> list[Path]:
    """The article files in a folder and its subfolders (hidden ones excluded), sorted."""
    return sorted(p for p in folder.rglob("*") if _is_article(p)
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def incoming(sources: Sequence[str], *, stdin: Callable[[], bytes]) -> list[Incoming]:
    """The articles named on the command line: files, the article files in folders (as the
    build would read them, subfolders included), ``-`` for standard input.

    Raises
    ------
    InputError
        When a path does not exist (before anything is read).
    """
    missing = [s for s in sources if s != STDIN and not Path(s).exists()]
    if missing:
        msg = (f"{missing[0]!r} does not exist; pass article files (.txt, .md, .html), "
               "folders of them, or - for standard input")
        raise InputError(msg)
    out = []
    for source in sources:
        if source == STDIN:
            out.append(Incoming(STDIN, stdin()))
            continue
        path = Path(source)
        out.extend(Incoming(str(f)) for f in (_files_under(path) if path.is_dir() else [path]))
    return out


def as_markdown(art: Article) -> str:
    """The article as stored by ``geo add``: a metadata header, then the text."""
    meta = [f"{k}: {v}" for k in HEADER_KEYS if (v := " ".join(getattr(art, k).split()))]
    return "---\n" + "\n".join(meta) + "\n---\n" + art.text.strip() + "\n"


def _data(item: Incoming, *, max_bytes: int) -> bytes:
    """The bytes of an incoming article: its file's (read once its size is checked), or those
    given."""
    if item.data is None:
        return _read_bytes(Path(item.label), max_bytes=max_bytes)
    _check_size(item.label, len(item.data), max_bytes=max_bytes)
    return item.data


def prepare(label: str, data: bytes) -> tuple[str, str]:
    """The file name and text under which an article (``data``, from ``label``: a file's path
    or ``-``) is stored in the seeds folder.

    A saved page becomes ``.md`` with a header; text keeps its form, re-encoded as UTF-8.

    Raises
    ------
    ArticleError
        When the article is empty, binary, or a page with no article text.
    """
    path = Path(label)
    is_page = (path.suffix.lower() in _html.HTML_SUFFIXES if label != STDIN
               else _html.looks_like_html(data))
    if is_page:
        art = from_page(data, "page", label)
        return _slug(art.title or path.stem, limit=MAX_STEM) + ".md", as_markdown(art)
    text = decode(data, label).strip() + "\n"
    art = parse(text, "text")
    stem = _slug(art.title if label == STDIN else path.stem, limit=MAX_STEM)
    suffix = ".md" if _HEADER_RE.match(text) or path.suffix.lower() == ".md" else ".txt"
    return stem + suffix, text


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _stored(seeds: Path, *, max_bytes: int) -> tuple[set[str], dict[bytes, Path]]:
    """The article ids in the seeds folder, and the hash of each readable file's bytes -> the
    file."""
    ids: set[str] = set()
    digests: dict[bytes, Path] = {}
    for path in article_files(seeds):
        ids.add(article_id(path))
        try:
            digests.setdefault(_digest(_read_bytes(path, max_bytes=max_bytes)), path)
        except ArticleError:
            continue
    return ids, digests


def _place(seeds: Path, name: str, text: str, ids: set[str]) -> Path:
    """Create the article under ``name``, or ``stem-2``, ``stem-3``... if the id is taken (or
    is ``readme``, a name the build does not read)."""
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in count(1):
        candidate = stem if n == 1 else f"{stem}-{n}"
        if candidate in ids or candidate == "readme":
            continue
        path = seeds / f"{candidate}{suffix}"
        if create_new(path, text):
            return path
    raise AssertionError("unreachable")  # count() never ends


def add(items: Sequence[Incoming], seeds: Path, *, max_bytes: int) -> list[Added]:
    """Copy articles into the seeds folder under safe, unique names; never overwrite one.

    An article already there (under any name: a file with the bytes ``geo add`` would store, or
    with the bytes given) is reported as a duplicate and not copied again; one that cannot be
    read (too large, unreadable, empty, binary) is reported as skipped.
    """
    seeds.mkdir(parents=True, exist_ok=True)
    ids, stored = _stored(seeds, max_bytes=max_bytes)
    out = []
    for item in items:
        try:
            data = _data(item, max_bytes=max_bytes)
            name, text = prepare(item.label, data)
        except ArticleError as e:
            out.append(Added(item.label, "skipped", reason=str(e).split(": ", 1)[-1]))
            continue
        digest = _digest(text.encode("utf-8"))
        same = stored.get(digest) or stored.get(_digest(data))
        if same is not None:
            out.append(Added(item.label, "duplicate", same))
            continue
        path = _place(seeds, name, text, ids)
        ids.add(article_id(path))
        stored[digest] = path
        out.append(Added(item.label, "added", path))
    return out
