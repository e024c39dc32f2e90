"""What to fix first: the weight of each flagged value on the district figure and on the unit's rank and band.

Modelled on selective editing (survey offices sort edits by their effect on the estimate) and the WHO Data Quality
Review's ranking of outliers by their weight on the total. For every unit and indicator with a value:

- the district figure of the indicator with and without that unit's value, each by the indicator's own rule
  (pipeline.figures.district: sums; rates recomputed from the summed parts, so a rate "without" the unit leaves out
  its numerator and denominator; unit-level shares averaged; coded answers counted), as an absolute change
  (figure with − figure without) and a relative one (that change over the figure with the value);
- for the rubric's criteria (pipeline.figures.ranking), the unit's total scored with the value and with it treated
  as not reported (a part of a rate criterion left out makes the rate fall back to the printed one), and so its rank
  among the other units (theirs unchanged) and its band.

Issues are then ordered: first those whose value changes the unit's band, then its rank, then by the relative and the
absolute change of the figure; issues on no value (a whole file, a value refused by an error) come last.
Pure functions over frames; each indicator's work is one pass over arrays of all units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.figures.district import unit_grid
from pipeline.figures.ranking import _points, _round2, percent_of, score_units
from pipeline.reference.rubric import Rubric
from schemas.models import AREAS

FIGURE_COLUMNS = ["unit_code", "indicator_code", "with_value", "without_value", "impact_abs", "impact_rel"]
SCORE_COLUMNS = ["unit_code", "indicator_code", "rank_with", "rank_without", "band_with", "band_without"]
IMPACT_COLUMNS = ["impact_abs", "impact_rel", "rank_with", "rank_without", "band_with", "band_without", "impact_order"]
TOP = 10  # "Lỗi, cảnh báo cần sửa trước": at most this many


def _indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    return indicators.set_index("code") if "code" in indicators.columns else indicators


# ------------------------------------------------------------------ district figures with and without a unit

def figure_changes(values: pd.DataFrame, indicators: pd.DataFrame, grid: tuple | None = None) -> pd.DataFrame:
    """Every (unit, indicator) with a value: the district figure with and without it and the change (FIGURE_COLUMNS).

    `values`: v_values rows of one period (unit_code, indicator_code, value); `grid`: their `unit_grid` when already made.
    """
    if values is None or values.empty:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    units, codes, grid = grid if grid is not None else unit_grid(values)
    column = {c: i for i, c in enumerate(codes)}
    ind = _indicators(indicators)
    parts: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
    for code, agg, num, den in zip(ind.index, ind["agg"], ind["numerator"], ind["denominator"]):
        own = grid[column[code]] if code in column else None
        if agg == "ratio":
            if num not in column or den not in column:
                continue
            n, d = grid[column[num]], grid[column[den]]
            both = ~np.isnan(n) & ~np.isnan(d)
            if not both.any():
                continue
            total_n, total_d = float(np.add.reduce(n[both])), float(np.add.reduce(d[both]))
            with_v = np.nan if total_d == 0 else total_n / total_d * 100.0
            rest_n, rest_d = total_n - np.where(both, n, 0.0), total_d - np.where(both, d, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                without = np.where(rest_d != 0, rest_n / rest_d * 100.0, np.nan)
            without = np.where(both, without, with_v)
            at = both | (~np.isnan(own) if own is not None else False)
        elif own is None:
            continue
        else:
            at = ~np.isnan(own)
            if not at.any():
                continue
            col = np.where(at, own, 0.0)
            n_units = int(at.sum())
            if agg == "sum":
                with_v = float(np.add.reduce(col[at]))
                without = np.where(n_units > 1, with_v - col, np.nan)
            elif agg == "unit_share":
                total = float(np.add.reduce(col[at]))
                with_v = total / n_units
                without = (total - col) / (n_units - 1) if n_units > 1 else np.full(len(col), np.nan)
            elif agg == "by_code":
                with_v, without = _by_code_without(own, at)
            else:
                continue
        idx = np.flatnonzero(at)
        parts.append((code, idx, np.full(len(idx), with_v, dtype=float), np.asarray(without, dtype=float)[idx]))
    if not parts:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    idx = np.concatenate([p[1] for p in parts])
    with_v = np.concatenate([p[2] for p in parts])
    without = np.concatenate([p[3] for p in parts])
    change = with_v - np.where(np.isnan(without), 0.0, without)  # a figure that exists only with the unit: all of it
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(with_v != 0, change / np.abs(with_v), np.where(change == 0, 0.0, 1.0))
    rel = np.where(np.isnan(with_v), np.nan, rel)
    return pd.DataFrame({"unit_code": np.asarray(units, dtype=object)[idx],
                         "indicator_code": np.repeat(np.array([p[0] for p in parts], dtype=object), [len(p[1]) for p in parts]),
                         "with_value": with_v, "without_value": without, "impact_abs": change, "impact_rel": rel})


def _by_code_without(own: np.ndarray, at: np.ndarray) -> tuple[float, np.ndarray]:
    """A coded indicator's figure (units giving the highest answer) with all units, and without each unit."""
    answers = own[at].astype(int)
    top = int(answers.max())
    n_top = int((answers == top).sum())
    lower = answers[answers < top]
    second, n_second = (int(lower.max()), int((lower == lower.max()).sum())) if len(lower) else (None, 0)
    v = np.where(at, own, np.nan)
    without = np.where(v == top, n_top - 1.0, float(n_top))
    if n_top == 1:  # the only unit with the top answer: without it the top is the next answer
        without = np.where(v == top, float(n_second) if second is not None else np.nan, without)
    if at.sum() <= 1:
        without = np.full(len(own), np.nan)
    return float(n_top), without


# ------------------------------------------------------------------ rank and band with and without a value

def score_changes(values: pd.DataFrame, rubric: Rubric, indicators: pd.DataFrame, units: pd.DataFrame,
                  submitted, flagged: pd.DataFrame, scores: pd.DataFrame | None = None,
                  grid: tuple | None = None) -> pd.DataFrame:
    """For each flagged (unit_code, indicator_code): the unit's rank and band with the value and with it treated as not
    reported, the other units' scores unchanged (SCORE_COLUMNS). `scores` is the period's rank_units result when known;
    `grid` the values' `unit_grid` when already made."""
    flagged = flagged[["unit_code", "indicator_code"]].dropna().drop_duplicates()
    if flagged.empty or values is None or values.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    if scores is None:
        scores = score_units(values, rubric, indicators, units, submitted)
    if scores.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    ind = _indicators(indicators)
    criteria = rubric.criteria
    codes = list(scores["unit_code"])
    sub = scores["submitted"].to_numpy(dtype=bool)
    g_units, g_codes, grid = grid if grid is not None else unit_grid(values)
    g_row = {u: i for i, u in enumerate(g_units)}
    g_col = {c: i for i, c in enumerate(g_codes)}
    # each scored unit's column in the grid; a unit without values points at an all-NaN column added at the end
    padded = np.concatenate([grid, np.full((grid.shape[0], 1), np.nan)], axis=1)
    at_grid = np.array([g_row.get(u, len(g_units)) for u in codes], dtype=np.int64)
    everyone = np.arange(len(codes))

    def column(code: str, rows: np.ndarray) -> np.ndarray:
        """The unit values of indicator `code` of the scored units `rows` (NaN: none)."""
        j = g_col.get(code)
        return padded[j, at_grid[rows]] if j is not None else np.full(len(rows), np.nan)

    def criterion_value(c: str, blank: str | None, rows: np.ndarray) -> np.ndarray:
        """The criterion's unit value as ranking.unit_values makes it, with indicator `blank` left out (units `rows`)."""
        printed = column(c, rows) if c != blank else np.full(len(rows), np.nan)
        if c in ind.index and ind.at[c, "agg"] == "ratio":
            num, den = ind.at[c, "numerator"], ind.at[c, "denominator"]
            n = column(num, rows) if num != blank else np.full(len(rows), np.nan)
            d = column(den, rows) if den != blank else np.full(len(rows), np.nan)
            both = ~np.isnan(n) & ~np.isnan(d)
            with np.errstate(divide="ignore", invalid="ignore"):
                recomputed = n / np.where(d > 0, d, np.nan) * 100.0
            return np.where(both, recomputed, printed)
        return printed

    crits = criteria.to_dict("records")
    names = list(criteria.index)
    area_of = {c: str(criteria.at[c, "area"]) for c in names}
    points = {c: _points(criterion_value(c, None, everyone), crit) for c, crit in zip(names, crits)}
    area_raw = {}
    for area in AREAS:
        acc = np.zeros(len(codes))
        for c in rubric.criteria_of(area).index:
            acc = acc + points[c]
        area_raw[area] = acc
    area_round = {a: _round2(area_raw[a]) for a in AREAS}
    totals = np.where(sub, _round2(sum(area_round[a] for a in AREAS)), np.nan)
    key = np.round(totals, 6)
    others = np.sort(key[sub])
    rank_with = scores["rank"].to_numpy(dtype=float, na_value=np.nan)
    band_with = scores["band"].to_numpy(dtype=object)
    position = {c: i for i, c in enumerate(codes)}
    uses: dict[str, list[str]] = {}
    for c in names:
        uses.setdefault(c, []).append(c)
        if c in ind.index and ind.at[c, "agg"] == "ratio":
            for part in (ind.at[c, "numerator"], ind.at[c, "denominator"]):
                uses.setdefault(part, []).append(c)
    band_of: dict[float, str] = {}  # a total's band, worked out once

    def band(total: float) -> str:
        b = band_of.get(total)
        if b is None:
            b = band_of[total] = rubric.band(percent_of(total, rubric.total_max))
        return b

    # the flagged pairs grouped by indicator (in order of first appearance, rows in their order), as groupby(sort=False)
    all_units = flagged["unit_code"].to_numpy(dtype=object)
    all_at = np.array([position.get(u, -1) for u in all_units], dtype=np.int64)
    group, keys = pd.factorize(flagged["indicator_code"].to_numpy(dtype=object))
    by_group = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[by_group], np.arange(len(keys) + 1))
    cols: dict[str, list] = {c: [] for c in SCORE_COLUMNS}
    for g, k in enumerate(keys):
        rows = by_group[bounds[g]:bounds[g + 1]]
        at = all_at[rows]
        keep = at >= 0
        at, unit_codes = at[keep], all_units[rows][keep]
        if not len(at):
            continue
        affected = uses.get(k, [])
        new_rank, new_band = rank_with[at].copy(), band_with[at].copy()
        if affected:  # only the flagged units' figures change: worked out for them alone, each as for all units
            delta = {a: np.zeros(len(at)) for a in AREAS}
            for c in affected:
                crit = crits[names.index(c)]
                delta[area_of[c]] = delta[area_of[c]] + (_points(criterion_value(c, k, at), crit) - points[c][at])
            touched = {area_of[c] for c in affected}  # the other areas keep their rounded points (a sign of zero aside)
            new_total = _round2(sum(_round2(area_raw[a][at] + delta[a]) if a in touched else area_round[a][at]
                                    for a in AREAS))
            new_key = np.round(new_total, 6)
            greater = len(others) - np.searchsorted(others, new_key, side="right")
            greater = greater - (key[at] > new_key)  # the unit itself, at its old total, is not one of the others
            new_rank = np.where(sub[at], greater + 1.0, np.nan)
            new_band = np.full(len(at), "", dtype=object)
            scored = sub[at]
            if scored.any():  # each distinct total's band once
                uniq, inverse = np.unique(new_total[scored], return_inverse=True)
                new_band[scored] = np.array([band(t) for t in uniq.tolist()], dtype=object)[inverse.reshape(-1)]
        for c, v in (("unit_code", unit_codes), ("indicator_code", np.full(len(at), k, dtype=object)),
                     ("rank_with", rank_with[at]), ("rank_without", new_rank), ("band_with", band_with[at]),
                     ("band_without", new_band)):
            cols[c].append(v)
    if not cols["unit_code"]:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    frame = pd.DataFrame({c: np.concatenate(v) for c, v in cols.items()})
    for c in ("rank_with", "rank_without"):
        frame[c] = pd.array(frame[c].to_numpy(dtype=float), dtype="Float64").astype("Int64")
    return frame[SCORE_COLUMNS]


# ------------------------------------------------------------------ the issues, ordered by impact

def rank_issues(issues: pd.DataFrame, values: pd.DataFrame, indicators: pd.DataFrame, rubric: Rubric | None = None,
                units: pd.DataFrame | None = None, submitted=(), scores: pd.DataFrame | None = None,
                grid: tuple | None = None) -> pd.DataFrame:
    """The period's issues (warehouse.period_issues rows) with the impact columns, ordered by impact (`impact_order`
    1, 2, …; issues on the same unit and indicator share their value's order).

    An issue has an impact when its unit has a value of its indicator in `values` (accepted values of the period);
    `grid` is their `unit_grid` when already made.
    """
    out = issues.reset_index(drop=True).copy()
    for c in IMPACT_COLUMNS:
        if c in out.columns:
            out = out.drop(columns=c)
    if out.empty:
        for c in IMPACT_COLUMNS:
            out[c] = pd.Series(dtype=object)
        return out
    out["_pos"] = np.arange(len(out))
    figures = figure_changes(values, indicators, grid) if out[["unit_code", "indicator_code"]].notna().all(axis=1).any() \
        else pd.DataFrame(columns=FIGURE_COLUMNS)
    issue_key, figure_key = _pair_keys(out, figures)  # pairs as integers: one pass of hashing instead of one per merge
    flagged = np.isin(figure_key, issue_key[issue_key >= 0])
    figures, figure_key = figures[flagged].reset_index(drop=True), figure_key[flagged]  # figures of the issues' values
    if rubric is not None and units is not None and len(figures):
        ranks = score_changes(values, rubric, indicators, units, submitted, figures, scores, grid)
    else:
        ranks = pd.DataFrame(columns=SCORE_COLUMNS)
    impact = figures[["unit_code", "indicator_code", "impact_abs", "impact_rel"]].merge(
        ranks, on=["unit_code", "indicator_code"], how="left")
    impact = impact.drop(columns=["unit_code", "indicator_code"]).assign(_key=figure_key)
    out["_key"] = issue_key  # −1 (an issue without a unit or an indicator) is no figure's
    out = out.merge(impact, on="_key", how="left", sort=False)  # a left merge keeps the issues' order
    key = out.pop("_key").to_numpy()
    pos = out.pop("_pos").to_numpy()
    has = out["impact_abs"].notna().to_numpy()
    band = (has & (out["band_with"].fillna("").to_numpy(dtype=object) != out["band_without"].fillna("").to_numpy(dtype=object)))
    rank_w = out["rank_with"].to_numpy(dtype=float, na_value=np.nan) if "rank_with" in out else np.full(len(out), np.nan)
    rank_wo = out["rank_without"].to_numpy(dtype=float, na_value=np.nan) if "rank_without" in out else np.full(len(out), np.nan)
    moved = has & ~np.isnan(rank_w) & (rank_w != rank_wo)
    sort = pd.DataFrame({
        "none": ~has, "band": ~band, "rank": ~moved,
        "rel": -np.abs(out["impact_rel"].to_numpy(dtype=float, na_value=0.0)),
        "abs": -np.abs(out["impact_abs"].to_numpy(dtype=float, na_value=0.0)),
        "sev": (out["severity"] != "error").to_numpy() if "severity" in out else np.zeros(len(out), dtype=bool),
        "pos": pos})
    order = np.lexsort([sort[c].to_numpy() for c in reversed(sort.columns)])
    out = out.iloc[order].reset_index(drop=True)
    first = ~pd.Series(key[order]).duplicated().to_numpy() | ~has[order]
    out["impact_order"] = pd.array(np.where(has[order], np.cumsum(first & has[order]), 0), dtype="Int64")
    out.loc[~has[order], "impact_order"] = pd.NA
    return out


def top_issues(ranked: pd.DataFrame, n: int = TOP) -> pd.DataFrame:
    """The first `n` issues of `rank_issues` that move something (a figure, a rank or a band)."""
    if ranked is None or ranked.empty or "impact_order" not in ranked.columns:
        return ranked.iloc[0:0] if ranked is not None else pd.DataFrame()
    def moving(part: pd.DataFrame) -> pd.Series:
        return part["impact_order"].notna() & ((part["impact_abs"].fillna(0) != 0) | changes(part, "rank")
                                               | changes(part, "band"))

    if n >= 0 and len(ranked) > 4 * max(n, 64):  # the ranked issues that move come first: look at the head first
        head = ranked.iloc[:4 * max(n, 64)]
        found = head[moving(head)]
        if len(found) >= n:
            return found.head(n)
    return ranked[moving(ranked)].head(n)


def changes(ranked: pd.DataFrame, what: str) -> pd.Series:
    """Whether each issue's value changes the unit's `what` ("rank" or "band") when treated as not reported."""
    w, wo = ranked[f"{what}_with"], ranked[f"{what}_without"]
    if what == "rank":
        w, wo = w.astype("Float64"), wo.astype("Float64")
        return (w.notna() & wo.notna() & (w != wo)).fillna(False).astype(bool)
    return (w.notna() & (w.fillna("") != wo.fillna(""))).astype(bool)


def stored_impact(ranked: pd.DataFrame) -> pd.DataFrame:
    """One row per unit and indicator with an impact (unit_code, indicator_code, IMPACT_COLUMNS): what the warehouse
    keeps on the issues of that value (warehouse.store_impact)."""
    if ranked is None or ranked.empty or "impact_order" not in ranked.columns:
        return pd.DataFrame(columns=["unit_code", "indicator_code", *IMPACT_COLUMNS])
    kept = ranked.loc[ranked["impact_order"].notna().to_numpy(), ["unit_code", "indicator_code", *IMPACT_COLUMNS]]
    return kept.drop_duplicates(["unit_code", "indicator_code"]).reset_index(drop=True)


def _pair_keys(*frames: pd.DataFrame) -> list[np.ndarray]:
    """Each row's (unit_code, indicator_code) pair as one integer, the same pair the same integer in every frame;
    −1 where either is missing."""
    sizes = np.cumsum([len(f) for f in frames])[:-1]
    u = pd.factorize(np.concatenate([f["unit_code"].to_numpy(dtype=object) for f in frames]))[0].astype(np.int64)
    i = pd.factorize(np.concatenate([f["indicator_code"].to_numpy(dtype=object) for f in frames]))[0].astype(np.int64)
    key = np.where((u >= 0) & (i >= 0), u * (int(i.max(initial=0)) + 1) + i, -1)
    return np.split(key, sizes)
