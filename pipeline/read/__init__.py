"""Reading workbooks into Submissions: safety pre-checks, cells, tables, identity, mapping to the catalog, values.

Entry point: `read_files(jobs, registry, catalog, options)` reads (path, folder period) jobs in order, in worker
processes bounded in memory and time (a file that crashes or hangs its reader is rejected, the others go on);
`parse_submission` reads one file in this process (`tonghop parse`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from pipeline.read import workers
from pipeline.read.submission import Submission, parse_submission, submission_json
from pipeline.reference.catalog import Catalog
from pipeline.reference.registry import Registry

if TYPE_CHECKING:  # pipeline.config imports this package's safety limits
    from pipeline.config import ReadOptions

__all__ = ["Submission", "parse_submission", "read_files", "submission_json", "warm_up"]

warm_up = workers.warm_up


def read_files(jobs: Iterable[workers.Job], registry: Registry, catalog: Catalog, options: ReadOptions,
               on_done: Callable[[int], None] = lambda n: None, count: int | None = None) -> list[Submission]:
    """Read (path, folder period) jobs into Submissions, in the jobs' order; `on_done(n)` hears of finished files.

    `jobs` may be an iterable handing out each job when its file is ready (the run's archived copies, made while the
    first files are read); `count` is then how many jobs it may give at most (it sizes the pool of readers).
    """
    n = len(jobs) if count is None else count
    if n == 0:
        return []
    subs = workers.parse_files(jobs, registry, catalog, options.limits, workers.effective_workers(n, options.workers))
    on_done(len(subs))
    return subs
