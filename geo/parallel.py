"""Extraction past one process: one function per partition that a single process, a pool of
``--jobs`` processes and a Dask cluster all run.

:func:`extract_rows` extracts a partition (plain columns: ``geo.corpus.Batch``);
:func:`extract_partition` is the same for pandas, the library face: give it a DataFrame with
``id`` and ``text`` (a partition of a Dask DataFrame, say) and it returns that partition's
mentions, one row per mention (the columns of ``geo.corpus.MENTION_COLUMNS``), each row
indexed by its article's row. Each process loads the gazetteer once (:func:`worker_gazetteer`);
a pool forks its workers after the parent has loaded it, so on Linux they share its pages.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import sys
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from geo import corpus, languages, pipeline
from geo.corpus import BadRow, Batch, Mentions
from geo.errors import InputError
from geo.gazetteer.store import Gazetteer, load
from geo.records import Article, Mention
from geo.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

# An input of at least this many characters is extracted on every core when --jobs is not
# given (about half a second of one core); a smaller one in this process.
LARGE_INPUT = 2_000_000
WINDOW = 2  # partitions in flight per worker: enough to keep each busy, input read lazily


@dataclass(frozen=True, slots=True)
class Extracted:
    """The mentions of one partition, the articles that failed (row label, reason), and the
    process that extracted it with its memory then (see :func:`memory_mb`)."""

    mentions: Mentions
    failed: tuple[tuple[int, str], ...]
    pid: int
    memory: tuple[float, float]
    # the mentions as the output takes them, made by the worker (see run's ``encode``); the
    # mentions' columns are then left out, their labels kept
    encoded: Any = None


def memory_mb() -> tuple[float, float]:
    """This process's peak resident memory (shared pages counted in full) and its proportional
    set size now (each page shared with other processes, such as a forked worker's gazetteer,
    divided among them; 0 where the system does not say), in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss = peak / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes there, KiB here
    try:
        rollup = Path("/proc/self/smaps_rollup").read_text(encoding="ascii")
    except OSError:
        return rss, 0.0
    pss = next((line.split()[1] for line in rollup.splitlines() if line.startswith("Pss:")), "0")
    return rss, int(pss) / 1024


def note_memory(memory: dict[str, tuple[float, float]], done: Extracted) -> None:
    """Keep, by process id, each worker's peak resident memory and last proportional set
    size."""
    pid = str(done.pid)
    memory[pid] = (max(memory.get(pid, (0.0, 0.0))[0], done.memory[0]), done.memory[1])


def worker_gazetteer(folder: str | Path | None = None) -> Gazetteer:
    """The gazetteer of this process (loaded on first use, then kept): ``folder``, or the one
    the default settings name ($GEO_GAZETTEER or data/gazetteer/)."""
    return load(Path(folder) if folder is not None else Settings().gazetteer_dir)


Found = list[tuple[int, str, str, list[Mention]]]  # label, article key, language, mentions


def extract_rows(part: Batch, gaz: Gazetteer) -> Extracted:
    """Extract every article of a partition; one that fails (or whose text is not a string) is
    listed in ``failed`` and the others go on."""
    found, failed = _found(part, gaz)
    return Extracted(corpus.mention_columns(found), tuple(failed), os.getpid(), memory_mb())


def _found(part: Batch, gaz: Gazetteer) -> tuple[Found, list[tuple[int, str]]]:
    """Each article's mentions, and the articles that failed (label, reason)."""
    found: Found = []
    failed: list[tuple[int, str]] = []
    for i, (label, ident, text) in enumerate(zip(part.labels, part.ids, part.texts, strict=True)):
        if not isinstance(text, str):
            failed.append((label, f"'text' must be a string, got {type(text).__name__}"))
            continue
        lang = part.lang(i) or languages.detect(text)
        try:
            mentions = pipeline.extract(text, gaz, lang)
        except Exception as e:  # noqa: BLE001 - one article's bug must not stop the others
            reason = f"extraction failed ({type(e).__name__}: {e}); please report this article"
            failed.append((label, reason))
            continue
        found.append((label, corpus.article_key(ident), lang, mentions))
    return found, failed


def extract_partition(partition: pd.DataFrame, *,
                      gazetteer: Gazetteer | str | Path | None = None) -> pd.DataFrame:
    """The mentions of a partition of articles.

    Parameters
    ----------
    partition
        A DataFrame with the columns ``id`` and ``text``.
    gazetteer
        A loaded gazetteer, or the folder of one (loaded once per process); by default the
        one the settings name.

    Returns
    -------
    pandas.DataFrame
        One row per mention with the columns of ``geo.corpus.MENTION_COLUMNS``, in article
        order, each indexed by its article's row. An article that cannot be extracted is
        left out with a warning naming its id.
    """
    gaz = gazetteer if isinstance(gazetteer, Gazetteer) else worker_gazetteer(gazetteer)
    done = extract_rows(corpus.batch_of(partition), gaz)
    for label, reason in done.failed:
        warnings.warn(f"article {partition.at[label, 'id']!r}: {reason}", stacklevel=2)
    return done.mentions.frame()


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def choose_jobs(parts: Iterable[Batch], jobs: int | None) -> tuple[int, Iterator[Batch]]:
    """The number of processes, and the partitions: ``jobs`` if given; else every core when the
    input holds at least LARGE_INPUT characters (read ahead until it is known), else one."""
    it = iter(parts)
    if jobs is not None:
        if jobs < 1:
            msg = f"--jobs must be at least 1, got {jobs}"
            raise InputError(msg)
        return jobs, it
    ahead: list[Batch] = []
    chars = 0
    for part in it:
        ahead.append(part)
        chars += _characters(part)
        if chars >= LARGE_INPUT:
            return cores(), chain(ahead, it)
    return 1, iter(ahead)


def _characters(part: Batch) -> int:
    return sum(len(t) for t in part.texts if isinstance(t, str))


Encoder = Callable[[Batch, Extracted], Any]
# what a worker makes of each article it extracted instead of its mentions (see ``run``):
# called with its text and mentions, the value (picklable) is what this process receives
Each = Callable[[str, tuple[Mention, ...]], Any]


def _extract_encoded(part: Batch, gaz: Gazetteer, encode: Encoder | None,
                     each: Each | None = None) -> Extracted:
    if each is not None:
        found, failed = _found(part, gaz)
        texts = dict(zip(part.labels, part.texts, strict=True))
        values = {label: each(texts[label], tuple(ms)) for label, _, _, ms in found}
        return Extracted(corpus.mention_columns(()), tuple(failed), os.getpid(), memory_mb(),
                         encoded=values)
    done = extract_rows(part, gaz)
    if encode is None:
        return done
    return replace(done, mentions=Mentions(done.mentions.index, {}, done.mentions.langs),
                   encoded=encode(part, done))


def _work(part: Batch, folder: str, encode: Encoder | None, each: Each | None) -> Extracted:
    return _extract_encoded(part, worker_gazetteer(folder), encode, each)


def arrow_encoded(part: Batch, done: Extracted) -> Any:
    """An encoder for :func:`run`: the partition's mentions as an Arrow table."""
    return corpus.arrow_table(done.mentions)


def jsonl_encoded(part: Batch, done: Extracted) -> str:
    """An encoder for :func:`run`: the partition's JSON Lines (failed articles left out)."""
    failed = frozenset(label for label, _ in done.failed)
    return "".join(corpus.jsonl_lines(part, done.mentions, failed))


def start_method() -> str | None:
    """fork where the platform has it (the workers then share the parent's gazetteer)."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else None


def run(parts: Iterable[Batch], *, gazetteer_dir: Path, jobs: int,
        encode: Encoder | None = None, each: Each | None = None,
        ) -> Iterator[tuple[Batch, Extracted]]:
    """Each partition with its extraction, in input order, over ``jobs`` processes; with
    ``encode`` (a module-level function, such as :func:`arrow_encoded`), the worker also
    encodes the mentions for the output, so that this process only writes them; with ``each``
    (picklable), the worker gives, instead of the mentions, ``each(text, mentions)`` of every
    article, by label, in ``encoded``.

    With more than one, the gazetteer is loaded here first and the workers are forked from
    this process, so each starts with it (elsewhere each worker loads it once).
    """
    folder = str(gazetteer_dir)
    if jobs == 1:
        gaz = worker_gazetteer(folder)
        yield from ((part, _extract_encoded(part, gaz, encode, each)) for part in parts)
        return
    worker_gazetteer(folder)
    gc.freeze()  # the collector would otherwise touch, and so copy, every shared page
    ctx = multiprocessing.get_context(start_method())
    try:
        with ctx.Pool(jobs, initializer=worker_gazetteer, initargs=(folder,)) as pool:
            pending: deque[tuple[Batch, Any]] = deque()
            for part in parts:
                pending.append((part, pool.apply_async(_work, (part, folder, encode, each))))
                if len(pending) >= WINDOW * jobs:
                    done, result = pending.popleft()
                    yield done, result.get()
            while pending:
                done, result = pending.popleft()
                yield done, result.get()
    finally:
        gc.unfreeze()


@dataclass(frozen=True, slots=True)
class ExtractReport:
    """What ``geo extract`` read, skipped and wrote, with how many processes."""

    articles: int
    characters: int
    mentions: int
    seconds: float
    jobs: int
    bad: tuple[BadRow, ...] = ()
    workers_mb: dict[str, tuple[float, float]] = field(default_factory=dict)

    def summary(self) -> str:
        """The closing line."""
        speed = self.characters / self.seconds if self.seconds else 0.0
        peak = max((rss for rss, _ in self.workers_mb.values()), default=0.0)
        procs = "1 process" if self.jobs == 1 else f"{self.jobs} processes"
        return (f"{self.articles} articles read, {len(self.bad)} skipped, {self.mentions} "
                f"mentions, {self.seconds:.1f} s ({procs}, {speed / 1e6:.2f} M characters/s, "
                f"peak {peak:.0f} MB per process)")


class _Tally:
    """Counts what passes through a run, and the rows it had to skip."""

    def __init__(self, on_bad: Callable[[BadRow], None]) -> None:
        self.articles = self.characters = self.mentions = 0
        self.bad: list[BadRow] = []
        self.memory: dict[str, tuple[float, float]] = {}
        self._on_bad = on_bad

    def skip(self, row: BadRow) -> None:
        self.bad.append(row)
        self._on_bad(row)

    def count(self, part: Batch, done: Extracted, where: str) -> None:
        """Count a partition; report its failed articles."""
        ids = dict(zip(part.labels, part.ids, strict=True))
        for label, reason in done.failed:
            self.skip(BadRow(f"{where} article {label + 1}", ids[label], reason))
        self.articles += len(part) - len(done.failed)
        self.characters += _characters(part)
        self.mentions += len(done.mentions)
        note_memory(self.memory, done)


def extract_corpus(source: str, *, stdin: IO[str], out: IO[str] | Path, fmt: str,
                   settings: Settings, jobs: int | None = None,
                   on_bad: Callable[[BadRow], None] = lambda row: None,
                   on_partition: Callable[[int], None] = lambda n: None) -> ExtractReport:
    """Extract every article of a corpus (see ``geo.corpus.read``) and write the mentions to
    ``out`` (a stream for JSON Lines, else a path) in ``fmt``, in input order.

    Bad rows and failed articles go to ``on_bad`` and are left out; ``on_partition`` gets the
    number of articles of each partition done.
    """
    t0 = time.perf_counter()
    where = "standard input" if source == corpus.STDIN else source
    tally = _Tally(on_bad)
    rows = corpus.read(source, stdin=stdin, max_bytes=settings.max_article_bytes)
    n, parts = choose_jobs(corpus.partitions(rows, on_bad=tally.skip), jobs)

    encode = arrow_encoded if isinstance(out, Path) and fmt == "parquet" else (
        None if isinstance(out, Path) else jsonl_encoded)

    def found() -> Iterator[Any]:
        for part, done in run(parts, gazetteer_dir=settings.gazetteer_dir, jobs=n,
                              encode=encode):
            tally.count(part, done, where)
            if isinstance(out, Path):
                yield done.mentions if encode is None else done.encoded
            else:
                out.write(done.encoded)
            on_partition(len(part))

    if isinstance(out, Path):
        writer = corpus.write_parquet if fmt == "parquet" else corpus.write_geoparquet
        writer(out, found())
    else:
        for _ in found():
            pass
    return ExtractReport(articles=tally.articles, characters=tally.characters,
                         mentions=tally.mentions, seconds=time.perf_counter() - t0, jobs=n,
                         bad=tuple(tally.bad), workers_mb=tally.memory)


def dask_extract(source: str, *, stdin: IO[str], out: Path, address: str, settings: Settings,
                 workers: int | None = None,
                 on_bad: Callable[[BadRow], None] = lambda row: None) -> ExtractReport:
    """Extract a corpus on a Dask cluster (``address``, or ``local`` for a LocalCluster of
    ``workers`` processes) into a folder of Parquet parts, one per partition. The workers read
    a Parquet input themselves (a partition per row group); any other is read here."""
    from geo import _dask

    tally = _Tally(on_bad)
    with _dask.connect(address, workers=workers or cores(),
                       gazetteer_dir=settings.gazetteer_dir) as client:
        t0 = time.perf_counter()
        # read once the workers have started, so that a local cluster's do not inherit it
        if corpus.kind_of(source) == "parquet" and Path(source).is_file():
            parts: Any = _dask.read_parquet(Path(source))
        else:
            rows = corpus.read(source, stdin=stdin, max_bytes=settings.max_article_bytes)
            parts = list(corpus.partitions(rows, on_bad=tally.skip))
        written = _dask.write_parquet(client, parts, out, gazetteer_dir=settings.gazetteer_dir,
                                      where=source)
        seconds = time.perf_counter() - t0
        memory = _dask.worker_memory(client)
    for row in (bad for w in written for bad in w.bad):
        tally.skip(row)
    return ExtractReport(articles=sum(w.articles for w in written),
                         characters=sum(w.characters for w in written),
                         mentions=sum(w.mentions for w in written), seconds=seconds,
                         jobs=len(memory), bad=tuple(tally.bad), workers_mb=memory)


def extract_articles(todo: Sequence[Article], *, gazetteer_dir: Path, jobs: int | None = None,
                     progress: Callable[[Sequence[Article]], Iterable[Article]] | None = None,
                     ) -> Iterator[tuple[Article, tuple[Mention, ...] | str]]:
    """Each article with its mentions, or the reason its extraction failed, in order, over
    ``jobs`` processes (see :func:`choose_jobs`); ``progress`` wraps the articles as they are
    handed out (a progress bar, say)."""
    for part, done in _article_runs(todo, gazetteer_dir=gazetteer_dir, jobs=jobs,
                                    progress=progress):
        found = corpus.mentions_of(done.mentions, worker_gazetteer(gazetteer_dir))
        failed = dict(done.failed)
        for label in part.labels:
            yield todo[label], failed.get(label) or found.get(label, ())


@dataclass(frozen=True, slots=True)
class Failed:
    """Why an article's extraction failed."""

    reason: str


def map_articles(todo: Sequence[Article], *, each: Each, gazetteer_dir: Path,
                 jobs: int | None = None,
                 progress: Callable[[Sequence[Article]], Iterable[Article]] | None = None,
                 ) -> Iterator[tuple[Article, Any]]:
    """Each article with what ``each`` (picklable) made of its text and mentions in the worker
    that extracted it, or :class:`Failed`, in order; as :func:`extract_articles` otherwise."""
    for part, done in _article_runs(todo, gazetteer_dir=gazetteer_dir, jobs=jobs,
                                    progress=progress, each=each):
        failed = dict(done.failed)
        for label in part.labels:
            yield todo[label], Failed(failed[label]) if label in failed else done.encoded[label]


def _article_runs(todo: Sequence[Article], *, gazetteer_dir: Path, jobs: int | None,
                  progress: Callable[[Sequence[Article]], Iterable[Article]] | None,
                  each: Each | None = None) -> Iterator[tuple[Batch, Extracted]]:
    handed = progress(todo) if progress else todo
    rows = (corpus.Row(a.id, a.text, {"lang": a.lang}) for a in handed)
    n, parts = choose_jobs(corpus.partitions(rows, on_bad=lambda row: None), jobs)
    return run(parts, gazetteer_dir=gazetteer_dir, jobs=n, each=each)


def will_fork(todo: Sequence[Article], jobs: int | None) -> bool:
    """Whether extracting ``todo`` with ``jobs`` would use more than one process (see
    :func:`choose_jobs`)."""
    if jobs is not None:
        return jobs > 1
    return cores() > 1 and sum(len(a.text) for a in todo) >= LARGE_INPUT
