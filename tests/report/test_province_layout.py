"""The district workbook follows its office (huyện / tỉnh / xã) and, above the office's threshold of units, prints at
province scale: area sheets with units as rows, the total first, repeated headers, A4 pages."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pandas as pd
import pytest

from pipeline.figures.district import consolidate
from pipeline.reference.catalog import load_catalog
from pipeline.reference.office import load_office
from pipeline.reference.rubric import load_rubric
from pipeline.report.district import SHEET_NAMES, ReportData, write_report
from pipeline.report.layout import PAGE_WIDTH_PX, width_px
from pipeline.report.ranking import AREA_RANK_SHEET, LISTS_SHEET, OVERALL_SHEET
from samples.province import PROVINCE_OFFICE, province_units
from tests.conftest import COMMUNE_OFFICE, SCHEMAS

PERIOD = "2025-Q3"
# xã Ngọc Kỳ, 2023-Q3: the cases' real figures
NGOC_KY = {"I.1": 12, "I.2": 80, "I.2.1": 25, "I.2.2": 20, "III.3.3": 99.5, "III.3.3.1": 1200, "III.3.3.2": 1194,
           "VII.5.3": 88, "VII.5.3.1": 1250, "VII.5.3.2": 1100}
COMMUNE = COMMUNE_OFFICE


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(SCHEMAS / "indicators.csv")


@pytest.fixture(scope="module")
def rubric(catalog):
    return load_rubric(SCHEMAS / "rubric.toml", known_codes=set(catalog.frame.index))


def units_frame(units: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(units)
    df["order"] = range(len(df))
    df["label"] = df["kind"] + " " + df["name"]
    return df


def build(tmp_path, office_text: str, units: list[dict], catalog, rubric, name: str = "book"):
    """A workbook of `units`: the first has Ngọc Kỳ's figures, the others the same scaled by their number, the last
    has not reported."""
    office_file = tmp_path / f"{name}.toml"
    office_file.write_text(office_text, encoding="utf-8")
    office = load_office(office_file)
    frame = units_frame(units)
    rows = [{"period_code": PERIOD, "unit_code": u["code"], "indicator_code": code,
             "value": float(v if i == 0 or code in ("I.2", "III.3.3", "VII.5.3") else v + i)}
            for i, u in enumerate(units[:-1]) for code, v in NGOC_KY.items()]
    values = pd.DataFrame(rows)
    district = consolidate(values, catalog.frame, len(units))
    completeness = pd.DataFrame({"unit_code": frame["code"], "unit_name": frame["label"],
                                 "status": ["submitted"] * (len(units) - 1) + ["missing"],
                                 "received_at": [dt.datetime(2025, 10, 5)] * (len(units) - 1) + [None],
                                 "file_name": [f"{u['code']}.xlsx" for u in units[:-1]] + [None]})
    data = ReportData(period_code=PERIOD, office=office, units=frame, indicators=catalog.frame, district=district,
                      values=values[["unit_code", "indicator_code", "value"]], completeness=completeness, rubric=rubric,
                      issues=pd.DataFrame(), made_at=dt.datetime(2025, 10, 10, 8, 0))
    path = write_report(data, tmp_path / name)
    return path, openpyxl.load_workbook(path), data


def header_row(ws, first: str = "STT") -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == first)


def column_widths(ws) -> dict[int, float]:
    """Each column's width in characters (xlsxwriter stores chars + 5/8 with an 8-pixel digit)."""
    out = {}
    for dim in ws.column_dimensions.values():
        for c in range(dim.min, dim.max + 1):
            out[c] = dim.width - 0.625
    return out


def titles(ref) -> str:
    """A print-titles reference without its dollar signs: '$7:$7' -> '7:7'."""
    return str(ref).replace("$", "")


def cells(ws, max_row: int = 8) -> list:
    return [c.value for row in ws.iter_rows(max_row=max_row) for c in row if c.value is not None]


# ------------------------------------------------------------------------------------------------ office levels

def test_a_province_office_heads_every_sheet(tmp_path, catalog, rubric):
    units = province_units(6)
    _, wb, _ = build(tmp_path, PROVINCE_OFFICE, units, catalog, rubric)
    for ws in wb.worksheets:
        assert ws["A1"].value == "UBND THÀNH PHỐ HẢI PHÒNG" and ws["A2"].value == "SỞ NỘI VỤ", ws.title
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells(ws, 2) and "Độc lập - Tự do - Hạnh phúc" in cells(ws, 2)
        assert ws["A5"].value == "(Kèm theo Báo cáo số        /BC-SNV ngày        của Sở Nội vụ thành phố Hải Phòng)"
    cover = wb["Thông tin chung"]
    assert any(str(v).startswith("Hải Phòng, ngày ") for v in cells(cover, 3))  # the date line under the motto
    values = cells(cover, cover.max_row)
    assert "Sở Nội vụ thành phố Hải Phòng" in values  # Đơn vị tổng hợp
    at = values.index("KT. GIÁM ĐỐC")
    assert values[at + 1] == "PHÓ GIÁM ĐỐC"  # the signature block
    area = wb[SHEET_NAMES["I"]]
    assert [area.cell(header_row(area, "Mã chỉ tiêu"), c).value for c in range(1, 7)] == [
        "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Toàn thành phố", "Số đơn vị báo cáo", "Ghi chú"]
    kinds = sorted({u["kind"] for u in units}, key=["xã", "phường", "đặc khu"].index)
    assert wb[OVERALL_SHEET]["A4"].value.startswith(
        f"KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG CÔNG TÁC CẢI CÁCH HÀNH CHÍNH CỦA CÁC {', '.join(kinds).upper()} QUÝ III")


def test_a_commune_office_over_its_villages(tmp_path, catalog, rubric):
    units = [{"code": f"t{i}", "name": n, "kind": k, "aliases": ""}
             for i, (n, k) in enumerate([("Đông", "thôn"), ("Tây", "thôn"), ("Số 3", "tổ dân phố"), ("Bắc", "thôn")])]
    _, wb, _ = build(tmp_path, COMMUNE, units, catalog, rubric)
    cover = wb["Thông tin chung"]
    assert cover["A1"].value == "ỦY BAN NHÂN DÂN XÃ NGỌC KỲ" and cover["A2"].value is None
    assert cover["A5"].value.endswith("/BC-UBND ngày        của UBND xã Ngọc Kỳ)")
    assert any(str(v).startswith("Ngọc Kỳ, ngày ") for v in cells(cover, 3))
    values = cells(cover, cover.max_row)
    assert "UBND xã Ngọc Kỳ, thành phố Hải Phòng" in values
    assert values[-3:] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn A"]
    area = wb[SHEET_NAMES["III"]]
    h = header_row(area, "Mã chỉ tiêu")
    assert area.cell(h, 4).value == "Toàn xã"
    assert [area.cell(h, c).value for c in range(7, 11)] == ["thôn Đông", "thôn Tây", "tổ dân phố Số 3", "thôn Bắc"]
    assert "CỦA CÁC THÔN, TỔ DÂN PHỐ QUÝ III NĂM 2025" in wb[OVERALL_SHEET]["A4"].value


def test_a_district_office_as_before(tmp_path, catalog, rubric):
    units = [{"code": "ngoc_ky", "name": "Ngọc Kỳ", "kind": "xã", "aliases": ""},
             {"code": "tt_tu_ky", "name": "Tứ Kỳ", "kind": "thị trấn", "aliases": ""},
             {"code": "ha_ky", "name": "Hà Kỳ", "kind": "xã", "aliases": ""}]
    _, wb, _ = build(tmp_path, (SCHEMAS / "office.toml").read_text(encoding="utf-8"), units, catalog, rubric)
    cover = wb["Thông tin chung"]
    assert cover["A1"].value == "ỦY BAN NHÂN DÂN HUYỆN TỨ KỲ" and cover["A2"].value is None
    assert cover["A5"].value == "(Kèm theo Báo cáo số        /BC-UBND ngày        của UBND huyện Tứ Kỳ)"
    assert not any(", ngày " in str(v) for v in cells(cover, 3))  # no place named: no date line
    assert "UBND huyện Tứ Kỳ, tỉnh Hải Dương" in cells(cover, cover.max_row)
    assert "CỦA CÁC XÃ, THỊ TRẤN QUÝ III NĂM 2025" in wb[OVERALL_SHEET]["A4"].value


# ------------------------------------------------------------------------------------------------ province scale

@pytest.fixture(scope="module")
def province(tmp_path_factory, catalog, rubric):
    return build(tmp_path_factory.mktemp("province"), PROVINCE_OFFICE, province_units(40), catalog, rubric)


def test_area_sheet_lists_units_as_rows_with_the_total_first(province, catalog):
    _, wb, data = province
    ws = wb[SHEET_NAMES["III"]]
    h = header_row(ws)
    codes = list(catalog.frame.index[catalog.frame["area"] == "III"])
    assert ws.cell(h, 2).value == "Đơn vị"
    assert [str(ws.cell(h, 3 + j).value).split("\n")[0] for j in range(len(codes))] == codes
    assert [ws.cell(h + k, 2).value for k in (1, 2, 3)] == ["Toàn thành phố", "Số đơn vị báo cáo", "Ghi chú"]
    units = [ws.cell(r, 2).value for r in range(h + 4, h + 4 + 40)]
    assert units == list(data.units["label"])
    col = {c: 3 + j for j, c in enumerate(codes)}
    assert ws.cell(h + 4, col["III.3.3.1"]).value == 1200 and ws.cell(h + 4, col["III.3.3.2"]).value == 1194
    total_num = sum(1194 + i for i in range(39))
    total_den = sum(1200 + i for i in range(39))
    assert ws.cell(h + 1, col["III.3.3.1"]).value == total_den
    assert ws.cell(h + 1, col["III.3.3"]).value == pytest.approx(total_num / total_den * 100)
    assert ws.cell(h + 2, col["III.3.3.1"]).value == "39/40"
    assert ws.cell(h + 4 + 39, col["III.3.3.1"]).value is None  # the unit that has not reported: blank, not 0
    assert ws.cell(h + 4, col["III.3.3"]).number_format == "[$-42A]0.00"


def test_area_sheets_print_on_a4_in_indicator_blocks(province, catalog):
    _, wb, _ = province
    for area, name in SHEET_NAMES.items():
        ws = wb[name]
        h = header_row(ws)
        assert titles(ws.print_title_rows) == f"{h}:{h}" and titles(ws.print_title_cols) == "A:B", name
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        assert not ws.sheet_properties.pageSetUpPr.fitToPage  # manual column breaks hold only without "fit to page"
        n = int((catalog.frame["area"] == area).sum())
        breaks = [b.id for b in ws.col_breaks.brk]
        edges = [2] + breaks + [2 + n]
        scale = ws.page_setup.scale or 100
        width = column_widths(ws)
        for a, b in zip(edges, edges[1:]):  # every block, beside the repeated columns, fits the page's width
            px = sum(width_px(width[c]) for c in (1, 2)) + sum(width_px(width[c + 1]) for c in range(a, b))
            assert px * scale / 100 <= PAGE_WIDTH_PX, (name, a, b)
            assert 1 <= b - a <= 8
        fonts = {ws.cell(r, c).font.sz for r in range(h, h + 6) for c in range(1, 3 + n) if ws.cell(r, c).value is not None}
        assert min(fonts) >= 9


def test_ranking_tables_repeat_their_header_over_pages(province):
    _, wb, _ = province
    ws = wb[OVERALL_SHEET]
    h = header_row(ws)
    assert titles(ws.print_title_rows) == f"{h}:{h + 1}" and ws.page_setup.paperSize == 9
    by_area = wb[AREA_RANK_SHEET]
    heads = [r for r in range(1, by_area.max_row + 1) if by_area.cell(r, 1).value == "Xếp hạng"]
    breaks = {b.id for b in by_area.row_breaks.brk}
    again = [r for r in heads if by_area.cell(r - 1, 2).value is not None]  # right under a unit: a page's first row
    assert len(heads) == 7 + len(again) and len(again) >= 7  # 40 units: every area's table goes on over a page
    assert all(r - 1 in breaks for r in again)
    starts = [r for r in heads if r not in again][1:]  # each later area from the top of a page, its title first
    assert all(r - 2 in breaks for r in starts)
    assert by_area.page_setup.paperSize == 9 and not by_area.sheet_properties.pageSetUpPr.fitToPage
    lists = wb[LISTS_SHEET]
    assert lists.page_setup.paperSize == 9


def test_ranking_chart_one_page_each(province):
    path, _, _ = province
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2  # 39 ranked units: two charts of 20 and 19 bars


def test_threshold_is_the_office_setting(tmp_path, catalog, rubric):
    text = PROVINCE_OFFICE.replace("units_as_rows_above = 30", "units_as_rows_above = 50")
    _, wb, data = build(tmp_path, text, province_units(40), catalog, rubric)
    ws = wb[SHEET_NAMES["I"]]
    h = header_row(ws, "Mã chỉ tiêu")  # 40 units under a threshold of 50: one column per unit, as before
    assert [ws.cell(h, 7 + j).value for j in range(40)] == list(data.units["label"])
    assert ws.cell(h, 4).value == "Toàn thành phố"


def test_up_to_thirty_units_keep_one_column_per_unit(tmp_path, catalog, rubric):
    units = province_units(30)
    _, wb, data = build(tmp_path, PROVINCE_OFFICE, units, catalog, rubric)
    ws = wb[SHEET_NAMES["III"]]
    h = header_row(ws, "Mã chỉ tiêu")
    assert [ws.cell(h, 7 + j).value for j in range(30)] == list(data.units["label"])
    assert titles(ws.print_title_cols) == "A:B" and ws.page_setup.paperSize == 9
