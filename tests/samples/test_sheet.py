"""The sample sheets' shared skeleton (samples.sheet): letterhead, motto, titles, header, rows, read back with openpyxl."""

import datetime as dt

import openpyxl
import pytest

from samples import sheet

W = [6, 50, 12, 12, 16]  # STT | indicator | unit | value | note


def test_lines_and_heights():
    assert sheet.n_lines("", 10) == 1
    assert sheet.n_lines("Hồ sơ", 10) == 1
    assert sheet.n_lines("x" * 19, 10) == 2  # 9.5 characters per line in a 10-wide column
    assert sheet.n_lines("x" * 20, 10) == 3
    assert sheet.n_lines("Văn bản\nHồ sơ", 10) == 2
    assert sheet.row_height([("Hồ sơ", 12)]) == 16.5 + 3  # one line
    assert sheet.row_height([("x" * 20, 10), ("ngắn", 50)]) == 16.5 * 3 + 3


def test_issuer_lines_and_overrides():
    assert sheet.issuer_lines("ỦY BAN NHÂN DÂN\n  XÃ NGỌC KỲ  \n\n") == ["ỦY BAN NHÂN DÂN", "XÃ NGỌC KỲ"]
    index = {"I.1": 0, "I.2": 1}
    assert sheet.overridden([None, None], index, {"I.2": 80}, "mã lạ") == [None, 80]
    with pytest.raises(ValueError, match=r"mã lạ: \['I.9'\]"):
        sheet.overridden([None, None], index, {"I.9": 1}, "mã lạ")


def test_a_sample_sheet_read_back(tmp_path):
    path = tmp_path / "mau" / "BC_Q3_2023_Ngoc_Ky.xlsx"
    issuer = sheet.issuer_lines("ỦY BAN NHÂN DÂN\nXÃ NGỌC KỲ")
    wb = sheet.open_workbook(path, title="Thống kê CCHC quý III năm 2023", issuer=issuer, created=dt.datetime(2023, 9, 12))
    st = sheet.Styles(wb)
    ws = sheet.add_sheet(wb, "Biểu mẫu 1", W, landscape=True)
    r = sheet.write_letterhead(ws, st, issuer)
    assert r == 3
    r = sheet.write_titles(ws, r, [("Thống kê kết quả thực hiện công tác CCHC quý III năm 2023", st.org_b)], sum(W))
    r = sheet.write_header(ws, st, r, "Chỉ tiêu thống kê", "Số lượng/ Tỷ lệ")
    fmts = (st.cell(), st.cell(align="center"), st.cell(), st.cell())
    sheet.write_text(ws, r, 0, "1", st.code[True])
    sheet.write_row(ws, r, W, "Số văn bản chỉ đạo CCHC đã ban hành", "Văn bản", 12, "", fmts)
    sheet.write_row(ws, r + 1, W, "Tỷ lệ hoàn thành Kế hoạch CCHC năm", "%", "80", "", fmts)
    sheet.write_row(ws, r + 2, W, "Số nhiệm vụ đề ra trong kế hoạch", "Nhiệm vụ", "", "", fmts)
    sheet.write_row(ws, r + 3, W, "Có khảo sát", "Mã", True, "1 = Có", fmts)
    wb.close()

    book = openpyxl.load_workbook(path)
    assert book.properties.title == "Thống kê CCHC quý III năm 2023" and book.properties.creator == "Xã Ngọc Kỳ"
    ws = book["Biểu mẫu 1"]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN" and ws["A2"].value == "XÃ NGỌC KỲ" and ws["A2"].font.b
    assert ws["C1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and "C1:E1" in merged
    assert ws["C2"].value == "Độc lập - Tự do - Hạnh phúc" and ws["C2"].font.u == "single"
    assert ws["A4"].value == "Thống kê kết quả thực hiện công tác CCHC quý III năm 2023" and "A4:E4" in merged
    assert ws["A6"].value == "STT" and "A6:A7" in merged and ws["C6"].value == "Kết quả thống kê" and "C6:D6" in merged
    assert [ws.cell(7, c).value for c in (3, 4)] == ["Đơn vị tính", "Số lượng/ Tỷ lệ"]
    assert [c.value for c in ws[8]] == ["1", "Số văn bản chỉ đạo CCHC đã ban hành", "Văn bản", 12, None]
    assert ws["D9"].value == "80" and ws["D9"].data_type == "s"  # text stays text
    assert ws["D10"].value is None and ws["D10"].border.left.style == "thin"  # a formatted blank, not 0
    assert ws["D11"].value == 1 and ws["E11"].value == "1 = Có"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_view.showGridLines is False
    assert ws.column_dimensions["B"].width == pytest.approx(50.71, abs=0.01)
