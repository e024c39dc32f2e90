"""Feedback for communes (phản hồi), as the district office sends them back.

A run writes one workbook per submission with issues (hundreds in a big run), so each is cheap: built in memory
(no temporary file per part), its formats made once, its rows plain tuples (`feedback_rows`) rather than a frame.
`FeedbackJob` holds everything one workbook needs as plain data, so the run can hand the jobs to worker processes
(`write_feedback_job`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import xlsxwriter

from pipeline.report.layout import FONT, building
from pipeline.issues import label as issue_label
from pipeline.vn import labels
from pipeline.vn.periods import period_label

HEADS = ["STT", "Mức độ", "Trang tính", "Ô", "Mã chỉ tiêu", "Giá trị", "Loại lỗi", "Nội dung", "Mã lỗi"]  # code: for the analyst
WIDTHS = [6, 11, 16, 7, 12, 12, 22, 70, 18]

# One issue row as the workbook shows it: whether it is an error (shown in red), then the texts of columns B:I.
FeedbackRow = tuple[bool, str, str, str, str, str, str, str, str]


class FeedbackJob(NamedTuple):
    """One feedback workbook to write, as plain data (picklable, no frame)."""

    path: str
    unit_label: str
    period_code: str | None
    file_name: str
    status: str
    reason: str
    rows: list[FeedbackRow]


def feedback_path(out: Path, period_code: str | None, unit_code: str | None, submission_id: int | None) -> Path:
    """Return where the feedback workbook of a submission is written."""
    folder = Path(out) / (period_code or "khong-ro-ky") / "phan_hoi"
    return folder / f"PhanHoi_{unit_code or 'khong-ro-don-vi'}_{period_code or 'khong-ro-ky'}_{submission_id or 0}.xlsx"


def feedback_rows(issues: pd.DataFrame) -> list[FeedbackRow]:
    """The rows of a feedback workbook from an issues frame (pipeline.issues.COLUMNS), in its order."""
    if issues is None or issues.empty:
        return []
    cols = [issues[c].tolist() for c in ("severity", "sheet", "cell", "indicator_code", "raw", "code", "message")]
    return [(severity == "error", labels.severity(severity), _text(sheet), _text(cell), _text(indicator), _text(raw),
             issue_label(str(code)), str(message), str(code))
            for severity, sheet, cell, indicator, raw, code, message in zip(*cols)]


def _text(v) -> str:
    """A cell's text: '' for a blank or missing value (None, NaN: pandas' str columns hold NaN for None), else str(v)."""
    if isinstance(v, str):
        return v
    return "" if v is None or pd.isna(v) else str(v)


def write_feedback(path: Path, *, unit_label: str, period_code: str | None, file_name: str, status: str, reason: str,
                   issues: pd.DataFrame | list[FeedbackRow]) -> Path:
    """Write the workbook the district sends back to a commune: one row per issue with sheet, cell, value, rule, message.

    `issues` is an issues frame or its `feedback_rows`.
    """
    rows = feedback_rows(issues) if isinstance(issues, pd.DataFrame) else issues
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with building():
        data = _workbook(unit_label, period_code, file_name, status, reason, rows)
    path.write_bytes(data)
    return path


def _workbook(unit_label: str, period_code: str | None, file_name: str, status: str, reason: str,
              rows: list[FeedbackRow]) -> bytes:
    buffer = io.BytesIO()  # built in memory, then written at once: a file that cannot be written fails as an OSError
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False})
    base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
    title = wb.add_format({**base, "bold": True, "align": "center", "font_size": 14})
    italic = wb.add_format({**base, "italic": True})
    head = wb.add_format({**base, "bold": True, "border": 1, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"})
    cell = wb.add_format({**base, "border": 1, "text_wrap": True})
    err = wb.add_format({**base, "border": 1, "text_wrap": True, "font_color": "#C00000", "bold": True})
    ws = wb.add_worksheet("Phản hồi")
    ws.merge_range(0, 0, 0, 7, "PHẢN HỒI KẾT QUẢ KIỂM TRA SỐ LIỆU CẢI CÁCH HÀNH CHÍNH", title)
    ws.write_string(1, 0, f"Đơn vị: {unit_label}", italic)
    ws.write_string(2, 0, f"Kỳ báo cáo: {period_label(period_code) if period_code else 'chưa xác định'}", italic)
    ws.write_string(3, 0, f"Tệp: {file_name} — {labels.file_status(status)}" + (f": {reason}" if reason else ""), italic)
    for c, h in enumerate(HEADS):
        ws.write_string(5, c, h, head)
    for c, w in enumerate(WIDTHS):
        ws.set_column(c, c, w)
    write_string, write_number = ws.write_string, ws.write_number
    for r, (is_error, *texts) in enumerate(rows, start=6):
        write_number(r, 0, r - 5, cell)
        write_string(r, 1, texts[0], err if is_error else cell)
        for c in range(2, 9):
            write_string(r, c, texts[c - 1], cell)
    ws.freeze_panes(6, 0)
    ws.repeat_rows(5)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    wb.close()
    return buffer.getvalue()


def write_feedback_job(job: FeedbackJob) -> str:
    """Write one FeedbackJob (in a worker process or here) and return the workbook's path."""
    return str(write_feedback(Path(job.path), unit_label=job.unit_label, period_code=job.period_code,
                              file_name=job.file_name, status=job.status, reason=job.reason, issues=job.rows))
