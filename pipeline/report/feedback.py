"""Feedback for communes (phản hồi), as the district office sends them back.

A run writes one workbook per submission with issues (hundreds in a big run), so each is cheap: built in memory
(no temporary file per part), its formats made once, its rows plain tuples (`feedback_rows`) rather than a frame.
`FeedbackJob` holds everything one workbook needs as plain data, so the run can hand the jobs to worker processes
(`write_feedback_job`).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from collections.abc import Collection
from typing import NamedTuple

import pandas as pd

from pipeline.outcome import FileResult
from pipeline.read.reply import EXPLAIN_COL, FLAGS_SHEET, REPLY_SHEET, VALUE_COL, identifier_rows
from pipeline.reference.office import Office
from pipeline.report.layout import FONT, Workbook, building
from pipeline.issues import label as issue_label
from pipeline.vn import labels
from pipeline.vn.periods import period_label

HEADS = ["STT", "Mức độ", "Trang tính", "Ô", "Mã chỉ tiêu", "Giá trị", "Loại lỗi", "Nội dung", "Mã lỗi"]  # code: for the analyst
WIDTHS = [5, 9, 12, 6, 10, 9, 16, 45, 14]  # 126 characters: A4 landscape with 1 cm margins, at full size
MESSAGE_CHARS = 50  # characters of 12 pt in a line of the message column

# One issue row as the workbook shows it: whether it is an error (shown in red), then the texts of columns B:I.
FeedbackRow = tuple[bool, str, str, str, str, str, str, str, str]


# One open flag as the commune's form shows it: flag_id, indicator code, indicator name, the cell in the commune's own
# report (sheet!cell), the value as reported (text), why it is flagged, the relation expected.
FlagRow = tuple[int, str, str, str, str, str, str]


class Letter(NamedTuple):
    """What the cover letter of an official two-way feedback workbook says, and the identifiers of its reply."""

    office: Office
    submission_id: int
    unit_code: str
    period_code: str
    issued_on: dt.date
    reply_by: dt.date
    working_days: int
    received_on: dt.date | None = None


class FeedbackJob(NamedTuple):
    """One feedback workbook to write, as plain data (picklable, no frame)."""

    path: str
    unit_label: str
    period_code: str | None
    file_name: str
    status: str
    reason: str
    rows: list[FeedbackRow]
    letter: Letter | None = None  # given: a cover letter first, then the open flags for the commune to answer
    flags: list[FlagRow] | None = None


def feedback_path(out: Path, period_code: str | None, unit_code: str | None, submission_id: int | None) -> Path:
    """Return where the feedback workbook of a submission is written."""
    folder = Path(out) / (period_code or "khong-ro-ky") / "phan_hoi"
    return folder / f"PhanHoi_{unit_code or 'khong-ro-don-vi'}_{period_code or 'khong-ro-ky'}_{submission_id or 0}.xlsx"


FEEDBACK_COLUMNS = ("severity", "sheet", "cell", "indicator_code", "raw", "code", "message")


def feedback_rows(issues: pd.DataFrame | FileResult | None, leave_out: Collection[tuple[str, str]] = ()) -> list[FeedbackRow]:
    """The rows of a feedback workbook from an issues frame (pipeline.issues.COLUMNS) or a file's issues
    (FileResult.issue_columns, no frame made), in their order, but the issues whose (indicator_code, code) is in
    `leave_out` (kept quiet by their flag, or listed on the flags sheet)."""
    if issues is None or (issues.issue_count == 0 if isinstance(issues, FileResult) else issues.empty):
        return []
    cols = (issues.issue_columns(*FEEDBACK_COLUMNS) if isinstance(issues, FileResult)
            else [issues[c].tolist() for c in FEEDBACK_COLUMNS])
    return [(severity == "error", labels.severity(severity), _text(sheet), _text(cell), _text(indicator), _text(raw),
             issue_label(str(code)), str(message), str(code))
            for severity, sheet, cell, indicator, raw, code, message in zip(*cols)
            if not leave_out or (indicator, code) not in leave_out]


def _text(v) -> str:
    """A cell's text: '' for a blank or missing value (None, NaN: pandas' str columns hold NaN for None), else str(v)."""
    if isinstance(v, str):
        return v
    return "" if v is None or pd.isna(v) else str(v)


def write_feedback(path: Path, *, unit_label: str, period_code: str | None, file_name: str, status: str, reason: str,
                   issues: pd.DataFrame | list[FeedbackRow], letter: Letter | None = None,
                   flags: list[FlagRow] | None = None) -> Path:
    """Write the workbook the district sends back to a commune: one row per issue with sheet, cell, value, rule, message.

    `issues` is an issues frame or its `feedback_rows`. With a `letter` it is the official two-way form: a cover
    letter (issuing body, motto, number and date, to whom, what to do and by when), the open `flags` with two input
    columns for the commune (explanation, corrected value), the issue list (then given without the flagged issues,
    which the caller leaves out: each issue is shown once), and a very hidden sheet of identifiers that makes the
    workbook recognised as a reply when it comes back (pipeline.read.reply).
    """
    rows = feedback_rows(issues) if isinstance(issues, pd.DataFrame) else issues
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with building():
        data = _workbook(unit_label, period_code, file_name, status, reason, rows, letter, flags or [])
    path.write_bytes(data)
    return path


def _workbook(unit_label: str, period_code: str | None, file_name: str, status: str, reason: str,
              rows: list[FeedbackRow], letter: Letter | None = None, flags: list[FlagRow] = ()) -> bytes:
    buffer = io.BytesIO()  # built in memory, then written at once: a file that cannot be written fails as an OSError
    wb = Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                           "strings_to_numbers": False})
    if letter is not None:
        _cover_letter(wb, letter, unit_label, file_name, len(flags))
        _flags_sheet(wb, letter, unit_label, flags)
    base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
    title = wb.add_format({**base, "bold": True, "align": "center", "font_size": 14})
    italic = wb.add_format({**base, "italic": True})
    head = wb.add_format({**base, "bold": True, "border": 1, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"})
    cell = wb.add_format({**base, "border": 1, "text_wrap": True})
    err = wb.add_format({**base, "border": 1, "text_wrap": True, "font_color": "#C00000", "bold": True})
    ws = wb.add_worksheet("Phản hồi")
    ws.merge_range(0, 0, 0, 7, "PHẢN HỒI KẾT QUẢ KIỂM TRA SỐ LIỆU CẢI CÁCH HÀNH CHÍNH", title)
    ws.write_string(1, 0, f"Đơn vị: {unit_label}", italic)
    ws.write_string(2, 0, f"Kỳ báo cáo: {period_label(period_code) if period_code else 'chưa xác định'}", italic)
    ws.write_string(3, 0, f"Tệp: {file_name} — {labels.file_status(status)}" + (f": {reason}" if reason else ""), italic)
    if letter is not None:  # the flags are listed once, on the sheet the commune answers; here the other issues
        ws.write_string(4, 0, f"Các số liệu cần xem lại ở trang \"{FLAGS_SHEET}\" không nhắc lại dưới đây"
                              + ("; không có lỗi, cảnh báo nào khác." if not rows else "; các lỗi, cảnh báo khác:"), italic)
    for c, h in enumerate(HEADS):
        ws.write_string(5, c, h, head)
    for c, w in enumerate(WIDTHS):
        ws.set_column(c, c, w)
    write_string, write_number = ws.write_string, ws.write_number
    for r, (is_error, *texts) in enumerate(rows, start=6):
        write_number(r, 0, r - 5, cell)
        write_string(r, 1, texts[0], err if is_error else cell)
        for c in range(2, 9):
            write_string(r, c, texts[c - 1], cell)
        n = max(-(-len(texts[6]) // MESSAGE_CHARS), -(-len(texts[5]) // 18), 1)
        if n > 1:  # wrapped text needs its lines: Excel does not grow a row written by a program
            ws.set_row(r, 16 * n + 4)
    ws.freeze_panes(6, 0)
    ws.repeat_rows(5)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    if letter is not None:
        _identifiers(wb, letter, flags)
    wb.close()
    return buffer.getvalue()


# The relation a value is expected to meet, for the checks that are not rules of schemas/rules.csv (whose own
# description is shown instead).
EXPECTED = {
    "count-negative": "Số lượng không âm",
    "count-not-integer": "Số lượng là số nguyên",
    "rate-out-of-range": "Tỷ lệ từ 0 đến 100%",
    "code-out-of-list": "Giá trị thuộc danh sách mã in ở cột đơn vị tính",
    "value-outlier": "Gần với số liệu các kỳ trước của chính đơn vị (trong khoảng trung vị ± k lần độ lệch tuyệt đối trung vị)",
    "value-invalid": "Ô số liệu ghi một con số",
    "value-word": "Ô số liệu ghi một con số (chữ được hiểu là 0)",
    "value-without-unit": "Dòng có số liệu ghi rõ đơn vị tính",
}

FLAG_HEADS = ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Ô trong báo cáo", "Số liệu đã báo cáo", "Lý do cần xem lại",
              "Quan hệ cần thỏa mãn", "Giải trình của đơn vị", "Số liệu đã sửa"]
FLAG_WIDTHS = [5, 9, 20, 9, 10, 23, 23, 18, 8]  # 125 characters: A4 landscape with 1 cm margins, at full size (12 pt)
FLAG_HEAD_ROW = 5  # 0-based row of the column heads; the flags follow
HIDDEN_SHEET_DATE = "%d/%m/%Y"


def _date(d: dt.date | None) -> str:
    return d.strftime(HIDDEN_SHEET_DATE) if d else ""


def long_date(place: str, d: dt.date) -> str:
    """'Tứ Kỳ, ngày 05 tháng 02 năm 2026': a day under 10 and the months 1 and 2 with a leading zero (Nghị định
    30/2020/NĐ-CP, Phụ lục I, on the place and date of an administrative document)."""
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"{place}, ngày {d.day:02d} tháng {month} năm {d.year}"


def number_line(letter: Letter) -> str:
    """The letter's number: 'Số: 12/PH-PNV' (the submission it answers; the sign of the sending office, Office.sender_sign)."""
    return f"Số: {letter.submission_id}/{letter.office.sender_sign[1]}"


def _cover_letter(wb, letter: Letter, unit_label: str, file_name: str, n_flags: int) -> None:
    """Sheet 1: the cover letter, in the district's administrative style, A4 portrait at 13 pt."""
    o = letter.office
    base = {"font_name": FONT, "font_size": 13, "valign": "top"}
    f = {k: wb.add_format({**base, **v}) for k, v in {
        "issuer": {"align": "center"}, "issuer_b": {"align": "center", "bold": True},
        "motto": {"align": "center", "bold": True}, "motto2": {"align": "center", "bold": True, "underline": 1, "font_size": 14},
        "number": {"align": "center"}, "date": {"align": "center", "italic": True},
        "subject": {"align": "center", "text_wrap": True, "font_size": 12},
        "to": {"align": "center", "bold": True, "text_wrap": True},
        "body": {"align": "justify", "text_wrap": True}, "small": {"font_size": 11, "text_wrap": True},
        "small_b": {"font_size": 11, "bold": True, "italic": True},
        "sign": {"align": "center", "bold": True}, "sign_i": {"align": "center", "italic": True, "font_size": 12}}.items()}
    ws = wb.add_worksheet("Công văn")
    widths = [14, 14, 14, 14, 14, 14]  # 84 characters of 13 pt: A4 portrait inside 2 cm margins
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    top, body = (("",) + o.sender_lines)[-2:]  # the parent body (if any) over the sending body, in bold
    if top:
        ws.merge_range(0, 0, 0, 2, top, f["issuer"])
    ws.merge_range(1, 0, 1, 2, body, f["issuer_b"])
    ws.merge_range(0, 3, 0, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f["motto"])
    ws.merge_range(1, 3, 1, 5, "Độc lập - Tự do - Hạnh phúc", f["motto2"])
    ws.merge_range(3, 0, 3, 2, number_line(letter), f["number"])
    ws.merge_range(3, 3, 3, 5, long_date(o.place_name, letter.issued_on), f["date"])
    subject = f"V/v giải trình, sửa số liệu báo cáo cải cách hành chính {period_label(letter.period_code)}"
    ws.merge_range(4, 0, 4, 2, subject, f["subject"])
    ws.set_row(4, 36)
    to = f"Kính gửi: {o.addressee(unit_label)}"
    ws.merge_range(6, 0, 6, 5, to, f["to"])
    received = f", nhận ngày {_date(letter.received_on)}" if letter.received_on else ""
    paragraphs = [
        f"{o.sender} đã tiếp nhận và kiểm tra báo cáo công tác cải cách hành chính "
        f"{period_label(letter.period_code)} của {unit_label} (tệp {file_name}{received}). Qua kiểm tra, có {n_flags} "
        f"số liệu cần đơn vị xem lại, liệt kê tại trang \"{FLAGS_SHEET}\" kèm theo (mỗi dòng ghi ô trong báo cáo, "
        "số liệu đã báo cáo, lý do và quan hệ số liệu cần thỏa mãn).",
        f"Đề nghị {o.addressee(unit_label)} kiểm tra từng số liệu: nếu số liệu đúng, ghi nội dung giải trình vào "
        "cột \"Giải trình của đơn vị\"; nếu số liệu chưa đúng, ghi số liệu đúng vào cột \"Số liệu đã sửa\". Chỉ ghi "
        "vào hai cột này (các cột khác đã được khóa); không thêm, bớt hay đổi tên trang tính.",
        f"Thời hạn gửi lại tệp này: đến hết ngày {_date(letter.reply_by)} ({letter.working_days} ngày làm việc kể từ ngày "
        f"phiếu được lập), gửi về {o.sender} qua hộp thư nhận báo cáo như khi nộp báo cáo. Số liệu đã sửa sẽ được "
        "tổng hợp thay cho số liệu cũ; nội dung giải trình được ghi nhận cho từng số liệu.",
        f"{o.sender} đề nghị {o.addressee(unit_label)} quan tâm, phối hợp thực hiện./.",
    ]
    r = 8
    for text in paragraphs:
        ws.merge_range(r, 0, r, 5, text, f["body"])
        ws.set_row(r, 17.5 * max(1, -(-len(text) // 92)) + 8)
        r += 1
    r += 1
    ws.merge_range(r, 0, r, 2, "Nơi nhận:", f["small_b"])
    ws.merge_range(r, 3, r, 5, o.sender_sign[0], f["sign"])
    ws.merge_range(r + 1, 0, r + 3, 2, "- Như trên;\n- Lưu: VT, NV.", f["small"])
    ws.merge_range(r + 1, 3, r + 1, 5, "(Ký, ghi rõ họ tên)", f["sign_i"])
    ws.set_portrait()
    ws.set_paper(9)
    ws.set_margins(left=0.79, right=0.59, top=0.79, bottom=0.79)
    ws.fit_to_pages(1, 1)
    ws.hide_gridlines(2)
    ws.activate()


def _flags_sheet(wb, letter: Letter, unit_label: str, flags: list[FlagRow]) -> None:
    """Sheet 2: one row per open flag; the commune's two columns unlocked, the rest protected. A4 landscape."""
    base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
    title = wb.add_format({**base, "bold": True, "align": "center", "font_size": 14, "text_wrap": True})
    italic = wb.add_format({**base, "italic": True, "text_wrap": True})
    head = wb.add_format({**base, "bold": True, "border": 1, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"})
    cell = wb.add_format({**base, "border": 1, "text_wrap": True})
    cell_c = wb.add_format({**base, "border": 1, "text_wrap": True, "align": "center"})
    answer = wb.add_format({**base, "border": 1, "text_wrap": True, "locked": False, "bg_color": "#FFF2CC"})
    ws = wb.add_worksheet(FLAGS_SHEET)
    for c, w in enumerate(FLAG_WIDTHS):
        ws.set_column(c, c, w)
    last = len(FLAG_WIDTHS) - 1
    ws.merge_range(0, 0, 0, last, f"SỐ LIỆU CẦN XEM LẠI — {unit_label.upper()}, {period_label(letter.period_code).upper()}", title)
    ws.merge_range(1, 0, 1, last, f"(Kèm theo phiếu phản hồi {number_line(letter)[4:]} ngày {_date(letter.issued_on)} "
                                  f"của {letter.office.sender})", italic)
    ws.merge_range(2, 0, 2, last, f"Đơn vị ghi vào hai cột cuối (nền vàng) rồi gửi lại tệp này đến hết ngày "
                                  f"{_date(letter.reply_by)}; các cột khác được khóa.", italic)
    ws.set_row(FLAG_HEAD_ROW, 33)
    for c, h in enumerate(FLAG_HEADS):
        ws.write_string(FLAG_HEAD_ROW, c, h, head)
    for i, (flag_id, code, name, where, value, why, relation) in enumerate(flags):
        r = FLAG_HEAD_ROW + 1 + i
        ws.write_number(r, 0, i + 1, cell_c)
        for c, text in enumerate((code, name, where, value, why, relation), start=1):
            ws.write_string(r, c, text, cell_c if c in (1, 3, 4) else cell)
        ws.write_blank(r, EXPLAIN_COL, None, answer)
        ws.write_blank(r, VALUE_COL, None, answer)
        lines = max(-(-len(text) * 10 // (FLAG_WIDTHS[c] * 9)) for c, text in ((2, name), (5, why), (6, relation)))
        ws.set_row(r, 16 * max(lines, 2) + 6)
    ws.repeat_rows(FLAG_HEAD_ROW)
    ws.freeze_panes(FLAG_HEAD_ROW + 1, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C&\"Times New Roman\"&11Trang &P/&N")
    ws.protect("", {"format_rows": True, "format_columns": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})


def _identifiers(wb, letter: Letter, flags: list[FlagRow]) -> None:
    """The very hidden sheet that makes the workbook recognised as a reply: marker, ids, each flag row, a checksum."""
    ws = wb.add_worksheet(REPLY_SHEET)
    rows = [(int(f[0]), FLAG_HEAD_ROW + 2 + i, f[1]) for i, f in enumerate(flags)]  # 1-based rows of sheet 2
    for r, values in enumerate(identifier_rows(letter.submission_id, letter.period_code, letter.unit_code, rows)):
        for c, v in enumerate(values):
            if isinstance(v, (int, float)):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, str(v))
    ws.very_hidden()


def write_feedback_job(job: FeedbackJob) -> str:
    """Write one FeedbackJob (in a worker process or here) and return the workbook's path."""
    return str(write_feedback(Path(job.path), unit_label=job.unit_label, period_code=job.period_code,
                              file_name=job.file_name, status=job.status, reason=job.reason, issues=job.rows,
                              letter=job.letter, flags=job.flags))
