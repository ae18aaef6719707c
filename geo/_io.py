"""File output: atomic writes (of articles, the map, exports, caches and imported boundaries)
and the build lock."""

from __future__ import annotations

import errno
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from geo.errors import BuildLockedError, OutputError

LOCK_NAME = ".geo-build.lock"
LOCK_POLL = 0.1


_IN_THE_WAY = frozenset({errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.ENOTEMPTY})
_NOT_ALLOWED = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def output_error(path: Path, error: OSError) -> OutputError:
    """An OutputError for a failed write of ``path``, saying what to do."""
    if error.errno in _NOT_ALLOWED:
        fix = "make the folder writable, or pass --out DIR with a writable folder"
    elif error.errno in _FULL:
        fix = "free some space on that disk (or pass --out DIR on another), then run again"
    elif error.errno in _IN_THE_WAY:
        fix = (f"something of the wrong type is in the way ({error.filename or path}); "
               "remove or rename it, then run again")
    else:
        fix = "check the folder, then run again"
    msg = f"cannot write {str(path)!r} ({error.strerror}); {fix}; the previous outputs are whole"
    return OutputError(msg)


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an OSError raised while writing ``path`` into an OutputError."""
    try:
        yield
    except OutputError:
        raise
    except OSError as e:
        raise output_error(path, e) from e


def _temp_path(path: Path, suffix: str = ".tmp") -> Path:
    """A new empty file ``.NAME.XXXXXXXX{suffix}`` beside ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def _encoded(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def _write_temp(path: Path, text: bytes, *, durable: bool = True) -> Path:
    """Write ``text`` to a new temporary file beside ``path`` (flushed to disk if
    ``durable``); its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str | bytes, *, durable: bool = True) -> None:
    """Write ``text`` (or bytes) to a temporary file beside ``path`` and rename it into place, so a
    reader (or a build killed midway) only ever sees the old file or the new one.

    ``durable=False`` skips flushing it to disk first, for a file whose reader checks it (a
    sealed cache entry): after a crash it may be empty or torn, and is then a miss."""
    with writing(path):
        tmp = _write_temp(path, _encoded(text), durable=durable)
        try:
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


def write_all_atomic(files: Mapping[Path, str | bytes]) -> None:
    """Write several files atomically: every temporary file first, then the renames in a row.

    A build killed while writing leaves the previous files whole; the short window of renames
    is the only time a reader can see some files new and others old.
    """
    temps: dict[Path, Path] = {}
    try:
        for path, text in files.items():
            with writing(path):
                temps[path] = _write_temp(path, _encoded(text))
        for path, tmp in temps.items():
            with writing(path):
                os.replace(tmp, path)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
    for folder in {p.parent for p in files}:
        with writing(folder):
            _fsync_dir(folder)


def replace_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a temporary file (same suffix, same folder), then rename it to
    ``path``; for writers such as GDAL's that take a file name rather than text."""
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temp_path(path, path.suffix)
        tmp.unlink()  # some drivers refuse to write over an existing file
    try:
        write(tmp)
        with writing(path):
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def create_new(path: Path, text: str) -> bool:
    """Create ``path`` with ``text`` unless it exists; never overwrites. Whether it created it.

    The text goes to a temporary file that is then hard-linked to ``path``, which fails if the
    name is taken: two processes adding at once cannot overwrite each other.
    """
    with writing(path):
        tmp = _write_temp(path, _encoded(text))
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        finally:
            tmp.unlink(missing_ok=True)
    return True


def remove_leftovers(paths: Iterable[Path]) -> None:
    """Delete temporary files a killed writer of these paths left behind (call under the lock)."""
    for path in paths:
        for tmp in path.parent.glob(f".{path.name}.*.tmp"):
            tmp.unlink(missing_ok=True)


@contextmanager
def build_lock(folder: Path, *, wait: float = 600.0,
               on_wait: Callable[[], None] | None = None,
               name: str = LOCK_NAME) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` for one build (or, with another ``name``, for
    another task: ``geo add`` holds one on the seeds folder while it adds).

    A second build waits for the first (up to ``wait`` seconds, calling ``on_wait`` once when it
    starts waiting), then runs on the articles as they are by then.

    Raises
    ------
    BuildLockedError
        If the lock is still held after ``wait`` seconds.
    """
    import fcntl

    with writing(folder / name):
        folder.mkdir(parents=True, exist_ok=True)
        f = (folder / name).open("w")
    deadline = time.monotonic() + wait
    with f:
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as e:
                if time.monotonic() >= deadline:
                    msg = (f"another geo build has held {str(folder)!r} for over {wait:.0f} s; "
                           "wait for it to finish or stop it, then build again")
                    raise BuildLockedError(msg) from e
                if on_wait is not None:
                    on_wait()
                    on_wait = None
                time.sleep(LOCK_POLL)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
