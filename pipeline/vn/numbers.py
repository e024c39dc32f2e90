"""Vietnamese number parsing: "3.000" = 3000, "67,1" = 67.1, "98.17" = 98.17, blank is not zero."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from pipeline.vn.text import fold, nfc

_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")        # 8.024.907.482 / 3.000 / 1.234,5
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")                     # 67,1
_DOT_DECIMAL = re.compile(r"^[+-]?\d+\.\d+$")                      # 98.17 (not 3 digits after the dot)
_INTEGER = re.compile(r"^[+-]?\d+$")                               # 08
_EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA", "#SPILL!", "#CALC!"}
_NONE_WORDS = {"khong", "khong co", "chua co", "chua phat sinh", "khong phat sinh"}
_BLANK_WORDS = {"-", "--", "x", "...", "…", "/"}


class UncachedFormula(str):
    """A formula cell saved without its computed value (the text is the formula)."""


@dataclass(frozen=True)
class Parsed:
    """The outcome of reading one value cell."""

    value: float | None
    status: str  # "number" | "blank" | "word" | "invalid" | "excel-error" | "formula"
    raw: str


def parse_number(raw: object) -> Parsed:
    """Parse a cell value typed the Vietnamese way into a number; blank stays None."""
    if raw is None:
        return Parsed(None, "blank", "")
    if isinstance(raw, UncachedFormula):
        return Parsed(None, "formula", str(raw))
    if isinstance(raw, bool):
        return Parsed(float(raw), "number", str(raw))
    if isinstance(raw, (int, float)):
        return Parsed(float(raw), "number", _raw_number_text(raw))
    if isinstance(raw, (_dt.date, _dt.datetime, _dt.time)):
        return Parsed(None, "invalid", str(raw))
    text = nfc(str(raw))
    if text == "":
        return Parsed(None, "blank", "")
    if text.upper() in _EXCEL_ERRORS:
        return Parsed(None, "excel-error", text)
    if text in _BLANK_WORDS:
        return Parsed(None, "blank", text)
    compact = text.replace(" ", "").rstrip("%").strip()
    value = _parse_compact(compact)
    if value is not None:
        return Parsed(value, "number", text)
    if fold(text) in _NONE_WORDS:
        return Parsed(0.0, "word", text)
    return Parsed(None, "invalid", text)


def _parse_compact(s: str) -> float | None:
    if _INTEGER.match(s):
        return float(int(s))
    if _GROUPED.match(s):
        return float(s.replace(".", "").replace(",", "."))
    if _COMMA_DECIMAL.match(s):
        return float(s.replace(",", "."))
    if _DOT_DECIMAL.match(s):
        return float(s)
    return None


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
