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
import datetime
import errno
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
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


@dataclass(frozen=True, slots=True)
class Repaired:
    """An article that was read after a repair (a stray byte, an impossible date), and what was
    done."""

    path: Path
    reason: str


# The longest metadata geo keeps: a title, source or date is repeated on the map for every
# place and mention of the article, so a 400 KB title must not become a 40 MB page.
FIELD_LIMITS = {"title": 200, "source": 120, "url": 2000, "date": 40, "lang": 16}


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
    without one), else Windows-1252 (which also covers Latin-1's letters); see
    :func:`decode_noting` for what is repaired.

    Raises
    ------
    ArticleError
        For empty or binary content.
    """
    return decode_noting(data, name)[0]


def decode_noting(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """:func:`decode`, and what it repaired ("" for nothing): UTF-8 with a few invalid bytes
    among many valid non-ASCII characters is read as UTF-8, each bad byte replaced by U+FFFD,
    rather than as Windows-1252 mojibake.

    Raises
    ------
    ArticleError
        For empty or binary content.
    """
    note = ""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            msg = f"{name}: binary content (NUL bytes); save the article as UTF-8 text"
            raise ArticleError(msg)
        text = data.decode(utf16, errors="replace")
    else:
        text, note = _decode_8bit(data)
    if not text.strip():
        msg = f"{name}: empty article; add its text or remove the file"
        raise ArticleError(msg)
    if _control_share(text) > 0.05:
        msg = f"{name}: looks binary (control characters); save the article as UTF-8 text"
        raise ArticleError(msg)
    return text.replace("\r\n", "\n").replace("\r", "\n"), note


UTF8_REPAIR_RATIO = 10  # valid non-ASCII UTF-8 characters per invalid byte, at the least


def _decode_8bit(data: bytes) -> tuple[str, str]:
    """UTF-8 if it is (or almost all of it is: see UTF8_REPAIR_RATIO), else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    repaired = data.decode("utf-8-sig", errors="replace")
    bad = repaired.count("\ufffd") - data.count("\ufffd".encode())
    wide = sum(1 for ch in repaired if ord(ch) > 127 and ch != "\ufffd")
    if wide >= UTF8_REPAIR_RATIO * bad:
        return repaired, (f"{bad} invalid UTF-8 byte{'s' if bad > 1 else ''} replaced by "
                          "\ufffd; the rest is UTF-8")
    return data.decode("cp1252", errors="replace"), ""


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
    return parse_noting(text, ident, path)[0]


def parse_noting(text: str, ident: str, path: str = "") -> tuple[Article, str]:
    """:func:`parse`, and what it repaired ("" for nothing): metadata is cut to FIELD_LIMITS,
    and a date written as yyyy-mm-dd that is no day of the calendar (2020-02-30) is dropped."""
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
        meta["title"] = first.lstrip("# ").strip()
    meta, note = bounded(meta)  # a header's "lang: ckb" is kept; else see language()
    return Article(id=ident, text=text, path=path, **meta), note


_ISO_LIKE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def bounded(meta: dict[str, str]) -> tuple[dict[str, str], str]:
    """Article metadata cut to FIELD_LIMITS, without an impossible date; and what was done."""
    notes = []
    out = {}
    for key, value in meta.items():
        limit = FIELD_LIMITS[key]
        if len(value) > limit:
            if key != "title":  # a title of any length is cut quietly, as a first line is
                notes.append(f"{key} cut to {limit} characters")
            value = value[:limit].rstrip()
        out[key] = value
    date = out.get("date", "")
    if _ISO_LIKE_RE.fullmatch(date) and not _calendar_date(date):
        notes.append(f"date {date!r} is no day of the calendar; the article is mapped undated")
        out["date"] = ""
    return out, "; ".join(notes)


def _calendar_date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_size(name: str, size: int, *, max_bytes: int) -> None:
    if size > max_bytes:
        msg = f"{name}: {size:,} bytes is over the {max_bytes:,}-byte limit; split it"
        raise ArticleError(msg)


def _read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of a regular file, its size checked before it is read (see
    :func:`_read_stamped`)."""
    return _read_stamped(path, max_bytes=max_bytes)[0]


def _read_stamped(path: Path, *, max_bytes: int) -> tuple[bytes, Stamp]:
    """The bytes of a regular file, its size checked before it is read, and its stamp as it
    was before it was read.

    The file is opened without following a symbolic link and without waiting on a FIFO, and
    read only if it is a regular file: a link in ``seeds/`` to ``/etc/passwd`` is never read.

    Raises
    ------
    ArticleError
        For a link, anything but a regular file, a file over ``max_bytes``, or an unreadable
        one.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        raise ArticleError(_unreadable(path, e)) from e
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            msg = f"{path}: not a regular file ({_file_type(st.st_mode)}); geo reads only files"
            raise ArticleError(msg)
        _check_size(str(path), st.st_size, max_bytes=max_bytes)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:  # closes fd
        try:
            return f.read(max_bytes + 1), stamp_of(st)
        except OSError as e:
            raise ArticleError(_unreadable(path, e)) from e


def _unreadable(path: Path, error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return (f"{path}: a symbolic link; geo reads only regular files in the seeds folder "
                "(copy the article in with geo add)")
    if error.errno == errno.ENOENT and os.path.islink(path):
        return f"{path}: a symbolic link to nothing; remove it"
    return f"{path}: cannot read ({error.strerror}); check the file's permissions"


def _file_type(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))
    return next((name for test, name in kinds if test(mode)), "not a file")


def language(art: Article) -> str:
    """The language an article is written in: its header's ``lang:``, else detected (not when
    it is read: a build that finds its outputs current reads every article and extracts none)."""
    return art.lang or languages.detect(art.text)


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
        When the file is too large, binary, empty, unreadable or not a regular file.
    """
    return read_noting(path, max_bytes=max_bytes)[0]


def read_noting(path: Path, *, max_bytes: int) -> tuple[Article, str]:
    """:func:`read`, and what was repaired on the way ("" for nothing)."""
    art, note, _ = _read_article(path, max_bytes=max_bytes)
    return art, note


def _read_article(path: Path, *, max_bytes: int) -> tuple[Article, str, Stamp]:
    """:func:`read_noting`, and the file's stamp before it was read."""
    data, st = _read_stamped(path, max_bytes=max_bytes)
    if path.suffix.lower() in _html.HTML_SUFFIXES:
        art = from_page(data, article_id(path), str(path))
        meta, note = bounded({k: getattr(art, k) for k in HEADER_KEYS})
        return Article(id=art.id, text=art.text, path=art.path, **meta), note, st
    text, decoded = decode_noting(data, str(path))
    art, parsed = parse_noting(text, article_id(path), str(path))
    return art, "; ".join(n for n in (decoded, parsed) if n), st


def _listed(path: Path) -> bool:
    """Whether an entry of the seeds folder is looked at: hidden files and README are not."""
    return not path.name.startswith(".") and path.stem.upper() != "README"


def article_files(folder: Path) -> list[Path]:
    """The entries of a folder that are read as articles, sorted by name (hidden files and
    README excluded). Links, folders and other entries are listed too: reading them fails
    with the reason, so that each is named on a skip line."""
    if not folder.is_dir():
        msg = f"seeds folder {str(folder)!r} does not exist; create it or pass --seeds DIR"
        raise ArticleError(msg)
    # by name: the entries of one folder sort so as their paths do, and far faster
    return sorted(filter(_listed, folder.iterdir()), key=lambda p: p.name)


def reason(error: ArticleError, path: Path | str) -> str:
    """The reason of an article error, without the path it opens with (which may itself hold
    ": ")."""
    return str(error).removeprefix(f"{path}: ")


def read_all(folder: Path, *, max_bytes: int, known: Mapping[str, Known] | None = None
             ) -> Iterator[Article | Known | Skipped | Repaired]:
    """Every article in ``folder``, a Skipped record for each entry that cannot be read, and a
    Repaired record (before its article) for each one read after a repair.

    An entry of ``known`` (by file name) whose file still has the same stamp is not read
    again: its Known record comes instead of the article. Every article read comes as a Known
    record too, with its text and its file's stamp before it was read.
    """
    seen: dict[str, Path] = {}
    for path in article_files(folder):
        kept = None if known is None else known.get(path.name)
        if kept is not None and kept.stamp == _current_stamp(path, max_bytes=max_bytes):
            item, note = kept, kept.note
        else:
            try:
                art, note, st = _read_article(path, max_bytes=max_bytes)
            except ArticleError as e:
                yield Skipped(path, reason(e, path))
                continue
            item = Known(stamp=st, article=art, note=note)
        if item.article.id in seen:
            yield Skipped(path, f"same id {item.article.id!r} as {seen[item.article.id].name}; "
                          "rename one")
            continue
        seen[item.article.id] = path
        if note:
            yield Repaired(path, note)
        yield item if known is not None else item.article


Stamp = tuple[int, int, int, int, int]


def stamp_of(st: os.stat_result) -> Stamp:
    """What tells a file's content apart without reading it, as make, rsync and git do: its
    size, modification and change times (ns) and its inode and device. Writing to a file or
    setting its modification time back both change its change time."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _current_stamp(path: Path, *, max_bytes: int) -> Stamp | None:
    """The stamp of a regular file of at most ``max_bytes`` (never through a link), else
    None."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return stamp_of(st) if stat.S_ISREG(st.st_mode) and st.st_size <= max_bytes else None


# a file modified this close (ns) before it was read is read again at the next build
RACY_NS = 2_000_000_000  # two seconds: the coarsest file-system clock (FAT's)


def settled(stamp: Stamp, *, now_ns: int) -> bool:
    """Whether a file stamped so before ``now_ns`` may be trusted unchanged while its stamp
    is: not when it was modified (or its state changed) within RACY_NS of then, since a
    write in the same tick of the file system's clock would leave the same stamp (git's
    "racy" files)."""
    return max(stamp[1], stamp[2]) < now_ns - RACY_NS


@dataclass(frozen=True, slots=True)
class Known:
    """An article with the stamp its file had when it was read and what reading it repaired.

    A Known record kept from an earlier build holds the article without its text (``text``
    is "") and the cache key of its text in ``key``."""

    stamp: Stamp
    article: Article
    note: str = ""
    key: str = ""


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
    reason: str = ""  # why it was skipped, or what was repaired when it was added


def _files_under(folder: Path) -> list[Path]:
    """The entries in a folder and its subfolders that are not folders (hidden ones excluded),
    sorted; links among them are not followed (reading them fails, so each is named)."""
    return sorted(p for p in folder.rglob("*") if _listed(p) and (p.is_symlink() or not p.is_dir())
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
        if path.is_dir():
            out.extend(Incoming(str(f)) for f in _files_under(path))
        else:  # a link named on the command line is followed, as cp follows one
            out.append(Incoming(str(path.resolve()) if path.is_symlink() else source))
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


def prepare(label: str, data: bytes) -> tuple[str, str, str]:
    """The file name and text under which an article (``data``, from ``label``: a file's path
    or ``-``) is stored in the seeds folder, and what was repaired ("" for nothing).

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
        return _slug(art.title or path.stem, limit=MAX_STEM) + ".md", as_markdown(art), ""
    decoded, note = decode_noting(data, label)
    text = decoded.strip() + "\n"
    art = parse(text, "text")
    stem = _slug(art.title if label == STDIN else path.stem, limit=MAX_STEM)
    suffix = ".md" if _HEADER_RE.match(text) or path.suffix.lower() == ".md" else ".txt"
    return stem + suffix, text, note


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class _Stored:
    """The articles already in the seeds folder, for the duplicate test: their ids, and their
    files by size, each file read and hashed only when an incoming article has its size (a
    folder of 6,000 articles is not read to add one)."""

    def __init__(self, seeds: Path, *, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.ids: set[str] = set()
        self.by_size: dict[int, list[Path]] = {}
        self.digests: dict[bytes, Path] = {}
        for path in article_files(seeds):
            self.ids.add(article_id(path))
            try:
                st = path.lstat()
            except OSError:
                continue
            self.by_size.setdefault(st.st_size, []).append(path)

    def find(self, data: bytes) -> Path | None:
        """The stored file holding exactly ``data``, or None."""
        for path in self.by_size.pop(len(data), []):  # hashed once, then kept in digests
            try:
                self.digests.setdefault(_digest(_read_bytes(path, max_bytes=self.max_bytes)), path)
            except ArticleError:
                continue
        return self.digests.get(_digest(data))

    def keep(self, data: bytes, path: Path) -> None:
        """Note a file just stored with ``data``."""
        self.ids.add(article_id(path))
        self.digests[_digest(data)] = path


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
    stored = _Stored(seeds, max_bytes=max_bytes)
    out = []
    for item in items:
        try:
            data = _data(item, max_bytes=max_bytes)
            name, text, note = prepare(item.label, data)
        except ArticleError as e:
            out.append(Added(item.label, "skipped", reason=reason(e, item.label)))
            continue
        encoded = text.encode("utf-8")
        same = stored.find(encoded) or stored.find(data)
        if same is not None:
            out.append(Added(item.label, "duplicate", same))
            continue
        path = _place(seeds, name, text, stored.ids)
        stored.keep(encoded, path)
        out.append(Added(item.label, "added", path, reason=note))
    return out
