"""One consolidation run, its steps written once: find → read → validate → load → consolidate → rank → write.

`STEPS` is the run. `run_steps` executes it in this process (tests, dry runs, benchmarks); the Prefect flow
(flows/consolidate.py) wraps each step as a task; `tonghop rebuild` (pipeline/rebuild.py) replays the archived runs
through the same steps. Every step takes the run's state (`Run`) and hands each stage only what that stage uses:
the stages (pipeline.inbox, .read, .validate, .warehouse, .figures, .report) never see the whole Settings.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import os
import shutil
import tempfile
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import issues as iss
from pipeline import warehouse as wh
from pipeline.config import Settings
from pipeline.errors import WarehouseError
from pipeline.figures.district import consolidate as consolidate_figures
from pipeline.figures.district import unit_grid
from pipeline.figures.impact import rank_issues, stored_impact, top_issues
from pipeline.figures.lineage import comparison_notes, on_map
from pipeline.figures.peers import CODE as PEER_CODE
from pipeline.figures.peers import peer_divergence, peer_issues, with_messages
from pipeline.figures.ranking import previous_period, rank_units
from pipeline.inbox import (
    CHANGED,
    WAITING,
    Known,
    Archiving,
    archive_original,
    fit_name,
    quarantine,
    scan,
    unreadable,
)
from pipeline.inbox import archive as arc
from pipeline.inbox.files import sha256_or_none
from pipeline.outcome import Candidate, FileResult, IssueSpan, RunIssues, RunSummary
from pipeline.read import read_files
from pipeline.read.metadata import unit_period_issue
from pipeline.read.submission import OBS_COLUMNS
from pipeline.read.workers import LOST, Share, call_in_workers, effective_workers, parse_files
from pipeline.reference import (
    REFERENCE_NAMES,
    Reference,
    load_reference,
    reference_hashes,
)
from pipeline.reference.deadlines import reply_deadline
from pipeline.reference.registry import check_known_units
from pipeline.report.district import ReportData, write_report
from pipeline.report.feedback import (
    EXPECTED,
    FeedbackJob,
    Letter,
    feedback_path,
    feedback_rows,
    write_feedback_job,
)
from pipeline.report.summary import completeness_rows as completeness_rows_of
from pipeline.report.summary import write_summary
from pipeline.validate import Checked, validate_submissions
from pipeline.vn.format import decimal as fmt_number
from pipeline.vn.periods import is_period, period_bounds, period_kind

FEEDBACK_GROUP = 8  # feedback workbooks per message to a reading process (about 30 ms of work, 60 KB of rows)
LOAD_BATCH = 2000  # files recorded per transaction (each submission is whole or absent either way); a transaction
# costs about 45 ms of its own (5 000 issue-heavy files: load 2.5 s in 20 transactions, 1.9 s in 3)


class Progress:
    """Hears of a run's progress (flows/progress.py draws it on a terminal); this one hears nothing."""

    def step(self, label: str, total: int | None) -> None:
        """A step begins, with `total` items when known."""

    def advance(self, n: int) -> None:
        """`n` more items of the current step are done."""


@dataclass
class PeriodFigures:
    """One period's consolidation: its values, district figures, completeness and what its workbook compares with."""

    period_code: str
    values: pd.DataFrame  # v_values rows: period_code, unit_code, indicator_code, value
    district: pd.DataFrame  # figures.district.DISTRICT_COLUMNS
    completeness: pd.DataFrame  # v_completeness rows of the period, registry order
    window: tuple[dt.date, dt.date] | None
    issues: pd.DataFrame | None  # current submissions' issues ranked by impact: set by the assess step
    previous_period: str | None = None
    previous_values: pd.DataFrame | None = None  # on this period's map (a merged unit: its predecessors combined)
    scores: pd.DataFrame | None = None  # set by the rank step
    states: pd.DataFrame | None = None  # cells without a value: warehouse.period_states (value_state na / blank)
    previous_states: pd.DataFrame | None = None
    units: pd.DataFrame | None = None  # the registry's units valid in the period (None: the whole registry)
    compared: dict[str, str] = field(default_factory=dict)  # unit -> how it is compared across a merger or rename


@dataclass
class Run:
    """The state one run's steps pass along: what was found, read, loaded and consolidated."""

    settings: Settings
    run_id: str = field(default_factory=lambda: new_run_id())
    started_at: dt.datetime = field(default_factory=dt.datetime.now)
    ref: Reference | None = None
    candidates: list[Candidate] = field(default_factory=list)
    unchanged: int = 0
    summary: RunSummary | None = None
    figures: dict[str, PeriodFigures] = field(default_factory=dict)
    progress: Progress = field(default_factory=Progress)
    reader: Callable | None = None  # replaces pipeline.read.read_files (a Dask cluster); same signature
    received: dict[tuple[str, str], dt.datetime] = field(default_factory=dict)  # first-seen times replayed by a rebuild
    ref_hashes: dict[str, str | None] = field(default_factory=dict)  # content hash of each reference file (REFERENCE_NAMES)
    ref_changed: list[str] = field(default_factory=list)  # reference files changed since the last run that applied them
    checked: Checked | None = None  # the validate step's values and issues, all submissions at once (read by `load`);
    # the validated submissions' own `observations` are then left empty (their rows are in checked.observations)
    feedback_pending: Future | None = None  # the feedback workbooks being written, from `consolidate` to `feedback`
    feedback_share: Share | None = None  # the core they leave to this process until `feedback` releases it


def new_run_id() -> str:
    """Return a sortable, unique run id."""
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


# ------------------------------------------------------------------------------------------------------ the steps

def read_reference(run: Run) -> None:
    """Read the registry, catalog, rules, rubric, deadlines and office files; check them against the warehouse.

    A unit with loaded submissions missing from the registry stops the run here, before anything is written
    (ReferenceDataError). The files' content hashes are compared with those the last applying run recorded: a changed
    file makes this run consolidate and write every period again (see `load` and `finish`).
    """
    run.ref, run.ref_hashes, run.ref_changed = check_reference(run.settings)


def check_reference(s: Settings) -> tuple[Reference, dict[str, str | None], list[str]]:
    """Load the reference files, refuse a registry that lost a unit the warehouse holds, and list the changed files.

    Also the command line's check before a run starts (flows/cli.py): one Vietnamese line and exit 2, nothing written.
    """
    hashes = reference_hashes(s.reference)
    key = (repr(s.reference), tuple(sorted(hashes.items())), _file_state(s.warehouse))
    if _last_check.get("key") == key:  # the command line's check a moment ago, on the same bytes: not done twice
        return _last_check["result"]
    ref = load_reference(s.reference)
    previous: dict[str, str] = {}
    if check_warehouse(s):  # a damaged file stops the run here, before anything queries or writes it
        with wh.session(s.warehouse) as con:
            check_known_units(ref.registry, wh.loaded_units(con), s.units)
            previous = wh.reference_hashes(con)
    changed = [name for name, h in hashes.items() if previous and previous.get(name, "") != (h or "")]
    key = key[:2] + (_file_state(s.warehouse),)  # as the check left it (opening may write a checkpoint)
    _last_check.update(key=key, result=(ref, hashes, changed))
    return _last_check["result"]


_last_check: dict = {}  # the last check_reference of this process: its inputs' state and its result


def _file_state(warehouse: Path) -> tuple:
    """What tells that the warehouse file (and its write-ahead log) changed: path, inode, size and mtime of each."""
    state: list = [str(warehouse)]
    for p in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        try:
            st = p.stat()
            state.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            state.append(None)
    return tuple(state)


def find(run: Run) -> None:
    """List the inbox files the warehouse has not taken in yet; remember new mtimes of files already taken in."""
    s = run.settings
    known = Known()  # the warehouse's health was checked by the first step (read_reference)
    if s.warehouse.exists():
        with wh.session(s.warehouse) as con:
            known = Known(*wh.seen_files(con))
    found = scan(s.inbox, known, s.limits)
    if found.touched and not s.dry_run:
        with wh.session(s.warehouse, write=True) as con:
            for rel, size, mtime_ns, sha in found.touched:
                wh.touch_file(con, rel, size, mtime_ns, sha)
    for c in found.candidates:
        c.received_at = run.received.get((c.file.rel, c.sha256))
    run.candidates, run.unchanged = found.candidates, found.unchanged


@dataclass
class ReadAhead:
    """New inbox files being parsed before the run proper starts (see `read_ahead`): each one's Submission by
    (path in the inbox, SHA-256 of the bytes parsed), with the reference data it was parsed against."""

    ref: Reference
    parsed: Future  # -> dict[tuple[str, str], Submission]


_read_ahead: dict[str, ReadAhead] = {}  # by inbox folder: started by read_ahead, taken by the run's read step


def read_ahead(s: Settings) -> bool:
    """Start parsing the inbox's new files in the reading processes now, in the background, while Prefect's temporary
    server boots (`tonghop run`): the run's read step then takes each file's Submission when the copy it archived has
    the same bytes, and parses only the others. Nothing is written: the ledger is read once (under the writer lock,
    taken without waiting; a run writing now means no reading ahead), the files are read where they lie, each one
    hashed before and after its parse (pipeline.read.workers.parse_job). Returns whether it started."""
    from pipeline.read.workers import isolated

    if s.dry_run or not isolated():
        return False
    try:  # reading ahead is a head start only: whatever stops it leaves the whole reading to the run
        ref = check_reference(s)[0]  # the preflight's, unless the files changed since
        with wh.writer_lock_if_free(s.warehouse) as free:
            if not free:  # a run is writing: this one will wait for it, then find other files new
                return False
            known = Known()
            if s.warehouse.exists():
                with wh.session(s.warehouse) as con:
                    known = Known(*wh.seen_files(con))
    except Exception:
        return False
    _read_ahead[_inbox_key(s)] = ReadAhead(ref, _in_background(_parse_ahead, s, ref, known))
    return True


def _parse_ahead(s: Settings, ref: Reference, known: Known) -> dict[tuple[str, str], object]:
    """The new files of the inbox parsed where they lie, by (relative path, SHA-256 of the bytes parsed).

    Files still in their copy window (modified in the last `stable_seconds`, which the run itself would leave waiting)
    are parsed at once too, their bytes hashed here first: a parse counts only when the worker finds those same bytes
    before and after it (workers.parse_job), and the run takes it only for a copy it archived with that hash, once the
    file has settled. A file just copied in whole is then ready when the run looks; one still growing gives bytes the
    run never archives, and is looked at once more after `stable_seconds` (the run's own look comes later still:
    Prefect takes longer to boot). Left to the read step: a file whose bytes changed meanwhile, whose name it would
    shorten (fit_name), or whose reading process died or overran (perhaps only because Prefect was booting beside it)."""
    parsed: dict[tuple[str, str], object] = {}
    first, workers = time.monotonic(), 1
    for look in range(2):
        found = scan(s.inbox, known, s.limits)
        if not look:  # as many reading processes as the read step would start for these files (it keeps them)
            workers = effective_workers(sum(c.to_read or c.waiting_reason == WAITING for c in found.candidates),
                                        s.reading.workers)
        todo = []  # (candidate, the SHA-256 of the bytes to parse)
        for c in found.candidates:
            if fit_name(c.file.path.name) != c.file.path.name:
                continue
            sha = c.sha256 if c.to_read else sha256_or_none(c.file.path) if c.waiting_reason == WAITING else None
            if sha and (c.file.rel, sha) not in parsed:
                todo.append((c, sha))
        jobs = [(c.file.path, c.file.folder_period, sha) for c, sha in todo]
        subs = parse_files(jobs, ref.registry, ref.catalog, s.reading.limits, workers) if jobs else []
        done = {(c.file.rel, sha): sub for (c, sha), sub in zip(todo, subs)
                if sub is not None and not any(x.get("code") in LOST for x in sub.issues)}
        parsed.update(done)
        if look or all((c.file.rel, sha) in done for c, sha in todo if c.waiting_reason == WAITING):
            break  # a file still moving whose bytes changed under its parse: one more look once it may have settled
        time.sleep(max(0.0, first + s.limits.stable_seconds - time.monotonic()))
    return parsed


def _inbox_key(s: Settings) -> str:
    return str(Path(s.inbox).resolve())


def _taken_ahead(run: Run) -> dict[tuple[str, str], object]:
    """The Submissions parsed ahead for this run's inbox against the same reference data (waiting for the parse to
    end), or nothing; either way they are taken: a later run reads for itself."""
    ahead = _read_ahead.pop(_inbox_key(run.settings), None)
    if ahead is None or run.reader is not None or run.ref is None or (ahead.ref.registry is not run.ref.registry
                                                                    or ahead.ref.catalog is not run.ref.catalog):
        if ahead is not None:
            ahead.parsed.exception()  # its reading processes are free again before this run uses them
        return {}
    try:
        return ahead.parsed.result()
    except Exception:  # reading ahead is only a head start: the read step reads every file itself
        return {}


def read(run: Run) -> None:
    """Archive every new file's original, then read the archived copy; apply the run's period limit.

    A file whose bytes changed since `find` hashed them (rewritten in place) is not archived: it waits for the next
    run. What is read is the archived copy itself (under the original's name), so the values loaded are exactly
    those of the bytes archived under the recorded SHA-256. A file that became unreadable or locked since `find` is
    rejected or left waiting on its own. Each file is read as soon as its own copy is archived, while the next ones
    are being copied (with a reader of the run's own, e.g. a Dask cluster, every file is archived first); a file
    parsed ahead (`read_ahead`) with the bytes archived is not read again.
    """
    s = run.settings
    todo = [c for c in run.candidates if c.to_read]
    if not s.dry_run:
        s.archive.mkdir(parents=True, exist_ok=True)
        for leftover in s.archive.parent.glob(".doc-*"):  # a killed run's reading folder (this run holds the lock)
            shutil.rmtree(leftover, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=".doc-", dir=s.archive.parent if not s.dry_run else None) as stage:
        got: dict[int, object] = {}  # id(candidate) -> its Submission parsed ahead (the same bytes as archived)
        read_now: list[Candidate] = []  # the candidates read by this step, in order
        staging = None if s.dry_run else _Staging(Path(stage))

        def jobs_of(sources, ahead):
            """The (path, folder period) jobs of the files not parsed ahead (an archived copy under its original's
            name)."""
            for c, path in sources:
                sub = ahead.get((c.file.rel, c.sha256))
                if sub is not None:
                    got[id(c)] = sub
                    continue
                read_now.append(c)
                yield (path if staging is None else staging.named(path, fit_name(c.file.path.name))), c.file.folder_period

        with contextlib.ExitStack() as stack:
            if s.dry_run:
                sources = ((c, c.file.path) for c in todo)
            else:  # archived in the background, each file read once its own copy is made
                copies = stack.enter_context(Archiving([(c.file, c.sha256) for c in todo], s.archive, copy=archive_original))
                sources = _archived(todo, copies, s.archive)
            jobs = jobs_of(sources, _taken_ahead(run))  # taken even when nothing is to be read: none is left behind
            if run.reader is None:
                parsed = read_files(jobs, run.ref.registry, run.ref.catalog, s.reading, run.progress.advance,
                                    count=len(todo))
            else:
                jobs = list(jobs)
                parsed = run.reader(jobs, run.ref.registry, run.ref.catalog, s.reading, run.progress.advance) if jobs else []
        if got:
            run.progress.advance(len(got))
        got.update((id(c), sub) for c, sub in zip(read_now, parsed))
        todo = [c for c in todo if id(c) in got]
        subs = [got[id(c)] for c in todo]
    read_as = {id(c): sub for c, sub in zip(todo, subs)}
    candidates: list[Candidate] = []
    for c in run.candidates:
        sub = read_as.get(id(c))
        if sub is None:
            candidates.append(c)
            continue
        for i, part in enumerate(sub.parts or [sub]):  # a workbook holding several units: one candidate per unit
            pc = c if i == 0 else dataclasses.replace(c)
            if s.period:
                if part.period_code and part.period_code != s.period:
                    pc.skipped_reason = f"Thuộc kỳ {part.period_code}, không thuộc kỳ {s.period} của lượt chạy này"
                elif part.period_code is None:
                    part.period_code = s.period
                    part.issues = [x for x in part.issues if x["code"] != "period-unknown"]
                    part.observations["period_code"] = s.period
                    invalid = unit_period_issue(run.ref.registry, part.unit_code, s.period, part.file_name)
                    if invalid is not None:  # the unit named did not exist in the run's period
                        part.issues.append(invalid)
            pc.submission = part
            candidates.append(pc)
    run.candidates = candidates


def validate(run: Run) -> None:
    """Validate every new value at once (pandera domains, the office's rules, outliers against each unit's history).

    A run limited to one unit (`--unit`) first leaves the other units' files for a later run.
    """
    s = run.settings
    resolve_replies(run)
    if s.unit:
        for c in run.candidates:
            sub = c.submission
            if sub is not None and c.skipped_reason is None and sub.unit_code != s.unit:
                c.skipped_reason = f"Của đơn vị {sub.unit_code or 'chưa xác định'}, không thuộc đơn vị {s.unit} của lượt chạy này"
    subs = [c.submission for c in run.candidates
            if c.submission is not None and c.skipped_reason is None and not c.submission.rejected_by]
    run.checked = (validate_submissions(subs, run.ref.rules, _history(s, subs, run.ref), run.ref.outlier_k,
                                        run.ref.outlier_min_periods, run.ref.quality)
                   if subs else None)
    for sub in subs:  # their values live on in run.checked alone: thousands of small frames slow every garbage collection
        sub.observations = _HANDED_OVER


_HANDED_OVER = pd.DataFrame(columns=OBS_COLUMNS)  # a validated submission's observations: see run.checked


def resolve_replies(run: Run) -> None:
    """Turn each feedback workbook sent back (read.reply) into a new version of the submission it answers.

    The new version holds the answered submission's accepted values with the corrected ones replaced (their
    source_ref the reply's cell) and records which submission it revises; it is validated like any other. A reply
    naming an unknown submission, flags of another unit or period, or a submission a later version replaced, is
    rejected with its reason. Nothing is read from the warehouse when the run holds no reply.
    """
    replies = [c.submission for c in run.candidates
               if c.submission is not None and c.submission.reply is not None and not c.submission.rejected_by]
    if not replies:
        return
    if not run.settings.warehouse.exists():
        for sub in replies:
            _refuse_reply(sub, "reply-submission-unknown", submission_id=sub.reply.submission_id)
        return
    kinds = run.ref.catalog.lookups[1]
    with wh.session(run.settings.warehouse) as con:
        for sub in replies:
            reply = sub.reply
            base = wh.flags.reply_base(con, reply.submission_id)
            if base is None:
                _refuse_reply(sub, "reply-submission-unknown", submission_id=reply.submission_id)
                continue
            flags = wh.flags.flags_of(con, [r.flag_id for r in reply.rows])
            known = {int(f): (p, u, i) for f, p, u, i in zip(flags["flag_id"], flags["period_code"], flags["unit_code"],
                                                            flags["indicator_code"])}
            if (base["unit_code"], base["period_code"]) != (reply.unit_code, reply.period_code) or any(
                    known.get(r.flag_id) != (reply.period_code, reply.unit_code, r.indicator_code) for r in reply.rows):
                _refuse_reply(sub, "reply-ids-changed", detail="mã bản nộp, đơn vị, kỳ hoặc mã dòng không khớp kho dữ liệu")
                continue
            if base["status"] != "loaded":
                current = base["superseded_by"] or "?"
                _refuse_reply(sub, "reply-submission-outdated", submission_id=reply.submission_id, current=current)
                continue
            sub.window = (base["window_from"], base["window_to"]) if base["window_from"] else None
            sub.revises = reply.submission_id
            corrected = {r.indicator_code: r for r in reply.rows if r.value is not None}
            records = []
            for code, value, raw, ref, state in wh.flags.accepted_values(con, reply.submission_id).itertuples(index=False):
                r = corrected.pop(code, None)
                if r is not None:
                    value, raw, ref, state = r.value, r.raw, r.value_ref, "value"
                value = None if value is None or pd.isna(value) else value  # an N/A answer carried over keeps no value
                records.append(_reply_record(sub, code, kinds.get(code, ""), value, raw, ref, run.ref.catalog, state))
            records.extend(_reply_record(sub, r.indicator_code, kinds.get(r.indicator_code, ""), r.value, r.raw,
                                         r.value_ref, run.ref.catalog) for r in corrected.values())
            sub.obs_rows = records


def _refuse_reply(sub, code: str, **params) -> None:
    """Reject a reply workbook with one of the reply-* issues (its explanations and values are not taken)."""
    sub.issues.append(iss.issue(code, file=sub.file_name, **params))
    sub.reply = None


def _reply_record(sub, code: str, kind: str, value: float | None, raw, ref: str, catalog, state: str = "value") -> tuple:
    """One observation record (OBS_COLUMNS) of a reply's new version; its place is its source_ref's file!sheet!cell.
    `state`: 'value', or 'na' for a "không áp dụng" answer carried over from the answered submission."""
    file, sheet, cell = (ref.rsplit("!", 2) + ["", "", ""])[:3] if ref else ("", "", "")
    listed = ";".join(str(k) for k in sorted(catalog.codes_list(code))) if kind == "coded" else ""
    return (file, sheet, cell, ref, sub.unit_code, sub.period_code, code, kind, value, raw, listed, "", "", "", "", state)


def load(run: Run) -> None:
    """Record every file in the ledger, whole submissions per transaction (≤ LOAD_BATCH files), and start the summary.

    The archive's manifest learns of each batch's files before the warehouse does; rejected originals move to the
    quarantine folder once recorded. A run with nothing new opens nothing for writing.
    """
    s = run.settings
    summary = RunSummary(run_id=run.run_id, started_at=run.started_at, dry_run=s.dry_run, unchanged=run.unchanged,
                         reference_changes=[REFERENCE_NAMES[n] for n in run.ref_changed])
    run.summary = summary
    writes = not s.dry_run and bool(run.candidates or s.period or run.ref_changed)
    if writes and s.backups > 0:
        wh.backup(s.warehouse, keep=s.backups)
    con = wh.connect(s.warehouse) if writes else None
    try:
        if con is not None:
            summary.catalog_version = wh.sync_reference(con, run.ref.registry.units, run.ref.catalog.frame,
                                                          run.ref.registry.lineage_rows())
            if s.period:
                wh.ensure_period(con, s.period)
        seen = arc.first_seen(s.archive) if con is not None else {}
        ordered = _newest_last(run.candidates)
        for c in ordered:
            if c.received_at is None and not c.waiting_reason and not c.skipped_reason:
                c.received_at = seen.get((c.file.rel, c.sha256)) or s.clock()
        prepared = [(c, *outcome) for c, outcome in zip(ordered, _prepare(ordered, run.run_id, run.checked))]
        by_id: dict[int, FileResult] = {}
        manifested: set[tuple[str, str]] = set()
        for start in range(0, len(prepared), LOAD_BATCH):
            part = prepared[start:start + LOAD_BATCH]
            pending = [p for _, _, p in part if p is not None]
            if con is not None and pending:
                entries = []  # written and flushed once per batch, before the batch's transaction
                for c, _, p in part:  # a file refused unread has no archived copy: the manifest never names it
                    if p is not None and c.sha256 and (c.file.rel, c.sha256) not in manifested:
                        manifested.add((c.file.rel, c.sha256))
                        entries.append(arc.ArchiveEntry(
                            c.sha256, c.file.path.suffix.lower(), c.file.name, c.file.rel, c.file.size,
                            c.file.mtime_ns, c.received_at.isoformat(), run.run_id, s.period, s.unit))
                arc.append_entries(s.archive, entries)
                wh.record_submissions(con, pending)
            for c, result, p in part:
                if p is not None:
                    result.submission_id = p.submission_id
                    summary.superseded += p.supersedes is not None
                    if p.submission_id is not None:
                        by_id[p.submission_id] = result
                    older = by_id.get(p.supersedes) if p.supersedes is not None else None
                    if older is not None:  # a file of this same run, replaced by a newer one of its unit and period
                        older.status, older.values = "superseded", 0
                        older.reason = f"Được thay thế bởi tệp {result.file} (mã nộp {p.submission_id})"
                summary.files.append(result)
        if con is not None:  # a rejected original leaves the inbox unless another unit's sheet of it was taken
            kept = {c.file.rel for c, r, _ in prepared if r.status != "rejected"}
            for f in {c.file.rel: c.file for c, r, _ in prepared if r.status == "rejected" and c.file.rel not in kept}.values():
                try:
                    quarantine(f, s.quarantine)
                    summary.quarantined += 1
                except OSError:  # left where it is (recorded: the next run does not take it again until it changes)
                    pass
        if con is not None:  # the follow-up state of every flag raised or answered by what was just recorded
            wh.maintain_flags(con, run.run_id)
        stale = wh.stale_periods(con) if con is not None else _stale(s)
        redo = wh.period_codes(con) if con is not None and run.ref_changed else []
    finally:
        if con is not None:
            con.close()
    summary.periods = sorted({f.period_code for f in summary.files if f.status == "loaded" and f.period_code}
                             | ({s.period} if s.period else set())
                             | {p for p in [*stale, *redo] if not s.period or p == s.period})
    summary.rewritten = len([p for p in redo if not s.period or p == s.period])
    run.checked = None  # the values are in the warehouse now; the memory goes to the workbooks still to be built


def consolidate(run: Run) -> None:
    """Recompute the district figures of every touched period (and of the periods that compare with one) in the warehouse."""
    s = run.settings
    if not s.dry_run and run.feedback_pending is None:  # the reading processes write the communes' workbooks meanwhile
        run.feedback_pending = _start_feedback(run)
    if s.dry_run or not run.summary.periods:
        return
    ref = run.ref
    with wh.session(s.warehouse, write=True) as con:
        wh.refresh_deadlines(con, ref.deadlines)
        available = wh.periods_with_values(con)
        mode = ref.rubric.compare_with if ref.rubric else "preceding"
        registry = ref.registry
        for period in _with_followers(wh.period_codes(con), run.summary.periods, mode):
            values = wh.period_values(con, period)
            states = wh.period_states(con, period)
            units = registry.units_in(period)  # a dissolved unit is not expected, a unit created later not yet
            if registry.timed:  # loaded before the office recorded the unit's end or start: not on this period's map
                on_period_map = set(units["code"])
                values = values[values["unit_code"].isin(on_period_map)]
                if states is not None and len(states):
                    states = states[states["unit_code"].isin(on_period_map)]
            district = consolidate_figures(values, ref.catalog.frame, n_expected=len(units), states=states)
            wh.replace_district(con, period, district)
            previous = previous_period(period, available, mode)
            before = None
            if previous:  # on this period's map: a merged unit compares with its predecessors' combined figures
                before = on_map(wh.period_values(con, previous), registry, ref.catalog.frame, units["code"])
                before = before[["unit_code", "indicator_code", "value"]]
            run.figures[period] = PeriodFigures(
                period, values, district, wh.completeness(con, [period]), wh.period_window(con, period),
                None, previous, before, units=units,
                compared=comparison_notes(registry, units["code"], previous),
                states=states, previous_states=wh.period_states(con, previous) if previous else None)


def rank(run: Run) -> None:
    """Score and rank the units of every consolidated period with the office's rubric (Phụ lục)."""
    ref = run.ref
    if ref.rubric is None:
        return
    for pf in run.figures.values():
        units = pf.units if pf.units is not None else ref.registry.units
        pf.scores = rank_units(pf.values, ref.rubric, ref.catalog.frame, units, _submitted(pf), pf.previous_values,
                               not_applicable=_not_applicable(pf.states),
                               previous_not_applicable=_not_applicable(pf.previous_states))
        if len(pf.scores):
            pf.scores["compared_with"] = [pf.compared.get(c, "") for c in pf.scores["unit_code"]]


def _not_applicable(states: pd.DataFrame | None) -> pd.DataFrame | None:
    """The (unit_code, indicator_code) cells answered "không áp dụng" among a period's cells without a value."""
    if states is None or states.empty:
        return None
    na = states[states["value_state"] == "na"]
    return na[["unit_code", "indicator_code"]] if len(na) else None


def _submitted(pf: PeriodFigures) -> set[str]:
    """The units that submitted for the period (by completeness; by their values when completeness is unknown)."""
    comp = pf.completeness
    return (set(comp.loc[comp["status"] == "submitted", "unit_code"]) if not comp.empty
            else set(pf.values["unit_code"]) if not pf.values.empty else set())


def assess(run: Run) -> None:
    """Weigh the issues of every consolidated period: units far from the district figure become issues
    (value-peer-divergent), then every issue gets its impact on the district figure and the unit's rank and band
    (figures.impact), stored on the issues in the warehouse; the period's issues are then ordered by impact and its
    top ten go to the run summary."""
    s = run.settings
    if s.dry_run or not run.figures:
        return
    ref = run.ref
    labels = dict(zip(ref.registry.units["code"], ref.registry.units["label"]))
    top: list[dict] = []
    with wh.session(s.warehouse, write=True) as con:
        for period, pf in run.figures.items():
            grid = unit_grid(pf.values) if pf.values is not None and not pf.values.empty else None  # made once, used thrice
            peers = peer_issues(peer_divergence(pf.values, ref.catalog.frame, ref.quality, grid),
                                wh.period_located_values(con, period), ref.catalog.frame, ref.quality)
            wh.replace_period_issues(con, period, [PEER_CODE], peers)
            if run.summary is not None:
                run.summary.period_warnings += len(peers)
            issues = with_messages(wh.period_issues(con, period, PEER_CODE), peers)  # the peers' messages are here
            del peers  # their messages are in `issues` now (5 000 issue-heavy files: 256 000 rows, 200 MiB)
            if issues is None:
                issues = wh.period_issues(con, period)
            pf.issues = rank_issues(issues, pf.values, ref.catalog.frame, ref.rubric,
                                    pf.units if pf.units is not None else ref.registry.units, _submitted(pf), pf.scores,
                                    grid)
            del issues
            wh.store_impact(con, period, stored_impact(pf.issues))
            top.extend(_top_record(period, r, labels) for r in top_issues(pf.issues).to_dict("records"))
    if run.summary is not None:
        run.summary.top_issues = top


def _top_record(period: str, r: dict, labels: dict) -> dict:
    """One issue of a period's top ten as plain data (the run summary's `top_issues`)."""
    def plain(v):
        return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else (v.item() if hasattr(v, "item") else v)
    return {"period_code": period, "order": plain(r.get("impact_order")), "unit_code": plain(r.get("unit_code")),
            "unit_name": labels.get(r.get("unit_code"), plain(r.get("unit_code"))), "indicator_code": plain(r.get("indicator_code")),
            "code": r.get("code"), "severity": r.get("severity"), "message": plain(r.get("message")),
            "source_ref": plain(r.get("source_ref")), "impact_abs": plain(r.get("impact_abs")),
            "impact_rel": plain(r.get("impact_rel")), "rank_with": plain(r.get("rank_with")),
            "rank_without": plain(r.get("rank_without")), "band_with": plain(r.get("band_with")) or None,
            "band_without": plain(r.get("band_without")) or None}


def write(run: Run) -> None:
    """Write each consolidated period's district workbook, then mark the period's outputs fresh.

    The communes' feedback workbooks are being written meanwhile (started by `consolidate`, collected by `feedback`).
    """
    s = run.settings
    if s.dry_run:
        return
    if not run.figures:
        return
    ref = run.ref
    for period, pf in run.figures.items():
        units = pf.units if pf.units is not None else ref.registry.units
        data = ReportData(period_code=period, office=ref.office, units=units, indicators=ref.catalog.frame,
                          district=pf.district, values=pf.values, completeness=pf.completeness, window=pf.window,
                          run_id=run.run_id, rubric=ref.rubric, previous_period=pf.previous_period,
                          previous_values=pf.previous_values, issues=pf.issues, scores=pf.scores,
                          not_applicable=_not_applicable(pf.states))
        run.summary.reports.append(write_report(data, s.out))
    with wh.session(s.warehouse, write=True) as con:
        for period in run.figures:
            wh.mark_fresh(con, period)
        wh.checkpoint(con)


def feedback(run: Run) -> None:
    """Write a feedback workbook (phản hồi) for every submission of this run that has issues.

    The workbooks are written in the reading processes (pipeline.read.workers.call_in_workers), each from plain rows.
    One that cannot be written does not stop the others: once they are written, its error is raised as the step's
    (a workbook held open in Excel is a transient fault: the flow retries the step).
    """
    if run.settings.dry_run:
        return
    if run.feedback_share is not None:  # this process is done with its own work: every reading process writes
        run.feedback_share.released.set()
    run.figures = {}  # the district workbooks are written: their frames are freed while the communes' forms finish
    pending, run.feedback_pending = run.feedback_pending, None  # started by `consolidate`; a retried step writes them again
    outcomes = pending.result() if pending is not None else _write_feedback(run, _feedback_jobs(run))
    run.summary.feedback = [Path(o.value) for o in outcomes if o.ok]  # a retried step lists each workbook once
    failures = [o.value for o in outcomes if not o.ok]
    if failures:
        raise failures[0]


def _write_feedback(run: Run, jobs: list[FeedbackJob], share: Share | None = None) -> list:
    """Write these feedback workbooks in the reading processes (leaving this process the cores of `share` until it
    releases them); each one's Outcome (a path, or the error)."""
    s = run.settings
    return call_in_workers(write_feedback_job, jobs, run.ref.registry, run.ref.catalog, s.reading.limits,
                           s.reading.workers, share, group=FEEDBACK_GROUP)


def _start_feedback(run: Run) -> Future:
    """Start writing this run's feedback workbooks once its files are recorded (their flags are known then): their
    flags are read here, the jobs made and the workbooks written in the reading processes from a background thread
    while this process consolidates, ranks, assesses and builds the district workbook. That work is the longer, so it
    keeps a core: one reading process fewer writes until the feedback step releases it (pipeline.read.workers.Share)."""
    run.feedback_share = Share(spare=1)
    found = [_open_flags(run)]  # the warehouse is read here: the background thread opens no connection of its own

    def write() -> list:  # the flags go once the jobs are made (5 000 issue-heavy files: about 120 MiB)
        return _write_feedback(run, _feedback_jobs(run, found.pop()), run.feedback_share)

    return _in_background(write)


def _in_background(fn: Callable, *args) -> Future:
    """fn(*args) in a daemon thread; its result (or exception) in the returned Future.

    Used to let the reading processes write the feedback workbooks while this process builds the district workbook
    (on 2 cores the two overlap: 500 issue-heavy files, about 1 s less). A daemon thread: an interrupted run does not
    wait for it at exit.
    """
    future: Future = Future()

    def target() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # handed to whoever waits on the future
            future.set_exception(exc)

    threading.Thread(target=target, name="tonghop-feedback", daemon=True).start()
    return future


def _open_flags(run: Run) -> tuple[pd.DataFrame, set]:
    """The open flags (wh.open_flags) and the quiet issues (wh.suppressed_issues) of this run's loaded submissions
    that have issues."""
    s = run.settings
    loaded = [f.submission_id for f in run.summary.files
              if f.issue_count and f.status == "loaded" and f.submission_id is not None]
    if not loaded or not s.warehouse.exists():
        return pd.DataFrame(), set()
    with wh.session(s.warehouse) as con:
        return wh.open_flags(con, loaded), wh.suppressed_issues(con, loaded)


def _feedback_jobs(run: Run, found: tuple[pd.DataFrame, set] | None = None) -> list[FeedbackJob]:
    """The feedback workbooks of this run's submissions that have issues, as plain data for the worker processes.
    `found`: their _open_flags, when already read."""
    s = run.settings
    labels = dict(zip(run.ref.registry.units["code"], run.ref.registry.units["label"]))
    files = [f for f in run.summary.files if f.issue_count]
    flags, quiet = found if found is not None else _open_flags(run)
    by_sub: dict[int, list] = {}  # each submission's open flags as rows of its form, made all at once
    flagged_of: dict[int, set[tuple[str, str]]] = {}  # and their (indicator, issue code)
    if len(flags):  # a letter asks for answers by a date
        subs = [int(x) for x in flags["submission_id"].tolist()]
        for sub, row, pair in zip(subs, _flag_rows(flags, _relations(run.ref.rules)),
                                  zip(flags["indicator_code"].tolist(), flags["code"].tolist())):
            by_sub.setdefault(sub, []).append(row)
            flagged_of.setdefault(sub, set()).add(pair)
        issued = s.clock().date()
        reply_by = reply_deadline(issued, run.ref.deadlines)
    quiet_of: dict[int, set[tuple[str, str]]] = {}  # issues kept quiet by their flag (explained, accepted, ignored)
    for sub, i, c in quiet:
        quiet_of.setdefault(int(sub), set()).add((i, c))
    jobs = []
    for f in files:
        sid = int(f.submission_id) if f.submission_id is not None else None
        hushed = quiet_of.get(sid, set())
        if hushed and all(pair in hushed for pair in zip(*f.issue_columns("indicator_code", "code"))):
            continue  # nothing left to send again
        letter = flag_rows = None
        if sid is not None and sid in by_sub and f.unit_code and f.period_code:
            letter = Letter(run.ref.office, sid, f.unit_code, f.period_code, issued, reply_by,
                            run.ref.deadlines.reply_working_days)
            flag_rows = by_sub[sid]  # the issue list shows what the flags do not: each issue once in the form
            hushed = hushed | flagged_of.get(sid, set())
        jobs.append(FeedbackJob(str(feedback_path(s.out, f.period_code, f.unit_code, f.submission_id)),
                                labels.get(f.unit_code, f.unit_code or "chưa xác định"), f.period_code, f.file, f.status,
                                f.reason, feedback_rows(f, hushed), letter, flag_rows))
    return jobs


def _relations(rules) -> dict[tuple[str, str], str]:
    """The relation each rule expects, by (indicator, issue code): the rule's description in schemas/rules.csv."""
    from pipeline.validate.rules import references

    out: dict[tuple[str, str], str] = {}
    for rule in rules or []:
        for code in [*references(rule.left), *references(rule.right)]:
            out.setdefault((code, rule.code), rule.description)
    return out


def _flag_rows(flags: pd.DataFrame | None, relations: dict[tuple[str, str], str]) -> list:
    """Open flags (wh.open_flags rows) as rows of the communes' forms (pipeline.report.feedback.FlagRow), in order."""
    if flags is None or flags.empty:
        return []
    out = []
    labels: dict[str, str] = {}
    for fid, code, name, unit, value, raw, kind, message, sheet, cell in zip(*(flags[c].tolist() for c in (
            "flag_id", "indicator_code", "indicator_name", "unit_of_measure", "value", "raw", "code", "message", "sheet",
            "cell"))):
        shown = ("" if value is None or pd.isna(value) else fmt_number(value, None)) or (raw if isinstance(raw, str) else "")
        if shown and isinstance(unit, str) and unit and unit != "%" and kind != "value-without-unit":  # the row had none
            shown = f"{shown} ({unit})"
        where = f"{sheet}!{cell}" if isinstance(sheet, str) and sheet and isinstance(cell, str) and cell else ""
        label = labels.get(kind) or labels.setdefault(kind, iss.label(str(kind)))
        why = f"{label}: {message}"
        relation = relations.get((code, kind)) or EXPECTED.get(kind, "")
        out.append((int(fid), str(code), name if isinstance(name, str) else "", where, shown, why, relation))
    return out


def finish(run: Run) -> None:
    """Stamp the end of the run, save the import summary and, when the run took files in, log it in the warehouse."""
    s, summary = run.settings, run.summary
    summary.finished_at = dt.datetime.now()
    if s.dry_run:
        return
    summary.summary_path = write_summary(summary, s.out)
    if not (summary.files or s.period or run.ref_changed):  # nothing new: the warehouse is left exactly as it was
        return
    with wh.session(s.warehouse, write=True) as con:
        # the outputs now reflect these reference files (a run limited to one period leaves the others for the next run)
        if run.ref_hashes and not (s.period and run.ref_changed) and wh.reference_hashes(con) != {
                k: v or "" for k, v in run.ref_hashes.items()}:
            wh.record_reference(con, summary.run_id, run.ref_hashes)
        wh.record_run(con, {
            "run_id": summary.run_id, "started_at": summary.started_at, "finished_at": summary.finished_at,
            "period_filter": s.period, "files_new": len(summary.files), "loaded": summary.count("loaded"),
            "rejected": summary.count("rejected"), "duplicate": summary.count("duplicate"), "superseded": summary.superseded,
            "skipped": summary.count("skipped"), "values_loaded": summary.values_loaded,
            "errors": sum(f.errors for f in summary.files), "warnings": sum(f.warnings for f in summary.files),
            "catalog_version": summary.catalog_version,
        })


def publish(run: Run) -> None:
    """Publish the read copy analysts open (warehouse/ban_doc/): the committed state this run leaves.

    Only when the live file changed since the last copy (or there is no copy yet, as in an older warehouse).
    """
    s = run.settings
    if s.dry_run or not wh.needs_publish(s.warehouse):
        return
    path = wh.publish(s.warehouse, run.run_id)
    if run.summary is not None:
        run.summary.published = path


@dataclass(frozen=True)
class Step:
    """One step of the run: its task name (Prefect), its Vietnamese label, the function, and how it may be retried."""

    name: str
    label: str
    fn: Callable[[Run], None]
    retry_transient: bool = False  # a busy file or share may pass: the flow retries the step
    total: Callable[[Run], int | None] | None = None  # items the step works through (for progress bars)


STEPS: tuple[Step, ...] = (
    Step("doc-danh-muc", "Đọc danh mục", read_reference),
    Step("tim-tep-moi", "Tìm tệp mới trong hộp thư", find, retry_transient=True),
    Step("doc-tep", "Đọc tệp", read, retry_transient=True, total=lambda r: sum(c.to_read for c in r.candidates)),
    Step("kiem-tra", "Kiểm tra số liệu", validate),
    Step("nap-kho", "Nạp vào kho dữ liệu", load),
    Step("tong-hop", "Tổng hợp số liệu", consolidate, retry_transient=True, total=lambda r: len(r.summary.periods) or None),
    Step("xep-hang", "Xếp hạng các đơn vị", rank),
    Step("muc-anh-huong", "Đánh giá mức ảnh hưởng của lỗi", assess, retry_transient=True),
    Step("lap-bao-cao", "Lập biểu tổng hợp", write, retry_transient=True, total=lambda r: len(r.figures) or None),
    Step("phieu-phan-hoi", "Viết phiếu phản hồi", feedback, retry_transient=True),
    Step("ket-thuc", "Lưu bản tóm tắt", finish),
    Step("cong-bo", "Công bố bản đọc cho phân tích", publish, retry_transient=True),
)


def steps(first: str, last: str) -> tuple[Step, ...]:
    """The steps from `first` to `last` (task names), in run order."""
    names = [s.name for s in STEPS]
    return STEPS[names.index(first):names.index(last) + 1]


def execute(step: Step, run: Run) -> None:
    """Run one step in this process, telling `run.progress` that it begins."""
    run.progress.step(step.label, step.total(run) if step.total else None)
    step.fn(run)


def run_steps(settings: Settings, progress: Progress | None = None) -> RunSummary:
    """Run every step in this process without orchestration (tests, benchmarks, dry runs), one writer at a time."""
    run = Run(settings, progress=progress or Progress())
    if settings.dry_run:
        for step in STEPS:
            execute(step, run)
        return run.summary
    with wh.writer_lock(settings.warehouse, settings.lock_timeout):
        for step in STEPS:
            execute(step, run)
    return run.summary


def completeness_rows(warehouse, periods: list[str]) -> list[dict]:
    """Plain v_completeness rows of `periods` for the run's summary and artifacts (none without a warehouse)."""
    if not periods or not warehouse.exists():
        return []
    with wh.session(warehouse) as con:
        return completeness_rows_of(wh.completeness(con, periods))


# ------------------------------------------------------------------------------------------------------ helpers

def check_warehouse(s: Settings) -> bool:
    """Before a run writes anything: the warehouse file must open, hold its tables and read back whole.

    A file holding no ledger rows (a blank file left by an older version's killed first run) while the archive has
    recorded nothing either is set aside and made anew; any other unusable file stops the run with the way out
    (WarehouseError). Returns whether there is a usable warehouse to read.
    """
    if not s.warehouse.exists():
        return False
    state = wh.health(s.warehouse)
    if state.ok:
        return True
    if state.blank and not arc.read_manifest(s.archive):
        if not s.dry_run:
            wh.set_aside(s.warehouse)
        return False
    raise WarehouseError(f"Kho dữ liệu {s.warehouse} không dùng được: {state.reason}. Lượt chạy dừng lại, không ghi gì "
                         "và không sao lưu tệp hỏng. Hãy chạy `tonghop rebuild` để dựng lại kho từ kho lưu trữ bản gốc "
                         f"({s.archive}); tệp hỏng sẽ được cất nguyên trạng vào thư mục backups.")


def _archived(todo: list[Candidate], copies, archive: Path):
    """Yield (candidate, archived copy) for each candidate as soon as its original is archived; a file gone, locked,
    unreadable or rewritten since it was hashed is not read (it waits or is rejected); a failure on the archive's side
    stops the run."""
    for c, copy in zip(todo, copies):  # every original is copied, unchanged, before anything reads it
        if isinstance(copy, FileNotFoundError):  # gone from the inbox since it was hashed: nothing to take in
            c.waiting_reason = WAITING
            continue
        if isinstance(copy, OSError):  # became unreadable, or locked by another program, since it was hashed
            if not _archive_failed(copy, archive):
                raise copy
            other = unreadable(c.file, copy)
            c.refused, c.waiting_reason = other.refused, other.waiting_reason
            continue
        if copy is None:
            c.waiting_reason = CHANGED
            continue
        yield c, copy


class _Staging:
    """Archived copies under their originals' names for the reader: hard links (copies where links are refused) in
    as few folders as the names allow: a name's first file in folder 0, a second file of the same name in folder 1...
    (one link costs far less than one folder: 5000 links in one folder 0.08 s, a folder each 1.7 s)."""

    def __init__(self, root: Path):
        self.root = root
        self.folders = 0  # folders 0 .. folders-1 exist
        self.next: dict[str, int] = {}  # a name (case and form folded) -> the first folder that may not hold it yet

    def named(self, copy: Path, name: str) -> Path:
        """A path named `name` holding the bytes of `copy`, in a folder where no other file of the run has that name."""
        key = unicodedata.normalize("NFC", name).casefold()  # names a case- or form-insensitive system takes as one
        k = self.next.get(key, 0)
        while True:
            if k >= self.folders:
                (self.root / str(k)).mkdir(exist_ok=True)
                self.folders = k + 1
            dest = self.root / str(k) / name
            try:
                os.link(copy, dest)
            except FileExistsError:
                k += 1
                continue
            except OSError:
                if os.path.lexists(dest):
                    k += 1
                    continue
                shutil.copyfile(copy, dest)
            self.next[key] = k + 1
            return dest


def _history(s: Settings, subs: list, ref: Reference | None = None) -> pd.DataFrame:
    """Earlier values of the same units, in periods of the same kind that end before the periods being loaded.

    A unit that came from others (merger, rename) has its predecessors' combined figures as its history
    (figures.lineage.on_map), so that its outliers are judged against its past on today's map.
    """
    empty = pd.DataFrame(columns=["unit_code", "period_code", "indicator_code", "value"])
    units = sorted({x.unit_code for x in subs if x.unit_code})
    current = [p for p in {x.period_code for x in subs} if p and is_period(p)]
    if not s.warehouse.exists() or not units or not current:
        return empty
    registry = ref.registry if ref is not None else None
    timed = registry is not None and registry.timed
    wanted = sorted({src for u, src in registry.lineage_rows() if u in set(units)} | set(units)) if timed else units
    with wh.session(s.warehouse) as con:
        hist = wh.unit_history(con, wanted)
    if hist.empty:
        return empty
    kinds = {period_kind(p) for p in current}
    latest_end = max(period_bounds(p)[1] for p in current)
    keep = hist["period_code"].map(lambda p: is_period(p) and period_kind(p) in kinds and period_bounds(p)[1] < latest_end)
    hist = hist[keep]
    if timed and not hist.empty:
        hist = on_map(hist, registry, ref.catalog.frame, units)[["unit_code", "period_code", "indicator_code", "value"]]
    return hist


def _stale(s: Settings) -> list[str]:
    """Periods whose outputs an earlier, interrupted run did not finish (none in a dry run or without a warehouse)."""
    if s.dry_run or not s.warehouse.exists():
        return []
    with wh.session(s.warehouse) as con:
        return wh.stale_periods(con)


def _with_followers(available: list[str], periods: list[str], mode: str) -> list[str]:
    """The touched periods plus those that compare with one of them (their "previous rank" column changed)."""
    followers = [p for p in available if p not in periods and previous_period(p, available, mode) in periods]
    return list(periods) + followers


def _archive_failed(exc: OSError, archive) -> bool:
    """Whether copying a file into the archive failed on the inbox file's side (no permission, locked, unreadable),
    so that file alone is set aside, rather than on the archive's (a full disk or a missing share stops the run)."""
    if getattr(exc, "winerror", None) in (32, 33) or exc.errno in (errno.EACCES, errno.EPERM, errno.EBUSY, errno.ETXTBSY):
        return True
    name = getattr(exc, "filename", None)
    return name is not None and not str(name).startswith(str(archive))


def _newest_last(candidates: list[Candidate]) -> list[Candidate]:
    """The run's candidates with the files of one unit and period ordered oldest first (by the report date they state,
    then their file time), so that the newest is recorded last and supersedes the others; every other file keeps its place."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, c in enumerate(candidates):
        sub = c.submission
        if (sub is not None and sub.unit_code and sub.period_code and not sub.rejected_by and c.to_read
                and not c.skipped_reason):
            groups.setdefault((sub.unit_code, sub.period_code), []).append(i)
    out = list(candidates)
    for slots in groups.values():
        if len(slots) > 1:
            ranked = sorted((candidates[i] for i in slots), key=lambda c: (
                c.submission.report_date is not None, c.submission.report_date or dt.date.min, c.file.mtime_ns, c.file.rel))
            for i, c in zip(slots, ranked):
                out[i] = c
    return out


_OBS_KEPT = [c for c in wh.OBSERVATION_COLUMNS if c != "submission_id"]  # what the warehouse keeps of a value


def _prepare(candidates: list[Candidate], run_id: str, checked: Checked | None) -> list[tuple[FileResult, wh.Pending | None]]:
    """Each file's outcome and, unless it waits or is skipped, the rows to record for it, all files at once.

    A file's issues are those found before reading (refused, notes), then its reading's, then its validation's (from
    `checked`), in that order; its values are the validated ones (a submission that was not validated keeps every
    value it read). The issues of all files are one frame, cut once into each file's rows.
    """
    position = checked.position() if checked is not None else {}
    n = len(candidates)
    out: list[tuple[FileResult, wh.Pending | None] | None] = [None] * n
    records: dict[int, tuple[dict, tuple]] = {}
    rows: list[dict] = []  # issues known before validation, file after file
    row_file: list[int] = []
    sub_file = np.full(len(position), -1, dtype=np.int64)  # validated submission -> the loaded file it is
    own: dict[int, pd.DataFrame] = {}  # loaded files whose submission was not validated: their own values
    for j, c in enumerate(candidates):
        f = c.file
        record = {"file_name": f.name, "path": f.rel, "sha256": c.sha256 or None, "size": f.size,
                  "received_at": c.received_at, "run_id": run_id}
        stat = (f.rel, f.size, f.mtime_ns)
        if c.waiting_reason:
            out[j] = (FileResult(f.rel, "waiting", c.waiting_reason, None, None), None)
            continue
        if c.refused is not None:  # refused before anything read it: recorded by path, size and time
            found = [c.refused, *c.notes]
            record.update(status="rejected", reason=c.refused["message"])
        elif c.skipped_reason:
            out[j] = (FileResult(f.rel, "skipped", c.skipped_reason, c.submission.unit_code if c.submission else None,
                                 c.submission.period_code if c.submission else None), None)
            continue
        elif c.duplicate_of is not None:
            reason = f"Trùng nội dung với tệp {c.duplicate_of[1]}" + (f" (mã nộp {c.duplicate_of[0]})" if c.duplicate_of[0] else "")
            record.update(status="duplicate", reason=reason)
            found = []
        else:
            sub = c.submission
            assert sub is not None
            found = [*c.notes, *sub.issues] if c.notes else sub.issues
            rejecting = sub.rejected_by
            record.update(unit_code=sub.unit_code, period_code=sub.period_code, period_stated=sub.period_stated,
                          window_from=sub.window[0] if sub.window else None, window_to=sub.window[1] if sub.window else None,
                          report_number=sub.report_number, report_date=sub.report_date, layout=sub.layout,
                          revises=sub.revises)
            if rejecting:
                record.update(status="rejected", reason=rejecting["message"])
            else:
                record.update(status="loaded", reason=None)
                p = position.get(id(sub))
                if p is not None:
                    sub_file[p] = j
                else:
                    obs = sub.observations
                    obs = obs[obs["value"].notna()]
                    own[j] = obs.assign(accepted=True)[_OBS_KEPT] if "accepted" not in obs.columns else obs[_OBS_KEPT]
        records[j] = (record, stat)
        rows.extend(found)
        row_file.extend([j] * len(found))
    issues = _file_issues(rows, row_file, checked, sub_file)
    at = issues["_file"].to_numpy(dtype=np.int64)
    issues = issues.drop(columns="_file")
    bounds = np.searchsorted(at, np.arange(n + 1))
    errors = np.bincount(at, weights=(issues["severity"] == "error").to_numpy(dtype=bool), minlength=n)
    warnings = np.bincount(at, weights=(issues["severity"] == "warning").to_numpy(dtype=bool), minlength=n)
    obs_all, obs_bounds, accepted = _file_values(checked, sub_file, n)
    no_values = pd.DataFrame({c: pd.Series(dtype=bool if c == "accepted" else float if c == "value" else object)
                              for c in _OBS_KEPT})
    shared = RunIssues(issues)  # each file's issues (feedback workbook, summary): its span, no frame per file
    for j, c in enumerate(candidates):
        if out[j] is not None:
            continue
        record, stat = records[j]
        found = wh.Rows(issues, int(bounds[j]), int(bounds[j + 1]))  # recorded from the run's frame, batch by batch
        f = c.file
        if c.duplicate_of is not None:
            out[j] = (FileResult(f.rel, "duplicate", record["reason"], None, None), wh.Pending(record, no_values, found, stat))
            continue
        rows_j = IssueSpan(shared, found.start, found.stop)
        if c.refused is not None:
            out[j] = (FileResult(f.rel, "rejected", c.refused["message"], None, None, None, 0, 1, len(c.notes), rows_j),
                      wh.Pending(record, no_values, found, stat))
            continue
        sub = c.submission
        if record["status"] != "loaded":
            obs, values = no_values, 0
        elif j in own:
            obs = own[j]
            values = int(obs["accepted"].sum())
        elif obs_all is not None:
            obs = wh.Rows(obs_all, int(obs_bounds[j]), int(obs_bounds[j + 1]))
            values = int(accepted[j])
        else:
            obs, values = no_values, 0
        label = f"{f.rel} [{sub.sheet}]" if sub.sheet else f.rel  # one unit's sheet of a workbook holding several
        result = FileResult(label, record["status"], record["reason"] or "", sub.unit_code, sub.period_code, None,
                            values, int(errors[j]), int(warnings[j]), rows_j)
        out[j] = (result, wh.Pending(record, obs, found, stat, replies=_reply_rows(sub) if record["status"] == "loaded" else None))
    return out


def _reply_rows(sub) -> pd.DataFrame | None:
    """A reply's explanations and corrections as rows of the warehouse's reply_rows (None for any other file)."""
    reply = sub.reply
    if reply is None:
        return None
    return pd.DataFrame([(sub.revises, r.flag_id, r.indicator_code, r.explanation, r.explanation_ref, r.value, r.raw,
                          r.value_ref) for r in reply.rows], columns=[c for c in wh.flags.REPLY_COLUMNS if c != "submission_id"])


def _file_issues(rows: list[dict], row_file: list[int], checked: Checked | None, sub_file: np.ndarray) -> pd.DataFrame:
    """All files' issues in one frame ordered by file (`_file`), each file's as before: then its validation's."""
    read = pd.DataFrame(rows, columns=iss.COLUMNS)
    read.insert(0, "_file", np.asarray(row_file, dtype=np.int64))
    parts = [read]
    if checked is not None and len(checked.issues):
        found = checked.issues
        j = sub_file[found["submission"].to_numpy(dtype=np.int64)]
        found = found.loc[j >= 0, iss.COLUMNS]
        found.insert(0, "_file", j[j >= 0])
        parts.append(found)
    frames = [p for p in parts if len(p)]
    issues = pd.concat(frames, ignore_index=True) if len(frames) > 1 else (frames[0] if frames else read)
    issues = issues.sort_values("_file", kind="stable", ignore_index=True)  # a file's own rows keep their order
    # plain strings, None where there is nothing (the same in every file's rows, whatever the file's other rows hold)
    return pd.DataFrame({c: (issues[c].to_numpy(dtype=np.int64) if c == "_file"
                             else pd.Series(issues[c].to_numpy(dtype=object, na_value=None), dtype=object))
                         for c in issues.columns})


def _file_values(checked: Checked | None, sub_file: np.ndarray, n_files: int
                 ) -> tuple[pd.DataFrame | None, np.ndarray, np.ndarray | None]:
    """The validated cells of the `n_files` files, ordered by file, with each file's row bounds and how many of its
    values are accepted. Cells without a number are kept too, value NULL, with their state ("blank", "na",
    "invalid"): v_values shows none of them, v_value_states says what each one is."""
    if checked is None or not (sub_file >= 0).any():
        return None, np.zeros(n_files + 1, dtype=np.int64), None
    obs = checked.observations
    j = sub_file[obs["submission"].to_numpy(dtype=np.int64)]
    keep = j >= 0
    kept = obs.loc[keep, _OBS_KEPT]
    at = j[keep]
    order = np.argsort(at, kind="stable")  # a file list reordered by _newest_last: values follow their file
    if (np.diff(at) < 0).any():
        kept, at = kept.iloc[order], at[order]
    kept = kept.reset_index(drop=True)
    bounds = np.searchsorted(at, np.arange(n_files + 1))
    counted = kept["accepted"].to_numpy(dtype=bool) & kept["value"].notna().to_numpy(dtype=bool)
    accepted = np.bincount(at, weights=counted, minlength=n_files)
    return kept, bounds, accepted


