"""pandera DataFrameModels: the shape and domain of every frame tonghop validates or stores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.issues import CATALOG, Severity

AREAS = ["I", "II", "III", "IV", "V", "VI", "VII"]
KINDS = ["count", "rate", "money", "coded", "group"]
AGGS = ["sum", "ratio", "unit_share", "by_code", "none"]
PERIOD_PATTERN = r"^\d{4}-(Q[1-4]|H[12]|9M|Y)$"
CODE_PATTERN = r"^(" + "|".join(AREAS) + r")(\.(P?\d+))+$"


class IndicatorModel(pa.DataFrameModel):
    """One row of the indicator catalog (schemas/indicators.csv)."""

    code: Series[str] = pa.Field(unique=True, str_matches=CODE_PATTERN, description="Canonical code: national Phụ lục numbering prefixed by its Roman area; project codes use P<n>.")
    area: Series[str] = pa.Field(isin=AREAS, description="Roman area I–VII.")
    name: Series[str] = pa.Field(str_length={"min_value": 3}, description="Vietnamese name of the indicator.")
    unit: Series[str] = pa.Field(description="Unit of measure as printed (Văn bản, %, Hồ sơ…; Mã for coded answers).")
    kind: Series[str] = pa.Field(isin=KINDS, description="count, rate, money, coded or group (a heading).")
    agg: Series[str] = pa.Field(isin=AGGS, description="District rule: sum, ratio (Σnum/Σden), unit_share, by_code, none.")
    numerator: Series[str] = pa.Field(description="Code of a ratio's numerator (the achieved part), else empty.")
    denominator: Series[str] = pa.Field(description="Code of a ratio's denominator (the whole), else empty.")
    code_list: Series[str] = pa.Field(description="Coded answers: 'value=label' pairs separated by ';'.")
    cumulative: Series[str] = pa.Field(isin=["0", "1"], description="1 when the figure is cumulative from the start of the year.")
    bm_code: Series[str] = pa.Field(description="Printed codes in the Biểu mẫu 1–7 layout, 'BM<n> <code>' separated by '|'.")
    th_code: Series[str] = pa.Field(description="Printed codes in the Thanh Hóa layout (seed 004), separated by '|'.")
    aliases: Series[str] = pa.Field(description="Other printed names of the indicator, separated by '|'.")
    note: Series[str] = pa.Field(description="Free note for the office.")
    na_allowed: Series[str] = pa.Field(isin=["0", "1"], description="1 when a unit may answer 'không áp dụng' (not applicable: 'KAD', '-', 'x'); 0 or empty (or the column absent) when the indicator applies to every unit.")

    @pa.dataframe_check(name="area-prefix")
    def area_is_code_prefix(cls, df: pd.DataFrame) -> Series[bool]:
        """The area equals the Roman prefix of the code."""
        return df["code"].str.split(".").str[0] == df["area"]

    @pa.dataframe_check(name="ratio-parts")
    def ratio_has_parts(cls, df: pd.DataFrame) -> Series[bool]:
        """A ratio names a numerator and a denominator that exist in the catalog."""
        codes = set(df["code"])
        ok = df["numerator"].isin(codes) & df["denominator"].isin(codes)
        return (df["agg"] != "ratio") | ok

    @pa.dataframe_check(name="coded-list")
    def coded_has_list(cls, df: pd.DataFrame) -> Series[bool]:
        """A coded answer carries its code list."""
        return (df["kind"] != "coded") | (df["code_list"].str.len() > 0)

    class Config:
        strict = False


class UnitModel(pa.DataFrameModel):
    """One row of the units registry (schemas/units.csv)."""

    code: Series[str] = pa.Field(unique=True, str_matches=r"^[A-Za-z0-9_\-]+$", description="Stable unit code used in the warehouse.")
    name: Series[str] = pa.Field(str_length={"min_value": 1}, description="Unit name without its kind, e.g. Ngọc Kỳ.")
    kind: Series[str] = pa.Field(isin=["xã", "phường", "thị trấn"], description="xã, phường or thị trấn.")
    aliases: Series[str] = pa.Field(description="Other spellings separated by '|'.")

    class Config:
        strict = False


class ObservationModel(pa.DataFrameModel):
    """One value read from a submission, mapped to an indicator, before it is loaded."""

    file: Series[str] = pa.Field(description="File name of the submission.")
    sheet: Series[str] = pa.Field(description="Sheet the value was read from.")
    cell: Series[str] = pa.Field(str_matches=r"^[A-Z]+[0-9]+$", description="A1 reference of the value cell.")
    unit_code: Series[str] = pa.Field(nullable=False, str_length={"min_value": 1}, description="Registry code of the reporting unit.")
    period_code: Series[str] = pa.Field(str_matches=PERIOD_PATTERN, description="Period code such as 2023-H1.")
    indicator_code: Series[str] = pa.Field(str_matches=CODE_PATTERN, description="Canonical indicator code.")
    kind: Series[str] = pa.Field(isin=KINDS, description="Kind of the indicator, from the catalog.")
    value: Series[float] = pa.Field(nullable=False, description="The number read; blank cells never reach this frame.")
    allowed: Series[str] = pa.Field(description="Allowed codes of a coded answer, ';'-separated, else empty.")

    # ignore_na=False: the rows checked always carry a value (never all blank), so pandera need not look for blank rows
    @pa.dataframe_check(name="count-negative", ignore_na=False)
    def counts_non_negative(cls, df: pd.DataFrame) -> Series[bool]:
        """Counts and money are not negative."""
        return ~df["kind"].isin(["count", "money"]) | (df["value"] >= 0)

    @pa.dataframe_check(name="count-not-integer", ignore_na=False)
    def counts_whole(cls, df: pd.DataFrame) -> Series[bool]:
        """Counts are whole numbers."""
        return (df["kind"] != "count") | (df["value"] == df["value"].round())

    @pa.dataframe_check(name="rate-out-of-range", ignore_na=False)
    def rates_in_range(cls, df: pd.DataFrame) -> Series[bool]:
        """Rates lie in 0–100."""
        return (df["kind"] != "rate") | df["value"].between(0, 100)

    @pa.dataframe_check(name="code-out-of-list", ignore_na=False)
    def codes_in_list(cls, df: pd.DataFrame) -> Series[bool]:
        """Coded answers are one of their listed codes (only coded rows are looked at, each list and value once)."""
        ok = np.ones(len(df), dtype=bool)
        coded = np.flatnonzero((df["kind"] == "coded").to_numpy(dtype=bool, na_value=False))
        seen: dict[tuple, bool] = {}
        for i, a, v in zip(coded, df["allowed"].to_numpy(dtype=object)[coded],
                           df["value"].to_numpy(dtype=float, na_value=np.nan)[coded]):
            fine = seen.get((a, v))
            if fine is None:
                fine = seen[(a, v)] = (not a) or (float(v).is_integer() and str(int(v)) in a.split(";"))
            ok[i] = fine
        return pd.Series(ok, index=df.index)

    class Config:
        strict = False
        coerce = True


# ---------------------------------------------------------------- the stages' output frames

CHECKED_ROWS = 10_000  # a stage's frame is built column-wise by one code path: its first rows show a fault in it


def checked(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a stage's output frame against `model` once, where it is made, and return it.

    Columns and types are checked on the whole frame, row checks on its first CHECKED_ROWS rows, so a stress run's
    178 000 rule issues cost ~20 ms, not ~200 ms; a district's run (23 units) is checked in full.
    """
    return model.validate(frame, head=CHECKED_ROWS) if len(frame) > CHECKED_ROWS else model.validate(frame)


class IssueModel(pa.DataFrameModel):
    """One problem found in a submission (pipeline.issues.Issue): the issues frame the validation stage returns."""

    severity: Series[str] = pa.Field(isin=[s.value for s in Severity], description="error, warning or info (pipeline.issues.Severity).")
    code: Series[str] = pa.Field(isin=list(CATALOG), description="Stable kebab-case code of the closed catalog (pipeline.issues.CATALOG).")
    message: Series[str] = pa.Field(str_length={"min_value": 1}, description="The Vietnamese message, with full diacritics.")
    file: Series[str] = pa.Field(description="File name of the submission.")
    sheet: Series[str] = pa.Field(nullable=True, description="Sheet of the cell at fault; empty for a whole-file problem.")
    cell: Series[str] = pa.Field(nullable=True, description="A1 reference of the cell at fault; empty for a whole-file problem.")
    source_ref: Series[str] = pa.Field(description="Where to look: file!sheet!cell, or the file alone.")
    indicator_code: Series[str] = pa.Field(nullable=True, description="Canonical code of the indicator concerned, when there is one.")
    raw: Series[str] = pa.Field(nullable=True, description="The value as written in the cell (or as the rule quotes it), when there is one.")

    @pa.dataframe_check(name="source-ref-starts-with-file")
    def located_in_its_file(cls, df: pd.DataFrame) -> Series[bool]:
        """The position names the issue's own file first."""
        refs, files = df["source_ref"].to_numpy(dtype=object), df["file"].to_numpy(dtype=object)
        return pd.Series([r == f or r.startswith(f + "!") for r, f in zip(refs, files)], index=df.index)

    class Config:
        strict = False  # the rules add their submission and rule_id


class DistrictFigureModel(pa.DataFrameModel):
    """One district figure of a period (pipeline.figures.district.consolidate): an indicator over all units."""

    period_code: Series[str] = pa.Field(str_matches=PERIOD_PATTERN, description="Period code such as 2023-H1.")
    indicator_code: Series[str] = pa.Field(str_matches=CODE_PATTERN, description="Canonical indicator code.")
    value: Series[float] = pa.Field(nullable=True, description="The district figure by the indicator's rule (sum, Σnum/Σden, share of units…); blank when no unit reported it.")
    n_units: Series[int] = pa.Field(ge=0, description="Number of units whose values the figure covers.")
    n_expected: Series[int] = pa.Field(ge=0, description="Number of units in the registry, for 'n_units/n_expected' coverage.")
    detail: Series[str] = pa.Field(description="Breakdown of a coded answer ('Có (1): 20; Không (0): 3'), or the parts of a ratio ('1.194/1.200'), else empty.")
    n_na: Series[int] = pa.Field(ge=0, description="Units that answered 'không áp dụng' (not applicable): not counted in n_units, their cells add nothing.")
    n_blank: Series[int] = pa.Field(ge=0, description="Units that submitted but left the indicator blank (not reported): not counted in n_units.")
    blank_units: Series[str] = pa.Field(description="Codes of those units, separated by '|' (the units listed as not having reported the figure).")

    @pa.dataframe_check(name="one-figure-per-indicator")
    def unique_per_period(cls, df: pd.DataFrame) -> Series[bool]:
        """One figure per period and indicator."""
        return ~df.duplicated(["period_code", "indicator_code"])

    class Config:
        strict = True


_AREA_COLUMN = "^(" + "|".join(AREAS) + ")$"


class ScoreModel(pa.DataFrameModel):
    """One registered unit's score for a period (pipeline.figures.ranking.rank_units): points, %, rank, band, movement.

    Besides these columns the frame has `val:<indicator>` and `pts:<indicator>` per rubric criterion.
    """

    unit_code: Series[str] = pa.Field(unique=True, description="Registry code of the unit.")
    label: Series[str] = pa.Field(description="The unit as the report names it (xã Ngọc Kỳ).")
    order: Series[int] = pa.Field(description="Registry order, for ties and for the units that did not submit.")
    submitted: Series[bool] = pa.Field(description="Whether the unit submitted for the period; only these are ranked.")
    area_points: Series[float] = pa.Field(alias=_AREA_COLUMN, regex=True, nullable=True, description="Points of each area I–VII; blank when not submitted.")
    area_percent: Series[float] = pa.Field(alias="^pct:(" + "|".join(AREAS) + ")$", regex=True, nullable=True, le=100, description="Points of each area as a % of its maximum.")
    area_rank: Series[pd.Int64Dtype] = pa.Field(alias="^rank:(" + "|".join(AREAS) + ")$", regex=True, nullable=True, ge=1, description="Competition rank (1, 2, 2, 4) in each area.")
    total: Series[float] = pa.Field(nullable=True, description="Total points; blank when not submitted.")
    percent: Series[float] = pa.Field(nullable=True, le=100, description="Total points as a % of the rubric's maximum, rounded to 2 decimals (bands are read from it).")
    rank: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1, description="Competition rank over the total (1, 2, 2, 4); blank when not submitted.")
    band: Series[str] = pa.Field(description="The rubric's band of the percent; empty when not submitted.")
    prev_rank: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1, description="Rank in the period compared with, when the unit was ranked there.")
    change: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="prev_rank − rank: + moved up, − moved down.")

    @pa.dataframe_check(name="ranked-iff-submitted")
    def ranked_when_submitted(cls, df: pd.DataFrame) -> Series[bool]:
        """A unit that submitted has a total, a rank and a band; one that did not has none."""
        return df["submitted"] == (df["total"].notna() & df["rank"].notna() & (df["band"] != ""))

    class Config:
        strict = False
