"""District figures from the units' accepted values, each with its own rule and the units it covers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.vn import format as fmt
from schemas.models import DistrictFigureModel, checked

DISTRICT_COLUMNS = list(DistrictFigureModel.to_schema().columns)


def consolidate(values: pd.DataFrame, indicators: pd.DataFrame, n_expected: int) -> pd.DataFrame:
    """Consolidate v_values rows (period_code, unit_code, indicator_code, value) into district figures.

    Each period's values are laid out once as a unit × indicator grid (units in code order); each indicator's figure
    is then computed from its column(s) of plain arrays.
    """
    out: list[dict] = []
    if values.empty:
        return pd.DataFrame(columns=DISTRICT_COLUMNS)
    ind = indicators.set_index("code") if "code" in indicators.columns else indicators
    rows = list(zip(ind.index, ind["agg"], ind["numerator"], ind["denominator"],
                    ind["code_list"] if "code_list" in ind.columns else [""] * len(ind)))
    for period, pv in values.groupby("period_code", sort=True):
        _, codes, grid = unit_grid(pv)
        columns = dict(zip(codes, grid))
        for code, agg, num, den, code_list in rows:
            rec = _figure(code, agg, num, den, code_list, columns)
            if rec is not None:
                value, n_units, detail = rec
                out.append({"period_code": period, "indicator_code": code, "value": value, "n_units": n_units,
                            "n_expected": n_expected, "detail": detail})
    figures = pd.DataFrame(out, columns=DISTRICT_COLUMNS).astype({"value": float})
    return checked(DistrictFigureModel, figures) if len(figures) else figures  # once per call, all periods at once


def unit_grid(values: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The units (sorted), the indicators (sorted) and an indicator × unit grid of values (NaN where a unit gave none);
    the first value of a unit and indicator counts, as `pivot_table(aggfunc="first")` takes it."""
    v = values[values["value"].notna()]
    u_at, units = pd.factorize(v["unit_code"].astype(str), sort=True)
    c_at, codes = pd.factorize(v["indicator_code"].astype(str), sort=True)
    units, codes = np.asarray(units, dtype=object), np.asarray(codes, dtype=object)
    grid = np.full((len(codes), len(units)), np.nan)
    order = np.arange(len(v))[::-1]  # written last to first: the first occurrence wins
    grid[c_at[order], u_at[order]] = v["value"].to_numpy(dtype=float)[order]
    return units, codes, grid


def _figure(code: str, agg: str, num: str, den: str, code_list: str,
            columns: dict[str, np.ndarray]) -> tuple[float | None, int, str] | None:
    if agg == "ratio":
        n, d = columns.get(num), columns.get(den)
        if n is None or d is None:
            return None
        both = ~np.isnan(n) & ~np.isnan(d)
        if not both.any():
            return None
        total_num, total_den = np.add.reduce(n[both]), np.add.reduce(d[both])
        value = None if total_den == 0 else float(total_num) / float(total_den) * 100.0
        return value, int(both.sum()), f"{_parts(total_num)}/{_parts(total_den)}"
    col = columns.get(code)
    if col is None:
        return None
    col = col[~np.isnan(col)]
    if not len(col):
        return None
    if agg == "sum":
        return float(np.add.reduce(col)), int(len(col)), ""
    if agg == "unit_share":
        reached = int((col >= 100).sum())
        return float(np.add.reduce(col) / len(col)), int(len(col)), f"{fmt.count(reached)}/{fmt.count(len(col))} đơn vị đạt 100%"
    if agg == "by_code":
        answers = col.astype(int)
        keys, counts = np.unique(answers, return_counts=True)
        top = int(keys.max())
        labels = dict(p.split("=", 1) for p in str(code_list or "").split(";") if "=" in p)
        detail = "; ".join(f"{labels.get(str(k), k)} ({k}): {v}" for k, v in zip(keys[::-1], counts[::-1]))
        return float((answers == top).sum()), int(len(col)), detail
    return None


def _parts(x: float) -> str:
    """A ratio's numerator or denominator as the workbook has always shown it: digits without thousands dots."""
    return fmt.decimal(x, places=None, group=False)
