"""The steps of one consolidation run: find new files, parse, validate, load, rebuild outputs."""

from __future__ import annotations

import datetime as dt
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import issues as iss
from pipeline import archive as arc
from pipeline import warehouse as wh
from pipeline.catalog import Catalog, load_catalog
from pipeline.config import Office, Settings, load_office
from pipeline.consolidate import consolidate
from pipeline.deadlines import DeadlineRule, load_deadlines
from pipeline.feedback import feedback_path, write_feedback, write_summary
from pipeline.inbox import InboxFile, discover, sha256_of
from pipeline.lock import backup, writer_lock
from pipeline.parallel import effective_workers, parse_files
from pipeline.periods import is_period, period_bounds, period_kind
from pipeline.ranking import previous_period
from pipeline.report import ReportData, report_extras, write_report
from pipeline.rubric import Rubric, load_rubric
from pipeline.rules import Rule, evaluate, load_outlier_settings, load_rules, outliers
from pipeline.safety import is_stable
from pipeline.submission import Submission
from pipeline.units import Registry, load_registry
from pipeline.validate import validate_observations


@dataclass
class Reference:
    """The office's reference data for a run."""

    registry: Registry
    catalog: Catalog
    office: Office
    rules: list[Rule]
    outlier_k: float
    outlier_min_periods: int
    deadlines: DeadlineRule = field(default_factory=DeadlineRule)
    rubric: Rubric | None = None


@dataclass
class Candidate:
    """A new file to take in, with its fingerprint and what the ledger already knows of its bytes."""

    file: InboxFile
    sha256: str
    duplicate_of: tuple[int, str] | None = None
    submission: Submission | None = None
    skipped_reason: str | None = None
    waiting_reason: str | None = None
    received_at: dt.datetime | None = None  # first seen; set by a rebuild from the archive


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

    def count(self, status: str) -> int:
        """Number of files that ended with `status`."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def values_loaded(self) -> int:
        """Number of values loaded by this run."""
        return sum(f.values for f in self.files if f.status == "loaded")


def load_reference(settings: Settings) -> Reference:
    """Read the units registry, the indicator catalog and the office settings."""
    catalog = load_catalog(settings.catalog)
    k, min_periods = load_outlier_settings(settings.outliers)
    return Reference(load_registry(settings.units), catalog, load_office(settings.office),
                     load_rules(settings.rules, known_codes=set(catalog.frame.index)), k, min_periods,
                     load_deadlines(settings.deadlines),
                     load_rubric(settings.rubric_file, known_codes=set(catalog.frame.index)))


def new_run_id() -> str:
    """Return a sortable, unique run id."""
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def find_new_files(settings: Settings) -> tuple[list[Candidate], int]:
    """List the inbox files the warehouse has not taken in yet; return them and the count of unchanged files.

    A file modified in the last minute is checked twice (size and mtime) and left for the next run while it may
    still be being copied (its candidate carries a `waiting_reason`).
    """
    files = discover(settings.inbox)
    seen_stats: set[tuple[str, int, int]] = set()
    seen_bytes: set[tuple[str, str]] = set()
    by_sha: dict[str, tuple[int, str]] = {}
    if settings.warehouse.exists():
        con = wh.connect(settings.warehouse, read_only=True)
        try:
            for p, s, m, h in con.execute("select path, size, mtime_ns, sha256 from files_seen").fetchall():
                seen_stats.add((p, s, m))
                seen_bytes.add((p, h))
            for sid, name, h in con.execute("select submission_id, file_name, sha256 from submissions where status <> 'duplicate' order by submission_id desc").fetchall():
                by_sha[h] = (int(sid), name)
        finally:
            con.close()
    out: list[Candidate] = []
    unchanged = 0
    touched: list[tuple[str, int, int, str]] = []
    batch_sha: dict[str, str] = {}
    now = time.time()
    for f in files:
        if (f.rel, f.size, f.mtime_ns) in seen_stats:
            unchanged += 1
            continue
        if now - f.mtime_ns / 1e9 < 60 and not is_stable(f.path, settings.limits, now):
            out.append(Candidate(f, "", waiting_reason="Tệp đang được chép hoặc vừa thay đổi; sẽ nhận ở lượt chạy sau"))
            continue
        sha = sha256_of(f.path)
        if (f.rel, sha) in seen_bytes:  # same bytes, new mtime: remember it so the next run skips hashing
            unchanged += 1
            touched.append((f.rel, f.size, f.mtime_ns, sha))
            continue
        cand = Candidate(f, sha, duplicate_of=by_sha.get(sha))
        if cand.duplicate_of is None and sha in batch_sha:
            cand.duplicate_of = (0, batch_sha[sha])
        batch_sha.setdefault(sha, f.path.name)
        out.append(cand)
    if touched and not settings.dry_run:
        con = wh.connect(settings.warehouse)
        try:
            for rel, size, mtime_ns, sha in touched:
                wh.touch_file(con, rel, size, mtime_ns, sha)
        finally:
            con.close()
    return out, unchanged


def parse_candidates(cands: list[Candidate], ref: Reference, settings: Settings) -> list[Candidate]:
    """Archive and parse every new, non-duplicate file in bounded worker processes (up to `settings.workers` when that pays); apply the run's period limit."""
    todo = [c for c in cands if c.duplicate_of is None and not c.waiting_reason]

    def archive_all() -> None:
        if not settings.dry_run:
            for c in todo:
                _archive(c, settings.archive)

    jobs = [(c.file.path, c.file.folder_period) for c in todo]
    workers = effective_workers(len(jobs), settings.workers)
    archive_all()  # every original is copied, unchanged, before anything reads it
    subs = parse_files(jobs, ref.registry, ref.catalog, settings.limits, workers)  # bounded worker processes
    for c, sub in zip(todo, subs):
        if settings.period:
            if sub.period_code and sub.period_code != settings.period:
                c.skipped_reason = f"Thuộc kỳ {sub.period_code}, không thuộc kỳ {settings.period} của lượt chạy này"
            elif sub.period_code is None:
                sub.period_code = settings.period
                sub.issues = [i for i in sub.issues if i["code"] != "period-unknown"]
                sub.observations["period_code"] = settings.period
        c.submission = sub
    return cands


def validate_candidates(cands: list[Candidate], ref: Reference, settings: Settings) -> list[Candidate]:
    """Validate all new values at once: pandera domains, the office's rules, outliers against each unit's history.

    An `error` keeps its value out of the warehouse's accepted values; a `warning` only records the issue.
    A run limited to one unit (`settings.unit`) first leaves the other units' files for a later run.
    """
    if settings.unit:
        for c in cands:
            sub = c.submission
            if sub is not None and c.skipped_reason is None and sub.unit_code != settings.unit:
                c.skipped_reason = f"Của đơn vị {sub.unit_code or 'chưa xác định'}, không thuộc đơn vị {settings.unit} của lượt chạy này"
    subs = [c.submission for c in cands if c.submission is not None and c.skipped_reason is None and not c.submission.rejected_by]
    frames = [s.observations.assign(_sub=i) for i, s in enumerate(subs)]
    if not frames:
        return cands
    combined = pd.concat(frames, ignore_index=True)
    checked, found = validate_observations(combined)
    present = checked[checked["accepted"]]
    values = present.rename(columns={"_sub": "submission"})[["submission", "unit_code", "indicator_code", "value", "file", "sheet", "cell"]]
    ruled = evaluate(values, ref.rules)
    history = _history(settings, {s.unit_code for s in subs}, {s.period_code for s in subs})
    odd = outliers(values, history, ref.outlier_k, ref.outlier_min_periods)
    per_sub: dict[int, list[dict]] = {}
    for rec in found:
        per_sub.setdefault(int(checked.at[rec.pop("row_index"), "_sub"]), []).append(rec)
    rejected_cells: set[tuple[int, str, str]] = set()
    for frame in (ruled, odd):
        for rec in frame.to_dict("records"):
            sub_index = int(rec["submission"])
            per_sub.setdefault(sub_index, []).append({k: rec.get(k) for k in iss.COLUMNS})
            if rec["severity"] == "error":
                rejected_cells.add((sub_index, rec["sheet"], rec["cell"]))
    if rejected_cells:  # one pass over all values, not one mask per rule
        keys = zip(checked["_sub"].astype(int), checked["sheet"], checked["cell"])
        checked.loc[[k in rejected_cells for k in keys], "accepted"] = False
    parts = {int(i): g.drop(columns="_sub").reset_index(drop=True) for i, g in checked.groupby("_sub", sort=False)}
    empty = checked.iloc[0:0].drop(columns="_sub")
    for i, s in enumerate(subs):
        s.observations = parts.get(i, empty)
        s.issues.extend(per_sub.get(i, []))
    return cands


def _history(settings: Settings, units: set[str | None], periods: set[str | None]) -> pd.DataFrame:
    """Earlier values of the same units, in periods of the same kind that end before the periods being loaded."""
    empty = pd.DataFrame(columns=["unit_code", "period_code", "indicator_code", "value"])
    if not settings.warehouse.exists() or not units:
        return empty
    con = wh.connect(settings.warehouse, read_only=True)
    try:
        hist = con.execute("select unit_code, period_code, indicator_code, value from v_values where unit_code in (select unnest(?))",
                           [sorted(u for u in units if u)]).df()
    finally:
        con.close()
    if hist.empty:
        return empty
    current = [p for p in periods if p and is_period(p)]
    if not current:
        return empty
    kinds = {period_kind(p) for p in current}
    latest_end = max(period_bounds(p)[1] for p in current)
    keep = hist["period_code"].map(lambda p: is_period(p) and period_kind(p) in kinds and period_bounds(p)[1] < latest_end)
    return hist[keep]


LOAD_BATCH = 250  # files recorded per transaction (each submission is whole or absent either way)


def load_candidates(cands: list[Candidate], ref: Reference, settings: Settings, run_id: str,
                    started_at: dt.datetime | None = None) -> RunSummary:
    """Record every file in the ledger, whole submissions per transaction, and return the run summary."""
    summary = RunSummary(run_id=run_id, started_at=started_at or dt.datetime.now(), dry_run=settings.dry_run)
    writes = not settings.dry_run and bool(cands or settings.period)  # nothing new: touch nothing
    if writes and settings.backups > 0:
        backup(settings.warehouse, keep=settings.backups)
    con = wh.connect(settings.warehouse) if writes else None
    try:
        if con is not None:
            summary.catalog_version = wh.sync_reference(con, ref.registry.units, ref.catalog.frame)
            if settings.period:
                wh.ensure_period(con, settings.period)
        seen = arc.first_seen(settings.archive) if con is not None else {}
        prepared: list[tuple[Candidate, FileResult, wh.Pending | None]] = []
        for c in cands:
            if c.received_at is None and not c.waiting_reason and not c.skipped_reason:
                c.received_at = seen.get((c.file.rel, c.sha256)) or settings.clock()
            prepared.append((c, *_prepare(c, run_id)))
        for start in range(0, len(prepared), LOAD_BATCH):
            part = prepared[start:start + LOAD_BATCH]
            pending = [p for _, _, p in part if p is not None]
            if con is not None and pending:
                for c, _, p in part:  # the archive's manifest learns of the files before the warehouse does
                    if p is not None:
                        arc.append_entry(settings.archive, arc.ArchiveEntry(
                            c.sha256, c.file.path.suffix.lower(), c.file.path.name, c.file.rel, c.file.size,
                            c.file.mtime_ns, c.received_at.isoformat(), run_id, settings.period, settings.unit))
                wh.record_submissions(con, pending)
            for c, result, p in part:
                if p is not None:
                    result.submission_id = p.submission_id
                    summary.superseded += p.supersedes is not None
                if result.status == "rejected" and con is not None:
                    _quarantine(c.file, settings.quarantine)
                summary.files.append(result)
    finally:
        if con is not None:
            con.close()
    summary.periods = sorted({f.period_code for f in summary.files if f.status == "loaded" and f.period_code}
                             | ({settings.period} if settings.period else set()) | set(_stale(settings)))
    return summary


def _stale(settings: Settings) -> list[str]:
    """Periods whose outputs an earlier, interrupted run did not finish (none in a dry run)."""
    if settings.dry_run or not settings.warehouse.exists():
        return []
    con = wh.connect(settings.warehouse, read_only=True)
    try:
        stale = wh.stale_periods(con)
    finally:
        con.close()
    return [p for p in stale if not settings.period or p == settings.period]


def _prepare(c: Candidate, run_id: str) -> tuple[FileResult, wh.Pending | None]:
    """What a file's outcome is and, unless it waits or is skipped, the rows to record for it."""
    f = c.file
    record = {"file_name": f.path.name, "path": f.rel, "sha256": c.sha256, "size": f.size, "received_at": c.received_at, "run_id": run_id}
    stat = (f.rel, f.size, f.mtime_ns)
    if c.waiting_reason:
        return FileResult(f.rel, "waiting", c.waiting_reason, None, None), None
    if c.skipped_reason:
        return FileResult(f.rel, "skipped", c.skipped_reason, c.submission.unit_code if c.submission else None,
                          c.submission.period_code if c.submission else None), None
    if c.duplicate_of is not None:
        reason = f"Trùng nội dung với tệp {c.duplicate_of[1]}" + (f" (mã nộp {c.duplicate_of[0]})" if c.duplicate_of[0] else "")
        record.update(status="duplicate", reason=reason)
        return FileResult(f.rel, "duplicate", reason, None, None), wh.Pending(record, pd.DataFrame(), iss.frame([]), stat)
    sub = c.submission
    assert sub is not None
    issues = iss.frame(sub.issues)
    rejecting = sub.rejected_by
    record.update(unit_code=sub.unit_code, period_code=sub.period_code, period_stated=sub.period_stated,
                  window_from=sub.window[0] if sub.window else None, window_to=sub.window[1] if sub.window else None,
                  report_number=sub.report_number, report_date=sub.report_date, layout=sub.layout)
    obs = sub.observations
    if rejecting:
        record.update(status="rejected", reason=rejecting["message"])
        obs = obs.iloc[0:0].assign(accepted=pd.Series(dtype=bool))
    else:
        record.update(status="loaded", reason=None)
        if "accepted" not in obs.columns:
            obs = obs.assign(accepted=obs["value"].notna())
        obs = obs[obs["value"].notna()]
    n_err = int((issues["severity"] == "error").sum())
    n_warn = int((issues["severity"] == "warning").sum())
    result = FileResult(f.rel, record["status"], record["reason"] or "", sub.unit_code, sub.period_code, None,
                        int(obs["accepted"].sum()) if not rejecting and len(obs) else 0, n_err, n_warn, issues)
    return result, wh.Pending(record, obs, issues, stat)


def _quarantine(f: InboxFile, quarantine: Path) -> None:
    """Move a rejected original, unchanged, out of the inbox into the quarantine folder."""
    target = quarantine / f.rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target = target.with_name(f"{target.stem}_{f.mtime_ns}{target.suffix}")
    shutil.move(str(f.path), str(target))


def _archive(c: Candidate, archive: Path) -> None:
    archive.mkdir(parents=True, exist_ok=True)
    target = archive / f"{c.sha256}{c.file.path.suffix.lower()}"
    if not target.exists():
        tmp = target.with_name(target.name + ".part")
        shutil.copy2(c.file.path, tmp)
        tmp.replace(target)


def consolidate_period(con, period: str, ref: Reference) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recompute one period's district figures into the warehouse; return its values and figures."""
    values = wh.period_values(con, period)
    district = consolidate(values, ref.catalog.frame, n_expected=len(ref.registry.units))
    wh.replace_district(con, period, district)
    return values, district


def rebuild_outputs(periods: list[str], ref: Reference, settings: Settings, run_id: str) -> list[Path]:
    """Consolidate each touched period into the warehouse and write its district workbook."""
    if settings.dry_run or not periods:
        return []
    paths: list[Path] = []
    con = wh.connect(settings.warehouse)
    try:
        wh.refresh_deadlines(con, ref.deadlines)
        for period in _with_followers(con, periods, ref):
            values, district = consolidate_period(con, period, ref)
            completeness = con.execute("select unit_code, unit_name, status, received_at, file_name, late, deadline, first_received_at from v_completeness where period_code = ? order by unit_order", [period]).df()
            windows = con.execute("select min(window_from), max(window_to) from submissions where period_code = ? and status = 'loaded'", [period]).fetchone()
            data = ReportData(period_code=period, office=ref.office, units=ref.registry.units, indicators=ref.catalog.frame,
                              district=district, values=values, completeness=completeness,
                              window=(windows[0], windows[1]) if windows and windows[0] else None, run_id=run_id,
                              rubric=ref.rubric, **report_extras(con, period, ref.rubric))
            paths.append(write_report(data, settings.out))
            wh.mark_fresh(con, period)
        con.execute("checkpoint")
    finally:
        con.close()
    return paths


def _with_followers(con, periods: list[str], ref: Reference) -> list[str]:
    """The touched periods plus those that compare with one of them (their "previous rank" column changed)."""
    available = sorted(p for (p,) in con.execute("select period_code from periods").fetchall())
    mode = ref.rubric.compare_with if ref.rubric else "preceding"
    followers = [p for p in available if p not in periods and previous_period(p, available, mode) in periods]
    return list(periods) + followers


def write_feedbacks(summary: RunSummary, ref: Reference, settings: Settings) -> list[Path]:
    """Write a feedback workbook (phản hồi) for every submission of this run that has issues."""
    if settings.dry_run:
        return []
    paths = []
    labels = dict(zip(ref.registry.units["code"], ref.registry.units["label"]))
    for f in summary.files:
        if f.issue_rows is None or f.issue_rows.empty:
            continue
        path = feedback_path(settings.out, f.period_code, f.unit_code, f.submission_id)
        paths.append(write_feedback(path, unit_label=labels.get(f.unit_code, f.unit_code or "chưa xác định"),
                                    period_code=f.period_code, file_name=f.file, status=f.status, reason=f.reason,
                                    issues=f.issue_rows))
    return paths


def finish_run(summary: RunSummary, settings: Settings) -> RunSummary:
    """Stamp the end of the run, save the import summary and, when the run took files in, log it in the warehouse."""
    summary.finished_at = dt.datetime.now()
    if settings.dry_run:
        return summary
    summary.summary_path = write_summary(summary, settings.out)
    if not (summary.files or settings.period):  # nothing new: the warehouse is left exactly as it was
        return summary
    con = wh.connect(settings.warehouse)
    try:
        wh.record_run(con, {
            "run_id": summary.run_id, "started_at": summary.started_at, "finished_at": summary.finished_at,
            "period_filter": settings.period, "files_new": len(summary.files), "loaded": summary.count("loaded"),
            "rejected": summary.count("rejected"), "duplicate": summary.count("duplicate"), "superseded": summary.superseded,
            "skipped": summary.count("skipped"), "values_loaded": summary.values_loaded,
            "errors": sum(f.errors for f in summary.files), "warnings": sum(f.warnings for f in summary.files),
            "catalog_version": summary.catalog_version,
        })
    finally:
        con.close()
    return summary


def run_steps(settings: Settings) -> RunSummary:
    """Run the consolidation steps in-process without orchestration (tests, benchmarks, dry runs)."""
    if settings.dry_run:
        return _steps(settings)
    with writer_lock(settings.warehouse, settings.lock_timeout):
        return _steps(settings)


def _steps(settings: Settings) -> RunSummary:
    started_at = dt.datetime.now()
    run_id = new_run_id()
    ref = load_reference(settings)
    cands, unchanged = find_new_files(settings)
    cands = validate_candidates(parse_candidates(cands, ref, settings), ref, settings)
    summary = load_candidates(cands, ref, settings, run_id, started_at)
    summary.unchanged = unchanged
    summary.reports = rebuild_outputs(summary.periods, ref, settings, run_id)
    summary.feedback = write_feedbacks(summary, ref, settings)
    return finish_run(summary, settings)
