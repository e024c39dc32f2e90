"""Earlier periods' values on a later map: a merged unit's past is its predecessors' combined figures.

A unit that came from others (merged, renamed) is compared with the units valid in the earlier period that it came
from (`Registry.sources_in`): counts are summed, rates recomputed from their summed parts, unit-level shares averaged,
coded answers kept when every predecessor gave the same one: the district's consolidation rules
(`pipeline.figures.district`) restricted to the predecessors, and only when every predecessor reported the figure
(a partial sum would make the merged unit's past look smaller than it was). A renamed unit takes its old code's values
as they are. A unit split from another has no comparable past and gets nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from pipeline.figures.district import _figure, unit_grid
from pipeline.reference.registry import Registry

COLUMNS = ["period_code", "unit_code", "indicator_code", "value"]


def on_map(values: pd.DataFrame, registry: Registry, indicators: pd.DataFrame, units: Iterable[str]) -> pd.DataFrame:
    """`values` (period_code, unit_code, indicator_code, value) of any periods, expressed on the map of `units`.

    Each of `units` gets, in each period, its own values when it existed then, else its predecessors' combined figures
    (see the module). Units not in `units` are dropped. A registry without dates or lineage returns `values` unchanged.
    """
    if not registry.timed or values is None or values.empty:
        return values
    targets = list(dict.fromkeys(units))
    pairs: list[tuple[str, str, str]] = []  # (period, target, source)
    for period in values["period_code"].unique():
        for u in targets:
            for src in registry.sources_in(u, str(period)) or []:
                pairs.append((str(period), u, src))
    if not pairs:
        return values.iloc[0:0][COLUMNS]
    m = pd.DataFrame(pairs, columns=["period_code", "target", "unit_code"])
    n = m.groupby(["period_code", "target"])["unit_code"].transform("size")
    single = m[n == 1]
    joined = values[COLUMNS].merge(single, on=["period_code", "unit_code"])
    out = [joined.assign(unit_code=joined["target"])[COLUMNS]]
    multi = m[n > 1]
    if not multi.empty:
        ind = indicators.set_index("code") if "code" in indicators.columns else indicators
        rows = list(zip(ind.index, ind["agg"], ind["numerator"], ind["denominator"],
                        ind["code_list"] if "code_list" in ind.columns else [""] * len(ind)))
        for (period, target), group in multi.groupby(["period_code", "target"], sort=False):
            sources = list(group["unit_code"])
            part = values[(values["period_code"] == period) & values["unit_code"].isin(sources)]
            out.append(pd.DataFrame(combine(part, rows, len(sources), period, target), columns=COLUMNS))
    frames = [f for f in out if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else values.iloc[0:0][COLUMNS]


def combine(values: pd.DataFrame, rows: list[tuple], n_sources: int, period: str, target: str) -> list[tuple]:
    """The combined figures of `n_sources` units' values (one period) as (period, target, indicator, value) records.

    `rows` are the catalog's (code, agg, numerator, denominator, code_list). A figure is given only when every source
    reported it (a rate: both its parts).
    """
    if values.empty:
        return []
    _, codes, grid = unit_grid(values)
    if grid.shape[1] < n_sources:  # a source without any value: no figure is complete
        return []
    columns = dict(zip(codes, grid))
    out: list[tuple] = []
    for code, agg, num, den, code_list in rows:
        if agg == "by_code":
            col = columns.get(code)
            if col is not None and not np.isnan(col).any() and (col == col[0]).all():
                out.append((period, target, code, float(col[0])))
            continue
        if agg not in ("sum", "ratio", "unit_share"):
            continue
        got = _figure(code, agg, num, den, code_list, columns)
        if got is not None and got[0] is not None and got[1] == n_sources:
            out.append((period, target, code, float(got[0])))
    return out


def comparison_notes(registry: Registry, units: Iterable[str], period_code: str | None) -> dict[str, str]:
    """{unit: 'so sánh với các đơn vị cũ: A, B, C'} for the units compared with `period_code` through their lineage."""
    if period_code is None or not registry.timed:
        return {}
    notes = {u: registry.comparison_note(u, period_code) for u in units}
    return {u: n for u, n in notes.items() if n}
