"""The indicator catalog: loading, validating and looking up canonical indicators."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

import pandera.errors as pa_errors

from pipeline.reference.files import read_csv, schema_error
from pipeline.vn.text import clean_code, fold, nfc, row_key
from schemas.models import IndicatorModel

AREA_NAMES = {
    "I": "Công tác chỉ đạo, điều hành",
    "II": "Cải cách thể chế",
    "III": "Cải cách thủ tục hành chính",
    "IV": "Cải cách tổ chức bộ máy",
    "V": "Cải cách chế độ công vụ",
    "VI": "Cải cách tài chính công",
    "VII": "Chính quyền điện tử, chính quyền số",
}


@dataclass
class Catalog:
    """The validated catalog plus lookup tables for the matcher."""

    frame: pd.DataFrame
    bm_index: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    th_index: dict[str, list[str]] = field(default_factory=dict)
    th_sub_index: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (parent printed code, folded text)
    names: dict[str, list[str]] = field(default_factory=dict)  # code -> folded names

    def row(self, code: str) -> pd.Series:
        """Return the catalog row of a code."""
        return self.frame.loc[code]

    @cached_property
    def lookups(self) -> tuple[list[str], dict[str, str], dict[str, list[str]]]:
        """Codes in catalog order, the kind of each code, the codes of each area (the matcher's per-row lookups)."""
        codes = [str(c) for c in self.frame.index]
        by_area: dict[str, list[str]] = {}
        for c, a in zip(codes, self.frame["area"]):
            by_area.setdefault(a, []).append(c)
        return codes, dict(zip(codes, self.frame["kind"])), by_area

    @cached_property
    def na_allowed(self) -> frozenset[str]:
        """Codes whose value may be "không áp dụng" (not applicable) for a unit (column na_allowed = 1)."""
        return frozenset(str(c) for c, a in zip(self.frame.index, self.frame["na_allowed"]) if a == "1")

    def codes_list(self, code: str) -> dict[int, str]:
        """Return {code: label} of a coded indicator."""
        pairs = (p.split("=", 1) for p in self.frame.at[code, "code_list"].split(";") if "=" in p)
        return {int(k.strip()): v.strip() for k, v in pairs}


def load_catalog(path: Path) -> Catalog:
    """Read schemas/indicators.csv, validate it with IndicatorModel and index it."""
    df, lines = read_csv(path, ("code", "name"), "--catalog")
    df = df.map(lambda v: nfc(v) if isinstance(v, str) else v)
    if "na_allowed" not in df.columns:  # a catalog written before the column: every indicator applies to every unit
        df["na_allowed"] = "0"
    df["na_allowed"] = df["na_allowed"].replace("", "0")
    try:
        df = IndicatorModel.validate(df, lazy=True)
    except (pa_errors.SchemaErrors, pa_errors.SchemaError) as exc:
        raise schema_error(path, exc, lines) from None
    df["order"] = range(len(df))
    cat = Catalog(frame=df.set_index("code", drop=False))
    for code, bm, th, name, aliases in zip(df["code"], df["bm_code"], df["th_code"], df["name"], df["aliases"]):
        for item in filter(None, (s.strip() for s in bm.split("|"))):
            form, _, printed = item.partition(" ")
            cat.bm_index.setdefault((int(form.upper().removeprefix("BM")), clean_code(printed)), []).append(code)
        for item in filter(None, (s.strip() for s in th.split("|"))):
            if item.startswith("-"):
                parent, _, text = item[1:].partition("/")
                cat.th_sub_index.setdefault((clean_code(parent), row_key(text)), []).append(code)
            else:
                cat.th_index.setdefault(clean_code(item), []).append(code)
        cat.names[code] = [fold(n) for n in [name, *aliases.split("|")] if fold(n)]
    return cat
