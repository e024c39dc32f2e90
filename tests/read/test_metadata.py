"""Who sent it and for which period: issuer block, captions, file name; period labels; data window."""

import datetime as dt

import pytest

from pipeline.read.metadata import detect_period, detect_window, read_metadata
from pipeline.reference.registry import match_unit
from pipeline.read.workbook import read_workbook
from tests.conftest import write_grid


@pytest.mark.parametrize("text,code", [
    ("UBND XÃ NGỌC KỲ", "ngoc_ky"), ("ỦY BAN NHÂN DÂN THỊ TRẤN TỨ KỲ", "tt_tu_ky"), ("TT Tứ Kỳ", "tt_tu_ky"),
    ("xã Quảng Nghiệp", "quang_nghiep"), ("UBND xã Hà Thanh", "ha_thanh"), ("UBND HUYỆN TỨ KỲ", None),
])
def test_unit_names(registry, text, code):
    assert match_unit(text, registry) == code


@pytest.mark.parametrize("text,code", [
    ("Thống kê kết quả thực hiện công tác CHCC quý III năm 2023", "2023-Q3"),
    ("THỐNG KÊ SỐ LIỆU VỀ KẾT QUẢ THỰC HIỆN CÔNG TÁC CCHC 6 THÁNG ĐẦU NĂM 2023", "2023-H1"),
    ("Báo cáo công tác cải cách hành chính 9 tháng năm 2023", "2023-9M"),
    ("Kết quả CCHC 6 tháng cuối năm 2022", "2022-H2"),
    ("Thống kê kết quả thực hiện công tác cải cách hành chính năm 2022", "2022-Y"),
    ("Quý 1 năm 2024", "2024-Q1"),
])
def test_period_labels(text, code):
    assert detect_period([text])[0] == code


def test_window():
    assert detect_window(["(Số liệu tính từ ngày 10/6/2023 đến ngày 09/9/2023)"]) == (dt.date(2023, 6, 10), dt.date(2023, 9, 9))
    assert detect_window(["(Số liệu từ ngày 05/11/2022 đến ngày 01/9/2023)"]) == (dt.date(2022, 11, 5), dt.date(2023, 9, 1))


def test_issuer_over_two_rows_and_file_name_fallback(tmp_path, registry):
    two_rows = write_grid(tmp_path / "a.xlsx", {"S": [["ỦY BAN NHÂN DÂN", None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], ["XÃ AN THANH"], ["PHỤ LỤC quý III năm 2023"]]})
    meta = read_metadata(read_workbook(two_rows), registry)
    assert (meta.unit_code, meta.period_code) == ("an_thanh", "2023-Q3")
    by_name = write_grid(tmp_path / "BC_CCHC_Hung_Dao.xlsx", {"S": [["PHỤ LỤC"]]})
    meta = read_metadata(read_workbook(by_name), registry)
    assert meta.unit_code == "hung_dao" and meta.period_code is None


def test_report_number_and_date():
    from pipeline.read.metadata import detect_report
    assert detect_report(["(Kèm theo Báo cáo số 37/BC-UBND ngày 15/03/2024 của UBND thị trấn Như Quỳnh)"]) == ("37/BC-UBND", dt.date(2024, 3, 15))
    assert detect_report(["(Kèm theo Báo cáo số         /BC-UBND ngày        /9/2023)"]) == (None, None)
    assert detect_report(["Báo cáo số 12/BC-UBND ngày 05 tháng 6 năm 2023"]) == ("12/BC-UBND", dt.date(2023, 6, 5))
