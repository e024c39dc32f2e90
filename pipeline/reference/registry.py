"""The units registry (CSV: code,name,kind,aliases) and matching a unit named in free text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from pipeline.errors import ReferenceDataError
from pipeline.vn.text import fold, nfc

KINDS = ("xã", "phường", "thị trấn")
_KIND_KEYS = {"xã": ["xa"], "phường": ["phuong"], "thị trấn": ["thi tran", "tt"]}


@dataclass(frozen=True)
class Registry:
    """The district's units in display order, with the keys used to recognise them."""

    units: pd.DataFrame  # code, name, kind, aliases, order, label

    def label(self, code: str) -> str:
        """Return the display label of a unit, e.g. 'xã Ngọc Kỳ'."""
        return str(self.units.set_index("code").at[code, "label"])

    @cached_property
    def match_index(self) -> tuple[dict[str, set[str]], dict[str, set[str]], int]:
        """{folded key: codes} of the units' keys and of their bare names, and the most words in a key."""
        keys: dict[str, set[str]] = {}
        bare: dict[str, set[str]] = {}
        for row in self.units.to_dict("records"):
            for k in _keys(row):
                keys.setdefault(k, set()).add(row["code"])
            if fold(row["name"]):
                bare.setdefault(fold(row["name"]), set()).add(row["code"])
        return keys, bare, max((k.count(" ") + 1 for k in [*keys, *bare]), default=1)

    @property
    def codes(self) -> list[str]:
        """Unit codes in display order."""
        return list(self.units["code"])


def load_registry(path: Path) -> Registry:
    """Read the units registry CSV (UTF-8, BOM tolerated) and check its columns."""
    df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    missing = {"code", "name", "kind", "aliases"} - set(df.columns)
    if missing:
        raise ReferenceDataError(f"{path}: missing columns {sorted(missing)}")
    df = df[["code", "name", "kind", "aliases"]].map(nfc)
    bad = df.loc[~df["kind"].isin(KINDS), "code"].tolist()
    if bad:
        raise ReferenceDataError(f"{path}: kind must be one of {KINDS}: {bad}")
    if df["code"].duplicated().any():
        raise ReferenceDataError(f"{path}: duplicate codes {df.loc[df['code'].duplicated(), 'code'].tolist()}")
    df["order"] = range(len(df))
    df["label"] = df["kind"] + " " + df["name"]
    return Registry(df.reset_index(drop=True))


def _keys(row) -> list[str]:
    keys = [f"{k} {fold(row['name'])}" for k in _KIND_KEYS[row["kind"]]]
    keys += [fold(a) for a in str(row["aliases"]).split("|") if fold(a)]
    return keys


def match_unit(text: str, registry: Registry, *, bare_name: bool = False) -> str | None:
    """Return the code of the unit named in `text` ('UBND xã Ngọc Kỳ', 'THỊ TRẤN TỨ KỲ'), None if none or ambiguous.

    The longest registry key found as whole words wins; two units tied on the longest key make it ambiguous.
    """
    keys, bare, longest = registry.match_index
    words = fold(text).split()
    best_len, codes = 0, set()
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + longest) + 1):
            gram = " ".join(words[i:j])
            found = keys.get(gram, set()) | (bare.get(gram, set()) if bare_name else set())
            if found and len(gram) > best_len:
                best_len, codes = len(gram), set(found)
            elif found and len(gram) == best_len:
                codes |= found
    return next(iter(codes)) if len(codes) == 1 else None
