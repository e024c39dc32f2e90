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


def peer_divergence(values: pd.DataFrame, indicators: pd.DataFrame, settings: QualitySettings,
                    grid: tuple | None = None) -> pd.DataFrame:
    """The period's (unit, indicator) pairs far from the district (DIVERGENT_COLUMNS; kind 'rate' or 'share').

    `values`: unit_code, indicator_code, value (accepted values of one period). kind 'rate': `value` and `unit_figure`
    are the unit's rate, `district_figure` the district rate (%); kind 'size': `value` and `unit_figure` are the count,
    `district_figure` the value its size makes expected; `deviation` is unit_figure / district_figure − 1.
    `grid`: the values' `unit_grid` when already made.
    """
    if values is None or values.empty:
        return pd.DataFrame(columns=DIVERGENT_COLUMNS)
    units, codes, grid = grid if grid is not None else unit_grid(values)
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
    # each divergent pair's first located value (as a left merge with the located values' first rows would take it)
    units, unit_ids = _ids(divergent["unit_code"], located["unit_code"])
    codes, code_ids = _ids(divergent["indicator_code"], located["indicator_code"])
    width = len(codes) + 1
    loc_sid = located["submission_id"].to_numpy(dtype=float, na_value=np.nan)
    loc_ref = located["source_ref"].to_numpy(dtype=object)
    loc_ref_known = located["source_ref"].notna().to_numpy()
    first_key, first_row = np.unique(unit_ids[1] * width + code_ids[1], return_index=True)

    def lookup(unit_at: np.ndarray, code_at: np.ndarray) -> np.ndarray:
        """The located row of each (unit id, indicator id) pair, −1 where there is none."""
        key = unit_at * width + code_at
        i = np.minimum(np.searchsorted(first_key, key), max(len(first_key) - 1, 0))
        hit = (code_at >= 0) & (unit_at >= 0) & (len(first_key) > 0)
        hit &= first_key[i] == key if len(first_key) else False
        return np.where(hit, first_row[i] if len(first_key) else -1, -1)

    row = lookup(unit_ids[0], code_ids[0])
    missing = (row < 0) | ~loc_ref_known[np.maximum(row, 0)]
    if missing.any():  # a rate the unit did not print: its numerator's cell
        num = divergent["indicator_code"].to_numpy(dtype=object)[missing]
        num = pd.Series(num, dtype=object).map(ind["numerator"]).to_numpy(dtype=object)
        num_at = pd.Index(codes).get_indexer(num)  # a numerator no located value has: no cell
        row[missing] = lookup(unit_ids[0][missing], num_at)
    sid = np.where(row >= 0, loc_sid[np.maximum(row, 0)], np.nan)
    keep = ~np.isnan(sid)
    if not keep.any():
        return pd.DataFrame(columns=columns)
    d = divergent[keep]
    sid, row = sid[keep], row[keep]
    t_rate = fmt.decimal(settings.peer_threshold * 100)
    t_share = fmt.decimal(settings.peer_share_factor)
    kind = d["kind"].to_numpy(dtype=object)
    code = d["indicator_code"].to_numpy(dtype=object)
    value_t = fmt.decimals(d["value"].to_numpy(dtype=float))  # each distinct number formatted once
    district = d["district_figure"].to_numpy(dtype=float)
    dev = d["deviation"].to_numpy(dtype=float)
    rate = kind == "rate"
    size = ~rate
    message = np.empty(len(d), dtype=object)
    if rate.any():  # only what each kind's message quotes is formatted, each value as for all rows
        message[rate] = [
            f"Tỷ lệ {v}% của chỉ tiêu {c} {'cao' if x > 0 else 'thấp'} hơn tỷ lệ chung của các đơn vị ({dist}%): chênh lệch "
            f"tương đối {a}% (ngưỡng ±{t_rate}%)"
            for c, v, dist, x, a in zip(code[rate].tolist(), value_t[rate].tolist(), fmt.decimals(district[rate]).tolist(),
                                        dev[rate].tolist(), fmt.decimals(np.abs(dev[rate]) * 100, 1).tolist())]
    if size.any():
        message[size] = [
            f"Giá trị {v} của chỉ tiêu {c} bằng {t} lần mức dự kiến {e} (theo quy mô của đơn vị so với các đơn vị "
            f"khác; ngưỡng gấp {t_share} lần hoặc dưới 1/{t_share})"
            for c, v, t, e in zip(code[size].tolist(), value_t[size].tolist(), fmt.decimals(dev[size] + 1, 1).tolist(),
                                  fmt.decimals(district[size], 1).tolist())]
    refs = loc_ref[row]  # every kept pair has its cell
    if not isinstance(located["source_ref"].dtype, pd.StringDtype):  # text already (a str column's astype(str) is itself)
        refs = pd.Series(refs, dtype=object).astype(str).to_numpy()
    sheet, cell = (list(x) for x in zip(*map(iss.sheet_cell, refs))) if len(refs) else ([], [])
    return pd.DataFrame({
        "submission_id": sid.astype(np.int64), "severity": CATALOG[CODE].severity.value,
        "code": CODE, "message": message, "sheet": sheet, "cell": cell, "source_ref": refs,
        "indicator_code": code, "raw": value_t})[columns]


def _ids(wanted: pd.Series, known: pd.Series) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The distinct values of both columns and each one's number (−1: missing) in `wanted` and in `known`."""
    both = np.concatenate([wanted.to_numpy(dtype=object), known.to_numpy(dtype=object)])
    ids, uniques = pd.factorize(both)
    return np.asarray(uniques, dtype=object), (ids[:len(wanted)].astype(np.int64), ids[len(wanted):].astype(np.int64))


def with_messages(issues: pd.DataFrame, peers: pd.DataFrame) -> pd.DataFrame | None:
    """`issues` (warehouse.period_issues rows, read without the messages of this kind) with the messages of `peers`
    (the peer_issues rows stored for the period), each found by its submission and indicator (one row each); None
    when one of them has no such row (then read them with their messages)."""
    blank = (issues["code"] == CODE).to_numpy(dtype=bool) & issues["message"].isna().to_numpy()
    if not blank.any():
        return issues
    if peers.empty:
        return None
    codes, (want, have) = _ids(issues.loc[blank, "indicator_code"], peers["indicator_code"])
    width = len(codes) + 1
    want = issues.loc[blank, "submission_id"].to_numpy(dtype=np.int64) * width + want
    have = peers["submission_id"].to_numpy(dtype=np.int64) * width + have
    index = pd.Index(have)
    if not index.is_unique:
        return None
    at = index.get_indexer(want)
    if (at < 0).any():
        return None
    message = issues["message"].to_numpy(dtype=object, copy=True)  # the frame read stays as it was
    message[blank] = peers["message"].to_numpy(dtype=object)[at]
    return issues.assign(message=pd.Series(message, index=issues.index))  # the type read from the warehouse (str)
