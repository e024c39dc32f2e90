"""The district consolidated workbook (xlsxwriter): one sheet per area, completeness, Vietnamese formats."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xlsxwriter

from pipeline.catalog import AREA_NAMES
from pipeline.config import Office
from pipeline.periods import period_label

FONT = "Times New Roman"
# Excel's separators follow the reader's locale; counts use literal dots so "23.378" shows everywhere.
FMT_COUNT = '[>=1000000]#"."###"."###;[>=1000]#"."###;0'
FMT_RATE = "0.00"
AREAS = ["I", "II", "III", "IV", "V", "VI", "VII"]
SHEET_NAMES = {
    "I": "I. Chỉ đạo điều hành", "II": "II. Thể chế", "III": "III. Thủ tục hành chính", "IV": "IV. Tổ chức bộ máy",
    "V": "V. Chế độ công vụ", "VI": "VI. Tài chính công", "VII": "VII. Chính quyền số",
}


@dataclass
class ReportData:
    """Everything the district workbook shows for one period."""

    period_code: str
    office: Office
    units: pd.DataFrame  # registry: code, label, order
    indicators: pd.DataFrame  # catalog frame
    district: pd.DataFrame  # period_code, indicator_code, value, n_units, n_expected, detail
    values: pd.DataFrame  # unit_code, indicator_code, value
    completeness: pd.DataFrame  # unit_code, unit_name, status, received_at, file_name
    window: tuple[dt.date, dt.date] | None = None
    run_id: str = ""


def report_path(out: Path, period_code: str) -> Path:
    """Return the contract path <out>/<period>/TongHop_CCHC_<period>.xlsx."""
    return Path(out) / period_code / f"TongHop_CCHC_{period_code}.xlsx"


def write_report(data: ReportData, out: Path) -> Path:
    """Write the period's workbook at its contract path, keeping any earlier version under history/."""
    target = report_path(out, data.period_code)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp.xlsx")
    _build(data, tmp)
    if target.exists():
        hist = target.parent / "history"
        hist.mkdir(exist_ok=True)
        stamp = dt.datetime.fromtimestamp(target.stat().st_mtime).strftime("%Y%m%d-%H%M%S-%f")
        shutil.move(str(target), str(hist / f"{target.stem}_{stamp}.xlsx"))
    os.replace(tmp, target)
    return target


def _build(data: ReportData, path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    f = _formats(wb)
    n_expected = len(data.units)
    submitted = int((data.completeness["status"] == "submitted").sum()) if not data.completeness.empty else 0
    _cover(wb, f, data, submitted, n_expected)
    district = data.district.set_index("indicator_code") if not data.district.empty else pd.DataFrame()
    wide = (data.values.pivot_table(index="indicator_code", columns="unit_code", values="value", aggfunc="first")
            if not data.values.empty else pd.DataFrame())
    for area in AREAS:
        _area_sheet(wb, f, data, area, district, wide)
    _missing_sheet(wb, f, data)
    wb.close()


def _formats(wb: xlsxwriter.Workbook) -> dict:
    base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
    cell = {**base, "border": 1, "text_wrap": True}
    return {
        "base": wb.add_format(base),
        "bold_c": wb.add_format({**base, "bold": True, "align": "center"}),
        "italic_c": wb.add_format({**base, "italic": True, "align": "center"}),
        "title": wb.add_format({**base, "bold": True, "align": "center", "font_size": 14, "text_wrap": True}),
        "head": wb.add_format({**cell, "bold": True, "align": "center", "bg_color": "#DDEBF7"}),
        "text": wb.add_format(cell),
        "text_c": wb.add_format({**cell, "align": "center"}),
        "group": wb.add_format({**cell, "bold": True}),
        "count": wb.add_format({**cell, "num_format": FMT_COUNT}),
        "rate": wb.add_format({**cell, "num_format": FMT_RATE}),
        "count_b": wb.add_format({**cell, "num_format": FMT_COUNT, "bold": True}),
        "rate_b": wb.add_format({**cell, "num_format": FMT_RATE, "bold": True}),
    }


def _motto(ws, f, office: Office, last_col: int) -> None:
    mid = max(3, last_col // 2)
    ws.merge_range(0, 0, 0, 2, office.issuer, f["bold_c"])
    ws.merge_range(0, 3, 0, max(mid + 3, 6), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f["bold_c"])
    ws.merge_range(1, 3, 1, max(mid + 3, 6), "Độc lập - Tự do - Hạnh phúc", f["bold_c"])


def _page(ws, header_row: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)


def _cover(wb, f, data: ReportData, submitted: int, n_expected: int) -> None:
    ws = wb.add_worksheet("Thông tin chung")
    ws.set_column(0, 0, 34)
    ws.set_column(1, 6, 16)
    _motto(ws, f, data.office, 6)
    ws.merge_range(3, 0, 3, 6, f"TỔNG HỢP SỐ LIỆU CẢI CÁCH HÀNH CHÍNH {period_label(data.period_code).upper()}", f["title"])
    ws.merge_range(4, 0, 4, 6, f"(Kèm theo Báo cáo số      /BC-UBND ngày      của UBND {data.office.district_kind} {data.office.district})", f["italic_c"])
    rows = [
        ("Đơn vị tổng hợp", f"UBND {data.office.district_kind} {data.office.district}, tỉnh {data.office.province}"),
        ("Kỳ báo cáo", f"{period_label(data.period_code)} ({data.period_code})"),
        ("Số đơn vị đã báo cáo", f"{submitted}/{n_expected} đơn vị"),
        ("Thời điểm lập", dt.datetime.now().strftime("%H:%M ngày %d/%m/%Y")),
        ("Lượt chạy", data.run_id or "—"),
    ]
    if data.window:
        rows.insert(2, ("Thời gian lấy số liệu", f"từ ngày {data.window[0]:%d/%m/%Y} đến ngày {data.window[1]:%d/%m/%Y}"))
    for i, (k, v) in enumerate(rows):
        ws.write_string(6 + i, 0, k, f["group"])
        ws.merge_range(6 + i, 1, 6 + i, 6, v, f["text"])
    _page(ws, 0)


def _area_sheet(wb, f, data: ReportData, area: str, district: pd.DataFrame, wide: pd.DataFrame) -> None:
    ws = wb.add_worksheet(SHEET_NAMES[area])
    units = data.units
    n_expected = len(units)
    first_unit_col = 6
    last_col = first_unit_col + n_expected - 1
    _motto(ws, f, data.office, last_col)
    ws.merge_range(3, 0, 3, min(last_col, 12), f"{area}. {AREA_NAMES[area].upper()} — {period_label(data.period_code).upper()}", f["title"])
    h = 5
    heads = ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Toàn huyện", "Số đơn vị báo cáo", "Ghi chú"]
    for c, text in enumerate(heads):
        ws.write_string(h, c, text, f["head"])
    for j, label in enumerate(units["label"]):
        ws.write_string(h, first_unit_col + j, str(label), f["head"])
    ws.set_row(h, 48)
    ws.set_column(0, 0, 11)
    ws.set_column(1, 1, 52)
    ws.set_column(2, 2, 11)
    ws.set_column(3, 4, 12)
    ws.set_column(5, 5, 20)
    ws.set_column(first_unit_col, last_col, 10)
    ws.freeze_panes(h + 1, 2)
    inds = data.indicators[data.indicators["area"] == area]
    r = h + 1
    for code, ind in inds.iterrows():
        kind = ind["kind"]
        is_rate = kind == "rate"
        ws.write_string(r, 0, str(code), f["text"])
        ws.write_string(r, 1, str(ind["name"]), f["group"] if kind == "group" else f["text"])
        ws.write_string(r, 2, str(ind["unit"]), f["text_c"])
        if code in district.index:
            d = district.loc[code]
            if pd.notna(d["value"]):
                ws.write_number(r, 3, float(d["value"]), f["rate_b"] if (is_rate or ind["agg"] == "unit_share") else f["count_b"])
            else:
                ws.write_blank(r, 3, None, f["text"])
            ws.write_string(r, 4, f"{int(d['n_units'])}/{n_expected}", f["text_c"])
            ws.write_string(r, 5, str(d["detail"] or ""), f["text"])
        else:
            for c in (3, 4, 5):
                ws.write_blank(r, c, None, f["text"])
        for j, ucode in enumerate(units["code"]):
            v = wide.at[code, ucode] if (code in wide.index and ucode in wide.columns) else None
            if v is not None and pd.notna(v):
                ws.write_number(r, first_unit_col + j, float(v), f["rate"] if is_rate else f["count"])
            else:
                ws.write_blank(r, first_unit_col + j, None, f["text"])
        r += 1
    _page(ws, h)


def _missing_sheet(wb, f, data: ReportData) -> None:
    ws = wb.add_worksheet("Đơn vị chưa nộp")
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 3, 22)
    ws.merge_range(0, 0, 0, 3, f"ĐƠN VỊ CHƯA NỘP BÁO CÁO {period_label(data.period_code).upper()}", f["title"])
    comp = data.completeness
    missing = comp[comp["status"] == "missing"] if not comp.empty else comp
    n_expected = len(data.units)
    ws.merge_range(1, 0, 1, 3, f"Đã nộp {n_expected - len(missing)}/{n_expected} đơn vị; chưa nộp {len(missing)} đơn vị", f["italic_c"])
    for c, text in enumerate(["STT", "Đơn vị", "Trạng thái", "Ghi chú"]):
        ws.write_string(3, c, text, f["head"])
    for i, (_, row) in enumerate(missing.iterrows(), start=1):
        ws.write_number(3 + i, 0, i, f["text_c"])
        ws.write_string(3 + i, 1, str(row["unit_name"]), f["text"])
        ws.write_string(3 + i, 2, "Chưa nộp", f["text"])
        ws.write_blank(3 + i, 3, None, f["text"])
    _page(ws, 3)
