"""Reading workbooks into Submissions: safety pre-checks, cells, tables, identity, mapping to the catalog, values.

Entry point: `read_files(jobs, registry, catalog, options)` reads (path, folder period) jobs in order, in worker
processes when that pays; `parse_submission` reads one file (`tonghop parse`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pipeline.read import workers
from pipeline.read.submission import Submission, parse_submission, submission_json
from pipeline.reference.catalog import Catalog
from pipeline.reference.registry import Registry

if TYPE_CHECKING:  # pipeline.config imports this package's safety limits
    from pipeline.config import ReadOptions

__all__ = ["Submission", "parse_submission", "read_files", "submission_json"]
FILES_PER_REPORT = 10  # progress is reported every this many files when reading in this process


def read_files(jobs: Sequence[workers.Job], registry: Registry, catalog: Catalog, options: ReadOptions,
               on_done: Callable[[int], None] = lambda n: None) -> list[Submission]:
    """Read (path, folder period) jobs into Submissions, in the jobs' order; `on_done(n)` hears of finished files."""
    n_workers = workers.effective_workers(len(jobs), options.workers)
    if n_workers > 1:
        subs = workers.parse_files(jobs, registry, catalog, options.limits, n_workers)
        on_done(len(subs))
        return subs
    subs = []
    for path, folder_period in jobs:
        subs.append(parse_submission(path, registry, catalog, folder_period=folder_period, limits=options.limits))
        if len(subs) % FILES_PER_REPORT == 0 or len(subs) == len(jobs):
            on_done(FILES_PER_REPORT if len(subs) % FILES_PER_REPORT == 0 else len(subs) % FILES_PER_REPORT)
    return subs
