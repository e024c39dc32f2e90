"""Deadlines of each period (schemas/deadlines.toml): the end of the data window plus N days per period kind."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ReferenceDataError
from pipeline.reference.files import read_toml
from pipeline.vn.periods import is_period, period_bounds, period_kind

KINDS = ("Q", "H1", "H2", "9M", "Y")


@dataclass(frozen=True)
class DeadlineRule:
    """Days after the data window's end per period kind, and deadlines fixed for single periods."""

    days_after_window: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 5))
    fixed: dict[str, dt.date] = field(default_factory=dict)
    reply_working_days: int = 5  # a commune answers a feedback workbook within this many working days ([reply])


def load_deadlines(path: Path | None) -> DeadlineRule:
    """Read schemas/deadlines.toml; without a file every kind is due 5 days after its window."""
    if path is None or not Path(path).exists():
        return DeadlineRule()
    data = read_toml(Path(path), "--deadlines")
    try:
        days = {**dict.fromkeys(KINDS, 5), **{str(k): int(v) for k, v in data.get("days_after_window", {}).items()}}
    except (TypeError, ValueError, AttributeError):
        raise ReferenceDataError(f"Tệp {path}: bảng [days_after_window] cần số ngày nguyên cho mỗi loại kỳ "
                                 f"({', '.join(KINDS)}), ví dụ Q = 5: hãy sửa bảng đó.") from None
    unknown = set(days) - set(KINDS)
    if unknown:
        raise ReferenceDataError(f"Tệp {path}: loại kỳ không có {sorted(unknown)} trong [days_after_window] (chỉ dùng "
                                 f"{', '.join(KINDS)}): hãy sửa dòng đó.")
    fixed: dict[str, dt.date] = {}
    for code, value in data.get("periods", {}).items():
        if not is_period(code):
            raise ReferenceDataError(f"Tệp {path}: '{code}' trong [periods] không phải mã kỳ (ví dụ 2023-Q3, 2023-H1): "
                                     "hãy sửa dòng đó.")
        try:
            fixed[code] = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            raise ReferenceDataError(f"Tệp {path}: hạn nộp của kỳ {code} ({value!r}) không phải ngày dạng 2023-07-05: "
                                     "hãy sửa dòng đó.") from None
    try:
        reply_days = int(data.get("reply", {}).get("working_days", 5))
        if reply_days < 1:
            raise ValueError(reply_days)
    except (TypeError, ValueError, AttributeError):
        raise ReferenceDataError(f"Tệp {path}: bảng [reply] cần working_days là số ngày làm việc nguyên dương (ví dụ "
                                 "working_days = 5): hãy sửa dòng đó.") from None
    return DeadlineRule(days, fixed, reply_days)


def reply_deadline(issued: dt.date, rule: DeadlineRule) -> dt.date:
    """The day a commune's answer to a feedback workbook issued on `issued` is due: N working days later (Monday to
    Friday; public holidays are not known to tonghop)."""
    day, left = issued, rule.reply_working_days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def period_deadline(period_code: str, window_ends: list[dt.date | None], rule: DeadlineRule) -> dt.date | None:
    """Return the deadline of a period: a fixed date, else the most stated window end (or the period's end) plus N days."""
    if period_code in rule.fixed:
        return rule.fixed[period_code]
    if not is_period(period_code):
        return None
    stated = Counter(d for d in window_ends if d is not None)
    # the window most units state; ties go to the later end (the district's own window is never the shortest)
    end = max(stated.items(), key=lambda kv: (kv[1], kv[0]))[0] if stated else period_bounds(period_code)[1]
    return end + dt.timedelta(days=rule.days_after_window[period_kind(period_code)])
