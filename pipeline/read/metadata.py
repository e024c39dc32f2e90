"""What a submission says about itself: the unit, the period, the data window, the report number."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.vn.text import fold, nfc
from pipeline import issues as iss
from pipeline.reference.registry import Registry, match_unit
from pipeline.read.workbook import Workbook

_QUARTER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PATTERNS = [
    (re.compile(r"\bquy (iv|iii|ii|i|[1-4])\b(?: nam)? (\d{4})"), lambda m: f"{m.group(2)}-Q{_QUARTER[m.group(1)]}"),
    (re.compile(r"\b6 thang dau nam (\d{4})"), lambda m: f"{m.group(1)}-H1"),
    (re.compile(r"\b6 thang cuoi nam (\d{4})"), lambda m: f"{m.group(1)}-H2"),
    (re.compile(r"\b9 thang(?: dau)? nam (\d{4})"), lambda m: f"{m.group(1)}-9M"),
    (re.compile(r"\b(?:cchc|chcc|hanh chinh|cai cach hanh chinh) nam (\d{4})"), lambda m: f"{m.group(1)}-Y"),
]
_WINDOW = re.compile(r"tu ngay (\d{1,2}) (\d{1,2}) (\d{4}) den ngay (\d{1,2}) (\d{1,2}) (\d{4})")
_REPORT_NO = re.compile(r"báo cáo số\s*(\d+\s*/\s*[A-ZĐ][A-ZĐa-z\-]*)", re.IGNORECASE)
_REPORT_DATE = re.compile(r"ngày\s*(\d{1,2})\s*(?:/|-|tháng)\s*(\d{1,2})\s*(?:/|-|năm)\s*(\d{4})", re.IGNORECASE)


@dataclass
class Metadata:
    """Identity of a submission as stated in the file."""

    unit_code: str | None
    unit_text: str | None
    period_code: str | None
    period_text: str | None
    window: tuple[dt.date, dt.date] | None
    report_number: str | None
    report_date: dt.date | None = None


def header_texts(book: Workbook, limit_rows: int = 14) -> list[str]:
    """Return the non-empty texts of the top rows of every sheet (titles, captions, issuer block)."""
    out: list[str] = []
    for sheet in book.sheets:
        for row in sheet.rows[:limit_rows]:
            for v in row:  # Sheet.text of each cell, from the row's list (cells past a short row are empty)
                if v is None or v == "" or isinstance(v, (int, float)):
                    continue
                t = nfc(str(v))
                if t:
                    out.append(t)
    return out


def detect_period(texts: list[str]) -> tuple[str | None, str | None]:
    """Return (period code, the text it came from) from titles such as '6 tháng đầu năm 2023'."""
    for text in texts:
        key = fold(text)
        for pattern, build in _PATTERNS:
            m = pattern.search(key)
            if m:
                return build(m), text
    return None, None


def detect_window(texts: list[str]) -> tuple[dt.date, dt.date] | None:
    """Return the stated data window ('Số liệu tính từ ngày 10/6/2023 đến ngày 09/9/2023')."""
    for text in texts:
        m = _WINDOW.search(fold(text))
        if m:
            d = [int(x) for x in m.groups()]
            try:
                return dt.date(d[2], d[1], d[0]), dt.date(d[5], d[4], d[3])
            except ValueError:
                return None
    return None


def issuer_unit(texts: list[str], registry: Registry) -> str | None:
    """Return the unit code named by an issuer block ('UBND XÃ NGỌC KỲ', 'XÃ NGỌC KỲ') among `texts`, if any."""
    return _issuer(texts, registry)[0]


def _issuer(texts: list[str], registry: Registry, period_code: str | None = None) -> tuple[str | None, str | None]:
    for i, text in enumerate(texts):
        key = fold(text)
        if key.startswith(("uy ban nhan dan", "ubnd")) or re.match(r"^(xa|phuong|thi tran|tt)\b", key):
            candidates = [text] + ([f"{text} {texts[i + 1]}"] if i + 1 < len(texts) else [])
            for cand in candidates:
                code = match_unit(cand, registry, period_code=period_code)
                if code:
                    return code, cand
    return None, None


def detect_unit(texts: list[str], file_name: str, registry: Registry,
                period_code: str | None = None) -> tuple[str | None, str | None]:
    """Return (unit code, matched text) from the issuer block, captions, else the file name.

    With a period, a unit valid at its end is preferred over an old or a later unit of the same name.
    """
    code, text = _issuer(texts, registry, period_code)
    if code:
        return code, text
    for text in texts:
        if "cua ubnd" in fold(text) or "cua uy ban" in fold(text):
            code = match_unit(text, registry, period_code=period_code)
            if code:
                return code, text
    stem = file_name.rsplit(".", 1)[0].replace("_", " ")
    code = match_unit(stem, registry, bare_name=True, period_code=period_code)
    return (code, file_name) if code else (None, None)


def unit_period_issue(registry: Registry, unit_code: str | None, period_code: str | None, file: str) -> dict | None:
    """The `unit-not-valid-in-period` issue of a file naming a unit that did not exist at its period's end, else None.

    Its message names the successor (a unit merged, split or renamed before the period) or the predecessors (a unit
    created after it); `raw` holds their codes separated by '|'.
    """
    if unit_code is None or period_code is None or registry.is_valid(unit_code, period_code):
        return None
    reason, codes = registry.not_valid_reason(unit_code, period_code)
    return iss.issue("unit-not-valid-in-period", file=file, raw="|".join(codes) or None, period=period_code, detail=reason)


def read_metadata(book: Workbook, registry: Registry, folder_period: str | None = None) -> Metadata:
    """Detect unit, period, window and report number of a workbook (the unit valid in the period: the folder's, else
    the file's own)."""
    texts = header_texts(book)
    period_code, period_text = detect_period(texts)
    unit_code, unit_text = detect_unit(texts, book.file_name, registry, folder_period or period_code)
    number, date = detect_report(texts)
    return Metadata(unit_code, unit_text, period_code, period_text, detect_window(texts), number, date)


def detect_report(texts: list[str]) -> tuple[str | None, dt.date | None]:
    """Return the report number ('37/BC-UBND') and date from a caption such as '(Kèm theo Báo cáo số 37/BC-UBND ngày 15/03/2024)'."""
    for text in texts:
        m = _REPORT_NO.search(text)
        if m:
            number = re.sub(r"\s+", "", m.group(1))
            d = _REPORT_DATE.search(text[m.end():])
            date = None
            if d:
                try:
                    date = dt.date(int(d.group(3)), int(d.group(2)), int(d.group(1)))
                except ValueError:
                    date = None
            return number, date
    return None, None
