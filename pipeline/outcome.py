"""What a run did: one record per file and the run's summary. Every renderer (CLI, JSON, Prefect artifacts, the
summary file) reads these records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    refused: dict | None = None  # the issue row rejecting the file before anything reads it (no permission, a link out)
    notes: list[dict] = field(default_factory=list)  # issue rows about the file itself (a date in the future)

    @property
    def to_read(self) -> bool:
        """Whether this file is read in this run (not a duplicate of known bytes, not still being copied, not refused)."""
        return self.duplicate_of is None and not self.waiting_reason and self.refused is None


class RunIssues:
    """Every file's issues of a run in one frame (pipeline.issues.COLUMNS), ordered by file, with each column as a
    list made once: a file's issues are a span of it (FileResult.issues), made a frame of their own only when asked.
    5 000 files with 118 000 issues: one frame rather than 5 000, and no column access per file."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._lists: dict[str, list] = {}

    def column(self, name: str) -> list:
        """The column as a list (None where the frame lacks it), made on first use."""
        if name not in self._lists:
            self._lists[name] = self.frame[name].tolist() if name in self.frame.columns else [None] * len(self.frame)
        return self._lists[name]


@dataclass(frozen=True)
class IssueSpan:
    """Rows start..stop of a run's issues (RunIssues): one file's."""

    run: RunIssues
    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start

    def column(self, name: str) -> list:
        return self.run.column(name)[self.start:self.stop]

    def to_frame(self) -> pd.DataFrame:
        return self.run.frame.iloc[self.start:self.stop].reset_index(drop=True)


@dataclass
class FileResult:
    """What happened to one file in a run.

    `issues` is the file's issues (pipeline.issues.COLUMNS): a frame, or its span of the run's issues; `issue_rows`
    is always a frame (a span is made one when first read), `issue_columns` lists without making one.
    """

    file: str
    status: str  # loaded | rejected | duplicate | skipped | waiting | superseded (by a newer file of the same run)
    reason: str
    unit_code: str | None
    period_code: str | None
    submission_id: int | None = None
    values: int = 0
    errors: int = 0
    warnings: int = 0
    issues: pd.DataFrame | IssueSpan | None = field(default=None, repr=False)

    @property
    def issue_rows(self) -> pd.DataFrame | None:
        """The file's issues as a frame of their own (pipeline.issues.COLUMNS), or None."""
        if isinstance(self.issues, IssueSpan):
            self.issues = self.issues.to_frame()
        return self.issues

    @property
    def issue_count(self) -> int:
        """How many issues the file has."""
        return 0 if self.issues is None else len(self.issues)

    def issue_columns(self, *names: str) -> list[list]:
        """The file's issues as one list per column named (a missing column: Nones), without making a frame."""
        if self.issues is None:
            return [[] for _ in names]
        if isinstance(self.issues, IssueSpan):
            return [self.issues.column(n) for n in names]
        frame = self.issues
        return [frame[n].tolist() if n in frame.columns else [None] * len(frame) for n in names]


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
    quarantined: int = 0  # rejected originals moved, unchanged, out of the inbox into the quarantine folder
    dry_run: bool = False
    catalog_version: str | None = None  # content hash of the indicator catalog the run used
    reference_changes: list[str] = field(default_factory=list)  # Vietnamese names of the reference files changed since the last run
    rewritten: int = 0  # periods consolidated and written again because a reference file changed
    published: Path | None = None  # the read copy analysts open, when this run refreshed it
    top_issues: list[dict] = field(default_factory=list)  # per period, the ten issues to fix first (figures.impact)
    period_warnings: int = 0  # warnings found when the periods were consolidated (units far from the others: peers)

    def count(self, status: str) -> int:
        """Number of files that ended with `status`."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def values_loaded(self) -> int:
        """Number of values loaded by this run."""
        return sum(f.values for f in self.files if f.status == "loaded")


FILE_FIELDS = ("file", "status", "reason", "unit_code", "period_code", "submission_id", "values", "errors", "warnings")


def summary_data(summary: RunSummary) -> dict[str, Any]:
    """The run's summary as plain data (counts like DHIS2's import summary, and every file): the one dict that the
    JSON output, the summary file and every renderer (CLI text, Prefect markdown and tables, the flow's log) read."""
    files = summary.files
    return {
        "run_id": summary.run_id,
        "started_at": summary.started_at.isoformat(timespec="seconds") if summary.started_at else None,
        "finished_at": summary.finished_at.isoformat(timespec="seconds") if summary.finished_at else None,
        "dry_run": summary.dry_run,
        "files": {"new": len(files), "unchanged": summary.unchanged, "loaded": summary.count("loaded"),
                  "rejected": summary.count("rejected"), "duplicate": summary.count("duplicate"),
                  "superseded": summary.superseded, "skipped": summary.count("skipped"), "waiting": summary.count("waiting")},
        "values_loaded": _plain(summary.values_loaded),
        "issues": {"error": _plain(sum(f.errors for f in files)), "warning": _plain(sum(f.warnings for f in files))},
        "period_warnings": _plain(summary.period_warnings),  # found when the periods were consolidated (not in a file's)
        "periods": list(summary.periods),
        "reports": [str(p) for p in summary.reports],
        "feedback": [str(p) for p in summary.feedback],
        "details": [{k: _plain(getattr(f, k)) for k in FILE_FIELDS} for f in files],
        "summary_path": str(summary.summary_path) if summary.summary_path else None,
        "quarantined": summary.quarantined,
        "reference_changes": list(summary.reference_changes),
        "rewritten": summary.rewritten,
        "top_issues": [{k: _plain(v) for k, v in t.items()} for t in summary.top_issues],
    }


def _plain(v: Any) -> Any:
    """A field as JSON-native data: text, a number, a bool or None (a path as text, a numpy scalar as its value, a
    missing value (NaN, NA, NaT) as None, a time as ISO text); anything else as its str, never a repr of a frame."""
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, Path):
        return str(v)
    if hasattr(v, "item") and not isinstance(v, (pd.DataFrame, pd.Series)):  # numpy scalars
        v = v.item()
        if v is None or isinstance(v, (str, bool, int)):
            return v
    if isinstance(v, float):
        return None if v != v else v
    if isinstance(v, (dt.datetime, dt.date)):
        return None if pd.isna(v) else v.isoformat()
    if not isinstance(v, (pd.DataFrame, pd.Series, list, tuple, dict, set)) and pd.isna(v):
        return None
    return str(v)
