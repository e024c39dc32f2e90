"""What a run did: one record per file and the run's summary. Every renderer (CLI, JSON, Prefect artifacts, the
summary file) reads these records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.inbox.files import InboxFile
    from pipeline.read.submission import Submission


@dataclass
class Candidate:
    """A new inbox file of this run, with its fingerprint and what the ledger already knows of its bytes."""

    file: InboxFile
    sha256: str
    duplicate_of: tuple[int, str] | None = None  # (submission id, file name); id 0 = an earlier file of this run
    submission: Submission | None = None
    skipped_reason: str | None = None
    waiting_reason: str | None = None
    received_at: dt.datetime | None = None  # first seen; set by a rebuild from the archive

    @property
    def to_read(self) -> bool:
        """Whether this file is read in this run (not a duplicate of known bytes, not still being copied)."""
        return self.duplicate_of is None and not self.waiting_reason


@dataclass
class FileResult:
    """What happened to one file in a run."""

    file: str
    status: str  # loaded | rejected | duplicate | skipped | waiting
    reason: str
    unit_code: str | None
    period_code: str | None
    submission_id: int | None = None
    values: int = 0
    errors: int = 0
    warnings: int = 0
    issue_rows: pd.DataFrame | None = field(default=None, repr=False)


@dataclass
class RunSummary:
    """The import summary of one run."""

    run_id: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    unchanged: int = 0
    files: list[FileResult] = field(default_factory=list)
    superseded: int = 0
    periods: list[str] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    feedback: list[Path] = field(default_factory=list)
    summary_path: Path | None = None
    dry_run: bool = False
    catalog_version: str | None = None  # content hash of the indicator catalog the run used
    published: Path | None = None  # the read copy analysts open, when this run refreshed it

    def count(self, status: str) -> int:
        """Number of files that ended with `status`."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def values_loaded(self) -> int:
        """Number of values loaded by this run."""
        return sum(f.values for f in self.files if f.status == "loaded")
