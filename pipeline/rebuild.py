"""`tonghop rebuild`: rebuild the warehouse from the archive alone, replaying every archived run through the run's own
steps (pipeline.run.STEPS, from finding the files to loading them), then consolidating, ranking and writing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import warehouse as wh
from pipeline.config import Settings
from pipeline.errors import RebuildError
from pipeline.inbox import archive as arc
from pipeline.outcome import RunSummary
from pipeline.reference import Reference, load_reference, reference_hashes
from pipeline.run import (
    Run,
    assess,
    consolidate,
    execute,
    new_run_id,
    rank,
    steps,
    write,
)

__all__ = ["RebuildError", "RebuildResult", "rebuild_warehouse"]
REPLAY = ("tim-tep-moi", "nap-kho")  # each archived run replays the run's steps from finding its files to loading them


@dataclass
class RebuildResult:
    """What a rebuild replayed and where the previous warehouse went."""

    run_id: str
    files: int = 0
    runs: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    periods: list[str] = field(default_factory=list)
    previous: Path | None = None  # the copy of the warehouse that was replaced
    decisions: int = 0  # flags given back the officer's standing `tonghop flag` decision
    reports: list[Path] = field(default_factory=list)  # the district workbooks rewritten from the rebuilt warehouse
    seconds: float = 0.0


def rebuild_warehouse(settings: Settings) -> RebuildResult:
    """Rebuild the warehouse file from archive/ (copies + manifest) and swap it in only once it is complete."""
    with wh.writer_lock(settings.warehouse, settings.lock_timeout):
        result = _rebuild(settings)
        wh.publish(settings.warehouse, result.run_id)  # analysts read the rebuilt state from now on
        return result


def _rebuild(settings: Settings) -> RebuildResult:
    t0 = time.perf_counter()
    entries = arc.read_manifest(settings.archive)
    if not entries and settings.warehouse.exists() and not wh.health(settings.warehouse).ok:
        # nothing was ever recorded, and the file holds nothing usable: set it aside and start an empty warehouse
        result = RebuildResult(run_id="rebuild-" + new_run_id(), previous=wh.set_aside(settings.warehouse))
        wh.connect(settings.warehouse).close()
        result.seconds = time.perf_counter() - t0
        return result
    if not entries:
        raise RebuildError(f"Kho lưu trữ {settings.archive} chưa ghi nhận tệp nào: không có gì để dựng lại.")
    lost = [e.file_name for e in entries if not arc.archived_copy(settings.archive, e.sha256, e.ext).exists()]
    if lost:
        raise RebuildError(f"Thiếu {len(lost)} bản lưu trong {settings.archive} (ví dụ: {', '.join(lost[:3])}); "
                           "không dựng lại để khỏi mất dữ liệu.")
    ref = load_reference(settings.reference)
    result = RebuildResult(run_id="rebuild-" + new_run_id(), files=len(entries))
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".rebuild-", dir=settings.warehouse.parent))
    try:
        target = stage / "wh" / settings.warehouse.name
        base = dataclasses.replace(settings, warehouse=target, dry_run=False, backups=0,
                                   limits=dataclasses.replace(settings.limits, stable_seconds=0, restat_seconds=0))
        groups: dict[str, list[arc.ArchiveEntry]] = {}
        for e in entries:
            groups.setdefault(e.run_id, []).append(e)
        for i, (run_id, group) in enumerate(groups.items()):
            summary = _replay(group, run_id, settings.archive, stage / "inbox" / f"{i:06d}", base, ref)
            for f in summary.files:
                result.by_status[f.status] = result.by_status.get(f.status, 0) + 1
            result.by_status["superseded"] = result.by_status.get("superseded", 0) + summary.superseded
        result.runs = len(groups)
        # the figures go into the new file before it is swapped in; the workbooks follow once it is in place
        with wh.session(target) as con:
            result.periods = wh.period_codes(con)
        run = Run(base, run_id=result.run_id, ref=ref,
                  summary=RunSummary(run_id=result.run_id, started_at=dt.datetime.now(), periods=result.periods))
        consolidate(run)
        decisions = wh.flags.decisions_in(settings.warehouse)  # the officer's, carried over (not in the archive)
        with wh.session(target, write=True) as con:
            result.decisions = wh.flags.replay_decisions(con, decisions) if len(decisions) else 0
            now = dt.datetime.now()
            wh.record_run(con, {"run_id": result.run_id, "started_at": now, "finished_at": now, "period_filter": "rebuild",
                                "files_new": result.files, "loaded": result.by_status.get("loaded", 0),
                                "rejected": result.by_status.get("rejected", 0), "duplicate": result.by_status.get("duplicate", 0),
                                "superseded": result.by_status.get("superseded", 0), "skipped": 0, "values_loaded": None,
                                "errors": None, "warnings": None})
            wh.record_reference(con, result.run_id, reference_hashes(settings.reference))  # the outputs follow these files
            wh.checkpoint(con)
        result.previous = _swap(target, settings)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    # the warehouse is whole now; the workbooks follow it (earlier versions go to history/)
    run.settings = dataclasses.replace(settings, dry_run=False)
    rank(run)
    assess(run)
    write(run)
    result.reports = list(run.summary.reports)
    result.seconds = time.perf_counter() - t0
    return result


def _replay(group: list[arc.ArchiveEntry], run_id: str, source: Path, inbox: Path, base: Settings, ref: Reference):
    """Load one original run's files, from their archived copies placed at their original inbox paths."""
    for e in group:
        dest = inbox / e.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(arc.archived_copy(source, e.sha256, e.ext), dest)
        os.utime(dest, ns=(e.mtime_ns, e.mtime_ns))
    first = group[0]
    s = dataclasses.replace(base, inbox=inbox, period=first.period_filter, unit=first.unit_filter)
    run = Run(s, run_id=run_id, ref=ref, received={(e.path, e.sha256): e.received for e in group})
    for step in steps(*REPLAY):
        execute(step, run)
    return run.summary


def _swap(rebuilt: Path, settings: Settings) -> Path | None:
    """Replace the warehouse with the rebuilt file; the previous one (with any log of a crashed run) goes to backups/."""
    current = settings.warehouse
    previous = None
    if current.exists():
        if wh.health(current).ok:  # a whole warehouse: a checked backup (with a crashed run's log folded in)
            previous = wh.backup(current, keep=max(settings.backups, 1))
        else:  # an unreadable, empty or damaged warehouse is what a rebuild is for: set it aside as it is
            previous = wh.set_aside(current)
    wal = current.with_name(current.name + ".wal")
    if wal.exists():
        wal.unlink()
    os.replace(rebuilt, current)
    return previous
