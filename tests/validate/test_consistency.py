"""Consistency over time (the mean of three preceding comparable periods, ±33 %, WHO DQR), copied-forward and nearly
empty forms (pipeline.validate.consistency), from frames and through real runs, with the cases' figures."""

import dataclasses
import os
import time

import openpyxl
import pandas as pd
import pytest

from pipeline.errors import ReferenceDataError
from pipeline.run import run_steps
from pipeline.validate.consistency import (QualitySettings, copy_forward, load_quality_settings, nearly_empty,
                                           quality_settings, time_consistency)
from samples.cases import TEN, fill, rows
from tests.conftest import SCHEMAS, query

CURRENT_COLUMNS = ["submission", "unit_code", "period_code", "indicator_code", "value", "file", "sheet", "cell"]


@pytest.fixture(scope="module")
def quality(catalog) -> QualitySettings:
    return load_quality_settings(SCHEMAS / "outliers.toml", catalog.frame)


def _current(values: dict[str, float], period: str = "2023-H1", unit: str = "ngoc_ky", submission: int = 0) -> pd.DataFrame:
    return pd.DataFrame([(submission, unit, period, code, float(v), "BC.xlsx", "Phụ lục", f"D{10 + i}")
                         for i, (code, v) in enumerate(values.items())], columns=CURRENT_COLUMNS)


def _history(periods: dict[str, dict[str, float]], unit: str = "ngoc_ky") -> pd.DataFrame:
    return pd.DataFrame([(unit, p, code, float(v)) for p, vals in periods.items() for code, v in vals.items()],
                        columns=["unit_code", "period_code", "indicator_code", "value"])


def test_settings_are_data(catalog, quality, tmp_path):
    assert (quality.consistency_threshold, quality.consistency_periods, quality.copy_forward_share,
            quality.min_filled_share) == (0.33, 3, 0.9, 0.2)
    assert {"I.1", "III.3.3", "III.3.3.1"} <= quality.continuous and "I.5" in quality.repeating
    assert "III.3" not in quality.fillable and len(quality.fillable) == (catalog.frame["agg"] != "none").sum()
    own = tmp_path / "outliers.toml"
    own.write_text("[outliers]\nk = 3.5\nmin_periods = 3\n[quality]\nconsistency_threshold = 0.5\n", encoding="utf-8")
    assert load_quality_settings(own).consistency_threshold == 0.5 and load_quality_settings(own).copy_forward_share == 0.9
    with pytest.raises(ReferenceDataError, match="copy_forward_share"):
        quality_settings({"copy_forward_share": 1.5})


def test_value_against_the_mean_of_its_three_preceding_comparable_periods(quality):
    history = _history({"2022-H1": {"III.3.3.1": 1000, "I.1": 12}, "2021-H1": {"III.3.3.1": 800, "I.1": 9},
                        "2020-H1": {"III.3.3.1": 900, "I.1": 12}, "2019-H1": {"III.3.3.1": 5000},
                        "2022-Y": {"III.3.3.1": 3000}, "2023-Q1": {"III.3.3.1": 100}})
    # 1200 against (1000 + 800 + 900) / 3 = 900: +33,3 %, beyond 33 %; 12 against 11: +9 %; 2019-H1, 2022-Y, 2023-Q1 not used
    found = time_consistency(_current({"III.3.3.1": 1200, "I.1": 12}), history, quality)
    assert list(found["code"]) == ["value-inconsistent-time"] and list(found["indicator_code"]) == ["III.3.3.1"]
    assert found.iloc[0]["source_ref"] == "BC.xlsx!Phụ lục!D10" and found.iloc[0]["severity"] == "warning"
    assert "2022-H1, 2021-H1, 2020-H1" in found.iloc[0]["message"]
    assert time_consistency(_current({"III.3.3.1": 1190}), history, quality).empty  # +32,2 %
    assert len(time_consistency(_current({"III.3.3.1": 600}), history, quality)) == 1  # −33,3 %


def test_fewer_than_three_comparable_periods_compare_nothing(quality):
    history = _history({"2022-H1": {"III.3.3.1": 100}, "2021-H1": {"III.3.3.1": 100}, "2023-Q2": {"III.3.3.1": 100}})
    assert time_consistency(_current({"III.3.3.1": 1200}), history, quality).empty
    later = _history({"2024-H1": {"III.3.3.1": 1}, "2022-H1": {"III.3.3.1": 100}, "2021-H1": {"III.3.3.1": 100},
                      "2020-H1": {"III.3.3.1": 100}})
    assert len(time_consistency(_current({"III.3.3.1": 1200}), later, quality)) == 1  # a later period is not history


def test_quarters_compare_with_the_same_quarter_of_earlier_years(quality):
    history = _history({"2023-Q2": {"III.3.3.1": 10}, "2023-Q1": {"III.3.3.1": 10}, "2022-Q4": {"III.3.3.1": 10},
                        "2022-Q3": {"III.3.3.1": 1150}, "2021-Q3": {"III.3.3.1": 1250}, "2020-Q3": {"III.3.3.1": 1200}})
    assert time_consistency(_current({"III.3.3.1": 1200}, "2023-Q3"), history, quality).empty


def test_copy_forward_flags_a_form_repeating_its_previous_report(quality):
    history = _history({"2023-Q2": TEN, "2022-Q3": {**TEN, "I.1": 3}})
    found = copy_forward(_current(TEN, "2023-Q3"), history, quality)
    assert list(found["code"]) == ["submission-copy-forward"] and found.iloc[0]["indicator_code"] is None
    assert found.iloc[0]["source_ref"] == "BC.xlsx" and "2023-Q2" in found.iloc[0]["message"]
    # one figure of ten changed: 90 % equal still flags; two changed: 80 %, not flagged
    assert len(copy_forward(_current({**TEN, "I.1": 13}, "2023-Q3"), history, quality)) == 1
    assert copy_forward(_current({**TEN, "I.1": 13, "I.2.1": 26}, "2023-Q3"), history, quality).empty
    # the previous report of the same kind only: a half year is compared with the last half year, not with a quarter
    assert copy_forward(_current(TEN, "2023-H1"), history, quality).empty


def test_coded_answers_do_not_make_a_copy(quality):
    coded = {"I.5": 1, "VII.1": 1, "VII.2": 1, "VII.3": 1, "VII.4": 1, "I.1": 12}
    history = _history({"2023-Q2": coded})
    assert copy_forward(_current({**coded, "I.1": 15}, "2023-Q3"), history, quality).empty  # only I.1 compared: < 5


def test_nearly_empty_form(quality, catalog):
    ten = _current(TEN)
    found = nearly_empty(ten, quality)
    assert list(found["code"]) == ["submission-nearly-empty"] and f"10/{len(quality.fillable)}" in found.iloc[0]["message"]
    full = _current({c: 1 for c in sorted(quality.fillable)[:int(0.2 * len(quality.fillable)) + 1]}, submission=1)
    assert nearly_empty(full, quality).empty
    both = nearly_empty(pd.concat([ten, full]), quality)
    assert list(both["submission"]) == [0]


# ------------------------------------------------------------------ through real runs

def _book(path, quarter_title: str, window: str, values: dict[str, object] | None = None, issuer: str = "XÃ NGỌC KỲ") -> None:
    wb = openpyxl.Workbook()
    fill(wb.active, rows(values=values), issuer=issuer, title=f"Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính {quarter_title}",
         window=window)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    old = time.time() - 3600
    os.utime(path, (old, old))


def test_a_copied_quarter_loads_and_is_to_be_reviewed(settings, tmp_path):
    thresholds = tmp_path / "outliers.toml"
    thresholds.write_text((SCHEMAS / "outliers.toml").read_text(encoding="utf-8").replace("min_filled_share = 0.2",
                                                                                          "min_filled_share = 0"),
                          encoding="utf-8")
    s = dataclasses.replace(settings, outliers=thresholds)
    _book(s.inbox / "2023-Q2" / "BC_Q2_Ngoc_Ky.xlsx", "quý II năm 2023", "(Số liệu tính từ ngày 15/3/2023 đến ngày 14/6/2023)")
    run_steps(s)
    _book(s.inbox / "2023-Q3" / "BC_Q3_Ngoc_Ky.xlsx", "quý III năm 2023", "(Số liệu tính từ ngày 15/6/2023 đến ngày 14/9/2023)")
    _book(s.inbox / "2023-Q3" / "BC_Q3_Quang_Trung.xlsx", "quý III năm 2023",
          "(Số liệu tính từ ngày 15/6/2023 đến ngày 14/9/2023)", values={"3.3.1.": 922, "3.3.2.": 905, "3.3.": 98.17},
          issuer="XÃ QUANG TRUNG")
    run_steps(s)
    got = query(s, "select unit_code, status, review, review_reason from v_completeness where period_code = '2023-Q3' "
                   "and status = 'submitted' order by unit_code")
    # the copy still loads (status stays 'submitted') and is to be reviewed; Quang Trung has no earlier report
    assert got == [("ngoc_ky", "submitted", True, "submission-copy-forward"), ("quang_trung", "submitted", False, None)]
    assert query(s, "select count(*) from v_values where period_code = '2023-Q3' and unit_code = 'ngoc_ky'")[0][0] == 10
