"""Vietnamese number formatting, the one place text shows a number: '.' groups thousands, ',' marks decimals.

"23.378" (a count), "99,92" (a decimal), "99,92%" (a percent), "09" (a count in the report's prose).
The reverse (reading "3.000" as 3000) is pipeline/vn/numbers.py.
"""

from __future__ import annotations

import math

import numpy as np

BLANK = "trống"  # a missing number in a message ("Giá trị trống")


_SWAP = str.maketrans(",.", ".,")  # Python's "1,234.5" -> Vietnamese "1.234,5"


def count(n: float, *, two_digits: bool = False) -> str:
    """A whole number: '23.378', '-1.200', '7'; with `two_digits` one from 1 to 9 is written '07' (the report's prose,
    as in the seeds: '03 xã', '01 hồ sơ'); zero stays '0'."""
    n = int(round(float(n)))
    if two_digits and 0 < n < 10:
        return f"{n:02d}"
    return f"{n:,}".translate(_SWAP)


def decimal(x: float, places: int | None = 2, *, blank: str = BLANK, group: bool = True) -> str:
    """A number rounded to `places` (None: as precise as the float), trailing zeros dropped: '99,92', '1.234,5', '74'.

    A missing or non-finite number is `blank`. `group=False` leaves out the thousands dots ('9177/9185', the parts of
    a district ratio as the workbook has always shown them).
    """
    if x is None:
        return blank
    x = float(x)
    if not math.isfinite(x):
        return blank
    if places is not None:
        x = round(x, places) + 0.0  # + 0.0: no "-0"
        text = f"{x:,.{places}f}"
    else:
        x += 0.0
        text = f"{x:,}"
        if "e" in text:  # 1e+20, 1e-07: written out in full
            whole, _, frac = np.format_float_positional(abs(x), trim="-").partition(".")
            text = ("-" if x < 0 else "") + f"{int(whole):,}" + ("." + frac if frac else "")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_SWAP) if group else text.replace(",", "").replace(".", ",")


def percent(x: float, places: int = 2, *, blank: str = BLANK) -> str:
    """A percentage: '99,92%', '50%'."""
    text = decimal(x, places, blank=blank)
    return text if text == blank else text + "%"


def decimals(values: np.ndarray, places: int = 2) -> np.ndarray:
    """`decimal` over an array, formatting each distinct value once (the rules' messages quote many repeats)."""
    r = np.round(np.asarray(values, dtype=float), places)
    uniq, inv = np.unique(r, return_inverse=True)
    whole = np.isfinite(uniq) & (uniq == np.round(uniq)) & (np.abs(uniq) < 2**53)
    text = np.empty(uniq.size, dtype=object)
    text[whole] = [f"{int(u):,}".translate(_SWAP) for u in uniq[whole]]  # the common case, fast
    rest = ~whole
    if places is not None and places > 0:  # `decimal` inlined: finite numbers always print a decimal point
        finite = rest & np.isfinite(uniq)
        spec = f",.{places}f"
        text[finite] = [format(round(u, places) + 0.0, spec).rstrip("0").rstrip(".").translate(_SWAP)
                        for u in uniq[finite].tolist()]
        text[rest & ~finite] = BLANK
    else:
        text[rest] = [decimal(u, places) for u in uniq[rest]]
    return text[inv.reshape(-1)]
