"""Feedback for communes (phản hồi), as the district office sends them back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from pipeline.report.layout import FONT
from pipeline.issues import label as issue_label
from pipeline.vn import labels
from pipeline.vn.periods import period_label


def feedback_path(out: Path, period_code: str | None, unit_code: str | None, submission_id: int | None) -> Path:
    """Return where the feedback workbook of a submission is written."""
    folder = Path(out) / (period_code or "khong-ro-ky") / "phan_hoi"
    return folder / f"PhanHoi_{unit_code or 'khong-ro-don-vi'}_{period_code or 'khong-ro-ky'}_{submission_id or 0}.xlsx"


def write_feedback(path: Path, *, unit_label: str, period_code: str | None, file_name: str, status: str, reason: str,
                   issues: pd.DataFrame, values: dict[str, str] | None = None) -> Path:
    """Write the workbook the district sends back to a commune: one row per issue with sheet, cell, value, rule, message."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
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
    heads = ["STT", "Mức độ", "Trang tính", "Ô", "Mã chỉ tiêu", "Giá trị", "Loại lỗi", "Nội dung", "Mã lỗi"]  # code: for the analyst
    for c, h in enumerate(heads):
        ws.write_string(5, c, h, head)
    widths = [6, 11, 16, 7, 12, 12, 22, 70, 18]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    for i, row in enumerate(issues.itertuples(index=False), start=1):
        r = 5 + i
        fmt = err if row.severity == "error" else cell
        ws.write_number(r, 0, i, cell)
        ws.write_string(r, 1, labels.severity(row.severity), fmt)
        ws.write_string(r, 2, str(row.sheet or ""), cell)
        ws.write_string(r, 3, str(row.cell or ""), cell)
        ws.write_string(r, 4, str(row.indicator_code or ""), cell)
        ws.write_string(r, 5, "" if row.raw is None or pd.isna(row.raw) else str(row.raw), cell)
        ws.write_string(r, 6, issue_label(str(row.code)), cell)
        ws.write_string(r, 7, str(row.message), cell)
        ws.write_string(r, 8, str(row.code), cell)
    ws.freeze_panes(6, 0)
    ws.repeat_rows(5)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    wb.close()
    return path
