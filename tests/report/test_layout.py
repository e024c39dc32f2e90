"""The shared look of the district workbook's sheets (pipeline.report.layout): widths, wrapping, heading, print setup."""

import openpyxl
import pytest
import xlsxwriter

from pipeline.reference.office import load_office
from pipeline.report.layout import (FMT_COUNT, FONT, PAGE_WIDTH_PX, caption, fit_row, formats, heading, lines, merge_text,
                                    page, text_units, width_px, workbook_options)
from tests.conftest import SCHEMAS


@pytest.fixture(scope="module")
def office():
    return load_office(SCHEMAS / "office.toml")


def test_caption_and_issuer_name_the_district(office):
    assert caption(office) == "(Kèm theo Báo cáo số        /BC-UBND ngày        của UBND huyện Tứ Kỳ)"
    assert office.issuer == "ỦY BAN NHÂN DÂN HUYỆN TỨ KỲ"


def test_widths_in_pixels():
    assert width_px(0) == 5 and width_px(10) == 85 and width_px(12.5) == 105
    assert width_px(130) == PAGE_WIDTH_PX  # 130 digits fill an A4 landscape page exactly
    assert width_px(131) > PAGE_WIDTH_PX


def test_text_units_weigh_capitals_digits_and_spaces():
    assert text_units("1194") == 4.0
    assert text_units("UBND") == pytest.approx(5.6)
    assert text_units("xã") == pytest.approx(1.8)
    assert text_units(" ,.") == pytest.approx(1.5)


def test_lines_of_wrapped_text():
    assert lines("", 20) == 1
    assert lines("1200", 20) == 1
    assert lines("1" * 34, 20) == 2  # 17 digits per line in a 20-wide column
    assert lines("1200\n1194", 20) == 2  # each paragraph starts a line
    assert lines("1" * 5, 2) == 5  # a column narrower than its padding still holds one digit per line


def test_options_keep_strings_as_text():
    opts = workbook_options()
    assert opts["strings_to_formulas"] is False and opts["strings_to_numbers"] is False and opts["strings_to_urls"] is False
    assert opts["default_format_properties"] == {"font_name": FONT, "font_size": 12}


def test_heading_page_and_formats_in_a_real_workbook(tmp_path, office):
    path = tmp_path / "layout.xlsx"
    wb = xlsxwriter.Workbook(str(path), workbook_options())
    f = formats(wb, {"Tốt": "#00B050"})
    assert {"count", "rate", "points", "rank", "band:Tốt", "key:Tốt"} <= set(f)
    ws = wb.add_worksheet("Tổng hợp")
    widths = [6, 40, 12, 12, 12, 12]
    first = heading(ws, f, office, "TỔNG HỢP KẾT QUẢ CẢI CÁCH HÀNH CHÍNH QUÝ III NĂM 2023", widths)
    assert first == 6
    ws.write_number(first, 2, 1194, f["count"])
    merge_text(ws, first + 1, 0, 1, "=SUM(C7)", f["text"])  # text, never a formula
    long_name = "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn"
    n = lines(long_name, 12)
    assert n > 1
    fit_row(ws, first + 2, [(long_name, 12), ("99,5", 12)])
    fit_row(ws, first + 3, [("1200", 12)])  # one line: the default height stays
    page(ws, 5)
    wb.close()

    ws = openpyxl.load_workbook(path)["Tổng hợp"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN HUYỆN TỨ KỲ" and "A1:B1" in merged
    assert ws["C1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and "C1:F1" in merged
    assert ws["C2"].value == "Độc lập - Tự do - Hạnh phúc"
    assert ws["A4"].value == "TỔNG HỢP KẾT QUẢ CẢI CÁCH HÀNH CHÍNH QUÝ III NĂM 2023" and "A4:F4" in merged
    assert ws["A5"].value == caption(office)
    assert ws["C7"].value == 1194 and ws["C7"].number_format == FMT_COUNT
    assert ws["A8"].value == "=SUM(C7)" and ws["A8"].data_type == "s" and "A8:B8" in merged
    assert ws.row_dimensions[9].height == pytest.approx(15.75 * n + 3)
    assert ws.row_dimensions[10].height in (None, 21)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$6:$6" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # one page wide, as many long
    assert "Trang &P/&N" in ws.oddFooter.center.text
