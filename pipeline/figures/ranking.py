"""Ranking the units with the office's rubric: points, competition ranks (1, 2, 2, 4), bands, movement, targets, lists.

Pure functions over DataFrames; the workbook sheets that show them are in pipeline/report/ranking.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from pipeline.figures.district import unit_grid
from pipeline.vn import format as fmt
from pipeline.vn import labels
from pipeline.vn.periods import is_period, period_bounds, period_kind
from pipeline.reference.rubric import Rubric, Target, UnitList
from schemas.models import AREAS, ScoreModel, checked
from schemas.rubric_model import numbers

NOT_SUBMITTED = labels.MISSING.lower()  # in the rank column of a unit that did not submit
RESULT_MET, RESULT_MISSED, RESULT_NOT_DONE, RESULT_BLANK, RESULT_MISSING = (
    "Đạt", "Chưa đạt", "Chưa thực hiện", "Không báo cáo", labels.MISSING)
_EPS = 1e-9


# ------------------------------------------------------------------ unit values and points

def unit_values(values: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Wide unit × indicator values; a ratio is recomputed from the unit's own parts when both are reported.

    A ratio whose denominator is reported as 0 is blank (not a real 0 %); without both parts the printed rate stays.
    """
    if values is None or values.empty:
        return pd.DataFrame()
    units, codes, grid = unit_grid(values)
    wide = pd.DataFrame(grid.T, index=pd.Index(list(units), name="unit_code"),
                        columns=pd.Index(list(codes), name="indicator_code"))
    ind = indicators if indicators.index.name == "code" else indicators.set_index("code")
    ratios = ind[ind["agg"] == "ratio"]
    for code, num, den in zip(ratios.index, ratios["numerator"], ratios["denominator"]):
        if num not in wide.columns or den not in wide.columns:
            continue
        n, d = wide[num].to_numpy(), wide[den].to_numpy()
        both = ~np.isnan(n) & ~np.isnan(d)
        with np.errstate(divide="ignore", invalid="ignore"):
            recomputed = n / np.where(d > 0, d, np.nan) * 100.0
        printed = wide[code].to_numpy() if code in wide.columns else np.full(len(wide), np.nan)
        wide[code] = np.where(both, recomputed, printed)
    return wide


def criterion_points(value: float | None, crit: pd.Series | dict) -> float:
    """Points a value earns under one rubric row; its `not_reported` points when the value is blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return float(crit["not_reported"])
    v = float(value)
    if crit["method"] == "proportional":
        return round(float(crit["max_points"]) * min(max(v, 0.0) / float(crit["target"]), 1.0), 2)
    higher = crit["direction"] == "higher"
    for t, p in zip(numbers(crit["thresholds"]) or [], numbers(crit["points"]) or []):
        if (v >= t - _EPS) if higher else (v <= t + _EPS):
            return float(p)
    return 0.0


def competition_rank(scores: pd.Series) -> pd.Series:
    """Rank scores high to low; ties share a rank and the next rank skips (1, 2, 2, 4); blanks stay unranked."""
    return scores.astype(float).round(6).rank(method="min", ascending=False).astype("Int64")


def percent_of(points: float | None, maximum: float) -> float | None:
    """Points as a % of the maximum, rounded to the 2 decimals shown (bands are read from this figure)."""
    if points is None or pd.isna(points) or maximum <= 0:
        return None
    return round(float(points) / maximum * 100.0, 2)


def score_units(values: pd.DataFrame, rubric: Rubric, indicators: pd.DataFrame, units: pd.DataFrame,
                submitted: Iterable[str], not_applicable: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per registered unit (registry order): points per criterion and area, total, %, rank, band, area ranks.

    Units that did not submit keep blank points and no rank (`submitted` False). Each criterion is scored over all
    units at once (`_points`), with the same arithmetic as `criterion_points`.

    `not_applicable` (unit_code, indicator_code) lists the cells a unit answered "không áp dụng". On a criterion the
    rubric marks na_allowed, such a cell (without a value) scores nothing and lowers that unit's maximum instead
    (`max`, `max:<area>`; `na:<indicator>` True): its percentages are over the reduced maximum, and it is ranked by
    its total scaled to the full maximum (the total itself when nothing is lowered). A blank scores `not_reported`.
    """
    wide = unit_values(values, indicators)
    done = set(submitted)
    ordered = units.sort_values("order")
    if ordered.empty:
        return pd.DataFrame()
    criteria = rubric.criteria
    inds = list(criteria.index)
    grid = wide.reindex(index=list(ordered["code"]), columns=inds).to_numpy(dtype=float, na_value=float("nan"))
    codes = list(ordered["code"])
    sub = np.array([c in done for c in codes], dtype=bool)
    labels_ = list(ordered["label"])
    cols: dict[str, object] = {
        "unit_code": codes, "label": labels_,
        "name": list(ordered["name"]) if "name" in ordered.columns else labels_,
        "kind": list(ordered["kind"]) if "kind" in ordered.columns else [""] * len(codes),
        "order": np.array([int(o) for o in ordered["order"]], dtype=np.int64), "submitted": sub}
    na_cells = _na_cells(not_applicable, indicators)
    points: dict[str, np.ndarray] = {}
    lowered: dict[str, np.ndarray] = {area: np.zeros(len(codes)) for area in AREAS}  # points taken off each maximum
    any_na = False
    for j, (ind, crit) in enumerate(zip(inds, criteria.to_dict("records"))):
        vals = grid[:, j]
        points[ind] = _points(vals, crit)
        na = np.zeros(len(codes), dtype=bool)
        if na_cells and int(crit.get("na_allowed", 0) or 0):
            na = np.array([(c, ind) in na_cells for c in codes], dtype=bool) & np.isnan(vals) & sub
            if na.any():
                any_na = True
                points[ind] = np.where(na, 0.0, points[ind])
                lowered[crit["area"]] = lowered[crit["area"]] + np.where(na, float(crit["max_points"]), 0.0)
                cols[f"na:{ind}"] = na
        cols[f"val:{ind}"] = _blank_or_float(vals, ~np.isnan(vals))
        cols[f"pts:{ind}"] = _blank_or_float(points[ind], sub)
    areas: dict[str, np.ndarray] = {}
    for area in AREAS:
        acc = np.zeros(len(codes))
        for ind in rubric.criteria_of(area).index:  # summed in file order, as sum() over the list would
            acc = acc + points[ind]
        areas[area] = np.where(sub, _round2(acc), np.nan)
        cols[area] = areas[area]
    total = np.zeros(len(codes))
    for area in AREAS:
        total = total + np.nan_to_num(areas[area])
    cols["total"] = np.where(sub, _round2(total), np.nan)
    area_max = {area: np.round(rubric.area_max[area] - lowered[area], 6) for area in AREAS}
    unit_max = np.round(sum(area_max[a] for a in AREAS), 6)
    cols["max"] = unit_max
    out = pd.DataFrame(cols)
    for area in AREAS:
        out[area] = out[area].astype(float)
        out[f"max:{area}"] = area_max[area]
        if any_na:
            out[f"pct:{area}"] = pd.Series([percent_of(p, m) for p, m in zip(out[area], area_max[area])], index=out.index, dtype=float)
            out[f"rank:{area}"] = competition_rank(_scaled(out[area].to_numpy(dtype=float), area_max[area], rubric.area_max[area]))
        else:
            out[f"pct:{area}"] = pd.Series([percent_of(p, rubric.area_max[area]) for p in out[area]], index=out.index, dtype=float)
            out[f"rank:{area}"] = competition_rank(out[area])
    out["total"] = out["total"].astype(float)
    if any_na:
        out["percent"] = pd.Series([percent_of(p, m) if m > 0 else (0.0 if pd.notna(p) else None)
                                    for p, m in zip(out["total"], unit_max)], index=out.index, dtype=float)
        out["rank"] = competition_rank(_scaled(out["total"].to_numpy(dtype=float), unit_max, rubric.total_max))
    else:
        out["percent"] = pd.Series([percent_of(p, rubric.total_max) for p in out["total"]], index=out.index, dtype=float)
        out["rank"] = competition_rank(out["total"])
    out["band"] = [rubric.band(p) if s else "" for p, s in zip(out["percent"], out["submitted"])]
    return out


def _na_cells(not_applicable: pd.DataFrame | None, indicators: pd.DataFrame) -> set[tuple[str, str]]:
    """The (unit, indicator) cells answered "không áp dụng"; a ratio whose numerator or denominator the unit answered
    so does not apply to it either (when it has no value of its own: see the callers)."""
    if not_applicable is None or not_applicable.empty:
        return set()
    cells = set(zip(not_applicable["unit_code"].astype(str), not_applicable["indicator_code"].astype(str)))
    ind = indicators if indicators.index.name == "code" else indicators.set_index("code")
    ratios = ind[ind["agg"] == "ratio"]
    by_part: dict[str, list[str]] = {}
    for code, num, den in zip(ratios.index, ratios["numerator"], ratios["denominator"]):
        by_part.setdefault(str(num), []).append(str(code))
        by_part.setdefault(str(den), []).append(str(code))
    return cells | {(u, rate) for u, c in cells for rate in by_part.get(c, ())}


def _scaled(points: np.ndarray, maximum: np.ndarray, full: float) -> pd.Series:
    """Points scaled to the full maximum (points × full ÷ the unit's own maximum), the points themselves where the
    maximum is the full one: what a unit with a lowered maximum is ranked by."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(maximum < full - 1e-9, np.where(maximum > 0, points * full / maximum, 0.0 * points), points)
    return pd.Series(scaled, dtype=float)


def _points(vals: np.ndarray, crit: dict) -> np.ndarray:
    """`criterion_points` over an array of values (NaN: blank), with the same float operations."""
    out = np.full(len(vals), float(crit["not_reported"]))
    given = ~np.isnan(vals)
    x = vals[given]
    if crit["method"] == "proportional":
        low = np.where(0.0 > x, 0.0, x)  # max(v, 0.0)
        share = low / float(crit["target"])
        share = np.where(1.0 < share, 1.0, share)  # min(share, 1.0)
        out[given] = _round2(float(crit["max_points"]) * share)
        return out
    got = np.zeros(len(x))
    settled = np.zeros(len(x), dtype=bool)
    higher = crit["direction"] == "higher"
    for t, p in zip(numbers(crit["thresholds"]) or [], numbers(crit["points"]) or []):
        hit = ~settled & ((x >= t - _EPS) if higher else (x <= t + _EPS))
        got[hit] = float(p)
        settled |= hit
    out[given] = got
    return out


def _round2(x: np.ndarray) -> np.ndarray:
    """Python's round(v, 2) of each value (correctly rounded, unlike numpy's), each distinct value once."""
    uniq, inverse = np.unique(x, return_inverse=True)
    return np.array([round(float(u), 2) for u in uniq], dtype=float)[inverse.reshape(-1)] if len(x) else x.astype(float)


def _blank_or_float(x: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """A column as the records' None-or-float values would make it: floats with NaN, or all None (object)."""
    if keep.any():
        return np.where(keep, x, np.nan)
    return np.full(len(x), None, dtype=object)


def with_previous(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Add the previous period's rank and the change (previous rank − rank: + moved up, − moved down)."""
    out = current.copy()
    prev = {} if previous is None or previous.empty else dict(zip(previous["unit_code"], previous["rank"]))
    out["prev_rank"] = pd.array([prev.get(c, pd.NA) for c in out["unit_code"]], dtype="Int64")
    out["change"] = (out["prev_rank"] - out["rank"]).astype("Int64")
    return out


def rank_units(values: pd.DataFrame, rubric: Rubric, indicators: pd.DataFrame, units: pd.DataFrame,
               submitted: Iterable[str], previous_values: pd.DataFrame | None = None,
               not_applicable: pd.DataFrame | None = None,
               previous_not_applicable: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score and rank the period's units, then compare with the previous period scored by the same rubric.

    The previous period's ranked units are those with values in `previous_values`. `not_applicable` (and the previous
    period's) list the cells answered "không áp dụng" (see `score_units`).
    """
    current = score_units(values, rubric, indicators, units, submitted, not_applicable)
    previous = None
    if previous_values is not None and not previous_values.empty:
        previous = score_units(previous_values, rubric, indicators, units, set(previous_values["unit_code"]),
                               previous_not_applicable)
    scores = with_previous(current, previous)
    return checked(ScoreModel, scores) if len(scores) else scores  # once per period


def ranked_order(scores: pd.DataFrame, rank_col: str = "rank") -> pd.DataFrame:
    """Ranked units by rank then registry order, followed by the units that did not submit."""
    ranked = scores[scores["submitted"]].sort_values([rank_col, "order"], kind="stable")
    return pd.concat([ranked, scores[~scores["submitted"]].sort_values("order")])


# ------------------------------------------------------------------ the previous period

def previous_period(period_code: str, available: Iterable[str], mode: str = "preceding") -> str | None:
    """The period a ranking is compared with: the latest available one ending before `period_code` ends.

    mode "preceding": any kind (2023-H1 → 2022-Y when the year 2022 was ranked, or 2023-Q1 when it is newer);
    mode "same_kind": the same kind only (2023-H1 → 2022-H1; a quarter → the previous quarter).
    Ties on the end date prefer the same kind, then the longer period (2022-Y before 2022-H2 before 2022-Q4).
    """
    if not is_period(period_code):
        return None
    end = period_bounds(period_code)[1]
    kind = period_kind(period_code)
    best: tuple | None = None
    for p in set(available):
        if not is_period(p) or p == period_code:
            continue
        start_p, end_p = period_bounds(p)
        if end_p >= end or (mode == "same_kind" and period_kind(p) != kind):
            continue
        key = (end_p, period_kind(p) == kind, -start_p.toordinal(), p)
        if best is None or key > best:
            best = key
    return best[-1] if best else None


# ------------------------------------------------------------------ targets and lists

def target_results(scores: pd.DataFrame, wide: pd.DataFrame, target: Target) -> pd.DataFrame:
    """Per unit (the order of `scores`): the target indicator's value and its result (Đạt, Chưa đạt, Chưa thực hiện…)."""
    column = wide[target.indicator] if target.indicator in wide.columns else None
    vals = ([column.get(u) if u in column.index else None for u in scores["unit_code"]] if column is not None
            else [None] * len(scores))
    results = []
    for v, sub in zip(vals, scores["submitted"]):
        if not sub:
            results.append(RESULT_MISSING)
        elif v is None or pd.isna(v):
            results.append(RESULT_BLANK)
        elif target.met(float(v)):
            results.append(RESULT_MET)
        elif target.zero_is_not_done and abs(float(v)) < _EPS:
            results.append(RESULT_NOT_DONE)
        else:
            results.append(RESULT_MISSED)
    return pd.DataFrame({"unit_code": scores["unit_code"].values, "label": scores["label"].values,
                         "short": _short_names(scores),
                         "value": pd.to_numeric(pd.Series(vals, dtype=object), errors="coerce").values, "result": results})


def list_members(wide: pd.DataFrame, units: pd.DataFrame, item: UnitList) -> pd.DataFrame:
    """Units (registry order) on a quoted list, with their value (the indicator, or whole − part)."""
    rows = []
    ordered = units.sort_values("order")
    columns = {c: wide[c] for c in (item.indicator, item.whole, item.part) if c and c in wide.columns}
    present = set(wide.index)
    for code, label, short in zip(ordered["code"], ordered["label"], _short_names(ordered)):
        if code not in present:
            continue
        if item.indicator:
            v = columns[item.indicator].get(code) if item.indicator in columns else None
        else:
            w = columns[item.whole].get(code) if item.whole in columns else None
            p = columns[item.part].get(code) if item.part in columns else None
            v = None if w is None or p is None or pd.isna(w) or pd.isna(p) else float(w) - float(p)
        if v is not None and pd.notna(v) and item.selects(float(v)):
            rows.append({"unit_code": code, "label": label, "short": short, "value": float(v)})
    return pd.DataFrame(rows, columns=["unit_code", "label", "short", "value"])


# ------------------------------------------------------------------ sentences the district report quotes

def short_name(unit: pd.Series | dict) -> str:
    """A unit as the report names it in a list: a xã by its bare name, others with their kind ('thị trấn Tứ Kỳ')."""
    kind = unit.get("kind", "")
    name = unit.get("name", "") or unit.get("label", "")
    return str(name) if kind == "xã" else str(unit.get("label", name))


def _short_names(frame: pd.DataFrame) -> list[str]:
    """`short_name` of every row of a units or scores frame (column by column, not row by row)."""
    n = len(frame)
    kinds = frame["kind"] if "kind" in frame.columns else [""] * n
    names = frame["name"] if "name" in frame.columns else [""] * n
    labels_ = frame["label"] if "label" in frame.columns else [None] * n
    out = []
    for kind, name, label in zip(kinds, names, labels_):
        name = name or ("" if label is None else label)
        out.append(str(name) if kind == "xã" else str(name if label is None else label))
    return out


def nn(n: float) -> str:
    """A count as the report writes it: two digits from 1 to 9 ('09'), dots between thousands ('23.378'), zero '0'."""
    return fmt.count(n, two_digits=True)


def band_sentences(scores: pd.DataFrame, rubric: Rubric) -> list[str]:
    """One sentence per band with units: how many, the % range, the band and who (seed 002 lines 817–826)."""
    out = []
    bands = list(rubric.bands)
    ranked = ranked_order(scores)
    ranked = ranked[ranked["submitted"]]
    for i, b in enumerate(bands):
        members = ranked[ranked["band"] == b.label]
        if members.empty:
            continue
        upper = bands[i - 1].min_percent if i > 0 else None
        if upper is None:
            span = f"từ {fmt.decimal(b.min_percent)}% trở lên"
        elif b.min_percent <= 0:
            span = f"dưới {fmt.decimal(upper)}%"
        else:
            span = f"từ {fmt.decimal(b.min_percent)}% đến dưới {fmt.decimal(upper)}%"
        names = ", ".join(_short_names(members))
        out.append(f"Có {nn(len(members))} đơn vị đạt {span} số điểm tối đa (điểm tối đa là {fmt.decimal(rubric.total_max)} điểm), "
                   f"xếp loại {b.label}, gồm: {names}.")
    missing = scores[~scores["submitted"]]
    if not missing.empty:
        out.append(f"Có {nn(len(missing))} đơn vị chưa nộp báo cáo, chưa xếp hạng: "
                   + ", ".join(_short_names(missing)) + ".")
    return out


def comparison_sentences(scores: pd.DataFrame) -> list[str]:
    """'Thứ hạng kỳ trước của xã Ngọc Quang: so sánh với các đơn vị cũ: xã Ngọc Kỳ, …' for each unit compared through its
    lineage (a merger, a rename) or without a comparable past (a split); none when every unit compares with itself."""
    if "compared_with" not in scores.columns:
        return []
    out = []
    for label, note in zip(scores["label"], scores["compared_with"]):
        if isinstance(note, str) and note:
            out.append(f"Thứ hạng kỳ trước của {label}: {note}.")
    return out


def target_sentence(results: pd.DataFrame, target: Target) -> str:
    """'09 đơn vị đạt chỉ tiêu, 13 đơn vị chưa đạt, 01 đơn vị chưa thực hiện (Tân Kỳ)' (seed 002 line 742)."""
    parts = []
    for result, phrase, named in ((RESULT_MET, "đạt chỉ tiêu", False), (RESULT_MISSED, "chưa đạt", False),
                                  (RESULT_NOT_DONE, "chưa thực hiện", True), (RESULT_BLANK, "không báo cáo", True),
                                  (RESULT_MISSING, "chưa nộp báo cáo", True)):
        who = results[results["result"] == result]
        if who.empty and result not in (RESULT_MET, RESULT_MISSED):
            continue
        text = f"{nn(len(who))} đơn vị {phrase}"
        if named and not who.empty:
            text += " (" + ", ".join(who["short"]) + ")"
        parts.append(text)
    return f"{target.label}: " + ", ".join(parts) + "."


def list_sentence(members: pd.DataFrame, item: UnitList) -> str:
    """'19 hồ sơ … ở 09 đơn vị: Hà Kỳ (04), Tái Sơn (01), …' (seed 002 lines 298–301), or the names for a % list."""
    if members.empty:
        return f"{item.title}: không có."
    whole_numbers = all(float(v).is_integer() for v in members["value"])
    if item.unit and item.unit != "%" and whole_numbers:
        total = members["value"].sum()
        names = ", ".join(f"{s} ({nn(v)})" for s, v in zip(members["short"], members["value"]))
        return f"{item.title}: {nn(total)} {item.unit} ở {nn(len(members))} đơn vị: {names}."
    return f"{item.title}: {nn(len(members))} đơn vị: " + ", ".join(members["short"]) + "."
