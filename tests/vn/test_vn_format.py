"""pipeline/vn/format.py: the one Vietnamese number formatter ('.' between thousands, ',' before decimals)."""

import numpy as np
import pytest

from pipeline.vn import format as fmt
from pipeline.vn.numbers import parse_number


def test_counts_group_thousands_with_dots():
    assert [fmt.count(x) for x in (0, 12, 80, 1200, 23378, 8024907482, -1250)] == \
        ["0", "12", "80", "1.200", "23.378", "8.024.907.482", "-1.250"]
    assert fmt.count(1193.6) == "1.194"  # rounded to the nearest unit


def test_counts_in_the_reports_prose_have_two_digits():
    assert [fmt.count(x, two_digits=True) for x in (0, 1, 9, 12, 1250)] == ["0", "01", "09", "12", "1.250"]  # never "00"


def test_decimals_use_a_comma_and_drop_trailing_zeros():
    # xã Ngọc Kỳ 2023-Q3: III.3.3 = 99.5 (1194/1200), VII.5.3 = 88 (1100/1250)
    assert fmt.decimal(1194 / 1200 * 100) == "99,5"
    assert fmt.decimal(1100 / 1250 * 100) == "88"
    assert [fmt.decimal(x) for x in (99.92, 98.156182, 0.5, -1234.5, 1234567.891, 74.0)] == \
        ["99,92", "98,16", "0,5", "-1.234,5", "1.234.567,89", "74"]
    assert fmt.decimal(99.9251, 3) == "99,925" and fmt.decimal(99.96, 1) == "100" and fmt.decimal(7.0, 0) == "7"


def test_no_negative_zero_and_blanks():
    assert fmt.decimal(-0.001) == "0" and fmt.decimal(-0.0, None) == "0"
    assert fmt.decimal(None) == fmt.BLANK == "trống"
    assert fmt.decimal(float("nan")) == "trống" and fmt.decimal(float("inf"), blank="") == ""
    assert fmt.percent(None) == "trống"


def test_full_precision_keeps_every_digit():
    assert fmt.decimal(12.001, None) == "12,001"  # a count that is not whole must not look whole
    assert fmt.decimal(1200.0, None) == "1.200" and fmt.decimal(0.125, None) == "0,125"
    assert fmt.decimal(1e20, None) == "100.000.000.000.000.000.000" and fmt.decimal(1e-7, None) == "0,0000001"


def test_ungrouped_for_the_ratio_parts():
    assert fmt.decimal(1194.0, None, group=False) == "1194" and fmt.decimal(1234.5, None, group=False) == "1234,5"


def test_percent():
    assert fmt.percent(99.92) == "99,92%" and fmt.percent(88.0) == "88%" and fmt.percent(99.5, 0) == "100%"


@pytest.mark.parametrize("x", [0.0, 12.0, 80.0, 99.5, 1200.0, 1194.0, 88.0, 1250.0, 1100.0, -1234.5, 8024907482.0, 67.1])
def test_reads_back_as_the_same_number(x):
    assert parse_number(fmt.decimal(x, None)).value == x


def test_decimals_over_an_array_match_one_by_one():
    a = np.array([12.0, 80.0, 99.5, np.nan, 1200.0, 1194.0, 99.5, -1234.567, 2.0**60])
    assert list(fmt.decimals(a)) == [fmt.decimal(x) for x in a]
    assert fmt.decimals(np.array([], dtype=float)).size == 0
