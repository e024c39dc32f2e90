"""Consistency of a unit's values over time, copied-forward and nearly empty forms (WHO Data Quality Review style).

Source of the rules: WHO, *Data Quality Review (DQR) toolkit*, Module 1 (2017), dimension "consistency over time":
a unit's value for the year is compared with the mean of its values of the three preceding years, and a ratio beyond
±33 % flags it. tonghop compares like with like across years: a period is compared with the same part of earlier
years (2023-H1 with 2022-H1, 2021-H1 and 2020-H1; 2023-Q3 with the third quarters of 2022, 2021 and 2020), so that
the seasons and the cumulative (lũy kế) indicators compare alike. The thresholds are data (schemas/outliers.toml,
table [quality]).

A form copied forward is one whose values equal, for at least `copy_forward_share` of the indicators reported in both,
the values of the unit's previous report of the same kind (2023-Q3 against 2023-Q2, 2023-H1 against 2022-H1); coded
answers and unit-level 0/100 rates, which legitimately repeat, are left out of that comparison. A nearly empty form
fills fewer than `min_filled_share` of the catalog's indicators that carry values. Both stay loaded: they are warnings
on the whole submission, and completeness shows them as "nộp nhưng cần xem lại".

Pure functions over the validation stage's frames; every step works on whole frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import issues as iss
from pipeline.errors import ReferenceDataError
from pipeline.issues import CATALOG
from pipeline.reference.files import read_toml
from pipeline.vn import format as fmt
from pipeline.vn.periods import is_period, period_bounds, period_kind

OUT_COLUMNS = ["submission", *iss.COLUMNS, "rule_id"]
SUBMISSION_CODES = ("submission-copy-forward", "submission-nearly-empty")  # the review reasons of completeness


@dataclass(frozen=True)
class QualitySettings:
    """The [quality] table of schemas/outliers.toml, and the catalog's indicators each check looks at."""

    consistency_threshold: float = 0.33  # |value / mean of the preceding periods − 1| beyond this flags (WHO DQR: 33 %)
    consistency_periods: int = 3  # how many preceding comparable periods make the mean (WHO DQR: 3)
    peer_threshold: float = 0.33  # a unit's rate against the district rate: |rate / district − 1| beyond this flags
    peer_share_factor: float = 3.0  # a count: the unit's share of the district total against its usual share, × or ÷
    copy_forward_share: float = 0.9  # share of equal values (indicators in both reports) that marks a copied form
    copy_forward_min: int = 5  # fewer indicators reported in both reports say nothing
    min_filled_share: float = 0.2  # share of the catalog's indicators a form must fill
    continuous: frozenset[str] = frozenset()  # counts, money and ratios: compared over time and with peers
    repeating: frozenset[str] = frozenset()  # coded answers and unit-level 0/100 rates: left out of copy-forward
    fillable: frozenset[str] = frozenset()  # every indicator that carries a value (not a group heading)


_KEYS = {"consistency_threshold": float, "consistency_periods": int, "peer_threshold": float, "peer_share_factor": float,
         "copy_forward_share": float, "copy_forward_min": int, "min_filled_share": float}


def quality_settings(table: dict, catalog: pd.DataFrame | None = None, source: str = "schemas/outliers.toml") -> QualitySettings:
    """The settings of a [quality] table (defaults for keys it lacks) with the catalog's indicator sets."""
    values = {}
    for key, kind in _KEYS.items():
        if key not in table:
            continue
        try:
            values[key] = kind(table[key])
        except (TypeError, ValueError):
            values[key] = -1
        if values[key] < 0 or (key.endswith("_share") and values[key] > 1) or (kind is int and values[key] < 1):
            raise ReferenceDataError(f"Tệp {source}: bảng [quality] có {key} = {table[key]!r} không hợp lệ "
                                     "(tỷ lệ từ 0 đến 1, ngưỡng là số ≥ 0, số kỳ là số nguyên ≥ 1): hãy sửa dòng đó.")
    if catalog is not None and len(catalog):
        ind = catalog if "code" not in catalog.columns else catalog.set_index("code")
        codes = np.asarray(ind.index, dtype=object)
        agg = ind["agg"].astype(str).to_numpy()
        values["continuous"] = frozenset(codes[np.isin(agg, ["sum", "ratio"])])
        values["repeating"] = frozenset(codes[np.isin(agg, ["by_code", "unit_share"])])
        values["fillable"] = frozenset(codes[agg != "none"])
    return QualitySettings(**values)


def load_quality_settings(path: Path | str, catalog: pd.DataFrame | None = None) -> QualitySettings:
    """Read the [quality] table of schemas/outliers.toml (every key optional)."""
    return quality_settings(read_toml(Path(path), "--outliers").get("quality", {}), catalog, str(path))


# ------------------------------------------------------------------ periods

def _periods(codes) -> pd.DataFrame:
    """kind, part of the year ('Q3', 'H1', 'Y'), year and end date of each distinct period code."""
    rows = [(p, period_kind(p), p.split("-", 1)[1], int(p.split("-", 1)[0]), period_bounds(p)[1])
            for p in pd.unique(pd.Series(list(codes), dtype=object).dropna()) if is_period(p)]
    return pd.DataFrame(rows, columns=["period_code", "kind", "part", "year", "end"])


def _history(history: pd.DataFrame) -> pd.DataFrame:
    hist = history.dropna(subset=["value"]).drop_duplicates(["unit_code", "period_code", "indicator_code"], keep="last")
    return hist.merge(_periods(hist["period_code"]), on="period_code")


# ------------------------------------------------------------------ consistency over time

def time_consistency(current: pd.DataFrame, history: pd.DataFrame, settings: QualitySettings) -> pd.DataFrame:
    """Values more than ±threshold from the mean of the unit's three preceding comparable periods (WHO DQR).

    `current`: submission, unit_code, period_code, indicator_code, value, file, sheet, cell (accepted values);
    `history`: unit_code, period_code, indicator_code, value. Only counts, money and ratios are compared, only with
    exactly `consistency_periods` earlier values of the same part of the year, and only when their mean is not 0.
    """
    if current.empty or history.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    cur = current
    if settings.continuous:
        cur = cur[cur["indicator_code"].isin(settings.continuous)]
    cur = cur.merge(_periods(cur["period_code"]), on="period_code")
    if cur.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    hist = _history(history)[["unit_code", "indicator_code", "part", "year", "value", "period_code"]]
    cur = cur.reset_index(drop=True)
    cur["_row"] = np.arange(len(cur))
    pairs = cur[["_row", "unit_code", "indicator_code", "part", "year"]].merge(
        hist, on=["unit_code", "indicator_code", "part"], suffixes=("", "_h"))
    pairs = pairs[pairs["year_h"] < pairs["year"]].sort_values(["_row", "year_h"], ascending=[True, False], kind="stable")
    pairs = pairs[pairs.groupby("_row", sort=False).cumcount() < settings.consistency_periods]
    if pairs.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    g = pairs.groupby("_row", sort=True)["value"]
    stats = pd.DataFrame({"n": g.count(), "mean": g.mean()})
    stats = stats[stats["n"] == settings.consistency_periods]
    hit = cur.loc[stats.index].assign(mean=stats["mean"].to_numpy())
    mean = hit["mean"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        deviation = hit["value"].to_numpy(dtype=float) / mean - 1.0
    keep = (mean != 0) & (np.abs(deviation) > settings.consistency_threshold + 1e-12)
    hit, deviation = hit[keep], deviation[keep]
    if hit.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    named = pairs[pairs["_row"].isin(hit["_row"])].groupby("_row", sort=True)["period_code"].agg(", ".join)  # flagged only
    hit = hit.assign(periods=named.reindex(hit["_row"]).to_numpy())
    value_t = [fmt.decimal(v) for v in hit["value"]]
    threshold = fmt.decimal(settings.consistency_threshold * 100)
    message = [f"Giá trị {v} của chỉ tiêu {c} {'cao' if d > 0 else 'thấp'} hơn {fmt.decimal(abs(d) * 100, 1)}% so với "
               f"trung bình {fmt.decimal(m)} của {settings.consistency_periods} kỳ cùng loại trước ({p}); ngưỡng ±{threshold}%"
               for v, c, d, m, p in zip(value_t, hit["indicator_code"], deviation, hit["mean"], hit["periods"])]
    return _issue_rows("value-inconsistent-time", hit, message, value_t)


# ------------------------------------------------------------------ copied forward, nearly empty

def copy_forward(current: pd.DataFrame, history: pd.DataFrame, settings: QualitySettings) -> pd.DataFrame:
    """Submissions whose values repeat the unit's previous report of the same kind (one issue per submission).

    `current`: submission, unit_code, period_code, indicator_code, value, file (every value read, not blank).
    """
    if current.empty or history.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    cur = current[~current["indicator_code"].isin(settings.repeating)] if settings.repeating else current
    hist = _history(history)
    if settings.repeating:
        hist = hist[~hist["indicator_code"].isin(settings.repeating)]
    subs = cur.drop_duplicates("submission")[["submission", "unit_code", "period_code", "file"]]
    subs = subs.merge(_periods(subs["period_code"]), on="period_code")
    earlier = hist.drop_duplicates(["unit_code", "period_code"])[["unit_code", "period_code", "kind", "end"]]
    prev = subs.merge(earlier, on=["unit_code", "kind"], suffixes=("", "_p"))
    prev = prev[prev["end_p"] < prev["end"]].sort_values(["submission", "end_p"], kind="stable")
    prev = prev.drop_duplicates("submission", keep="last")[["submission", "period_code_p"]]
    if prev.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    both = cur.merge(prev, on="submission").merge(
        hist[["unit_code", "period_code", "indicator_code", "value"]].rename(columns={"period_code": "period_code_p",
                                                                                      "value": "value_p"}),
        on=["unit_code", "period_code_p", "indicator_code"])
    both = both.drop_duplicates(["submission", "indicator_code"])
    both["same"] = np.abs(both["value"].to_numpy(dtype=float) - both["value_p"].to_numpy(dtype=float)) <= 1e-9
    g = both.groupby("submission", sort=True)
    stats = pd.DataFrame({"n": g["same"].size(), "same": g["same"].sum(), "previous": g["period_code_p"].first(),
                          "file": g["file"].first()})
    stats = stats[(stats["n"] >= settings.copy_forward_min)
                  & (stats["same"] >= settings.copy_forward_share * stats["n"] - 1e-9)]
    if stats.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    message = [f"{fmt.count(s)}/{fmt.count(n)} giá trị trùng khớp với báo cáo kỳ {p} của đơn vị "
               f"(ngưỡng {fmt.decimal(settings.copy_forward_share * 100)}%): có thể báo cáo được sao chép từ kỳ trước, "
               "cần xem lại" for s, n, p in zip(stats["same"], stats["n"], stats["previous"])]
    return _file_rows("submission-copy-forward", stats, message)


def nearly_empty(current: pd.DataFrame, settings: QualitySettings) -> pd.DataFrame:
    """Submissions that fill fewer than `min_filled_share` of the catalog's indicators (one issue per submission).

    `current`: submission, indicator_code, file (every value read, not blank).
    """
    if current.empty or not settings.fillable or settings.min_filled_share <= 0:
        return pd.DataFrame(columns=OUT_COLUMNS)
    cur = current[current["indicator_code"].isin(settings.fillable)].drop_duplicates(["submission", "indicator_code"])
    total = len(settings.fillable)
    g = cur.groupby("submission", sort=True)
    stats = pd.DataFrame({"filled": g.size(), "file": g["file"].first()})
    subs = current.drop_duplicates("submission").set_index("submission")["file"]
    stats = stats.reindex(subs.index).assign(file=subs, filled=lambda s: s["filled"].fillna(0).astype(int))
    stats = stats[stats["filled"] < settings.min_filled_share * total - 1e-9]
    if stats.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    message = [f"Báo cáo chỉ điền {fmt.count(n)}/{fmt.count(total)} chỉ tiêu của danh mục (dưới "
               f"{fmt.decimal(settings.min_filled_share * 100)}%): biểu mẫu gần như trống, cần xem lại" for n in stats["filled"]]
    return _file_rows("submission-nearly-empty", stats, message)


# ------------------------------------------------------------------ issue rows

def _issue_rows(code: str, hit: pd.DataFrame, message: list[str], raw: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({
        "submission": hit["submission"].to_numpy(dtype=np.int64), "severity": CATALOG[code].severity.value, "code": code,
        "message": message, "file": hit["file"].astype(str).to_numpy(), "sheet": hit["sheet"].astype(str).to_numpy(),
        "cell": hit["cell"].astype(str).to_numpy(), "indicator_code": hit["indicator_code"].to_numpy(), "raw": raw,
        "rule_id": code})
    out["source_ref"] = iss.source_refs(*(out[c].to_numpy(dtype=object) for c in ("file", "sheet", "cell")))
    return out[OUT_COLUMNS].reset_index(drop=True)


def _file_rows(code: str, stats: pd.DataFrame, message: list[str]) -> pd.DataFrame:
    files = stats["file"].astype(str).to_numpy()
    return pd.DataFrame({
        "submission": stats.index.to_numpy(dtype=np.int64), "severity": CATALOG[code].severity.value, "code": code,
        "message": message, "file": files, "sheet": "", "cell": "", "source_ref": files, "indicator_code": None,
        "raw": None, "rule_id": code})[OUT_COLUMNS]
