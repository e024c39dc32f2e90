"""A feedback workbook sent back by a commune (phiếu trả lời): recognised by its very hidden identifier sheet.

The district's feedback workbook (pipeline.report.feedback) carries a very hidden sheet `REPLY_SHEET` holding a
marker, the submission it answers, its period and unit, the flags sheet's name, each flag row's (flag_id, row,
indicator) and a checksum over all of them. Reading costs nothing for an ordinary workbook: `read_workbook` keeps the
rows of a hidden sheet only when its name is `REPLY_SHEET`. From a reply only two columns of the flags sheet are taken:
the commune's explanation and its corrected value; nothing else in it is data. Which earlier values the corrected
ones replace is decided by the run against the warehouse (pipeline.run.resolve_replies).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from pipeline import issues as iss
from pipeline.read.basics import cell_ref
from pipeline.read.cells import normalise_value
from pipeline.reference.catalog import Catalog

REPLY_SHEET = "_tonghop_phan_hoi"  # the very hidden sheet of a feedback workbook
MARKER = "tonghop-phan-hoi/1"
FLAGS_SHEET = "Số liệu cần xem lại"  # the sheet the commune fills in
EXPLAIN_COL = 7  # 0-based column H: the commune's explanation
VALUE_COL = 8  # 0-based column I: the corrected value
LAYOUT = "phan-hoi"


@dataclass(frozen=True)
class ReplyRow:
    """One flag row of a reply: what the commune wrote, and where."""

    flag_id: int
    indicator_code: str
    explanation: str | None
    explanation_ref: str
    value: float | None  # the corrected value, when one was typed and reads as a number
    raw: str | None
    value_ref: str


@dataclass
class Reply:
    """What a reply workbook says: the submission it answers and its filled rows."""

    submission_id: int
    period_code: str
    unit_code: str
    rows: list[ReplyRow] = field(default_factory=list)


def checksum(submission_id: int, period_code: str, unit_code: str, sheet: str, rows: list[tuple[int, int, str]]) -> str:
    """The check over a feedback workbook's hidden identifiers (flag rows as (flag_id, 1-based row, indicator))."""
    text = "|".join([MARKER, str(submission_id), period_code, unit_code, sheet,
                     ";".join(f"{f}:{r}:{i}" for f, r, i in rows)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def identifier_rows(submission_id: int, period_code: str, unit_code: str, rows: list[tuple[int, int, str]]) -> list[list]:
    """The hidden sheet's content, row by row (written by pipeline.report.feedback, read back by `read_reply`)."""
    out: list[list] = [[MARKER], ["submission_id", submission_id], ["period_code", period_code], ["unit_code", unit_code],
                       ["sheet", FLAGS_SHEET], ["checksum", checksum(submission_id, period_code, unit_code, FLAGS_SHEET, rows)],
                       ["flag_id", "row", "indicator_code"]]
    out.extend([f, r, i] for f, r, i in rows)
    return out


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _int(v: object) -> int | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() else None


def read_reply(sub, book, catalog: Catalog):
    """Fill `sub` (a Submission) from a reply workbook: identity from the hidden sheet, the filled rows in `sub.reply`.

    A hidden sheet that does not check out (marker, ids, checksum, the flags sheet) rejects the file
    (`reply-ids-changed`); a reply with nothing filled in is rejected too (`reply-empty`).
    """
    fname = book.file_name
    sub.layout = LAYOUT
    hidden = book.reply_rows or []
    cell = lambda r, c: hidden[r][c] if r < len(hidden) and c < len(hidden[r]) else None  # noqa: E731
    values = {_text(cell(r, 0)): cell(r, 1) for r in range(1, 6)}
    sid = _int(values.get("submission_id"))
    period, unit, sheet_name = _text(values.get("period_code")), _text(values.get("unit_code")), _text(values.get("sheet"))
    rows: list[tuple[int, int, str]] = []
    for r in range(7, len(hidden)):
        f, row, ind = _int(cell(r, 0)), _int(cell(r, 1)), _text(cell(r, 2))
        if f is None and row is None and not ind:
            continue
        rows.append((f, row, ind))
    sheet = next((s for s in book.sheets if s.name == sheet_name), None)
    wrong = None
    if _text(cell(0, 0)) != MARKER:
        wrong = "thiếu dấu nhận biết"
    elif sid is None or not period or not unit or any(f is None or r is None or not i for f, r, i in rows):
        wrong = "thiếu mã bản nộp, kỳ, đơn vị hoặc mã dòng"
    elif _text(values.get("checksum")) != checksum(sid, period, unit, sheet_name, rows):
        wrong = "mã kiểm tra không khớp"
    elif sheet is None:
        wrong = f"không còn trang tính \"{sheet_name}\""
    if wrong:
        sub.issues.append(iss.issue("reply-ids-changed", file=fname, detail=wrong))
        return sub
    sub.unit_code, sub.period_code, sub.period_stated = unit, period, period
    reply = Reply(sid, period, unit)
    kinds = catalog.lookups[1]
    for flag_id, row, indicator in rows:
        r0 = row - 1
        explanation = _text(sheet.get(r0, EXPLAIN_COL)) or None
        raw = sheet.get(r0, VALUE_COL)
        e_ref, v_ref = cell_ref(r0, EXPLAIN_COL), cell_ref(r0, VALUE_COL)
        value = None
        if raw not in (None, "") and indicator in kinds:
            kind = kinds[indicator]
            listed = catalog.codes_list(indicator) if kind == "coded" else {}
            v = normalise_value(raw, kind, "", listed)
            if v.value is None:
                sub.issues.append(iss.issue(v.issue or "value-invalid", file=fname, sheet=sheet.name, cell=v_ref,
                                            indicator_code=indicator, raw=v.raw))
            else:
                value = float(v.value)
        if explanation is None and value is None:
            continue
        reply.rows.append(ReplyRow(flag_id, indicator, explanation, f"{fname}!{sheet.name}!{e_ref}",
                                   value, _text(raw) or None, f"{fname}!{sheet.name}!{v_ref}"))
    if not reply.rows:
        sub.issues.append(iss.issue("reply-empty", file=fname))
        return sub
    sub.reply = reply
    sub.issues.append(iss.issue("reply-received", file=fname, submission_id=sid,
                                n_explained=sum(r.explanation is not None for r in reply.rows),
                                n_corrected=sum(r.value is not None for r in reply.rows)))
    return sub
