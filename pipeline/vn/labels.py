"""The Vietnamese words tonghop shows for its codes: file statuses, issue severities, completeness statuses.

Every renderer (the CLI, Prefect's markdown and tables, the summary file, the district workbook, the feedback
workbooks) takes its wording from here, so a status is named the same way everywhere.
"""

from __future__ import annotations

import pandas as pd

from pipeline.vn import format as fmt

# What happened to a file in a run (pipeline.outcome.FileResult.status) or to a submission in the warehouse.
FILE_STATUS = {
    "loaded": "Đã nạp",
    "rejected": "Bị từ chối",
    "duplicate": "Trùng lặp",
    "skipped": "Để lại lượt sau (kỳ hoặc đơn vị khác)",
    "waiting": "Chờ chép xong",
    "superseded": "Bị thay thế",
}
FILE_STATUS_ORDER = ("loaded", "rejected", "duplicate", "skipped", "waiting")  # the statuses a run gives its files

# The run's other counts, as its summaries name them.
NEW_FILES = "Tệp mới"
UNCHANGED = "Không đổi (đã nhận trước đây)"
WILL_LOAD = "Sẽ nạp"  # a dry run's files that a real run would load
SUPERSEDED = "Bản cũ bị thay thế"  # earlier submissions a newer file of the same unit and period replaced

# How bad an issue is (pipeline.issues.Severity).
SEVERITY = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}

# A unit's submission for a period, as the district workbook's completeness sheet words it.
ON_TIME, LATE, SUBMITTED, MISSING = "Nộp đúng hạn", "Nộp muộn", "Đã nộp", "Chưa nộp"
REVIEW = "Nộp nhưng cần xem lại"  # submitted, but copied forward or nearly empty (v_completeness.review)


def file_status(status: str) -> str:
    """The Vietnamese label of a file status; an unknown status is shown as it is."""
    return FILE_STATUS.get(status, status)


def severity(code: str) -> str:
    """The Vietnamese label of an issue severity; an unknown one is shown as it is."""
    return SEVERITY.get(code, code)


def status_counts(by_status: dict[str, int]) -> str:
    """Counts by file status in a sentence: 'đã nạp 1.245, bị từ chối 1' (in the order of FILE_STATUS, unknown last)."""
    order = {k: i for i, k in enumerate(FILE_STATUS)}
    ranked = sorted(by_status.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    return ", ".join(f"{file_status(k).lower()} {fmt.count(v)}" for k, v in ranked)


def completeness(status: object, late: object = None) -> str:
    """A unit's completeness in words: Nộp đúng hạn / Nộp muộn (when lateness is known), Đã nộp, Chưa nộp."""
    if status != "submitted":
        return MISSING
    if late is None or pd.isna(late):
        return SUBMITTED
    return LATE if bool(late) else ON_TIME
