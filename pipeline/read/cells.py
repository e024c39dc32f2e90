"""Turning a value cell into a number with the indicator's kind in mind (coded answers, words, errors)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pipeline.vn.numbers import MAX_NUMBER, Convention, parse_code_list, parse_number, separator_readings
from pipeline.vn.text import fold
from pipeline.read.recalc import RecomputedFormula


@dataclass(frozen=True)
class Value:
    """A normalised value: the number (None when blank or unusable) and the issue code it raised."""

    value: float | None
    raw: str
    issue: str | None  # an issue code of pipeline.issues, or None
    params: dict = field(default_factory=dict)  # extra parameters of the issue's message
    # what the cell says when it holds no number: "blank" (not reported) or "na" (not applicable: "không áp dụng",
    # "-", "x"); "" otherwise (a number, or a text that could not be read: see `issue`). Not part of equality.
    state: str = field(default="", compare=False)


_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _shown_number(x: float) -> str:
    """A number written the Vietnamese way, as Excel in a Vietnamese locale shows it ("99,5")."""
    text = f"{round(x, 10):.10f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _date_value(raw: object) -> Value:
    """A date-formatted value cell: Excel shows a date, never a count; the value stays out."""
    if isinstance(raw, dt.datetime):
        shown = raw.strftime("%d/%m/%Y %H:%M") if raw.time() != dt.time() else raw.strftime("%d/%m/%Y")
        stored = (raw - _EXCEL_EPOCH).total_seconds() / 86400
    elif isinstance(raw, dt.date):
        shown = raw.strftime("%d/%m/%Y")
        stored = (dt.datetime.combine(raw, dt.time()) - _EXCEL_EPOCH).days
    elif isinstance(raw, dt.time):
        shown = raw.strftime("%H:%M:%S")
        stored = (raw.hour * 3600 + raw.minute * 60 + raw.second) / 86400
    elif isinstance(raw, dt.timedelta):
        shown = str(raw)
        stored = raw.total_seconds() / 86400
    else:  # a number under a date format that the reader left as a number
        stored = float(raw)
        shown = (_EXCEL_EPOCH + dt.timedelta(days=stored)).strftime("%d/%m/%Y")
    if 0 < stored < 61:  # Excel's 1900 leap-year bug: serials below 61 are one day off
        stored -= 1
    return Value(None, shown, "value-date-format", {"stored": _shown_number(stored)})


def _percent_value(raw: float, kind: str) -> Value:
    """A number in a percent-formatted cell: Excel shows raw × 100 %."""
    shown = f"{_shown_number(raw * 100)}%"
    if kind == "rate":
        if abs(raw) <= 1:  # typed "80%" (or 0,8 shown as 80 %): the rate is what Excel shows
            return Value(round(raw * 100, 10), shown, None)
        if abs(raw) <= 100:  # 80 under a % format shows 8000 %: formatted after typing, the typed 80 is meant
            return Value(float(raw), shown, "value-percent-format", {"value": _shown_number(raw)})
        return Value(round(raw * 100, 10), shown, None)  # out of range either way: validation reports it
    # a count, amount or coded answer under a percent format: the stored number is the figure meant
    return Value(float(raw), shown, "value-percent-format", {"value": _shown_number(raw)})


def normalise_value(raw: object, kind: str, printed_unit: str, listed: dict[int, str],
                    convention: Convention | None = None, fmt: str = "") -> Value:
    """Read a cell for an indicator of `kind`; coded answers may be typed as their label ("Có").

    `convention` is the file's reading of "2,014"-like texts (numbers.decide_convention); Vietnamese when None.
    `fmt` is the cell's number-format kind ("percent" | "date" | ""): a fraction under a percent format is the
    percent Excel shows; a date (calamine returns date/time objects for date-formatted cells) is never a count.
    """
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and not -MAX_NUMBER <= raw <= MAX_NUMBER:
        return Value(None, parse_number(raw).raw, "value-too-large", {"limit": "10^15"})  # 1e308, inf, nan, huge ints
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)) or (
            fmt == "date" and isinstance(raw, (int, float)) and not isinstance(raw, bool)):
        return _date_value(raw)
    if fmt == "percent" and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        shown = _percent_value(float(raw), kind)
        if isinstance(raw, RecomputedFormula) and shown.issue is None:  # recomputed, then shown as a percent
            return Value(shown.value, raw.formula, "value-formula-recomputed")
        return shown
    if isinstance(raw, RecomputedFormula):  # a formula whose stored result was not to be trusted, recomputed
        return Value(float(raw), raw.formula, "value-formula-recomputed")
    parsed = parse_number(raw, convention, kind)
    if parsed.status == "blank":
        return Value(None, parsed.raw, None, state="blank")
    if parsed.status == "na":
        return Value(None, parsed.raw, None, state="na")
    if parsed.status == "ambiguous":
        grouped, decimal = separator_readings(parsed.raw)
        return Value(None, parsed.raw, "value-separator-ambiguous",
                     {"as_group": _plain(grouped), "as_decimal": _plain(decimal).replace(".", ",")})
    if parsed.status == "formula":
        return Value(None, parsed.raw, "value-formula-uncached")
    if parsed.status == "excel-error":
        return Value(None, parsed.raw, "value-excel-error")
    if parsed.status == "too-large":
        return Value(None, parsed.raw, "value-too-large", {"limit": "10^15"})
    if kind == "coded" and parsed.status in ("invalid", "word"):
        labels = {fold(label): code for code, label in {**listed, **parse_code_list(printed_unit)}.items()}
        code = labels.get(fold(parsed.raw))
        if code is not None:
            return Value(float(code), parsed.raw, None)
    if parsed.status == "invalid":
        return Value(None, parsed.raw, "value-invalid")
    if parsed.status == "word":
        return Value(parsed.value, parsed.raw, "value-word")
    return Value(parsed.value, parsed.raw, None)


def _plain(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))
