"""District figures from the units' accepted values, each with its own rule and the units it covers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.vn import format as fmt
from schemas.models import DistrictFigureModel, checked

DISTRICT_COLUMNS = list(DistrictFigureModel.to_schema().columns)


def consolidate(values: pd.DataFrame, indicators: pd.DataFrame, n_expected: int,
                states: pd.DataFrame | None = None) -> pd.DataFrame:
    """Consolidate v_values rows (period_code, unit_code, indicator_code, value) into district figures.

    Each period's values are laid out once as a unit × indicator grid (units in code order); each indicator's figure
    is then computed from its column(s) of plain arrays.

    `states` (period_code, unit_code, indicator_code, value_state: warehouse.period_states) says which submitting
    units answered "không áp dụng" (na) or left the cell blank: neither adds to the figure nor counts in n_units
    ("22/23 đơn vị"); n_na counts the first (and the detail says so), n_blank and blank_units the second (not
    reported). A real 0 is a value like any other.
    """
    out: list[dict] = []
    if values.empty and (states is None or states.empty):
        return pd.DataFrame(columns=DISTRICT_COLUMNS)
    ind = indicators.set_index("code") if "code" in indicators.columns else indicators
    rows = list(zip(ind.index, ind["agg"], ind["numerator"], ind["denominator"],
                    ind["code_list"] if "code_list" in ind.columns else [""] * len(ind)))
    marked = _marked(states)
    periods = sorted((set(values["period_code"]) if not values.empty else set()) | {p for p, _, _ in marked})
    by_period = dict(tuple(values.groupby("period_code", sort=True))) if not values.empty else {}
    for period in periods:
        pv = by_period.get(period)
        columns = dict(zip(*unit_grid(pv)[1:])) if pv is not None else {}
        valued: dict[str, set[str]] = {}  # indicator -> units with a value (only looked at where cells lack one)
        if marked and pv is not None:
            given = pv[pv["value"].notna()]
            for c, u in zip(given["indicator_code"].to_numpy(dtype=object), given["unit_code"].to_numpy(dtype=object)):
                valued.setdefault(c, set()).add(u)
        for code, agg, num, den, code_list in rows:
            rec = _figure(code, agg, num, den, code_list, columns)
            na, blank = _units_without_value(period, code, agg, num, den, marked, valued)
            if rec is None:
                if not na or agg == "none":
                    continue
                rec = (None, 0, "")  # every unit that answered said "không áp dụng"
            value, n_units, detail = rec
            if na:
                detail = "; ".join(filter(None, [detail, f"{fmt.count(len(na))} đơn vị không áp dụng"]))
            out.append({"period_code": period, "indicator_code": code, "value": value, "n_units": n_units,
                        "n_expected": n_expected, "detail": detail, "n_na": len(na), "n_blank": len(blank),
                        "blank_units": "|".join(sorted(blank))})
    figures = pd.DataFrame(out, columns=DISTRICT_COLUMNS).astype({"value": float})
    return checked(DistrictFigureModel, figures) if len(figures) else figures  # once per call, all periods at once


def _marked(states: pd.DataFrame | None) -> dict[tuple[str, str, str], set[str]]:
    """{(period, indicator, state): units} of the cells without a value ("na", "blank")."""
    out: dict[tuple[str, str, str], set[str]] = {}
    if states is None or states.empty:
        return out
    for p, u, c, st in zip(states["period_code"], states["unit_code"], states["indicator_code"], states["value_state"]):
        out.setdefault((str(p), str(c), str(st)), set()).add(str(u))
    return out


def _units_without_value(period: str, code: str, agg: str, num: str, den: str,
                         marked: dict[tuple[str, str, str], set[str]], valued: dict[str, set[str]]) -> tuple[set[str], set[str]]:
    """The units that answered an indicator "không áp dụng", and those that left it blank, without a value counted in it.

    A ratio reads its parts: a unit is not applicable when the rate or one of its parts is, blank when it is not that
    and one of its parts (or the rate) is blank, unless both parts carry values (then it is counted).
    """
    if not marked:
        return set(), set()
    codes = [code, num, den] if agg == "ratio" else [code]
    na = set().union(*(marked.get((period, c, "na"), set()) for c in codes))
    blank = set().union(*(marked.get((period, c, "blank"), set()) for c in codes)) - na
    if na or blank:
        counted = (valued.get(num, set()) & valued.get(den, set())) if agg == "ratio" else valued.get(code, set())
        na, blank = na - counted, blank - counted
    return na, blank


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
