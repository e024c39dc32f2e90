"""Rules between values and the four value states: a relation reading a "không áp dụng" operand is not evaluated
(no false alarm), a blank operand is handled as before (the rule's missing-value strategy), a real 0 is a value."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from pipeline.read.submission import parse_submission
from pipeline.validate import validate_submissions
from pipeline.validate.rules import evaluate, load_rules
from samples.cases import FINANCE, FIRST_ROW, fill, rows
from tests.conftest import SCHEMAS

NO_HISTORY = pd.DataFrame(columns=["unit_code", "period_code", "indicator_code", "value"])


@pytest.fixture(scope="module")
def rules(catalog):
    return load_rules(SCHEMAS / "rules.csv", set(catalog.frame.index))


def _finance(rate, plan, done) -> list:
    return [FINANCE[0], (*FINANCE[1][:3], rate), (*FINANCE[2][:3], plan), (*FINANCE[3][:3], done)]


def _checked(tmp_path, registry, catalog, rules, blocks: dict[str, list]):
    """Read one workbook per unit (name -> section VI block after the cases' ten figures) and validate them at once."""
    subs, where = [], {}
    for name, block in blocks.items():
        path = tmp_path / f"Phu luc CCHC quy III 2023 - {name}.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Phụ lục"
        table = rows(after={"5.3.2": block})
        fill(ws, table, issuer=f"XÃ {name.upper()}")
        wb.save(path)
        subs.append(parse_submission(path, registry, catalog))
        where[name] = {code: f"D{FIRST_ROW + i}" for i, (code, *_r) in enumerate(table)}
    checked = validate_submissions(subs, rules, NO_HISTORY, 3.5, 3)
    found = {}
    for i, name in enumerate(blocks):
        mine = checked.issues[checked.issues["submission"] == i]
        found[name] = sorted(zip(mine["code"], mine["indicator_code"], mine["cell"]))
    return subs, checked, found, where


def test_a_not_applicable_operand_raises_no_alarm_a_blank_one_does(tmp_path, registry, catalog, rules):
    """Ngọc Kỳ has no investment plan ("không áp dụng") but typed 0 as done and the rate 0; Quang Trung left the plan
    blank with the same 0s; Chí Minh reports the cases' 67,1 % = 2.014 / 3.000 triệu đồng."""
    subs, checked, found, where = _checked(tmp_path, registry, catalog, rules, {
        "Ngọc Kỳ": _finance(0, "không áp dụng", 0),
        "Quang Trung": _finance(0, None, 0),
        "Chí Minh": _finance(67.1, 3000, 2014)})
    assert [s.unit_code for s in subs] == ["ngoc_ky", "quang_trung", "chi_minh"]
    assert found["Ngọc Kỳ"] == []  # neither "plan blank while done is given" nor "rate over an empty denominator"
    cells = where["Quang Trung"]
    assert found["Quang Trung"] == sorted([("pair-incomplete", "VI.1.2", cells["1.2."]),
                                            ("rate-empty-denominator", "VI.1", cells["1."])])
    assert found["Chí Minh"] == []
    obs = checked.observations
    ngoc_ky = obs[(obs["submission"] == 0) & obs["indicator_code"].str.startswith("VI.1")].set_index("indicator_code")
    assert ngoc_ky.loc["VI.1.1", "state"] == "na" and bool(ngoc_ky.loc["VI.1.1", "accepted"])  # answered, no value
    assert pd.isna(ngoc_ky.loc["VI.1.1", "value"])
    assert ngoc_ky.loc["VI.1.2", "state"] == "value" and ngoc_ky.loc["VI.1.2", "value"] == 0  # a real 0
    quang_trung = obs[(obs["submission"] == 1) & (obs["indicator_code"] == "VI.1.1")]
    assert list(quang_trung["state"]) == ["blank"] and not quang_trung["accepted"].any()


def test_a_not_applicable_part_of_a_sum_stops_the_rule_for_that_unit_only(rules):
    """sum-vi-2-4 (VI.2.4.1 + VI.2.4.2 + VI.2.4.3 == VI.2.4, blanks count 0): 3 units in part, one part not applicable."""
    rule = [r for r in rules if r.id == "sum-vi-2-4"]
    assert rule and rule[0].missing_left == "skip_if_all_missing"
    cells = {"VI.2.4": "D40", "VI.2.4.1": "D41", "VI.2.4.2": "D42", "VI.2.4.3": "D43"}
    data = [(0, {"VI.2.4": 3, "VI.2.4.1": 1, "VI.2.4.3": 1}),  # VI.2.4.2 "không áp dụng": not evaluated
            (1, {"VI.2.4": 3, "VI.2.4.1": 1, "VI.2.4.3": 1})]  # VI.2.4.2 blank: counted 0, 2 ≠ 3 as before
    values = pd.DataFrame([{"submission": s, "unit_code": f"u{s}", "indicator_code": c, "value": float(v), "file": f"f{s}.xlsx",
                            "sheet": "Phụ lục", "cell": cells[c]} for s, d in data for c, v in d.items()])
    na = pd.DataFrame({"submission": [0], "indicator_code": ["VI.2.4.2"]})
    with_na = evaluate(values, rule, na)
    assert list(zip(with_na["submission"], with_na["code"])) == [(1, "sum-mismatch")]
    without = evaluate(values, rule)
    assert sorted(zip(without["submission"], without["code"])) == [(0, "sum-mismatch"), (1, "sum-mismatch")]
