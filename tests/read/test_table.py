"""Finding the table from content: merged two-row header, column-number row, page-break repeats, sections."""

from pipeline.read.table import read_tables
from pipeline.read.workbook import read_workbook
from tests.conftest import write_grid

HEADER = [
    ["ỦY BAN NHÂN DÂN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["XÃ NGỌC KỲ", None, None, "Độc lập - Tự do - Hạnh phúc"],
    [],
    ["Biểu mẫu 3"],
    ["Cải cách thủ tục hành chính"],
    ["STT", "Chỉ tiêu thống kê\n(sử dụng cho kỳ báo cáo hàng quý, 6 tháng, năm)", "Kết quả thống kê", None, "Ghi chú"],
    [None, None, "Đơn vị tính", "Số lượng/ Tỷ lệ", None],
    ["(1)", "(2)", "(3)", "(4)", "(5)"],
]
MERGES = ["A6:A7", "B6:B7", "C6:D6", "E6:E7"]


def test_biểu_mẫu_table_rows_and_cells(tmp_path):
    rows = HEADER + [
        ["1.", "Thống kê TTHC", "Thủ tục", 139],
        ["1.4", "Tổng số TTHC thuộc thẩm quyền giải quyết tại địa phương", "Thủ tục", "139"],
        ["3.3.1.", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", 922],
        ["STT", "Chỉ tiêu thống kê", "Kết quả thống kê", None, "Ghi chú"],  # header repeated at a page break
        [None, None, "Đơn vị tính", "Số lượng/ Tỷ lệ"],
        ["3.3.2.", "Số hồ sơ TTHC giải quyết đúng hạn", "Hồ sơ", None, "chưa tổng hợp"],
    ]
    path = write_grid(tmp_path / "bm3.xlsx", {"Sheet1": rows}, {"Sheet1": MERGES})
    got = read_tables(read_workbook(path))
    assert [(r.printed_code, r.area, r.form, r.layout) for r in got] == [
        ("1", 3, 3, "bieumau"), ("1.4", 3, 3, "bieumau"), ("3.3.1", 3, 3, "bieumau"), ("3.3.2", 3, 3, "bieumau")]
    assert got[0].raw == 139 and got[0].value_ref == "D9"
    assert got[1].raw == "139" and got[1].parent_code == "1"
    assert got[2].value_ref == "D11"
    assert got[3].raw is None and got[3].value_ref == "D14" and got[3].note == "chưa tổng hợp"


def test_national_sections_and_split_row(tmp_path):
    head = [["STT", "Chỉ tiêu thống kê", "Kết quả thống kê", None, "Ghi chú"], [None, None, "Đơn vị tính", "Số liệu", None]]
    rows = [["Phụ lục"], ["Thống kê số liệu 9 tháng năm 2023"]] + head + [
        ["I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"],
        ["1.", "Số văn bản chỉ đạo CCHC đã ban hành", "Văn bản", "08"],
        ["6.", "Tổ chức đối thoại của lãnh đạo với người dân, cộng đồng", "Không = 0", None],
    ] + head + [
        [None, "doanh nghiệp", "Có = 1", 1],
        ["II", "CẢI CÁCH THỂ CHẾ"],
        ["1.2.", "Số VBQPPL do cấp xã ban hành", "Văn bản", 0],
    ]
    got = read_tables(read_workbook(write_grid(tmp_path / "pl.xlsx", {"Phụ lục": rows})))
    assert [(r.area, r.printed_code) for r in got] == [(1, "1"), (1, "6"), (2, "1.2")]
    split = got[1]
    assert split.name.endswith("cộng đồng doanh nghiệp")
    assert "Có = 1" in split.unit and split.raw == 1 and split.value_ref == "D10"
    assert got[0].raw == "08" and got[0].layout == "national"


def test_no_table(tmp_path):
    path = write_grid(tmp_path / "x.xlsx", {"Sheet1": [["Báo cáo"], ["không có bảng"]]})
    assert read_tables(read_workbook(path)) == []
