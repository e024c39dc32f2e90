"""A run's summary as the officer reads it (CLI text, the flow's log, Prefect's markdown and tables, the summary file)
and as scripts read it (JSON). Every renderer reads the one plain dict `pipeline.outcome.summary_data` makes."""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.outcome import FILE_FIELDS, RunSummary, summary_data
from pipeline.vn import format as fmt
from pipeline.vn import labels
from pipeline.vn.labels import FILE_STATUS_ORDER as STATUS_ORDER

MAX_TABLE_ROWS = 1000  # Prefect's UI stays readable; the warehouse's v_issues holds every row
__all__ = ["FILE_FIELDS", "STATUS_ORDER", "completeness_rows", "issue_table", "log_lines", "missing_table", "rebuild_line",
           "render_markdown", "render_rebuild_markdown", "render_summary", "render_top_issues", "summary_json", "top_issues",
           "write_summary"]
TOP_TITLE = "Lỗi, cảnh báo cần sửa trước"  # the issues that move the district figures, ranks and bands most (figures.impact)


def summary_json(summary: RunSummary) -> dict[str, Any]:
    """Return the run summary as plain JSON data: run id, counts by status, periods, reports, feedback, every file."""
    return summary_data(summary)


def _counts_line(d: dict[str, Any]) -> str:
    """'Đã nạp: 1 · Bị từ chối: 1 · …': the files by status and the superseded submissions."""
    f = d["files"]
    parts = [f"{labels.WILL_LOAD if d['dry_run'] and s == 'loaded' else labels.file_status(s)}: {fmt.count(f[s])}"
             for s in STATUS_ORDER]
    return " · ".join(parts[:3] + [f"{labels.SUPERSEDED}: {fmt.count(f['superseded'])}"] + parts[3:])


def _issues_line(d: dict[str, Any]) -> str:
    n = d["issues"]
    line = f"{labels.severity('error')}: {fmt.count(n['error'])} · {labels.severity('warning')}: {fmt.count(n['warning'])}"
    return line + _consolidation(d)


def _consolidation(d: dict[str, Any]) -> str:
    """' (thêm 98 cảnh báo khi tổng hợp: …)' for the warnings found when the periods were consolidated; '' for none."""
    k = d.get("period_warnings") or 0
    return (f" (thêm {fmt.count(k)} cảnh báo khi tổng hợp: đơn vị lệch xa số liệu chung, xem trang Lỗi và cảnh báo)"
            if k else "")


def render_summary(summary: RunSummary) -> str:
    """Render the import summary in Vietnamese for the officer (printed by `tonghop run`, saved beside the reports)."""
    d = summary_data(summary)
    f = d["files"]
    lines = [
        f"TÓM TẮT LƯỢT CHẠY {d['run_id']}" + (" (chạy thử, không ghi gì)" if d["dry_run"] else ""),
        f"  {labels.NEW_FILES}: {fmt.count(f['new'])} (không đổi: {fmt.count(f['unchanged'])})",
        f"  {_counts_line(d)}",
        f"  Số giá trị {'sẽ được ' if d['dry_run'] else 'đã '}nạp: {fmt.count(d['values_loaded'])}",
        f"  {_issues_line(d)}",
    ]
    if d["reference_changes"]:
        lines.append(f"  {reference_line(d)}")
    for item in d["details"]:
        if item["status"] != "loaded":
            lines.append(f"  - {item['file']}: {labels.file_status(item['status'])} — {item['reason']}")
        elif d["dry_run"]:
            lines.append(f"  - {item['file']}: {item['unit_code']} · {item['period_code']} · {fmt.count(item['values'])} giá trị · "
                         f"{fmt.count(item['errors'])} lỗi · {fmt.count(item['warnings'])} cảnh báo")
    for p in d["reports"]:
        lines.append(f"  Báo cáo: {p}")
    if d["quarantined"]:
        lines.append(f"  Tệp bị từ chối đã được chuyển nguyên vẹn ra khỏi hộp thư, vào thư mục quarantine cạnh kho dữ liệu: "
                     f"{fmt.count(d['quarantined'])} tệp")
    if d["feedback"]:
        lines.append(f"  Phiếu phản hồi cho đơn vị: {fmt.count(len(d['feedback']))} tệp")
    return "\n".join(lines)


def reference_line(d: dict[str, Any]) -> str:
    """'Danh sách đơn vị đã thay đổi: lập lại 2 kỳ': the reference files changed since the last run and what it redid."""
    names = ", ".join(d["reference_changes"])
    if d["dry_run"]:
        return f"{names} đã thay đổi: lượt chạy thật sẽ lập lại các kỳ đã có"
    if not d["rewritten"]:
        return f"{names} đã thay đổi: chưa có kỳ nào để lập lại"
    return f"{names} đã thay đổi: lập lại {fmt.count(d['rewritten'])} kỳ"


def log_lines(summary: RunSummary) -> list[tuple[int, str]]:
    """The run's summary as (logging level, Vietnamese line) pairs for the flow's log: counts, files not loaded, outputs."""
    d = summary_data(summary)
    f = d["files"]
    others = [f"{labels.file_status(s).lower()} {fmt.count(f[s])}" for s in STATUS_ORDER[1:]]
    out = [(logging.INFO, f"{labels.file_status('loaded')} {fmt.count(f['loaded'])} tệp ({fmt.count(d['values_loaded'])} giá trị); "
                          + ", ".join(others) + f", {labels.SUPERSEDED.lower()} {fmt.count(f['superseded'])}. {_issues_line(d)}.")]
    out += [(logging.WARNING, f"Tệp {x['file']}: {labels.file_status(x['status'])} — {x['reason']}")
            for x in d["details"] if x["status"] != "loaded"]
    if d["reference_changes"]:
        out.append((logging.INFO, reference_line(d)))
    out += [(logging.INFO, f"Đã lập báo cáo tổng hợp: {p}") for p in d["reports"]]
    if d["feedback"]:
        out.append((logging.INFO, f"Đã viết {fmt.count(len(d['feedback']))} phiếu phản hồi gửi các đơn vị."))
    if d["summary_path"]:
        out.append((logging.INFO, f"Bản tóm tắt lượt chạy: {d['summary_path']}"))
    return out


def write_summary(summary: RunSummary, out: Path) -> Path:
    """Save the import summary (text and JSON) under <out>/tom_tat/, set its `summary_path` and return the text file's path."""
    folder = Path(out) / "tom_tat"
    folder.mkdir(parents=True, exist_ok=True)
    txt = folder / f"TomTat_{summary.run_id}.txt"
    summary.summary_path = txt  # the JSON names the text file too
    txt.write_text(render_summary(summary) + "\n", encoding="utf-8")
    (folder / f"TomTat_{summary.run_id}.json").write_text(
        json.dumps(summary_data(summary), ensure_ascii=False, indent=2), encoding="utf-8")  # plain data: no default=str
    return txt


def _cell(text: Any) -> str:
    """Escape a value for a markdown table cell."""
    s = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _with_issues(summary) -> list:
    """The run's files (FileResult) that have issues."""
    return [f for f in summary.files if f.issue_count]


def issue_table(summary, limit: int = MAX_TABLE_ROWS) -> list[dict[str, Any]]:
    """Return the run's issues as table rows (errors first, each in file order), at most `limit` rows.

    Only the rows shown are made: 5 000 issue-heavy files have 118 000 issues and the table shows 1 000."""
    error = labels.severity("error")
    rows: list[dict[str, Any]] = []
    for errors_pass in (True, False):
        for f in _with_issues(summary):
            if len(rows) >= limit:
                return rows
            file = f.file
            for severity, code, message, ref, indicator in zip(*f.issue_columns(
                    "severity", "code", "message", "source_ref", "indicator_code")):
                if (severity == "error") != errors_pass:
                    continue
                rows.append({"tệp": file, "mức độ": error if errors_pass else labels.severity(severity), "mã": code,
                             "nội dung": _text(message), "vị trí": _text(ref), "chỉ tiêu": _text(indicator)})
                if len(rows) >= limit:
                    return rows
    return rows


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


def top_issues(summary, n: int = 10) -> list[dict[str, Any]]:
    """Return the `n` most frequent issue codes of the run: code, severity, count, files, one example message."""
    count: Counter[tuple[str, str]] = Counter()
    files: dict[tuple[str, str], set[str]] = {}
    example: dict[tuple[str, str], str] = {}
    for f in _with_issues(summary):
        file = f.file
        for code, severity, message in zip(*f.issue_columns("code", "severity", "message")):
            key = (str(code), str(severity))
            count[key] += 1
            files.setdefault(key, set()).add(file)
            if key not in example:
                example[key] = _text(message)
    ranked = sorted(count.items(), key=lambda kv: (kv[0][1] != "error", -kv[1], kv[0][0]))
    return [{"code": code, "severity": sev, "count": c, "files": len(files[(code, sev)]), "example": example[(code, sev)]}
            for (code, sev), c in ranked[:n]]


def _moves(t: dict[str, Any]) -> str:
    """'thứ 3 → thứ 5; Hoàn thành tốt nhiệm vụ → Hoàn thành nhiệm vụ', or 'Không đổi'."""
    out = []
    if t.get("rank_with") is not None and t.get("rank_without") is not None and t["rank_with"] != t["rank_without"]:
        out.append(f"thứ {fmt.count(t['rank_with'])} → thứ {fmt.count(t['rank_without'])}")
    if t.get("band_with") and (t.get("band_without") or "") != t["band_with"]:
        out.append(f"{t['band_with']} → {t.get('band_without') or '—'}")
    return "; ".join(out) or "Không đổi"


def render_top_issues(summary) -> str:
    """The run's issues to fix first, per period (RunSummary.top_issues), as Vietnamese markdown."""
    d = summary_data(summary)
    if not d["top_issues"]:
        return f"# {TOP_TITLE}\n\nKhông có lỗi hay cảnh báo nào làm thay đổi số liệu tổng hợp trong lượt chạy này.\n"
    lines = [f"# {TOP_TITLE}", "",
             "Các lỗi, cảnh báo có giá trị làm thay đổi nhiều nhất số liệu tổng hợp, thứ hạng hoặc xếp loại của đơn vị "
             "(thay đổi = số liệu tổng hợp có giá trị đó trừ số liệu khi bỏ giá trị đó).", ""]
    by_period: dict[str, list[dict[str, Any]]] = {}
    for t in d["top_issues"]:
        by_period.setdefault(t["period_code"], []).append(t)
    for period, rows in by_period.items():
        lines += [f"## Kỳ {period}", "", "| # | Đơn vị | Chỉ tiêu | Thay đổi số liệu tổng hợp | Thứ hạng, xếp loại nếu bỏ giá trị "
                  "| Loại | Nội dung | Vị trí |", "|---:|---|---|---:|---|---|---|---|"]
        for i, t in enumerate(rows, start=1):
            change = (f"{fmt.decimal(t['impact_abs'])} ({fmt.decimal((t['impact_rel'] or 0) * 100, 1)}%)"
                      if t.get("impact_abs") is not None else "")
            lines.append(f"| {i} | {_cell(t['unit_name'])} | {_cell(t['indicator_code'])} | {change} | {_cell(_moves(t))} "
                         f"| {_cell(labels.severity(t['severity']))}: {_cell(t['code'])} | {_cell(t['message'])} "
                         f"| {_cell(t['source_ref'])} |")
        lines.append("")
    return "\n".join(lines)


def missing_table(completeness: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the units that have not submitted, per period, as table rows."""
    return [{"kỳ": r["period_code"], "mã đơn vị": r["unit_code"], "đơn vị": r["unit_name"]}
            for r in completeness if r.get("status") == "missing"]


def render_markdown(summary, completeness: list[dict[str, Any]] | None = None) -> str:
    """Render the run's summary in Vietnamese markdown: files by status, completeness per period, top issues, outputs."""
    d = summary_data(summary)
    f, n = d["files"], d["issues"]
    lines = [f"# Tóm tắt lượt tổng hợp {d['run_id']}" + (" (chạy thử)" if d["dry_run"] else ""), ""]
    if d["started_at"]:
        lines.append(f"Bắt đầu {d['started_at']}" + (f", kết thúc {d['finished_at']}" if d["finished_at"] else "") + ".")
        lines.append("")
    lines += ["## Tệp theo trạng thái", "", "| Trạng thái | Số tệp |", "|---|---:|"]
    lines.append(f"| {labels.NEW_FILES} | {fmt.count(f['new'])} |")
    for status in STATUS_ORDER:
        lines.append(f"| {labels.file_status(status)} | {fmt.count(f[status])} |")
    lines.append(f"| {labels.SUPERSEDED} | {fmt.count(f['superseded'])} |")
    lines.append(f"| {labels.UNCHANGED} | {fmt.count(f['unchanged'])} |")
    lines += ["", f"Số giá trị đã nạp: **{fmt.count(d['values_loaded'])}** · {labels.severity('error')}: **{fmt.count(n['error'])}**"
                  f" · {labels.severity('warning')}: **{fmt.count(n['warning'])}**{_consolidation(d)}", ""]

    if d["reference_changes"]:
        lines += [reference_line(d), ""]
    lines += _completeness_lines(completeness)
    problems = [x for x in d["details"] if x["status"] != "loaded"]
    if problems:
        lines += ["## Tệp không được nạp", "", "| Tệp | Trạng thái | Lý do |", "|---|---|---|"]
        for x in problems[:MAX_TABLE_ROWS]:
            lines.append(f"| {_cell(x['file'])} | {labels.file_status(x['status'])} | {_cell(x['reason'])} |")
        lines.append("")

    top = top_issues(summary)
    lines += ["## Lỗi và cảnh báo thường gặp", ""]
    if not top:
        lines += ["Không có lỗi hay cảnh báo nào.", ""]
    else:
        lines += ["| Mã | Mức độ | Số lần | Số tệp | Ví dụ |", "|---|---|---:|---:|---|"]
        for t in top:
            lines.append(f"| {_cell(t['code'])} | {labels.severity(t['severity'])} | {fmt.count(t['count'])} | {fmt.count(t['files'])} "
                         f"| {_cell(t['example'])} |")
        lines.append("")

    if d["reports"] or d["feedback"]:
        lines += ["## Tệp kết quả", ""]
        lines += [f"- Báo cáo tổng hợp: `{p}`" for p in d["reports"]]
        if d["feedback"]:
            lines.append(f"- Phiếu phản hồi gửi đơn vị: {fmt.count(len(d['feedback']))} tệp, trong `{Path(d['feedback'][0]).parent}`")
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
        line = f"- **{period}**: {fmt.count(submitted)}/{fmt.count(len(rows))} đơn vị đã nộp"
        if late:
            line += f", {fmt.count(late)} đơn vị nộp muộn"
        line += (f"; chưa nộp ({fmt.count(len(missing))}): {', '.join(missing)}" if missing else "; đủ tất cả đơn vị") + "."
        lines.append(line)
    return lines + [""]


def rebuild_line(result) -> str:
    """Say in one Vietnamese sentence what a rebuild of the warehouse from the archive did."""
    by_status = getattr(result, "by_status", None) or {}
    counts = labels.status_counts(by_status)
    periods = list(getattr(result, "periods", None) or [])
    files, runs = (getattr(result, k, None) for k in ("files", "runs"))
    line = (f"Đã dựng lại kho dữ liệu từ {'?' if files is None else fmt.count(files)} tệp lưu trữ "
            f"của {'?' if runs is None else fmt.count(runs)} lượt chạy")
    line += f" ({counts})" if counts else ""
    line += f"; các kỳ: {', '.join(periods)}" if periods else ""
    seconds = getattr(result, "seconds", None)
    line += f"; mất {fmt.decimal(seconds, 1)} giây" if isinstance(seconds, (int, float)) else ""
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
