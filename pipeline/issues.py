"""The closed catalog of problems tonghop reports (stable kebab-case codes, Vietnamese templates) and the issue record.

Modelled on frictionless' error catalog and pandera's error reports: each kind of problem (`IssueType`) has a code,
a severity and a scope; each problem found is one `Issue` (one row of the issues frame, columns `COLUMNS`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields

import pandas as pd


class Severity(enum.StrEnum):
    """How bad an issue is: an error drops a value or rejects a file, a warning is reported only."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Scope(enum.StrEnum):
    """What an issue is about, and so what an error costs."""

    FILE = "file"  # rejects the whole submission
    VALUE = "value"  # drops that value
    ROW = "row"  # a table row that was not loaded
    RULE = "rule"  # a rule between values (schemas/rules.csv) or an outlier
    INFO = "info"  # told to the office, nothing is dropped


@dataclass(frozen=True)
class IssueType:
    """One kind of problem: its code, default severity, scope, message template and description."""

    code: str
    severity: Severity
    scope: Scope
    template: str  # Vietnamese, str.format(**params)
    description: str  # English, for developers and the docs
    label: str = ""  # short Vietnamese name of the kind ("Loại lỗi" in the workbooks); LABELS when not given

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))
        object.__setattr__(self, "scope", Scope(self.scope))
        if not self.label:
            object.__setattr__(self, "label", LABELS.get(self.code, ""))


# The short Vietnamese name of every kind, shown to officers and communes where a code would be English jargon
# ("Loại lỗi" in the issues sheet and feedback workbooks; the code stays as a column for the analyst).
LABELS = {
    "file-unreadable": "Tệp không đọc được",
    "file-encrypted": "Tệp có mật khẩu",
    "file-empty": "Tệp trống",
    "file-too-large": "Tệp quá lớn",
    "file-unsafe-xml": "Tệp không an toàn",
    "file-unsupported": "Định dạng không hỗ trợ",
    "no-table": "Không có bảng số liệu",
    "unit-unknown": "Không rõ đơn vị",
    "period-unknown": "Không rõ kỳ báo cáo",
    "period-mismatch": "Kỳ báo cáo khác thư mục",
    "workbook-several-units": "Tệp của nhiều đơn vị",
    "sheet-unit-unknown": "Trang tính không rõ đơn vị",
    "unit-not-valid-in-period": "Đơn vị không tồn tại trong kỳ",
    "no-values": "Không có giá trị",
    "row-unmapped": "Dòng không khớp chỉ tiêu",
    "indicator-repeated": "Chỉ tiêu lặp lại",
    "value-invalid": "Giá trị không hợp lệ",
    "value-excel-error": "Ô lỗi Excel",
    "value-formula-uncached": "Công thức chưa có kết quả",
    "value-formula-recomputed": "Công thức được tính lại",
    "value-word": "Giá trị ghi bằng chữ",
    "count-negative": "Số lượng âm",
    "count-not-integer": "Số lượng không nguyên",
    "rate-out-of-range": "Tỷ lệ ngoài 0–100%",
    "rate-mismatch": "Tỷ lệ không khớp",
    "rate-empty-denominator": "Tỷ lệ thiếu mẫu số",
    "part-exceeds-whole": "Phần lớn hơn tổng",
    "sum-mismatch": "Tổng không khớp",
    "pair-incomplete": "Thiếu số liệu đi cặp",
    "pair-exclusive": "Số liệu loại trừ nhau",
    "rule-failed": "Sai quy tắc kiểm tra",
    "value-outlier": "Giá trị bất thường",
    "value-without-unit": "Thiếu đơn vị tính",
    "code-out-of-list": "Mã ngoài danh sách",
    "value-separator-ambiguous": "Dấu phân cách số không rõ",
    "file-reader-crashed": "Tệp làm hỏng chương trình đọc",
    "file-reader-timeout": "Tệp đọc quá lâu",
    "sheet-grid-too-large": "Vùng dữ liệu quá lớn",
    "cell-far-from-table": "Ô nằm xa bảng số liệu",
    "sheet-hidden": "Trang tính ẩn",
    "row-hidden": "Dòng ẩn",
    "column-hidden": "Cột ẩn",
    "value-date-format": "Ô định dạng ngày tháng",
    "value-percent-format": "Ô định dạng phần trăm",
    "value-merged-cell": "Ô gộp nhiều dòng",
    "file-no-permission": "Không có quyền đọc tệp",
    "file-link-outside": "Liên kết ra ngoài hộp thư",
    "file-link-broken": "Liên kết hỏng",
    "file-date-future": "Ngày của tệp ở tương lai",
    "value-too-large": "Số quá lớn",
    "text-control-chars": "Ký tự điều khiển",
    "not-applicable-not-allowed": "Ghi không áp dụng không được phép",
    "reply-ids-changed": "Phiếu trả lời bị sửa mã",
    "reply-submission-unknown": "Phiếu trả lời không rõ bản nộp",
    "reply-submission-outdated": "Phiếu trả lời cho bản cũ",
    "reply-empty": "Phiếu trả lời trống",
    "value-inconsistent-time": "Lệch so với các kỳ trước",
    "value-peer-divergent": "Lệch so với số liệu chung",
    "submission-copy-forward": "Sao chép kỳ trước",
    "submission-nearly-empty": "Biểu mẫu gần trống",
}


def label(code: str) -> str:
    """The short Vietnamese name of an issue code (the code itself when unknown)."""
    kind = CATALOG.get(code)
    return kind.label if kind is not None and kind.label else code


_TYPES = [
    # Files and submissions
    IssueType("file-unreadable", "error", "file", "Không đọc được tệp: {detail}", "The file is not a workbook that can be opened (corrupt, truncated, or another format)."),
    IssueType("file-no-permission", "error", "file", "Không có quyền đọc tệp (tệp bị giới hạn quyền truy cập); hãy cấp quyền đọc cho tài khoản chạy chương trình rồi chép lại tệp vào hộp thư", "The account running tonghop may not open the file (EACCES/EPERM); it is recorded by path, size and time and looked at again once it changes."),
    IssueType("file-link-outside", "error", "file", "Tệp là lối tắt (liên kết) trỏ ra ngoài thư mục hộp thư; không đọc tệp đích. Hãy chép chính tệp báo cáo vào hộp thư", "A symbolic link or junction in the inbox whose target lies outside the inbox; nothing of the target is read or archived."),
    IssueType("file-link-broken", "error", "file", "Tệp là lối tắt (liên kết) trỏ tới tệp không còn tồn tại; hãy chép chính tệp báo cáo vào hộp thư", "A link in the inbox whose target does not exist."),
    IssueType("file-date-future", "warning", "info", "Ngày sửa tệp ({date}) ở tương lai so với đồng hồ máy chủ; tệp vẫn được nhận. Hãy kiểm tra ngày giờ của máy đã lập tệp", "The file's modification time is ahead of the server's clock; it is taken in once it is seen unchanged."),
    IssueType("file-encrypted", "error", "file", "Tệp được đặt mật khẩu, không thể đọc", "The workbook is password-protected."),
    IssueType("file-empty", "error", "file", "Tệp không có dữ liệu", "The workbook has no cells with content."),
    IssueType("file-too-large", "error", "file", "Tệp giải nén vượt giới hạn an toàn ({detail})", "The workbook inflates past the configured size limit (zip bomb)."),
    IssueType("file-unsafe-xml", "error", "file", "Tệp chứa cấu trúc XML không an toàn ({detail})", "The workbook's XML declares entities (billion laughs, external entities)."),
    IssueType("file-reader-crashed", "error", "file", "Chương trình đọc tệp bị dừng đột ngột khi đọc tệp này ({detail}); tệp có thể bị hỏng hoặc chứa vùng dữ liệu quá lớn. Hãy mở tệp bằng Excel, xoá các ô thừa ngoài bảng, lưu lại rồi gửi lại", "Reading the file killed its worker process (native crash, abort, or the memory ceiling); the rest of the run went on."),
    IssueType("file-reader-timeout", "error", "file", "Đọc tệp quá {detail} giây nên đã bị dừng; tệp có thể bị hỏng hoặc chứa vùng dữ liệu quá lớn. Hãy mở tệp bằng Excel, xoá các ô thừa ngoài bảng, lưu lại rồi gửi lại", "Reading the file took longer than the per-file time limit; its worker was stopped."),
    IssueType("sheet-grid-too-large", "error", "file", "Trang tính có vùng dữ liệu quá lớn để đọc ({detail}); hãy xoá các ô thừa ngoài bảng số liệu, lưu lại rồi gửi lại", "A worksheet's cells span a grid larger than the configured limit even after far stray cells are dropped."),
    IssueType("cell-far-from-table", "warning", "info", "Đã bỏ qua {count} ô nằm rất xa bảng số liệu ở trang tính \"{sheet_name}\" ({cells}){what}", "Cells far beyond the table (e.g. a space typed at the sheet's last cell) were dropped so the sheet is read without a dense grid of millions of cells."),
    IssueType("file-unsupported", "error", "file", "Định dạng tệp không được hỗ trợ: {detail}", "The file extension is not a workbook tonghop reads."),
    IssueType("no-table", "error", "file", "Không tìm thấy bảng số liệu (cột STT / Chỉ tiêu / Đơn vị tính / Số liệu)", "No statistics table was recognised in any sheet."),
    IssueType("unit-unknown", "error", "file", "Không xác định được đơn vị báo cáo{detail}", "The reporting unit could not be found in the header or file name, or is not in the registry."),
    IssueType("period-unknown", "error", "file", "Không xác định được kỳ báo cáo", "No period label was found and the file is not in a period folder."),
    IssueType("period-mismatch", "warning", "info", "Kỳ báo cáo ghi trong tệp ({found}) khác kỳ của thư mục ({period}); dùng kỳ {period}", "The file's own period label disagrees with its inbox folder; the folder wins."),
    IssueType("workbook-several-units", "info", "info", "Tệp chứa báo cáo của {n} đơn vị ({units}); trang tính này được nhận là một báo cáo riêng", "A workbook holds several units' reports, a sheet per unit; each sheet is its own submission."),
    IssueType("sheet-unit-unknown", "error", "file", "Trang tính không ghi rõ đơn vị báo cáo (tệp chứa báo cáo của nhiều đơn vị: {units}); không gộp vào đơn vị khác", "A table sheet of a several-unit workbook names no unit; it is rejected on its own, never folded into another unit."),
    IssueType("no-values", "error", "file", "Bảng số liệu không có giá trị nào", "A table was found but every value cell is blank."),
    IssueType("unit-not-valid-in-period", "error", "file", "Đơn vị báo cáo không tồn tại trong kỳ {period}: {detail}", "The file names a unit that did not exist at the period's end date (merged, split or renamed before it, or created after it); `raw` holds the successor or predecessor codes named in the message, separated by '|'."),
    # What the person sees in Excel: hidden parts are not read
    IssueType("sheet-hidden", "info", "info", "Trang tính ẩn \"{sheet_name}\" có số liệu nhưng không được đọc (chỉ đọc các trang tính đang hiển thị)", "A hidden or very hidden sheet holds figures; it contributes no value and no metadata."),
    IssueType("row-hidden", "info", "info", "Dòng {row} của trang \"{sheet_name}\" đang bị ẩn và có số liệu; không được đọc (chỉ đọc các dòng đang hiển thị)", "A hidden row holds figures; its cells are not read."),
    IssueType("column-hidden", "info", "info", "Cột {column} của trang \"{sheet_name}\" đang bị ẩn và có số liệu; không được đọc (chỉ đọc các cột đang hiển thị)", "A hidden column holds figures; its cells are not read."),
    # Rows
    IssueType("row-unmapped", "warning", "row", "Không khớp được dòng \"{name}\" (STT {printed_code}) với chỉ tiêu nào trong danh mục", "A row with a value could not be matched to any catalog indicator; its value is not loaded."),
    IssueType("indicator-repeated", "warning", "row", "Chỉ tiêu {indicator_code} xuất hiện nhiều lần; dùng giá trị ở {first_ref}", "The same indicator was read twice in one file; the first occurrence is kept."),
    # Values
    IssueType("value-invalid", "error", "value", "Giá trị \"{raw}\" không phải là số", "A value cell holds text that is not a number."),
    IssueType("value-too-large", "error", "value", "Giá trị \"{raw}\" quá lớn để là số liệu báo cáo (vượt {limit}); không được ghi nhận", "A number (typed or stored) beyond 10^15 in magnitude, or not finite: no report figure is that large, and beyond it a double no longer holds whole numbers exactly."),
    IssueType("text-control-chars", "info", "info", "Đã bỏ các ký tự điều khiển không hiển thị trong \"{raw}\" ({where})", "Control characters (U+0000–U+001F other than tab and line breaks) in a sheet name, a label or the unit/issuer text were removed before reading."),
    IssueType("value-excel-error", "error", "value", "Ô chứa lỗi Excel {raw}", "A value cell holds an Excel error such as #DIV/0!."),
    IssueType("value-formula-uncached", "error", "value", "Ô chứa công thức {raw} nhưng không có giá trị đã tính (hãy mở tệp bằng Excel, lưu lại rồi gửi lại)", "A formula cell was saved without its cached value, so its number is unknown."),
    IssueType("value-separator-ambiguous", "error", "value",
              "Không rõ \"{raw}\" là số nguyên {as_group} hay số thập phân {as_decimal}: các số khác trong tệp không cho biết rõ dấu chấm, dấu phẩy "
              "dùng để phân cách hàng nghìn hay phần thập phân, nên giá trị này chưa được ghi nhận. Hãy gõ số không có dấu phân cách "
              "hàng nghìn (ví dụ 3000) và dùng dấu phẩy cho phần thập phân (ví dụ 67,1), hoặc nhập ô dạng số",
              "A number typed as text with one separator before three digits (\"2,014\", \"1.200\") that the file's other "
              "cells do not settle as thousands grouping or decimals; its value is left out."),
    IssueType("value-formula-recomputed", "warning", "info", "Ô chứa công thức {raw}; giá trị lưu sẵn trong tệp không đáng tin (thiếu hoặc tệp yêu cầu Excel tính lại khi mở) nên đã được tính lại", "A formula's stored result could not be trusted (missing, or the workbook asks Excel to recalculate on open); the value was recomputed from the formula."),
    IssueType("value-date-format", "error", "value", "Ô số liệu được định dạng ngày tháng (Excel hiển thị {raw}, giá trị lưu {stored}); không đọc thành số. Hãy định dạng lại ô thành số rồi gửi lại", "A value cell has a date/time number format, so Excel shows a date: it is never read as a count."),
    IssueType("value-percent-format", "warning", "info", "Ô định dạng phần trăm nên Excel hiển thị {raw}, không hợp lý cho chỉ tiêu này; dùng số đã nhập {value}", "A percent-formatted cell whose shown percent makes no sense for the indicator (80 typed into a % cell shows 8000 %, a count shown as a percent): the typed number is used."),
    IssueType("value-merged-cell", "warning", "info", "Giá trị \"{raw}\" lấy từ ô gộp {merge} phủ nhiều dòng chỉ tiêu; áp dụng cho cả dòng này", "A value cell merged down over several indicator rows: its value applies to each row the merge covers."),
    IssueType("value-word", "warning", "info", "Giá trị \"{raw}\" được hiểu là 0", "A word such as \"Không\" was read as 0."),
    IssueType("count-negative", "error", "value", "Số lượng không được âm: {value}", "A count or an amount of money is negative."),
    IssueType("count-not-integer", "error", "value", "Số lượng phải là số nguyên: {value}", "A count has a fractional part."),
    IssueType("rate-out-of-range", "error", "value", "Tỷ lệ phải từ 0 đến 100%: {value}", "A rate lies outside 0–100."),
    IssueType("not-applicable-not-allowed", "error", "value",
              "Ô ghi \"{raw}\" (không áp dụng) nhưng chỉ tiêu {indicator_code} áp dụng cho mọi đơn vị theo danh mục chỉ tiêu: "
              "hãy ghi số liệu (0 nếu không phát sinh) rồi gửi lại",
              "A not-applicable mark (\"không áp dụng\", \"KAD\", \"-\", \"x\") on an indicator whose catalog row does not "
              "allow it (na_allowed = 0); nothing is loaded for the cell."),
    # Rules between values (schemas/rules.csv): the rule file gives each rule its severity and Vietnamese message
    IssueType("rate-mismatch", "warning", "rule", "{message}", "A printed rate differs from its numerator over its denominator beyond the rounding tolerance."),
    IssueType("rate-empty-denominator", "warning", "rule", "{message}", "A rate is given (often 0 %) while its denominator is blank or zero: it is not a real 0 %."),
    IssueType("part-exceeds-whole", "warning", "rule", "{message}", "A part is larger than its whole (on time > resolved, present > assigned, commune TTHC > all TTHC)."),
    IssueType("sum-mismatch", "warning", "rule", "{message}", "Breakdown rows do not add up to their total."),
    IssueType("pair-incomplete", "warning", "rule", "{message}", "A compulsory pair has one side reported and the other blank."),
    IssueType("pair-exclusive", "warning", "rule", "{message}", "Both sides of an exclusive pair are reported."),
    IssueType("rule-failed", "warning", "rule", "{message}", "Any other rule of schemas/rules.csv that does not hold."),
    IssueType("value-outlier", "warning", "rule", "{message}", "A value far from the unit's own history (beyond median ± k·MAD of earlier periods)."),
    IssueType("value-without-unit", "warning", "info", "Ô có giá trị {raw} nhưng dòng không ghi đơn vị tính", "A value stands in a row whose unit-of-measure cell is blank."),
    IssueType("code-out-of-list", "error", "value", "Giá trị {value} không thuộc danh sách mã ({codes})", "A coded answer is not one of the codes printed for it."),
    # Replies: a feedback workbook the commune filled in and sent back (pipeline.read.reply)
    IssueType("reply-received", "info", "info", "Phiếu trả lời phiếu phản hồi của bản nộp mã {submission_id}: {n_explained} giải trình, {n_corrected} số liệu sửa", "A feedback workbook came back: its explanations go onto their flags, its corrected values make a new version of the unit's submission.", "Phiếu trả lời"),
    IssueType("reply-ids-changed", "error", "file", "Phiếu trả lời không dùng được: thông tin nhận biết ẩn của phiếu phản hồi đã bị thay đổi ({detail}). Hãy điền vào đúng phiếu phản hồi đã nhận (không sửa, không chép sang tệp khác) rồi gửi lại", "The hidden identifiers of a feedback workbook sent back do not check out (marker, ids, checksum, flags of another unit or period, flags sheet gone)."),
    IssueType("reply-submission-unknown", "error", "file", "Phiếu trả lời nhắc tới bản nộp mã {submission_id}, không có trong kho dữ liệu; hãy trả lời phiếu phản hồi mới nhất đã nhận", "A reply names a submission the warehouse does not hold (a feedback workbook of another warehouse, or its ids edited)."),
    IssueType("reply-submission-outdated", "error", "file", "Phiếu trả lời cho bản nộp mã {submission_id}, nhưng đơn vị đã có bản nộp mới hơn (mã {current}); hãy trả lời phiếu phản hồi của bản mới nhất", "A reply answers a submission that a later version replaced; its corrections would undo the later version."),
    IssueType("reply-empty", "error", "file", "Phiếu trả lời chưa có giải trình hay số liệu sửa nào (cột \"Giải trình của đơn vị\" và \"Số liệu đã sửa\" đều trống)", "A reply with neither an explanation nor a readable corrected value."),
    # Data quality over time and against the other units (WHO Data Quality Review; schemas/outliers.toml [quality])
    IssueType("value-inconsistent-time", "warning", "rule", "{message}", "A value more than ±consistency_threshold (33 %) from the mean of the unit's three preceding comparable periods (the same part of earlier years)."),
    IssueType("value-peer-divergent", "warning", "rule", "{message}", "A unit's rate more than ±peer_threshold from the district rate, or its share of a count's district total far from its usual share (× or ÷ peer_share_factor); found when the period is consolidated."),
    IssueType("submission-copy-forward", "warning", "info", "{message}", "A submission whose values equal its previous report of the same kind for at least copy_forward_share of the indicators in both: loaded, shown in completeness as submitted but to be reviewed."),
    IssueType("submission-nearly-empty", "warning", "info", "{message}", "A submission filling fewer than min_filled_share of the catalog's indicators: loaded, shown in completeness as submitted but to be reviewed."),
]

CATALOG: dict[str, IssueType] = {t.code: t for t in _TYPES}


@dataclass(frozen=True)
class Issue:
    """One problem found: a catalog code, its severity, the Vietnamese message and where it is (file!sheet!cell)."""

    severity: Severity
    code: str
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    source_ref: str = ""
    indicator_code: str | None = None
    raw: str | None = None

    @classmethod
    def of(cls, code: str, **where_and_params: object) -> "Issue":
        """The issue of catalog kind `code` (same arguments as `issue`)."""
        return cls.from_row(issue(code, **where_and_params))

    @classmethod
    def from_row(cls, row: dict) -> "Issue":
        """The issue of one row of the issues frame."""
        return cls(**{**row, "severity": Severity(row["severity"])})

    def as_row(self) -> dict:
        """The issue as one row of the issues frame (plain strings, columns `COLUMNS`)."""
        row = dict(self.__dict__)  # the fields, in order
        row["severity"] = self.severity.value
        return row


COLUMNS = [f.name for f in fields(Issue)]  # the issues frame's columns; the warehouse stores them with submission_id
STORED_COLUMNS = ["submission_id"] + [c for c in COLUMNS if c != "file"]  # the warehouse's issues table (file is the submission's)


def source_ref(file: str, sheet: str, cell: str) -> str:
    """Where an issue is: 'file!sheet!cell', or as much of it as is known; the file alone when there is no sheet or cell."""
    if sheet and cell:
        return f"{file}!{sheet}!{cell}" if file else f"{sheet}!{cell}"
    return "!".join(part for part in (file, sheet, cell) if part) if (sheet or cell) else file


def sheet_cell(ref: object) -> tuple[str, str]:
    """The (sheet, cell) of a 'file!sheet!cell' source_ref; ('', '') for anything else."""
    parts = ref.rsplit("!", 2) if isinstance(ref, str) else []
    return (parts[1], parts[2]) if len(parts) > 2 else ("", "")


def source_refs(files, sheets, cells) -> list[str]:
    """`source_ref` over columns (the rules' issues come by the thousand)."""
    return [f"{f}!{s}!{c}" if f and s and c else source_ref(f, s, c) for f, s, c in zip(files, sheets, cells)]


def issue(code: str, *, file: str = "", sheet: str = "", cell: str = "", indicator_code: str | None = None,
          raw: str | None = None, severity: str | None = None, **params: object) -> dict:
    """Build one issue row (a dict with the fields of `Issue`, severity as plain text) from a catalog code and the
    parameters of its template. The run's hot path keeps rows as dicts; `Issue.from_row` types one."""
    kind = CATALOG[code]
    message = kind.template.format_map(_Default({"raw": raw, "indicator_code": indicator_code, **params}))
    return {"severity": Severity(severity).value if severity else kind.severity.value, "code": code, "message": message,
            "file": file, "sheet": sheet, "cell": cell, "source_ref": source_ref(file, sheet, cell),
            "indicator_code": indicator_code, "raw": raw}


def frame(rows: list[dict]) -> pd.DataFrame:
    """Return issue rows as a DataFrame with the standard columns, even when empty."""
    return pd.DataFrame(rows, columns=COLUMNS)


def is_rejecting(code: str) -> bool:
    """Tell whether an issue code rejects the whole file."""
    return CATALOG[code].scope == "file" and CATALOG[code].severity == "error"


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return ""
