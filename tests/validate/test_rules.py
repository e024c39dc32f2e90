"""Validation rules (schemas/rules.csv, DHIS2 style) and outliers: grammar, operators, missing values, the seeds' defects."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from pipeline.reference.catalog import load_catalog
from pipeline.issues import CATALOG
from pipeline.validate.rules import OUT_COLUMNS, Rule, RuleError, evaluate, format_vn, load_outlier_settings, load_rules, outliers, references

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
HEADER = "id,description,left,operator,right,missing_left,missing_right,tolerance,severity,code,message\n"


@pytest.fixture(scope="module")
def known() -> set[str]:
    return set(load_catalog(SCHEMAS / "indicators.csv").frame.index)


@pytest.fixture(scope="module")
def seeded(known) -> list[Rule]:
    return load_rules(SCHEMAS / "rules.csv", known)


def frame(values: dict[str, float], submission: object = "s1", file: str = "f.xlsx", sheet: str = "Biểu mẫu 1") -> pd.DataFrame:
    """One submission's values, each in its own cell D10, D11, … in the order given."""
    return pd.DataFrame({"submission": [submission] * len(values), "indicator_code": list(values),
                         "value": [float(v) for v in values.values()], "file": file, "sheet": sheet,
                         "cell": [f"D{10 + i}" for i in range(len(values))]})


def rule(left: str, op: str, right: str, ml: str = "skip_if_any_missing", mr: str = "skip_if_any_missing",
         tol: float = 0.0, code: str = "rule-failed", message: str = "{left_expr} {left} / {right_expr} {right} / {indicator}") -> Rule:
    return Rule("r", "quy tắc thử", left, op, right, ml, mr, tol, "warning", code, message)


def fired(values: pd.DataFrame, rules: list[Rule], rule_id: str | None = None) -> pd.DataFrame:
    out = evaluate(values, rules)
    return out if rule_id is None else out[out["rule_id"] == rule_id]


# ------------------------------------------------------------------ the rule file

def test_seeded_file_loads_against_the_catalog(seeded, known):
    assert len(seeded) >= 60
    by_code = Counter(r.code for r in seeded)
    assert set(by_code) <= {c for c, t in CATALOG.items() if t.scope == "rule"}
    cat = load_catalog(SCHEMAS / "indicators.csv").frame
    ratios = cat[cat["agg"] == "ratio"]
    ids = {r.id for r in seeded}
    for rate, num in zip(ratios["code"], ratios["numerator"]):
        slug = rate.lower().replace(".", "-")
        assert {f"rate-match-{slug}", f"rate-denominator-{slug}"} <= ids
        assert f"part-whole-{num.lower().replace('.', '-')}" in ids
    for r in seeded:
        assert r.severity == "warning" and r.message and r.description
        assert set(references(r.left) + references(r.right)) <= known
    rate_rules = [r for r in seeded if r.code == "rate-mismatch"]
    assert all(r.tolerance == 0.5 and r.operator == "==" for r in rate_rules)


def test_references():
    assert references("#{III.3.3.2} / #{III.3.3.1} * 100") == ["III.3.3.2", "III.3.3.1"]
    assert references("(#{A.1} + #{ A.2 }) - #{A.1}") == ["A.1", "A.2"]
    assert references("100") == []


def _write(tmp_path: Path, *rows: str) -> Path:
    p = tmp_path / "rules.csv"
    p.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return p


GOOD = "r-1,Mô tả,#{I.2.2},<=,#{I.2.1},skip_if_any_missing,skip_if_any_missing,0,warning,part-exceeds-whole,{indicator} = {left} > {right}"


def test_load_small_file(tmp_path, known):
    rules = load_rules(_write(tmp_path, GOOD), known)
    assert rules == [Rule("r-1", "Mô tả", "#{I.2.2}", "<=", "#{I.2.1}", "skip_if_any_missing", "skip_if_any_missing",
                          0.0, "warning", "part-exceeds-whole", "{indicator} = {left} > {right}")]


@pytest.mark.parametrize("left", [
    "__import__('os').system('true')", "#{I.2} ** 2", "abs(#{I.2})", "#{I.2} if 1 else 0", "#{I.2}[0]",
    "#{I.2} < 1", "'a'", "#I.2", "#{I.2", "#{}", "True", "x + 1", "#{I.2} // 2", "lambda: 1",
    "_v0 + #{I.2}", "1e400", "#{I.2} * 1,5", "2 +",
])
def test_unsafe_or_malformed_expressions_are_refused(tmp_path, left):
    row = GOOD.replace("#{I.2.2}", '"' + left.replace('"', '""') + '"', 1)
    with pytest.raises(RuleError):
        load_rules(_write(tmp_path, row))


def test_unknown_indicator_and_bad_template_are_refused(tmp_path, known):
    with pytest.raises(RuleError, match="X.9"):
        load_rules(_write(tmp_path, GOOD.replace("#{I.2.1}", "#{X.9}")), known)
    load_rules(_write(tmp_path, GOOD.replace("#{I.2.1}", "#{X.9}")))  # no catalog given: not checked
    with pytest.raises(RuleError, match="value"):
        load_rules(_write(tmp_path, GOOD.replace("{right}", "{value}")), known)


@pytest.mark.parametrize("field,bad", [("operator", "=<"), ("missing_left", "skip"), ("severity", "info"),
                                       ("code", "row-unmapped"), ("tolerance", "-1"), ("id", "R 1"),
                                       ("left", ""), ("right", "#{I.2.2}")])
def test_schema_refuses_bad_fields(tmp_path, field, bad):
    cols = HEADER.strip().split(",")
    vals = GOOD.split(",")
    vals[cols.index(field)] = bad
    with pytest.raises(pa.errors.SchemaErrors):
        load_rules(_write(tmp_path, ",".join(vals)))


def test_duplicate_ids_are_refused(tmp_path):
    with pytest.raises(pa.errors.SchemaErrors):
        load_rules(_write(tmp_path, GOOD, GOOD))


def test_outlier_settings():
    assert load_outlier_settings(SCHEMAS / "outliers.toml") == (3.5, 3)


# ------------------------------------------------------------------ operators and missing values

@pytest.mark.parametrize("op,a,b,tol,fires", [
    ("==", 5, 5, 0, False), ("==", 5, 6, 0, True), ("==", 5, 5.4, 0.5, False), ("==", 5, 5.6, 0.5, True),
    ("!=", 5, 5, 0, True), ("!=", 5, 6, 0, False), ("!=", 5, 5.4, 0.5, True),
    ("<", 4, 5, 0, False), ("<", 5, 5, 0, True), ("<", 6, 5, 0, True), ("<", 5.2, 5, 0.5, False),
    ("<=", 5, 5, 0, False), ("<=", 6, 5, 0, True), ("<=", 5.5, 5, 0.5, False), ("<=", 5.6, 5, 0.5, True),
    (">", 6, 5, 0, False), (">", 5, 5, 0, True), (">", 4.8, 5, 0.5, False),
    (">=", 5, 5, 0, False), (">=", 4, 5, 0, True), (">=", 4.5, 5, 0.5, False), (">=", 4.4, 5, 0.5, True),
])
def test_comparison_operators(op, a, b, tol, fires):
    out = fired(frame({"A.1": a, "A.2": b}), [rule("#{A.1}", op, "#{A.2}", tol=tol)])
    assert len(out) == int(fires)


def test_arithmetic_precedence_and_unary_minus():
    vals = frame({"A.1": 2, "A.2": 3, "A.3": 4})
    assert fired(vals, [rule("#{A.1} + #{A.2} * #{A.3}", "==", "14")]).empty
    assert fired(vals, [rule("(#{A.1} + #{A.2}) * #{A.3}", "==", "20")]).empty
    assert fired(vals, [rule("-#{A.1} - -#{A.2}", "==", "1")]).empty
    assert fired(vals, [rule("#{A.3} / #{A.1} / 2", "==", "1.0")]).empty


def test_skip_if_any_missing():
    r = rule("#{A.1} + #{A.2}", "<=", "#{A.3}")
    assert fired(frame({"A.1": 5, "A.3": 1}), [r]).empty  # A.2 blank: skipped
    assert len(fired(frame({"A.1": 5, "A.2": 0, "A.3": 1}), [r])) == 1
    assert fired(frame({"A.1": 5, "A.2": 5}), [r]).empty  # right side blank: skipped


def test_skip_if_all_missing():
    r = rule("#{A.1} + #{A.2}", "<=", "#{A.3}", ml="skip_if_all_missing")
    assert len(fired(frame({"A.1": 5, "A.3": 1}), [r])) == 1  # A.2 blank counts as 0
    assert fired(frame({"A.1": 1, "A.3": 1}), [r]).empty
    assert fired(frame({"A.3": 1}), [r]).empty  # all blank: skipped


def test_never_skip():
    r = rule("#{A.1} + #{A.2}", ">=", "1", ml="never_skip")
    out = fired(frame({"B.1": 7}), [r])  # both blank: 0 >= 1 fails
    assert len(out) == 1 and out.iloc[0]["raw"] == "0"
    # the position falls back to a cell of the submission's file when no operand is present
    assert out.iloc[0]["file"] == "f.xlsx" and out.iloc[0]["cell"] == "" and out.iloc[0]["indicator_code"] == "A.1"
    assert fired(frame({"A.2": 3}), [r]).empty


def test_constant_side_is_never_blank():
    assert len(fired(frame({"A.1": 120}), [rule("#{A.1}", "<=", "100")])) == 1
    assert fired(frame({"B.1": 120}), [rule("#{A.1}", "<=", "100")]).empty


def test_compulsory_pair():
    r = rule("#{A.1}", "compulsory_pair", "#{A.2}", code="pair-incomplete")
    assert fired(frame({"A.1": 1, "A.2": 2}), [r]).empty
    assert fired(frame({"B.1": 1}), [r]).empty
    left_only = fired(frame({"A.1": 1}), [r])
    assert len(left_only) == 1 and left_only.iloc[0]["cell"] == "D10"
    right_only = fired(frame({"B.1": 1, "A.2": 2}), [r])
    assert len(right_only) == 1
    # the left side is blank: the position is the right side's indicator
    assert (right_only.iloc[0]["indicator_code"], right_only.iloc[0]["cell"], right_only.iloc[0]["raw"]) == ("A.2", "D11", "")
    assert "trống" in right_only.iloc[0]["message"]


def test_exclusive_pair():
    r = rule("#{A.1}", "exclusive_pair", "#{A.2}", code="pair-exclusive")
    assert len(fired(frame({"A.1": 0, "A.2": 2}), [r])) == 1
    assert fired(frame({"A.1": 1}), [r]).empty
    assert fired(frame({"A.2": 1}), [r]).empty


def test_division_by_zero_skips():
    assert fired(frame({"A.1": 5, "A.2": 0}), [rule("#{A.1} / #{A.2}", ">", "1")]).empty
    assert fired(frame({"A.1": 5, "A.2": 0}), [rule("1", "<", "#{A.1} / #{A.2}")]).empty
    assert fired(frame({"A.1": 5}), [rule("#{A.1} / #{A.2}", ">", "1", ml="never_skip")]).empty  # blank → 0 → not evaluable


def test_output_shape_source_ref_and_keys():
    vals = pd.concat([frame({"A.1": 5, "A.2": 1}, submission=("u1", "2023-Q3")),
                      frame({"A.1": 1, "A.2": 5}, submission=("u2", "2023-Q3"), file="g.xlsx", sheet="PL")])
    out = fired(vals, [rule("#{A.1}", "<=", "#{A.2}", code="part-exceeds-whole")])
    assert list(out.columns) == OUT_COLUMNS and len(out) == 1
    row = out.iloc[0]
    assert row["submission"] == ("u1", "2023-Q3")
    assert (row["source_ref"], row["indicator_code"], row["raw"], row["rule_id"]) == ("f.xlsx!Biểu mẫu 1!D10", "A.1", "5", "r")
    assert row["message"] == "#{A.1} 5 / #{A.2} 1 / A.1" and row["severity"] == "warning"
    assert list(evaluate(vals.iloc[0:0], [rule("#{A.1}", "<=", "1")]).columns) == OUT_COLUMNS
    assert evaluate(vals, []).empty


def test_first_occurrence_wins():
    vals = pd.concat([frame({"A.1": 1}), frame({"A.1": 9}).assign(cell="D99")])
    assert fired(vals, [rule("#{A.1}", "<=", "2")]).empty


def test_vietnamese_numbers():
    assert [format_vn(x) for x in (3175, 3135.0, 98.156182, 67.1, 0.5, -1234.5, 8024907482, 0)] == \
        ["3.175", "3.135", "98,16", "67,1", "0,5", "-1.234,5", "8.024.907.482", "0"]


# ------------------------------------------------------------------ the seeds' defects, with the seeded rules

def test_seed000_commune_procedures_exceed_all_procedures(seeded):
    out = fired(frame({"III.1": 139, "III.1.4": 139, "III.1.4.3": 157}, sheet="Biểu mẫu 3"), seeded)
    assert list(out["code"]) == ["part-exceeds-whole"]
    row = out.iloc[0]
    assert (row["indicator_code"], row["cell"], row["raw"]) == ("III.1.4.3", "D12", "157")
    assert "157" in row["message"] and "139" in row["message"]


@pytest.mark.parametrize("rate,num,den,values", [
    ("VII.5.3", "VII.5.3.2", "VII.5.3.1", (98.17, 905, 922)),  # 98,16 printed 98.17
    ("I.2", "I.2.2", "I.2.1", (88, 22, 25)),
    ("VI.1", "VI.1.2", "VI.1.1", (67.1, 2014, 3000)),
    ("VI.1", "VI.1.2", "VI.1.1", (67, 2014, 3000)),  # integer-rounded
    ("III.3.3", "III.3.3.2", "III.3.3.1", (100, 922, 922)),
])
def test_printed_rates_within_rounding_pass(seeded, rate, num, den, values):
    assert fired(frame(dict(zip((rate, num, den), values))), seeded).empty


def test_rate_not_matching_its_parts(seeded):
    out = fired(frame({"VII.5.3": 60, "VII.5.3.2": 50, "VII.5.3.1": 100}), seeded)
    assert list(out["code"]) == ["rate-mismatch"]
    assert (out.iloc[0]["indicator_code"], out.iloc[0]["cell"]) == ("VII.5.3", "D10")
    assert "60%" in out.iloc[0]["message"] and "50%" in out.iloc[0]["message"]


def test_zero_rate_over_blank_denominator(seeded):
    # seed 000 BM2 2.2 = 0 % with 2.2.1 and 2.2.2 blank
    out = fired(frame({"II.2.1": 0, "II.2.2": 0}, sheet="Biểu mẫu 2"), seeded)
    assert list(out["code"]) == ["rate-empty-denominator"]
    assert (out.iloc[0]["indicator_code"], out.iloc[0]["cell"]) == ("II.2.2", "D11")
    assert "II.2.2.1" in out.iloc[0]["message"]


def test_rate_over_zero_denominator_skips_the_match_but_is_reported(seeded):
    # seed 000 BM3 3.4 = 0 % over 0 PAKN received and 0 resolved: 0/0 is not evaluable
    out = fired(frame({"III.3.4": 0, "III.3.4.1": 0, "III.3.4.2": 0}), seeded)
    assert list(out["code"]) == ["rate-empty-denominator"]


def test_blank_rate_with_parts_is_not_an_empty_denominator(seeded):
    assert fired(frame({"I.2.1": 7, "I.2.2": 7}), seeded).empty


def test_seed004_headcount_present_above_assigned(seeded):
    out = fired(frame({"IV.2.1": 21, "IV.2.2": 22, "IV.2.4": 0, "IV.2.5": 0}, sheet="Phụ lục"), seeded)
    assert list(out["code"]) == ["part-exceeds-whole"]
    assert (out.iloc[0]["indicator_code"], out.iloc[0]["source_ref"]) == ("IV.2.2", "f.xlsx!Phụ lục!D11")


def test_seed004_breakdown_does_not_sum_to_total(seeded):
    vals = frame({"III.P9": 3135, "III.P9.1": 1989, "III.P9.2": 97, "III.P9.3": 726, "III.P9.4": 363})
    out = fired(vals, seeded)
    assert list(out["code"]) == ["sum-mismatch"]
    assert "3.175" in out.iloc[0]["message"] and "3.135" in out.iloc[0]["message"]
    ok = frame({"III.P9": 3175, "III.P9.1": 1989, "III.P9.2": 97, "III.P9.3": 726, "III.P9.4": 363})
    assert fired(ok, seeded).empty
    assert fired(frame({"III.P9": 3135}), seeded).empty  # no breakdown: skipped


def test_part_whole_blank_parts_count_as_zero(seeded):
    assert fired(frame({"I.4.1": 62, "I.4.2": 62}), seeded).empty  # seed 000 BM1 4.x
    out = fired(frame({"I.4.1": 62, "I.4.2": 60, "I.4.3": 3}), seeded)
    assert list(out["rule_id"]) == ["part-whole-i-4"]


def test_numerator_without_denominator(seeded):
    out = fired(frame({"VII.5.1.2": 30}), seeded)  # seed 004 7.5.1
    assert list(out["code"]) == ["pair-incomplete"]


def test_5000_submissions_in_one_pass(seeded, known):
    """All submissions evaluated in one call (the time is measured by `make bench`, not asserted: brief)."""
    rng = np.random.default_rng(7)
    codes = sorted({c for r in seeded for c in references(r.left) + references(r.right)})
    n = 5000
    sub = np.repeat(np.arange(n), len(codes))
    ind = np.tile(codes, n)
    val = rng.integers(0, 500, size=sub.size).astype(float)
    keep = rng.random(sub.size) > 0.2
    vals = pd.DataFrame({"submission": sub[keep], "indicator_code": ind[keep], "value": val[keep],
                         "file": "f.xlsx", "sheet": "PL", "cell": "D10"})
    out = evaluate(vals, seeded)
    assert len(out) > 1000 and out["submission"].nunique() > 4000
    assert set(out["submission"]) <= set(vals["submission"])


# ------------------------------------------------------------------ outliers

def _history(values, unit="u1", code="III.3.3.1"):
    return pd.DataFrame({"unit_code": unit, "period_code": [f"20{20 + i}-Y" for i in range(len(values))],
                         "indicator_code": code, "value": [float(v) for v in values]})


def _current(values, unit="u1", code="III.3.3.1"):
    return pd.DataFrame({"submission": list(range(len(values))), "unit_code": unit, "indicator_code": code,
                         "value": [float(v) for v in values], "file": "f.xlsx", "sheet": "PL",
                         "cell": [f"D{20 + i}" for i in range(len(values))]})


def test_outlier_flagged_against_history():
    out = outliers(_current([400, 103]), _history([100, 104, 98, 101]))
    assert list(out.columns) == OUT_COLUMNS
    assert list(out["raw"]) == ["400"] and list(out["code"]) == ["value-outlier"]
    row = out.iloc[0]
    assert (row["severity"], row["cell"], row["source_ref"], row["submission"]) == ("warning", "D20", "f.xlsx!PL!D20", 0)
    assert "400" in row["message"] and "100,5" in row["message"] and "4 kỳ" in row["message"]


def test_outlier_needs_min_periods_and_same_unit():
    assert outliers(_current([400]), _history([100, 104])).empty
    assert outliers(_current([400], unit="u2"), _history([100, 104, 98, 101])).empty
    assert len(outliers(_current([400]), _history([100, 104])), ) == 0
    assert len(outliers(_current([400]), _history([100, 104]), min_periods=2)) == 1


def test_constant_history_uses_a_floor():
    hist = _history([100, 100, 100, 100])
    assert outliers(_current([103]), hist).empty  # floor max(1, 10) · 3.5 = 35
    assert len(outliers(_current([140]), hist)) == 1
    zeros = _history([0, 0, 0])
    assert outliers(_current([3]), zeros).empty  # floor 1 · 3.5
    assert len(outliers(_current([4]), zeros)) == 1
