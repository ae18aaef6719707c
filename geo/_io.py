"""File output: atomic writes and the build lock (the only code that writes files).

``$GEO_TEST_SLOW_WRITE`` (seconds) makes :func:`write_all_atomic` (the build's outputs) pause
halfway through each temporary file. Only the test that kills a build midway sets it, to kill
at a known moment.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from geo.errors import BuildLockedError

LOCK_NAME = ".geo-build.lock"
LOCK_POLL = 0.1


def _temp_path(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def _write_temp(path: Path, text: str, *, pause: float = 0.0) -> Path:
    """Write ``text`` to a new temporary file beside ``path``, flushed to disk; its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_path(path)
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as f:
            half = len(text) // 2 if pause else len(text)
            f.write(text[:half])
            if pause:
                f.flush()
                time.sleep(pause)
            f.write(text[half:])
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


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it into place, so a
    reader (or a build killed midway) only ever sees the old file or the new one."""
    tmp = _write_temp(path, text)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_all_atomic(files: Mapping[Path, str]) -> None:
    """Write several files atomically: every temporary file first, then the renames in a row.

    A build killed while writing leaves the previous files whole; the short window of renames
    is the only time a reader can see some files new and others old.
    """
    temps: dict[Path, Path] = {}
    pause = float(os.environ.get("GEO_TEST_SLOW_WRITE") or 0)
    try:
        for path, text in files.items():
            temps[path] = _write_temp(path, text, pause=pause)
        for path, tmp in temps.items():
            os.replace(tmp, path)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
    for folder in {p.parent for p in files}:
        _fsync_dir(folder)


def replace_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a temporary file (same suffix, same folder), then rename it to
    ``path``; for writers such as GDAL's that take a file name rather than text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # some drivers refuse to write over an existing file
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def create_new(path: Path, text: str) -> bool:
    """Create ``path`` with ``text`` unless it exists; never overwrites. Whether it created it.

    The text goes to a temporary file that is then hard-linked to ``path``, which fails if the
    name is taken: two processes adding at once cannot overwrite each other.
    """
    tmp = _write_temp(path, text)
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
               on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` for one build.

    A second build waits for the first (up to ``wait`` seconds, calling ``on_wait`` once when it
    starts waiting), then runs on the articles as they are by then.

    Raises
    ------
    BuildLockedError
        If the lock is still held after ``wait`` seconds.
    """
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    with (folder / LOCK_NAME).open("w") as f:
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
