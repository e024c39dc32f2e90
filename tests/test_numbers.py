"""Values as clerks type them: Vietnamese separators, leading zeros, words, Excel errors, blank ≠ 0."""

import pytest

from pipeline.vn.numbers import parse_code_list, parse_number
from pipeline.read.cells import normalise_value


@pytest.mark.parametrize("raw,expected", [
    ("3.000", 3000.0), ("2.014", 2014.0), ("8.024.907.482", 8024907482.0), ("67,1", 67.1), ("26,6", 26.6),
    ("98.17", 98.17), ("08", 8.0), ("\u00a0922\u00a0", 922.0), ("99,92 %", 99.92), ("100%", 100.0), ("1.234,5", 1234.5),
    (922.0, 922.0), (0, 0.0), (98.17, 98.17),
])
def test_vietnamese_numbers(raw, expected):
    parsed = parse_number(raw)
    assert parsed.status == "number"
    assert parsed.value == pytest.approx(expected)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0"])
def test_blank_is_not_zero(raw):
    parsed = parse_number(raw)
    assert parsed.status == "blank" and parsed.value is None


def test_words_errors_and_garbage():
    assert parse_number("Không").status == "word" and parse_number("Không").value == 0.0
    assert parse_number("#DIV/0!").status == "excel-error"
    assert parse_number("khoảng 10").status == "invalid"


def test_code_lists_as_printed():
    assert parse_code_list("Có = 1; Không = 0") == {1: "Có", 0: "Không"}
    assert parse_code_list("Trực tuyến = 0\nPhát phiếu = 1\nKết hợp = 2") == {0: "Trực tuyến", 1: "Phát phiếu", 2: "Kết hợp"}
    assert parse_code_list("Chưa có = 0 / 2 cấp = 1 / 3 cấp = 2") == {0: "Chưa có", 1: "2 cấp", 2: "3 cấp"}
    assert parse_code_list("0=Không;1=Có") == {0: "Không", 1: "Có"}


def test_coded_answer_typed_as_label():
    v = normalise_value("Có", "coded", "Có = 1; Không = 0", {})
    assert v.value == 1.0 and v.issue is None
    assert normalise_value("abc", "count", "Văn bản", {}).issue == "value-invalid"
    assert normalise_value("#REF!", "count", "Văn bản", {}).issue == "value-excel-error"
    assert normalise_value(None, "count", "Văn bản", {}).value is None


def test_formula_without_cached_value_is_reported(tmp_path, registry, catalog):
    """openpyxl saves formulas without computed values: the cell is reported, not read as blank or 0.

    Issue 12 changed the outcome: the formula is now recomputed (as Excel would show it) and reported with
    value-formula-recomputed; value-formula-uncached remains for formulas the engine cannot compute
    (tests/test_read_formulas.py)."""
    import openpyxl

    from pipeline.read.submission import parse_submission

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Biểu mẫu 3"
    ws.append(["UBND XÃ NGỌC KỲ"])
    ws.append(["Thống kê kết quả thực hiện công tác CCHC 6 tháng đầu năm 2023"])
    ws.append(["Biểu mẫu 3"])
    ws.append(["STT", "Chỉ tiêu thống kê", "Đơn vị tính", "Số lượng/ Tỷ lệ", "Ghi chú"])
    ws.append(["3.3.", "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn", "%", "=D7/D6*100"])
    ws.append(["3.3.1.", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", 922])
    ws.append(["3.3.2.", "Số hồ sơ TTHC giải quyết đúng hạn", "Hồ sơ", 905])
    wb.save(tmp_path / "cong_thuc.xlsx")
    sub = parse_submission(tmp_path / "cong_thuc.xlsx", registry, catalog)
    found = [(i["code"], i["cell"], i["indicator_code"]) for i in sub.issues]
    assert ("value-formula-recomputed", "D5", "III.3.3") in found
    values = sub.observations.set_index("indicator_code")["value"]
    assert values["III.3.3.1"] == 922 and values["III.3.3"] == pytest.approx(905 / 922 * 100)
