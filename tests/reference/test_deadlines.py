"""Deadlines of each period (pipeline.reference.deadlines, schemas/deadlines.toml): window end plus N days per kind."""

import datetime as dt

import pytest

from pipeline.reference.deadlines import KINDS, DeadlineRule, load_deadlines, period_deadline
from tests.conftest import SCHEMAS


def test_deadline_rule():
    rule = load_deadlines(SCHEMAS / "deadlines.toml")
    assert rule.days_after_window["Y"] == 10
    w = dt.date(2023, 9, 9)
    assert period_deadline("2023-Q3", [w, w, dt.date(2023, 9, 14), None], rule) == dt.date(2023, 9, 14)
    assert period_deadline("2023-Q3", [], rule) == dt.date(2023, 10, 5)  # no stated window: the calendar end
    fixed = DeadlineRule(rule.days_after_window, {"2023-Q3": dt.date(2023, 9, 20)})
    assert period_deadline("2023-Q3", [w], fixed) == dt.date(2023, 9, 20)


def test_deadline_file_rejects_unknown_kinds(tmp_path):
    p = tmp_path / "deadlines.toml"
    p.write_text("[days_after_window]\nQ5 = 3\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_deadlines(p)


def test_office_file_gives_every_kind_its_days():
    rule = load_deadlines(SCHEMAS / "deadlines.toml")
    assert rule.days_after_window == {"Q": 5, "H1": 5, "H2": 5, "9M": 5, "Y": 10}
    assert rule.fixed == {}


@pytest.mark.parametrize("code,due", [
    ("2023-Q3", dt.date(2023, 10, 5)), ("2023-H1", dt.date(2023, 7, 5)), ("2023-H2", dt.date(2024, 1, 5)),
    ("2023-9M", dt.date(2023, 10, 5)), ("2022-Y", dt.date(2023, 1, 10)),
])
def test_without_a_stated_window_the_calendar_end_counts(code, due):
    assert period_deadline(code, [None, None], load_deadlines(SCHEMAS / "deadlines.toml")) == due


def test_the_demo_window_of_2023_h1_is_due_19_june():
    # the demo's 23 units state "Số liệu tính từ ngày 15/12/2022 đến ngày 14/6/2023"
    rule = load_deadlines(SCHEMAS / "deadlines.toml")
    assert period_deadline("2023-H1", [dt.date(2023, 6, 14)] * 23, rule) == dt.date(2023, 6, 19)


def test_tied_windows_take_the_later_end():
    rule = DeadlineRule()
    ends = [dt.date(2023, 9, 9), dt.date(2023, 9, 14)]
    assert period_deadline("2023-Q3", ends, rule) == dt.date(2023, 9, 19)


def test_missing_file_means_five_days_for_every_kind(tmp_path):
    rule = load_deadlines(tmp_path / "absent.toml")
    assert rule == DeadlineRule() and rule.days_after_window == dict.fromkeys(KINDS, 5)
    assert load_deadlines(None) == DeadlineRule()


def test_fixed_period_deadline_is_read_from_the_file(tmp_path):
    p = tmp_path / "deadlines.toml"
    p.write_text('[days_after_window]\nY = 15\n\n[periods]\n"2023-H1" = 2023-06-20\n"2023-Q3" = "2023-10-02"\n', encoding="utf-8")
    rule = load_deadlines(p)
    assert rule.days_after_window == {"Q": 5, "H1": 5, "H2": 5, "9M": 5, "Y": 15}
    assert rule.fixed == {"2023-H1": dt.date(2023, 6, 20), "2023-Q3": dt.date(2023, 10, 2)}
    assert period_deadline("2023-H1", [dt.date(2023, 6, 14)], rule) == dt.date(2023, 6, 20)
    assert period_deadline("2022-Y", [], rule) == dt.date(2023, 1, 15)


def test_fixed_deadline_for_a_non_period_is_rejected(tmp_path):
    p = tmp_path / "deadlines.toml"
    p.write_text('[periods]\n"quý 3" = 2023-10-02\n', encoding="utf-8")
    with pytest.raises(ValueError):
        load_deadlines(p)


def test_a_non_period_code_has_no_deadline():
    assert period_deadline("khong-ro-ky", [dt.date(2023, 9, 9)], DeadlineRule()) is None
