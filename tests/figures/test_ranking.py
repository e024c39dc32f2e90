"""The rubric and the ranking: points, competition ranks (1, 2, 2, 4), bands at their boundaries, previous periods,
targets and lists with seed 002's own numbers."""

from pathlib import Path

import pandas as pd
import pytest

from pipeline.figures.ranking import (NOT_SUBMITTED, RESULT_BLANK, RESULT_MET, RESULT_MISSED, RESULT_MISSING, RESULT_NOT_DONE,
                              band_sentences, competition_rank, criterion_points, list_members, list_sentence, nn,
                              percent_of, previous_period, rank_units, ranked_order, score_units, target_results,
                              target_sentence, unit_values, with_previous)
from pipeline.reference.rubric import RubricError, Target, UnitList, load_rubric
from tests.conftest import SCHEMAS

BANDS_TOML = """
[[bands]]
label = "Hoàn thành xuất sắc nhiệm vụ"
min_percent = 90
[[bands]]
label = "Hoàn thành tốt nhiệm vụ"
min_percent = 80
[[bands]]
label = "Hoàn thành nhiệm vụ"
min_percent = 70
[[bands]]
label = "Không hoàn thành nhiệm vụ"
min_percent = 0
"""
HEADER = "indicator,area,method,direction,thresholds,points,target,not_reported,note\n"


def write_rubric(tmp_path: Path, areas: dict[str, float], rows: str, extra: str = "", bands: str = BANDS_TOML) -> Path:
    """A rubric.toml + rubric.csv pair in tmp_path."""
    all_areas = {a: 0 for a in ["I", "II", "III", "IV", "V", "VI", "VII"]} | areas
    toml = "[rubric]\nname = \"Thử\"\ncriteria = \"rubric.csv\"\n[areas]\n" + "".join(f"{k} = {v}\n" for k, v in all_areas.items())
    (tmp_path / "rubric.toml").write_text(toml + bands + extra, encoding="utf-8")
    (tmp_path / "rubric.csv").write_text(HEADER + rows, encoding="utf-8")
    return tmp_path / "rubric.toml"


def units_frame(codes: list[str], kinds: dict[str, str] | None = None) -> pd.DataFrame:
    kinds = kinds or {}
    rows = [{"code": c, "name": c.replace("_", " ").title(), "kind": kinds.get(c, "xã"), "order": i} for i, c in enumerate(codes)]
    df = pd.DataFrame(rows)
    df["label"] = df["kind"] + " " + df["name"]
    return df


def values_frame(data: dict[str, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"unit_code": u, "indicator_code": i, "value": v} for u, d in data.items() for i, v in d.items()])


@pytest.fixture(scope="module")
def rubric(catalog):
    return load_rubric(SCHEMAS / "rubric.toml", known_codes=set(catalog.frame.index))


# ---------------------------------------------------------------- the default rubric

def test_default_rubric(rubric, catalog):
    assert rubric.total_max == 74  # seed 002 line 817: "điểm tối đa là 74 điểm"
    assert [b.label for b in rubric.bands] == ["Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ",
                                               "Hoàn thành nhiệm vụ", "Không hoàn thành nhiệm vụ"]
    assert [b.min_percent for b in rubric.bands] == [90, 80, 70, 0]
    sums = rubric.criteria.groupby("area")["max_points"].sum()
    assert all(sums[a] == m for a, m in rubric.area_max.items())
    assert set(rubric.criteria.index) <= set(catalog.frame.index)
    assert rubric.targets[0].indicator == "VII.5.4" and rubric.targets[0].value == 30  # seed 002 line 742
    assert rubric.lists[0].whole == "III.3.3.1" and rubric.lists[0].part == "III.3.3.2"


@pytest.mark.parametrize("rows, message", [
    ("I.1,I,thresholds,higher,15;8,2;1,,0,x\n", "add up"),  # area I maximum 3 but criteria 2
    ("I.1,I,thresholds,higher,8;15,3;1,,0,x\n", "thresholds-points"),  # best threshold not first
    ("I.1,I,thresholds,higher,15;8,3,,0,x\n", "thresholds-points"),  # two thresholds, one points value
    ("I.1,I,proportional,higher,,3,,0,x\n", "proportional-target"),  # no target
    ("I.1,II,thresholds,higher,15,3,,0,x\n", "area-prefix"),
    ("I.1,I,thresholds,higher,15,3,,5,x\n", "not-reported-within-max"),
    ("I.99,I,thresholds,higher,15,3,,0,x\n", "not in the catalog"),
])
def test_rubric_errors(tmp_path, catalog, rows, message):
    path = write_rubric(tmp_path, {"I": 3}, rows)
    with pytest.raises(RubricError, match=message):
        load_rubric(path, known_codes=set(catalog.frame.index))


def test_bands_need_one_from_zero(tmp_path):
    path = write_rubric(tmp_path, {"I": 3}, "I.1,I,thresholds,higher,15,3,,0,x\n",
                        bands="[[bands]]\nlabel = \"Tốt\"\nmin_percent = 80\n")
    with pytest.raises(RubricError, match="one band from 0"):
        load_rubric(path)


# ---------------------------------------------------------------- points, ranks, bands

def test_criterion_points(rubric):
    ontime = rubric.criteria.loc["III.3.3"]  # 100;99.8;99.5;99 → 8;7;6;4
    assert [criterion_points(v, ontime) for v in (100, 99.92, 99.8, 99.79, 99.5, 99, 98.99)] == [8, 7, 7, 6, 6, 4, 0]
    assert criterion_points(None, ontime) == 0
    overdue = rubric.criteria.loc["I.4.4"]  # lower is better: 0 → 3, 1 → 1, blank → 1
    assert [criterion_points(v, overdue) for v in (0, 1, 2)] == [3, 1, 0]
    assert criterion_points(float("nan"), overdue) == 1
    spend = rubric.criteria.loc["VI.1"]  # proportional, 6 points at 60 %
    assert [criterion_points(v, spend) for v in (0, 30, 60, 95)] == [0, 3, 6, 6]


def test_competition_rank_ties_share_and_skip():
    ranks = competition_rank(pd.Series([50.0, 61.0, 55.5, 55.5, None, 40.0]))
    assert list(ranks[:4]) == [4, 1, 2, 2] and pd.isna(ranks[4]) and ranks[5] == 5


def test_bands_at_the_boundaries(rubric):
    assert percent_of(66.6, 74) == 90.0  # 89.999… shown as 90,00 and banded as shown
    cases = {90.0: "Hoàn thành xuất sắc nhiệm vụ", 89.99: "Hoàn thành tốt nhiệm vụ", 80.0: "Hoàn thành tốt nhiệm vụ",
             79.99: "Hoàn thành nhiệm vụ", 70.0: "Hoàn thành nhiệm vụ", 69.99: "Không hoàn thành nhiệm vụ",
             0.0: "Không hoàn thành nhiệm vụ", 100.0: "Hoàn thành xuất sắc nhiệm vụ"}
    assert {p: rubric.band(p) for p in cases} == cases


def test_scores_ties_bands_and_unsubmitted(tmp_path):
    # one criterion worth 10 points, proportional to a target of 100: the value is the % of the maximum
    path = write_rubric(tmp_path, {"III": 10}, "III.3.3,III,proportional,higher,,10,100,0,Đúng hạn\n")
    rub = load_rubric(path)
    units = units_frame(["a", "b", "c", "d", "e", "f"])
    values = values_frame({"a": {"III.3.3": 90}, "b": {"III.3.3": 80}, "c": {"III.3.3": 80}, "d": {"III.3.3": 70},
                           "e": {"III.3.3": 69.9}})
    cat = pd.DataFrame({"code": ["III.3.3"], "agg": ["unit_share"], "numerator": [""], "denominator": [""]}).set_index("code", drop=False)
    scores = score_units(values, rub, cat, units, submitted={"a", "b", "c", "d", "e"})
    s = scores.set_index("unit_code")
    assert list(s.loc[["a", "b", "c", "d", "e"], "rank"]) == [1, 2, 2, 4, 5]
    assert list(s.loc[["a", "b", "d", "e"], "band"]) == ["Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ",
                                                       "Hoàn thành nhiệm vụ", "Không hoàn thành nhiệm vụ"]
    assert list(s.loc[["a", "b", "d", "e"], "percent"]) == [90.0, 80.0, 70.0, 69.9]
    assert pd.isna(s.at["f", "rank"]) and s.at["f", "band"] == "" and pd.isna(s.at["f", "total"])
    assert list(ranked_order(scores)["unit_code"]) == ["a", "b", "c", "d", "e", "f"]
    # a submitter without the value gets the criterion's not_reported points, and is ranked
    blank = score_units(values, rub, cat, units, submitted={"a", "f"}).set_index("unit_code")
    assert blank.at["f", "total"] == 0 and blank.at["f", "rank"] == 2


def test_change_against_previous_ranks():
    cur = pd.DataFrame({"unit_code": ["a", "b", "c", "d"], "rank": pd.array([1, 2, 2, pd.NA], dtype="Int64")})
    prev = pd.DataFrame({"unit_code": ["a", "b", "c"], "rank": pd.array([3, 1, pd.NA], dtype="Int64")})
    out = with_previous(cur, prev).set_index("unit_code")
    assert list(out["prev_rank"][:2]) == [3, 1] and out.at["a", "change"] == 2 and out.at["b", "change"] == -1
    assert pd.isna(out.at["c", "change"]) and pd.isna(out.at["d", "change"])


def test_unit_rates_recomputed_from_parts(catalog):
    values = values_frame({"a": {"III.3.3.1": 200, "III.3.3.2": 199, "III.3.3": 90},  # parts win over the printed rate
                           "b": {"III.3.3": 98.5},  # only the printed rate
                           "c": {"II.2.2.1": 0, "II.2.2.2": 0, "II.2.2": 0}})  # empty denominator: not a real 0 %
    wide = unit_values(values, catalog.frame)
    assert wide.at["a", "III.3.3"] == pytest.approx(99.5) and wide.at["b", "III.3.3"] == 98.5
    assert pd.isna(wide.at["c", "II.2.2"])


@pytest.mark.parametrize("period, available, mode, expected", [
    ("2023-H1", ["2022-Y", "2022-H1", "2023-H1"], "preceding", "2022-Y"),  # seed 002: 6 tháng 2023 vs năm 2022
    ("2023-H1", ["2022-Y", "2022-H2", "2022-Q4"], "preceding", "2022-Y"),  # same end: the longest period
    ("2023-H1", ["2022-Y", "2023-Q1"], "preceding", "2023-Q1"),  # the most recent one
    ("2023-H1", ["2022-Y", "2022-H1", "2023-Q1"], "same_kind", "2022-H1"),
    ("2023-Q3", ["2023-Q2", "2023-H1", "2023-Q1"], "same_kind", "2023-Q2"),
    ("2023-9M", ["2023-Q2", "2023-H1"], "preceding", "2023-H1"),
    ("2023-H1", ["2023-Y", "2023-H1"], "preceding", None),  # nothing ends before
    ("2022-Y", [], "preceding", None),
])
def test_previous_period(period, available, mode, expected):
    assert previous_period(period, available, mode) == expected


def test_rank_units_with_previous_values(rubric, catalog, registry):
    units = registry.units
    values = values_frame({"ngoc_ky": {"III.3.3": 100}, "tan_ky": {"III.3.3": 99}})
    prev = values_frame({"ngoc_ky": {"III.3.3": 99}, "tan_ky": {"III.3.3": 100}})
    out = rank_units(values, rubric, catalog.frame, units, {"ngoc_ky", "tan_ky"}, prev).set_index("unit_code")
    assert (out.at["ngoc_ky", "rank"], out.at["ngoc_ky", "prev_rank"], out.at["ngoc_ky", "change"]) == (1, 2, 1)
    assert (out.at["tan_ky", "rank"], out.at["tan_ky", "prev_rank"], out.at["tan_ky", "change"]) == (2, 1, -1)
    assert out["rank"].notna().sum() == 2 and out.loc[~out["submitted"], "rank"].isna().all()


# ---------------------------------------------------------------- targets and lists, with seed 002's numbers

def test_online_payment_target_seed002(registry):
    """Seed 002 line 742: 09 xã đạt chỉ tiêu (≥ 30 %), 13 chưa đạt, 01 chưa thực hiện (xã Tân Kỳ)."""
    codes = list(registry.units["code"])
    others = [c for c in codes if c != "tan_ky"]
    vals = {c: 45.0 for c in others[:9]} | {c: 12.5 for c in others[9:]} | {"tan_ky": 0.0}
    scores = pd.DataFrame({"unit_code": codes, "label": registry.units["label"], "name": registry.units["name"],
                           "kind": registry.units["kind"], "submitted": True})
    wide = pd.DataFrame({"VII.5.4": vals})
    target = Target("VII.5.4", ">=", 30, "Thanh toán trực tuyến ≥ 30%")
    res = target_results(scores, wide, target)
    assert res["result"].value_counts().to_dict() == {RESULT_MISSED: 13, RESULT_MET: 9, RESULT_NOT_DONE: 1}
    assert target_sentence(res, target) == ("Thanh toán trực tuyến ≥ 30%: 09 đơn vị đạt chỉ tiêu, 13 đơn vị chưa đạt, "
                                            "01 đơn vị chưa thực hiện (Tân Kỳ).")
    # exactly at the target meets it; a blank is "không báo cáo"; a unit that did not submit is "chưa nộp"
    wide.loc["ngoc_ky", "VII.5.4"] = 30.0
    wide.loc["quang_trung", "VII.5.4"] = None
    scores.loc[scores["unit_code"] == "chi_minh", "submitted"] = False
    res = target_results(scores, wide, target).set_index("unit_code")["result"]
    assert (res["ngoc_ky"], res["quang_trung"], res["chi_minh"]) == (RESULT_MET, RESULT_BLANK, RESULT_MISSING)


def test_late_dossiers_list_seed002(registry, catalog):
    """Seed 002 lines 298–301: 19 hồ sơ quá hạn ở các xã Hà Kỳ (04), Tái Sơn (01), Đại Sơn (06), thị trấn Tứ Kỳ (01)…"""
    late = {"ha_ky": 4, "tai_son": 1, "dai_son": 6, "tt_tu_ky": 1, "hung_dao": 1, "an_thanh": 2, "binh_lang": 1,
            "van_to": 1, "tan_ky": 2}
    data = {c: {"III.3.3.1": 1000, "III.3.3.2": 1000 - late.get(c, 0)} for c in registry.units["code"]}
    wide = unit_values(values_frame(data), catalog.frame)
    item = UnitList("Hồ sơ giải quyết quá hạn", ">", 0, "hồ sơ", whole="III.3.3.1", part="III.3.3.2")
    members = list_members(wide, registry.units, item)
    assert dict(zip(members["unit_code"], members["value"])) == late
    assert list(members["unit_code"]) == [c for c in registry.units["code"] if c in late]  # the district's order
    assert list_sentence(members, item) == (
        "Hồ sơ giải quyết quá hạn: 19 hồ sơ ở 09 đơn vị: Tái Sơn (01), Đại Sơn (06), Hưng Đạo (01), Tân Kỳ (02), "
        "Hà Kỳ (04), An Thanh (02), Bình Lãng (01), Văn Tố (01), thị trấn Tứ Kỳ (01).")
    online = UnitList("Đạt 100% trực tuyến", ">=", 100, "%", indicator="III.3.3")
    assert len(list_members(wide, registry.units, online)) == 23 - len(late)
    assert list_sentence(list_members(wide.iloc[0:0], registry.units, online), online) == "Đạt 100% trực tuyến: không có."


def test_band_sentences(rubric):
    scores = pd.DataFrame({"unit_code": ["a", "b", "c", "t"], "name": ["Phượng Kỳ", "Ngọc Kỳ", "Quảng Nghiệp", "Tứ Kỳ"],
                           "kind": ["xã", "xã", "xã", "thị trấn"], "label": ["xã Phượng Kỳ", "xã Ngọc Kỳ", "xã Quảng Nghiệp", "thị trấn Tứ Kỳ"],
                           "order": [0, 1, 2, 3], "submitted": [True, True, True, False],
                           "rank": pd.array([1, 2, 3, pd.NA], dtype="Int64"),
                           "band": ["Hoàn thành tốt nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ", ""]})
    assert band_sentences(scores, rubric) == [
        "Có 02 đơn vị đạt từ 80% đến dưới 90% số điểm tối đa (điểm tối đa là 74 điểm), xếp loại Hoàn thành tốt nhiệm vụ, "
        "gồm: Phượng Kỳ, Ngọc Kỳ.",
        "Có 01 đơn vị đạt từ 70% đến dưới 80% số điểm tối đa (điểm tối đa là 74 điểm), xếp loại Hoàn thành nhiệm vụ, "
        "gồm: Quảng Nghiệp.",
        "Có 01 đơn vị chưa nộp báo cáo, chưa xếp hạng: thị trấn Tứ Kỳ.",
    ]


def test_counts_as_written():
    assert [nn(x) for x in (0, 1, 9, 13, 23378)] == ["0", "01", "09", "13", "23.378"]  # the seeds write "09 UBND xã", never "00"
    assert NOT_SUBMITTED == "chưa nộp"
