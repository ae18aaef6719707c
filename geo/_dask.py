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
from pathlib import Path
from typing import Any

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
from geo.corpus import Batch
from geo.errors import InputError

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


def mentions(parts: Sequence[Batch], *, gazetteer_dir: Path) -> Any:
    """The Dask DataFrame of the mentions of these partitions: each partition goes to a
    worker with its task (so a worker holds only the partitions it is working on), and each
    worker runs ``geo.parallel.extract_partition`` on its own."""
    loads = [delayed(Batch.frame, pure=False)(p) for p in parts]
    frame = dd.from_delayed(loads, meta=Batch((), (), ()).frame(), verify_meta=False)
    return frame.map_partitions(parallel.extract_partition, gazetteer=str(gazetteer_dir),
                                meta=corpus.empty_mentions())


def write_parquet(client: Any, parts: Sequence[Batch], out: Path, *,
                  gazetteer_dir: Path) -> int:
    """Write the mentions of the partitions to ``out``, one ``part-NNNNN.parquet`` per
    partition (the same bytes whatever the cluster); the number of mentions."""
    _clear(out)
    if not parts:
        return 0
    found = mentions(parts, gazetteer_dir=gazetteer_dir)
    with warnings.catch_warnings():  # the partitions travel with the graph, on purpose
        warnings.filterwarnings("ignore", message="Sending large graph")
        written = found.to_parquet(out, schema=corpus.arrow_schema(), write_index=False,
                                   name_function=PART.format, write_metadata_file=False,
                                   compute=False)
        client.compute(written).result()
    pq = corpus.pyarrow_parquet()
    return sum(pq.ParquetFile(p).metadata.num_rows for p in sorted(out.glob("part-*.parquet")))


def worker_memory(client: Any) -> dict[str, tuple[float, float]]:
    """Each worker's peak resident memory and proportional set size in MB, by its address
    (see ``geo.parallel.memory_mb``)."""
    memory: dict[str, tuple[float, float]] = client.run(parallel.memory_mb)
    return memory
