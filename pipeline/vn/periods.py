"""Period codes (2023-Q3, 2023-H1, 2023-9M, 2023-Y, 2023-H2) and their Vietnamese labels."""

from __future__ import annotations

import datetime as dt
import re

PERIOD_RE = re.compile(r"^(\d{4})-(Q[1-4]|H[12]|9M|Y)$")
_QUARTERS = {"Q1": "quý I", "Q2": "quý II", "Q3": "quý III", "Q4": "quý IV"}


def is_period(code: str) -> bool:
    """Tell whether `code` is a valid period code."""
    return bool(PERIOD_RE.match(code or ""))


def period_label(code: str) -> str:
    """Return the Vietnamese label of a period code: '2023-H1' → '6 tháng đầu năm 2023'."""
    m = PERIOD_RE.match(code)
    if not m:
        return code
    year, part = m.groups()
    if part in _QUARTERS:
        return f"{_QUARTERS[part]} năm {year}"
    return {"H1": f"6 tháng đầu năm {year}", "H2": f"6 tháng cuối năm {year}", "9M": f"9 tháng năm {year}", "Y": f"năm {year}"}[part]


_ENDS = {"Q1": (3, 31), "Q2": (6, 30), "Q3": (9, 30), "Q4": (12, 31), "H1": (6, 30), "H2": (12, 31), "9M": (9, 30), "Y": (12, 31)}
_STARTS = {"Q1": 1, "Q2": 4, "Q3": 7, "Q4": 10, "H1": 1, "H2": 7, "9M": 1, "Y": 1}


def period_bounds(code: str) -> tuple[dt.date, dt.date]:
    """Return the calendar first and last day of a period code."""
    m = PERIOD_RE.match(code)
    if not m:
        raise ValueError(f"not a period code: {code}")
    year, part = int(m.group(1)), m.group(2)
    month, day = _ENDS[part]
    return dt.date(year, _STARTS[part], 1), dt.date(year, month, day)


def period_kind(code: str) -> str:
    """Return the kind of a period: Q (quarter), H1, H2, 9M or Y."""
    part = code.split("-", 1)[1]
    return "Q" if part.startswith("Q") else part
