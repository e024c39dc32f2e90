"""Turning a value cell into a number with the indicator's kind in mind (coded answers, words, errors)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.vn.numbers import Convention, parse_code_list, parse_number, separator_readings
from pipeline.vn.text import fold
from pipeline.read.recalc import RecomputedFormula


@dataclass(frozen=True)
class Value:
    """A normalised value: the number (None when blank or unusable) and the issue code it raised."""

    value: float | None
    raw: str
    issue: str | None  # an issue code of pipeline.issues, or None
    params: dict = field(default_factory=dict)  # extra parameters of the issue's message


def normalise_value(raw: object, kind: str, printed_unit: str, listed: dict[int, str],
                    convention: Convention | None = None) -> Value:
    """Read a cell for an indicator of `kind`; coded answers may be typed as their label ("Có").

    `convention` is the file's reading of "2,014"-like texts (numbers.decide_convention); Vietnamese when None.
    """
    if isinstance(raw, RecomputedFormula):  # a formula whose stored result was not to be trusted, recomputed
        return Value(float(raw), raw.formula, "value-formula-recomputed")
    parsed = parse_number(raw, convention, kind)
    if parsed.status == "blank":
        return Value(None, parsed.raw, None)
    if parsed.status == "ambiguous":
        grouped, decimal = separator_readings(parsed.raw)
        return Value(None, parsed.raw, "value-separator-ambiguous",
                     {"as_group": _plain(grouped), "as_decimal": _plain(decimal).replace(".", ",")})
    if parsed.status == "formula":
        return Value(None, parsed.raw, "value-formula-uncached")
    if parsed.status == "excel-error":
        return Value(None, parsed.raw, "value-excel-error")
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
