"""The closed catalog of problems tonghop reports: stable kebab-case codes, Vietnamese templates."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class IssueType:
    """One kind of problem: its code, default severity, scope, message template and description."""

    code: str
    severity: str  # "error" | "warning" | "info" (noted for the reader, changes nothing)
    scope: str  # "file" (rejects the submission) | "value" (drops that value) | "row" | "info"
    template: str  # Vietnamese, str.format(**params)
    description: str  # English, for developers and the docs


_TYPES = [
    # Files and submissions
    IssueType("file-unreadable", "error", "file", "Không đọc được tệp: {detail}", "The file is not a workbook that can be opened (corrupt, truncated, or another format)."),
    IssueType("file-encrypted", "error", "file", "Tệp được đặt mật khẩu, không thể đọc", "The workbook is password-protected."),
    IssueType("file-empty", "error", "file", "Tệp không có dữ liệu", "The workbook has no cells with content."),
    IssueType("file-too-large", "error", "file", "Tệp giải nén vượt giới hạn an toàn ({detail})", "The workbook inflates past the configured size limit (zip bomb)."),
    IssueType("file-unsafe-xml", "error", "file", "Tệp chứa cấu trúc XML không an toàn ({detail})", "The workbook's XML declares entities (billion laughs, external entities)."),
    IssueType("file-unsupported", "error", "file", "Định dạng tệp không được hỗ trợ: {detail}", "The file extension is not a workbook tonghop reads."),
    IssueType("no-table", "error", "file", "Không tìm thấy bảng số liệu (cột STT / Chỉ tiêu / Đơn vị tính / Số liệu)", "No statistics table was recognised in any sheet."),
    IssueType("unit-unknown", "error", "file", "Không xác định được đơn vị báo cáo{detail}", "The reporting unit could not be found in the header or file name, or is not in the registry."),
    IssueType("period-unknown", "error", "file", "Không xác định được kỳ báo cáo", "No period label was found and the file is not in a period folder."),
    IssueType("period-mismatch", "warning", "info", "Kỳ báo cáo ghi trong tệp ({found}) khác kỳ của thư mục ({period}); dùng kỳ {period}", "The file's own period label disagrees with its inbox folder; the folder wins."),
    IssueType("no-values", "error", "file", "Bảng số liệu không có giá trị nào", "A table was found but every value cell is blank."),
    # What the person sees in Excel: hidden parts are not read
    IssueType("sheet-hidden", "info", "info", "Trang tính ẩn \"{sheet_name}\" có số liệu nhưng không được đọc (chỉ đọc các trang tính đang hiển thị)", "A hidden or very hidden sheet holds figures; it contributes no value and no metadata."),
    IssueType("row-hidden", "info", "info", "Dòng {row} của trang \"{sheet_name}\" đang bị ẩn và có số liệu; không được đọc (chỉ đọc các dòng đang hiển thị)", "A hidden row holds figures; its cells are not read."),
    IssueType("column-hidden", "info", "info", "Cột {column} của trang \"{sheet_name}\" đang bị ẩn và có số liệu; không được đọc (chỉ đọc các cột đang hiển thị)", "A hidden column holds figures; its cells are not read."),
    # Rows
    IssueType("row-unmapped", "warning", "row", "Không khớp được dòng \"{name}\" (STT {printed_code}) với chỉ tiêu nào trong danh mục", "A row with a value could not be matched to any catalog indicator; its value is not loaded."),
    IssueType("indicator-repeated", "warning", "row", "Chỉ tiêu {indicator_code} xuất hiện nhiều lần; dùng giá trị ở {first_ref}", "The same indicator was read twice in one file; the first occurrence is kept."),
    # Values
    IssueType("value-invalid", "error", "value", "Giá trị \"{raw}\" không phải là số", "A value cell holds text that is not a number."),
    IssueType("value-excel-error", "error", "value", "Ô chứa lỗi Excel {raw}", "A value cell holds an Excel error such as #DIV/0!."),
    IssueType("value-formula-uncached", "error", "value", "Ô chứa công thức {raw} nhưng không có giá trị đã tính (hãy mở tệp bằng Excel, lưu lại rồi gửi lại)", "A formula cell was saved without its cached value, so its number is unknown."),
    IssueType("value-date-format", "error", "value", "Ô số liệu được định dạng ngày tháng (Excel hiển thị {raw}, giá trị lưu {stored}); không đọc thành số. Hãy định dạng lại ô thành số rồi gửi lại", "A value cell has a date/time number format, so Excel shows a date: it is never read as a count."),
    IssueType("value-percent-format", "warning", "info", "Ô định dạng phần trăm nên Excel hiển thị {raw}, không hợp lý cho chỉ tiêu này; dùng số đã nhập {value}", "A percent-formatted cell whose shown percent makes no sense for the indicator (80 typed into a % cell shows 8000 %, a count shown as a percent): the typed number is used."),
    IssueType("value-merged-cell", "warning", "info", "Giá trị \"{raw}\" lấy từ ô gộp {merge} phủ nhiều dòng chỉ tiêu; áp dụng cho cả dòng này", "A value cell merged down over several indicator rows: its value applies to each row the merge covers."),
    IssueType("value-word", "warning", "info", "Giá trị \"{raw}\" được hiểu là 0", "A word such as \"Không\" was read as 0."),
    IssueType("count-negative", "error", "value", "Số lượng không được âm: {value}", "A count or an amount of money is negative."),
    IssueType("count-not-integer", "error", "value", "Số lượng phải là số nguyên: {value}", "A count has a fractional part."),
    IssueType("rate-out-of-range", "error", "value", "Tỷ lệ phải từ 0 đến 100%: {value}", "A rate lies outside 0–100."),
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
]

CATALOG: dict[str, IssueType] = {t.code: t for t in _TYPES}

COLUMNS = ["severity", "code", "message", "file", "sheet", "cell", "source_ref", "indicator_code", "raw"]


def issue(code: str, *, file: str = "", sheet: str = "", cell: str = "", indicator_code: str | None = None,
          raw: str | None = None, severity: str | None = None, **params: object) -> dict:
    """Build one issue row from a catalog code and the parameters of its template."""
    kind = CATALOG[code]
    values = {"raw": raw, "indicator_code": indicator_code, **params}
    message = kind.template.format_map(_Default(values))
    source_ref = "!".join(part for part in (file, sheet, cell) if part) if (sheet or cell) else file
    return {
        "severity": severity or kind.severity,
        "code": code,
        "message": message,
        "file": file,
        "sheet": sheet,
        "cell": cell,
        "source_ref": source_ref,
        "indicator_code": indicator_code,
        "raw": raw,
    }


def frame(rows: list[dict]) -> pd.DataFrame:
    """Return issue rows as a DataFrame with the standard columns, even when empty."""
    return pd.DataFrame(rows, columns=COLUMNS)


def is_rejecting(code: str) -> bool:
    """Tell whether an issue code rejects the whole file."""
    return CATALOG[code].scope == "file" and CATALOG[code].severity == "error"


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return ""
