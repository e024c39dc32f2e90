"""A value cell read for its indicator (pipeline.read.cells): coded answers typed as labels, words, errors, formulas."""

import pytest

from pipeline.read.cells import Value, normalise_value
from pipeline.vn.numbers import UncachedFormula


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
    (tests/read/test_read_formulas.py)."""
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


@pytest.mark.parametrize("raw,kind,unit,expected", [
    (12, "count", "Văn bản", Value(12.0, "12", None)),  # xã Ngọc Kỳ, I.1
    ("1.200", "count", "Hồ sơ", Value(1200.0, "1.200", None)),  # III.3.3.1 typed with a thousands dot
    ("99,5", "rate", "%", Value(99.5, "99,5", None)),  # III.3.3
    ("88%", "rate", "%", Value(88.0, "88%", None)),  # VII.5.3
    ("", "count", "Hồ sơ", Value(None, "", None)),  # blank is not 0
])
def test_seed_values_are_read_as_numbers(raw, kind, unit, expected):
    assert normalise_value(raw, kind, unit, {}) == expected


def test_coded_label_from_the_catalog_list():
    listed = {0: "Trực tuyến", 1: "Phát phiếu", 2: "Kết hợp"}  # I.5.2 Hình thức khảo sát
    assert normalise_value("Kết hợp", "coded", "Mã", listed) == Value(2.0, "Kết hợp", None)
    assert normalise_value("phat phieu", "coded", "Mã", listed).value == 1.0  # accents and case folded
    assert normalise_value(1, "coded", "Mã", listed) == Value(1.0, "1", None)


def test_a_label_outside_the_list_is_invalid():
    v = normalise_value("Khảo sát qua điện thoại", "coded", "Mã", {0: "Trực tuyến", 1: "Phát phiếu", 2: "Kết hợp"})
    assert v.value is None and v.issue == "value-invalid"


def test_word_for_zero_in_a_count_is_a_warning_value():
    v = normalise_value("Không", "count", "Văn bản", {})
    assert v.value == 0.0 and v.issue == "value-word"


def test_formula_without_cached_value_versus_formula_typed_as_text():
    # the reader marks a formula saved without its value; the same characters typed as text are not a number
    assert normalise_value(UncachedFormula("=D7/D6*100"), "rate", "%", {}) == Value(None, "=D7/D6*100", "value-formula-uncached")
    assert normalise_value("=D7/D6*100", "rate", "%", {}).issue == "value-invalid"
    assert normalise_value("#DIV/0!", "rate", "%", {}) == Value(None, "#DIV/0!", "value-excel-error")
