"""The one-page data-quality sheet ("Chất lượng số liệu") of the district workbook, cell by cell, and its PDF on one page."""

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from pipeline import issues as iss
from pipeline.reference.office import Office
from pipeline.reference.rubric import load_rubric
from pipeline.report.district import COMPLETENESS_SHEET, ISSUES_SHEET, TOP_HEADING, ReportData, write_report
from pipeline.report.layout import PAGE_WIDTH_PX, formats, workbook_options
from pipeline.report.quality import (FONT_SIZE, QUALITY_SHEET, indicator_divergence, printed_width_px, unit_quality,
                                     write_quality_sheet)
from samples.cases import TEN
from tests.conftest import SCHEMAS

OFFICE = Office("Tứ Kỳ", "huyện", "Hải Dương")
PERIOD = "2023-Q3"


def _issue(unit: str, code: str, indicator: str | None = None, cell: str = "") -> dict:
    r = iss.issue(code, file=f"BC_{unit}.xlsx", sheet="Phụ lục" if cell else "", cell=cell, indicator_code=indicator,
                  message="x", value=1, codes="0;1")
    return {"file_name": r["file"], "unit_code": unit, "severity": r["severity"], "code": code, "message": r["message"],
            "source_ref": r["source_ref"], "indicator_code": indicator}


def _data(registry):
    units = registry.units
    codes = list(units["code"])
    n = len(codes)
    comp = pd.DataFrame({"unit_code": codes, "unit_name": list(units["label"]), "status": "submitted",
                         "late": pd.Series([False] * n, dtype=object),
                         "received_at": pd.Series([pd.Timestamp("2023-09-20 09:00")] * n, dtype=object),
                         "file_name": [f"BC_{c}.xlsx" for c in codes], "deadline": pd.Timestamp("2023-09-25"),
                         "review": pd.Series([False] * n, dtype=object), "review_reason": pd.Series([None] * n, dtype=object)})
    comp.loc[comp["unit_code"] == "tien_dong", ["status", "late", "received_at", "file_name", "review"]] = ["missing", None, None, None, None]
    comp.loc[comp["unit_code"] == "quang_trung", "late"] = True
    comp.loc[comp["unit_code"] == "chi_minh", ["review", "review_reason"]] = [True, "submission-copy-forward"]
    rows = []
    for c in codes:
        if c == "tien_dong":
            continue
        for code, v in TEN.items():
            if c == "quang_trung" and code == "I.1":  # refused by an error: not among the values
                continue
            rows.append((PERIOD, c, code, float(v)))
    values = pd.DataFrame(rows, columns=["period_code", "unit_code", "indicator_code", "value"])
    issues = pd.DataFrame([
        _issue("ngoc_ky", "part-exceeds-whole", "III.3.3.2", "D19"), _issue("ngoc_ky", "value-inconsistent-time", "III.3.3.1", "D18"),
        _issue("ngoc_ky", "value-peer-divergent", "III.3.3", "D17"), _issue("quang_trung", "value-invalid", "I.1", "D11"),
        _issue("chi_minh", "submission-copy-forward"), _issue("chi_minh", "value-peer-divergent", "III.3.3", "D17"),
        _issue("chi_minh", "sheet-hidden")])
    return units, comp, values, issues


def test_unit_and_indicator_frames(registry, catalog):
    units, comp, values, issues = _data(registry)
    per_unit = unit_quality(units, comp, values, issues).set_index("unit_code")
    assert list(per_unit.index) == list(units["code"])
    cols = ["status", "n_values", "n_flagged", "open_flags", "divergent", "review"]
    assert list(per_unit.loc["ngoc_ky", cols]) == ["submitted", 10, 3, 3, 2, ""]
    assert list(per_unit.loc["quang_trung", cols]) == ["submitted", 9, 1, 1, 0, ""]
    assert list(per_unit.loc["chi_minh", cols]) == ["submitted", 10, 1, 1, 1, iss.CATALOG["submission-copy-forward"].label]
    assert per_unit.loc["ngoc_ky", "flagged_share"] == pytest.approx(30.0)
    assert per_unit.loc["quang_trung", "flagged_share"] == pytest.approx(10.0)  # 1 flagged of 9 values + the refused one
    assert per_unit.loc["tien_dong", "status"] == "missing" and per_unit.loc["tien_dong", "n_values"] == 0
    per_ind = indicator_divergence(issues, units, catalog.frame)
    assert list(per_ind["indicator_code"]) == ["III.3.3", "III.3.3.1"]
    assert list(per_ind["n_units"]) == [2, 1] and per_ind.iloc[0]["units"] == "xã Ngọc Kỳ, xã Chí Minh"


@pytest.fixture
def book(tmp_path, registry, catalog):
    units, comp, values, issues = _data(registry)
    data = ReportData(PERIOD, OFFICE, units, catalog.frame, pd.DataFrame(), values[["unit_code", "indicator_code", "value"]],
                      comp, issues=issues, run_id="r1", rubric=load_rubric(SCHEMAS / "rubric.toml"))
    return openpyxl.load_workbook(write_report(data, tmp_path))


def test_the_sheet_cell_by_cell(book):
    assert book.sheetnames.index(QUALITY_SHEET) == book.sheetnames.index(COMPLETENESS_SHEET) + 1
    ws = book[QUALITY_SHEET]
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN HUYỆN TỨ KỲ" and ws["A4"].value.startswith("CHẤT LƯỢNG SỐ LIỆU")
    assert ws["A7"].value == ("Đã nộp 22/23 đơn vị (nộp muộn 01); 01 đơn vị nộp nhưng cần xem lại; 5 giá trị bị cảnh báo "
                              "hoặc lỗi (2,2%); 02 chỉ tiêu có đơn vị lệch so với các kỳ trước hoặc toàn huyện.")
    head = [c.value for c in ws[9]]
    assert head[:9] == ["STT", "Đơn vị", "Nộp báo cáo", "Thời hạn", "Số giá trị", "Tỷ lệ bị cảnh báo (%)", "Cảnh báo đang mở",
                        "Chỉ tiêu lệch", "Cần xem lại"]
    assert head[10:13] == ["Chỉ tiêu có đơn vị lệch", "Số đơn vị", "Các đơn vị lệch"]
    row = {ws.cell(r, 2).value: [c.value for c in ws[r]][:9] for r in range(10, 33)}
    assert row["xã Ngọc Kỳ"] == [1, "xã Ngọc Kỳ", "Đã nộp", "Đúng hạn", 10, 30, 3, 2, None]
    assert row["xã Quang Trung"] == [2, "xã Quang Trung", "Đã nộp", "Muộn", 9, 10, 1, 0, None]
    assert row["xã Chí Minh"] == [3, "xã Chí Minh", "Đã nộp", "Đúng hạn", 10, 10, 1, 1, "Sao chép kỳ trước"]
    assert row["xã Tiên Động"] == [21, "xã Tiên Động", "Chưa nộp", "—", None, None, None, None, None]
    assert row["xã Quang Khải"] == [4, "xã Quang Khải", "Đã nộp", "Đúng hạn", 10, 0, 0, 0, None]
    assert ws["K10"].value.startswith("III.3.3 Tỷ lệ hồ sơ TTHC") and ws["L10"].value == 2
    assert ws["M10"].value == "xã Ngọc Kỳ, xã Chí Minh"
    assert ws["K11"].value.startswith("III.3.3.1 ") and ws["L11"].value == 1 and ws["M11"].value == "xã Ngọc Kỳ"
    assert ws["K12"].value is None
    assert ws["F10"].number_format == "[$-42A]0.0" and ws["B10"].font.sz == FONT_SIZE
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    # fitted to one page wide and one page tall (1 is OOXML's default, which xlsxwriter leaves out of the file)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight or 1) == (1, 1)


def test_completeness_shows_submissions_to_review(book):
    ws = book[COMPLETENESS_SHEET]
    head = next(r for r in range(1, 15) if ws.cell(r, 1).value == "STT")
    assert ws.cell(head, 7).value == "Nộp nhưng cần xem lại"
    reviews = {ws.cell(r, 2).value: ws.cell(r, 7).value for r in range(head + 1, head + 24)}
    assert reviews["xã Chí Minh"] == "Sao chép kỳ trước" and reviews["xã Ngọc Kỳ"] is None
    assert ws.cell(head + 3, 3).value == "Nộp đúng hạn"  # the contract's statuses are unchanged: still submitted


def test_the_sheet_fits_the_page_width_at_9_pt_or_more():
    # shrunk to A4 landscape's printable width, the sheet's 10 pt text stays at 9 pt or more
    assert FONT_SIZE * min(1.0, PAGE_WIDTH_PX / printed_width_px()) >= 9


def test_issues_sheet_lists_the_top_ten_first(tmp_path, registry, catalog):
    units, comp, values, issues = _data(registry)
    from pipeline.figures.impact import rank_issues

    ranked = rank_issues(issues, values, catalog.frame)
    data = ReportData(PERIOD, OFFICE, units, catalog.frame, pd.DataFrame(), values[["unit_code", "indicator_code", "value"]],
                      comp, issues=ranked, run_id="r1", rubric=load_rubric(SCHEMAS / "rubric.toml"))
    ws = openpyxl.load_workbook(write_report(data, tmp_path))[ISSUES_SHEET]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    at = next(i for i, r in enumerate(rows) if r[0] == TOP_HEADING)
    assert rows[at + 1][0] == "Ưu tiên"
    top = [r for r in rows[at + 2:] if isinstance(r[0], int)]
    top = top[:next(i for i, r in enumerate(top[1:], 1) if r[0] == 1)]
    # Ngọc Kỳ's 1194 dossiers on time are 1194/26.268 of the district's; each unit's III.3.3 moves the rate by 0
    assert [(r[1], r[7]) for r in top] == [("xã Ngọc Kỳ", "III.3.3.1"), ("xã Ngọc Kỳ", "III.3.3.2")]
    assert top[0][2] == "1.200 (4,5%)" and top[0][8] == "Không đổi"
    h = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert h > at and rows[h - 1][0] == "Toàn bộ lỗi và cảnh báo, theo đơn vị" and len([r for r in rows[h + 1:] if r[0]]) == 7


# ------------------------------------------------------------------ printed

def _quality_only(tmp_path: Path, registry, catalog, many: bool) -> Path:
    units, comp, values, issues = _data(registry)
    if many:  # every unit diverging on 30 indicators, every unit to be reviewed
        codes = list(catalog.frame.index[catalog.frame["agg"] == "sum"][:30])
        issues = pd.DataFrame([_issue(u, "value-peer-divergent", c, "D10") for u in units["code"] for c in codes]
                              + [_issue(u, "submission-nearly-empty") for u in units["code"]]
                              + [_issue(u, "submission-copy-forward") for u in units["code"]])
    path = tmp_path / "ChatLuong.xlsx"
    wb = xlsxwriter.Workbook(str(path), {**workbook_options(), "in_memory": False})
    write_quality_sheet(wb, formats(wb), OFFICE, PERIOD, units, catalog.frame, comp, values, issues)
    wb.close()
    return path


@pytest.mark.parametrize("many", [False, True])
def test_the_sheet_prints_on_one_a4_page(tmp_path, registry, catalog, many):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: the PDF of the data-quality sheet is not checked")
    book = _quality_only(tmp_path, registry, catalog, many)
    out = tmp_path / "pdf"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(book)], check=True, capture_output=True, timeout=180)
    pdf = (out / "ChatLuong.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
