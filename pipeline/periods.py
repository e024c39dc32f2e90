"""Period codes (2023-Q3, 2023-H1, 2023-9M, 2023-Y, 2023-H2) and their Vietnamese labels."""

from __future__ import annotations

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
