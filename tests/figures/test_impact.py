"""What to fix first (pipeline.figures.impact): each flagged value's weight on its district figure, and whether it
changes the unit's rank or band, with the cases' real figures (xã Ngọc Kỳ III.3.3.1 = 1200, III.3.3.2 = 1194;
seed 000's 905/922 on time)."""

import numpy as np
import pandas as pd
import pytest

from pipeline import issues as iss
from pipeline.figures.impact import changes, figure_changes, rank_issues, score_changes, stored_impact, top_issues
from pipeline.figures.ranking import score_units
from pipeline.reference.rubric import load_rubric
from tests.figures.test_ranking import write_rubric


def _values(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit_code", "indicator_code", "value"]).assign(period_code="2023-Q3")


def _issues(rows: list[tuple[str, str | None, str]]) -> pd.DataFrame:
    """Issue rows as warehouse.period_issues gives them: (unit, indicator, code)."""
    out = []
    for unit, indicator, code in rows:
        r = iss.issue(code, file=f"BC_{unit}.xlsx", sheet="Phụ lục", cell="D10" if indicator else "", indicator_code=indicator,
                      message="x")
        out.append({"file_name": r["file"], "unit_code": unit, "severity": r["severity"], "code": code,
                    "message": r["message"], "source_ref": r["source_ref"], "indicator_code": indicator})
    return pd.DataFrame(out)


SEEDS = _values([("ngoc_ky", "I.1", 12), ("quang_trung", "I.1", 3),
                 ("ngoc_ky", "III.3.3.1", 1200), ("ngoc_ky", "III.3.3.2", 1194), ("ngoc_ky", "III.3.3", 99.5),
                 ("quang_trung", "III.3.3.1", 922), ("quang_trung", "III.3.3.2", 905), ("quang_trung", "III.3.3", 98.17)])


def test_sum_and_rate_with_and_without_a_unit(catalog):
    f = figure_changes(SEEDS, catalog.frame).set_index(["unit_code", "indicator_code"])
    assert f.loc[("ngoc_ky", "I.1"), "with_value"] == 15 and f.loc[("ngoc_ky", "I.1"), "without_value"] == 3
    assert f.loc[("ngoc_ky", "I.1"), "impact_abs"] == 12 and f.loc[("ngoc_ky", "I.1"), "impact_rel"] == pytest.approx(0.8)
    assert f.loc[("quang_trung", "III.3.3.1"), "impact_abs"] == 922
    # the rate is recomputed from the summed parts, with and without the unit's parts: 2099/2122 against 905/922
    rate = f.loc[("ngoc_ky", "III.3.3")]
    assert rate["with_value"] == pytest.approx(2099 / 2122 * 100) and rate["without_value"] == pytest.approx(905 / 922 * 100)
    assert rate["impact_abs"] == pytest.approx(2099 / 2122 * 100 - 905 / 922 * 100)
    assert f.loc[("quang_trung", "III.3.3"), "without_value"] == pytest.approx(99.5)


def test_a_unit_alone_moves_all_of_its_figure(catalog):
    f = figure_changes(_values([("ngoc_ky", "I.1", 12)]), catalog.frame)
    assert f.iloc[0]["impact_abs"] == 12 and f.iloc[0]["impact_rel"] == 1.0 and np.isnan(f.iloc[0]["without_value"])


def test_issues_ordered_by_how_much_their_value_moves_the_district_figure(catalog):
    issues = _issues([("quang_trung", None, "period-mismatch"), ("quang_trung", "III.3.3.1", "value-outlier"),
                      ("quang_trung", "I.1", "value-outlier"), ("ngoc_ky", "III.3.3.1", "part-exceeds-whole"),
                      ("ngoc_ky", "I.1", "value-without-unit")])
    ranked = rank_issues(issues, SEEDS, catalog.frame)
    got = list(zip(ranked["unit_code"], ranked["indicator_code"].fillna("")))
    # I.1 of Ngọc Kỳ is 12 of 15 (80 %), its 1200 dossiers 1200 of 2122 (57 %), Quang Trung's 922 43 %, its 3 20 %
    assert got == [("ngoc_ky", "I.1"), ("ngoc_ky", "III.3.3.1"), ("quang_trung", "III.3.3.1"), ("quang_trung", "I.1"),
                   ("quang_trung", "")]
    assert list(ranked["impact_order"].iloc[:4]) == [1, 2, 3, 4] and ranked["impact_order"].isna().iloc[4]
    assert list(top_issues(ranked)["indicator_code"]) == ["I.1", "III.3.3.1", "III.3.3.1", "I.1"]
    assert len(top_issues(ranked, 2)) == 2


def test_issues_on_one_value_share_its_order(catalog):
    issues = _issues([("ngoc_ky", "I.1", "value-outlier"), ("quang_trung", "I.1", "value-outlier"),
                      ("ngoc_ky", "I.1", "value-without-unit")])
    ranked = rank_issues(issues, SEEDS, catalog.frame)
    assert list(ranked["impact_order"]) == [1, 1, 2]
    assert list(stored_impact(ranked)[["unit_code", "impact_order"]].itertuples(index=False, name=None)) == [
        ("ngoc_ky", 1), ("quang_trung", 2)]


RUBRIC_ROWS = ("I.1,I,thresholds,higher,10,2,,0,Văn bản chỉ đạo\n"
               "III.3.3,III,thresholds,higher,95;90,2;1,,0,Hồ sơ đúng hạn\n")


@pytest.fixture
def small_rubric(tmp_path):
    return load_rubric(write_rubric(tmp_path, {"I": 2, "III": 2}, RUBRIC_ROWS))


def _three_units():
    units = pd.DataFrame({"code": ["ngoc_ky", "quang_trung", "chi_minh"], "label": ["xã Ngọc Kỳ", "xã Quang Trung", "xã Chí Minh"],
                          "name": ["Ngọc Kỳ", "Quang Trung", "Chí Minh"], "kind": "xã", "order": [0, 1, 2]})
    values = _values([
        ("ngoc_ky", "I.1", 12), ("ngoc_ky", "III.3.3", 99.5), ("ngoc_ky", "III.3.3.1", 1200), ("ngoc_ky", "III.3.3.2", 1194),
        ("quang_trung", "I.1", 12), ("quang_trung", "III.3.3", 88), ("quang_trung", "III.3.3.1", 1250),
        ("quang_trung", "III.3.3.2", 1100),
        ("chi_minh", "I.1", 8), ("chi_minh", "III.3.3", 98.17), ("chi_minh", "III.3.3.1", 922), ("chi_minh", "III.3.3.2", 905)])
    return units, values


def test_rank_and_band_with_the_value_and_without_it(catalog, small_rubric):
    units, values = _three_units()
    scores = score_units(values, small_rubric, catalog.frame, units, set(units["code"]))
    assert list(scores["total"]) == [4, 2, 2] and list(scores["rank"]) == [1, 2, 2]
    flagged = pd.DataFrame({"unit_code": ["ngoc_ky", "quang_trung", "ngoc_ky", "chi_minh"],
                            "indicator_code": ["I.1", "I.1", "III.3.3.2", "III.3.3"]})
    got = score_changes(values, small_rubric, catalog.frame, units, set(units["code"]), flagged).set_index(
        ["unit_code", "indicator_code"])
    # Ngọc Kỳ without its 12 documents: 2 of 4 points, from "xuất sắc" (100 %) to "không hoàn thành" (50 %), still first
    assert got.loc[("ngoc_ky", "I.1"), "band_with"] == "Hoàn thành xuất sắc nhiệm vụ"
    assert got.loc[("ngoc_ky", "I.1"), "band_without"] == "Không hoàn thành nhiệm vụ"
    assert got.loc[("ngoc_ky", "I.1"), "rank_without"] == 1
    # Quang Trung without them: 0 points, from second to third, the same band
    assert (got.loc[("quang_trung", "I.1"), "rank_with"], got.loc[("quang_trung", "I.1"), "rank_without"]) == (2, 3)
    assert got.loc[("quang_trung", "I.1"), "band_with"] == got.loc[("quang_trung", "I.1"), "band_without"]
    # a part of the rate left out: the printed 99,5 % stands in, nothing changes
    assert got.loc[("ngoc_ky", "III.3.3.2"), "rank_without"] == 1
    assert got.loc[("ngoc_ky", "III.3.3.2"), "band_without"] == "Hoàn thành xuất sắc nhiệm vụ"
    # the printed rate of a unit that gives both parts is not what is scored: nothing changes either
    assert got.loc[("chi_minh", "III.3.3"), "rank_without"] == 2


def test_score_changes_agree_with_scoring_again_without_the_value(catalog, small_rubric):
    units, values = _three_units()
    flagged = values[["unit_code", "indicator_code"]]
    got = score_changes(values, small_rubric, catalog.frame, units, set(units["code"]), flagged)
    for r in got.itertuples(index=False):
        rest = values[~((values["unit_code"] == r.unit_code) & (values["indicator_code"] == r.indicator_code))]
        again = score_units(rest, small_rubric, catalog.frame, units, set(units["code"])).set_index("unit_code")
        assert (r.rank_without, r.band_without) == (again.at[r.unit_code, "rank"], again.at[r.unit_code, "band"]), r


def test_a_value_that_changes_a_band_or_a_rank_comes_first_and_is_marked(catalog, small_rubric):
    units, values = _three_units()
    issues = _issues([("chi_minh", "I.1", "value-outlier"), ("quang_trung", "I.1", "value-outlier"),
                      ("ngoc_ky", "I.1", "value-outlier")])
    ranked = rank_issues(issues, values, catalog.frame, small_rubric, units, set(units["code"]))
    # I.1 = 12 + 12 + 8: Chí Minh's 8 moves the sum least; Quang Trung's 12 changes its rank, Ngọc Kỳ's 12 its band
    assert list(ranked["unit_code"]) == ["ngoc_ky", "quang_trung", "chi_minh"]
    assert list(changes(ranked, "band")) == [True, False, False]
    assert list(changes(ranked, "rank")) == [False, True, False]
