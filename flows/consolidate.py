"""The consolidation flow: pipeline.run.STEPS as Prefect tasks, the same steps the nightly schedule and `tonghop run` execute."""

from __future__ import annotations

import logging
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows import progress
from flows.params import PATH_DEFAULTS, WAIT_DEFAULT, build_settings
from flows.scale import FILES_PER_TASK, DaskUnavailable, chunks, dask_available, dask_runner
from pipeline import warehouse as wh
from pipeline.config import Settings
from pipeline.outcome import RunSummary
from pipeline.read import read_files
from pipeline.report.summary import (issue_table, log_lines, missing_table, rebuild_line, render_markdown, render_rebuild_markdown,
                                    render_top_issues, TOP_TITLE)
from pipeline.run import STEPS, Run, Step, completeness_rows

# Transient faults (a workbook held open by Excel, a busy network share, the warehouse opened by another program)
# are retried by the steps that can safely run twice; loading is not retried (it records files one by one).
RETRIES = 3
RETRY_DELAYS = [10, 30, 60]
ARTIFACT_KEYS = {"summary": "tonghop-tom-tat", "issues": "tonghop-loi-canh-bao", "missing": "tonghop-don-vi-chua-nop",
                 "top": "tonghop-sua-truoc"}


def is_transient(exc: BaseException) -> bool:
    """Tell whether a fault may pass by itself: a file or share that is busy or locked, not one that is gone."""
    if isinstance(exc, (FileNotFoundError, NotADirectoryError, IsADirectoryError)):
        return False
    if isinstance(exc, OSError):
        return True
    return wh.is_lock_error(exc)


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


def as_task(step: Step):
    """The Prefect task of one run step (retried on transient faults when the step allows it)."""
    return task(name=step.name, description=step.label, cache_policy=NO_CACHE,
                **(_retrying if step.retry_transient else {}))(step.fn)


TASKS = {step.name: as_task(step) for step in STEPS}


class _Relay:
    """Passes the steps' progress to whoever listens in this process (flows/progress.py)."""

    def step(self, label: str, total: int | None) -> None:
        progress.step(label, total)

    def advance(self, n: int) -> None:
        progress.advance(n)


@task(name="doc-mot-phan", cache_policy=NO_CACHE, **_retrying)
def read_part(jobs, registry, catalog, options):
    """Read one part of the new files (a task of the Dask cluster)."""
    return read_files(jobs, registry, catalog, options)


@flow(name="tonghop-doc-tep-dask", validate_parameters=False)
def read_on_cluster(parts, registry, catalog, options):
    """Read the new files on the Dask cluster, one task per part, in order."""
    futures = [read_part.submit(quote(p), quote(registry), quote(catalog), options) for p in parts]
    out = []
    for fut in futures:
        done = fut.result()
        progress.advance(len(done))
        out.extend(done)
    return out


def cluster_reader(address: str):
    """A reader with pipeline.read.read_files' signature that reads on the Dask cluster at `address`."""
    def read(jobs, registry, catalog, options, on_done=None):
        if not jobs:
            return []
        get_run_logger().info("Đọc %d tệp trên cụm Dask %s.", len(jobs), address)
        return read_on_cluster.with_options(task_runner=dask_runner(address))(chunks(list(jobs), FILES_PER_TASK),
                                                                               registry, catalog, options)
    return read


@flow(name="tonghop-run", description="Tổng hợp số liệu CCHC: nhận tệp mới trong hộp thư, kiểm tra, nạp kho, lập báo cáo.")
def consolidation_flow(inbox: str = PATH_DEFAULTS["inbox"], warehouse: str = PATH_DEFAULTS["warehouse"],
                       out: str = PATH_DEFAULTS["out"], units: str = PATH_DEFAULTS["units"],
                       catalog: str = PATH_DEFAULTS["catalog"], office: str = PATH_DEFAULTS["office"],
                       rules: str = PATH_DEFAULTS["rules"], outliers: str = PATH_DEFAULTS["outliers"],
                       deadlines: str | None = PATH_DEFAULTS["deadlines"], period: str | None = None,
                       unit: str | None = None, rebuild: bool = False, wait: float = WAIT_DEFAULT, workers: int = 0, backups: int = 5,
                       dask: str | None = None) -> Any:
    """One consolidation run: the steps of pipeline.run.STEPS, each a task (one writer at a time).

    Returns the run's RunSummary (with `rebuild`, what pipeline.rebuild.rebuild_warehouse returns).

    Args:
        inbox: Thư mục hộp thư nhận tệp báo cáo của các xã.
        warehouse: Tệp kho dữ liệu DuckDB.
        out: Thư mục báo cáo tổng hợp và phiếu phản hồi.
        units: Danh sách đơn vị (CSV).
        catalog: Danh mục chỉ tiêu (CSV).
        office: Thông tin cơ quan tổng hợp (TOML).
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
    if rebuild:
        return _rebuild(settings, log)
    scope = "".join([f", kỳ {period}" if period else "", f", đơn vị {unit}" if unit else ""])
    log.info("Bắt đầu lượt tổng hợp: hộp thư %s, kho dữ liệu %s%s.", settings.inbox, settings.warehouse, scope)
    run = Run(settings, progress=_Relay(), reader=cluster_reader(dask) if dask else None)
    with wh.writer_lock(settings.warehouse, settings.lock_timeout):
        for step in STEPS:
            progress.step(step.label, step.total(run) if step.total else None)
            TASKS[step.name](quote(run))
        completeness = completeness_rows(settings.warehouse, run.summary.periods)
    _log_summary(log, run.summary)
    publish_artifacts(run.summary, completeness)
    return run.summary


def _rebuild(settings: Settings, log):
    """Rebuild the warehouse from the archive (pipeline.rebuild takes the writer lock itself) and publish what it did."""
    from pipeline.rebuild import rebuild_warehouse

    log.info("Dựng lại kho dữ liệu %s từ các bản lưu gốc trong %s (mọi kỳ, mọi đơn vị).", settings.warehouse, settings.archive)
    progress.step("Dựng lại kho dữ liệu từ bản lưu gốc")
    result = rebuild_warehouse(settings)
    with wh.writer_lock(settings.warehouse, settings.lock_timeout):
        completeness = completeness_rows(settings.warehouse, list(result.periods))
    markdown = render_rebuild_markdown(result, completeness)
    log.info("%s", rebuild_line(result))
    try:
        create_markdown_artifact(markdown=markdown, key=ARTIFACT_KEYS["summary"], description="Dựng lại kho dữ liệu")
        _publish_missing(completeness, list(result.periods), "dựng lại kho")
    except Exception as exc:
        log.warning("Không tạo được bản tóm tắt trên giao diện Prefect: %s", exc)
    return result


def _log_summary(log, summary: RunSummary) -> None:
    """Log what the officer needs to know, in Vietnamese: counts, files not loaded, outputs."""
    for level, line in log_lines(summary):
        log.log(level, "%s", line)


def publish_artifacts(summary: RunSummary, completeness: list[dict]) -> None:
    """Attach the run's summary (markdown) and its issues and missing units (tables) to the flow run in Prefect's UI."""
    try:
        create_markdown_artifact(markdown=render_markdown(summary, completeness), key=ARTIFACT_KEYS["summary"],
                                 description=f"Tóm tắt lượt tổng hợp {summary.run_id}")
        # the ten issues per period that move the district figures, ranks and bands most
        create_markdown_artifact(markdown=render_top_issues(summary), key=ARTIFACT_KEYS["top"],
                                 description=f"{TOP_TITLE} (lượt {summary.run_id})")
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
