"""The scaling benchmark: a corpus repeated COPIES times (distinct ids), extracted by one
process, by a pool of ``--jobs`` processes and by Dask LocalClusters of one and of ``--jobs``
worker processes; characters/s, their ratios, start-up, peak memory per worker, and whether
every output equals the single process's, mention for mention.

Each configuration runs in a fresh process (so none starts with another's warm memo tables);
inside it, reading the corpus and loading the gazetteer are not timed, and a Dask cluster's
start-up (workers started, each with its gazetteer loaded) is timed apart from the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo import articles, corpus, parallel
from geo.bench import timed_geo
from geo.corpus import Batch
from geo.errors import InputError

JOBS_RUNNER = "from geo import bench_scale; bench_scale.child_jobs()"
DASK_RUNNER = "from geo import bench_scale; bench_scale.child_dask()"


def _rows(sources: Sequence[Path]) -> Iterator[corpus.Row]:
    for source in sources:
        for r in corpus.read(str(source), max_bytes=2**62):
            if isinstance(r, corpus.Row):
                yield r


def repeated(source: Path, copies: int) -> Iterator[Batch]:
    """The partitions of ``source`` repeated ``copies`` times, copy k's ids suffixed ``#k``,
    read as they are needed."""
    rows = (corpus.Row(f"{r.ident}#{k}", r.text, {}) for k in range(copies)
            for r in _rows([source]))
    return corpus.partitions(rows, on_bad=lambda row: None)


def _report(figures: dict[str, Any]) -> None:
    print(json.dumps(figures))


def child_jobs() -> None:
    """In a fresh process: extract the corpus of argv (path, copies, jobs, gazetteer, output
    Parquet) with a pool, writing the Parquet as it goes (as geo extract does); print the
    figures as JSON."""
    source, copies, jobs, gazetteer_dir, out = sys.argv[1:6]
    parallel.worker_gazetteer(gazetteer_dir)
    parts = repeated(Path(source), int(copies))
    memory: dict[str, tuple[float, float]] = {}

    def found() -> Iterator[Any]:
        for _, d in parallel.run(parts, gazetteer_dir=Path(gazetteer_dir), jobs=int(jobs),
                                 encode=parallel.arrow_encoded):
            parallel.note_memory(memory, d)
            yield d.encoded

    t0, c0 = time.perf_counter(), _cpu(os.times())
    corpus.write_parquet(Path(out), found())
    seconds, cpu = time.perf_counter() - t0, _cpu(os.times()) - c0  # the pool is joined
    _report({"seconds": seconds, "cpu": cpu, "startup": 0.0, "memory": sorted(memory.values())})


def child_dask() -> None:
    """In a fresh process: start a LocalCluster of argv's worker count (timed as start-up),
    then extract the corpus into a folder of Parquet parts (timed); print the figures."""
    from geo import _dask

    source, copies, workers, gazetteer_dir, out = sys.argv[1:6]
    t0 = time.perf_counter()
    with _dask.connect(_dask.LOCAL, workers=int(workers),
                       gazetteer_dir=Path(gazetteer_dir)) as client:
        t1, c1 = time.perf_counter(), _cpu(os.times()) + _workers_cpu(client)
        parts = list(repeated(Path(source), int(copies)))  # read after the workers started
        _dask.write_parquet(client, parts, Path(out), gazetteer_dir=Path(gazetteer_dir))
        t2, c2 = time.perf_counter(), _cpu(os.times()) + _workers_cpu(client)
        memory = sorted(_dask.worker_memory(client).values())
    _report({"seconds": t2 - t1, "cpu": c2 - c1, "startup": t1 - t0, "memory": memory})


def _cpu(t: os.times_result) -> float:
    """CPU seconds of this process and of its children that have ended."""
    return t.user + t.system + t.children_user + t.children_system


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _workers_cpu(client: Any) -> float:
    """CPU seconds the Dask workers have used."""
    return float(sum(client.run(_own_cpu).values()))


@dataclass(frozen=True, slots=True)
class Run:
    """One configuration's figures."""

    name: str
    processes: int
    seconds: float
    cpu: float  # CPU seconds of every process the run used
    startup: float
    memory: tuple[tuple[float, float], ...]  # per worker: peak RSS, PSS (MB)
    identical: bool


@dataclass(frozen=True, slots=True)
class ScaleBench:
    """The figures of one run of the scaling benchmark."""

    articles: int
    characters: int
    runs: tuple[Run, ...]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    jobs: int

    def speed(self, name: str) -> float:
        """Characters/s of the configuration called ``name``."""
        run = next(r for r in self.runs if r.name == name)
        return self.characters / run.seconds

    def ratios(self) -> dict[str, float]:
        """The same-run ratios the issue asks for."""
        n = self.jobs
        return {f"jobs {n} / jobs 1": self.speed(f"--jobs {n}") / self.speed("--jobs 1"),
                f"dask {n} workers / dask 1 worker":
                    self.speed(f"dask {n} workers") / self.speed("dask 1 worker"),
                f"dask {n} workers / jobs 1":
                    self.speed(f"dask {n} workers") / self.speed("--jobs 1")}

    @property
    def identical(self) -> bool:
        """Whether every output equals the single process's."""
        return all(r.identical for r in self.runs)

    @property
    def peak_mb(self) -> float:
        """The largest peak memory of any worker."""
        return max(rss for r in self.runs for rss, _ in r.memory)

    def lines(self) -> list[str]:
        """The human-readable report."""
        out = [f"corpus:    {self.articles} articles, {self.characters:,} characters",
               f"load avg:  {_load(self.load_before, self.load_after)}"]
        for r in self.runs:
            peaks = ", ".join(f"{rss:.0f} (PSS {pss:.0f})" for rss, pss in r.memory)
            start = f", start-up {r.startup:.2f} s" if r.startup else ""
            out.append(f"{r.name:<17} {r.seconds:6.2f} s  {self.speed(r.name) / 1e6:5.2f} M "
                       f"chars/s, {r.cpu / r.seconds:.2f} cores busy, "
                       f"{self.characters / r.cpu / 1e6:.2f} M chars per CPU-second{start}; "
                       f"peak MB per worker: {peaks}; identical: "
                       f"{'yes' if r.identical else 'NO'}")
        out += [f"ratio {k}: {v:.2f}" for k, v in self.ratios().items()]
        starved = [f"{r.name} had {r.cpu / r.seconds:.2f} of {r.processes}" for r in self.runs
                   if r.cpu < 0.8 * r.processes * r.seconds]
        if starved:
            out.append(f"other processes held the CPU ({'; '.join(starved)} cores busy): the "
                       "ratios understate the scaling; run again on a quiet machine")
            if _autogroups():
                out.append("the kernel shares the CPU between sessions (autogroups), so all of "
                           "this benchmark's processes share one session's part of it")
        out.append(f"peak memory per worker: {self.peak_mb:.0f} MB; all outputs identical: "
                   f"{'yes' if self.identical else 'NO'}")
        return out


def _autogroups() -> bool:
    """Whether Linux schedules by session (sched_autogroup_enabled)."""
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return False


def _load(before: tuple[float, float, float], after: tuple[float, float, float]) -> str:
    """The load averages (1, 5, 15 minutes) before and after, and the cores there are."""
    def shown(x: tuple[float, float, float]) -> str:
        return " ".join(f"{v:.2f}" for v in x)

    return f"before {shown(before)}, after {shown(after)} ({os.cpu_count()} cores)"


def _child(code: str, *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", code, *args], check=True,
                          capture_output=True, text=True)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _mentions(path: Path) -> list[Any]:
    return [row for _, row in corpus.read_mentions(path)]


def run(source: Path, gazetteer_dir: Path, *, copies: int = 4, jobs: int = 2) -> ScaleBench:
    """Run every configuration once, each in a fresh process, and compare their outputs."""
    parts = list(repeated(source, copies))
    if not parts:
        msg = f"{str(source)!r} holds no article with an id and a text"
        raise InputError(msg)
    load_before = os.getloadavg()
    configs = [("--jobs 1", JOBS_RUNNER, 1), (f"--jobs {jobs}", JOBS_RUNNER, jobs),
               ("dask 1 worker", DASK_RUNNER, 1), (f"dask {jobs} workers", DASK_RUNNER, jobs)]
    runs = []
    with tempfile.TemporaryDirectory(prefix="geo-bench-scale-") as tmp:
        baseline: list[Any] | None = None
        for n, (name, code, count) in enumerate(configs):
            out = Path(tmp) / f"out-{n}{'.parquet' if code == JOBS_RUNNER else ''}"
            fig = _child(code, str(source), str(copies), str(count), str(gazetteer_dir),
                         str(out))
            rows = _mentions(out)
            baseline = rows if baseline is None else baseline
            runs.append(Run(name, count, fig["seconds"], fig["cpu"], fig["startup"],
                            tuple((rss, pss) for rss, pss in fig["memory"]),
                            rows == baseline))
    return ScaleBench(articles=sum(map(len, parts)),
                      characters=sum(len(t) for p in parts for t in p.texts),
                      runs=tuple(runs), load_before=load_before, load_after=os.getloadavg(),
                      jobs=jobs)


@dataclass(frozen=True, slots=True)
class BuildScale:
    """First builds of a seeds folder by one process and by ``jobs``, as a user runs them."""

    articles: int
    jobs: int
    seconds: tuple[float, float]
    cpu: tuple[float, float]  # CPU seconds of each build and its workers
    identical: bool
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    def lines(self) -> list[str]:
        """The human-readable report."""
        one, many = self.seconds
        busy = [c / t for c, t in zip(self.cpu, self.seconds, strict=True)]
        return [f"articles:          {self.articles}",
                f"load avg:          {_load(self.load_before, self.load_after)}",
                f"geo build --jobs 1 {one:.2f} s, {busy[0]:.2f} cores busy",
                f"geo build --jobs {self.jobs} {many:.2f} s, {busy[1]:.2f} cores busy",
                f"ratio:             {one / many:.2f}",
                f"identical outputs: {'yes' if self.identical else 'NO'}"]


def write_seeds(sources: Sequence[Path], folder: Path) -> int:
    """Write every article of the corpora as a text file of ``folder`` (its id as the name, the
    first line as title); how many."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for n, row in enumerate(_rows(sources), 1):
        name = articles.article_id(Path(str(row.ident)))
        (folder / f"{name}.txt").write_text(row.text + "\n", encoding="utf-8")
    return n


def build_run(sources: Sequence[Path], gazetteer_dir: Path, *, jobs: int = 2) -> BuildScale:
    """Time a first build of the corpora's articles with ``--jobs 1`` and ``--jobs N`` (each a
    whole ``geo build`` process), and compare the outputs."""
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="geo-bench-build-") as tmp:
        seeds = Path(tmp) / "seeds"
        count = write_seeds(sources, seeds)
        times, cpu, outputs = [], [], []
        for n in (1, jobs):
            out = Path(tmp) / f"maps-{n}"
            c0 = _cpu(os.times())
            times.append(timed_geo("--gazetteer", str(gazetteer_dir), "build", "--seeds",
                                   str(seeds), "--out", str(out), "--jobs", str(n)))
            cpu.append(_cpu(os.times()) - c0)
            outputs.append({p.name: p.read_bytes() for p in sorted(out.glob("*"))
                            if p.is_file() and not p.name.startswith(".")})
    return BuildScale(articles=count, jobs=jobs, seconds=(times[0], times[1]),
                      cpu=(cpu[0], cpu[1]), identical=outputs[0] == outputs[1], load_before=load_before,
                      load_after=os.getloadavg())
