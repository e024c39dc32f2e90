"""District figures from the units' accepted values, each with its own rule and the units it covers."""

from __future__ import annotations

import pandas as pd

from pipeline.vn import format as fmt
from schemas.models import DistrictFigureModel, checked

DISTRICT_COLUMNS = list(DistrictFigureModel.to_schema().columns)


def consolidate(values: pd.DataFrame, indicators: pd.DataFrame, n_expected: int) -> pd.DataFrame:
    """Consolidate v_values rows (period_code, unit_code, indicator_code, value) into district figures."""
    out: list[dict] = []
    if values.empty:
        return pd.DataFrame(columns=DISTRICT_COLUMNS)
    ind = indicators.set_index("code") if "code" in indicators.columns else indicators
    for period, pv in values.groupby("period_code", sort=True):
        wide = pv.pivot_table(index="unit_code", columns="indicator_code", values="value", aggfunc="first")
        for code, row in ind.iterrows():
            rec = _figure(code, row, wide)
            if rec is not None:
                value, n_units, detail = rec
                out.append({"period_code": period, "indicator_code": code, "value": value, "n_units": n_units,
                            "n_expected": n_expected, "detail": detail})
    figures = pd.DataFrame(out, columns=DISTRICT_COLUMNS).astype({"value": float})
    return checked(DistrictFigureModel, figures) if len(figures) else figures  # once per call, all periods at once


def _figure(code: str, row: pd.Series, wide: pd.DataFrame) -> tuple[float | None, int, str] | None:
    agg = row["agg"]
    if agg == "ratio":
        num, den = row["numerator"], row["denominator"]
        if num not in wide.columns or den not in wide.columns:
            return None
        both = wide[[num, den]].dropna()
        if both.empty:
            return None
        total_den = both[den].sum()
        value = None if total_den == 0 else float(both[num].sum()) / float(total_den) * 100.0
        return value, int(len(both)), f"{_parts(both[num].sum())}/{_parts(total_den)}"
    if code not in wide.columns:
        return None
    col = wide[code].dropna()
    if col.empty:
        return None
    if agg == "sum":
        return float(col.sum()), int(len(col)), ""
    if agg == "unit_share":
        reached = int((col >= 100).sum())
        return float(col.mean()), int(len(col)), f"{fmt.count(reached)}/{fmt.count(len(col))} đơn vị đạt 100%"
    if agg == "by_code":
        counts = col.astype(int).value_counts().sort_index(ascending=False)
        top = int(counts.index.max())
        labels = dict(p.split("=", 1) for p in str(row.get("code_list", "")).split(";") if "=" in p)
        detail = "; ".join(f"{labels.get(str(k), k)} ({k}): {v}" for k, v in counts.items())
        return float((col.astype(int) == top).sum()), int(len(col)), detail
    return None


def _parts(x: float) -> str:
    """A ratio's numerator or denominator as the workbook has always shown it: digits without thousands dots."""
    return fmt.decimal(x, places=None, group=False)
