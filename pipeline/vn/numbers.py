"""Vietnamese number parsing: "3.000" = 3000, "67,1" = 67.1, "98.17" = 98.17, blank is not zero.

A figure typed as text with one separator before exactly three digits ("3.000", "2,014", "1.200") reads two
ways: thousands grouping or a decimal with three places. `decide_convention` settles each separator for a whole
file from the cells that can only be read one way (see its docstring); `parse_number` then reads the ambiguous
ones with that `Convention`, or reports them as "ambiguous" when the file does not tell.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.vn.text import fold, nfc

_INTEGER = re.compile(r"^[+-]?\d+$")                               # 08
_SEPARATED = re.compile(r"^([+-]?)(\d+(?:[.,]\d+)+)$")              # digits with "." / "," between them
_RUNS = re.compile(r"[.,]")
MAX_NUMBER = 1e15  # no report figure is larger; beyond 2**53 a double no longer holds every whole number
_LONGEST = 40  # characters of the longest number text read (1e15 with separators and decimals is far shorter)
_NUMERIC_CHARS = re.compile(r"[-+]?[0-9.,]+")
_EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA", "#SPILL!", "#CALC!"}
_NONE_WORDS = {"khong", "khong co", "chua co", "chua phat sinh", "khong phat sinh"}
_BLANK_WORDS = {"...", "…", "/"}
# Not applicable (SDMX's OBS_STATUS "not applicable", not "missing"): the marks as typed, and the words accent-folded
NA_MARKS = frozenset({"-", "--", "—", "–", "x", "X", "k/a", "K/A", "n/a", "N/A"})
NA_WORDS = frozenset({"khong ap dung", "kad", "k a", "n a", "khong ap dung doi voi xa", "khong ap dung cho xa"})


class UncachedFormula(str):
    """A formula cell saved without its computed value (the text is the formula)."""


@dataclass(frozen=True)
class Parsed:
    """The outcome of reading one value cell."""

    value: float | None
    status: str  # "number" | "blank" | "na" | "word" | "invalid" | "excel-error" | "formula" | "ambiguous" | "too-large"
    raw: str


@dataclass(frozen=True)
class Convention:
    """How a file reads a lone "." or "," before exactly three digits: "group" (thousands), "decimal", or None."""

    dot: str | None
    comma: str | None

    def reading(self, sep: str, kind: str | None = None) -> str | None:
        """How to read "d<sep>ddd" in an indicator of `kind`: counts are whole, rates stay within 0-100."""
        if kind == "count":
            return "group"  # "1,200" hồ sơ cannot be 1.2, nor "1,000" a count of 1 typed with three zero decimals
        if kind == "rate":
            return "decimal"  # grouping would give 1000 % or more
        return self.dot if sep == "." else self.comma


# What parse_number assumes without a file's evidence: the Vietnamese convention ("3.000" = 3000, "67,1" = 67.1).
VIETNAMESE = Convention(dot="group", comma="decimal")


@dataclass(frozen=True)
class _Shape:
    """A compact numeric text: its one reading, or (value None) the two readings of "d.ddd" / "d,ddd"."""

    value: float | None
    sep: str = ""
    grouped: float = 0.0
    decimal: float = 0.0
    # "G." / "G,": the separator groups thousands; "D." / "D,": it marks decimals; "T." / "T,": three decimals
    evidence: frozenset[str] = frozenset()


_SHAPES: dict[str, _Shape | None] = {}


def _shape(s: str) -> _Shape | None:
    """Classify a compact text ("1.234,5", "2,014", "98.17"); None when it is not a number."""
    if len(s) > _LONGEST:  # no figure is written that long (int() of 40 000 digits is refused, or overflows a float)
        return None
    shape = _SHAPES.get(s, False)
    if shape is False:
        shape = _classify(s)
        if len(_SHAPES) < 65536:  # the same few hundred texts recur across a run's workbooks
            _SHAPES[s] = shape
    return shape


def _classify(s: str) -> _Shape | None:
    if _INTEGER.match(s):
        return _Shape(float(int(s)))
    m = _SEPARATED.match(s)
    if m is None:
        return None
    sign = -1.0 if m.group(1) == "-" else 1.0
    body = m.group(2)
    runs, seps = _RUNS.split(body), _RUNS.findall(body)
    first, last = seps[0], seps[-1]
    if all(x == first for x in seps):
        if len(seps) > 1:  # "8.024.907.482", "1,234,567": grouping only
            if len(runs[0]) <= 3 and all(len(r) == 3 for r in runs[1:]):
                return _Shape(sign * int("".join(runs)), evidence=frozenset({"G" + first}))
            return None
        lead, tail = runs
        decimal = sign * float(f"{lead}.{tail}")
        if len(tail) != 3:  # "67,1", "98.17", "3,14159": a group has exactly three digits
            return _Shape(decimal, evidence=frozenset({"D" + first}))
        if len(lead) > 3 or not lead.strip("0"):  # "1234,567", "0.125": no group is that long or zero
            return _Shape(decimal, evidence=frozenset({"D" + first, "T" + first}))
        return _Shape(None, first, sign * int(lead + tail), decimal)
    # both separators: thousands groups of one, then a single decimal separator of the other ("1.234,5", "1,234.5")
    if any(x != first for x in seps[:-1]) or len(runs[0]) > 3 or any(len(r) != 3 for r in runs[1:-1]):
        return None
    evidence = {"G" + first, "D" + last} | ({"T" + last} if len(runs[-1]) == 3 else set())
    return _Shape(sign * float("".join(runs[:-1]) + "." + runs[-1]), evidence=frozenset(evidence))


def _compact(text: str) -> str:
    return text.replace(" ", "").rstrip("%").strip()


def parse_number(raw: object, convention: Convention | None = None, kind: str | None = None) -> Parsed:
    """Parse a cell value typed the Vietnamese way into a number; blank stays None.

    A text such as "2,014" is read with `convention` (the file's, from `decide_convention`; Vietnamese when not
    given) and the indicator's `kind`; when neither settles it the status is "ambiguous" and the value None.
    """
    if raw is None:
        return Parsed(None, "blank", "")
    if isinstance(raw, UncachedFormula):
        return Parsed(None, "formula", str(raw))
    if isinstance(raw, bool):
        return Parsed(float(raw), "number", str(raw))
    if isinstance(raw, (int, float)):
        try:
            value = float(raw)
        except OverflowError:  # an int past a double
            return Parsed(None, "too-large", _short(str(raw)))
        if not (-MAX_NUMBER <= value <= MAX_NUMBER):  # also inf and nan
            return Parsed(None, "too-large", _short(repr(value)))
        return Parsed(value, "number", _raw_number_text(raw))
    if isinstance(raw, (_dt.date, _dt.datetime, _dt.time)):
        return Parsed(None, "invalid", str(raw))
    text = nfc(str(raw))
    if text == "":
        return Parsed(None, "blank", "")
    if text.upper() in _EXCEL_ERRORS:
        return Parsed(None, "excel-error", text)
    if text in _BLANK_WORDS:
        return Parsed(None, "blank", text)
    if text in NA_MARKS:  # "-", "x", "—": the indicator does not apply to the unit (not a blank, not a 0)
        return Parsed(None, "na", text)
    compact = _compact(text)
    if len(compact) > _LONGEST and _NUMERIC_CHARS.fullmatch(compact):  # "4" typed 40 000 times: no figure is that long
        return Parsed(None, "too-large", _short(text))
    shape = _shape(compact)
    if shape is not None:
        if shape.value is not None:
            if not (-MAX_NUMBER <= shape.value <= MAX_NUMBER):
                return Parsed(None, "too-large", _short(text))
            return Parsed(shape.value, "number", text)
        reading = (convention or VIETNAMESE).reading(shape.sep, kind)
        if reading is None:
            return Parsed(None, "ambiguous", text)
        return Parsed(float(shape.grouped) if reading == "group" else shape.decimal, "number", text)
    folded = fold(text)
    if folded in _NONE_WORDS:
        return Parsed(0.0, "word", text)
    if folded in NA_WORDS:  # "Không áp dụng", "KAD", "k/a"
        return Parsed(None, "na", text)
    return Parsed(None, "invalid", text)


def _short(text: str) -> str:
    """A long raw text cut for messages and the ledger (its length said)."""
    return text if len(text) <= 40 else f"{text[:20]}…({len(text)} ký tự)"


def separator_readings(raw: object) -> tuple[float, float] | None:
    """The two readings (thousands grouping, three decimals) of an ambiguous text such as "2,014", else None."""
    if not isinstance(raw, str):
        return None
    shape = _shape(_compact(nfc(raw)))
    if shape is None or shape.value is not None:
        return None
    return float(shape.grouped), shape.decimal


def decide_convention(cells: Iterable[tuple[object, str | None]]) -> Convention:
    """Decide, for one file, how its ambiguous "d.ddd" / "d,ddd" texts read, from its (raw value, kind) cells.

    Evidence comes only from text cells that read one way: "8.024.907.482" and "1.234,5" group with dots,
    "1,234.5" with commas; "67,1" and "98.17" show the decimal separator; a count typed "1,200" groups with
    commas (counts are whole) and a rate typed "12,500" uses three decimals (a rate stays within 100 %).
    For each separator, in order:
      1. what the file does with that separator before three digits (grouping vs three decimals) decides it;
         both ways in one file -> undecided;
      2. else what the other separator does: if it groups, this one is the decimal separator, if it carries
         three decimals, this one groups -- unless the weak evidence ("67,1", "98.17") says the file mixes;
      3. else the national convention for the dot ("3.000" = 3000, the Vietnamese norm); a comma stays undecided
         ("1,200" is 1200 typed the English way or 1,2 with three decimals the Vietnamese way).
    """
    seen: set[str] = set()
    for raw, kind in cells:
        if not isinstance(raw, str) or ("." not in raw and "," not in raw):
            continue  # numbers stored as numbers say nothing about typing
        shape = _shape(_compact(nfc(raw)))
        if shape is None:
            continue
        if shape.value is not None:
            seen |= shape.evidence
        elif kind == "count":
            seen.add("G" + shape.sep)
        elif kind == "rate":
            seen |= {"D" + shape.sep, "T" + shape.sep}
    if not seen:
        return VIETNAMESE_UNDECIDED
    return Convention(dot=_decide(".", ",", seen), comma=_decide(",", ".", seen))


def _decide(sep: str, other: str, seen: set[str]) -> str | None:
    groups, three = "G" + sep in seen, "T" + sep in seen
    if groups or three:
        return None if groups and three else "group" if groups else "decimal"
    other_groups, other_three = "G" + other in seen, "T" + other in seen
    if other_groups and other_three:
        return None
    if other_groups:
        return None if "D" + other in seen else "decimal"
    if other_three:
        return None if "D" + sep in seen else "group"
    return "group" if sep == "." else None


# A file without any evidence: "3.000" groups (the Vietnamese norm), "3,000" cannot be told.
VIETNAMESE_UNDECIDED = Convention(dot="group", comma=None)


def _raw_number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def parse_code_list(text: str) -> dict[int, str]:
    """Read a printed code list such as "Có = 1; Không = 0" or "0=Không;1=Có" into {code: label}."""
    out: dict[int, str] = {}
    if not text:
        return out
    for m in re.finditer(r"([^=;/\n\r]+?)\s*=\s*(\d+)|(\d+)\s*=\s*([^=;/\n\r]+?)(?=\s*(?:;|/|\n|$|\d+\s*=))", nfc_multiline(text)):
        if m.group(1) is not None and not m.group(1).strip().isdigit():
            out[int(m.group(2))] = m.group(1).strip(" ;/")
        elif m.group(3) is not None:
            out[int(m.group(3))] = m.group(4).strip(" ;/")
    return out


def nfc_multiline(text: str) -> str:
    """NFC-normalise text while keeping its line breaks."""
    return "\n".join(nfc(line) for line in str(text).splitlines())
