"""Sample generator for the national single-sheet "Phụ lục" CCHC statistics table (seed 001).

``SEED001_ROWS`` is transcribed from seed 001, lines 157–329 (UBND thị trấn Như Quỳnh, huyện
Văn Lâm; Báo cáo số 37/BC-UBND ngày 15/03/2024, kết quả CCHC quý I năm 2024): every printed row
in order, codes exactly as printed ("2.1." in I–VI, "2.1" without the dot in VII), names, units
(code lists as printed, e.g. "Trực tuyến = 0 Phát phiếu = 1 Kết hợp = 2"), values and notes.

The seed is a table that runs over several pages; the header (both rows) is printed again at the
top of each new page and three rows are split by a page break.  Those artefacts are kept:
``SEED001_PAGE_BREAKS`` gives the indices of the rows that start a new page (the header is written
again just above them) and the split pieces are rows of their own, with an empty code:

* I 6. "Tổ chức đối thoại … cộng đồng" / "Không = 0", then after the header "doanh nghiệp" / "Có = 1";
* IV 1.4. note "Chỉ báo cáo các", then after the header a row holding only the rest of the note;
* VII 5.4.2 "… thanh toán trực tuyến trên", then after the header "Cổng DVC quốc gia hoặc …".

Values are typed as the officer typed them: "08" and "26,6" are text cells, other figures numbers,
blank cells stay blank (not zero).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import xlsxwriter

from samples import sheet

__all__ = [
    "NationalRow",
    "SEED001_ROWS",
    "SEED001_PAGE_BREAKS",
    "SECTIONS",
    "canonical_code",
    "seed001_values",
    "write_national",
]

SECTIONS: tuple[str, ...] = ("I", "II", "III", "IV", "V", "VI", "VII")


@dataclass(frozen=True)
class NationalRow:
    """One printed row of the national Phụ lục: section, code, name, unit, value and note as printed."""

    section: str  # Roman I..VII
    printed_code: str
    name: str
    unit: str
    value: object | None
    note: str


_N = NationalRow

SEED001_ROWS: tuple[NationalRow, ...] = (
    _N('I', 'I', 'CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH', '', None, ''),
    _N('I', '1.', 'Số văn bản chỉ đạo CCHC đã ban hành (Kết luận, chỉ thị, công văn chỉ đạo, quán triệt)', 'Văn bản', '08', ''),
    _N('I', '2.', 'Tỷ lệ hoàn thành Kế hoạch CCHC năm (Lũy kế đến thời điểm báo cáo)', '%', '26,6', ''),
    _N('I', '2.1.', 'Số nhiệm vụ đề ra trong kế hoạch', 'Nhiệm vụ', 79, ''),
    _N('I', '2.2.', 'Số nhiệm vụ đã hoàn thành', 'Nhiệm vụ', 21, ''),
    _N('I', '3.', 'Kiểm tra CCHC', '', None, ''),
    _N('I', '3.1.', 'Số phòng, ban, đơn vị trực thuộc đã kiểm tra', 'Cơ quan, đơn vị', None, ''),
    _N('I', '3.2.', 'Số UBND cấp xã đã kiểm tra', 'Cơ quan, đơn vị', None, 'Cấp huyện báo cáo cho cấp xã'),
    _N('I', '3.3.', 'Tỷ lệ xử lý các vấn đề phát hiện qua kiểm tra', '%', None, ''),
    _N('I', '3.3.1.', 'Số vấn đề phát hiện qua kiểm tra', 'Vấn đề', None, ''),
    _N('I', '3.3.2.', 'Số vấn đề phát hiện đã xử lý xong', 'Vấn đề', None, ''),
    _N('I', '4.', 'Thực hiện nhiệm vụ UBND huyện, Chủ tịch UBND huyện giao', '', None, ''),
    _N('I', '4.1.', 'Tổng số nhiệm vụ được giao', 'Nhiệm vụ', 93, ''),
    _N('I', '4.2.', 'Số nhiệm vụ đã hoàn thành đúng hạn', 'Nhiệm vụ', 85, ''),
    _N('I', '4.3.', 'Số nhiệm vụ đã hoàn thành nhưng quá hạn', 'Nhiệm vụ', 0, ''),
    _N('I', '4.4.', 'Số nhiệm vụ quá hạn nhưng chưa hoàn thành', 'Nhiệm vụ', None, ''),
    _N('I', '5.', 'Khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước', 'Có = 1; Không = 0', None, ''),
    _N('I', '5.1.', 'Số lượng phiếu khảo sát', 'Số lượng', None, ''),
    _N('I', '5.2.', 'Hình thức khảo sát', 'Trực tuyến = 0 Phát phiếu = 1 Kết hợp = 2', None, ''),
    _N('I', '6.', 'Tổ chức đối thoại của lãnh đạo với người dân, cộng đồng', 'Không = 0', None, ''),
    _N('I', '', 'doanh nghiệp', 'Có = 1', None, ''),
    _N('II', 'II', 'CẢI CÁCH THỂ CHẾ', '', None, ''),
    _N('II', '1.', 'Tổng số VBQPPL', 'Văn bản', None, ''),
    _N('II', '1.1.', 'Số VBQPPL đã ban hành hoặc tham mưu ban hành', 'Văn bản', None, ''),
    _N('II', '1.2.', 'Số VBQPPL do cấp xã ban hành', 'Văn bản', None, 'Cấp huyện báo cáo cho cấp xã'),
    _N('II', '2.', 'Kiểm tra, xử lý VBQPPL', '', None, ''),
    _N('II', '2.1.', 'Số VBQPPL đã kiểm tra theo thẩm quyền', 'Văn bản', None, ''),
    _N('II', '2.2.', 'Tỷ lệ xử lý VBQPPL sau kiểm tra', '%', None, ''),
    _N('II', '2.2.1.', 'Tổng số VBQPPL cần phải xử lý sau kiểm tra', 'Văn bản', None, ''),
    _N('II', '2.2.2.', 'Số VBQPPL có kiến nghị xử lý đã được xử lý xong', 'Văn bản', None, ''),
    _N('II', '3.', 'Rà soát VBQPPL', '', None, ''),
    _N('II', '3.1.', 'Số VBQPPL đã rà soát thuộc thẩm quyền', 'Văn bản', None, ''),
    _N('II', '3.2.', 'Tỷ lệ xử lý VBQPPL sau rà soát', '%', None, ''),
    _N('II', '3.2.1.', 'Tổng số VBQPPL cần phải xử lý sau rà soát', 'Văn bản', None, ''),
    _N('II', '3.2.2.', 'Số VBQPPL có kiến nghị xử lý đã được xử lý xong', 'Văn bản', None, ''),
    _N('III', 'III', 'CẢI CÁCH THỦ TỤC HÀNH CHÍNH', '', None, ''),
    _N('III', '1.', 'Thống kê TTHC', '', None, ''),
    _N('III', '1.1.', 'Số TTHC đã được phê duyệt phương án đơn giản hóa', 'Thủ tục', None, ''),
    _N('III', '1.2.', 'Số TTHC công bố mới', 'Thủ tục', None, ''),
    _N('III', '1.3.', 'Số TTHC bãi bỏ, thay thế', 'Thủ tục', None, ''),
    _N('III', '1.4.', 'Tổng số TTHC thuộc thẩm quyền giải quyết', 'Thủ tục', None, ''),
    _N('III', '1.4.1.', 'Số TTHC các sở, ban, ngành', 'Thủ tục', None, ''),
    _N('III', '1.4.2.', 'Số TTHC cấp huyện', 'Thủ tục', None, ''),
    _N('III', '1.4.3.', 'Số TTHC cấp xã', 'Thủ tục', None, 'Cấp huyện báo cáo cho cấp xã'),
    _N('III', '2.', 'Thực hiện cơ chế một cửa, một cửa liên thông', '', None, ''),
    _N('III', '2.1.', 'Số TTHC liên thông cùng cấp', 'Thủ tục', None, ''),
    _N('III', '2.2.', 'Số TTHC liên thông giữa các cấp chính quyền', 'Thủ tục', None, ''),
    _N('III', '2.3.', 'Số TTHC đã thực hiện tiếp nhận và giải quyết hồ sơ không phụ thuộc vào địa giới hành chính.', 'Thủ tục', None, ''),
    _N('III', '3.', 'Kết quả giải quyết TTHC', '', None, ''),
    _N('III', '3.1.', 'Tỷ lệ hồ sơ TTHC do các sở, ban, ngành tiếp nhận được giải quyết đúng hạn', '%', None, ''),
    _N('III', '3.1.1.', 'Tổng số hồ sơ TTHC đã giải quyết xong', 'Hồ sơ', None, ''),
    _N('III', '3.1.2.', 'Số hồ sơ TTHC giải quyết đúng hạn', 'Hồ sơ', None, ''),
    _N('III', '3.2.', 'Tỷ lệ hồ sơ TTHC do UBND cấp huyện tiếp nhận được giải quyết đúng hạn', '%', None, ''),
    _N('III', '3.2.1.', 'Tổng số hồ sơ TTHC đã giải quyết xong', 'Hồ sơ', None, ''),
    _N('III', '3.2.2.', 'Số hồ sơ TTHC giải quyết đúng hạn', 'Hồ sơ', None, ''),
    _N('III', '3.3.', 'Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn', '%', None, 'Cấp huyện báo cáo cho cấp xã'),
    _N('III', '3.3.1.', 'Tổng số hồ sơ TTHC đã giải quyết xong', 'Hồ sơ', None, ''),
    _N('III', '3.3.2.', 'Số hồ sơ TTHC giải quyết đúng hạn', 'Hồ sơ', None, ''),
    _N('III', '3.4.', 'Tỷ lệ giải quyết phản ánh, kiến nghị (PAKN) về quy định TTHC', '%', None, ''),
    _N('III', '3.4.1.', 'Tổng số PAKN đã tiếp nhận (do cơ quan có thẩm quyền chuyển đến)', 'PAKN', None, ''),
    _N('III', '3.4.2.', 'Số PAKN đã giải quyết xong', 'PAKN', None, ''),
    _N('IV', 'IV', 'CẢI CÁCH TỔ CHỨC BỘ MÁY', '', None, ''),
    _N('IV', '1.', 'Sắp xếp, kiện toàn tổ chức bộ máy', '', None, ''),
    _N('IV', '1.1.', 'Sở, ban, ngành đã hoàn thành việc sắp xếp các phòng chuyên môn đáp ứng các tiêu chí theo quy định của Chính phủ', 'Hoàn thành = 1; chưa hoàn thành = 0', None, ''),
    _N('IV', '1.2.', 'UBND cấp huyện đã hoàn thành việc sắp xếp các phòng chuyên môn đáp ứng các tiêu chí theo quy định của Chính phủ', 'Hoàn thành = 1; chưa hoàn thành = 0', None, ''),
    _N('IV', '1.3.', 'Số ban, chi cục, trung tâm trực thuộc', 'Cơ quan, đơn vị', None, ''),
    _N('IV', '1.4.', 'Số tổ chức liên ngành do sở, ban, ngành tham mưu thành lập', 'Tổ chức', None, 'Chỉ báo cáo các'),
    _N('IV', '', '', '', None, 'tổ chức vẫn đang hoạt động (VD: Ban Chỉ đạo, Đoàn kiểm tra...)'),
    _N('IV', '1.5.', 'Tổng số đơn vị sự nghiệp công lập (ĐVSNCL) trên địa bàn tỉnh', 'Cơ quan, đơn vị', None, ''),
    _N('IV', '1.5.1.', 'Số ĐVSNCL thuộc sở, ban, ngành và tương đương', 'Cơ quan, đơn vị', None, ''),
    _N('IV', '1.5.2.', 'Số ĐVSNCL thuộc UBND cấp huyện', 'Cơ quan, đơn vị', None, ''),
    _N('IV', '1.5.3.', 'Tỷ lệ ĐVSNCL đã cắt giảm so với năm 2015', '%', None, ''),
    _N('IV', '2.', 'Số liệu về biên chế công chức', '', None, ''),
    _N('IV', '2.1.', 'Tổng số biên chế được giao trong năm', 'Người', None, ''),
    _N('IV', '2.2.', 'Tổng số biên chế có mặt tại thời điểm báo cáo', 'Người', None, ''),
    _N('IV', '2.3.', 'Số hợp đồng lao động làm việc tại các cơ quan, tổ chức hành chính', 'Người', None, ''),
    _N('IV', '2.4.', 'Số biên chế đã tinh giản trong kỳ báo cáo', 'Người', None, ''),
    _N('IV', '2.5.', 'Tỷ lệ phần trăm biên chế đã tinh giản so với năm 2015', '%', None, ''),
    _N('IV', '3.', 'Số người làm việc hưởng lương từ NSNN tại các đơn vị sự nghiệp công lập', '', None, ''),
    _N('IV', '3.1.', 'Tổng số người làm việc được giao', 'Người', None, ''),
    _N('IV', '3.2.', 'Tổng số người làm việc có mặt tại thời điểm báo cáo', 'Người', None, ''),
    _N('IV', '3.3.', 'Số người đã tinh giản trong kỳ báo cáo', 'Người', None, ''),
    _N('IV', '3.4.', 'Tỷ lệ % đã tinh giản so với năm 2015', '%', None, ''),
    _N('V', 'V', 'CẢI CÁCH CHẾ ĐỘ CÔNG VỤ', '', None, ''),
    _N('V', '1.', 'Vị trí việc làm của công chức, viên chức', '', None, ''),
    _N('V', '1.1.', 'Số phòng chuyên môn và tương đương đã được phê duyệt vị trí việc làm theo quy định (tính cả các đơn vị đã thực hiện rà soát VTVL khi có thay đổi chức năng, nhiệm vụ)', 'Cơ quan, đơn vị', None, ''),
    _N('V', '1.2.', 'Số đơn vị sự nghiệp đã được phê duyệt vị trí việc làm theo quy định (tính cả các đơn vị đã thực hiện rà soát VTVL khi có thay đổi chức năng, nhiệm vụ)', 'Cơ quan, đơn vị', None, ''),
    _N('V', '1.3.', 'Số cơ quan, tổ chức có vi phạm trong thực hiện vị trí việc làm phát hiện qua thanh tra', 'Cơ quan, đơn vị', None, ''),
    _N('V', '2.', 'Tuyển dụng công chức, viên chức', '', None, ''),
    _N('V', '2.1.', 'Số công chức được tuyển dụng (thi tuyển, xét tuyển)', 'Người', None, ''),
    _N('V', '2.2.', 'Số công chức được tuyển dụng theo trường hợp đặc biệt', 'Người', None, ''),
    _N('V', '2.3.', 'Số cán bộ, công chức cấp xã được xét chuyển thành công chức cấp huyện trở lên', 'Người', None, 'Cấp huyện báo cáo cho cấp xã'),
    _N('V', '2.4.', 'Số viên chức được tuyển dụng (thi tuyển, xét tuyển)', 'Người', None, ''),
    _N('V', '2.5.', 'Số viên chức được tuyển dụng theo trường hợp đặc biệt', 'Người', None, ''),
    _N('V', '3.', 'Số lượng cán bộ, công chức, viên chức bị kỷ luật (cả về Đảng và chính quyền)', '', None, ''),
    _N('V', '3.1.', 'Số lãnh đạo cấp sở, ban, ngành và UBND cấp huyện bị kỷ luật', 'Người', None, ''),
    _N('V', '3.2.', 'Số lãnh đạo cấp phòng thuộc sở, ban, ngành và UBND cấp huyện bị kỷ luật', 'Người', None, ''),
    _N('V', '3.3.', 'Số người làm việc hưởng lương từ NSNN tại các đơn vị SNCL bị kỷ luật', 'Người', None, ''),
    _N('VI', 'VI', 'CẢI CÁCH TÀI CHÍNH CÔNG', '', None, ''),
    _N('VI', '1.', 'Tỷ lệ thực hiện Kế hoạch giải ngân vốn đầu tư công', '%', None, ''),
    _N('VI', '1.1.', 'Kế hoạch được giao', 'Triệu đồng', None, ''),
    _N('VI', '1.2.', 'Đã thực hiện', 'Triệu đồng', None, ''),
    _N('VI', '2.', 'Thực hiện tự chủ tài chính của đơn vị sự nghiệp công lập (SNCL) trực thuộc (lũy kế đến thời điểm báo cáo)', '', None, ''),
    _N('VI', '2.1.', 'Tổng số đơn vị SNCL', 'Đơn vị', None, ''),
    _N('VI', '2.2.', 'Số đơn vị SNCL tự bảo đảm chi thường xuyên và chi đầu tư', 'Đơn vị', None, ''),
    _N('VI', '2.3.', 'Số đơn vị SNCL tự bảo đảm chi thường xuyên', 'Đơn vị', None, ''),
    _N('VI', '2.4.', 'Số đơn vị SNCL tự bảo đảm một phần chi thường xuyên', 'Đơn vị', None, ''),
    _N('VI', '2.4.1.', 'Số đơn vị SNCL tự bảo đảm từ 70% - dưới 100% chi thường xuyên', 'Đơn vị', None, ''),
    _N('VI', '2.4.2.', 'Số đơn vị SNCL tự bảo đảm từ 30% - dưới 70% chi thường xuyên', 'Đơn vị', None, ''),
    _N('VI', '2.4.3.', 'Số đơn vị SNCL tự bảo đảm từ 10% - dưới 30% chi thường xuyên', 'Đơn vị', None, ''),
    _N('VI', '2.5.', 'Số đơn vị SNCL do Nhà nước bảo đảm chi thường xuyên', 'Đơn vị', None, ''),
    _N('VI', '2.6.', 'Số lượng đơn vị SNCL đã chuyển đổi thành công ty cổ phần (lũy kế đến thời điểm báo cáo)', 'Đơn vị', None, ''),
    _N('VII', 'VII', 'XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ', '', None, ''),
    _N('VII', '1.', 'Sử dụng, khai thác đúng kiến trúc chính quyền điện tử phiên bản mới nhất của tỉnh', 'Không đúng quy định = 0 Đúng quy định = 1', None, ''),
    _N('VII', '2.', 'Xây dựng và vận hành Hệ thống hợp trực tuyến', '', None, ''),
    _N('VII', '2.1', 'Hệ thống hợp trực tuyến', 'Chưa có = 0 Đã có = 1', None, ''),
    _N('VII', '2.2', 'Liên thông từ UBND cấp huyện đến 100% cấp xã', 'Chưa hoàn thành = 0 Hoàn thành = 1', None, ''),
    _N('VII', '3.', 'Tỷ lệ báo cáo định kỳ được gửi, nhận qua Hệ thống thông tin báo cáo quốc gia', '%', None, ''),
    _N('VII', '4.', 'Số liệu về trao đổi văn bản điện tử', '', None, ''),
    _N('VII', '4.1', 'Thực hiện kết nối, liên thông các Hệ thống quản lý văn bản điều hành từ cấp tỉnh đến cấp xã', '', None, ''),
    _N('VII', '4.1.1', 'Sở, ban, ngành đã kết nối, liên thông với UBND tỉnh', 'Chưa kết nối = 0 Đã kết nối = 1', None, ''),
    _N('VII', '4.1.2', 'UBND cấp huyện đã kết nối, liên thông với UBND tỉnh', 'Chưa kết nối = 0 Đã kết nối = 1', None, ''),
    _N('VII', '4.1.3', 'Tỷ lệ UBND cấp xã đã kết nối, liên thông với UBND huyện', '%', None, 'Cấp huyện báo cáo cho cấp xã'),
    _N('VII', '4.2', 'Tỷ lệ văn bản đi dưới dạng điện tử của cơ quan, đơn vị (Chỉ thống kê tỷ lệ văn bản được gửi hoàn toàn dưới dạng điện tử; sử dụng chữ ký số, chứng thư số và gửi trên môi trường điện tử).', '', None, ''),
    _N('VII', '4.2.1', 'Tỷ lệ sử dụng văn bản điện tử của các sở, ban, ngành tỉnh', '%', None, ''),
    _N('VII', '4.2.2', 'Tỷ lệ sử dụng văn bản điện tử của UBND cấp huyện', '%', None, ''),
    _N('VII', '4.2.3', 'Tỷ lệ sử dụng văn bản điện tử của UBND cấp xã', '%', None, 'Cấp huyện báo cáo cho cấp xã'),
    _N('VII', '4.3', 'Xây dựng, vận hành, sử dụng Hệ thống thông tin một cửa điện tử tập trung của tỉnh', '', None, ''),
    _N('VII', '4.3.1', 'Sở, ban, ngành đã kết nối liên thông với Hệ thống', 'Hoạt động tốt = 1; Hoạt động chưa hiệu quả = 0', None, ''),
    _N('VII', '4.3.2', 'Cấp huyện đã kết nối liên thông với Hệ thống', 'Hoạt động tốt = 1; Hoạt động chưa hiệu quả = 0', None, ''),
    _N('VII', '4.3.3', 'Cấp xã đã kết nối liên thông với Hệ thống', 'Hoạt động tốt = 1; Hoạt động chưa hiệu quả = 0', None, ''),
    _N('VII', '5.', 'Cung cấp dịch vụ công trực tuyến', '', None, ''),
    _N('VII', '5.1', 'Tỷ lệ TTHC đủ điều kiện được cung cấp trực tuyến mức độ 3', '%', None, ''),
    _N('VII', '5.1.1', 'Tổng số TTHC đủ điều kiện cung cấp trực tuyến mức độ 3', 'Thủ tục', 88, ''),
    _N('VII', '5.1.2', 'Số TTHC đang cung cấp trực tuyến mức độ 3', 'Thủ tục', 88, ''),
    _N('VII', '5.1.3', 'Số TTHC đang cung cấp trực tuyến mức độ 3 có phát sinh hồ sơ nộp trực tuyến', 'Thủ tục', 18, ''),
    _N('VII', '5.2', 'Tỷ lệ TTHC đủ điều kiện được cung cấp trực tuyến mức độ 4', '%', None, ''),
    _N('VII', '5.2.1', 'Tổng số TTHC đủ điều kiện cung cấp trực tuyến mức độ 4', 'Thủ tục', 28, ''),
    _N('VII', '5.2.2', 'Số TTHC đang cung cấp trực tuyến mức độ 4', 'Thủ tục', 28, ''),
    _N('VII', '5.2.3', 'Số TTHC đang cung cấp trực tuyến mức độ 4 có phát sinh hồ sơ nộp trực tuyến', 'Thủ tục', 8, ''),
    _N('VII', '5.3', 'Tỷ lệ hồ sơ TTHC được tiếp nhận trực tuyến mức độ 3 và 4 (Chỉ thống kê đối với các TTHC mức độ 3 và 4 có phát sinh hồ sơ)', '%', None, ''),
    _N('VII', '5.3.1', 'Tổng số hồ sơ TTHC đã tiếp nhận (cả trực tiếp và trực tuyến)', 'Hồ sơ', 1058, ''),
    _N('VII', '5.3.2', 'Số hồ sơ TTHC đã tiếp nhận trực tuyến', 'Hồ sơ', 1058, ''),
    _N('VII', '5.4', 'Tỷ lệ TTHC được tích hợp, triển khai thanh toán trực tuyến', '%', None, ''),
    _N('VII', '5.4.1', 'Tổng số TTHC có yêu cầu nghĩa vụ tài chính (tất cả các TTHC có phát sinh phí, lệ phí,...)', 'Thủ tục', 10, ''),
    _N('VII', '5.4.2', 'Số TTHC đã được tích hợp, triển khai thanh toán trực tuyến trên', 'Thủ tục', 10, ''),
    _N('VII', '', 'Cổng DVC quốc gia hoặc trên Cổng DVC của tỉnh', '', None, ''),
)

# indices into SEED001_ROWS of the rows printed at the top of a new page (header repeated above)
SEED001_PAGE_BREAKS: tuple[int, ...] = (20, 47, 67, 87, 111, 127, 146)

assert [(SEED001_ROWS[i].printed_code, SEED001_ROWS[i].name[:12]) for i in SEED001_PAGE_BREAKS] == [
    ("", "doanh nghiệp"), ("2.3.", "Số TTHC đã t"), ("", ""), ("1.3.", "Số cơ quan, "),
    ("2.6.", "Số lượng đơn"), ("4.3", "Xây dựng, vậ"), ("", "Cổng DVC quố"),
]


def canonical_code(row: NationalRow) -> str | None:
    """Return the canonical code of a row ("I.2.1", "VII.5.3.1"); None for section rows and split pieces."""
    code = "".join(row.printed_code.split()).rstrip(".")
    if not code or code == row.section:
        return None
    return f"{row.section}.{code}"


_BY_CODE: dict[str, int] = {}
for _i, _r in enumerate(SEED001_ROWS):
    _c = canonical_code(_r)
    if _c is not None:
        assert _c not in _BY_CODE, f"duplicate canonical code {_c}"
        _BY_CODE[_c] = _i
del _i, _r, _c


def seed001_values() -> dict[str, object]:
    """Return the values printed in seed 001's Phụ lục, keyed by canonical code ("I.1": "08", …)."""
    return {c: SEED001_ROWS[i].value for c, i in _BY_CODE.items() if SEED001_ROWS[i].value is not None}


# ---------------------------------------------------------------------------------------------
# Workbook writer
# ---------------------------------------------------------------------------------------------

_COL_WIDTHS = (7.0, 62.0, 20.0, 11.0, 26.0)  # A..E
_HEADER_NAME = "Chỉ tiêu thống kê (Sử dụng trong kỳ báo cáo hàng quý, 6 tháng, năm)"
_DEFAULT_TITLES = (
    "Phụ lục",
    "Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính",
    "Quý I năm 2024",
    "(Kèm theo Báo cáo số 37/BC-UBND ngày 15/03/2024 của UBND thị trấn Như Quỳnh)",
)


class _Styles(sheet.Styles):
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        super().__init__(wb)
        self.title = self.fmt(bold=True, align="center", valign="vcenter", text_wrap=True, font_size=13)
        self.sub = self.fmt(bold=True, align="center", valign="vcenter", text_wrap=True)
        self.name = {
            (False, False): self.cell(align="left"),
            (True, False): self.cell(align="left", bold=True),
            (False, True): self.cell(align="left", italic=True),
        }
        self.unit = {
            (False, False): self.cell(align="center"),
            (True, False): self.cell(align="center", bold=True),
            (False, True): self.cell(align="center", italic=True),
        }
        self.value = {False: self.cell(align="center"), True: self.cell(align="center", bold=True)}
        self.note = self.cell(align="left")


def _is_top(row: NationalRow) -> bool:
    code = row.printed_code.strip().rstrip(".")
    return bool(code) and "." not in code


def write_national(
    path,
    *,
    unit_header: str = "ỦY BAN NHÂN DÂN\nTHỊ TRẤN NHƯ QUỲNH",
    title_lines: Sequence[str] = _DEFAULT_TITLES,
    values_override: Mapping[str, object] | None = None,
) -> Path:
    """Write seed 001's national "Phụ lục" (one sheet, page-break artefacts kept) and return its path."""
    path = Path(path)
    values = sheet.overridden([r.value for r in SEED001_ROWS], _BY_CODE, values_override,
                              "codes not in SEED001_ROWS")
    issuer = sheet.issuer_lines(unit_header)
    wb = sheet.open_workbook(
        path,
        title="Phụ lục thống kê số liệu về kết quả thực hiện công tác cải cách hành chính",
        issuer=issuer,
        created=dt.datetime(2024, 3, 15, 8, 0, 0),
    )
    st = _Styles(wb)
    W = _COL_WIDTHS
    ws = sheet.add_sheet(wb, "Phụ lục", W)

    # title block: issuer on the left, national motto on the right
    r = sheet.write_letterhead(ws, st, issuer)
    titles = [t for t in title_lines if t]
    r = sheet.write_titles(
        ws, r,
        ((t, st.title if i == 0 else (st.italic if t.startswith("(") else st.sub)) for i, t in enumerate(titles)),
        sum(W),
    )

    r = sheet.write_header(ws, st, r, _HEADER_NAME)
    breaks = set(SEED001_PAGE_BREAKS)
    page_rows: list[int] = []
    prev_bold = False
    for i, row in enumerate(SEED001_ROWS):
        if i in breaks:
            page_rows.append(r)
            r = sheet.write_header(ws, st, r, _HEADER_NAME)
        is_section = row.printed_code == row.section
        top = is_section or _is_top(row)
        code_bold = is_section or (top and row.section != "I")
        if not row.printed_code and row.name:  # the rest of a row split by a page break
            name_bold = prev_bold
        else:
            name_bold = top
        italic = row.section == "III" and row.printed_code.count(".") == 3 and row.printed_code.startswith("3.")
        unit_bold = top and row.section == "VI" and row.unit == "%"
        value_bold = row.section == "I" and row.printed_code in ("1.", "2.")
        sheet.write_text(ws, r, 0, row.printed_code, st.code[code_bold])
        sheet.write_row(ws, r, W, row.name, row.unit, values[i], row.note,
                        (st.name[(name_bold, italic)], st.unit[(unit_bold, italic)], st.value[value_bold], st.note))
        prev_bold = name_bold
        r += 1
    ws.set_h_pagebreaks(page_rows)
    ws.print_area(0, 0, r - 1, 4)
    wb.close()
    return path
