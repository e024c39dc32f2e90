"""The consolidation flow: the same steps the nightly schedule and `tonghop run` execute."""

from __future__ import annotations

import datetime as dt

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from pipeline import ingest
from pipeline.config import Settings
from pipeline.lock import writer_lock


@task(name="doc-danh-muc", cache_policy=NO_CACHE)
def load_reference(settings: Settings) -> ingest.Reference:
    """Read the registry, catalog and office settings."""
    return ingest.load_reference(settings)


@task(name="tim-tep-moi", cache_policy=NO_CACHE)
def find_new_files(settings: Settings):
    """List inbox files not yet taken in."""
    return ingest.find_new_files(settings)


@task(name="doc-tep", cache_policy=NO_CACHE)
def parse_files(cands, ref, settings: Settings):
    """Archive and parse the new files."""
    return ingest.parse_candidates(cands, ref, settings)


@task(name="kiem-tra", cache_policy=NO_CACHE)
def validate(cands, ref, settings: Settings):
    """Validate every new value at once: pandera, the office's rules, outliers."""
    return ingest.validate_candidates(cands, ref, settings)


@task(name="nap-kho", cache_policy=NO_CACHE)
def load(cands, ref, settings: Settings, run_id: str, started_at: dt.datetime):
    """Record each file in the warehouse, one transaction per submission."""
    return ingest.load_candidates(cands, ref, settings, run_id, started_at)


@task(name="tong-hop-va-xuat-bao-cao", cache_policy=NO_CACHE)
def rebuild_outputs(periods, ref, settings: Settings, run_id: str):
    """Consolidate touched periods and write their workbooks."""
    return ingest.rebuild_outputs(periods, ref, settings, run_id)


@task(name="phieu-phan-hoi", cache_policy=NO_CACHE)
def write_feedbacks(summary, ref, settings: Settings):
    """Write feedback workbooks for submissions with issues."""
    return ingest.write_feedbacks(summary, ref, settings)


@flow(name="tonghop-run", validate_parameters=False)
def consolidation_flow(settings: Settings) -> ingest.RunSummary:
    """One consolidation run: find → parse → validate → load → consolidate and write (one writer at a time)."""
    with writer_lock(settings.warehouse, settings.lock_timeout):
        return _run(settings)


def _run(settings: Settings) -> ingest.RunSummary:
    started_at = dt.datetime.now()
    run_id = ingest.new_run_id()
    ref = load_reference(settings)
    cands, unchanged = find_new_files(settings)
    cands = parse_files(cands, ref, settings)
    cands = validate(cands, ref, settings)
    summary = load(cands, ref, settings, run_id, started_at)
    summary.unchanged = unchanged
    summary.reports = rebuild_outputs(summary.periods, ref, settings, run_id)
    summary.feedback = write_feedbacks(summary, ref, settings)
    return ingest.finish_run(summary, settings)
