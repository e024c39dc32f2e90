"""Matching printed rows to canonical indicators by meaning: name, unit and section, the printed code a hint."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from pipeline.reference.catalog import Catalog
from pipeline.read.table import RawRow
from pipeline.vn.text import fold, row_key

HINT_BONUS = 25.0
PARENT_BONUS = 10.0
ACCEPT_WITH_HINT = 55.0
ACCEPT_BY_NAME = 85.0
SURE = 90.0


@dataclass
class Match:
    """The indicator a row was matched to, with its score (None when unmatched)."""

    row: RawRow
    indicator_code: str | None
    score: float


def _name_keys(name: str) -> list[str]:
    return [k for k in {fold(name), row_key(name)} if k]


def _similarity(keys: list[str], names: list[str], lenient: bool = False) -> float:
    """Best similarity of a row's name keys to an indicator's names; `lenient` also credits word subsets."""
    best = 0.0
    for a in keys:
        for b in names:
            s = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
            if lenient:
                s = max(s, fuzz.token_set_ratio(a, b) * 0.9)
            if s > best:
                best = s
    return best


def _unit_penalty(row_unit: str, kind: str) -> float:
    u = fold(row_unit)
    if not u:
        return 0.0
    is_pct = "%" in row_unit or u in ("ty le", "phan tram")
    is_code_list = "=" in row_unit
    if kind == "rate" and not is_pct and not is_code_list:
        return -30.0
    if kind in ("count", "money") and (is_pct or is_code_list):
        return -30.0
    if kind == "coded" and is_pct:
        return -30.0
    return 0.0


def _hints(row: RawRow, catalog: Catalog) -> set[str]:
    if not row.printed_code:
        if row.layout == "numbered" and row.parent_code:
            return set(catalog.th_sub_index.get((row.parent_code, row_key(row.name)), []))
        return set()
    if row.layout == "bieumau" and row.form:
        return set(catalog.bm_index.get((row.form, row.printed_code), []))
    if row.layout == "numbered":
        return set(catalog.th_index.get(row.printed_code, []))
    if row.area_roman:
        code = f"{row.area_roman}.{row.printed_code}"
        return {code} if code in catalog.frame.index else set()
    return set()


def map_rows(rows: list[RawRow], catalog: Catalog) -> list[Match]:
    """Match each printed row to the best canonical indicator of its area, or to none."""
    all_codes, kinds, by_area = catalog.lookups
    matches: list[Match] = []
    mapped_by_printed: dict[tuple[str, str], str] = {}
    memo = _memo_for(catalog)
    for row in rows:
        parent = mapped_by_printed.get((row.sheet, row.parent_code)) if row.parent_code else None
        key = (row.name, row.unit, row.printed_code, row.layout, row.form, row.area, row.parent_code, row.parent_name, parent)
        found = memo.get(key)
        if found is None:
            found = _match(row, parent, catalog, all_codes, kinds, by_area)
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[key] = found
        code, score = found
        if code and row.printed_code:
            mapped_by_printed[(row.sheet, row.printed_code)] = code
        matches.append(Match(row, code, score))
    return matches


# The rows of one office's workbooks repeat from file to file (same template): a row is matched once per run and
# reading the next file with the same row costs one dict lookup. The match depends only on the row's texts and
# position in its table (the key) and on the catalog.
_MEMO_SIZE = 200_000
_memo: tuple[Catalog | None, dict[tuple, tuple[str | None, float]]] = (None, {})


def _memo_for(catalog: Catalog) -> dict[tuple, tuple[str | None, float]]:
    """The matches already made against this catalog (a new catalog starts afresh)."""
    global _memo
    if _memo[0] is not catalog:
        _memo = (catalog, {})
    return _memo[1]


def _match(row: RawRow, parent: str | None, catalog: Catalog, all_codes, kinds, by_area) -> tuple[str | None, float]:
    """The indicator a row matches (None when none is good enough) and its name similarity."""
    candidates = by_area.get(row.area_roman, all_codes) if row.area_roman else all_codes
    hints = _hints(row, catalog)
    keys = _name_keys(row.name)
    if not row.printed_code and row.parent_name:
        keys += _name_keys(f"{row.parent_name} {row.name}")  # "Tại cấp xã" under its parent
    best_code, best_total, best_sim = None, float("-inf"), 0.0
    # a printed code whose indicator also matches by name settles the row without a full scan
    ordered = sorted(hints) + [c for c in candidates if c not in hints]
    for code in ordered:
        if best_code in hints and best_sim >= SURE and code not in hints:
            break
        sim = _similarity(keys, catalog.names[code], lenient=code in hints) if keys else 0.0
        total = sim + _unit_penalty(row.unit, kinds[code])
        if code in hints:
            total += HINT_BONUS
        if parent and code.startswith(parent + "."):
            total += PARENT_BONUS
        if total > best_total:
            best_code, best_total, best_sim = code, total, sim
    accepted = False
    if best_code is not None:
        fit = best_sim + _unit_penalty(row.unit, kinds[best_code])
        accepted = fit >= ACCEPT_BY_NAME or (best_code in hints and fit >= ACCEPT_WITH_HINT)
    return (best_code if accepted else None), round(best_sim, 1)
