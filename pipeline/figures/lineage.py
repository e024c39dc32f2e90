"""Earlier periods' values on a later map: a merged unit's past is its predecessors' combined figures.

A unit that came from others (merged, renamed) is compared with the units valid in the earlier period that it came
from (`Registry.sources_in`): counts are summed, rates recomputed from their summed parts, unit-level shares averaged,
coded answers kept when every predecessor gave the same one: the district's consolidation rules
(`pipeline.figures.district`, as the view v_values_current_map also applies them) restricted to the predecessors, and only when every predecessor reported the figure
(a partial sum would make the merged unit's past look smaller than it was). A renamed unit takes its old code's values
as they are. A unit split from another has no comparable past and gets nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from pipeline.reference.registry import Registry

COLUMNS = ["period_code", "unit_code", "indicator_code", "value"]


def on_map(values: pd.DataFrame, registry: Registry, indicators: pd.DataFrame, units: Iterable[str]) -> pd.DataFrame:
    """`values` (period_code, unit_code, indicator_code, value) of any periods, expressed on the map of `units`.

    Each of `units` gets, in each period, its own values when it existed then, else its predecessors' combined figures
    (see the module). Units not in `units` are dropped. A registry without dates or lineage returns `values` unchanged.
    All combinations are computed at once (grouped sums, then the rates from their summed parts), not unit by unit.
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
    m["n"] = m.groupby(["period_code", "target"])["unit_code"].transform("size")
    joined = values[COLUMNS].merge(m, on=["period_code", "unit_code"])
    single = joined[joined["n"] == 1]
    out = [single.assign(unit_code=single["target"])[COLUMNS]]
    multi = joined[(joined["n"] > 1) & joined["value"].notna()]
    if not multi.empty:
        out.append(_combined(multi, indicators))
    frames = [f for f in out if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else values.iloc[0:0][COLUMNS]


def _combined(multi: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """The combined figures of every (period, target) from its sources' rows (period_code, unit_code, indicator_code,
    value, target, n): the district's rules restricted to the sources, a figure only when all n sources gave it
    (a rate: both its parts)."""
    keys = ["period_code", "target", "indicator_code"]
    g = (multi.groupby(keys, sort=False)
         .agg(total=("value", "sum"), k=("value", "size"), lo=("value", "min"), hi=("value", "max"), n=("n", "first"))
         .reset_index())
    ind = indicators.set_index("code") if "code" in indicators.columns else indicators
    g["agg"] = g["indicator_code"].map(ind["agg"])
    full = g[g["k"] == g["n"]]
    share = full[full["agg"] == "unit_share"]
    parts = [full.loc[full["agg"] == "sum", keys + ["total"]].rename(columns={"total": "value"}),
             share[keys].assign(value=share["total"] / share["k"]),
             full.loc[(full["agg"] == "by_code") & (full["lo"] == full["hi"]), keys + ["lo"]].rename(columns={"lo": "value"})]
    ratios = ind.loc[ind["agg"] == "ratio", ["numerator", "denominator"]].rename_axis("code").reset_index()
    if len(ratios):
        have = full[["period_code", "target", "indicator_code", "total"]]
        num = have.rename(columns={"indicator_code": "numerator", "total": "num"})
        den = have.rename(columns={"indicator_code": "denominator", "total": "den"})
        rt = ratios.merge(num, on="numerator").merge(den, on=["period_code", "target", "denominator"])
        rt = rt[rt["den"] != 0]
        parts.append(pd.DataFrame({"period_code": rt["period_code"], "target": rt["target"], "indicator_code": rt["code"],
                                   "value": rt["num"].astype(float) / rt["den"].astype(float) * 100.0}))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True).rename(columns={"target": "unit_code"})[COLUMNS].astype({"value": float})


def comparison_notes(registry: Registry, units: Iterable[str], period_code: str | None) -> dict[str, str]:
    """{unit: 'so sánh với các đơn vị cũ: A, B, C'} for the units compared with `period_code` through their lineage."""
    if period_code is None or not registry.timed:
        return {}
    notes = {u: registry.comparison_note(u, period_code) for u in units}
    return {u: n for u, n in notes.items() if n}
