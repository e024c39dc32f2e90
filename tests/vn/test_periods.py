"""Period codes (pipeline.vn.periods): validity, Vietnamese labels, calendar bounds and kinds of every period."""

import datetime as dt

import pytest

from pipeline.vn.periods import is_period, period_bounds, period_kind, period_label

# code, label, first day, last day, kind — every period kind of 2023
PERIODS = [
    ("2023-Q1", "quý I năm 2023", dt.date(2023, 1, 1), dt.date(2023, 3, 31), "Q"),
    ("2023-Q2", "quý II năm 2023", dt.date(2023, 4, 1), dt.date(2023, 6, 30), "Q"),
    ("2023-Q3", "quý III năm 2023", dt.date(2023, 7, 1), dt.date(2023, 9, 30), "Q"),
    ("2023-Q4", "quý IV năm 2023", dt.date(2023, 10, 1), dt.date(2023, 12, 31), "Q"),
    ("2023-H1", "6 tháng đầu năm 2023", dt.date(2023, 1, 1), dt.date(2023, 6, 30), "H1"),
    ("2023-H2", "6 tháng cuối năm 2023", dt.date(2023, 7, 1), dt.date(2023, 12, 31), "H2"),
    ("2023-9M", "9 tháng năm 2023", dt.date(2023, 1, 1), dt.date(2023, 9, 30), "9M"),
    ("2022-Y", "năm 2022", dt.date(2022, 1, 1), dt.date(2022, 12, 31), "Y"),
]


@pytest.mark.parametrize("code,label,first,last,kind", PERIODS)
def test_every_period_kind_has_its_label_bounds_and_kind(code, label, first, last, kind):
    assert is_period(code)
    assert period_label(code) == label
    assert period_bounds(code) == (first, last)
    assert period_kind(code) == kind


@pytest.mark.parametrize("code", ["2023-Q5", "2023-H3", "23-Q1", "2023Q1", "2023-6M", "", "quý III năm 2023", "2023-q3"])
def test_malformed_codes_are_not_periods(code):
    assert not is_period(code)
    assert period_label(code) == code  # an unknown code is shown as it is
    with pytest.raises(ValueError):
        period_bounds(code)


def test_none_is_not_a_period():
    assert not is_period(None)


def test_quarters_tile_the_year_and_h1_h2_split_it():
    days = [period_bounds(f"2024-Q{q}") for q in range(1, 5)]
    for (_, end), (start, _) in zip(days, days[1:]):
        assert start - end == dt.timedelta(days=1)
    assert period_bounds("2024-H1")[1] + dt.timedelta(days=1) == period_bounds("2024-H2")[0]
    assert period_bounds("2024-Y") == (days[0][0], days[-1][1])
