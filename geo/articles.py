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
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from geo import _html
from geo._io import create_new
from geo.errors import ArticleError, InputError
from geo.records import Article

HEADER_KEYS = ("title", "source", "url", "date")
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
    utf16 = _utf16_without_bom(data)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif utf16:
        text = data.decode(utf16, errors="replace")
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
    bad = sum(map(sample.count, _CONTROL_CHARS))
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


def _read_bytes(path: Path, *, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            msg = f"{path}: {size:,} bytes is over the {max_bytes:,}-byte limit; split it"
            raise ArticleError(msg)
        return path.read_bytes()
    except OSError as e:
        msg = f"{path}: cannot read ({e.strerror}); check the file's permissions"
        raise ArticleError(msg) from e


def from_page(data: bytes, ident: str, path: str = "") -> Article:
    """An Article from a saved web page: its main text, title, site, address and date."""
    pg = _html.page(data, path or ident)
    return Article(id=ident, text=pg.text, title=pg.title, source=pg.source, url=pg.url,
                   date=pg.date, path=path)


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


MAX_STEM = 80
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Incoming:
    """An article to add: where it came from (a path, or ``-``) and its bytes."""

    label: str
    data: bytes


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
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def incoming(sources: Sequence[str], *, stdin: Callable[[], bytes]) -> list[Incoming]:
    """The articles named on the command line: files, every file in folders, ``-`` for stdin.

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
        for file in _files_under(path) if path.is_dir() else [path]:
            try:
                out.append(Incoming(str(file), file.read_bytes()))
            except OSError as e:
                msg = f"{file}: cannot read ({e.strerror}); check the file's permissions"
                raise InputError(msg) from e
    return out


def _slug(text: str) -> str:
    return _ID_RE.sub("-", text.lower())[:MAX_STEM].strip("-") or "article"


def as_markdown(art: Article) -> str:
    """The article as stored by ``geo add``: a metadata header, then the text."""
    meta = [f"{k}: {v}" for k in HEADER_KEYS if (v := " ".join(getattr(art, k).split()))]
    return "---\n" + "\n".join(meta) + "\n---\n" + art.text.strip() + "\n"


def prepare(item: Incoming, *, max_bytes: int) -> tuple[str, str]:
    """The file name and UTF-8 text under which ``item`` is stored in the seeds folder.

    A saved page becomes ``.md`` with a header; text keeps its form, re-encoded as UTF-8.

    Raises
    ------
    ArticleError
        When the article is too large, empty, binary, or a page with no article text.
    """
    if len(item.data) > max_bytes:
        msg = f"{item.label}: {len(item.data):,} bytes is over the {max_bytes:,}-byte limit"
        raise ArticleError(msg + "; split it")
    path = Path(item.label)
    is_page = (path.suffix.lower() in _html.HTML_SUFFIXES if item.label != STDIN
               else _html.looks_like_html(item.data))
    if is_page:
        art = from_page(item.data, "page", item.label)
        return _slug(art.title or path.stem) + ".md", as_markdown(art)
    text = decode(item.data, item.label).strip() + "\n"
    art = parse(text, "text")
    stem = _slug(art.title) if item.label == STDIN else _slug(path.stem)
    suffix = ".md" if _HEADER_RE.match(text) or path.suffix.lower() == ".md" else ".txt"
    return stem + suffix, text


def _stored(seeds: Path) -> tuple[set[str], dict[str, Path]]:
    """The article ids in the seeds folder, and each readable article's text -> its file."""
    ids: set[str] = set()
    texts: dict[str, Path] = {}
    for path in article_files(seeds):
        ids.add(article_id(path))
        try:
            texts.setdefault(decode(path.read_bytes()).strip(), path)
        except (ArticleError, OSError):
            continue
    return ids, texts


def _place(seeds: Path, name: str, text: str, ids: set[str]) -> Path:
    """Create the article under ``name``, or ``stem-2``, ``stem-3``... if the id is taken."""
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in count(1):
        candidate = stem if n == 1 else f"{stem}-{n}"
        if candidate in ids:
            continue
        path = seeds / f"{candidate}{suffix}"
        if create_new(path, text):
            return path
    raise AssertionError("unreachable")  # count() never ends


def add(items: Sequence[Incoming], seeds: Path, *, max_bytes: int) -> list[Added]:
    """Copy articles into the seeds folder under safe, unique names; never overwrite one.

    An article whose text is already there (under any name) is reported as a duplicate and
    not copied again; one that cannot be read is reported as skipped.
    """
    seeds.mkdir(parents=True, exist_ok=True)
    ids, texts = _stored(seeds)
    out = []
    for item in items:
        try:
            name, text = prepare(item, max_bytes=max_bytes)
        except ArticleError as e:
            out.append(Added(item.label, "skipped", reason=str(e).split(": ", 1)[-1]))
            continue
        same = texts.get(text.strip())
        if same is not None:
            out.append(Added(item.label, "duplicate", same))
            continue
        path = _place(seeds, name, text, ids)
        ids.add(article_id(path))
        texts[text.strip()] = path
        out.append(Added(item.label, "added", path))
    return out
