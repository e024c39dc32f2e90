"""The reading cases' small national Phụ lục (../shared/cases/README.md): xã Ngọc Kỳ, quý III 2023, ten figures.

`ROWS` are the table rows as (printed code, name, unit of measure, value) with the values as numbers; `TYPED` holds
the same figures as a Vietnamese clerk types them into text cells ("99,5", "1.200"). Tests build their workbooks
from these (one table, one right outcome) and add the rows or blocks their condition needs.
"""

from __future__ import annotations

Row = tuple[str, str, str, object]

ROWS: list[Row] = [
    ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "", None),
    ("1.", "Số văn bản chỉ đạo CCHC đã ban hành (Kết luận, chỉ thị, công văn chỉ đạo, quán triệt)", "Văn bản", 12),
    ("2.", "Tỷ lệ hoàn thành Kế hoạch CCHC năm (Lũy kế đến thời điểm báo cáo)", "%", 80),
    ("2.1.", "Số nhiệm vụ đề ra trong kế hoạch", "Nhiệm vụ", 25),
    ("2.2.", "Số nhiệm vụ đã hoàn thành", "Nhiệm vụ", 20),
    ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "", None),
    ("3.", "Kết quả giải quyết TTHC", "", None),
    ("3.3.", "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn", "%", 99.5),
    ("3.3.1.", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", 1200),
    ("3.3.2.", "Số hồ sơ TTHC giải quyết đúng hạn", "Hồ sơ", 1194),
    ("VII", "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ", "", None),
    ("5.3", "Tỷ lệ hồ sơ TTHC được tiếp nhận trực tuyến mức độ 3 và 4", "%", 88),
    ("5.3.1", "Tổng số hồ sơ TTHC đã tiếp nhận (cả trực tiếp và trực tuyến)", "Hồ sơ", 1250),
    ("5.3.2", "Số hồ sơ TTHC đã tiếp nhận trực tuyến", "Hồ sơ", 1100),
]
TEN = {"I.1": 12, "I.2": 80, "I.2.1": 25, "I.2.2": 20, "III.3.3": 99.5, "III.3.3.1": 1200, "III.3.3.2": 1194,
       "VII.5.3": 88, "VII.5.3.1": 1250, "VII.5.3.2": 1100}
TYPED = {"3.3.": "99,5", "3.3.1.": "1.200", "5.3.1": "1.250"}  # as the cases type them into text cells
SURVEY: Row = ("5.", "Khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước",
               "Có = 1; Không = 0", "Có")  # I.5, a coded answer
FINANCE: list[Row] = [  # a section VI block (rate over amounts in triệu đồng)
    ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG", "", None),
    ("1.", "Tỷ lệ thực hiện Kế hoạch giải ngân vốn đầu tư công", "%", 67.1),
    ("1.1.", "Kế hoạch được giao", "Triệu đồng", 3000),
    ("1.2.", "Đã thực hiện", "Triệu đồng", 2014),
]
TITLE = "Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính quý III năm 2023"
WINDOW = "(Số liệu tính từ ngày 15/6/2023 đến ngày 14/9/2023)"
FIRST_ROW = 10  # Excel row of the first table row (the two-row header is in rows 8-9)


def rows(typed: bool = False, after: dict[str, list[Row]] | None = None, values: dict[str, object] | None = None) -> list[Row]:
    """The table rows: the figures typed as text when `typed`; extra rows inserted after the row of a printed code
    (`after`, e.g. {"2.2.": [SURVEY]} puts I.5 at the end of section I); values replaced by printed code (`values`)."""
    out: list[Row] = []
    for code, name, unit, value in ROWS:
        if typed and code in TYPED:
            value = TYPED[code]
        if values and code in values:
            value = values[code]
        out.append((code, name, unit, value))
        out.extend((after or {}).get(code, []))
    return out


def letterhead(issuer: str = "XÃ NGỌC KỲ", title: str = TITLE, window: str = WINDOW) -> dict[str, str]:
    """The cells above the table: issuer block, motto, title and data window (A1 references)."""
    return {"A1": "ỦY BAN NHÂN DÂN", "A2": issuer, "C1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "C2": "Độc lập - Tự do - Hạnh phúc", "A4": "PHỤ LỤC", "A5": title, "A6": window}


def fill(ws, table: list[Row] | None = None, issuer: str | None = "XÃ NGỌC KỲ", title: str = TITLE,
         window: str = WINDOW) -> dict[str, int]:
    """Write the Phụ lục on an openpyxl worksheet (letterhead unless `issuer` is None, a two-row merged header, the
    rows from FIRST_ROW); return {printed code: Excel row} of each code's first row."""
    for ref, text in letterhead(issuer or "", title, window).items():
        if ref != "A2" or issuer:
            ws[ref] = text
    ws["A8"], ws["B8"], ws["C8"], ws["E8"] = "STT", "Chỉ tiêu thống kê", "Kết quả thống kê", "Ghi chú"
    ws["C9"], ws["D9"] = "Đơn vị tính", "Số liệu"
    for rng in ("A8:A9", "B8:B9", "C8:D8", "E8:E9"):
        ws.merge_cells(rng)
    refs: dict[str, int] = {}
    for i, (code, name, unit, value) in enumerate(ROWS if table is None else table):
        r = FIRST_ROW + i
        ws.cell(r, 1, code)
        ws.cell(r, 2, name)
        ws.cell(r, 3, unit or None)
        ws.cell(r, 4, value)
        refs.setdefault(code, r)
    return refs
