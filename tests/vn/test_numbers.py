"""Values as clerks type them: Vietnamese separators, leading zeros, words, Excel errors, blank ≠ 0."""

import pytest

from pipeline.vn.numbers import parse_code_list, parse_number


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
