"""pandera DataFrameModel of schemas/rubric.csv: how each scored indicator's value becomes points (thang điểm)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.models import AREAS, CODE_PATTERN

METHODS = ["thresholds", "proportional"]
DIRECTIONS = ["higher", "lower"]


def numbers(text: str) -> list[float] | None:
    """Parse a ';'-separated list of numbers ('99.5;99;98'); None when any item is not a number."""
    items = [s.strip() for s in str(text).split(";") if s.strip()]
    try:
        return [float(s) for s in items]
    except ValueError:
        return None


class RubricModel(pa.DataFrameModel):
    """One scored indicator (tiêu chí chấm điểm) of schemas/rubric.csv."""

    indicator: Series[str] = pa.Field(unique=True, str_matches=CODE_PATTERN,
                                      description="Canonical indicator code scored by this row (from schemas/indicators.csv).")
    area: Series[str] = pa.Field(isin=AREAS, description="Roman area I–VII the points count towards; equals the code's prefix.")
    method: Series[str] = pa.Field(isin=METHODS,
                                   description="thresholds (bậc: the first threshold reached gives its points) or proportional (points × value ÷ target, capped).")
    direction: Series[str] = pa.Field(isin=DIRECTIONS,
                                      description="higher (value ≥ threshold scores) or lower (value ≤ threshold scores, e.g. late dossiers); proportional needs higher.")
    thresholds: Series[str] = pa.Field(description="thresholds: ';'-separated values, best first ('100;99.5;99'); empty for proportional.")
    points: Series[str] = pa.Field(description="thresholds: ';'-separated points, one per threshold, not increasing; proportional: the maximum points.")
    target: Series[float] = pa.Field(nullable=True, gt=0, description="proportional: the value that earns the maximum points; empty for thresholds.")
    not_reported: Series[float] = pa.Field(ge=0,
                                           description="Points when the unit left the indicator blank (a rate over a blank or zero denominator counts as blank).")
    note: Series[str] = pa.Field(description="What the criterion rewards, in Vietnamese, for the office.")
    na_allowed: Series[int] = pa.Field(isin=[0, 1], description="1 when the criterion may be 'không áp dụng' for a unit (the catalog must allow it for the indicator too): a unit that answered so scores nothing on it and its maximum is lowered by the criterion's points, instead of scoring not_reported. 0, empty or the column absent: never.")

    @pa.dataframe_check(name="area-prefix")
    def area_is_code_prefix(cls, df: pd.DataFrame) -> Series[bool]:
        """The area equals the Roman prefix of the indicator code."""
        return df["indicator"].str.split(".").str[0] == df["area"]

    @pa.dataframe_check(name="thresholds-points")
    def thresholds_match_points(cls, df: pd.DataFrame) -> Series[bool]:
        """A thresholds row has as many points as thresholds, best threshold first, points not increasing."""
        ok = []
        for method, direction, th, pts in zip(df["method"], df["direction"], df["thresholds"], df["points"]):
            if method != "thresholds":
                ok.append(True)
                continue
            t, p = numbers(th), numbers(pts)
            good = bool(t) and p is not None and len(t) == len(p) and all(x >= 0 for x in p)
            if good:
                pairs = list(zip(t, t[1:]))
                good = all(a > b for a, b in pairs) if direction == "higher" else all(a < b for a, b in pairs)
                good = good and all(a >= b for a, b in zip(p, p[1:]))
            ok.append(good)
        return pd.Series(ok, index=df.index)

    @pa.dataframe_check(name="proportional-target")
    def proportional_has_target(cls, df: pd.DataFrame) -> Series[bool]:
        """A proportional row has a target, one maximum of points, no thresholds and direction higher."""
        ok = []
        for method, direction, th, pts, target in zip(df["method"], df["direction"], df["thresholds"], df["points"], df["target"]):
            if method != "proportional":
                ok.append(True)
                continue
            p = numbers(pts)
            ok.append(direction == "higher" and not str(th).strip() and p is not None and len(p) == 1 and p[0] > 0
                      and pd.notna(target))
        return pd.Series(ok, index=df.index)

    @pa.dataframe_check(name="not-reported-within-max")
    def not_reported_within_max(cls, df: pd.DataFrame) -> Series[bool]:
        """The points for a blank never exceed the criterion's maximum."""
        ok = []
        for pts, nr in zip(df["points"], df["not_reported"]):
            p = numbers(pts)
            ok.append(bool(p) and nr <= max(p))
        return pd.Series(ok, index=df.index)

    class Config:
        strict = True
        coerce = True
