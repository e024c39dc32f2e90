"""The district consolidated workbook (xlsxwriter): cover, one sheet per area, completeness, Phụ lục rankings, issues."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.reference.catalog import AREA_NAMES
from pipeline.reference.office import Office
from pipeline.vn import format as fmt
from pipeline.figures.peers import CODE as PEER_CODE
from pipeline.issues import label as issue_label
from pipeline.issues import sheet_cell
from pipeline.vn import labels
from pipeline.vn.labels import LATE, MISSING, ON_TIME
from pipeline.vn.periods import period_label
from pipeline.figures.impact import changes, top_issues
from pipeline.figures.ranking import rank_units, unit_values
from pipeline.report.layout import (FMT_COUNT, FMT_RATE, PAGE_WIDTH_PX, Workbook, building, fit_row, formats, heading, lines, merge_text,
                                    page, row_height, row_lines, signature, width_px, workbook_options)
from pipeline.report.ranking import NOT_APPLICABLE, RANKING_SHEETS, write_ranking_sheets
from pipeline.report.quality import QUALITY_SHEET, write_quality_sheet
from pipeline.reference.rubric import Rubric
from schemas.models import AREAS

__all__ = ["AREAS", "FMT_COUNT", "FMT_RATE", "SHEET_NAMES", "COMPLETENESS_SHEET", "ISSUES_SHEET", "QUALITY_SHEET", "ReportData",
           "report_path", "write_report", "submission_status"]

SHEET_NAMES = {
    "I": "I. Chỉ đạo điều hành", "II": "II. Thể chế", "III": "III. Thủ tục hành chính", "IV": "IV. Tổ chức bộ máy",
    "V": "V. Chế độ công vụ", "VI": "VI. Tài chính công", "VII": "VII. Chính quyền số",
}
COVER_SHEET = "Thông tin chung"
COMPLETENESS_SHEET = "Tình hình nộp báo cáo"
ISSUES_SHEET = "Lỗi và cảnh báo"
TOP_HEADING = "Lỗi, cảnh báo cần sửa trước"  # the issues sheet's first block: the issues that move the figures most

# area sheets: code, indicator, unit of measure, district value, units covered, note, then one column per unit
_AREA_WIDTHS = (10, 42, 10, 12, 10, 22)
_UNIT_WIDTH = 9.5


@dataclass
class ReportData:
    """Everything the district workbook shows for one period.

    The optional fields feed the Phụ lục sheets: `previous_period` and `previous_values` (unit_code,
    indicator_code, value of that period) give the previous ranks; `issues` (v_issues rows of the period:
    file_name, unit_code, severity, code, message, source_ref, indicator_code) fills the issues sheet;
    `rubric` (required to write) ranks the units; `made_at` defaults to now.
    """

    period_code: str
    office: Office
    units: pd.DataFrame  # registry: code, label, order (name, kind when known)
    indicators: pd.DataFrame  # catalog frame
    district: pd.DataFrame  # period_code, indicator_code, value, n_units, n_expected, detail
    values: pd.DataFrame  # unit_code, indicator_code, value
    completeness: pd.DataFrame  # unit_code, unit_name, status, received_at, file_name (late, deadline when known)
    window: tuple[dt.date, dt.date] | None = None
    run_id: str = ""
    previous_period: str | None = None
    previous_values: pd.DataFrame | None = None
    issues: pd.DataFrame | None = None
    rubric: Rubric | None = None
    made_at: dt.datetime | None = None
    scores: pd.DataFrame | None = None  # the units' ranking (pipeline.figures.rank_units); computed here when absent
    not_applicable: pd.DataFrame | None = None  # unit_code, indicator_code of cells answered "không áp dụng" (shown "KAD")


def report_path(out: Path, period_code: str) -> Path:
    """Return the contract path <out>/<period>/TongHop_CCHC_<period>.xlsx."""
    return Path(out) / period_code / f"TongHop_CCHC_{period_code}.xlsx"


def write_report(data: ReportData, out: Path) -> Path:
    """Write the period's workbook at its contract path, keeping any earlier version under history/."""
    target = report_path(out, data.period_code)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp.xlsx")
    with building():
        _build(data, tmp)
    if target.exists():
        hist = target.parent / "history"
        hist.mkdir(exist_ok=True)
        stamp = dt.datetime.fromtimestamp(target.stat().st_mtime).strftime("%Y%m%d-%H%M%S-%f")
        shutil.move(str(target), str(hist / f"{target.stem}_{stamp}.xlsx"))
    os.replace(tmp, target)
    return target


def submission_status(row: pd.Series | dict) -> str:
    """A unit's completeness status in words (pipeline.vn.labels.completeness of its status and lateness)."""
    return labels.completeness(row.get("status"), row.get("late"))


def _lateness(statuses: list[str]) -> str:
    """' (nộp đúng hạn 20, nộp muộn 02)' from the units' completeness statuses."""
    return (f" (nộp đúng hạn {fmt.count(statuses.count(ON_TIME), two_digits=True)}, "
            f"nộp muộn {fmt.count(statuses.count(LATE), two_digits=True)})")


def _build(data: ReportData, path: Path) -> None:
    rubric = data.rubric
    if rubric is None:
        raise ValueError("ReportData.rubric is required: the Phụ lục sheets rank the units by it")
    wb = Workbook(str(path), workbook_options(in_memory=False))  # parts on disk: see workbook_options
    wb.set_properties({"title": f"Tổng hợp số liệu CCHC {period_label(data.period_code)}", "author": "tonghop",
                       "company": " – ".join(data.office.issuer_lines)})
    f = formats(wb, {b.label: b.color for b in rubric.bands})
    comp = data.completeness
    submitted = (set(comp.loc[comp["status"] == "submitted", "unit_code"]) if not comp.empty
                 else set(data.values["unit_code"]) if not data.values.empty else set())
    scores = data.scores if data.scores is not None else rank_units(data.values, rubric, data.indicators, data.units,
                                                                    submitted, data.previous_values)
    _cover(wb, f, data, rubric, submitted)
    district = data.district.set_index("indicator_code") if not data.district.empty else pd.DataFrame()
    wide = (data.values.pivot_table(index="indicator_code", columns="unit_code", values="value", aggfunc="first")
            if not data.values.empty else pd.DataFrame())
    for area in AREAS:
        _area_sheet(wb, f, data, area, district, wide)
    _completeness_sheet(wb, f, data)
    write_quality_sheet(wb, f, data.office, data.period_code, data.units, data.indicators, data.completeness,
                        data.values, data.issues)
    write_ranking_sheets(wb, f, data.office, data.period_code, data.previous_period, rubric, scores, data.units,
                         unit_values(data.values, data.indicators))
    _issues_sheet(wb, f, data)
    wb.close()


def _codes(indicators: pd.DataFrame) -> set[str]:
    return set(indicators["code"]) if "code" in indicators.columns else set(indicators.index)


def _cover(wb, f, data: ReportData, rubric: Rubric, submitted: set[str]) -> None:
    ws = wb.add_worksheet(COVER_SHEET)
    widths = [34] + [16] * 6
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    label = period_label(data.period_code)
    r = heading(ws, f, data.office, f"TỔNG HỢP SỐ LIỆU CẢI CÁCH HÀNH CHÍNH {label.upper()}", widths, dated=True)
    n_expected = len(data.units)
    comp = data.completeness.to_dict("records")
    statuses = [submission_status(row) for row in comp]
    reported = f"{fmt.count(len(submitted))}/{fmt.count(n_expected)} đơn vị"
    if ON_TIME in statuses or LATE in statuses:
        reported += _lateness(statuses)
    missing = [str(row["unit_name"]) for row, status in zip(comp, statuses) if status == MISSING]
    made = data.made_at or dt.datetime.now()
    rows = [
        ("Đơn vị tổng hợp", data.office.full_name),
        ("Kỳ báo cáo", f"{label} ({data.period_code})"),
        ("Số đơn vị đã báo cáo", reported),
        ("Đơn vị chưa nộp", ", ".join(missing) if missing else "Không có"),
        ("Thang điểm xếp hạng", rubric.name),
        ("Điểm tối đa", f"{fmt.decimal(rubric.total_max)} điểm"),
        ("So sánh thứ hạng với", period_label(data.previous_period) if data.previous_period else "Chưa có kỳ trước để so sánh"),
        ("Thời điểm lập", made.strftime("%H:%M ngày %d/%m/%Y")),
        ("Lượt chạy", data.run_id or "—"),
    ]
    if data.window:
        rows.insert(2, ("Thời gian lấy số liệu", f"từ ngày {data.window[0]:%d/%m/%Y} đến ngày {data.window[1]:%d/%m/%Y}"))
    for i, (k, v) in enumerate(rows):
        ws.write_string(r + i, 0, k, f["group"])
        merge_text(ws, r + i, 1, 6, v, f["text"])
        if len(v) > 90:
            ws.set_row(r + i, 16 * (len(v) // 90 + 1))
    r += len(rows) + 1
    ws.write_string(r, 0, "Các trang trong tệp", f["bold"])
    sheets = ([SHEET_NAMES[a] + f" — {AREA_NAMES[a]}" for a in AREAS] + [COMPLETENESS_SHEET, QUALITY_SHEET]
              + [f"{name} — {desc}" for name, desc in RANKING_SHEETS] + [ISSUES_SHEET])
    targets = ([SHEET_NAMES[a] for a in AREAS] + [COMPLETENESS_SHEET, QUALITY_SHEET] + [n for n, _ in RANKING_SHEETS]
               + [ISSUES_SHEET])
    for i, (text, sheet) in enumerate(zip(sheets, targets), start=1):
        ws.write_url(r + i, 1, f"internal:'{sheet}'!A1", string=text)
    signature(ws, f, data.office, r + len(sheets) + 2, 4, 6)
    page(ws, None)
    ws.fit_to_pages(1, 1)  # the cover is one page, its signature block included


def _area_sheet(wb, f, data: ReportData, area: str, district: pd.DataFrame, wide: pd.DataFrame) -> None:
    if len(data.units) > data.office.units_as_rows_above:
        _area_sheet_rows(wb, f, data, area, district, wide)
        return
    ws = wb.add_worksheet(SHEET_NAMES[area])
    units = data.units
    n_expected = len(units)
    first_unit_col = len(_AREA_WIDTHS)
    h = heading(ws, f, data.office, f"{area}. {AREA_NAMES[area].upper()}\n{period_label(data.period_code).upper()}",
                list(_AREA_WIDTHS), left_block=True)
    heads = ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", data.office.total_label, "Số đơn vị báo cáo", "Ghi chú"]
    for c, text in enumerate(heads):
        ws.write_string(h, c, text, f["head"])
    for j, label in enumerate(units["label"]):
        ws.write_string(h, first_unit_col + j, str(label), f["head"])
    ws.set_row(h, 48)
    for c, w in enumerate(_AREA_WIDTHS):
        ws.set_column(c, c, w)
    if n_expected:
        ws.set_column(first_unit_col, first_unit_col + n_expected - 1, _UNIT_WIDTH)
    ws.freeze_panes(h + 1, 2)
    inds = data.indicators[data.indicators["area"] == area]
    unit_codes = list(units["code"])
    grid = (wide.reindex(index=list(inds.index), columns=unit_codes) if not wide.empty
            else pd.DataFrame(index=list(inds.index), columns=unit_codes, dtype=float))
    cells = dict(zip(grid.index, grid.to_numpy(dtype=float, na_value=float("nan")).tolist()))  # unit values per code
    r = h + 1
    write_number, write_blank, blank = ws.write_number, ws.write_blank, f["text"]
    figures = dict(zip(district.index, district.to_dict("records"))) if not district.empty else {}
    na_by_code: dict[str, set[str]] = {}
    if data.not_applicable is not None:
        for u, c in zip(data.not_applicable["unit_code"], data.not_applicable["indicator_code"]):
            na_by_code.setdefault(c, set()).add(u)
    for code, ind in zip(inds.index, inds.to_dict("records")):
        kind = ind["kind"]
        is_rate = kind == "rate"
        ws.write_string(r, 0, str(code), f["text"])
        ws.write_string(r, 1, str(ind["name"]), f["group"] if kind == "group" else f["text"])
        ws.write_string(r, 2, str(ind["unit"]), f["text_c"])
        detail = ""
        d = figures.get(code)
        if d is not None:
            if pd.notna(d["value"]):
                ws.write_number(r, 3, float(d["value"]), f["rate_b"] if (is_rate or ind["agg"] == "unit_share") else f["count_b"])
            else:
                ws.write_blank(r, 3, None, f["text"])
            ws.write_string(r, 4, f"{fmt.count(d['n_units'])}/{fmt.count(n_expected)}", f["text_c"])
            detail = str(d["detail"] or "")
            ws.write_string(r, 5, detail, f["text"])
        else:
            for c in (3, 4, 5):
                ws.write_blank(r, c, None, f["text"])
        number_format = f["rate"] if is_rate else f["count"]
        na_units = na_by_code.get(code)
        for c, v in enumerate(cells[code], start=first_unit_col):
            if v == v:  # not NaN
                write_number(r, c, v, number_format)
            elif na_units and unit_codes[c - first_unit_col] in na_units:
                ws.write_string(r, c, NOT_APPLICABLE, f["text_c"])  # "không áp dụng": neither blank nor 0
            else:
                write_blank(r, c, None, blank)
        fit_row(ws, r, [(str(ind["name"]), _AREA_WIDTHS[1]), (str(ind["unit"]), _AREA_WIDTHS[2]), (detail, _AREA_WIDTHS[5])])
        r += 1
    _print_in_column_blocks(ws, h, first_unit_col, n_expected)


def _print_in_column_blocks(ws, header_row: int, first_unit_col: int, n_units: int) -> None:
    """Print the district figures first, then the unit columns a few at a time beside the repeated code and name.

    Pages run down then across, so a reader gets every indicator's district value and coverage on the first
    pages, and each later page shows about 8 units at full size (12 pt) with the indicator code and name repeated.
    """
    page(ws, header_row, fit_width=False)
    ws.repeat_columns(0, 1)
    repeated = width_px(_AREA_WIDTHS[0]) + width_px(_AREA_WIDTHS[1])
    unit_px = width_px(_UNIT_WIDTH)
    n_pages = max(1, math.ceil(n_units / 8))
    per_page = max(1, math.ceil(n_units / n_pages)) if n_units else 1
    widest = max(sum(width_px(w) for w in _AREA_WIDTHS), repeated + per_page * unit_px)
    ws.set_print_scale(max(10, min(100, int(100 * PAGE_WIDTH_PX / widest))))
    ws.set_v_pagebreaks([first_unit_col + k for k in range(0, n_units, per_page)])


# area sheets with units as rows (a province's 100–170 units): number, unit, then one column per indicator
_ROWS_WIDTHS = (5, 22)
_IND_WIDTH = 12
_HEAD_PT = 10  # the indicator headers (code, name, unit) in 10 pt; the figures stay in 12 pt
_BLOCK = 8  # at most this many indicator columns per printed page (A4 landscape at 100 %)


def _area_sheet_rows(wb, f, data: ReportData, area: str, district: pd.DataFrame, wide: pd.DataFrame) -> None:
    """An area sheet with units down the page and the indicators across, the office's total first.

    The header row (code, name and unit of each indicator) and the first two columns (number, unit) repeat on every
    printed page; pages run down then across, so each block of up to 8 indicators is printed whole for all units,
    at full size on A4 landscape, before the next block.
    """
    ws = wb.add_worksheet(SHEET_NAMES[area])
    units = data.units
    n_expected = len(units)
    inds = data.indicators[data.indicators["area"] == area]
    codes = list(inds.index)
    n_blocks = max(1, math.ceil(len(codes) / _BLOCK))
    per_block = max(1, math.ceil(len(codes) / n_blocks))
    first = len(_ROWS_WIDTHS)
    widths = list(_ROWS_WIDTHS) + [_IND_WIDTH] * len(codes)
    ws.set_column(0, 0, _ROWS_WIDTHS[0])
    ws.set_column(1, 1, _ROWS_WIDTHS[1])
    if codes:
        ws.set_column(first, first + len(codes) - 1, _IND_WIDTH)
    # the heading sits over the first block's indicator columns, clear of the repeated first two columns, so that
    # the first page of a later block shows no cut-off heading; each later block gets its own "tiếp theo" title
    title = f"{area}. {AREA_NAMES[area].upper()}\n{period_label(data.period_code).upper()}"
    span = max(per_block, 6)  # room for the issuer and the motto even over a short block
    h = heading(ws, f, data.office, title, (widths[first:] + [_IND_WIDTH] * span)[:span], first_col=first)
    for k in range(per_block, len(codes), per_block):
        last = min(k + per_block, len(codes)) - 1
        merge_text(ws, 3, first + k, first + last, f"{title} (tiếp theo: chỉ tiêu {codes[k]} – {codes[last]})",
                   f["title"])
    head_s = f.get("head_s")
    if head_s is None:
        head_s = f["head_s"] = wb.add_format({"font_name": "Times New Roman", "font_size": _HEAD_PT, "valign": "vcenter",
                                              "border": 1, "text_wrap": True, "bold": True, "align": "center",
                                              "bg_color": "#DDEBF7"})
    ws.write_string(h, 0, "STT", f["head"])
    ws.write_string(h, 1, "Đơn vị", f["head"])
    head_lines = 1
    for j, (code, ind) in enumerate(zip(codes, inds.to_dict("records"))):
        text = f"{code}\n{ind['name']}" + (f"\n({ind['unit']})" if str(ind["unit"]).strip() else "")
        ws.write_string(h, first + j, text, head_s)
        head_lines = max(head_lines, lines(text, _IND_WIDTH * 12 / _HEAD_PT))
    ws.set_row(h, 13.5 * head_lines + 6)
    figures = dict(zip(district.index, district.to_dict("records"))) if not district.empty else {}
    total, cover, note = h + 1, h + 2, h + 3
    ws.write_blank(total, 0, None, f["text"])
    ws.write_string(total, 1, data.office.total_label, f["text_b"])
    ws.write_blank(cover, 0, None, f["text"])
    ws.write_string(cover, 1, "Số đơn vị báo cáo", f["text"])
    ws.write_blank(note, 0, None, f["text"])
    ws.write_string(note, 1, "Ghi chú", f["text"])
    note_lines = 1
    kinds = inds["kind"].tolist()
    aggs = inds["agg"].tolist()
    for j, code in enumerate(codes):
        c = first + j
        d = figures.get(code)
        if d is not None and pd.notna(d["value"]):
            ws.write_number(total, c, float(d["value"]),
                            f["rate_b"] if (kinds[j] == "rate" or aggs[j] == "unit_share") else f["count_b"])
        else:
            ws.write_blank(total, c, None, f["text"])
        if d is not None:
            ws.write_string(cover, c, f"{fmt.count(d['n_units'])}/{fmt.count(n_expected)}", f["text_c"])
            detail = str(d["detail"] or "")
            ws.write_string(note, c, detail, f["text"])
            if detail:
                note_lines = max(note_lines, lines(detail, _IND_WIDTH))
        else:
            ws.write_blank(cover, c, None, f["text"])
            ws.write_blank(note, c, None, f["text"])
    if note_lines > 1:
        ws.set_row(note, row_height(note_lines))
    grid = (wide.reindex(index=codes, columns=list(units["code"])) if not wide.empty
            else pd.DataFrame(index=codes, columns=list(units["code"]), dtype=float))
    values = grid.to_numpy(dtype=float, na_value=float("nan")).T.tolist()  # one list of indicator values per unit
    number_formats = [f["rate"] if k == "rate" else f["count"] for k in kinds]
    write_number, write_blank, blank = ws.write_number, ws.write_blank, f["text"]
    labels_ = [str(x) for x in units["label"]]
    heights = [row_height(n) for n in row_lines([(labels_, _ROWS_WIDTHS[1])])]
    na_by_unit: dict[str, set[str]] = {}  # the indicators each unit answered "không áp dụng"
    if data.not_applicable is not None:
        for u, c in zip(data.not_applicable["unit_code"], data.not_applicable["indicator_code"]):
            na_by_unit.setdefault(u, set()).add(c)
    r = note + 1
    for i, (unit, label, row, height) in enumerate(zip(units["code"], labels_, values, heights), start=1):
        ws.write_number(r, 0, i, f["text_c"])
        ws.write_string(r, 1, label, f["text"])
        na_codes = na_by_unit.get(unit)
        for c, (code, v, nf) in enumerate(zip(codes, row, number_formats), start=first):
            if v == v:
                write_number(r, c, v, nf)
            elif na_codes and code in na_codes:
                ws.write_string(r, c, NOT_APPLICABLE, f["text_c"])  # "không áp dụng": neither blank nor 0
            else:
                write_blank(r, c, None, blank)
        if height:
            ws.set_row(r, height)
        r += 1
    ws.freeze_panes(note + 1, first)
    page(ws, h, fit_width=False)
    ws.repeat_columns(0, first - 1)
    widest = sum(width_px(w) for w in widths[: first + per_block])
    ws.set_print_scale(max(10, min(100, int(100 * PAGE_WIDTH_PX / widest))))
    ws.set_v_pagebreaks([first + k for k in range(per_block, len(codes), per_block)])


def _completeness_sheet(wb, f, data: ReportData) -> None:
    ws = wb.add_worksheet(COMPLETENESS_SHEET)
    widths = (6, 26, 18, 20, 14, 44, 30)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    last = len(widths) - 1
    r = heading(ws, f, data.office, f"TÌNH HÌNH NỘP BÁO CÁO CẢI CÁCH HÀNH CHÍNH {period_label(data.period_code).upper()}", list(widths))
    comp = data.completeness
    rows = comp.to_dict("records")
    statuses = [submission_status(row) for row in rows]
    n_expected = len(data.units)
    n_missing = statuses.count(MISSING)
    summary = f"Đã nộp {fmt.count(n_expected - n_missing)}/{fmt.count(n_expected)} đơn vị"
    if ON_TIME in statuses or LATE in statuses:
        summary += _lateness(statuses)
    summary += f"; chưa nộp {fmt.count(n_missing, two_digits=True)} đơn vị."
    merge_text(ws, r, 0, last, summary, f["italic_c"])
    deadlines = sorted({d for d in comp.get("deadline", pd.Series(dtype=object)) if d is not None and pd.notna(d)})
    if deadlines:
        merge_text(ws, r + 1, 0, last, "Hạn nộp: " + ", ".join(pd.Timestamp(d).strftime("%d/%m/%Y") for d in deadlines),
                   f["italic_c"])
    h = r + 3
    for c, text in enumerate(["STT", "Đơn vị", "Tình trạng", "Thời điểm nhận", "Hạn nộp", "Tệp báo cáo", labels.REVIEW]):
        ws.write_string(h, c, text, f["head"])
    reviews = _review_texts(comp)
    when_col = "first_received_at" if "first_received_at" in comp.columns else "received_at"
    for i, (row, status) in enumerate(zip(rows, statuses), start=1):
        rr = h + i
        ws.write_number(rr, 0, i, f["text_c"])
        ws.write_string(rr, 1, str(row["unit_name"]), f["text"])
        ws.write_string(rr, 2, status, f["text_bc"] if status in (MISSING, LATE) else f["text_c"])
        when = row.get(when_col)
        if status != MISSING and when is not None and pd.notna(when):
            ws.write_datetime(rr, 3, pd.Timestamp(when).to_pydatetime(), f["datetime"])
        else:
            ws.write_blank(rr, 3, None, f["text"])
        deadline = row.get("deadline")
        if deadline is not None and pd.notna(deadline):
            ws.write_datetime(rr, 4, pd.Timestamp(deadline).to_pydatetime(), f["date"])
        else:
            ws.write_blank(rr, 4, None, f["text"])
        name = row.get("file_name")
        name = "" if name is None or pd.isna(name) else str(name)
        ws.write_string(rr, 5, name, f["text"])
        review = reviews[i - 1] if status != MISSING else ""
        if review:
            ws.write_string(rr, 6, review, f["text_b"])
        else:
            ws.write_blank(rr, 6, None, f["text"])
        fit_row(ws, rr, [(str(row["unit_name"]), widths[1]), (name, widths[5]), (review, widths[6])])
    ws.freeze_panes(h + 1, 0)
    page(ws, h)


def _review_texts(comp: pd.DataFrame) -> list[str]:
    """Per completeness row, why its submission is to be reviewed (issue labels of v_completeness.review_reason), or ''."""
    if "review_reason" not in comp.columns:
        return [""] * len(comp)
    return [", ".join(issue_label(c.strip()) for c in str(r).split(",")) if isinstance(r, str) and r else ""
            for r in comp["review_reason"]]


def _top_block(ws, f, issues: pd.DataFrame, unit_labels: dict, widths: tuple, row: int, total_label: str) -> int:
    """Write the issues to fix first (figures.impact.top_issues) from `row`; return the next free row (`row` if none)."""
    top = top_issues(issues) if "impact_order" in issues.columns else issues.iloc[0:0]
    if top.empty:
        return row
    merge_text(ws, row, 0, len(widths) - 2, TOP_HEADING, f["bold"])
    h = row + 1
    for c, text in enumerate(["Ưu tiên", "Đơn vị", f"Số liệu {total_label.lower()} tăng (+), giảm (−) do giá trị này", "Mức độ", "Loại lỗi", "Nội dung",
                              "Vị trí", "Chỉ tiêu", "Thứ hạng, xếp loại nếu bỏ giá trị"]):
        ws.write_string(h, c, text, f["head"])
    ws.set_row(h, 36)
    rank_moves, band_moves = changes(top, "rank").tolist(), changes(top, "band").tolist()
    for i, r in enumerate(top.to_dict("records"), start=1):
        rr = h + i
        change = f"{fmt.decimal(r['impact_abs'])} ({fmt.decimal(r['impact_rel'] * 100, 1)}%)"
        moves = []
        if rank_moves[i - 1]:
            moves.append(f"thứ {fmt.count(r['rank_with'])} → thứ {fmt.count(r['rank_without'])}")
        if band_moves[i - 1]:
            moves.append(f"{r['band_with']} → {r['band_without']}")
        cells = [_text(unit_labels.get(r["unit_code"], r["unit_code"])), change, labels.severity(r["severity"]),
                 issue_label(r["code"]), _text(r["message"]), _text(r["source_ref"]), _text(r["indicator_code"]),
                 "; ".join(moves) or "Không đổi"]
        ws.write_number(rr, 0, i, f["text_c"])
        for c, v in enumerate(cells, start=1):
            ws.write_string(rr, c, v, f["text_b"] if c == 8 and moves else f["text"])
        fit_row(ws, rr, [(v, w) for v, w in zip(cells, widths[1:])])
    return h + len(top) + 3  # a blank row, the whole list's heading, then its header


def _issues_sheet(wb, f, data: ReportData) -> None:
    ws = wb.add_worksheet(ISSUES_SHEET)
    widths = (5, 16, 24, 9, 20, 46, 26, 10, 18)  # the last column, the issue code, is for the analyst
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    last = len(widths) - 2  # titles span the columns the officer reads
    r = heading(ws, f, data.office, f"LỖI VÀ CẢNH BÁO TRONG CÁC BÁO CÁO {period_label(data.period_code).upper()}",
                list(widths[:-1]))
    issues = data.issues
    if issues is None or issues.empty:
        merge_text(ws, r, 0, last, "Không có lỗi hoặc cảnh báo nào." if issues is not None else "Chưa có dữ liệu lỗi và cảnh báo.",
                   f["italic_c"])
        page(ws, 0)
        return
    unit_labels = dict(zip(data.units["code"], data.units["label"]))
    order = dict(zip(data.units["code"], data.units["order"]))
    iss = issues.copy()
    for col in ("file_name", "unit_code", "severity", "code", "message", "source_ref", "indicator_code"):
        if col not in iss.columns:
            iss[col] = None
    n_err, n_warn = int((iss["severity"] == "error").sum()), int((iss["severity"] == "warning").sum())
    iss, gathered = gather_divergent(iss, _indicator_order(data.indicators))
    iss["_order"] = [order.get(u, len(order)) for u in _values(iss["unit_code"])]
    iss["_sev"] = [0 if s == "error" else 1 for s in _values(iss["severity"])]
    iss = _sorted_issues(iss)
    counts = (f"{fmt.count(n_err, two_digits=True)} lỗi (số liệu không được tính vào tổng hợp), "
              f"{fmt.count(n_warn, two_digits=True)} cảnh báo.")
    if gathered:
        counts += (f" {fmt.count(gathered)} cảnh báo lệch so với số liệu chung được gộp một dòng cho mỗi tệp có hơn "
                   f"{PEER_ROWS_PER_FILE} cảnh báo loại này (từng chỉ tiêu lệch: trang {QUALITY_SHEET}).")
    merge_text(ws, r, 0, last, counts, f["italic_c"])
    if gathered:
        ws.set_row(r, 32)
    h = _top_block(ws, f, issues, unit_labels, widths, r + 2, data.office.total_label)
    top = h != r + 2
    if top:
        merge_text(ws, h - 1, 0, last, "Toàn bộ lỗi và cảnh báo, theo đơn vị", f["bold"])
    else:
        h = r + 2
    for c, text in enumerate(["STT", "Đơn vị", "Tệp", "Mức độ", "Loại lỗi", "Nội dung", "Vị trí", "Chỉ tiêu", "Mã lỗi"]):
        ws.write_string(h, c, text, f["head"])
    units, files, severities, codes, messages, refs, indicators = (
        iss[c].to_numpy(dtype=object) for c in ("unit_code", "file_name", "severity", "code", "message", "source_ref",
                                                "indicator_code"))
    columns = [_texts(units, lambda u: _text(unit_labels.get(u, "" if u is None or pd.isna(u) else str(u)))),
               _texts(files, _text), _texts(severities, lambda s: _text(labels.severity(s))),
               _texts(codes, lambda c: _text(issue_label(c))), _texts_each(messages), _texts_each(refs),
               _texts(indicators, _text), _texts(codes, _text)]
    heights = [row_height(n) for n in row_lines(list(zip(columns, widths[1:])))]
    text, text_c = f["text"], f["text_c"]
    write_string, write_number, set_row = ws.write_string, ws.write_number, ws.set_row
    for i, (unit, file, severity, kind, message, ref, indicator, code), height in zip(itertools.count(1), zip(*columns),
                                                                                      heights):
        rr = h + i  # a million cells at 5 000 files: the row's eight texts written without an inner loop
        write_number(rr, 0, i, text_c)
        write_string(rr, 1, unit, text)
        write_string(rr, 2, file, text)
        write_string(rr, 3, severity, text)
        write_string(rr, 4, kind, text)
        write_string(rr, 5, message, text)
        write_string(rr, 6, ref, text)
        write_string(rr, 7, indicator, text)
        write_string(rr, 8, code, text)
        if height:
            set_row(rr, height)
    if not top:  # with the top ten above, freezing the table's header would freeze most of the screen
        ws.freeze_panes(h + 1, 0)
    ws.autofilter(h, 0, h + len(iss), len(widths) - 1)
    page(ws, h)


_ISSUE_ORDER = ["_order", "file_name", "_sev", "source_ref", "code", "message"]


def _sorted_issues(iss: pd.DataFrame) -> pd.DataFrame:
    """iss.sort_values(_ISSUE_ORDER, kind="stable", na_position="last"), the same rows in the same order.

    Sorting by the messages and cells as categories sorts their 100 000 distinct texts at 5 000 files; here the rows
    are sorted by unit, file and severity, then each (unit, file, severity) group, a few dozen rows, by its cells, codes
    and messages (a missing text last), stably. Columns holding anything but texts and missing values go to pandas.
    """
    texts = [iss[c].to_numpy(dtype=object) for c in ("file_name", "source_ref", "code", "message")]
    missing = [pd.isna(t) for t in texts]
    if not all(all(v.__class__ is str for v in t[~m].tolist()) for t, m in zip(texts, missing)):
        return iss.sort_values(_ISSUE_ORDER, kind="stable", na_position="last")
    file_ids, file_names = pd.factorize(texts[0], sort=True)
    file_ids = np.where(file_ids < 0, len(file_names), file_ids)
    unit_rank, severity = np.asarray(iss["_order"], dtype=np.int64), np.asarray(iss["_sev"], dtype=np.int64)
    first = np.lexsort((severity, file_ids, unit_rank))
    new_group = np.zeros(len(first), dtype=bool)  # where (unit, file, severity) changes in that order
    new_group[:1] = True
    for k in (unit_rank[first], file_ids[first], severity[first]):
        new_group[1:] |= k[1:] != k[:-1]
    starts = np.flatnonzero(new_group).tolist() + [len(first)]
    order = first.tolist()
    refs, codes, messages = ([(1, "") if m else (0, v) for v, m in zip(t.tolist(), mm.tolist())] if mm.any() else t.tolist()
                             for t, mm in zip(texts[1:], missing[1:]))  # a missing text after every text
    for a, b in itertools.pairwise(starts):
        if b - a > 1:
            order[a:b] = sorted(order[a:b], key=lambda i: (refs[i], codes[i], messages[i]))
    return iss.iloc[order]


PEER_ROWS_PER_FILE = 10  # a file's peer-divergence warnings beyond this many are gathered into one row (a form that
# diverges on more indicators than that is mistyped or garbled: its values one by one do not help the officer)
PEER_CODES_LISTED = 12  # indicator codes named in a gathered row; the rest are counted


def gather_divergent(issues: pd.DataFrame, indicator_order: dict[str, int]) -> tuple[pd.DataFrame, int]:
    """The issues sheet's rows with each file's value-peer-divergent warnings gathered into one row when there are
    more than PEER_ROWS_PER_FILE of them (random or mistyped forms diverge on most indicators: 500 such files gave
    25 649 rows); return (rows, how many warnings were gathered).

    `issues`: v_issues columns (file_name, unit_code, severity, code, message, source_ref, indicator_code, …). A
    gathered row keeps the file, unit and code, names the indicators in catalog order ("Lệch nhiều so với số liệu
    chung ở 51 chỉ tiêu: I.1, I.2, … và 39 chỉ tiêu khác") and the sheets; the warehouse keeps every warning
    (v_issues) and the data-quality sheet lists the divergent units of each indicator (issue 15: per indicator, the
    number and names of divergent units).
    """
    peer = (issues["code"] == PEER_CODE).to_numpy(dtype=bool, na_value=False)
    if not peer.any():
        return issues, 0
    p = issues[peer]
    units, files, inds = (p[c].to_numpy(dtype=object) for c in ("unit_code", "file_name", "indicator_code"))
    if "sheet" in p.columns:
        sheets = p["sheet"].to_numpy(dtype=object)
    else:  # the warehouse's period issues: the sheet is the middle of source_ref 'file!sheet!cell'
        sheets = np.array([sheet_cell(r)[0] or None for r in p["source_ref"].tolist()],
                          dtype=object) if "source_ref" in p.columns else None
    # (unit, file) groups numbered in order of first appearance, a missing value one key (groupby(dropna=False))
    unit_ids, _ = pd.factorize(units, use_na_sentinel=False)
    file_ids, file_values = pd.factorize(files, use_na_sentinel=False)
    group_ids, _ = pd.factorize(unit_ids.astype(np.int64) * (len(file_values) + 1) + file_ids)
    sizes = np.bincount(group_ids)
    if not (sizes > PEER_ROWS_PER_FILE).any():
        return issues, 0
    members = np.argsort(group_ids, kind="stable")  # each group's rows together, groups in order, rows in order
    ends = np.cumsum(sizes).tolist()
    many = [members[end - size: end] for size, end in zip(sizes.tolist(), ends) if size > PEER_ROWS_PER_FILE]
    rows = []
    for g in many:
        codes = sorted({c for c in inds[g].tolist() if isinstance(c, str)},
                       key=lambda c: (indicator_order.get(c, len(indicator_order)), c))
        listed = ", ".join(codes[:PEER_CODES_LISTED])
        more = f" và {fmt.count(len(codes) - PEER_CODES_LISTED)} chỉ tiêu khác" if len(codes) > PEER_CODES_LISTED else ""
        names = sorted({x for x in sheets[g].tolist() if isinstance(x, str)}) if sheets is not None else []
        rows.append({"file_name": files[g[0]], "unit_code": units[g[0]], "severity": "warning", "code": PEER_CODE,
                     "message": f"Lệch nhiều so với số liệu chung ở {fmt.count(len(g))} giá trị, {fmt.count(len(codes))} "
                                f"chỉ tiêu: {listed}{more}.",
                     "source_ref": ", ".join(names), "indicator_code": None})
    gathered = np.sort(np.concatenate(many))
    kept = issues.drop(index=p.index[gathered])
    return pd.concat([kept, pd.DataFrame(rows)], ignore_index=True), len(gathered)


def _indicator_order(indicators: pd.DataFrame) -> dict[str, int]:
    codes = indicators["code"] if "code" in indicators.columns else indicators.index
    return {str(c): i for i, c in enumerate(codes)}


def _values(column: pd.Series) -> list:
    """A column's values as a list, without iterating an extension array element by element (a missing value stays
    missing: None, NaN or NA, each shown as '')."""
    return column.to_numpy(dtype=object).tolist()


def _text(v) -> str:
    """A cell's text: '' for a missing value (None, NaN, NA), else str(v)."""
    if isinstance(v, str):
        return v
    return "" if v is None or pd.isna(v) else str(v)


def _texts(values: np.ndarray, text) -> list[str]:
    """text(v) for each value of a column (an object array), worked out once per distinct value.

    Texts are told apart by pandas' factorize (in C), a missing value (None, NaN, NA) goes through `text` as it is; a
    column holding anything but texts and missing values is keyed by type and value instead (1, 1.0 and True are equal
    keys but different texts).
    """
    ids, uniques = pd.factorize(values)
    distinct = uniques.tolist()
    if not all(u.__class__ is str for u in distinct):
        return _texts_by_key(values.tolist(), text)
    texts = [text(u) for u in distinct] + [""]  # the last one for a missing value (id -1), replaced below
    out = [texts[k] for k in ids.tolist()]
    for i in np.flatnonzero(ids < 0).tolist():
        out[i] = text(values[i])
    return out


def _texts_each(values: np.ndarray) -> list[str]:
    """_text(v) for each value of a column whose values are mostly distinct (messages, cells)."""
    return [v if v.__class__ is str else _text(v) for v in values.tolist()]


def _texts_by_key(values: list, text) -> list[str]:
    """text(v) for each value, worked out once per distinct (type, value)."""
    seen: dict = {}
    out = []
    for v in values:
        key = (v.__class__, v)  # 1, 1.0 and True are equal keys but different texts
        try:
            t = seen[key]
        except KeyError:
            t = seen[key] = text(v)
        except TypeError:  # unhashable
            t = text(v)
        out.append(t)
    return out
