"""Reading workbooks in worker processes: the same Submissions, in the same order, as reading them one by one."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipeline.reference.catalog import Catalog
from pipeline.read.safety import Limits
from pipeline.read.submission import Submission, parse_submission
from pipeline.reference.registry import Registry

# Starting the workers costs about 0.5 s in a run (a fork server importing pandas, pandera and calamine once, then
# forking the workers; tests/bench.py prints it). Two processes win back half of 7-15 ms per workbook, so reading
# in parallel pays above roughly 60-130 files; below 2 x this many files they are read in this process.
MIN_FILES_PER_WORKER = 50

Job = tuple[Path, str | None]  # (path, folder period)

_registry: Registry | None = None
_catalog: Catalog | None = None
_limits: Limits = Limits()


def start_method() -> str:
    """Return how workers are started: from a fork server (no fork of a process running threads), else spawn."""
    return "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


def cores() -> int:
    """Return the number of cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def effective_workers(n_files: int, workers: int) -> int:
    """Return how many processes should read n_files when `workers` are allowed (1 = read in this process)."""
    if workers <= 1 or mp.current_process().daemon:  # a daemonic process (e.g. a Dask worker) may not start children
        return 1
    return max(1, min(workers, cores(), n_files // MIN_FILES_PER_WORKER))


def _init(registry: Registry, catalog: Catalog, limits: Limits) -> None:
    """Keep the run's reference data in the worker (sent once per worker, not once per file)."""
    global _registry, _catalog, _limits
    _registry, _catalog, _limits = registry, catalog, limits


def _parse(job: Job) -> Submission:
    assert _registry is not None and _catalog is not None
    return parse_submission(job[0], _registry, _catalog, folder_period=job[1], limits=_limits)


def parse_files(jobs: Sequence[Job], registry: Registry, catalog: Catalog, limits: Limits = Limits(),
                workers: int = 2) -> list[Submission]:
    """Parse (path, folder period) jobs in `workers` processes, in the jobs' order."""
    workers = max(1, min(workers, len(jobs)))
    chunksize = max(1, min(16, len(jobs) // (workers * 8)))  # few round trips, yet a balanced tail
    ctx = mp.get_context(start_method())
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["__main__", "pipeline.read.workers"])  # imported once by the server, not per worker
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init,
                             initargs=(registry, catalog, limits)) as pool:
        return list(pool.map(_parse, jobs, chunksize=chunksize))
