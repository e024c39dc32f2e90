"""The district workbook's Python side made faster (issue 14), the same results: the line counts the per-character
rule's, the issues sheet's order pandas' sort, and the quality sheet's counts the groupby rules they replace."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from pipeline.issues import label as issue_label
from pipeline.report import district, quality
from pipeline.report.layout import column_lines, many_lines, row_lines
from pipeline.validate.consistency import SUBMISSION_CODES
from tests.report.test_write_cost import per_character_lines


def test_many_lines_equal_the_per_character_rule():
    alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxyÀẢẠĂẰẮÂẦẤĐƯ0123456789 .,;:()'|/-!?%=\t\xa0ABCXYZ²😀"
    rng = random.Random(11)
    for w in [2, 5, 9, 10, 16, 20, 24, 26, 42, 46, 70, 130 / 1.25, 57.4, 33.3]:
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 5, 12, 30, 60, 150, 400])))
                 for _ in range(1500)]
        texts += ["x" * k + " " * j for k in range(50) for j in range(12)] + ["a\nb" * 20, "dòng 1\ndòng 2 " * 9]
        assert many_lines(texts, w) == [per_character_lines(t, w) for t in texts], w
        column = texts + ["", None, 12.5]
        assert column_lines(column, w) == [per_character_lines(str(t), w) if t else 1 for t in column]
    assert many_lines([], 10) == [] and many_lines([12.5, "abc"], 4) == [per_character_lines("12.5", 4), per_character_lines("abc", 4)]
    assert row_lines([(["", "x" * 30], 10), (["y" * 50, ""], 20)]) == [per_character_lines("y" * 50, 20),
                                                                      per_character_lines("x" * 30, 10)]


def _issue_frame(rng: random.Random, n: int) -> pd.DataFrame:
    pick = lambda xs: [rng.choice(xs) for _ in range(n)]
    frame = pd.DataFrame({
        "_order": pick([0, 1, 2, 3]), "file_name": pick(["BC_a.xlsx", "BC_b.xlsx", None, "BC_c.xlsx"]),
        "_sev": pick([0, 1]), "source_ref": pick(["Biểu mẫu 1!D9", "Biểu mẫu 3!D30", None, "Biểu mẫu 1!D10", "Ả"]),
        "code": pick(["value-invalid", "part-exceeds-whole", None]), "message": pick(["a", "b", "Lệch", None, "lệch", "Z"])})
    return frame


def test_issues_sorted_as_sort_values():
    rng = random.Random(2)
    for n in (0, 1, 2, 50, 800):
        frame = _issue_frame(rng, n)
        expected = frame.sort_values(district._ISSUE_ORDER, kind="stable", na_position="last")
        assert district._sorted_issues(frame).index.tolist() == expected.index.tolist()
        as_strings = frame.astype({c: "string" for c in ("file_name", "source_ref", "code", "message")})
        assert district._sorted_issues(as_strings).index.tolist() == expected.index.tolist()
    mixed = _issue_frame(rng, 40).astype({"message": object})
    mixed.loc[3, "message"] = 7  # not a text: pandas decides
    assert district._sorted_issues(mixed).index.tolist() == mixed.sort_values(
        district._ISSUE_ORDER, kind="stable", na_position="last").index.tolist()


def _groupby_unit_quality(units, issues, values) -> pd.DataFrame:
    """The counts as unit_quality computed them with drop_duplicates and groupby (before issue 14)."""
    codes = pd.Index(units["code"].astype(str))
    on_value = issues[issues["indicator_code"].notna() & issues["severity"].isin(quality.FLAG_SEVERITIES)]
    flagged = on_value.drop_duplicates(["unit_code", "indicator_code"])
    given = values.drop_duplicates(["unit_code", "indicator_code"])
    covered = pd.concat([given[["unit_code", "indicator_code"]], flagged[["unit_code", "indicator_code"]]]).drop_duplicates()
    diverging = issues[issues["code"].isin(quality.DIVERGENCE_CODES) & issues["indicator_code"].notna()].drop_duplicates(
        ["unit_code", "indicator_code"])
    reviews = issues[issues["code"].isin(SUBMISSION_CODES)].drop_duplicates(["unit_code", "code"])
    review = reviews.groupby("unit_code")["code"].agg(lambda cs: "\n".join(issue_label(c) for c in sorted(cs)))

    def per_unit(frame):
        return frame.groupby("unit_code").size().reindex(codes, fill_value=0).to_numpy(dtype=np.int64)

    return pd.DataFrame({"n_values": per_unit(given), "n_flagged": per_unit(flagged), "covered": per_unit(covered),
                         "open_flags": per_unit(on_value), "divergent": per_unit(diverging),
                         "review": review.reindex(codes).fillna("").to_numpy(dtype=object)})


def test_quality_counts_equal_the_groupby_rules():
    rng = random.Random(4)
    units = pd.DataFrame({"code": ["ngoc_ky", "quang_trung", "chi_minh", "tien_dong"], "order": [1, 2, 3, 4],
                          "label": ["Xã Ngọc Kỳ", "Xã Quang Trung", "Thị trấn Chi Minh", "Xã Tiên Động"]})
    inds = ["I.1", "I.2", "I.2.1", "III.3.3", "III.3.3.1", "III.3.3.2", None]
    unit_pool = ["ngoc_ky", "quang_trung", "chi_minh", "la_ma", None]
    codes = ["value-invalid", "value-peer-divergent", "value-inconsistent-time", "sheet-hidden", *SUBMISSION_CODES]
    issues = pd.DataFrame({"unit_code": [rng.choice(unit_pool) for _ in range(400)],
                           "indicator_code": [rng.choice(inds) for _ in range(400)],
                           "severity": [rng.choice(["error", "warning", "info", None]) for _ in range(400)],
                           "code": [rng.choice(codes) for _ in range(400)]}).astype("string")
    values = pd.DataFrame({"unit_code": [rng.choice(unit_pool) for _ in range(300)],
                           "indicator_code": [rng.choice(inds) for _ in range(300)],
                           "value": [12.0] * 300}).astype({"unit_code": "string", "indicator_code": "string"})
    got = quality.unit_quality(units, pd.DataFrame(columns=["unit_code", "status", "late"]), values, issues)
    want = _groupby_unit_quality(units, issues, values)
    for c in ("n_values", "n_flagged", "open_flags", "divergent", "review"):
        assert got[c].tolist() == want[c].tolist(), c
    share = np.where(want["covered"] > 0, want["n_flagged"] / np.maximum(want["covered"], 1) * 100.0, np.nan)
    np.testing.assert_array_equal(got["flagged_share"].to_numpy(), share)
    assert got["n_values"].sum() > 0 and got["divergent"].sum() > 0 and (got["review"] != "").any()

    catalog = pd.DataFrame({"code": inds[:-1], "name": [f"Chỉ tiêu {c}" for c in inds[:-1]]})
    issues = issues[issues["unit_code"].notna()]  # a divergent unit is a known code (its label joins the list)
    per_ind = quality.indicator_divergence(issues, units, catalog)
    d = issues[issues["code"].isin(quality.DIVERGENCE_CODES) & issues["indicator_code"].notna()].drop_duplicates(
        ["unit_code", "indicator_code"])
    rank = {c: i for i, c in enumerate(units["code"])}
    label = dict(zip(units["code"], units["label"]))
    expected = []
    for code in sorted(set(d["indicator_code"])):
        g = d[d["indicator_code"] == code]
        us = sorted(range(len(g)), key=lambda k: rank.get(g["unit_code"].iloc[k], len(rank)))
        expected.append((code, len(g), ", ".join(str(label.get(g["unit_code"].iloc[k], g["unit_code"].iloc[k])) for k in us)))
    order = {c: i for i, c in enumerate(catalog["code"])}
    expected.sort(key=lambda e: (-e[1], order.get(e[0], len(order))))
    assert [(r["indicator_code"], r["n_units"], r["units"]) for r in per_ind.to_dict("records")] == expected
    assert quality.indicator_divergence(None, units, catalog).empty


def test_the_district_workbook_lets_go_of_its_cells_once_written(tmp_path):
    from pipeline.report import layout

    wb = layout.Workbook(str(tmp_path / "a.xlsx"), layout.workbook_options(in_memory=False))
    ws = wb.add_worksheet("x")
    ws.write_string(0, 0, "Xã Ngọc Kỳ")
    ws.set_row(0, 30)
    wb.close()
    assert (tmp_path / "a.xlsx").stat().st_size > 0 and not ws.table and not ws.row_info
