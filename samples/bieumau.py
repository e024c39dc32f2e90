"""Sample generator for the Hải Dương "Biểu mẫu 1–7" CCHC appendix workbooks.

The template (``BIEU_MAU``) is transcribed row by row from seed 000, lines 731–1313
(thị trấn Thanh Miện, quý III 2023): codes exactly as printed (trailing dots kept or missing),
names verbatim (the typo "đo địa phương" included), units verbatim with their code lists.

``write_bieu_mau`` renders one commune's appendix the way an office file looks (merged title
block, two-row header, column-number row, a header repeated inside form 7 at the page break,
numbers partly typed as Vietnamese-formatted text). ``demo_values`` / ``generate_demo_inbox``
produce a deterministic, internally consistent demo inbox for huyện Tứ Kỳ's 23 units.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
import types
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import xlsxwriter

from samples import sheet

__all__ = [
    "TemplateRow",
    "Form",
    "BIEU_MAU",
    "RATE_PARTS",
    "key",
    "write_bieu_mau",
    "seed000_values",
    "demo_values",
    "generate_demo_inbox",
]


@dataclass(frozen=True)
class TemplateRow:
    """One printed row of a form: STT code, indicator name and unit, as printed."""

    code: str
    name: str
    unit: str


@dataclass(frozen=True)
class Form:
    """One "Biểu mẫu N" table: its number, title and rows in printed order."""

    number: int
    title: str
    rows: tuple[TemplateRow, ...]


def key(form: int, code: str) -> tuple[int, str]:
    """Return the normalised row key: (form, code without spaces and trailing dots)."""
    return (int(form), "".join(str(code).split()).rstrip("."))


_R = TemplateRow
_DV = "Cơ quan, đơn vị"

BIEU_MAU: tuple[Form, ...] = (
    Form(1, "Công tác chỉ đạo điều hành CCHC", (
        _R("1.", "Số văn bản chỉ đạo CCHC đã ban hành\n(Kết luận, chỉ thị, công văn chỉ đạo, quán triệt)", "Văn bản"),
        _R("2.", "Tỷ lệ hoàn thành Kế hoạch CCHC năm\n(Lũy kế đến thời điểm báo cáo)", "%"),
        _R("2.1.", "Số nhiệm vụ đề ra trong kế hoạch", "Nhiệm vụ"),
        _R("2.2.", "Số nhiệm vụ đã hoàn thành", "Nhiệm vụ"),
        _R("3.", "Kiểm tra CCHC", ""),
        _R("3.1.", "Số phòng chuyên môn đã kiểm tra", "Phòng, đơn vị"),
        _R("3.2.", "Số UBND cấp xã đã kiểm tra", "Cơ quan, đơn vị"),
        _R("3.3.", "Tỷ lệ xử lý các vấn đề qua kiểm tra", "%"),
        _R("3.3.1.", "Số vấn đề phát hiện qua kiểm tra", "Vấn đề"),
        _R("3.3.2", "Số vấn đề phát hiện đã xử lý xong", "Vấn đề"),
        _R("4.", "Thực hiện nhiệm vụ của UBND huyện, Chủ tịch UBND huyện giao", ""),
        _R("4.1.", "Tổng số nhiệm vụ được giao", "Nhiệm vụ"),
        _R("4.2.", "Số nhiệm vụ đã hoàn thành đúng hạn", "Nhiệm vụ"),
        _R("4.3.", "Số nhiệm vụ đã hoàn thành nhưng quá hạn", "Nhiệm vụ"),
        _R("4.4.", "Số nhiệm vụ quá hạn nhưng chưa hoàn thành", "Nhiệm vụ"),
        _R("5.", "Khảo sát sự hài lòng của người dân, tổ chức", "Có = 1; Không = 0"),
        _R("5.1", "Số lượng phiếu khảo sát", "Phiếu"),
        _R("5.2.", "Hình thức khảo sát", "Trực tuyến = 0\nPhát phiếu = 1\nKết hợp = 2"),
        _R("6.", "Tổ chức đối thoại của lãnh đạo với người dân, cộng đồng doanh nghiệp", "Không = 0\nCó = 1"),
    )),
    Form(2, "Cải cách thể chế", (
        _R("1.", "Tổng số Văn bản quy phạm pháp luật (VBQPPL) đo địa phương ban hành", "Văn bản"),
        _R("1.3.", "Số VBQPPL do cấp xã ban hành", "Văn bản"),
        _R("2.", "Kiểm tra, xử lý VBQPPL", ""),
        _R("2.1.", "Số VBQPPL đã kiểm tra theo thẩm quyền của cấp huyện", "Văn bản"),
        _R("2.2.", "Tỷ lệ xử lý VBQPPL sau kiểm tra", "%"),
        _R("2.2.1.", "Tổng số VBQPPL cần phải xử lý sau kiểm tra", "Văn bản"),
        _R("2.2.2.", "Số VBQPPL có kiến nghị xử lý đã được xử lý xong", "Văn bản"),
        _R("3.", "Rà soát VBQPPL", ""),
        _R("3.1.", "Số VBQPPL đã rà soát thuộc thẩm quyền của cấp huyện", "Văn bản"),
        _R("3.2.", "Tỷ lệ xử lý VBQPPL sau rà soát", "%"),
        _R("3.2.1.", "Tổng số VBQPPL cần phải xử lý sau rà soát", "Văn bản"),
        _R("3.2.2.", "Số VBQPPL có kiến nghị xử lý đã được xử lý xong", "Văn bản"),
    )),
    Form(3, "Cải cách thủ tục hành chính", (
        _R("1.", "Thống kê TTHC", "Thủ tục"),
        _R("1.1.", "Số TTHC đã được phê duyệt phương án đơn giản hóa", "Thủ tục"),
        _R("1.2.", "Số TTHC công bố mới", "Thủ tục"),
        _R("1.3.", "Số TTHC bãi bỏ, thay thế", "Thủ tục"),
        _R("1.4", "Tổng số TTHC thuộc thẩm quyền giải quyết tại địa phương", "Thủ tục"),
        _R("1.4.3.", "Số TTHC cấp xã (UBND: 139 TTHC; CA : 11 TTHC, QS: 7 TTHC)", "Thủ tục"),
        _R("2.", "Thực hiện cơ chế một cửa, một cửa liên thông", ""),
        _R("2.1.", "Số TTHC liên thông cùng cấp", "Thủ tục"),
        _R("2.2.", "Số TTHC liên thông giữa các cấp chính quyền", "Thủ tục"),
        _R("2.3.", "Số TTHC đã thực hiện tiếp nhận và giải quyết hồ sơ không phụ thuộc vào địa giới hành chính.", "Thủ tục"),
        _R("3.", "Kết quả giải quyết TTHC", ""),
        _R("3.3.", "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn", "%"),
        _R("3.3.1.", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ"),
        _R("3.3.2.", "Số hồ sơ TTHC giải quyết đúng hạn", "Hồ sơ"),
        _R("3.4.", "Tỷ lệ giải quyết phản ánh, kiến nghị (PAKN) về quy định TTHC", "%"),
        _R("3.4.1.", "Tổng số PAKN đã tiếp nhận (trực tiếp hoặc do cơ quan có thẩm quyền chuyển đến)", "PAKN"),
        _R("3.4.2.", "Số PAKN đã giải quyết xong", "PAKN"),
    )),
    Form(4, "Cải cách bộ máy hành chính nhà nước", (
        _R("1.", "Sắp xếp, kiện toàn tổ chức bộ máy", ""),
        _R("1.2.", "Tỷ lệ UBND cấp xã đã hoàn thành việc sắp xếp cơ cấu tổ chức và bố trí các bộ phận "
                   "chuyên môn đáp ứng các tiêu chí theo quy định của Chính phủ", "%"),
        _R("2.", "Số liệu về biên chế công chức", ""),
        _R("2.1.", "Tổng số biên chế được giao trong năm", "Người"),
        _R("2.2.", "Tổng số biên chế có mặt tại thời điểm báo cáo", "Người"),
        _R("2.3.", "Số hợp đồng lao động làm việc tại cơ quan hành chính nhà nước", "Người"),
        _R("2.4.", "Số biên chế đã tinh giản trong kỳ báo cáo", "Người"),
        _R("2.5.", "Tỷ lệ phần trăm biên chế đã tinh giản so với năm 2015", "%"),
    )),
    Form(5, "Cải cách chế độ công vụ", (
        _R("1.", "Vị trí việc làm của công chức, viên chức", ""),
        _R("1.1.", "Số cơ quan, tổ chức hành chính đã được phê duyệt vị trí việc làm theo quy định", _DV),
        _R("1.2.", "Số đơn vị sự nghiệp đã được phê duyệt vị trí việc làm theo quy định", _DV),
        _R("1.3.", "Số cơ quan, tổ chức có vi phạm trong thực hiện vị trí việc làm phát hiện qua thanh tra", _DV),
        _R("2.", "Tuyển dụng công chức, viên chức", ""),
        _R("2.1.", "Số công chức được tuyển dụng (thi tuyển, xét tuyển)", "Người"),
        _R("2.2.", "Số công chức được tuyển dụng theo trường hợp đặc biệt", "Người"),
        _R("2.3.", "Số cán bộ, công chức cấp xã được xét chuyển thành công chức cấp huyện trở lên", "Người"),
        _R("2.4.", "Số viên chức được tuyển dụng (thi tuyển, xét tuyển)", "Người"),
        _R("2.5.", "Số viên chức được tuyển dụng theo trường hợp đặc biệt", "Người"),
        _R("3.", "Số lượng lãnh đạo quản lý được tuyển chọn, bổ nhiệm thông qua thi tuyển (Lũy kế từ đầu năm)", "Người"),
        _R("4.", "Số lượng cán bộ, công chức, viên chức bị kỷ luật (cả về Đảng và chính quyền).", ""),
        _R("4.1.", "Số lãnh đạo cấp huyện bị kỷ luật", "Người"),
        _R("4.2.", "Số lãnh đạo cấp phòng thuộc huyện bị kỷ luật", "Người"),
        _R("4.3.", "Số lãnh đạo cấp xã bị kỷ luật", "Người"),
        _R("4.4.", "Số công chức (huyện và xã) bị kỷ luật", "Người"),
        _R("4.5.", "Số người làm việc hưởng lương từ NSNN tại các đơn vị SNCL bị kỷ luật.", "Người"),
    )),
    Form(6, "Cải cách tài chính công", (
        _R("1.", "Tỷ lệ thực hiện Kế hoạch giải ngân vốn đầu tư công", "%"),
        _R("1.1.", "Kế hoạch được giao", "Triệu đồng"),
        _R("1.2.", "Đã thực hiện", "Triệu đồng"),
        _R("2.", "Thực hiện tự chủ tài chính của đơn vị sự nghiệp (ĐVSN) tại địa phương "
                 "(lũy kế đến thời điểm báo cáo)", ""),
        _R("2.1.", "Tổng số ĐVSN công lập tại địa phương", "Đơn vị"),
        _R("2.2.", "Số ĐVSN tự bảo đảm chi thường xuyên và chi đầu tư", "Đơn vị"),
        _R("2.3.", "Số ĐVSN tự bảo đảm chi thường xuyên", "Đơn vị"),
        _R("2.4.", "Số ĐVSN tự bảo đảm một phần chi thường xuyên", "Đơn vị"),
        _R("2.4.1.", "Số ĐVSN tự bảo đảm từ 70% - dưới 100% chi thường xuyên", "Đơn vị"),
        _R("2.4.2.", "Số ĐVSN tự bảo đảm từ 30% - dưới 70% chi thường xuyên", "Đơn vị"),
        _R("2.4.3.", "Số ĐVSN tự bảo đảm từ 10% - dưới 30% chi thường xuyên", "Đơn vị"),
        _R("2.5.", "Số ĐVSN do Nhà nước bảo đảm chi thường xuyên", "Đơn vị"),
        _R("2.6.", "Số lượng ĐVSN đã chuyển đổi thành công ty cổ phần (lũy kế đến thời điểm báo cáo)", "Đơn vị"),
    )),
    Form(7, "Xây dựng chính quyền điện tử, Chính quyền số", (
        _R("1.", "Cập nhật Kiến trúc chính quyền điện tử phiên bản mới nhất", "Chưa = 0\nHoàn thành = 1"),
        _R("2.", "Xây dựng và vận hành Hệ thống họp trực tuyến\n"
                 "Liên thông 2 cấp: Từ UBND tỉnh đến 100% UBND các huyện.\n"
                 "Liên thông 3 cấp: Từ UBND tỉnh đến 100% UBND cấp huyện, cấp xã.",
           "Chưa có = 0\n2 cấp = 1\n3 cấp = 2"),
        _R("3.", "Tỷ lệ báo cáo định kỳ được gửi, nhận qua Hệ thống thông tin báo cáo quốc gia", "%"),
        _R("4.", "Triển khai xây dựng nền tảng chia sẻ, tích hợp dùng chung (LGSP)",
           "Chưa = 0\nĐang làm = 1\nHoàn thành = 2"),
        _R("5.", "Số liệu về trao đổi văn bản điện tử", ""),
        _R("5.1.", "Thực hiện kết nối, liên thông các Hệ thống quản lý văn bản điều hành từ cấp tỉnh đến cấp xã", ""),
        _R("5.1.3.", "Tỷ lệ UBND cấp xã đã kết nối, liên thông với UBND huyện.", "%"),
        _R("5.2.", "Tỷ lệ sử dụng văn bản điện tử của địa phương (Chỉ thống kê tỷ lệ văn bản được gửi hoàn toàn "
                   "dưới dạng điện tử; sử dụng chữ ký số, chứng thư số và gửi trên môi trường điện tử).", "%"),
        _R("5.2.3.", "Tỷ lệ sử dụng văn bản điện tử của UBND cấp xã", "%"),
        _R("5.3.", "Xây dựng, vận hành Hệ thống thông tin một cửa điện tử tập trung của tỉnh", ""),
        _R("5.3.3.", "Tỷ lệ đơn vị cấp xã đã kết nối liên thông với Hệ thống", "%"),
        _R("6.", "Cung cấp dịch vụ công trực tuyến", ""),
        _R("6.4.", "Tỷ lệ TTHC đủ điều kiện được cung cấp trực tuyến mức độ 3 (một phần)", "%"),
        _R("6.4.1.", "Tổng số TTHC đủ điều kiện cung cấp trực tuyến mức độ 3 (một phần)", "Thủ tục"),
        _R("6.4.2.", "Số TTHC đang cung cấp trực tuyến mức độ 3 (một phần)", "Thủ tục"),
        _R("6.4.3.", "Số TTHC đang cung cấp trực tuyến mức độ 3 (một phần) có phát sinh hồ sơ nộp trực tuyến",
           "Thủ tục"),
        _R("6.5.", "Tỷ lệ TTHC đủ điều kiện được cung cấp trực tuyến mức độ 4 (toàn phần)", "%"),
        _R("6.5.1.", "Tổng số TTHC đủ điều kiện cung cấp trực tuyến mức độ 4 (toàn phần)", "Thủ tục"),
        _R("6.5.2.", "Số TTHC đang cung cấp trực tuyến mức độ 4 (toàn phần)", "Thủ tục"),
        _R("6.5.3.", "Số TTHC đang cung cấp trực tuyến mức độ 4 (toàn phần) có phát sinh hồ sơ nộp trực tuyến",
           "Thủ tục"),
        _R("6.6.", "Tỷ lệ TTHC cung cấp trực tuyến mức độ 3 (một phần) và 4 đã tích hợp, công khai trên "
                   "Cổng DVC quốc gia", "%"),
        _R("6.6.1.", "Tổng số TTHC đang cung cấp trực tuyến mức độ 3 (một phần) và 4 của địa phương", "Thủ tục"),
        _R("6.6.2.", "Số TTHC cung cấp trực tuyến mức độ 3 (một phần) và 4 đã tích hợp, công khai trên "
                     "Cổng DVC quốc gia", "Thủ tục"),
        _R("6.7.", "Tỷ lệ hồ sơ TTHC được tiếp nhận trực tuyến mức độ 3 (một phần) và 4 (Chỉ thống kê đối với "
                   "các TTHC mức độ 3 (một phần) và 4 có phát sinh hồ sơ)", "%"),
        _R("6.7.1.", "Tổng số hồ sơ TTHC đã tiếp nhận (cả trực tiếp và trực tuyến)", "Hồ sơ"),
        _R("6.7.2.", "Số hồ sơ TTHC đã tiếp nhận trực tuyến", "Hồ sơ"),
        _R("6.8.", "Tỷ lệ TTHC được tích hợp, triển khai thanh toán trực tuyến", "%"),
        _R("6.8.1.", "Tổng số TTHC có yêu cầu nghĩa vụ tài chính (tất cả các TTHC có phát sinh phí, lệ phí,…)",
           "Thủ tục"),
        _R("6.8.2.", "Số TTHC đã được tích hợp, triển khai thanh toán trực tuyến trên Cổng DVC quốc gia "
                     "hoặc trên Cổng DVC của tỉnh.", "Thủ tục"),
    )),
)

# rate key -> (numerator key, denominator key), all within the same form
RATE_PARTS: dict[tuple[int, str], tuple[tuple[int, str], tuple[int, str]]] = {
    key(f, r): (key(f, n), key(f, d))
    for f, r, n, d in (
        (1, "2", "2.2", "2.1"),
        (1, "3.3", "3.3.2", "3.3.1"),
        (2, "2.2", "2.2.2", "2.2.1"),
        (2, "3.2", "3.2.2", "3.2.1"),
        (3, "3.3", "3.3.2", "3.3.1"),
        (3, "3.4", "3.4.2", "3.4.1"),
        (6, "1", "1.2", "1.1"),
        (7, "6.4", "6.4.2", "6.4.1"),
        (7, "6.5", "6.5.2", "6.5.1"),
        (7, "6.6", "6.6.2", "6.6.1"),
        (7, "6.7", "6.7.2", "6.7.1"),
        (7, "6.8", "6.8.2", "6.8.1"),
    )
}

# pure heading rows (no quantity of their own); they sometimes carry a 0
_HEADINGS = frozenset(
    key(f, c)
    for f, cs in {
        1: ("3", "4"), 2: ("2", "3"), 3: ("2", "3"), 4: ("1", "2"),
        5: ("1", "2"), 6: ("2",), 7: ("5", "5.3", "6"),
    }.items()
    for c in cs
)

_ROWS: dict[tuple[int, str], TemplateRow] = {key(f.number, r.code): r for f in BIEU_MAU for r in f.rows}
assert len(_ROWS) == sum(len(f.rows) for f in BIEU_MAU), "duplicate normalised code in BIEU_MAU"


def seed000_values() -> dict[tuple[int, str], object]:
    """Return the values printed in seed 000's appendix (thị trấn Thanh Miện, quý III 2023)."""
    printed = {
        1: {"1": 25, "2": 88, "2.1": 25, "2.2": 22, "3": 0, "4.1": 62, "4.2": 62,
            "5": 1, "5.1": 922, "5.2": 2, "6": 1},
        2: {"1.3": 0, "2.1": 0, "2.2": 0, "3.1": 0, "3.2": 0},
        3: {"1": 139, "1.1": 0, "1.2": 0, "1.3": 3, "1.4": 139, "1.4.3": 157, "2.1": 2, "2.2": 3,
            "2.3": 28, "3.3": 100, "3.3.1": 922, "3.3.2": 922, "3.4": 0, "3.4.1": 0, "3.4.2": 0},
        4: {"1.2": 100, "2.1": 22, "2.2": 21, "2.3": 0},
        5: {"1": 0, "2": 0, "3": 0, "4": 0},
        6: {"1": "67,1", "1.1": "3.000", "1.2": "2.014", "2": 0},
        7: {"1": 1, "2": 2, "3": 100, "5.1": 339, "5.1.3": 100, "5.2": 100, "5.2.3": 100, "5.3.3": 100,
            "6.4": 100, "6.4.1": 68, "6.4.2": 68, "6.4.3": 16, "6.5": 100, "6.5.1": 44, "6.5.2": 44,
            "6.5.3": 7, "6.6": 100, "6.6.1": 112, "6.6.2": 112, "6.7": "98.17", "6.7.1": 922,
            "6.7.2": 905, "6.8": 100, "6.8.1": 51, "6.8.2": 51},
    }
    out = {key(f, c): v for f, vals in printed.items() for c, v in vals.items()}
    assert set(out) <= set(_ROWS)
    return out


# ---------------------------------------------------------------------------------------------
# Workbook writer
# ---------------------------------------------------------------------------------------------

_COL_WIDTHS = (7.0, 58.0, 18.0, 16.0, 26.0)  # A..E
_HEADER_B = "Chỉ tiêu thống kê\n(sử dụng cho kỳ báo cáo hàng quý, 6 tháng, năm)"
_EMPTY: Mapping = types.MappingProxyType({})


class _Styles(sheet.Styles):
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        super().__init__(wb)
        self.big = self.fmt(bold=True, align="center", valign="vcenter", font_size=13)
        self.title = self.fmt(bold=True, align="center", valign="vcenter", text_wrap=True)
        self.colno = self.cell(italic=True, align="center")
        self.name = {False: self.cell(align="left"), True: self.cell(align="left", bold=True)}
        self.unit = self.cell(align="center")
        self.value = self.cell(align="center")
        self.note = self.cell(align="left", font_size=11)


def _write_header(ws, st: _Styles, r: int) -> int:
    """Write the two header rows at row r; return the next row."""
    return sheet.write_header(ws, st, r, _HEADER_B, "Số lượng/ Tỷ lệ", second_height=36)


def write_bieu_mau(
    path,
    *,
    unit_header: str,
    district_line: str | None,
    period_title: str,
    window_text: str | None,
    caption: str | None,
    values: Mapping[tuple[int, str], object],
    notes: Mapping[tuple[int, str], str] = _EMPTY,
    repeat_header_form7: bool = True,
) -> Path:
    """Write one unit's "Biểu mẫu 1–7" workbook (7 sheets, office layout) and return its path."""
    # district_line, when given, is an extra line above unit_header in the top-left block
    # (e.g. "UBND HUYỆN TỨ KỲ"), so the unit header then starts on row 2.
    path = Path(path)
    vals = {key(*k): v for k, v in values.items()}
    nts = {key(*k): v for k, v in notes.items()}
    unknown = sorted((set(vals) | set(nts)) - set(_ROWS))
    if unknown:
        raise ValueError(f"keys not in BIEU_MAU: {unknown}")
    header_lines = sheet.issuer_lines(unit_header)
    wb = sheet.open_workbook(
        path,
        title="Phụ lục thống kê kết quả thực hiện công tác CCHC",
        issuer=header_lines,
        created=dt.datetime(2000, 1, 1),
        plain_strings=False,
    )
    st = _Styles(wb)
    W = _COL_WIDTHS

    for form in BIEU_MAU:
        ws = sheet.add_sheet(wb, f"Biểu mẫu {form.number}", W, landscape=True, left_margin=0.5)
        r = 0
        if form.number == 1:
            left = ([district_line] if district_line else []) + header_lines
            r = sheet.write_letterhead(ws, st, left, motto_col=3, bold_upper=True)
            ws.merge_range(r, 0, r, 4, "PHỤ LỤC", st.big)
            r += 1
            titles = ((period_title, st.title), (caption, st.italic), (window_text, st.italic))
            r = sheet.write_titles(ws, r, ((t, fmt) for t, fmt in titles if t), sum(W))
        ws.merge_range(r, 0, r, 4, f"Biểu mẫu {form.number}", st.title)
        ws.merge_range(r + 1, 0, r + 1, 4, form.title, st.title)
        r += 2
        head_row = r
        r = _write_header(ws, st, r)
        for c in range(5):
            ws.write_string(r, c, f"({c + 1})", st.colno)
        r += 1
        page_breaks = []
        for row in form.rows:
            k = key(form.number, row.code)
            top = "." not in k[1]
            sheet.write_text(ws, r, 0, row.code, st.code[top])
            sheet.write_row(ws, r, W, row.name, row.unit, vals.get(k), nts.get(k) or "",
                            (st.name[top], st.unit, st.value, st.note), blank_empty=False)
            r += 1
            if form.number == 7 and repeat_header_form7 and k == key(7, "6.4.1"):
                page_breaks.append(r)
                r = _write_header(ws, st, r)
        if page_breaks:
            ws.set_h_pagebreaks(page_breaks)
        else:
            ws.repeat_rows(head_row, head_row + 1)
        ws.print_area(0, 0, r - 1, 4)
    wb.close()
    return path


# ---------------------------------------------------------------------------------------------
# Demo values
# ---------------------------------------------------------------------------------------------

_PERIOD_RE = re.compile(r"^(\d{4})-(Q[1-4]|H[12]|9M|Y)$")

# seed 002 lines 296–300: late commune dossiers in 6 tháng đầu năm 2023
_LATE_2023_H1 = {
    "ha_ky": 4, "tai_son": 1, "dai_son": 6, "tt_tu_ky": 1, "hung_dao": 1,
    "an_thanh": 2, "binh_lang": 1, "van_to": 1, "tan_ky": 2,
}
_TOTALS_2023_H1 = {"3.3.1": 23378, "6.7.1": 22903, "6.7.2": 22816}


def _parse_period(period_code: str) -> tuple[int, str]:
    m = _PERIOD_RE.match(str(period_code).strip())
    if not m:
        raise ValueError(f"bad period code {period_code!r} (expected YYYY-Q1..Q4, -H1, -H2, -9M, -Y)")
    return int(m.group(1)), m.group(2)


def _fractions(kind: str) -> tuple[float, float]:
    """(share of a year inside the period, cumulative share of the year at its end)."""
    if kind.startswith("Q"):
        return 0.25, int(kind[1]) / 4
    return {"H1": (0.5, 0.5), "H2": (0.5, 1.0), "9M": (0.75, 0.75), "Y": (1.0, 1.0)}[kind]


def _apportion(total: int, weights: Sequence[float], caps: Sequence[int] | None = None) -> list[int]:
    """Split an integer total by weights (largest remainder), respecting optional caps."""
    n = len(weights)
    out = [0] * n
    caps = list(caps) if caps is not None else [total] * n
    remaining = total
    active = [i for i in range(n) if caps[i] > 0 and weights[i] > 0]
    while remaining > 0 and active:
        wsum = sum(weights[i] for i in active)
        raw = {i: remaining * weights[i] / wsum for i in active}
        add = {i: min(int(raw[i]), caps[i] - out[i]) for i in active}
        given = sum(add.values())
        if given == 0:  # hand out one by one by largest remainder
            for i in sorted(active, key=lambda i: (-(raw[i] - int(raw[i])), i)):
                if remaining == 0:
                    break
                if out[i] < caps[i]:
                    out[i] += 1
                    remaining -= 1
        else:
            for i, a in add.items():
                out[i] += a
            remaining -= given
        active = [i for i in active if out[i] < caps[i]]
    if remaining:
        raise ValueError("caps too small for total")
    return out


def _rate(num, den):
    if num is None or den in (None, 0):
        return None
    r = round(100 * num / den, 2)
    return int(r) if r == int(r) else r


def _vn_number(x: float | int, decimals_sep: str = ",") -> str:
    if isinstance(x, float) and x != int(x):
        ip = int(x)
        frac = f"{x:.2f}".split(".")[1].rstrip("0")
        return f"{ip:,}".replace(",", ".") + decimals_sep + frac
    return f"{int(x):,}".replace(",", ".")


def _as_text(rng: random.Random, k: tuple[int, str], v: object) -> str:
    """Type a numeric value the way a commune clerk would."""
    row = _ROWS[k]
    if row.unit == "%" or k in RATE_PARTS:
        if isinstance(v, float) and v != int(v):
            s = f"{v:.2f}".rstrip("0")
            return s if rng.random() < 0.15 else s.replace(".", ",")  # "98.17" now and then
        return str(int(v))
    if isinstance(v, float):
        return _vn_number(v)
    n = int(v)
    if "=" in row.unit:  # coded answer
        return str(n)
    if 1 <= n <= 9 and rng.random() < 0.5:
        return f"{n:02d}"
    if n >= 1000 and rng.random() < 0.85:
        return _vn_number(n)
    return str(n)


def _unit_numbers(rng: random.Random, code: str, kind: str, fixed: dict | None) -> dict:
    """Numeric (untyped) values of one unit; None means left blank."""
    f, c = _fractions(kind)
    v: dict[tuple[int, str], object] = {}

    def put(form: int, code_: str, value) -> None:
        v[key(form, code_)] = value

    def maybe(p: float, value):
        return value if rng.random() < p else None

    town = code.startswith("tt_")
    if fixed:
        dossiers = fixed["3.3.1"]
        late = fixed["late"]
    else:
        dossiers = round(rng.uniform(1500, 3000) * (1.4 if town else 1.0) * f)
        late = rng.choices([0, 0, 0, 1, 1, 2, 3, 5], k=1)[0]
        late = min(late, dossiers)

    # --- BM1 chỉ đạo điều hành
    put(1, "1", max(1, round(rng.uniform(12, 32) * (0.35 + 0.65 * f))))
    plan = rng.randint(15, 35)
    done = plan - rng.choice([0, 0, 1, 2]) if c >= 1 else min(plan, round(plan * c * rng.uniform(0.85, 1.15)))
    put(1, "2.1", plan)
    put(1, "2.2", done)
    put(1, "2", _rate(done, plan))
    if rng.random() < 0.3:
        found = rng.randint(1, 5)
        fixed_ = found - rng.choice([0, 0, 0, 1])
        put(1, "3.3.1", found)
        put(1, "3.3.2", fixed_)
        put(1, "3.3", _rate(fixed_, found))
    assigned = max(3, round(rng.uniform(30, 80) * (0.3 + 0.7 * f)))
    late_done = maybe(0.6, rng.choice([0, 0, 0, 1, 2]))
    overdue = maybe(0.5, rng.choice([0, 0, 0, 0, 1]))
    pending = rng.choice([0, 0, 1, 2, 3]) if c < 1 else 0
    put(1, "4.1", assigned)
    put(1, "4.2", max(0, assigned - (late_done or 0) - (overdue or 0) - pending))
    put(1, "4.3", late_done)
    put(1, "4.4", overdue)
    survey = 1 if rng.random() < 0.85 else 0
    put(1, "5", survey)
    if survey:
        put(1, "5.1", max(1, round(dossiers * rng.uniform(0.3, 1.0))))
        put(1, "5.2", rng.choices([0, 1, 2], weights=[2, 3, 5])[0])
    put(1, "6", 1 if rng.random() < 0.75 else 0)

    # --- BM2 thể chế
    own = rng.choice([0, 0, 0, 1, 1, 2])
    put(2, "1.3", own)
    put(2, "1", maybe(0.5, own))
    put(2, "2.1", maybe(0.6, 0))
    if rng.random() < 0.3:
        put(2, "2.2.1", 0)
        put(2, "2.2.2", 0)
    reviewed = maybe(0.7, rng.choice([0, 0, 1, 2, 3, 5]))
    put(2, "3.1", reviewed)
    if reviewed is not None and rng.random() < 0.6:
        need = rng.randint(0, min(2, reviewed))
        handled = need - (rng.choice([0, 0, 1]) if need else 0)
        put(2, "3.2.1", need)
        put(2, "3.2.2", handled)
        put(2, "3.2", _rate(handled, need))

    # --- BM3 TTHC
    tthc = rng.randint(128, 160)
    put(3, "1", maybe(0.6, tthc))
    put(3, "1.1", maybe(0.7, 0))
    put(3, "1.2", rng.choice([0, 0, 1, 2, 3, 5, 8]))
    put(3, "1.3", rng.choice([0, 0, 1, 2, 3, 5]))
    put(3, "1.4", tthc)
    put(3, "1.4.3", tthc if rng.random() < 0.7 else tthc - rng.randint(1, 8))
    put(3, "2.1", rng.randint(0, 4))
    put(3, "2.2", rng.randint(0, 6))
    put(3, "2.3", maybe(0.85, rng.randint(0, 40)))
    put(3, "3.3.1", dossiers)
    put(3, "3.3.2", dossiers - late)
    put(3, "3.3", _rate(dossiers - late, dossiers))
    pakn = rng.choice([0, 0, 0, 0, 1, 2])
    pakn_done = pakn - (rng.choice([0, 0, 1]) if pakn else 0)
    put(3, "3.4.1", pakn)
    put(3, "3.4.2", pakn_done)
    put(3, "3.4", _rate(pakn_done, pakn))

    # --- BM4 bộ máy
    put(4, "1.2", maybe(0.85, 100))
    quota = rng.randint(19, 23)
    put(4, "2.1", quota)
    put(4, "2.2", quota - rng.choice([0, 0, 1, 1, 2]))
    put(4, "2.3", maybe(0.8, rng.choice([0, 0, 1, 2, 3])))
    put(4, "2.4", maybe(0.4, 0))

    # --- BM5 công vụ
    put(5, "1.1", maybe(0.5, rng.choice([0, 1])))
    put(5, "1.2", maybe(0.3, 0))
    put(5, "1.3", maybe(0.3, 0))
    put(5, "2.1", maybe(0.5, rng.choice([0, 0, 0, 1])))
    for c_ in ("2.2", "2.3", "2.4", "2.5"):
        put(5, c_, maybe(0.3, 0))
    put(5, "3", maybe(0.6, 0))
    disc = {c_: maybe(p, rng.choice(opts)) for c_, p, opts in (
        ("4.1", 0.2, [0]), ("4.2", 0.2, [0]), ("4.3", 0.4, [0, 0, 0, 0, 1]),
        ("4.4", 0.4, [0, 0, 0, 1]), ("4.5", 0.2, [0]),
    )}
    for c_, x in disc.items():
        put(5, c_, x)
    given = [x for x in disc.values() if x is not None]
    put(5, "4", sum(given) if given and rng.random() < 0.7 else None)

    # --- BM6 tài chính công
    if rng.random() < 0.85:
        plan_money = rng.randint(5, 150) * 100 - rng.choice([0, 0, 0, 50, 20])
        spent = min(plan_money, round(plan_money * rng.uniform(0.2, 0.95) * (0.35 + 0.65 * c)))
        if rng.random() < 0.15 and spent < plan_money:
            spent = spent + 0.5
        put(6, "1.1", plan_money)
        put(6, "1.2", spent)
        put(6, "1", _rate(spent, plan_money))
    elif rng.random() < 0.5:
        put(6, "1.1", 0)
        put(6, "1.2", 0)
    if rng.random() < 0.5:
        units = rng.choice([0, 0, 1, 1, 2])
        parts = {"2.2": 0, "2.3": 0, "2.4": 0, "2.5": 0}
        for _ in range(units):
            parts[rng.choice(["2.4", "2.5", "2.5"])] += 1
        put(6, "2.1", units)
        for c_, x in parts.items():
            put(6, c_, x if (x or rng.random() < 0.5) else None)
        if parts["2.4"]:
            sub = {"2.4.1": 0, "2.4.2": 0, "2.4.3": 0}
            for _ in range(parts["2.4"]):
                sub[rng.choice(list(sub))] += 1
            for c_, x in sub.items():
                put(6, c_, x)
        put(6, "2.6", maybe(0.5, 0))

    # --- BM7 chính quyền số
    put(7, "1", rng.choices([0, 1], weights=[2, 8])[0])
    put(7, "2", rng.choices([0, 1, 2], weights=[1, 3, 16])[0])
    put(7, "3", maybe(0.85, 100))
    put(7, "4", maybe(0.5, rng.choices([0, 1, 2], weights=[2, 3, 5])[0]))
    put(7, "5.1.3", maybe(0.9, 100))
    e_doc = 100 if rng.random() < 0.5 else round(rng.uniform(95, 99.99), 2)
    put(7, "5.2", e_doc)
    put(7, "5.2.3", maybe(0.8, e_doc))
    put(7, "5.3.3", maybe(0.9, 100))
    lv3 = rng.randint(50, 80)
    lv4 = min(rng.randint(30, 55), tthc - lv3)
    lv3_on = lv3 if rng.random() < 0.8 else lv3 - rng.randint(1, 3)
    lv4_on = lv4 if rng.random() < 0.8 else lv4 - rng.randint(1, 3)
    put(7, "6.4.1", lv3)
    put(7, "6.4.2", lv3_on)
    put(7, "6.4.3", rng.randint(5, min(40, lv3_on)))
    put(7, "6.4", _rate(lv3_on, lv3))
    put(7, "6.5.1", lv4)
    put(7, "6.5.2", lv4_on)
    put(7, "6.5.3", rng.randint(2, min(20, lv4_on)))
    put(7, "6.5", _rate(lv4_on, lv4))
    total_on = lv3_on + lv4_on
    integrated = total_on if rng.random() < 0.85 else total_on - rng.randint(1, 3)
    put(7, "6.6.1", total_on)
    put(7, "6.6.2", integrated)
    put(7, "6.6", _rate(integrated, total_on))
    if fixed:
        received, online = fixed["6.7.1"], fixed["6.7.2"]
    else:
        received = round(dossiers * rng.uniform(0.9, 1.0))
        online = received - rng.randint(0, max(1, received // 100))
    put(7, "6.7.1", received)
    put(7, "6.7.2", online)
    put(7, "6.7", _rate(online, received))
    fee = min(rng.randint(35, 60), tthc)
    paid = round(fee * rng.uniform(0.2, 1.0))
    put(7, "6.8.1", fee)
    put(7, "6.8.2", paid)
    put(7, "6.8", _rate(paid, fee))

    # heading rows: a 0 now and then, only where nothing under them is non-zero
    for hk in sorted(_HEADINGS):
        prefix = hk[1] + "."
        kids = [x for kk, x in v.items() if kk[0] == hk[0] and kk[1].startswith(prefix)]
        if all(x in (None, 0) for x in kids) and rng.random() < 0.5:
            v[hk] = 0
    return {k: x for k, x in v.items() if x is not None}


def demo_values(unit_codes: Sequence[str], period_code: str, seed: int = 2023) -> dict[str, dict[tuple[int, str], object]]:
    """Return deterministic, internally consistent demo values per unit code for one period."""
    year, kind = _parse_period(period_code)
    rng = random.Random(seed + zlib.crc32(str(period_code).encode("utf-8")))
    codes = list(unit_codes)
    fixed: dict[str, dict] = {}
    if (year, kind) == (2023, "H1") and codes:
        weights = [rng.uniform(0.6, 1.5) * (1.5 if c.startswith("tt_") else 1.0) for c in codes]
        late = [_LATE_2023_H1.get(c, 0) for c in codes]
        solved = _apportion(_TOTALS_2023_H1["3.3.1"], weights)
        if any(s < l for s, l in zip(solved, late)):
            raise ValueError("cannot fit the 2023-H1 late dossiers")
        gap = _apportion(sum(solved) - _TOTALS_2023_H1["6.7.1"], [s * rng.uniform(0.5, 1.5) for s in solved],
                         caps=[s // 4 for s in solved])
        received = [s - g for s, g in zip(solved, gap)]
        offline = _apportion(_TOTALS_2023_H1["6.7.1"] - _TOTALS_2023_H1["6.7.2"],
                             [rng.uniform(0.2, 2.0) for _ in codes], caps=[r // 10 for r in received])
        for i, c in enumerate(codes):
            fixed[c] = {"3.3.1": solved[i], "late": late[i], "6.7.1": received[i], "6.7.2": received[i] - offline[i]}
    out: dict[str, dict[tuple[int, str], object]] = {}
    for c in codes:
        nums = _unit_numbers(rng, c, kind, fixed.get(c))
        typed = {}
        for k in (key(f.number, r.code) for f in BIEU_MAU for r in f.rows):
            if k in nums:
                x = nums[k]
                typed[k] = _as_text(rng, k, x) if rng.random() < 0.25 else x
        out[c] = typed
    return out


# ---------------------------------------------------------------------------------------------
# Demo inbox
# ---------------------------------------------------------------------------------------------

_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}


def _period_label(year: int, kind: str) -> str:
    if kind.startswith("Q"):
        return f"quý {_ROMAN[kind[1]]} năm {year}"
    return {"H1": f"6 tháng đầu năm {year}", "H2": f"6 tháng cuối năm {year}",
            "9M": f"9 tháng năm {year}", "Y": f"năm {year}"}[kind]


def _period_short(year: int, kind: str) -> str:
    if kind.startswith("Q"):
        return f"Q{kind[1]}_{year}"
    return {"H1": f"6T{year}", "H2": f"6TC{year}", "9M": f"9T{year}", "Y": f"Nam{year}"}[kind]


def _window(year: int, kind: str) -> tuple[dt.date, dt.date]:
    """Data window: from the 15th of the month before the period to the 14th of its last month."""
    first_month, last_month = {
        "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12),
        "H1": (1, 6), "H2": (7, 12), "9M": (1, 9), "Y": (1, 12),
    }[kind]
    start = dt.date(year - 1, 12, 15) if first_month == 1 else dt.date(year, first_month - 1, 15)
    return start, dt.date(year, last_month, 14)


def _dmy(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month}/{d.year}"


def _ascii(name: str) -> str:
    s = name.replace("Đ", "D").replace("đ", "d")
    s = "".join(ch for ch in unicodedata.normalize("NFD", s) if unicodedata.category(ch) != "Mn")
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_")
    return s


def _read_units(units_csv: Path) -> list[dict[str, str]]:
    with open(units_csv, encoding="utf-8-sig", newline="") as fh:
        rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]
    return [r for r in rows if r.get("code")]


def _demo_notes(rng: random.Random, values: Mapping[tuple[int, str], object]) -> dict[tuple[int, str], str]:
    def num(k):
        x = values.get(k)
        if isinstance(x, str):
            t = x.replace(".", "").replace(",", ".") if ("," in x or re.fullmatch(r"\d{1,3}(\.\d{3})+", x)) else x
            return float(t)
        return x

    pool: list[tuple[tuple[int, str], str]] = [
        (key(3, "3.3.1"), f"Kỳ trước chuyển sang: {rng.randint(0, 15):02d} hồ sơ"),
        (key(7, "6.7.1"), "Số liệu trên Hệ thống thông tin giải quyết TTHC tỉnh"),
        (key(1, "4.1"), "Theo phần mềm theo dõi nhiệm vụ"),
        (key(1, "1"), "Kế hoạch, công văn, thông báo"),
        (key(3, "1.4.3"), "Theo Quyết định công bố của UBND tỉnh"),
        (key(6, "1.1"), "Vốn đầu tư công năm hiện hành"),
        (key(7, "6.8.2"), "Tích hợp trên Cổng DVC quốc gia"),
    ]
    a, b = num(key(4, "2.1")), num(key(4, "2.2"))
    if a is not None and b is not None and b < a:
        pool.append((key(4, "2.2"), f"Khuyết {int(a - b):02d} công chức"))
    notes: dict[tuple[int, str], str] = {}
    for k, text in rng.sample(pool, k=rng.choice([0, 0, 1, 1, 2])):
        if k in values:
            notes[k] = text
    return notes


def generate_demo_inbox(dest: Path, units_csv: Path, period_code: str = "2023-H1", seed: int = 2023) -> list[Path]:
    """Write one demo "Biểu mẫu 1–7" workbook per registered unit into dest; return the paths in unit order."""
    year, kind = _parse_period(period_code)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    units = _read_units(Path(units_csv))
    data = demo_values([u["code"] for u in units], period_code, seed)
    rng = random.Random(f"{seed}|{period_code}|layout")
    label = _period_label(year, kind)
    w0, w1 = _window(year, kind)
    paths: list[Path] = []
    for u in units:
        kind_u = u.get("kind") or "xã"
        name = u.get("name") or u["code"]
        unit_header = f"ỦY BAN NHÂN DÂN\n{kind_u.upper()} {name.upper()}"
        district_line = "UBND HUYỆN TỨ KỲ" if rng.random() < 0.15 else None
        topic = "CCHC" if rng.random() < 0.8 else "cải cách hành chính"
        period_title = f"Thống kê kết quả thực hiện công tác {topic} {label}"
        if rng.random() < 0.6:
            number, day = "     ", "     "
        else:
            number, day = str(rng.randint(20, 190)), f"{rng.randint(10, 14):02d}"
        caption = f"(Kèm theo Báo cáo số {number}/BC-UBND ngày {day}/{w1.month}/{w1.year} của UBND {kind_u} {name})"
        window_text = f"(Số liệu tính từ ngày {_dmy(w0)} đến ngày {_dmy(w1)})"
        values = data[u["code"]]
        notes = _demo_notes(rng, values)
        path = dest / f"BC_CCHC_{_period_short(year, kind)}_{_ascii(name)}.xlsx"
        write_bieu_mau(
            path,
            unit_header=unit_header,
            district_line=district_line,
            period_title=period_title,
            window_text=window_text,
            caption=caption,
            values=values,
            notes=notes,
            repeat_header_form7=rng.random() < 0.8,
        )
        paths.append(path)
    return paths
