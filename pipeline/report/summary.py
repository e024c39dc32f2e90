"""A run's summary as the officer reads it in Prefect's UI (markdown, tables) and as scripts read it (JSON)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.report.feedback import SEVERITY_VI, STATUS_VI, summary_dict

STATUS_LABELS = {**STATUS_VI, "skipped": "Để lại lượt sau (kỳ hoặc đơn vị khác)", "waiting": "Chờ chép xong"}
STATUS_ORDER = ("loaded", "rejected", "duplicate", "skipped", "waiting")
MAX_TABLE_ROWS = 1000  # Prefect's UI stays readable; the warehouse's v_issues holds every row
FILE_FIELDS = ("file", "status", "reason", "unit_code", "period_code", "submission_id", "values", "errors", "warnings")


def summary_json(summary) -> dict[str, Any]:
    """Return the run summary as plain JSON data: run id, counts by status, periods, reports, feedback, every file."""
    d = summary_dict(summary)
    d["details"] = [{k: _plain(getattr(f, k)) for k in FILE_FIELDS} for f in summary.files]
    d["summary_path"] = str(summary.summary_path) if summary.summary_path else None
    return d


def _plain(v: Any) -> Any:
    if isinstance(v, Path):
        return str(v)
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def _cell(text: Any) -> str:
    """Escape a value for a markdown table cell."""
    s = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _issue_frames(summary) -> list[tuple[str, pd.DataFrame]]:
    return [(f.file, f.issue_rows) for f in summary.files if f.issue_rows is not None and not f.issue_rows.empty]


def issue_table(summary, limit: int = MAX_TABLE_ROWS) -> list[dict[str, Any]]:
    """Return the run's issues as table rows (errors first), at most `limit` rows."""
    rows: list[dict[str, Any]] = []
    for file, frame in _issue_frames(summary):
        for r in frame.to_dict("records"):
            rows.append({"tệp": file, "mức độ": SEVERITY_VI.get(r.get("severity"), r.get("severity")),
                         "mã": r.get("code"), "nội dung": _text(r.get("message")),
                         "vị trí": _text(r.get("source_ref")), "chỉ tiêu": _text(r.get("indicator_code"))})
    rows.sort(key=lambda r: r["mức độ"] != SEVERITY_VI["error"])  # stable: file order kept within each severity
    return rows[:limit]


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


def top_issues(summary, n: int = 10) -> list[dict[str, Any]]:
    """Return the `n` most frequent issue codes of the run: code, severity, count, files, one example message."""
    count: Counter[tuple[str, str]] = Counter()
    files: dict[tuple[str, str], set[str]] = {}
    example: dict[tuple[str, str], str] = {}
    for file, frame in _issue_frames(summary):
        for r in frame.to_dict("records"):
            key = (str(r.get("code")), str(r.get("severity")))
            count[key] += 1
            files.setdefault(key, set()).add(file)
            example.setdefault(key, _text(r.get("message")))
    ranked = sorted(count.items(), key=lambda kv: (kv[0][1] != "error", -kv[1], kv[0][0]))
    return [{"code": code, "severity": sev, "count": c, "files": len(files[(code, sev)]), "example": example[(code, sev)]}
            for (code, sev), c in ranked[:n]]


def missing_table(completeness: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the units that have not submitted, per period, as table rows."""
    return [{"kỳ": r["period_code"], "mã đơn vị": r["unit_code"], "đơn vị": r["unit_name"]}
            for r in completeness if r.get("status") == "missing"]


def render_markdown(summary, completeness: list[dict[str, Any]] | None = None) -> str:
    """Render the run's summary in Vietnamese markdown: files by status, completeness per period, top issues, outputs."""
    d = summary_dict(summary)
    f, n = d["files"], d["issues"]
    lines = [f"# Tóm tắt lượt tổng hợp {d['run_id']}" + (" (chạy thử)" if d["dry_run"] else ""), ""]
    if d["started_at"]:
        lines.append(f"Bắt đầu {d['started_at']}" + (f", kết thúc {d['finished_at']}" if d["finished_at"] else "") + ".")
        lines.append("")
    lines += ["## Tệp theo trạng thái", "", "| Trạng thái | Số tệp |", "|---|---:|"]
    lines.append(f"| Tệp mới | {f['new']} |")
    for status in STATUS_ORDER:
        lines.append(f"| {STATUS_LABELS[status]} | {f[status]} |")
    lines.append(f"| Bản cũ bị thay thế | {f['superseded']} |")
    lines.append(f"| Không đổi (đã nhận trước đây) | {f['unchanged']} |")
    lines += ["", f"Số giá trị đã nạp: **{d['values_loaded']}** · Lỗi: **{n['error']}** · Cảnh báo: **{n['warning']}**", ""]

    lines += _completeness_lines(completeness)
    problems = [x for x in d["details"] if x["status"] != "loaded"]
    if problems:
        lines += ["## Tệp không được nạp", "", "| Tệp | Trạng thái | Lý do |", "|---|---|---|"]
        for x in problems[:MAX_TABLE_ROWS]:
            lines.append(f"| {_cell(x['file'])} | {STATUS_LABELS.get(x['status'], x['status'])} | {_cell(x['reason'])} |")
        lines.append("")

    top = top_issues(summary)
    lines += ["## Lỗi và cảnh báo thường gặp", ""]
    if not top:
        lines += ["Không có lỗi hay cảnh báo nào.", ""]
    else:
        lines += ["| Mã | Mức độ | Số lần | Số tệp | Ví dụ |", "|---|---|---:|---:|---|"]
        for t in top:
            lines.append(f"| {_cell(t['code'])} | {SEVERITY_VI.get(t['severity'], t['severity'])} | {t['count']} | {t['files']} | {_cell(t['example'])} |")
        lines.append("")

    if d["reports"] or d["feedback"]:
        lines += ["## Tệp kết quả", ""]
        lines += [f"- Báo cáo tổng hợp: `{p}`" for p in d["reports"]]
        if d["feedback"]:
            lines.append(f"- Phiếu phản hồi gửi đơn vị: {len(d['feedback'])} tệp, trong `{Path(d['feedback'][0]).parent}`")
        lines.append("")
    return "\n".join(lines)


def _completeness_lines(completeness: list[dict[str, Any]] | None) -> list[str]:
    lines = ["## Tình hình nộp báo cáo", ""]
    by_period: dict[str, list[dict[str, Any]]] = {}
    for r in completeness or []:
        by_period.setdefault(r["period_code"], []).append(r)
    if not by_period:
        return lines + ["Không có kỳ nào được cập nhật trong lượt chạy này.", ""]
    for period, rows in by_period.items():
        submitted = sum(1 for r in rows if r.get("status") == "submitted")
        late = sum(1 for r in rows if r.get("late") is not None and bool(r.get("late")))
        missing = [_cell(r["unit_name"]) for r in rows if r.get("status") == "missing"]
        line = f"- **{period}**: {submitted}/{len(rows)} đơn vị đã nộp"
        if late:
            line += f", {late} đơn vị nộp muộn"
        line += (f"; chưa nộp ({len(missing)}): {', '.join(missing)}" if missing else "; đủ tất cả đơn vị") + "."
        lines.append(line)
    return lines + [""]


def rebuild_line(result) -> str:
    """Say in one Vietnamese sentence what a rebuild of the warehouse from the archive did."""
    by_status = getattr(result, "by_status", None) or {}
    counts = ", ".join(f"{STATUS_LABELS.get(k, k).lower()} {v}" for k, v in sorted(by_status.items()))
    periods = list(getattr(result, "periods", None) or [])
    line = f"Đã dựng lại kho dữ liệu từ {getattr(result, 'files', '?')} tệp lưu trữ của {getattr(result, 'runs', '?')} lượt chạy"
    line += f" ({counts})" if counts else ""
    line += f"; các kỳ: {', '.join(periods)}" if periods else ""
    seconds = getattr(result, "seconds", None)
    line += f"; mất {seconds:.1f} giây" if isinstance(seconds, (int, float)) else ""
    previous = getattr(result, "previous", None)
    return line + (f". Kho cũ được cất tại {previous}." if previous else ".")


def render_rebuild_markdown(result, completeness: list[dict[str, Any]] | None = None) -> str:
    """Render a rebuild of the warehouse from the archive in Vietnamese markdown, with completeness per period."""
    lines = ["# Dựng lại kho dữ liệu từ bản lưu gốc", "", rebuild_line(result), ""]
    return "\n".join(lines + _completeness_lines(completeness))


def completeness_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain rows of a v_completeness frame (pipeline.warehouse.completeness) for the renderers and Prefect tables."""
    keep = [c for c in ("period_code", "unit_code", "unit_name", "status", "received_at", "late") if c in frame.columns]
    return frame[keep].astype(object).where(frame[keep].notna(), None).to_dict("records")
