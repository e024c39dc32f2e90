"""Sample generator for the Thanh Hóa city variant of the CCHC statistics appendix (seed 004).

``SEED004_ROWS`` is transcribed from seed 004, lines 699–1299 (UBND phường Trường Thi, thành phố
Thanh Hóa; "THỐNG KÊ SỐ LIỆU … 6 THÁNG ĐẦU NĂM 2023", số liệu từ 05/11/2022 đến 01/9/2023).  The
seed is text extracted from a PDF, so the columns run together; the reading used here:

* Cells are joined left to right with one space and each table line ends in a space, so runs of
  spaces mark empty cells: "Tại cấp xã  189  " is name | (no unit) | 189 | (no note), and
  " Tiếp nhận trực tiếp  1989  " starts with an empty STT cell.
* Text that the PDF wraps inside a narrow cell is one cell typed on one line ("Số lượng hồ" / "sơ"
  is the unit "Số lượng hồ sơ"; "Trực tuyến =" / "0" / … is a code list).  Code lists put each
  option on its own line ("Trực tuyến = 0\\nPhát phiếu = 1\\nKết hợp = 2", "Không = 0\\nCó = 1").
  A value printed between the lines of a tall unit (7.4.1: "Chưa kết nối" / "1" / "= 0") is the
  row's value.  Long notes: the 1.1.1 note is a numbered list typed with line breaks (items
  "4." and "7." wrap, their pieces are joined with a space); the 1.1.2 / 1.2.2 note is one
  paragraph wrapped by the column.  Spelling, double spaces and typos are kept as printed
  ("thự hiện", "Sử sụng", "Tỷ lệ %  biên chế").
* A value standing alone after a row's name lines belongs to that row, not to the next one:
  3.2 "Thực hiện cơ chế một cửa, một cửa liên thông" holds 240 and 3.2.2 holds 189, both with an
  empty unit.
* "Trong đó" is printed on a line of its own (no trailing cell separators) and the sub-rows after
  it have no leading separator, unlike the breakdown rows of the first 3.3.1 (" Tiếp nhận trực
  tiếp", empty STT).  So "Trong đó" occupies the STT column of the sub-rows: it is one cell in
  column A merged vertically over all its sub-rows, and the sub-row names ("Tại cấp huyện",
  "Tại cấp xã", "Số TTHC cấp xã", "Trả trực tiếp", …) sit in the name column (the 7.3.3
  sub-rows, 42 characters per printed line, use the full width of the name column, which a
  split name column would not allow).  In ``SEED004_ROWS`` the first sub-row carries
  ``printed_code="Trong đó"`` and ``merged_with_next`` = the number of further sub-rows the
  cell covers; the other sub-rows have an empty code.
* The header is printed once in the seed (no page-break repeat is visible); the workbook repeats
  it on printed pages through print titles only.

Values are numbers except where the seed shows nothing (blank, not zero).  Rows are addressed by
``SEED004_KEYS``: the printed code, "3.3.1#2" for the second 3.3.1, and "<parent key>/<name>" for
rows without a code of their own ("3.1.3/Số TTHC cấp xã", "3.3.1/Tiếp nhận trực tiếp").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import xlsxwriter

from samples import sheet

__all__ = [
    "ThRow",
    "SEED004_ROWS",
    "SEED004_KEYS",
    "TRONG_DO",
    "seed004_values",
    "write_thanhhoa",
]

TRONG_DO = "Trong đó"


@dataclass(frozen=True)
class ThRow:
    """One printed row of seed 004's table; merged_with_next = further rows its STT cell spans."""

    printed_code: str
    name: str
    unit: str
    value: object | None
    note: str
    merged_with_next: int = 0


_T = ThRow
_VB = "Văn bản"
_TT = "Thủ tục"
_HS = "Số lượng hồ sơ"
_DGQ = "Số hồ sơ đã giải quyết"
_NV = "Nhiệm vụ"
_KN = "Đã kết nối = 1\nChưa kết nối = 0"
_ISO = "Có thực hiện = 1\nKhông thực hiện = 0"

_NOTE_111 = (
    "1. Cải cách thể chế.\n"
    "2. Cải cách thủ tục HC.\n"
    "3. Cải cách tổ chức bộ máy\n"
    "4. Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức.\n"
    "5. Cải cách tài chính công\n"
    "6. Hiện đại hóa hành chính\n"
    "7. Công tác chỉ đạo, điều hành, tuyên truyền cải cách hành chính."
)
_NOTE_DONE = (
    "Đã hoàn thành nhiệm vụ đặt ra trong từng quý và  đang tiếp tục thực hiện cả 7 nhiệm vụ "
    "trong 3 tháng cuối năm vì kế hoạch CCHC  thực hiện xuyên suốt cho cả năm 2023"
)


def _huyen_xa(unit: str = "", xa: object | None = None, huyen: object | None = None) -> tuple[ThRow, ThRow]:
    """The usual "Trong đó" pair: Tại cấp huyện / Tại cấp xã."""
    return (_T(TRONG_DO, "Tại cấp huyện", unit, huyen, "", 1), _T("", "Tại cấp xã", unit, xa, ""))


SEED004_ROWS: tuple[ThRow, ...] = (
    _T("1", "Công tác chỉ đạo điều hành CCHC", "", None, ""),
    _T("1.1", "Kế hoạch CCHC", "", None, ""),
    _T("1.1.1", "Số nhiệm vụ đề ra trong kế hoạch", _NV, 7, _NOTE_111),
    _T("1.1.2", "Số nhiệm vụ đã hoàn thành", _NV, 7, _NOTE_DONE),
    _T("1.1.3", "Số văn bản chỉ đạo CCHC đã ban hành", _VB, 1, ""),
    _T("1.2", "Thực hiện nhiệm vụ UBND thành phố, Chủ tịch UBND thành phố giao", "", None, ""),
    _T("1.2.1", "Tổng số nhiệm vụ được giao", _NV, 7, ""),
    _T("1.2.2", "Số nhiệm vụ đã hoàn thành đúng hạn", _NV, 7, _NOTE_DONE),
    _T("1.2.3", "Số nhiệm vụ đã hoàn thành nhưng quá hạn", _NV, 0, ""),
    _T("1.3", "Khảo sát sự hài lòng của người dân, tổ chức", "", None, ""),
    _T("1.3.1", "Số lượng phiếu khảo sát", "Phiếu", 449, ""),
    _T("1.3.2", "Hình thức khảo sát", "Trực tuyến = 0\nPhát phiếu = 1\nKết hợp = 2", 1, ""),
    _T("1.4", "Tổ chức đối thoại của lãnh đạo với người dân, cộng đồng doanh nghiệp", "Không = 0\nCó = 1", 4, ""),
    _T("2", "Cải cách thể chế", "", None, ""),
    _T("2.1", "Số VBQPPL đã ban hành/ tham mưu ban hành", _VB, None, ""),
    *_huyen_xa(_VB),
    _T("2.2", "Số VBQPPL đã kiểm tra theo thẩm quyền", _VB, None, ""),
    _T("2.3", "Số VBQPPL đã rà soát", _VB, None, ""),
    _T("2.4", "Số VBQPPL đã kiến nghị xử lý sau kiểm tra, rà soát", _VB, None, ""),
    _T("2.5", "Số VBQPPL có kiến nghị xử lý đã được xử lý xong", _VB, None, ""),
    _T("3", "Cải cách thủ tục hành chính", "", None, ""),
    _T("3.1", "Thống kê TTHC", "", None, ""),
    _T("3.1.1", "Số TTHC/ danh mục TTHC thuộc thẩm quyền quản lý công bố mới", _TT, 0, ""),
    _T("3.1.2", "Số TTHC thuộc thẩm quyền bãi bỏ, thay thế", _TT, 0, ""),
    _T("3.1.3", "Tổng số TTHC đang áp dụng", _TT, 240, ""),
    _T(TRONG_DO, "Số TTHC cấp huyện", _TT, None, "", 1),
    _T("", "Số TTHC cấp xã", _TT, 240, ""),
    _T("3.2", "Thực hiện cơ chế một cửa, một cửa liên thông", "", 240, ""),
    _T("3.2.1", "Số TTHC đưa vào thự hiện theo cơ chế một cửa tại cấp huyện", _TT, None, ""),
    _T("3.2.2", "Số TTHC đưa vào thực hiện theo cơ chế một cửa tại cấp xã", "", 189, ""),
    _T("3.2.3", "Số TTHC liên thông cùng cấp", "", None, ""),
    *_huyen_xa("", 189),
    _T("3.2.4", "Số TTHC liên thông giữa các cấp chính quyền", _TT, None, ""),
    *_huyen_xa(""),
    _T("3.2.5", "Tỷ lệ TTHC đã được phê duyệt quy trình nội bộ", "%", None, ""),
    *_huyen_xa("", 100),
    _T("3.2.6", "Tỷ lệ quy trình nội bộ giải quyết TTHC đã được điện tử hóa", "%", None, ""),
    *_huyen_xa("", 100),
    _T("3.3", "Kết quả giải quyết TTHC", "", None, ""),
    _T("3.3.1", "Số lượng hồ sơ đã tiếp nhận", _HS, 3135, "(04 hồ sơ từ kỳ trước chuyển sang)"),
    _T("", "Tiếp nhận trực tiếp", "", 1989, ""),
    _T("", "Tiếp nhận qua BCCI", "", 97, ""),
    _T("", "Tiếp nhận trực tuyến một phần", "", 726, ""),
    _T("", "Tiếp nhận trực tuyến toàn trình", "", 363, ""),
    _T("3.3.1", "Số lượng hồ sơ TTHC do UBND cấp huyện tiếp nhận được giải quyết đúng hẹn", _HS, None, ""),
    _T("3.3.2", "Số lượng hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hẹn", _HS, 3135, ""),
    _T(TRONG_DO, "Trả trực tiếp", "", 1989, "", 3),
    _T("", "Trả qua BCCI", "", 97, ""),
    _T("", "Giải quyết trực tuyến mức độ 3", "", 726, ""),
    _T("", "Giải quyết trực tuyến mức độ 4", "", 363, ""),
    _T("3.3.3", "Số lượng hồ sơ TTHC về lĩnh vực đất đai được giải quyết đúng hẹn", _HS, None, ""),
    *_huyen_xa("", 0),
    _T("3.3.4", "Số lượng hồ sơ TTHC về lĩnh vực xây dựng được giải quyết đúng hẹn", _HS, None, ""),
    *_huyen_xa("", 0),
    _T("3.4", "Công khai kết quả giải quyết", "", None, ""),
    _T("3.4.1", "Công khai kết quả giải quyết trên cổng dịch vụ công của tỉnh", _DGQ, None, ""),
    *_huyen_xa("", 3135),
    _T("3.4.2", "Công khai kết quả giải quyết trên trang TTĐT của đơn vị", _DGQ, None, ""),
    *_huyen_xa("", 0),
    _T("3.4.3", "Số TTHC đã tích hợp dịch vụ thanh toán trực tuyến trên cổng dịch vụ công", _TT, None, ""),
    *_huyen_xa("", 11),
    _T("3.5", "Số thư/ trường hợp đã công khai xin lỗi", "", None, ""),
    *_huyen_xa("", 0),
    _T("4", "Cải cách tổ chức bộ máy hành chính nhà nước", "", None, ""),
    _T("4.1", "Cơ cấu tổ chức bộ máy", "", None, ""),
    _T("4.2", "Số liệu về biên chế công chức", "", None, ""),
    _T("4.2.1", "Tổng số biên chế được giao trong năm", "Người", 21, ""),
    _T("4.2.2", "Tổng số biên chế có mặt tại thời điểm báo cáo", "Người", 22, ""),
    _T("4.2.3", "Số hợp đồng lao động làm việc tại cơ quan hành chính nhà nước", "Người", None, ""),
    _T("4.2.4", "Số biên chế đã tinh giản trong kỳ báo cáo", "Người", 0, ""),
    _T("4.2.5", "Tỷ lệ %  biên chế đã tinh giản so với năm 2015", "%", 0, ""),
    _T("4.3", "Số người làm việc hưởng lương từ NSNN tại các đơn vị sự nghiệp công lập", "Người", None, ""),
    _T("5", "Cải cách chế độ công vụ", "", None, ""),
    _T("6", "Cải cách tài chính công", "", None, ""),
    _T("7", "Xây dựng và phát triển chính quyền điện tử", "", None, ""),
    _T("7.1", "Xây dựng và vận hành hệ thống họp trực tuyến", "Chưa có = 0\n2 cấp = 1\n3 cấp = 2", 2, ""),
    _T("7.2", "Tỷ lệ cơ quan chuyên môn UBND cấp huyện, UBND cấp xã được cấp chứng thư số", "Đơn vị", 1, ""),
    _T("7.3", "Số liệu về văn bản trao đổi điện tử", _VB, None, ""),
    _T("7.3.1", "Thực hiện kết nối, liên thông các Hệ thống quản lý văn bản điều hành từ huyện đến cấp xã",
       _KN, 1, ""),
    _T("7.3.2", "Tỷ lệ UBND xã đã kết nối, liên thông với UBND huyện", "%", 100, ""),
    _T("7.3.3", "Tổng số VĂN BẢN ĐI giữa các cơ quan nhà nước trên địa bàn huyện", _VB, None, ""),
    _T(TRONG_DO, "Tỷ lệ văn bản được gửi hoàn toàn dưới dạng điện tử (Sử sụng chữ ký số, chứng thư số và "
                 "gửi trên môi trường  điện tử)", "%", 100, "", 1),
    _T("", "Tỷ lệ văn bản được gửi hoàn toàn dưới dạng điện tử và song song với văn bản giấy", "%", 100, ""),
    _T("7.4", "Vận hành Hệ thống thông tin một cửa điện tử", "", None, ""),
    _T("7.4.1", "Kết nối liên thông với Hệ thống một cửa điện tử cấp tỉnh", _KN, 1, ""),
    _T("7.4.2", "Tỷ lệ đơn vị cấp xã đã kết nối liên thông với Hệ thống một cửa điện tử cấp tỉnh", "%", 100, ""),
    _T("7.5", "Dịch vụ công trực tuyến", "", None, ""),
    _T("7.5.1", "Tổng số TTHC cung cấp trực tuyến một phần", "TTHC", 30, ""),
    _T("7.5.2", "Tổng số TTHC cung cấp trực tuyến toàn trình", "TTHC", 26, ""),
    _T("7.6", "Áp dụng hệ thống quản lý chất lượng ISO", "", None, ""),
    _T("7.6.1", "Thực hiện duy trì, áp dụng hệ thống tại UBND huyện", _ISO, 1, ""),
    _T("7.6.2", "Số lượng đơn vị cấp xã đã áp dụng", "Đơn vị", 1, ""),
    _T("7.6.3", "Thực hiện duy trì, áp dụng hệ thống tại UBND cấp xã", _ISO, 1, ""),
)


def _keys(rows: Sequence[ThRow]) -> tuple[str, ...]:
    out: list[str] = []
    seen: dict[str, int] = {}
    parent = ""
    for row in rows:
        code = row.printed_code.strip()
        if code and code != TRONG_DO:
            seen[code] = seen.get(code, 0) + 1
            parent = code if seen[code] == 1 else f"{code}#{seen[code]}"
            out.append(parent)
        else:
            out.append(f"{parent}/{row.name}")
    assert len(set(out)) == len(out), "duplicate row key in SEED004_ROWS"
    return tuple(out)


SEED004_KEYS: tuple[str, ...] = _keys(SEED004_ROWS)
_BY_KEY: dict[str, int] = {k: i for i, k in enumerate(SEED004_KEYS)}


def seed004_values() -> dict[str, object]:
    """Return the values printed in seed 004's table keyed by SEED004_KEYS ("1.1.1": 7, …)."""
    return {k: SEED004_ROWS[i].value for k, i in _BY_KEY.items() if SEED004_ROWS[i].value is not None}


# ---------------------------------------------------------------------------------------------
# Workbook writer
# ---------------------------------------------------------------------------------------------

_COL_WIDTHS = (9.0, 46.0, 14.0, 9.0, 44.0)  # A..E
_DEFAULT_TITLES = (
    "Phụ lục",
    "THỐNG KÊ SỐ LIỆU VỀ KẾT QUẢ THỰC HIỆN CÔNG TÁC CCHC 6 THÁNG ĐẦU NĂM 2023",
    "(Số liệu từ ngày 05/11/2022 đến ngày 01/9/2023)",
)


class _Styles(sheet.Styles):
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        super().__init__(wb)
        self.title = self.fmt(bold=True, align="center", valign="vcenter", text_wrap=True, font_size=13)
        self.trong_do = self.cell(align="center", italic=True)
        self.name = {False: self.cell(align="left"), True: self.cell(align="left", bold=True)}
        self.unit = self.cell(align="center")
        self.value = self.cell(align="center")
        self.note = self.cell(align="left")


def _is_group(row: ThRow) -> bool:
    code = row.printed_code.strip()
    if not code or code == TRONG_DO:
        return False
    return "." not in code or (code.count(".") == 1 and not row.unit and row.value is None)


def write_thanhhoa(
    path,
    *,
    unit_header: str = "ỦY BAN NHÂN DÂN\nPHƯỜNG TRƯỜNG THI",
    title_lines: Sequence[str] = _DEFAULT_TITLES,
    values_override: Mapping[str, object] | None = None,
) -> Path:
    """Write seed 004's Thanh Hóa appendix (one sheet "Phụ lục", "Trong đó" merged in column A) and return its path."""
    path = Path(path)
    values = sheet.overridden([r.value for r in SEED004_ROWS], _BY_KEY, values_override, "keys not in SEED004_KEYS")
    issuer = sheet.issuer_lines(unit_header)
    wb = sheet.open_workbook(
        path,
        title="Thống kê số liệu về kết quả thực hiện công tác CCHC",
        issuer=issuer,
        created=dt.datetime(2023, 9, 5, 8, 0, 0),
    )
    st = _Styles(wb)
    W = _COL_WIDTHS
    ws = sheet.add_sheet(wb, "Phụ lục", W)

    r = sheet.write_letterhead(ws, st, issuer)
    r = sheet.write_titles(
        ws, r, ((t, st.italic if t.startswith("(") else st.title) for t in title_lines if t), sum(W)
    )

    head_row = r
    r = sheet.write_header(ws, st, r, "Chỉ tiêu thống kê")
    ws.repeat_rows(head_row, head_row + 1)

    for i, row in enumerate(SEED004_ROWS):
        group = _is_group(row)
        if row.printed_code == TRONG_DO:
            if row.merged_with_next:
                ws.merge_range(r, 0, r + row.merged_with_next, 0, TRONG_DO, st.trong_do)
            else:
                ws.write_string(r, 0, TRONG_DO, st.trong_do)
        elif row.printed_code or not (i > 0 and _covered(i)):
            sheet.write_text(ws, r, 0, row.printed_code, st.code[group])
        sheet.write_row(ws, r, W, row.name, row.unit, values[i], row.note, (st.name[group], st.unit, st.value, st.note))
        r += 1
    ws.print_area(0, 0, r - 1, 4)
    wb.close()
    return path


def _covered(i: int) -> bool:
    """Tell whether row i's STT cell lies inside a "Trong đó" cell merged from an earlier row."""
    for j in range(i - 1, -1, -1):
        prev = SEED004_ROWS[j]
        if prev.printed_code == TRONG_DO:
            return j + prev.merged_with_next >= i
        if prev.printed_code:
            return False
    return False
