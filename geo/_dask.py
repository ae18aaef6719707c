"""Dask: a client of a cluster (or of a LocalCluster), a worker plugin that loads the gazetteer
once in each worker, and the mentions of a corpus written as partitioned Parquet.

Needs the optional extra: ``pip install 'geo[dask]'``.
"""

from __future__ import annotations

import gc
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    import dask
    import dask.dataframe as dd
    from dask.delayed import delayed
    from distributed import Client, LocalCluster, WorkerPlugin
except ImportError as e:  # pragma: no cover - the extra is installed wherever tests run
    from geo.errors import InputError

    msg = "--dask needs dask and distributed: pip install 'geo[dask]'"
    raise InputError(msg) from e

from geo import corpus, parallel
from geo.corpus import BadRow, Batch
from geo.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

LOCAL = "local"
# The workers' statistical profiler samples every thread's stack every 10 ms, which costs
# extraction (pure Python, holding the GIL) a good share of its time, so geo's local workers
# run without it; and two tasks queued per thread keep a worker from waiting on the scheduler
# between partitions.
LOCAL_CONFIG = {"distributed.worker.profile.enabled": False,
                "distributed.scheduler.worker-saturation": 2.0}
PART = "part-{:05d}.parquet"


class GazetteerPlugin(WorkerPlugin):
    """Loads the gazetteer in each worker as it starts (workers that join later too), so
    that the first task pays no load and each worker holds one copy."""

    name = "geo-gazetteer"

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def setup(self, worker: Any) -> None:
        """Load the gazetteer into the worker process's cache."""
        parallel.worker_gazetteer(self.folder)


@contextmanager
def connect(address: str, *, workers: int, gazetteer_dir: Path,
            processes: bool = True) -> Iterator[Any]:
    """A client of the scheduler at ``address``, or of a new LocalCluster of ``workers``
    single-threaded worker processes for ``local``; every worker has the gazetteer loaded."""
    cluster = None
    if address == LOCAL:
        # loaded here first, the workers forked from this process share its gazetteer
        parallel.worker_gazetteer(gazetteer_dir)
        gc.freeze()  # the collector would otherwise touch, and so copy, every shared page
        with dask.config.set(LOCAL_CONFIG | {"distributed.worker.multiprocessing-method":
                                             parallel.start_method() or "spawn"}):
            cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers, threads_per_worker=1, processes=processes,
                dashboard_address=None, silence_logs=logging.ERROR)
    try:
        with Client(cluster or address) as client:  # type: ignore[no-untyped-call]
            client.register_plugin(GazetteerPlugin(str(gazetteer_dir)))
            yield client
    finally:
        if cluster is not None:
            cluster.close()


def _clear(out: Path) -> None:
    """Make ``out`` an empty folder for the parts (removing the parts of an earlier run)."""
    if out.exists() and not out.is_dir():
        msg = f"{str(out)!r} is a file; --dask writes a folder of Parquet parts: give a folder"
        raise InputError(msg)
    if out.is_dir():
        others = [p.name for p in out.iterdir() if not p.name.startswith("part-")]
        if others:
            msg = (f"{str(out)!r} holds other files ({', '.join(sorted(others)[:3])}); give "
                   "an empty or new folder for the Parquet parts")
            raise InputError(msg)
        for old in out.iterdir():
            old.unlink()
    out.mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True, slots=True)
class Written:
    """What a worker wrote of one partition: its articles and their characters, the mentions
    of its part file, and its rows that could not be extracted."""

    articles: int
    characters: int
    mentions: int
    bad: tuple[BadRow, ...]


def _write_part(part: Batch | pd.DataFrame, number: int, *, out: str, gazetteer: str,
                where: str) -> Written:
    """On a worker: extract one partition (a Batch, or a partition the worker read, its index
    the rows' positions in the input) and write its part file."""
    batch = part if isinstance(part, Batch) else corpus.batch_of(part)
    done = parallel.extract_rows(batch, parallel.worker_gazetteer(gazetteer))
    corpus.write_parquet(Path(out) / PART.format(number), [done.mentions])
    ids = dict(zip(batch.labels, batch.ids, strict=True))
    bad = tuple(BadRow(f"{where} row {label + 1}", ids[label], reason)
                for label, reason in done.failed)
    return Written(len(batch) - len(bad), sum(len(t) for t in batch.texts if isinstance(t, str)),
                   len(done.mentions), bad)


def read_parquet(path: Path) -> Any:
    """A Parquet corpus as a Dask DataFrame that the workers read, a partition per row group,
    each indexed by its rows' positions in the file (only the schema is read here).

    Raises
    ------
    InputError
        When the file lacks an ``id`` or ``text`` column.
    """
    file = corpus.pyarrow_parquet().ParquetFile(path)
    names = file.schema_arrow.names
    if not {"id", "text"} <= set(names):
        msg = f"{str(path)!r} has the columns {sorted(names)}; geo needs id and text"
        raise InputError(msg)
    sizes = [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)]
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    with dask.config.set({"dataframe.convert-string": False}):  # plain str, None for nulls
        frame = dd.read_parquet(str(path), columns=["id", "text"], split_row_groups=True)
    return frame.map_partitions(_positions, starts, meta=frame._meta, align_dataframes=False)


def _positions(part: pd.DataFrame, starts: Sequence[int],
               partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """A partition of a Parquet corpus indexed by its rows' positions in the file."""
    start = starts[partition_info["number"]] if partition_info else 0
    return part.set_axis(range(start, start + len(part)))


def write_parquet(client: Any, parts: Sequence[Batch] | Any, out: Path, *,
                  gazetteer_dir: Path, where: str = "") -> tuple[Written, ...]:
    """Write the mentions of the partitions (Batches, or a Dask DataFrame of ``id``/``text``
    such as :func:`read_parquet` gives) to ``out``, one ``part-NNNNN.parquet`` per partition
    (the same bytes whatever the cluster); what each worker wrote. Each partition goes to a
    worker with its task, or is read there."""
    _clear(out)
    loads = list(parts) if isinstance(parts, Sequence) else parts.to_delayed()
    tasks = [delayed(_write_part, pure=False)(p, n, out=str(out), gazetteer=str(gazetteer_dir),
                                              where=where) for n, p in enumerate(loads)]
    with warnings.catch_warnings():  # the partitions travel with the graph, on purpose
        warnings.filterwarnings("ignore", message="Sending large graph")
        written: list[Written] = client.gather(client.compute(tasks))
    return tuple(written)


def worker_memory(client: Any) -> dict[str, tuple[float, float]]:
    """Each worker's peak resident memory and proportional set size in MB, by its address
    (see ``geo.parallel.memory_mb``)."""
    memory: dict[str, tuple[float, float]] = client.run(parallel.memory_mb)
    return memory
