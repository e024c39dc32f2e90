"""The units registry (CSV: code,name,kind,aliases) and matching a unit named in free text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from pipeline.errors import ReferenceDataError
from pipeline.reference.files import read_csv
from pipeline.vn.text import fold, nfc

KINDS = ("xã", "phường", "thị trấn")  # the CONTRACT's kinds; an office may receive others (Office.unit_kinds)
_KIND_KEYS = {"xã": ["xa"], "phường": ["phuong"], "thị trấn": ["thi tran", "tt"], "đặc khu": ["dac khu"],
              "thôn": ["thon"], "tổ dân phố": ["to dan pho", "tdp"]}


@dataclass(frozen=True)
class Registry:
    """The district's units in display order, with the keys used to recognise them."""

    units: pd.DataFrame  # code, name, kind, aliases, line (in the file), order, label

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


def load_registry(path: Path, kinds: tuple[str, ...] = KINDS) -> Registry:
    """Read the units registry CSV (UTF-8, BOM tolerated) and check it; each mistake names its line (ReferenceDataError).

    `kinds` are the kinds of units the office receives (Office.unit_kinds): xã, phường, thị trấn for a district;
    đặc khu for a province after 2025; thôn, tổ dân phố for a commune."""
    df, lines = read_csv(path, ("code", "name", "kind", "aliases"), "--units")
    df = df[["code", "name", "kind", "aliases"]].map(lambda v: nfc(v).strip())
    df["line"] = lines
    for row in df.itertuples():
        if not row.code:
            raise ReferenceDataError(f"Tệp {path}, dòng {row.line}: thiếu mã đơn vị (cột code): hãy điền mã, ví dụ ngoc_ky.")
        if row.kind not in kinds:
            raise ReferenceDataError(f"Tệp {path}, dòng {row.line}: loại đơn vị {row.kind!r} của {row.code} không hợp lệ "
                                     f"(cột kind phải là {', '.join(kinds)}, các loại đơn vị cơ quan tổng hợp nhận "
                                     "theo office.toml): hãy sửa ô đó.")
    dup = df[df["code"].duplicated(keep=False)]
    if not dup.empty:
        code = dup["code"].iloc[0]
        at = ", ".join(str(n) for n in dup.loc[dup["code"] == code, "line"])
        raise ReferenceDataError(f"Tệp {path}: mã đơn vị {code} trùng ở các dòng {at}: mỗi đơn vị một mã riêng, hãy sửa hoặc "
                                 "xóa dòng thừa.")
    df["order"] = range(len(df))
    df["label"] = df["kind"] + " " + df["name"]
    return Registry(df.reset_index(drop=True))


def _keys(row) -> list[str]:
    keys = [f"{k} {fold(row['name'])}" for k in _KIND_KEYS.get(row["kind"], [fold(row["kind"])])]
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


def check_known_units(registry: Registry, known: pd.DataFrame, path: Path) -> None:
    """Refuse a registry that lost a unit the warehouse holds loaded submissions of (ReferenceDataError, exit 2).

    `known` is warehouse.loaded_units (code, name, kind, aliases as last recorded, n_submissions). A unit's code is
    never guessed from a look-alike: the message names the registry line that looks like the lost unit (a typo to
    correct) and says that a change of code or a merger must be declared, not left to tonghop.
    """
    codes = set(registry.codes)
    lost = known[~known["code"].isin(codes)]
    if lost.empty:
        return
    row = lost.iloc[0]
    code, name, kind = str(row["code"]), str(row["name"] or ""), str(row["kind"] or "")
    label = f"{kind} {name}".strip() or code
    units = registry.units
    alike = units[(units["name"].map(fold) == fold(name)) & (units["kind"] == kind)] if name else units.iloc[0:0]
    if alike.empty:
        alike = units[units["code"].map(lambda c: c.replace("_", "").replace("-", "")) == code.replace("_", "").replace("-", "")]
    if not alike.empty:
        other = alike.iloc[0]
        line = int(other["line"]) if "line" in other else int(other["order"]) + 2
        fix = (f"dòng {line} ({other['code']}, {other['label']}) giống đơn vị này: nếu gõ nhầm, sửa mã ở dòng {line} "
               f"thành {code}")
    else:
        fix = f"hãy thêm lại dòng {code},{name},{kind},{row['aliases'] or ''}"
    more = f" (và {len(lost) - 1} đơn vị khác: {', '.join(lost['code'].iloc[1:4])})" if len(lost) > 1 else ""
    raise ReferenceDataError(
        f"Tệp {path}: đơn vị {code} ({label}) đã có {int(row['n_submissions'])} báo cáo trong kho dữ liệu nhưng không còn "
        f"trong danh sách đơn vị{more}; {fix}. Nếu đơn vị thực sự đổi mã hoặc sáp nhập, việc đó phải được khai báo, tonghop "
        "không tự đoán. Lượt chạy dừng, chưa ghi gì.")
