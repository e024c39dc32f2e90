"""Feedback for communes (phản hồi) and the run's import summary, as the district office sends and files them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import xlsxwriter

from pipeline.periods import period_label

FONT = "Times New Roman"
SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}
STATUS_VI = {"loaded": "Đã nạp", "rejected": "Bị từ chối", "duplicate": "Trùng lặp", "skipped": "Để lại kỳ sau",
             "superseded": "Bị thay thế"}


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
    ws.write_string(3, 0, f"Tệp: {file_name} — {STATUS_VI.get(status, status)}" + (f": {reason}" if reason else ""), italic)
    heads = ["STT", "Mức độ", "Trang tính", "Ô", "Mã chỉ tiêu", "Giá trị", "Quy tắc", "Nội dung"]
    for c, h in enumerate(heads):
        ws.write_string(5, c, h, head)
    widths = [6, 11, 16, 7, 12, 12, 22, 70]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    for i, row in enumerate(issues.itertuples(index=False), start=1):
        r = 5 + i
        fmt = err if row.severity == "error" else cell
        ws.write_number(r, 0, i, cell)
        ws.write_string(r, 1, SEVERITY_VI.get(row.severity, row.severity), fmt)
        ws.write_string(r, 2, str(row.sheet or ""), cell)
        ws.write_string(r, 3, str(row.cell or ""), cell)
        ws.write_string(r, 4, str(row.indicator_code or ""), cell)
        ws.write_string(r, 5, "" if row.raw is None or pd.isna(row.raw) else str(row.raw), cell)
        ws.write_string(r, 6, str(row.code), cell)
        ws.write_string(r, 7, str(row.message), cell)
    ws.freeze_panes(6, 0)
    ws.repeat_rows(5)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    wb.close()
    return path


def summary_dict(summary) -> dict:
    """Return the import summary of a run as plain data (counts like DHIS2's import summary, and every file)."""
    files = [f.__dict__ for f in summary.files]
    return {
        "run_id": summary.run_id,
        "started_at": summary.started_at.isoformat(timespec="seconds"),
        "finished_at": summary.finished_at.isoformat(timespec="seconds") if summary.finished_at else None,
        "dry_run": summary.dry_run,
        "files": {"new": len(summary.files), "unchanged": summary.unchanged, "loaded": summary.count("loaded"),
                  "rejected": summary.count("rejected"), "duplicate": summary.count("duplicate"),
                  "superseded": summary.superseded, "skipped": summary.count("skipped"), "waiting": summary.count("waiting")},
        "values_loaded": summary.values_loaded,
        "issues": {"error": sum(f["errors"] for f in files), "warning": sum(f["warnings"] for f in files)},
        "periods": summary.periods,
        "reports": [str(p) for p in summary.reports],
        "feedback": [str(p) for p in summary.feedback],
        "details": [{k: (str(v) if isinstance(v, Path) else v) for k, v in f.items()} for f in files],
    }


def render_summary(summary) -> str:
    """Render the import summary in Vietnamese for the officer (printed by `tonghop run`, saved beside the reports)."""
    d = summary_dict(summary)
    f, n = d["files"], d["issues"]
    lines = [
        f"TÓM TẮT LƯỢT CHẠY {d['run_id']}" + (" (chạy thử, không ghi gì)" if d["dry_run"] else ""),
        f"  Tệp mới: {f['new']} (không đổi: {f['unchanged']})",
        f"  Đã nạp: {f['loaded']} · Bị từ chối: {f['rejected']} · Trùng lặp: {f['duplicate']} · Bị thay thế: {f['superseded']}"
        f" · Để lại kỳ khác: {f['skipped']} · Chờ chép xong: {f['waiting']}",
        f"  Số giá trị {'sẽ được ' if d['dry_run'] else 'đã '}nạp: {d['values_loaded']}",
        f"  Lỗi: {n['error']} · Cảnh báo: {n['warning']}",
    ]
    for item in d["details"]:
        if item["status"] != "loaded":
            lines.append(f"  - {item['file']}: {STATUS_VI.get(item['status'], item['status'])} — {item['reason']}")
        elif d["dry_run"]:
            lines.append(f"  - {item['file']}: {item['unit_code']} · {item['period_code']} · {item['values']} giá trị · "
                         f"{item['errors']} lỗi · {item['warnings']} cảnh báo")
    for p in d["reports"]:
        lines.append(f"  Báo cáo: {p}")
    if d["feedback"]:
        lines.append(f"  Phiếu phản hồi cho đơn vị: {len(d['feedback'])} tệp")
    return "\n".join(lines)


def write_summary(summary, out: Path) -> Path:
    """Save the import summary (text and JSON) under <out>/tom_tat/ and return the text file's path."""
    folder = Path(out) / "tom_tat"
    folder.mkdir(parents=True, exist_ok=True)
    txt = folder / f"TomTat_{summary.run_id}.txt"
    txt.write_text(render_summary(summary) + "\n", encoding="utf-8")
    (folder / f"TomTat_{summary.run_id}.json").write_text(json.dumps(summary_dict(summary), ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return txt
