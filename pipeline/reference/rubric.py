"""The scoring rubric the office edits (schemas/rubric.toml + schemas/rubric.csv): load, validate, look up.

rubric.toml holds the area maxima, the classification bands, the target tables, the lists the district
report quotes and which earlier period ranks are compared with; rubric.csv holds one row per scored
indicator (validated by schemas/rubric_model.RubricModel). See docs/rubric.md.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.errors as pa_errors

from pipeline.errors import ReferenceDataError
from pipeline.reference.files import read_csv, read_toml
from pipeline.vn.text import nfc
from schemas.models import AREAS
from schemas.rubric_model import RubricModel, numbers

COMPARE_MODES = ("preceding", "same_kind")
OPERATORS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
OP_SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
_EPS = 1e-9


class RubricError(ReferenceDataError):
    """A rubric file that cannot be used."""


@dataclass(frozen=True)
class Band:
    """A classification band (xếp loại): units at or above `min_percent` of the maximum, down to the next band."""

    label: str
    min_percent: float
    color: str


@dataclass(frozen=True)
class Target:
    """A target table: units meeting or missing `indicator op value` (e.g. VII.5.4 ≥ 30)."""

    indicator: str
    op: str
    value: float
    label: str
    zero_is_not_done: bool = True  # a reported 0 reads "chưa thực hiện" rather than "chưa đạt"

    def met(self, x: float) -> bool:
        """Tell whether a value meets the target."""
        return _compare(x, self.op, self.value)


@dataclass(frozen=True)
class UnitList:
    """A list the district report quotes: units whose value (an indicator, or whole − part) satisfies `op value`."""

    title: str
    op: str
    value: float
    unit: str = ""
    indicator: str = ""
    whole: str = ""
    part: str = ""

    def codes(self) -> list[str]:
        """Indicator codes the list reads."""
        return [c for c in (self.indicator, self.whole, self.part) if c]

    def selects(self, x: float) -> bool:
        """Tell whether a unit with value x is on the list."""
        return _compare(x, self.op, self.value)


@dataclass(frozen=True)
class Rubric:
    """The validated rubric: area maxima, criteria, bands, targets, lists, comparison mode."""

    name: str
    area_max: dict[str, float]
    criteria: pd.DataFrame  # RubricModel rows, indexed by indicator, plus max_points
    bands: tuple[Band, ...]  # best first
    targets: tuple[Target, ...] = ()
    lists: tuple[UnitList, ...] = ()
    compare_with: str = "preceding"

    @property
    def total_max(self) -> float:
        """The maximum total points (sum of the area maxima)."""
        return float(sum(self.area_max.values()))

    def band(self, percent: float | None) -> str:
        """Return the band label of a % of the maximum ('' when there is no percent)."""
        if percent is None or pd.isna(percent):
            return ""
        for b in self.bands:
            if percent >= b.min_percent - _EPS:
                return b.label
        return self.bands[-1].label

    def band_color(self, label: str) -> str:
        """Return the chart colour of a band label."""
        return next((b.color for b in self.bands if b.label == label), "#808080")

    def criteria_of(self, area: str) -> pd.DataFrame:
        """Return the criteria of one area, in file order."""
        return self.criteria[self.criteria["area"] == area]


def _compare(x: float, op: str, value: float) -> bool:
    if op in (">=", ">"):
        return OPERATORS[op](x + _EPS if op == ">=" else x, value)
    if op in ("<=", "<"):
        return OPERATORS[op](x - _EPS if op == "<=" else x, value)
    return abs(x - value) <= _EPS


def load_rubric(path: Path, known_codes: set[str] | None = None) -> Rubric:
    """Read rubric.toml and the criteria CSV it names; validate both and return the Rubric."""
    path = Path(path)
    try:
        data = read_toml(path)
    except ReferenceDataError as exc:
        raise RubricError(exc.message) from None
    head = data.get("rubric", {})
    try:
        area_max = {str(k): float(v) for k, v in data.get("areas", {}).items()}
    except (TypeError, ValueError) as exc:
        raise RubricError(f"{path}: [areas] values must be numbers ({exc})") from exc
    if set(area_max) != set(AREAS):
        raise RubricError(f"{path}: [areas] must give the maximum of each area {AREAS}, got {sorted(area_max)}")
    area_max = {a: area_max[a] for a in AREAS}
    if any(v < 0 for v in area_max.values()) or sum(area_max.values()) <= 0:
        raise RubricError(f"{path}: area maxima must be ≥ 0 with a positive total")
    compare_with = str(head.get("compare_with", "preceding"))
    if compare_with not in COMPARE_MODES:
        raise RubricError(f"{path}: compare_with must be one of {COMPARE_MODES}")
    bands = _bands(path, data.get("bands", []))
    criteria = _criteria(path.parent / str(head.get("criteria", "rubric.csv")), area_max, known_codes)
    targets = tuple(_target(path, t, known_codes) for t in data.get("targets", []))
    lists = tuple(_unit_list(path, u, known_codes) for u in data.get("lists", []))
    return Rubric(name=nfc(str(head.get("name", "Thang điểm"))), area_max=area_max, criteria=criteria, bands=bands,
                  targets=targets, lists=lists, compare_with=compare_with)


def _bands(path: Path, raw: list[dict]) -> tuple[Band, ...]:
    try:
        bands = [Band(nfc(str(b["label"])), float(b["min_percent"]), str(b.get("color", "#808080"))) for b in raw]
    except (KeyError, TypeError, ValueError) as exc:
        raise RubricError(f"{path}: each [[bands]] needs label and min_percent ({exc})") from exc
    bands.sort(key=lambda b: -b.min_percent)
    mins = [b.min_percent for b in bands]
    if not bands or mins[-1] != 0 or len(set(mins)) != len(mins) or any(not b.label for b in bands):
        raise RubricError(f"{path}: [[bands]] need distinct min_percent values, non-empty labels and one band from 0")
    return tuple(bands)


def _criteria(csv_path: Path, area_max: dict[str, float], known_codes: set[str] | None) -> pd.DataFrame:
    try:
        df, _ = read_csv(csv_path, ())
    except ReferenceDataError as exc:
        raise RubricError(exc.message) from None
    df = df.map(lambda v: nfc(v.strip()) if isinstance(v, str) else v)
    if "target" in df.columns:
        df["target"] = df["target"].replace("", None)
    if "na_allowed" not in df.columns:  # a rubric written before the column: no criterion may be not applicable
        df["na_allowed"] = "0"
    df["na_allowed"] = df["na_allowed"].replace("", "0")
    try:
        df = RubricModel.validate(df, lazy=True)
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases[["column", "check", "index"]].astype(str).drop_duplicates().head(10)
        rows = "; ".join(f"{c} {k} (row {int(i) + 2 if i.isdigit() else i})" for c, k, i in cases.itertuples(index=False))
        raise RubricError(f"{csv_path}: {rows}") from exc
    if known_codes is not None:
        unknown = sorted(set(df["indicator"]) - set(known_codes))
        if unknown:
            raise RubricError(f"{csv_path}: indicators not in the catalog: {unknown}")
    df["max_points"] = [max(numbers(p) or [0.0]) for p in df["points"]]
    sums = df.groupby("area")["max_points"].sum()
    wrong = {a: (float(sums.get(a, 0.0)), m) for a, m in area_max.items() if abs(float(sums.get(a, 0.0)) - m) > 1e-6}
    if wrong:
        detail = ", ".join(f"{a}: criteria {s:g} ≠ maximum {m:g}" for a, (s, m) in wrong.items())
        raise RubricError(f"{csv_path}: the criteria's maximum points must add up to each area's maximum ({detail})")
    return df.set_index("indicator", drop=False)


def _target(path: Path, raw: dict, known: set[str] | None) -> Target:
    try:
        t = Target(str(raw["indicator"]), str(raw.get("op", ">=")), float(raw["value"]), nfc(str(raw.get("label", ""))),
                   bool(raw.get("zero_is_not_done", True)))
    except (KeyError, TypeError, ValueError) as exc:
        raise RubricError(f"{path}: each [[targets]] needs indicator and value ({exc})") from exc
    _check_refs(path, "targets", [t.indicator], t.op, known)
    if not t.label:
        t = Target(t.indicator, t.op, t.value, f"{t.indicator} {OP_SIGNS[t.op]} {t.value:g}", t.zero_is_not_done)
    return t


def _unit_list(path: Path, raw: dict, known: set[str] | None) -> UnitList:
    try:
        u = UnitList(nfc(str(raw["title"])), str(raw.get("op", ">")), float(raw.get("value", 0)), nfc(str(raw.get("unit", ""))),
                     str(raw.get("indicator", "")), str(raw.get("whole", "")), str(raw.get("part", "")))
    except (KeyError, TypeError, ValueError) as exc:
        raise RubricError(f"{path}: each [[lists]] needs a title ({exc})") from exc
    if bool(u.indicator) == bool(u.whole and u.part) or (bool(u.whole) != bool(u.part)):
        raise RubricError(f"{path}: list {u.title!r} needs either indicator, or whole and part")
    _check_refs(path, "lists", u.codes(), u.op, known)
    return u


def _check_refs(path: Path, table: str, codes: list[str], op: str, known: set[str] | None) -> None:
    if op not in OPERATORS:
        raise RubricError(f"{path}: [[{table}]] op must be one of {list(OPERATORS)}, got {op!r}")
    if known is not None and (set(codes) - known):
        raise RubricError(f"{path}: [[{table}]] indicators not in the catalog: {sorted(set(codes) - known)}")
