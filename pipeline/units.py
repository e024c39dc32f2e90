"""The units registry (CSV: code,name,kind,aliases) and matching a unit named in free text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.text import fold, nfc

KINDS = ("xã", "phường", "thị trấn")
_KIND_KEYS = {"xã": ["xa"], "phường": ["phuong"], "thị trấn": ["thi tran", "tt"]}


@dataclass(frozen=True)
class Registry:
    """The district's units in display order, with the keys used to recognise them."""

    units: pd.DataFrame  # code, name, kind, aliases, order, label

    def label(self, code: str) -> str:
        """Return the display label of a unit, e.g. 'xã Ngọc Kỳ'."""
        return str(self.units.set_index("code").at[code, "label"])

    @property
    def codes(self) -> list[str]:
        """Unit codes in display order."""
        return list(self.units["code"])


def load_registry(path: Path) -> Registry:
    """Read the units registry CSV (UTF-8, BOM tolerated) and check its columns."""
    df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    missing = {"code", "name", "kind", "aliases"} - set(df.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    df = df[["code", "name", "kind", "aliases"]].map(nfc)
    bad = df.loc[~df["kind"].isin(KINDS), "code"].tolist()
    if bad:
        raise ValueError(f"{path}: kind must be one of {KINDS}: {bad}")
    if df["code"].duplicated().any():
        raise ValueError(f"{path}: duplicate codes {df.loc[df['code'].duplicated(), 'code'].tolist()}")
    df["order"] = range(len(df))
    df["label"] = df["kind"] + " " + df["name"]
    return Registry(df.reset_index(drop=True))


def _keys(row: pd.Series) -> list[str]:
    keys = [f"{k} {fold(row['name'])}" for k in _KIND_KEYS[row["kind"]]]
    keys += [fold(a) for a in str(row["aliases"]).split("|") if fold(a)]
    return keys


def match_unit(text: str, registry: Registry, *, bare_name: bool = False) -> str | None:
    """Return the code of the unit named in `text` ('UBND xã Ngọc Kỳ', 'THỊ TRẤN TỨ KỲ'), None if none or ambiguous."""
    hay = f" {fold(text)} "
    best: tuple[int, str] | None = None
    ambiguous = False
    for _, row in registry.units.iterrows():
        keys = _keys(row)
        if bare_name:
            keys.append(fold(row["name"]))
        for key in keys:
            if key and re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", hay):
                if best is None or len(key) > best[0]:
                    best, ambiguous = (len(key), row["code"]), False
                elif len(key) == best[0] and row["code"] != best[1]:
                    ambiguous = True
    if best is None or ambiguous:
        return None
    return best[1]
