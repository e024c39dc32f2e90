"""The four value states in the district figures and the ranking: "không áp dụng" adds nothing, is not counted in
"n/23 đơn vị" and is counted apart (n_na); a blank is not reported (n_blank, listed); a real 0 counts; in the ranking a
not-applicable criterion lowers the unit's maximum instead of scoring 0, a blank still scores `not_reported`."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.figures.district import DISTRICT_COLUMNS, consolidate
from pipeline.figures.ranking import criterion_points, rank_units, score_units
from pipeline.reference.rubric import load_rubric
from samples.cases import TEN
from tests.conftest import SCHEMAS
from tests.figures.test_ranking import BANDS_TOML, units_frame

PERIOD = "2023-Q3"
FINANCE = {"VI.1": 67.1, "VI.1.1": 3000.0, "VI.1.2": 2014.0}  # the cases' section VI block (triệu đồng)


def values(data: dict[str, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"period_code": PERIOD, "unit_code": u, "indicator_code": i, "value": float(v)}
                         for u, d in data.items() for i, v in d.items()])


def states(data: dict[str, dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"period_code": PERIOD, "unit_code": u, "indicator_code": i, "value_state": s}
                         for u, d in data.items() for i, s in d.items()],
                        columns=["period_code", "unit_code", "indicator_code", "value_state"])


# Ngọc Kỳ reports its investment plan, Quang Trung has none ("không áp dụng"), Chí Minh had a plan of 0 (a real 0)
# and Quang Khải left the block blank.
VALUES = {"ngoc_ky": {**TEN, **FINANCE}, "quang_trung": dict(TEN), "chi_minh": {**TEN, "VI.1.1": 0, "VI.1.2": 0},
          "quang_khai": dict(TEN)}
STATES = {"quang_trung": {"VI.1": "na", "VI.1.1": "na", "VI.1.2": "na", "III.3.4.1": "na"},
          "chi_minh": {"VI.1": "blank", "III.3.4.1": "na"},
          "quang_khai": {"VI.1": "blank", "VI.1.1": "blank", "VI.1.2": "blank"}}


@pytest.fixture(scope="module")
def figures(catalog):
    return consolidate(values(VALUES), catalog.frame, n_expected=23, states=states(STATES)).set_index("indicator_code")


def test_totals_leave_not_applicable_out_and_count_it_apart(figures):
    plan = figures.loc["VI.1.1"]
    assert plan["value"] == 3000 and plan["n_units"] == 2  # Ngọc Kỳ 3.000 + Chí Minh's real 0
    assert plan["n_na"] == 1 and plan["n_blank"] == 1 and plan["blank_units"] == "quang_khai"
    assert plan["detail"] == "1 đơn vị không áp dụng"


def test_a_rate_is_recomputed_over_the_units_that_answered(figures):
    rate = figures.loc["VI.1"]
    assert rate["value"] == pytest.approx(2014 / 3000 * 100) and rate["n_units"] == 2
    assert rate["n_na"] == 1 and rate["n_blank"] == 1 and rate["blank_units"] == "quang_khai"
    assert rate["detail"] == "2014/3000; 1 đơn vị không áp dụng"


def test_an_indicator_no_unit_applies_has_a_figure_without_value(figures):
    pakn = figures.loc["III.3.4.1"]
    assert math.isnan(pakn["value"]) and pakn["n_units"] == 0 and pakn["n_na"] == 2
    assert pakn["detail"] == "2 đơn vị không áp dụng"


def test_ordinary_figures_are_unchanged_by_the_states(catalog, figures):
    plain = consolidate(values(VALUES), catalog.frame, n_expected=23).set_index("indicator_code")
    assert sorted(plain.reset_index().columns) == sorted(DISTRICT_COLUMNS)
    for code in TEN:
        assert figures.loc[code, "value"] == pytest.approx(plain.loc[code, "value"])
        assert figures.loc[code, "n_units"] == plain.loc[code, "n_units"] == 4
        assert figures.loc[code, "n_na"] == 0 and figures.loc[code, "n_blank"] == 0
    assert (plain["n_na"] == 0).all() and (plain["n_blank"] == 0).all() and (plain["blank_units"] == "").all()
    assert plain.loc["VI.1.1", "n_units"] == 2 and plain.loc["VI.1.1", "detail"] == ""


# ---------------------------------------------------------------- ranking

@pytest.fixture(scope="module")
def rubric(catalog):
    return load_rubric(SCHEMAS / "rubric.toml", known_codes=set(catalog.frame.index))


def _na(data: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{"unit_code": u, "indicator_code": c} for u, codes in data.items() for c in codes])


def test_a_not_applicable_criterion_lowers_the_maximum(rubric, catalog):
    """VI.1 (6 points, may be not applicable): Ngọc Kỳ earns 6, Quang Trung's maximum drops to 68, Chí Minh's blank
    scores its not_reported 0 over 74."""
    units = units_frame(["ngoc_ky", "quang_trung", "chi_minh"])
    data = {"ngoc_ky": {**TEN, "VI.1.1": 3000, "VI.1.2": 2014}, "quang_trung": dict(TEN), "chi_minh": dict(TEN)}
    v = values(data)
    scores = rank_units(v, rubric, catalog.frame, units, set(data), not_applicable=_na({"quang_trung": ["VI.1"]})
                        ).set_index("unit_code")
    crit = rubric.criteria
    base = sum(criterion_points(TEN.get(c), crit.loc[c]) for c in crit.index if c != "VI.1")
    assert crit.loc["VI.1", "na_allowed"] == 1 and crit.loc["VI.1", "not_reported"] == 0
    assert scores.loc["ngoc_ky", "total"] == pytest.approx(base + 6)
    assert scores.loc["quang_trung", "total"] == scores.loc["chi_minh", "total"] == pytest.approx(base)
    assert scores.loc["quang_trung", "max"] == 68 and scores.loc["chi_minh", "max"] == 74 == scores.loc["ngoc_ky", "max"]
    assert scores.loc["quang_trung", "percent"] == round(base / 68 * 100, 2)
    assert scores.loc["chi_minh", "percent"] == round(base / 74 * 100, 2)
    assert bool(scores.loc["quang_trung", "na:VI.1"]) and not bool(scores.loc["chi_minh", "na:VI.1"])
    assert scores.loc["quang_trung", "pts:VI.1"] == 0 and scores.loc["quang_trung", "max:VI"] == 0
    assert math.isnan(scores.loc["quang_trung", "pct:VI"]) and scores.loc["chi_minh", "pct:VI"] == 0
    # ranked by the total scaled to 74 points: the unit without investment is not behind the one that left it blank
    assert list(scores["rank"]) == [1, 2, 3]


def test_without_not_applicable_cells_the_scores_are_unchanged(rubric, catalog):
    units = units_frame(["ngoc_ky", "quang_trung"])
    data = {"ngoc_ky": {**TEN, "VI.1.1": 3000, "VI.1.2": 2014}, "quang_trung": dict(TEN)}
    plain = score_units(values(data), rubric, catalog.frame, units, set(data))
    with_none = score_units(values(data), rubric, catalog.frame, units, set(data), _na({}))
    pd.testing.assert_frame_equal(plain, with_none)
    assert (plain["max"] == rubric.total_max).all()
    assert list(plain["percent"]) == [round(t / 74 * 100, 2) for t in plain["total"]]


def test_not_applicable_on_a_criterion_the_rubric_does_not_allow_scores_as_blank(rubric, catalog):
    units = units_frame(["ngoc_ky", "quang_trung"])
    data = {"ngoc_ky": dict(TEN), "quang_trung": {k: v for k, v in TEN.items() if k != "I.1"}}
    scores = score_units(values(data), rubric, catalog.frame, units, set(data), _na({"quang_trung": ["I.1"]}))
    s = scores.set_index("unit_code")
    assert rubric.criteria.loc["I.1", "na_allowed"] == 0
    assert s.loc["quang_trung", "pts:I.1"] == rubric.criteria.loc["I.1", "not_reported"]
    assert s.loc["quang_trung", "max"] == 74 and "na:I.1" not in scores.columns


def test_the_band_reads_the_percentage_over_the_reduced_maximum(tmp_path, catalog):
    """Two criteria of 10 points: I.1 reached by both units; VI.1 not applicable for one (10/10 = 100 %: xuất sắc) and
    blank for the other (10/20 = 50 %: không hoàn thành)."""
    toml = ("[rubric]\nname = \"Thử\"\ncriteria = \"rubric.csv\"\n[areas]\nI = 10\nII = 0\nIII = 0\nIV = 0\nV = 0\n"
            "VI = 10\nVII = 0\n" + BANDS_TOML)
    (tmp_path / "rubric.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "rubric.csv").write_text(
        "indicator,area,method,direction,thresholds,points,target,not_reported,note,na_allowed\n"
        "I.1,I,thresholds,higher,1,10,,0,Văn bản chỉ đạo,0\n"
        "VI.1,VI,proportional,higher,,10,100,0,Giải ngân vốn đầu tư công,1\n", encoding="utf-8")
    rubric = load_rubric(tmp_path / "rubric.toml", known_codes=set(catalog.frame.index))
    units = units_frame(["quang_trung", "chi_minh"])
    data = {"quang_trung": {"I.1": 12}, "chi_minh": {"I.1": 12}}
    s = rank_units(values(data), rubric, catalog.frame, units, set(data), not_applicable=_na({"quang_trung": ["VI.1"]})
                   ).set_index("unit_code")
    assert (s.loc["quang_trung", "total"], s.loc["quang_trung", "max"], s.loc["quang_trung", "percent"]) == (10, 10, 100)
    assert (s.loc["chi_minh", "total"], s.loc["chi_minh", "max"], s.loc["chi_minh", "percent"]) == (10, 20, 50)
    assert s.loc["quang_trung", "band"] == "Hoàn thành xuất sắc nhiệm vụ"
    assert s.loc["chi_minh", "band"] == "Không hoàn thành nhiệm vụ"
    assert (s.loc["quang_trung", "rank"], s.loc["chi_minh", "rank"]) == (1, 2)


def test_a_rubric_without_the_column_loads_with_nothing_allowed(tmp_path, catalog):
    lines = (SCHEMAS / "rubric.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(",na_allowed")
    (tmp_path / "rubric.csv").write_text("\n".join(x.rsplit(",", 1)[0] for x in lines) + "\n", encoding="utf-8")
    (tmp_path / "rubric.toml").write_text((SCHEMAS / "rubric.toml").read_text(encoding="utf-8"), encoding="utf-8")
    old = load_rubric(tmp_path / "rubric.toml", known_codes=set(catalog.frame.index))
    assert len(old.criteria) == len(lines) - 1 and (old.criteria["na_allowed"] == 0).all()


def test_a_rate_whose_denominator_does_not_apply_does_not_apply(rubric, catalog):
    """Quang Trung typed "không áp dụng" for the plan VI.1.1 only and left the rate VI.1 blank: VI.1 does not apply."""
    units = units_frame(["quang_trung", "chi_minh"])
    data = {"quang_trung": dict(TEN), "chi_minh": dict(TEN)}
    s = score_units(values(data), rubric, catalog.frame, units, set(data), _na({"quang_trung": ["VI.1.1"]})
                    ).set_index("unit_code")
    assert s.loc["quang_trung", "max"] == 68 and bool(s.loc["quang_trung", "na:VI.1"])
    assert s.loc["chi_minh", "max"] == 74
