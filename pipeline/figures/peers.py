"""Each unit against the district (WHO Data Quality Review: consistency of a unit's ratio with the national ratio).

- A rate (agg `ratio`): the unit's own rate (recomputed from its parts when both are reported, as the ranking does)
  against the district rate; divergent beyond ±peer_threshold of the district rate (33 % by default).
- A count or an amount (agg `sum`): the unit's value against what its size makes expected, robustly: each count's
  usual value is the median over the units, each unit's size the median of its values over those usual values, and
  the expected value their product; divergent beyond peer_share_factor times the expected value or below its
  1/peer_share_factor (a value of 0 is not compared, and a count is compared only when at least MIN_UNITS units
  report it above 0). Medians keep one unit's huge value from making every other unit look small.

Pure functions over one period's values; thresholds from schemas/outliers.toml [quality] (validate.consistency).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from pipeline import issues as iss
from pipeline.figures.district import unit_grid
from pipeline.issues import CATALOG
from pipeline.validate.consistency import QualitySettings
from pipeline.vn import format as fmt

CODE = "value-peer-divergent"
DIVERGENT_COLUMNS = ["unit_code", "indicator_code", "kind", "value", "unit_figure", "district_figure", "deviation"]
# kind "rate": a rate against the district rate; kind "size": a count against what the unit's size makes expected
MIN_UNITS = 3  # fewer reporting units make no district to compare with


def peer_divergence(values: pd.DataFrame, indicators: pd.DataFrame, settings: QualitySettings) -> pd.DataFrame:
    """The period's (unit, indicator) pairs far from the district (DIVERGENT_COLUMNS; kind 'rate' or 'share').

    `values`: unit_code, indicator_code, value (accepted values of one period). kind 'rate': `value` and `unit_figure`
    are the unit's rate, `district_figure` the district rate (%); kind 'size': `value` and `unit_figure` are the count,
    `district_figure` the value its size makes expected; `deviation` is unit_figure / district_figure − 1.
    """
    if values is None or values.empty:
        return pd.DataFrame(columns=DIVERGENT_COLUMNS)
    units, codes, grid = unit_grid(values)
    row = {c: i for i, c in enumerate(codes)}
    ind = indicators.set_index("code") if "code" in indicators.columns else indicators
    out: list[pd.DataFrame] = []
    for code, num, den in zip(ind.index[ind["agg"] == "ratio"], ind.loc[ind["agg"] == "ratio", "numerator"],
                              ind.loc[ind["agg"] == "ratio", "denominator"]):
        if num not in row or den not in row:
            continue
        n, d = grid[row[num]], grid[row[den]]
        both = ~np.isnan(n) & ~np.isnan(d) & (d > 0)
        if both.sum() < MIN_UNITS:
            continue
        district = float(np.add.reduce(n[both])) / float(np.add.reduce(d[both])) * 100.0
        if district == 0:
            continue
        rate = np.where(both, n / np.where(both, d, 1.0) * 100.0, np.nan)
        dev = rate / district - 1.0
        hit = both & (np.abs(dev) > settings.peer_threshold + 1e-12)
        if hit.any():
            out.append(pd.DataFrame({"unit_code": units[hit], "indicator_code": code, "kind": "rate", "value": rate[hit],
                                     "unit_figure": rate[hit], "district_figure": district, "deviation": dev[hit]}))
    counts = [c for c in ind.index[ind["agg"] == "sum"] if c in row and (not settings.continuous or c in settings.continuous)]
    if counts and settings.peer_share_factor > 0:
        block = grid[[row[c] for c in counts]]  # counts × units
        positive = np.where(block > 0, block, np.nan)
        usable = (~np.isnan(positive)).sum(axis=1) >= MIN_UNITS  # zeros make no spread: MIN_UNITS values above 0
        positive[~usable] = np.nan
        with warnings.catch_warnings():  # an indicator or a unit without a positive value: NaN, compared with nothing
            warnings.simplefilter("ignore", RuntimeWarning)
            typical = np.nanmedian(positive, axis=1)  # the usual unit's value of each count
            relative = positive / typical[:, None]
            size = np.nanmedian(relative, axis=0)  # each unit's usual size against the usual unit
        expected = typical[:, None] * size[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = positive / expected
        factor = settings.peer_share_factor
        hit = ~np.isnan(ratio) & ((ratio > factor + 1e-12) | (ratio < 1.0 / factor - 1e-12))
        ci, ui = np.nonzero(hit)
        if len(ci):
            out.append(pd.DataFrame({"unit_code": units[ui], "indicator_code": np.asarray(counts, dtype=object)[ci],
                                     "kind": "size", "value": block[ci, ui], "unit_figure": block[ci, ui],
                                     "district_figure": expected[ci, ui], "deviation": ratio[ci, ui] - 1.0}))
    if not out:
        return pd.DataFrame(columns=DIVERGENT_COLUMNS)
    return pd.concat(out, ignore_index=True)[DIVERGENT_COLUMNS]


def peer_issues(divergent: pd.DataFrame, located: pd.DataFrame, indicators: pd.DataFrame,
                settings: QualitySettings) -> pd.DataFrame:
    """Issue rows (warehouse ISSUE_COLUMNS: submission_id first) of the divergent pairs, each on the unit's cell of the
    indicator (for a rate without a printed cell, its numerator's). `located`: unit_code, indicator_code,
    submission_id, source_ref of the period's values."""
    columns = ["submission_id", *[c for c in iss.COLUMNS if c != "file"]]
    if divergent.empty or located.empty:
        return pd.DataFrame(columns=columns)
    ind = indicators.set_index("code") if "code" in indicators.columns else indicators
    loc = located.drop_duplicates(["unit_code", "indicator_code"])[["unit_code", "indicator_code", "submission_id", "source_ref"]]
    d = divergent.merge(loc, on=["unit_code", "indicator_code"], how="left")
    missing = d["source_ref"].isna()
    if missing.any():  # a rate the unit did not print: its numerator's cell
        num = d.loc[missing, "indicator_code"].map(ind["numerator"])
        alt = d.loc[missing, ["unit_code"]].assign(indicator_code=num.to_numpy()).merge(
            loc, on=["unit_code", "indicator_code"], how="left")
        d.loc[missing, "submission_id"] = alt["submission_id"].to_numpy()
        d.loc[missing, "source_ref"] = alt["source_ref"].to_numpy()
    d = d[d["submission_id"].notna()]
    if d.empty:
        return pd.DataFrame(columns=columns)
    t_rate = fmt.decimal(settings.peer_threshold * 100)
    t_share = fmt.decimal(settings.peer_share_factor)
    value_t = fmt.decimals(d["value"].to_numpy(dtype=float))  # each distinct number formatted once
    district_t = fmt.decimals(d["district_figure"].to_numpy(dtype=float))
    dev = d["deviation"].to_numpy(dtype=float)
    apart_t = fmt.decimals(np.abs(dev) * 100, 1)
    times_t = fmt.decimals(dev + 1, 1)
    expected_t = fmt.decimals(d["district_figure"].to_numpy(dtype=float), 1)
    message = [
        (f"Tỷ lệ {v}% của chỉ tiêu {c} {'cao' if x > 0 else 'thấp'} hơn {a}% so với tỷ lệ chung của các đơn vị {dist}% "
         f"(ngưỡng ±{t_rate}%)") if kind == "rate" else
        (f"Giá trị {v} của chỉ tiêu {c} bằng {t} lần mức dự kiến theo quy mô của đơn vị so với các đơn vị khác "
         f"({e}; ngưỡng gấp {t_share} lần hoặc dưới 1/{t_share})")
        for kind, c, v, dist, x, a, t, e in zip(d["kind"], d["indicator_code"], value_t, district_t, dev, apart_t, times_t,
                                                expected_t)]
    refs = d["source_ref"].astype(str).to_numpy()
    parts = [r.rsplit("!", 2) for r in refs]
    return pd.DataFrame({
        "submission_id": d["submission_id"].astype(np.int64).to_numpy(), "severity": CATALOG[CODE].severity.value,
        "code": CODE, "message": message, "sheet": [p[1] if len(p) > 2 else "" for p in parts],
        "cell": [p[2] if len(p) > 2 else "" for p in parts], "source_ref": refs,
        "indicator_code": d["indicator_code"].to_numpy(dtype=object),
        "raw": value_t})[columns]
