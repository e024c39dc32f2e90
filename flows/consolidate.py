"""The consolidation flow: the same steps the nightly schedule and `tonghop run` execute."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows import progress
from flows.params import PATH_DEFAULTS, WAIT_DEFAULT, build_settings
from flows.scale import FILES_PER_TASK, DaskUnavailable, chunks, dask_available, dask_runner
from pipeline import run as ingest
from pipeline.outcome import RunSummary
from pipeline.config import Settings
from pipeline.warehouse.lock import writer_lock
from pipeline.report.summary import (issue_table, load_completeness, log_lines, missing_table, rebuild_line, render_markdown,
                                  render_rebuild_markdown)

# Transient faults (a workbook held open by Excel, a busy network share, the warehouse opened by another program)
# are retried by the steps that can safely run twice; loading is not retried (it records files one by one).
RETRIES = 3
RETRY_DELAYS = [10, 30, 60]
FILES_PER_CALL = 10  # the reading step reports its progress every this many files (one process)
ARTIFACT_KEYS = {"summary": "tonghop-tom-tat", "issues": "tonghop-loi-canh-bao", "missing": "tonghop-don-vi-chua-nop"}


def is_transient(exc: BaseException) -> bool:
    """Tell whether a fault may pass by itself: a file or share that is busy or locked, not one that is gone."""
    if isinstance(exc, (FileNotFoundError, NotADirectoryError, IsADirectoryError)):
        return False
    if isinstance(exc, OSError):
        return True
    import duckdb

    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except Exception:  # outside a run (unit tests of the retry condition)
        return logging.getLogger("tonghop")


def retry_when_transient(task_, task_run, state) -> bool:
    """Prefect retry condition: retry a step only after a transient fault, and tell the officer why (Vietnamese)."""
    try:
        state.result()
    except Exception as exc:
        if is_transient(exc):
            _logger().warning("Không đọc/ghi được tệp, có thể tệp đang mở trong Excel hoặc thư mục mạng đang bận (%s). "
                              "Sẽ thử lại sau ít phút; nếu đang mở tệp báo cáo, hãy đóng Excel.", exc)
            return True
        return False
    return False


_retrying = dict(retries=RETRIES, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=retry_when_transient)


@task(name="doc-danh-muc", cache_policy=NO_CACHE)
def load_reference(settings: Settings) -> ingest.Reference:
    """Read the registry, catalog and office settings."""
    return ingest.load_reference(settings)


@task(name="tim-tep-moi", cache_policy=NO_CACHE, **_retrying)
def find_new_files(settings: Settings):
    """List inbox files not yet taken in."""
    return ingest.find_new_files(settings)


@task(name="doc-tep", cache_policy=NO_CACHE, **_retrying)
def parse_files(cands, ref, settings: Settings):
    """Archive and parse the new files, reporting progress every few files (one batch when reading in several processes)."""
    size = FILES_PER_CALL if settings.workers <= 1 else max(len(cands), 1)
    for part in chunks(cands, size):
        ingest.parse_candidates(part, ref, settings)
        progress.advance(sum(1 for c in part if c.submission is not None))
    return cands


@task(name="doc-mot-phan", cache_policy=NO_CACHE, **_retrying)
def parse_part(part, ref, settings: Settings):
    """Archive and parse one part of the new files (a task of the Dask cluster)."""
    return ingest.parse_candidates(part, ref, settings)


@flow(name="tonghop-doc-tep-dask", validate_parameters=False)
def parse_on_cluster(parts, ref, settings: Settings):
    """Read the new files on the Dask cluster, one task per part."""
    futures = [parse_part.submit(p, ref, settings) for p in parts]
    out = []
    for fut in futures:
        done = fut.result()
        progress.advance(sum(1 for c in done if c.submission is not None))
        out.extend(done)
    return out


@task(name="kiem-tra", cache_policy=NO_CACHE)
def validate(cands, ref, settings: Settings):
    """Validate every new value at once: pandera, the office's rules, outliers."""
    return ingest.validate_candidates(cands, ref, settings)


@task(name="nap-kho", cache_policy=NO_CACHE)
def load(cands, ref, settings: Settings, run_id: str, started_at: dt.datetime):
    """Record each file in the warehouse, one transaction per submission."""
    return ingest.load_candidates(cands, ref, settings, run_id, started_at)


@task(name="tong-hop-va-xuat-bao-cao", cache_policy=NO_CACHE, **_retrying)
def rebuild_outputs(periods, ref, settings: Settings, run_id: str):
    """Consolidate touched periods and write their workbooks."""
    return ingest.rebuild_outputs(periods, ref, settings, run_id)


@task(name="phieu-phan-hoi", cache_policy=NO_CACHE, **_retrying)
def write_feedbacks(summary, ref, settings: Settings):
    """Write feedback workbooks for submissions with issues."""
    return ingest.write_feedbacks(summary, ref, settings)


@flow(name="tonghop-run", description="Tổng hợp số liệu CCHC: nhận tệp mới trong hộp thư, kiểm tra, nạp kho, lập báo cáo.")
def consolidation_flow(inbox: str = PATH_DEFAULTS["inbox"], warehouse: str = PATH_DEFAULTS["warehouse"],
                       out: str = PATH_DEFAULTS["out"], units: str = PATH_DEFAULTS["units"],
                       catalog: str = PATH_DEFAULTS["catalog"], office: str = PATH_DEFAULTS["office"],
                       rules: str = PATH_DEFAULTS["rules"], outliers: str = PATH_DEFAULTS["outliers"],
                       deadlines: str | None = PATH_DEFAULTS["deadlines"], period: str | None = None,
                       unit: str | None = None, rebuild: bool = False, wait: float = WAIT_DEFAULT, workers: int = 0, backups: int = 5,
                       dask: str | None = None) -> Any:
    """One consolidation run: find → parse → validate → load → consolidate and write (one writer at a time).

    Returns the run's RunSummary (with `rebuild`, what pipeline.rebuild.rebuild_warehouse returns).

    Args:
        inbox: Thư mục hộp thư nhận tệp báo cáo của các xã.
        warehouse: Tệp kho dữ liệu DuckDB.
        out: Thư mục báo cáo tổng hợp và phiếu phản hồi.
        units: Danh sách đơn vị (CSV).
        catalog: Danh mục chỉ tiêu (CSV).
        office: Thông tin huyện (TOML).
        rules: Quy tắc kiểm tra (CSV).
        outliers: Ngưỡng phát hiện giá trị bất thường (TOML).
        deadlines: Hạn nộp báo cáo theo loại kỳ (TOML); để trống nếu không dùng.
        period: Chỉ xử lý một kỳ, ví dụ 2023-H1; để trống để xử lý mọi kỳ.
        unit: Chỉ nhận tệp của một đơn vị (mã trong danh sách đơn vị); để trống để nhận tất cả.
        rebuild: Dựng lại toàn bộ kho dữ liệu từ các bản lưu gốc (warehouse/archive).
        wait: Số giây chờ khi một lượt chạy khác đang ghi kho dữ liệu.
        workers: Số tiến trình đọc tệp song song trên máy này (0 = bằng số nhân CPU; chỉ dùng khi có nhiều tệp).
        backups: Số bản sao lưu kho dữ liệu được giữ lại.
        dask: Đọc tệp trên cụm Dask: 'local' hoặc địa chỉ bộ lập lịch (tcp://máy:8786); để trống để không dùng.
    """
    settings = build_settings(inbox=inbox, warehouse=warehouse, out=out, units=units, catalog=catalog, office=office,
                              rules=rules, outliers=outliers, deadlines=deadlines, period=period, unit=unit, wait=wait,
                              workers=workers, backups=backups)
    if dask and not rebuild and not dask_available():
        raise DaskUnavailable()
    log = get_run_logger()
    scope = "".join([f", kỳ {period}" if period else "", f", đơn vị {unit}" if unit else ""])
    if rebuild:
        return _rebuild(settings, log)
    log.info("Bắt đầu lượt tổng hợp: hộp thư %s, kho dữ liệu %s%s.", settings.inbox, settings.warehouse, scope)
    with writer_lock(settings.warehouse, settings.lock_timeout):
        summary = _run(settings, dask)
        completeness = load_completeness(settings.warehouse, summary.periods)
    _log_summary(log, summary)
    publish_artifacts(summary, completeness)
    return summary


def _rebuild(settings: Settings, log):
    """Rebuild the warehouse from the archive (pipeline.rebuild takes the writer lock itself) and publish what it did."""
    from pipeline.rebuild import rebuild_warehouse

    log.info("Dựng lại kho dữ liệu %s từ các bản lưu gốc trong %s (mọi kỳ, mọi đơn vị).", settings.warehouse, settings.archive)
    progress.step("Dựng lại kho dữ liệu từ bản lưu gốc")
    result = rebuild_warehouse(settings)
    with writer_lock(settings.warehouse, settings.lock_timeout):
        completeness = load_completeness(settings.warehouse, list(getattr(result, "periods", None) or []))
    if isinstance(result, RunSummary):
        _log_summary(log, result)
        publish_artifacts(result, completeness)
        return result
    markdown = render_rebuild_markdown(result, completeness)
    log.info("%s", rebuild_line(result))
    try:
        create_markdown_artifact(markdown=markdown, key=ARTIFACT_KEYS["summary"], description="Dựng lại kho dữ liệu")
        _publish_missing(completeness, list(getattr(result, "periods", None) or []), "dựng lại kho")
    except Exception as exc:
        log.warning("Không tạo được bản tóm tắt trên giao diện Prefect: %s", exc)
    return result


def _run(settings: Settings, dask: str | None) -> RunSummary:
    log = get_run_logger()
    started_at = dt.datetime.now()
    run_id = ingest.new_run_id()
    progress.step("Đọc danh mục")
    ref = load_reference(settings)
    progress.step("Tìm tệp mới trong hộp thư")
    cands, unchanged = find_new_files(settings)
    to_read = sum(1 for c in cands if c.duplicate_of is None and not c.waiting_reason)
    log.info("Tìm thấy %d tệp mới (%d tệp cần đọc), %d tệp không đổi.", len(cands), to_read, unchanged)
    progress.step("Đọc tệp", total=to_read)
    if dask and to_read:
        log.info("Đọc %d tệp trên cụm Dask %s.", to_read, dask)
        parts = chunks(cands, FILES_PER_TASK)
        cands = parse_on_cluster.with_options(task_runner=dask_runner(dask))(parts, ref, settings)
    else:
        cands = parse_files(cands, ref, settings)
    progress.step("Kiểm tra số liệu")
    cands = validate(cands, ref, settings)
    progress.step("Nạp vào kho dữ liệu")
    summary = load(cands, ref, settings, run_id, started_at)
    summary.unchanged = unchanged
    progress.step("Tổng hợp và lập báo cáo", total=len(summary.periods) or None)
    summary.reports = rebuild_outputs(summary.periods, ref, settings, run_id)
    progress.step("Viết phiếu phản hồi")
    summary.feedback = write_feedbacks(summary, ref, settings)
    return ingest.finish_run(summary, settings)


def _log_summary(log, summary: RunSummary) -> None:
    """Log what the officer needs to know, in Vietnamese: counts, files not loaded, outputs."""
    for level, line in log_lines(summary):
        log.log(level, "%s", line)


def publish_artifacts(summary: RunSummary, completeness: list[dict]) -> None:
    """Attach the run's summary (markdown) and its issues and missing units (tables) to the flow run in Prefect's UI."""
    try:
        create_markdown_artifact(markdown=render_markdown(summary, completeness), key=ARTIFACT_KEYS["summary"],
                                 description=f"Tóm tắt lượt tổng hợp {summary.run_id}")
        issues = issue_table(summary)
        if issues:
            create_table_artifact(table=issues, key=ARTIFACT_KEYS["issues"],
                                  description=f"Lỗi và cảnh báo của lượt {summary.run_id}")
        _publish_missing(completeness, summary.periods, f"lượt {summary.run_id}")
    except Exception as exc:  # the run's results are on disk already; a UI hiccup must not fail it
        get_run_logger().warning("Không tạo được bản tóm tắt trên giao diện Prefect: %s", exc)


def _publish_missing(completeness: list[dict], periods: list[str], label: str) -> None:
    if not completeness:
        return
    rows = missing_table(completeness) or [{"kỳ": p, "mã đơn vị": "", "đơn vị": "(đủ tất cả đơn vị)"} for p in periods]
    create_table_artifact(table=rows, key=ARTIFACT_KEYS["missing"], description=f"Đơn vị chưa nộp báo cáo ({label})")
