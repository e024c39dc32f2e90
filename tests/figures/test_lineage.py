"""Issue 16 item 2: comparisons across a merger. Earlier values on the current map (counts summed, rates from their
summed parts, only when every predecessor reported), the previous rank and a trend of a merged unit, a split unit
without a comparable past, a renamed unit keeping its history, and outliers judged against the combined history."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.figures.lineage import comparison_notes, on_map
from pipeline.figures.ranking import comparison_sentences, rank_units, score_units
from pipeline.reference.registry import load_registry
from pipeline.reference.rubric import load_rubric
from pipeline.validate.rules import outliers
from tests.conftest import SCHEMAS

UNITS = """code,name,kind,aliases,valid_from,valid_to,merged_into,split_from,renamed_from
ngoc_ky,Ngọc Kỳ,xã,,,2025-06-30,ngoc_trung,,
quang_trung,Quang Trung,xã,,,2025-06-30,ngoc_trung,,
ha_ky,Hà Kỳ,xã,,,2025-06-30,,,
tt_tu_ky,Tứ Kỳ,thị trấn,,,2025-06-30,,,
tan_ky,Tân Kỳ,xã,,,,,,
ngoc_trung,Ngọc Trung,xã,,2025-07-01,,,,
ha_ky_dong,Hà Kỳ Đông,xã,,2025-07-01,,,ha_ky,
xa_tu_ky,Tứ Kỳ,xã,,2025-07-01,,,,tt_tu_ky
"""
# the cases' figures for xã Ngọc Kỳ; the other units' are their own
FIGURES = {
    "ngoc_ky": {"I.1": 12, "I.2": 80, "I.2.1": 25, "I.2.2": 20, "III.3.3": 99.5, "III.3.3.1": 1200, "III.3.3.2": 1194,
                "VII.5.3": 88, "VII.5.3.1": 1250, "VII.5.3.2": 1100},
    "quang_trung": {"I.1": 8, "I.2": 90, "I.2.1": 10, "I.2.2": 9, "III.3.3": 99, "III.3.3.1": 800, "III.3.3.2": 792,
                    "VII.5.3": 80, "VII.5.3.1": 750, "VII.5.3.2": 600},
    "ha_ky": {"I.1": 5, "III.3.3.1": 300, "III.3.3.2": 300, "III.3.3": 100},
    "tt_tu_ky": {"I.1": 7, "III.3.3.1": 1500, "III.3.3.2": 1470, "III.3.3": 98},
    "tan_ky": {"I.1": 6, "III.3.3.1": 400, "III.3.3.2": 396, "III.3.3": 99},
}
NEW_MAP = ["tan_ky", "ngoc_trung", "ha_ky_dong", "xa_tu_ky"]


@pytest.fixture(scope="module")
def reg(tmp_path_factory):
    p = tmp_path_factory.mktemp("lineage") / "units.csv"
    p.write_text(UNITS, encoding="utf-8")
    return load_registry(p)


def frame(period: str, figures: dict[str, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame([(period, u, c, float(v)) for u, vals in figures.items() for c, v in vals.items()],
                        columns=["period_code", "unit_code", "indicator_code", "value"])


def got(mapped: pd.DataFrame, unit: str, code: str, period: str | None = None) -> float | None:
    m = mapped[(mapped["unit_code"] == unit) & (mapped["indicator_code"] == code)]
    if period is not None:
        m = m[m["period_code"] == period]
    return None if m.empty else float(m["value"].iloc[0])


def test_merged_unit_gets_its_predecessors_combined_figures(reg, catalog):
    mapped = on_map(frame("2025-H1", FIGURES), reg, catalog.frame, NEW_MAP)
    assert got(mapped, "ngoc_trung", "I.1") == 20
    assert got(mapped, "ngoc_trung", "III.3.3.1") == 2000 and got(mapped, "ngoc_trung", "III.3.3.2") == 1986
    assert math.isclose(got(mapped, "ngoc_trung", "III.3.3"), 1986 / 2000 * 100)  # from the parts, not (99.5 + 99) / 2
    assert math.isclose(got(mapped, "ngoc_trung", "VII.5.3"), 1700 / 2000 * 100)
    assert math.isclose(got(mapped, "ngoc_trung", "I.2"), 29 / 35 * 100)
    assert got(mapped, "xa_tu_ky", "III.3.3.1") == 1500 and got(mapped, "xa_tu_ky", "III.3.3") == 98  # renamed: as is
    assert got(mapped, "tan_ky", "III.3.3.1") == 400
    assert mapped[mapped["unit_code"] == "ha_ky_dong"].empty  # split: no comparable past
    assert set(mapped["unit_code"]) <= set(NEW_MAP)


def test_a_predecessor_that_did_not_report_leaves_no_combined_figure(reg, catalog):
    partial = {**FIGURES, "quang_trung": {k: v for k, v in FIGURES["quang_trung"].items() if k != "III.3.3.1"}}
    mapped = on_map(frame("2025-H1", partial), reg, catalog.frame, NEW_MAP)
    assert got(mapped, "ngoc_trung", "III.3.3.1") is None and got(mapped, "ngoc_trung", "III.3.3") is None
    assert got(mapped, "ngoc_trung", "III.3.3.2") == 1986 and got(mapped, "ngoc_trung", "I.1") == 20


def test_coded_answers_kept_only_when_the_predecessors_agree(reg, catalog):
    code = str(catalog.frame.index[catalog.frame["agg"] == "by_code"][0])
    same = {"ngoc_ky": {code: 1}, "quang_trung": {code: 1}}
    differ = {"ngoc_ky": {code: 1}, "quang_trung": {code: 0}}
    assert got(on_map(frame("2025-H1", same), reg, catalog.frame, NEW_MAP), "ngoc_trung", code) == 1
    assert got(on_map(frame("2025-H1", differ), reg, catalog.frame, NEW_MAP), "ngoc_trung", code) is None


def test_trend_of_a_merged_unit_runs_through_the_merger(reg, catalog):
    """Its series: the predecessors' sums before 1/7/2025, its own figures after."""
    scaled = {u: {k: v * 0.5 for k, v in vals.items() if k in ("III.3.3.1", "I.1")} for u, vals in FIGURES.items()}
    values = pd.concat([frame("2024-H1", scaled), frame("2025-H1", FIGURES),
                        frame("2025-Y", {"ngoc_trung": {"III.3.3.1": 2600, "I.1": 25}, "tan_ky": {"III.3.3.1": 410}})])
    mapped = on_map(values, reg, catalog.frame, NEW_MAP)
    series = [got(mapped, "ngoc_trung", "III.3.3.1", p) for p in ("2024-H1", "2025-H1", "2025-Y")]
    assert series == [1000, 2000, 2600]
    assert [got(mapped, "ngoc_trung", "I.1", p) for p in ("2024-H1", "2025-H1", "2025-Y")] == [10, 20, 25]


def test_previous_rank_of_a_merged_unit_from_its_predecessors(reg, catalog):
    rubric = load_rubric(SCHEMAS / "rubric.toml", known_codes=set(catalog.frame.index))
    units = reg.units_in("2025-Y")
    before = on_map(frame("2025-H1", FIGURES), reg, catalog.frame, units["code"])
    now = frame("2025-Y", {"tan_ky": FIGURES["quang_trung"], "ngoc_trung": FIGURES["tan_ky"],
                           "ha_ky_dong": FIGURES["ha_ky"], "xa_tu_ky": FIGURES["ngoc_ky"]})
    scores = rank_units(now, rubric, catalog.frame, units, set(now["unit_code"]), before[["unit_code", "indicator_code", "value"]])
    prev = dict(zip(scores["unit_code"], scores["prev_rank"]))
    # the previous ranking, scored independently on the combined figures of 2025-H1
    combined = pd.concat([frame("2025-H1", {"tan_ky": FIGURES["tan_ky"], "xa_tu_ky": FIGURES["tt_tu_ky"]}),
                          frame("2025-H1", {"ngoc_trung": {
                              "I.1": 20, "I.2.1": 35, "I.2.2": 29, "I.2": 29 / 35 * 100, "III.3.3.1": 2000,
                              "III.3.3.2": 1986, "III.3.3": 99.3, "VII.5.3.1": 2000, "VII.5.3.2": 1700, "VII.5.3": 85}})])
    expected = score_units(combined, rubric, catalog.frame, units, {"tan_ky", "xa_tu_ky", "ngoc_trung"})
    want = dict(zip(expected["unit_code"], expected["rank"]))
    assert prev["ngoc_trung"] == want["ngoc_trung"] and prev["xa_tu_ky"] == want["xa_tu_ky"]
    assert pd.isna(prev["ha_ky_dong"])  # a split unit has no previous rank
    notes = comparison_notes(reg, units["code"], "2025-H1")
    assert set(notes) == {"ngoc_trung", "ha_ky_dong", "xa_tu_ky"}
    scores["compared_with"] = [notes.get(c, "") for c in scores["unit_code"]]
    sentences = comparison_sentences(scores)
    assert len(sentences) == 3 and any("xã Ngọc Kỳ, xã Quang Trung" in s for s in sentences)


def test_outliers_of_a_merged_unit_against_its_combined_history(reg, catalog):
    periods = ["2022-H1", "2023-H1", "2024-H1"]
    hist = pd.concat([frame(p, {"ngoc_ky": {"III.3.3.1": 1200 + 10 * i}, "quang_trung": {"III.3.3.1": 800 + 10 * i}})
                      for i, p in enumerate(periods)])
    mapped = on_map(hist, reg, catalog.frame, ["ngoc_trung"])
    mapped = mapped[["unit_code", "period_code", "indicator_code", "value"]]
    assert sorted(mapped["value"]) == [2000, 2020, 2040]
    ordinary = frame("2025-Y", {"ngoc_trung": {"III.3.3.1": 2050}}).assign(submission=0, file="a.xlsx", sheet="PL", cell="D5")
    jump = frame("2025-Y", {"ngoc_trung": {"III.3.3.1": 20500}}).assign(submission=0, file="a.xlsx", sheet="PL", cell="D5")
    assert len(outliers(ordinary, mapped, k=3.5, min_periods=3)) == 0
    assert len(outliers(jump, mapped, k=3.5, min_periods=3)) == 1


def test_untimed_registry_returns_values_unchanged(registry, catalog):
    values = frame("2023-H1", {"ngoc_ky": FIGURES["ngoc_ky"]})
    assert on_map(values, registry, catalog.frame, ["ngoc_ky"]) is values
    assert comparison_notes(registry, ["ngoc_ky"], "2022-Y") == {}
