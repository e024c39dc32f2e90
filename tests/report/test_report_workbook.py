"""The district workbook on the two-period demo: the Phụ lục ranking sheets, the chart, the print setup, text safety,
and the PDF a leadership meeting prints (LibreOffice headless, skipped where it is absent)."""

import re
import shutil
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pytest

from pipeline.reference.catalog import load_catalog
from pipeline.reference.office import Office
from pipeline.run import run_steps
from pipeline.report.district import (COMPLETENESS_SHEET, ISSUES_SHEET, QUALITY_SHEET, SHEET_NAMES, ReportData, report_path,
                                      write_report)
from pipeline.report.layout import FMT_CHANGE, FMT_POINTS, FMT_RATE
from pipeline.report.ranking import AREA_RANK_SHEET, LISTS_SHEET, OVERALL_SHEET, RANK_HEADER, TARGETS_SHEET
from pipeline.reference.rubric import load_rubric
from samples.demo import DEMO_PERIODS, put_demo
from tests.conftest import SCHEMAS, make_settings

INJECTIONS = ['=HYPERLINK("http://example.com/x","Bấm vào đây")', "+1", "-2", "@SUM(A1)"]
RENAMED = {"BC_CCHC_6T2023_Ngoc_Ky.xlsx": "=HYPERLINK(1).xlsx", "BC_CCHC_6T2023_Quang_Trung.xlsx": "+1.xlsx",
           "BC_CCHC_6T2023_Chi_Minh.xlsx": "-2.xlsx", "BC_CCHC_6T2023_Quang_Khai.xlsx": "@SUM(A1).xlsx"}


@pytest.fixture(scope="module")
def demo2(tmp_path_factory):
    """`make demo`'s inbox (năm 2022 and 6 tháng đầu năm 2023) run once; xã Tiên Động has not sent its 2023 report,
    and four 2023 files carry formula-like names."""
    s = make_settings(tmp_path_factory.mktemp("demo2"))
    written = put_demo(s.inbox, SCHEMAS / "units.csv")
    assert DEMO_PERIODS == ("2022-Y", "2023-H1") and len(written) == 46
    (s.inbox / "BC_CCHC_6T2023_Tien_Dong.xlsx").unlink()
    for old, new in RENAMED.items():
        (s.inbox / old).rename(s.inbox / new)
    summary = run_steps(s)
    assert summary.count("loaded") == 45 and summary.periods == ["2022-Y", "2023-H1"]
    return s


@pytest.fixture(scope="module")
def book(demo2):
    return openpyxl.load_workbook(report_path(demo2.out, "2023-H1"))


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(SCHEMAS / "rubric.toml")


def table(ws, header: str = RANK_HEADER, skip: int = 2) -> tuple[list[str], list[tuple]]:
    """The header texts and the data rows of the first table whose header row holds `header`."""
    rows = list(ws.iter_rows(values_only=True))
    h = next(i for i, r in enumerate(rows) if header in r)
    data = []
    for r in rows[h + skip:]:
        if r[1] is None:
            break
        data.append(r)
    return [str(c) if c is not None else "" for c in rows[h]], data


def overall(ws) -> list[dict]:
    head, data = table(ws)
    names = ["stt", "unit", "I", "II", "III", "IV", "V", "VI", "VII", "total", "percent", "rank", "band", "prev", "change"]
    assert head[11] == RANK_HEADER and head[12] == "Xếp loại" and head[14] == "Thay đổi"
    return [dict(zip(names, r)) for r in data]


# ---------------------------------------------------------------- the overall ranking

def test_ranking_ranks_every_submitter(book, rubric, registry):
    rows = overall(book[OVERALL_SHEET])
    assert len(rows) == len(registry.units) == 23
    ranked = [r for r in rows if r["rank"] != "chưa nộp"]
    assert len(ranked) == 22 and rows[-1]["unit"] == "xã Tiên Động" and rows[-1]["rank"] == "chưa nộp"
    assert rows[-1]["total"] is None and rows[-1]["band"] is None
    totals = [r["total"] for r in ranked]
    assert totals == sorted(totals, reverse=True)
    for r in ranked:
        assert r["rank"] == 1 + sum(t > r["total"] + 1e-9 for t in totals)  # ties share, the next rank skips
        assert sum(r[a] for a in ["I", "II", "III", "IV", "V", "VI", "VII"]) == pytest.approx(r["total"])
        assert r["percent"] == round(r["total"] / rubric.total_max * 100, 2)
        assert r["band"] == rubric.band(r["percent"])
    assert [r["stt"] for r in rows] == list(range(1, 24))


def test_ranking_formats(book):
    ws = book[OVERALL_SHEET]
    head = next(r for r in ws.iter_rows() if any(c.value == RANK_HEADER for c in r))
    first = ws[head[0].row + 2]
    assert first[2].number_format == FMT_POINTS and first[10].number_format == FMT_RATE
    assert first[11].font.b and first[1].font.name == "Times New Roman"
    assert first[12].font.color is not None  # the band in its chart colour
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert f"C{head[0].row}:I{head[0].row}" in merged  # "Điểm theo lĩnh vực" over the seven areas
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9


def test_change_since_the_previous_period(demo2, book):
    before = {r["unit"]: r["rank"] for r in overall(openpyxl.load_workbook(report_path(demo2.out, "2022-Y"))[OVERALL_SHEET])}
    assert len(before) == 23 and all(isinstance(v, int) for v in before.values())
    ws = book[OVERALL_SHEET]
    head, _ = table(ws)
    assert head[13] == "Xếp hạng năm 2022"
    rows = [r for r in overall(ws) if r["rank"] != "chưa nộp"]
    for r in rows:
        assert r["prev"] == before[r["unit"]] and r["change"] == r["prev"] - r["rank"]
    assert any(r["change"] > 0 for r in rows) and any(r["change"] < 0 for r in rows)
    change_cell = ws.cell(next(c.row for c in ws["B"] if c.value == rows[0]["unit"]), 15)
    assert change_cell.number_format == FMT_CHANGE


def test_first_period_has_no_previous(demo2):
    ws = openpyxl.load_workbook(report_path(demo2.out, "2022-Y"))[OVERALL_SHEET]
    assert all(r["prev"] is None and r["change"] is None for r in overall(ws))


def test_band_sentences_under_the_table(book):
    texts = [c.value for c in book[OVERALL_SHEET]["A"] if isinstance(c.value, str)]
    assert any(t.startswith("Có ") and "xếp loại" in t and "(điểm tối đa là 74 điểm)" in t for t in texts)
    assert "Có 01 đơn vị chưa nộp báo cáo, chưa xếp hạng: Tiên Động." in texts


def test_chart_sorted_and_coloured_by_band(demo2, book, rubric):
    with zipfile.ZipFile(report_path(demo2.out, "2023-H1")) as z:
        names = z.namelist()
        assert "xl/charts/chart1.xml" in names
        xml = z.read("xl/charts/chart1.xml").decode("utf-8")
    assert '<c:barDir val="bar"/>' in xml
    assert f"'{OVERALL_SHEET}'!$K$" in xml and f"'{OVERALL_SHEET}'!$B$" in xml
    colours = re.findall(r'<c:dPt>.*?<a:srgbClr val="([0-9A-F]{6})"/>', xml)
    ranked = [r for r in overall(book[OVERALL_SHEET]) if r["rank"] != "chưa nộp"]
    assert colours == [rubric.band_color(r["band"]).lstrip("#").upper() for r in ranked]
    assert len(set(colours)) >= 2


# ---------------------------------------------------------------- the other Phụ lục sheets

def test_ranking_per_area(book, rubric):
    ws = book[AREA_RANK_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    heads = [i for i, r in enumerate(rows) if r[0] == RANK_HEADER]
    assert len(heads) == 7
    for area, h in zip(["I", "II", "III", "IV", "V", "VI", "VII"], heads):
        assert str(rows[h - 1][0]).startswith(f"{area}. ") and f"tối đa {rubric.area_max[area]:g} điểm" in rows[h - 1][0]
        block = rows[h + 1: h + 24]
        points_col = rows[h].index("Điểm")
        ranked = [r for r in block if r[0] != "chưa nộp"]
        assert len(ranked) == 22 and block[-1][0] == "chưa nộp" and block[-1][1] == "xã Tiên Động"
        pts = [r[points_col] for r in ranked]
        assert pts == sorted(pts, reverse=True)
        assert all(r[0] == 1 + sum(p > r[points_col] + 1e-9 for p in pts) for r in ranked)


def test_targets_sheet(book):
    ws = book[TARGETS_SHEET]
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    payment = next(t for t in texts if t.startswith("Thanh toán trực tuyến"))
    counts = [int(n) for n in re.findall(r"(\d+) đơn vị", payment)]
    assert sum(counts) == 23 and "01 đơn vị chưa nộp báo cáo (Tiên Động)" in payment
    head, data = table(ws, "Đơn vị", skip=2)
    assert len(data) == 23 and {r[3] for r in data} <= {"Đạt", "Chưa đạt", "Chưa thực hiện", "Không báo cáo", "Chưa nộp"}


def test_lists_quote_seed002(book):
    texts = [c.value for c in book[LISTS_SHEET]["A"] if isinstance(c.value, str)]
    # seed 002 lines 298–301, in the district's order
    assert ("Đơn vị có hồ sơ TTHC giải quyết quá hạn: 19 hồ sơ ở 09 đơn vị: Tái Sơn (01), Đại Sơn (06), Hưng Đạo (01), "
            "Tân Kỳ (02), Hà Kỳ (04), An Thanh (02), Bình Lãng (01), Văn Tố (01), thị trấn Tứ Kỳ (01).") in texts
    assert any(t.startswith("Đơn vị đạt 100% hồ sơ TTHC tiếp nhận trực tuyến:") for t in texts)


# ---------------------------------------------------------------- the rest of the workbook

def test_sheets_and_print_setup(book):
    assert book.sheetnames == (["Thông tin chung"] + list(SHEET_NAMES.values())
                               + [COMPLETENESS_SHEET, QUALITY_SHEET, OVERALL_SHEET, AREA_RANK_SHEET, TARGETS_SHEET, LISTS_SHEET,
                                  ISSUES_SHEET])
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9, ws.title
        assert ws["A1"].value == "ỦY BAN NHÂN DÂN HUYỆN TỨ KỲ", ws.title
        motto = [c.value for c in ws[1] if c.value]
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in motto, ws.title
        assert ws["A5"].value.startswith("(Kèm theo Báo cáo số"), ws.title
    area = book[SHEET_NAMES["III"]]
    assert area.print_title_rows == "$7:$7" and area.print_title_cols == "$A:$B" and area.freeze_panes == "C8"
    assert area.page_setup.scale and [b.id for b in area.col_breaks.brk] == [6, 14, 22]  # figures, then 8 units a page


def test_completeness_and_issues(book):
    comp = book[COMPLETENESS_SHEET]
    head, data = table(comp, "Tình trạng", skip=1)
    assert head[:3] == ["STT", "Đơn vị", "Tình trạng"] and len(data) == 23
    status = {r[1]: r[2] for r in data}
    assert status["xã Tiên Động"] == "Chưa nộp"
    assert set(status.values()) - {"Chưa nộp"} <= {"Nộp đúng hạn", "Nộp muộn", "Đã nộp"}
    issues = book[ISSUES_SHEET]
    assert issues["A4"].value.startswith("LỖI VÀ CẢNH BÁO")


def test_submission_strings_stay_text_in_a_run(demo2, book):
    """Files named like formulas show their names as text, in the completeness sheet."""
    cells = [c for c in book[COMPLETENESS_SHEET]["F"] if c.value in set(RENAMED.values())]
    assert len(cells) == 4 and all(c.data_type == "s" for c in cells)
    assert any(c.value.startswith("=") for c in cells)
    _no_formulas_or_external_links(report_path(demo2.out, "2023-H1"))


def _no_formulas_or_external_links(path) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            text = z.read(name).decode("utf-8", "replace")
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in text and "<f " not in text, name
            if name.endswith(".rels"):
                assert 'TargetMode="External"' not in text, name


def test_formula_like_strings_written_as_text(tmp_path, catalog, registry, rubric):
    """'=HYPERLINK(…)', '+1', '-2', '@SUM(A1)' in a unit's name, a note, a file name and an issue stay plain text."""
    units = registry.units.head(4).copy()
    units["label"] = INJECTIONS
    values = pd.DataFrame({"period_code": "2023-H1", "unit_code": list(units["code"]), "indicator_code": "III.3.3.1",
                           "value": [10.0, 20.0, 30.0, 40.0]})
    district = pd.DataFrame([{"period_code": "2023-H1", "indicator_code": "III.3.3.1", "value": 100.0, "n_units": 4,
                              "n_expected": 4, "detail": INJECTIONS[0]}])
    comp = pd.DataFrame({"unit_code": units["code"], "unit_name": INJECTIONS, "status": "submitted",
                         "received_at": pd.Timestamp("2023-06-10 09:00"), "file_name": INJECTIONS})
    issues = pd.DataFrame({"file_name": INJECTIONS, "unit_code": list(units["code"]), "severity": "warning",
                           "code": "value-not-number", "message": INJECTIONS, "source_ref": INJECTIONS,
                           "indicator_code": INJECTIONS})
    data = ReportData("2023-H1", Office("Tứ Kỳ", "huyện", "Hải Dương"), units, catalog.frame, district, values, comp,
                      issues=issues, run_id="+1", rubric=rubric)
    path = write_report(data, tmp_path)
    wb = openpyxl.load_workbook(path)
    found = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value in INJECTIONS]
    assert {c.value for c in found} == set(INJECTIONS)
    assert len(found) > 30 and all(c.data_type == "s" for c in found)
    assert all(c.hyperlink is None for c in found)
    _no_formulas_or_external_links(path)


def test_default_demo_catalog_has_rubric_indicators():
    catalog = load_catalog(SCHEMAS / "indicators.csv")
    assert set(load_rubric(SCHEMAS / "rubric.toml").criteria.index) <= set(catalog.frame.index)


# ---------------------------------------------------------------- print: PDF through LibreOffice

def test_workbook_converts_to_pdf(demo2, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed")
    src = report_path(demo2.out, "2023-H1")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=240)
    pdf = tmp_path / (src.stem + ".pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 20  # cover, 7 areas across their unit columns, completeness, 4 Phụ lục, issues
    if shutil.which("pdftotext"):
        first = subprocess.run(["pdftotext", "-l", "1", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "6 THÁNG ĐẦU NĂM 2023" in first


def test_period_with_no_submission(tmp_path, catalog, registry, rubric):
    """A period nobody has reported yet (a run with --period) still gets its workbook: every unit 'chưa nộp'."""
    units = registry.units
    comp = pd.DataFrame({"unit_code": units["code"], "unit_name": units["label"], "status": "missing",
                         "received_at": pd.NaT, "file_name": None, "late": None, "deadline": None})
    empty = pd.DataFrame(columns=["period_code", "unit_code", "indicator_code", "value"])
    district = pd.DataFrame(columns=["period_code", "indicator_code", "value", "n_units", "n_expected", "detail"])
    path = write_report(ReportData("2023-Q3", Office("Tứ Kỳ", "huyện", "Hải Dương"), units, catalog.frame, district,
                                   empty, comp, issues=pd.DataFrame(), rubric=rubric), tmp_path)
    wb = openpyxl.load_workbook(path)
    rows = overall(wb[OVERALL_SHEET])
    assert len(rows) == 23 and all(r["rank"] == "chưa nộp" for r in rows)
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/charts/")]
    assert "Không có lỗi hoặc cảnh báo nào." in [c.value for c in wb[ISSUES_SHEET]["A"]]
