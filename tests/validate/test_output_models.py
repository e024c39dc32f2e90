"""The stages' output records and frames: the typed Issue (severity and scope enums, one column list), the run
summary's one plain dict, and the pandera models of the issues frame, the district figures and the scores."""

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from pipeline import issues as iss
from pipeline.figures.district import consolidate
from pipeline.figures.ranking import rank_units
from pipeline.outcome import FILE_FIELDS, FileResult, RunSummary, summary_data
from pipeline.reference.rubric import load_rubric
from pipeline.report.summary import summary_json, write_summary
from pipeline.validate.rules import OUT_COLUMNS, evaluate, load_rules, outliers
from pipeline.warehouse.store import ISSUE_COLUMNS
from schemas.models import AREAS, DistrictFigureModel, IssueModel, ScoreModel
from tests.conftest import SCHEMAS

# xã Ngọc Kỳ, 2023-Q3
NGOC_KY = {"I.1": 12, "I.2": 80, "I.2.1": 25, "I.2.2": 20, "III.3.3": 99.5, "III.3.3.1": 1200, "III.3.3.2": 1194,
           "VII.5.3": 88, "VII.5.3.1": 1250, "VII.5.3.2": 1100}


def values(units: dict[str, dict[str, float]], period: str = "2023-Q3") -> pd.DataFrame:
    return pd.DataFrame([{"period_code": period, "unit_code": u, "indicator_code": c, "value": float(v)}
                         for u, d in units.items() for c, v in d.items()])


# ---------------------------------------------------------------- the issue record

def test_issue_record_enums_and_columns():
    assert [s.value for s in iss.Severity] == ["error", "warning", "info"]
    assert [s.value for s in iss.Scope] == ["file", "value", "row", "rule", "info"]
    assert iss.Severity.ERROR == "error" and iss.Scope("rule") is iss.Scope.RULE
    assert all(isinstance(t.severity, iss.Severity) and isinstance(t.scope, iss.Scope) for t in iss.CATALOG.values())
    assert iss.COLUMNS == [f.name for f in dataclasses.fields(iss.Issue)]
    assert OUT_COLUMNS == ["submission", *iss.COLUMNS, "rule_id"]
    assert ISSUE_COLUMNS == iss.STORED_COLUMNS and set(ISSUE_COLUMNS) == (set(iss.COLUMNS) - {"file"}) | {"submission_id"}
    with pytest.raises(ValueError):
        iss.IssueType("x", "fatal", "file", "", "")


def test_issue_row_and_typed_issue_agree():
    row = iss.issue("rate-out-of-range", file="BC_Ngoc_Ky.xlsx", sheet="Biểu mẫu 3", cell="D26", indicator_code="III.3.3",
                    raw="199,5", value="199,5")
    assert list(row) == iss.COLUMNS and row["severity"] == "error" and type(row["severity"]) is str
    assert row["source_ref"] == "BC_Ngoc_Ky.xlsx!Biểu mẫu 3!D26"
    typed = iss.Issue.of("rate-out-of-range", file="BC_Ngoc_Ky.xlsx", sheet="Biểu mẫu 3", cell="D26",
                         indicator_code="III.3.3", raw="199,5", value="199,5")
    assert typed.severity is iss.Severity.ERROR and typed.as_row() == row and iss.Issue.from_row(row) == typed
    assert iss.issue("rule-failed", file="a.xlsx", severity="error", message="m")["severity"] == "error"
    with pytest.raises(ValueError):
        iss.issue("rule-failed", file="a.xlsx", severity="fatal", message="m")
    assert iss.source_ref("a.xlsx", "", "") == "a.xlsx" and iss.source_ref("a.xlsx", "S", "") == "a.xlsx!S"
    assert iss.source_refs(["a.xlsx", "a.xlsx"], ["S", ""], ["D4", ""]) == ["a.xlsx!S!D4", "a.xlsx"]


# ---------------------------------------------------------------- the issues frame

def test_issue_frames_of_the_stages_pass(registry):
    rows = [iss.issue("value-invalid", file="BC_Ngoc_Ky.xlsx", sheet="Biểu mẫu 1", cell="D8", indicator_code="I.1", raw="mười hai"),
            iss.issue("file-unreadable", file="hong.xlsx", detail="hỏng")]
    IssueModel.validate(iss.frame(rows))
    rules = load_rules(SCHEMAS / "rules.csv")
    wrong = dict(NGOC_KY, **{"III.3.3.2": 1300})  # on time > resolved
    vals = pd.DataFrame([{"submission": 0, "indicator_code": c, "value": float(v), "file": "BC_Ngoc_Ky.xlsx",
                          "sheet": "Biểu mẫu 3", "cell": f"D{i + 10}"} for i, (c, v) in enumerate(wrong.items())])
    out = evaluate(vals, rules)
    assert "part-exceeds-whole" in set(out["code"])  # evaluate validated its frame with IssueModel on the way out


@pytest.mark.parametrize("column, bad", [("severity", "fatal"), ("code", "no-such-code"), ("message", ""),
                                         ("source_ref", "other.xlsx!Biểu mẫu 1!D8")])
def test_a_wrong_issues_frame_is_refused(column, bad):
    frame = iss.frame([iss.issue("value-invalid", file="BC_Ngoc_Ky.xlsx", sheet="Biểu mẫu 1", cell="D8", raw="x")])
    frame.loc[0, column] = bad
    with pytest.raises(pa.errors.SchemaError):
        IssueModel.validate(frame)


def test_an_issues_frame_without_a_column_is_refused():
    frame = iss.frame([iss.issue("file-unreadable", file="hong.xlsx", detail="hỏng")])
    for column in iss.COLUMNS:
        with pytest.raises(pa.errors.SchemaError):
            IssueModel.validate(frame.drop(columns=[column]))


def test_outliers_frame_is_validated():
    hist = pd.DataFrame([{"unit_code": "ngoc_ky", "period_code": p, "indicator_code": "III.3.3.1", "value": v}
                         for p, v in (("2022-Q3", 1180.0), ("2022-Q4", 1210.0), ("2023-Q1", 1195.0), ("2023-Q2", 1200.0))])
    cur = pd.DataFrame([{"submission": 0, "unit_code": "ngoc_ky", "indicator_code": "III.3.3.1", "value": 12000.0,
                         "file": "BC_Ngoc_Ky.xlsx", "sheet": "Biểu mẫu 3", "cell": "D24"}])
    out = outliers(cur, hist)
    assert list(out["code"]) == ["value-outlier"] and out.loc[0, "raw"] == "12.000"
    assert "trung vị 1.197,5 của 4 kỳ trước" in out.loc[0, "message"]


# ---------------------------------------------------------------- district figures

def test_district_figures_pass_and_carry_the_model_columns(catalog):
    ha_ky = {"III.3.3.1": 800, "III.3.3.2": 800, "I.1": 8}
    out = consolidate(values({"ngoc_ky": NGOC_KY, "ha_ky": ha_ky}), catalog.frame, n_expected=23)
    assert list(out.columns) == list(DistrictFigureModel.to_schema().columns)
    fig = out.set_index("indicator_code")
    assert fig.loc["III.3.3.1", "value"] == 2000 and fig.loc["I.1", "value"] == 20
    assert fig.loc["III.3.3", "detail"] == "1994/2000" and fig.loc["III.3.3", "value"] == pytest.approx(99.7)
    assert fig.loc["III.3.3", "n_units"] == 2 and set(out["n_expected"]) == {23}


@pytest.mark.parametrize("change", [
    lambda f: f.assign(period_code="2023-Q5"),
    lambda f: f.assign(indicator_code="VIII.1"),
    lambda f: f.assign(n_units=-1),
    lambda f: f.assign(extra=1),
    lambda f: pd.concat([f, f]),  # the same figure twice
    lambda f: f.assign(value="99,5"),
])
def test_a_wrong_district_frame_is_refused(catalog, change):
    good = consolidate(values({"ngoc_ky": NGOC_KY}), catalog.frame, n_expected=23)
    DistrictFigureModel.validate(good)
    with pytest.raises((pa.errors.SchemaError, pa.errors.SchemaErrors)):
        DistrictFigureModel.validate(change(good))


# ---------------------------------------------------------------- scores

@pytest.fixture(scope="module")
def scores(registry, catalog):
    rubric = load_rubric(SCHEMAS / "rubric.toml", known_codes=set(catalog.frame.index))
    units = registry.units.assign(order=range(len(registry.units)))
    vals = values({"ngoc_ky": NGOC_KY, "ha_ky": dict(NGOC_KY, **{"III.3.3": 100.0, "III.3.3.2": 1200})})
    vals = vals[vals["unit_code"].isin(set(units["code"]))]
    return rank_units(vals, rubric, catalog.frame, units, set(vals["unit_code"]))


def test_scores_pass(scores):
    ScoreModel.validate(scores)
    ranked = scores[scores["submitted"]]
    assert len(ranked) == 2 and ranked["rank"].notna().all() and scores.loc[~scores["submitted"], "rank"].isna().all()
    assert {f"pct:{a}" for a in AREAS} <= set(scores.columns) and scores["percent"].dtype == float


@pytest.mark.parametrize("change", [
    lambda s: s.assign(submitted=True),  # units without a rank said to have submitted
    lambda s: s.assign(**{"pct:III": 101.0}),
    lambda s: s.drop(columns=["rank"]),
    lambda s: s.assign(rank=pd.array([0] * len(s), dtype="Int64")),
    lambda s: pd.concat([s, s.head(1)]),  # a unit twice
])
def test_a_wrong_scores_frame_is_refused(scores, change):
    with pytest.raises(pa.errors.SchemaError):
        ScoreModel.validate(change(scores))


# ---------------------------------------------------------------- the run summary

def _summary() -> RunSummary:
    s = RunSummary(run_id="r-1", started_at=dt.datetime(2023, 10, 1, 23), finished_at=dt.datetime(2023, 10, 1, 23, 1),
                   unchanged=20, superseded=1, periods=["2023-Q3"], reports=[Path("out/2023-Q3/TongHop_CCHC_2023-Q3.xlsx")])
    issues = iss.frame([iss.issue("value-without-unit", file="BC_Ngoc_Ky.xlsx", sheet="Biểu mẫu 1", cell="D9", raw="12")])
    s.files = [FileResult("BC_Ngoc_Ky.xlsx", "loaded", "", "ngoc_ky", "2023-Q3", np.int64(7), 10, 0, 1, issues),
               FileResult("hong.xlsx", "rejected", "Không đọc được tệp", None, None, 8, 0, 1, 0)]
    return s


def test_one_plain_dict_for_every_reader(tmp_path):
    s = _summary()
    d = summary_data(s)
    assert d == summary_json(s) and json.loads(json.dumps(d)) == d  # plain JSON, no numpy, no frames
    assert d["files"] == {"new": 2, "unchanged": 20, "loaded": 1, "rejected": 1, "duplicate": 0, "superseded": 1,
                          "skipped": 0, "waiting": 0}
    assert d["values_loaded"] == 10 and d["issues"] == {"error": 1, "warning": 1}
    assert [list(x) for x in d["details"]] == [list(FILE_FIELDS)] * 2 and d["details"][0]["submission_id"] == 7
    txt = write_summary(s, tmp_path)
    saved = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
    assert saved == {**d, "summary_path": str(txt)}  # the same dict, naming the text file saved beside it


def test_checked_bounds_the_cost_of_long_frames(monkeypatch):
    import schemas.models as models

    monkeypatch.setattr(models, "CHECKED_ROWS", 3)
    rows = [iss.issue("value-invalid", file="BC_Ngoc_Ky.xlsx", sheet="Biểu mẫu 1", cell=f"D{8 + k}", raw="x") for k in range(6)]
    frame = iss.frame(rows)
    assert models.checked(IssueModel, frame) is not None
    bad = frame.copy()
    bad.loc[1, "code"] = "no-such-code"  # within the rows checked
    with pytest.raises(pa.errors.SchemaError):
        models.checked(IssueModel, bad)
    with pytest.raises(pa.errors.SchemaError):  # a missing column is refused however long the frame
        models.checked(IssueModel, frame.drop(columns=["message"]))
