#!/usr/bin/env python3
"""Build schemas/indicators.csv (indicator catalog). Temporary helper script."""
import csv
import pathlib

OUT = pathlib.Path(__file__).resolve().parent.parent / "schemas" / "indicators.csv"

HEADER = ["code", "area", "name", "unit", "kind", "agg", "numerator", "denominator",
          "code_list", "cumulative", "bm_code", "th_code", "aliases", "note"]

HCX = "Cấp huyện báo cáo cho cấp xã"
KC = "0=Không;1=Có"

# (code, name, unit, kind, agg, numerator, denominator, code_list, cumulative, note)
# Section 1: seed 001 national "Phụ lục" rows (canonical).
BASE = [
    # I
    ("I.1", "Số văn bản chỉ đạo CCHC đã ban hành", "Văn bản", "count", "sum", "", "", "", 0,
     "Gồm: kết luận, chỉ thị, công văn chỉ đạo, quán triệt"),
    ("I.2", "Tỷ lệ hoàn thành Kế hoạch CCHC năm", "%", "rate", "ratio", "I.2.2", "I.2.1", "", 1,
     "Lũy kế đến thời điểm báo cáo"),
    ("I.2.1", "Số nhiệm vụ đề ra trong kế hoạch", "Nhiệm vụ", "count", "sum", "", "", "", 1, ""),
    ("I.2.2", "Số nhiệm vụ đã hoàn thành", "Nhiệm vụ", "count", "sum", "", "", "", 1, ""),
    ("I.3", "Kiểm tra CCHC", "", "group", "none", "", "", "", 0, ""),
    ("I.3.1", "Số phòng, ban, đơn vị trực thuộc đã kiểm tra", "Cơ quan, đơn vị", "count", "sum", "", "", "", 0, ""),
    ("I.3.2", "Số UBND cấp xã đã kiểm tra", "Cơ quan, đơn vị", "count", "sum", "", "", "", 0, HCX),
    ("I.3.3", "Tỷ lệ xử lý các vấn đề phát hiện qua kiểm tra", "%", "rate", "ratio", "I.3.3.2", "I.3.3.1", "", 0, ""),
    ("I.3.3.1", "Số vấn đề phát hiện qua kiểm tra", "Vấn đề", "count", "sum", "", "", "", 0, ""),
    ("I.3.3.2", "Số vấn đề phát hiện đã xử lý xong", "Vấn đề", "count", "sum", "", "", "", 0, ""),
    ("I.4", "Thực hiện nhiệm vụ UBND huyện, Chủ tịch UBND huyện giao", "", "group", "none", "", "", "", 0, ""),
    ("I.4.1", "Tổng số nhiệm vụ được giao", "Nhiệm vụ", "count", "sum", "", "", "", 0, ""),
    ("I.4.2", "Số nhiệm vụ đã hoàn thành đúng hạn", "Nhiệm vụ", "count", "sum", "", "", "", 0, ""),
    ("I.4.3", "Số nhiệm vụ đã hoàn thành nhưng quá hạn", "Nhiệm vụ", "count", "sum", "", "", "", 0, ""),
    ("I.4.4", "Số nhiệm vụ quá hạn nhưng chưa hoàn thành", "Nhiệm vụ", "count", "sum", "", "", "", 0, ""),
    ("I.5", "Khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước",
     "Mã", "coded", "by_code", "", "", KC, 0, ""),
    ("I.5.1", "Số lượng phiếu khảo sát", "Số lượng", "count", "sum", "", "", "", 0, ""),
    ("I.5.2", "Hình thức khảo sát", "Mã", "coded", "by_code", "", "", "0=Trực tuyến;1=Phát phiếu;2=Kết hợp", 0, ""),
    ("I.6", "Tổ chức đối thoại của lãnh đạo với người dân, cộng đồng doanh nghiệp", "Mã", "coded", "by_code",
     "", "", KC, 0, "Mẫu Thanh Hóa (1.4) ghi số liệu 4 dù danh mục mã là Không = 0 / Có = 1: cần xác minh"),
    # II
    ("II.1", "Tổng số VBQPPL", "Văn bản", "count", "sum", "", "", "", 0, ""),
    ("II.1.1", "Số VBQPPL đã ban hành hoặc tham mưu ban hành", "Văn bản", "count", "sum", "", "", "", 0, ""),
    ("II.1.2", "Số VBQPPL do cấp xã ban hành", "Văn bản", "count", "sum", "", "", "", 0, HCX),
    ("II.2", "Kiểm tra, xử lý VBQPPL", "", "group", "none", "", "", "", 0, ""),
    ("II.2.1", "Số VBQPPL đã kiểm tra theo thẩm quyền", "Văn bản", "count", "sum", "", "", "", 0, ""),
    ("II.2.2", "Tỷ lệ xử lý VBQPPL sau kiểm tra", "%", "rate", "ratio", "II.2.2.2", "II.2.2.1", "", 0, ""),
    ("II.2.2.1", "Tổng số VBQPPL cần phải xử lý sau kiểm tra", "Văn bản", "count", "sum", "", "", "", 0, ""),
    ("II.2.2.2", "Số VBQPPL có kiến nghị xử lý đã được xử lý xong", "Văn bản", "count", "sum", "", "", "", 0, ""),
    ("II.3", "Rà soát VBQPPL", "", "group", "none", "", "", "", 0, ""),
    ("II.3.1", "Số VBQPPL đã rà soát thuộc thẩm quyền", "Văn bản", "count", "sum", "", "", "", 0, ""),
    ("II.3.2", "Tỷ lệ xử lý VBQPPL sau rà soát", "%", "rate", "ratio", "II.3.2.2", "II.3.2.1", "", 0, ""),
    ("II.3.2.1", "Tổng số VBQPPL cần phải xử lý sau rà soát", "Văn bản", "count", "sum", "", "", "", 0, ""),
    ("II.3.2.2", "Số VBQPPL có kiến nghị xử lý đã được xử lý xong", "Văn bản", "count", "sum", "", "", "", 0, ""),
    # III
    ("III.1", "Thống kê TTHC", "Thủ tục", "count", "sum", "", "", "", 0,
     "Dòng tiêu đề; mẫu Hải Dương ghi số liệu tại dòng này"),
    ("III.1.1", "Số TTHC đã được phê duyệt phương án đơn giản hóa", "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("III.1.2", "Số TTHC công bố mới", "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("III.1.3", "Số TTHC bãi bỏ, thay thế", "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("III.1.4", "Tổng số TTHC thuộc thẩm quyền giải quyết", "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("III.1.4.1", "Số TTHC các sở, ban, ngành", "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("III.1.4.2", "Số TTHC cấp huyện", "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("III.1.4.3", "Số TTHC cấp xã", "Thủ tục", "count", "sum", "", "", "", 0, HCX),
    ("III.2", "Thực hiện cơ chế một cửa, một cửa liên thông", "", "group", "none", "", "", "", 0, ""),
    ("III.2.1", "Số TTHC liên thông cùng cấp", "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("III.2.2", "Số TTHC liên thông giữa các cấp chính quyền", "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("III.2.3", "Số TTHC đã thực hiện tiếp nhận và giải quyết hồ sơ không phụ thuộc vào địa giới hành chính",
     "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("III.3", "Kết quả giải quyết TTHC", "", "group", "none", "", "", "", 0, ""),
    ("III.3.1", "Tỷ lệ hồ sơ TTHC do các sở, ban, ngành tiếp nhận được giải quyết đúng hạn", "%", "rate",
     "ratio", "III.3.1.2", "III.3.1.1", "", 0, ""),
    ("III.3.1.1", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", "count", "sum", "", "", "", 0,
     "Hồ sơ do các sở, ban, ngành tiếp nhận"),
    ("III.3.1.2", "Số hồ sơ TTHC giải quyết đúng hạn", "Hồ sơ", "count", "sum", "", "", "", 0,
     "Hồ sơ do các sở, ban, ngành tiếp nhận"),
    ("III.3.2", "Tỷ lệ hồ sơ TTHC do UBND cấp huyện tiếp nhận được giải quyết đúng hạn", "%", "rate",
     "ratio", "III.3.2.2", "III.3.2.1", "", 0, ""),
    ("III.3.2.1", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", "count", "sum", "", "", "", 0,
     "Hồ sơ do UBND cấp huyện tiếp nhận"),
    ("III.3.2.2", "Số hồ sơ TTHC giải quyết đúng hạn", "Hồ sơ", "count", "sum", "", "", "", 0,
     "Hồ sơ do UBND cấp huyện tiếp nhận"),
    ("III.3.3", "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn", "%", "rate",
     "ratio", "III.3.3.2", "III.3.3.1", "", 0, HCX),
    ("III.3.3.1", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", "count", "sum", "", "", "", 0,
     "Hồ sơ do UBND cấp xã tiếp nhận"),
    ("III.3.3.2", "Số hồ sơ TTHC giải quyết đúng hạn", "Hồ sơ", "count", "sum", "", "", "", 0,
     "Hồ sơ do UBND cấp xã tiếp nhận"),
    ("III.3.4", "Tỷ lệ giải quyết phản ánh, kiến nghị (PAKN) về quy định TTHC", "%", "rate", "ratio",
     "III.3.4.2", "III.3.4.1", "", 0, ""),
    ("III.3.4.1", "Tổng số PAKN đã tiếp nhận", "PAKN", "count", "sum", "", "", "", 0,
     "Do cơ quan có thẩm quyền chuyển đến"),
    ("III.3.4.2", "Số PAKN đã giải quyết xong", "PAKN", "count", "sum", "", "", "", 0, ""),
    # IV
    ("IV.1", "Sắp xếp, kiện toàn tổ chức bộ máy", "", "group", "none", "", "", "", 0, ""),
    ("IV.1.1", "Sở, ban, ngành đã hoàn thành việc sắp xếp các phòng chuyên môn đáp ứng các tiêu chí theo quy định của Chính phủ",
     "Mã", "coded", "by_code", "", "", "0=Chưa hoàn thành;1=Hoàn thành", 0, ""),
    ("IV.1.2", "UBND cấp huyện đã hoàn thành việc sắp xếp các phòng chuyên môn đáp ứng các tiêu chí theo quy định của Chính phủ",
     "Mã", "coded", "by_code", "", "", "0=Chưa hoàn thành;1=Hoàn thành", 0, ""),
    ("IV.1.3", "Số ban, chi cục, trung tâm trực thuộc", "Cơ quan, đơn vị", "count", "sum", "", "", "", 0, ""),
    ("IV.1.4", "Số tổ chức liên ngành do sở, ban, ngành tham mưu thành lập", "Tổ chức", "count", "sum", "", "", "", 0,
     "Chỉ báo cáo các tổ chức vẫn đang hoạt động (VD: Ban Chỉ đạo, Đoàn kiểm tra...)"),
    ("IV.1.5", "Tổng số đơn vị sự nghiệp công lập (ĐVSNCL) trên địa bàn tỉnh", "Cơ quan, đơn vị", "count", "sum", "", "", "", 0, ""),
    ("IV.1.5.1", "Số ĐVSNCL thuộc sở, ban, ngành và tương đương", "Cơ quan, đơn vị", "count", "sum", "", "", "", 0, ""),
    ("IV.1.5.2", "Số ĐVSNCL thuộc UBND cấp huyện", "Cơ quan, đơn vị", "count", "sum", "", "", "", 0, ""),
    ("IV.1.5.3", "Tỷ lệ ĐVSNCL đã cắt giảm so với năm 2015", "%", "rate", "unit_share", "", "", "", 0, ""),
    ("IV.2", "Số liệu về biên chế công chức", "", "group", "none", "", "", "", 0, ""),
    ("IV.2.1", "Tổng số biên chế được giao trong năm", "Người", "count", "sum", "", "", "", 0, ""),
    ("IV.2.2", "Tổng số biên chế có mặt tại thời điểm báo cáo", "Người", "count", "sum", "", "", "", 0, ""),
    ("IV.2.3", "Số hợp đồng lao động làm việc tại các cơ quan, tổ chức hành chính", "Người", "count", "sum", "", "", "", 0, ""),
    ("IV.2.4", "Số biên chế đã tinh giản trong kỳ báo cáo", "Người", "count", "sum", "", "", "", 0, ""),
    ("IV.2.5", "Tỷ lệ phần trăm biên chế đã tinh giản so với năm 2015", "%", "rate", "unit_share", "", "", "", 0, ""),
    ("IV.3", "Số người làm việc hưởng lương từ NSNN tại các đơn vị sự nghiệp công lập", "Người", "count", "sum", "", "", "", 0,
     "Dòng tiêu đề; mẫu Thanh Hóa (4.3) ghi đơn vị tính Người tại dòng này"),
    ("IV.3.1", "Tổng số người làm việc được giao", "Người", "count", "sum", "", "", "", 0, ""),
    ("IV.3.2", "Tổng số người làm việc có mặt tại thời điểm báo cáo", "Người", "count", "sum", "", "", "", 0, ""),
    ("IV.3.3", "Số người đã tinh giản trong kỳ báo cáo", "Người", "count", "sum", "", "", "", 0, ""),
    ("IV.3.4", "Tỷ lệ % đã tinh giản so với năm 2015", "%", "rate", "unit_share", "", "", "", 0, ""),
    # V
    ("V.1", "Vị trí việc làm của công chức, viên chức", "", "group", "none", "", "", "", 0, ""),
    ("V.1.1", "Số phòng chuyên môn và tương đương đã được phê duyệt vị trí việc làm theo quy định",
     "Cơ quan, đơn vị", "count", "sum", "", "", "", 0,
     "Tính cả các đơn vị đã thực hiện rà soát VTVL khi có thay đổi chức năng, nhiệm vụ"),
    ("V.1.2", "Số đơn vị sự nghiệp đã được phê duyệt vị trí việc làm theo quy định",
     "Cơ quan, đơn vị", "count", "sum", "", "", "", 0,
     "Tính cả các đơn vị đã thực hiện rà soát VTVL khi có thay đổi chức năng, nhiệm vụ"),
    ("V.1.3", "Số cơ quan, tổ chức có vi phạm trong thực hiện vị trí việc làm phát hiện qua thanh tra",
     "Cơ quan, đơn vị", "count", "sum", "", "", "", 0, ""),
    ("V.2", "Tuyển dụng công chức, viên chức", "", "group", "none", "", "", "", 0, ""),
    ("V.2.1", "Số công chức được tuyển dụng (thi tuyển, xét tuyển)", "Người", "count", "sum", "", "", "", 0, ""),
    ("V.2.2", "Số công chức được tuyển dụng theo trường hợp đặc biệt", "Người", "count", "sum", "", "", "", 0, ""),
    ("V.2.3", "Số cán bộ, công chức cấp xã được xét chuyển thành công chức cấp huyện trở lên", "Người",
     "count", "sum", "", "", "", 0, HCX),
    ("V.2.4", "Số viên chức được tuyển dụng (thi tuyển, xét tuyển)", "Người", "count", "sum", "", "", "", 0, ""),
    ("V.2.5", "Số viên chức được tuyển dụng theo trường hợp đặc biệt", "Người", "count", "sum", "", "", "", 0, ""),
    ("V.3", "Số lượng cán bộ, công chức, viên chức bị kỷ luật", "Người", "count", "sum", "", "", "", 0,
     "Kỷ luật cả về Đảng và chính quyền"),
    ("V.3.1", "Số lãnh đạo cấp sở, ban, ngành và UBND cấp huyện bị kỷ luật", "Người", "count", "sum", "", "", "", 0, ""),
    ("V.3.2", "Số lãnh đạo cấp phòng thuộc sở, ban, ngành và UBND cấp huyện bị kỷ luật", "Người", "count", "sum", "", "", "", 0, ""),
    ("V.3.3", "Số người làm việc hưởng lương từ NSNN tại các đơn vị SNCL bị kỷ luật", "Người", "count", "sum", "", "", "", 0, ""),
    # VI
    ("VI.1", "Tỷ lệ thực hiện Kế hoạch giải ngân vốn đầu tư công", "%", "rate", "ratio", "VI.1.2", "VI.1.1", "", 0, ""),
    ("VI.1.1", "Kế hoạch được giao", "Triệu đồng", "money", "sum", "", "", "", 0, ""),
    ("VI.1.2", "Đã thực hiện", "Triệu đồng", "money", "sum", "", "", "", 0, ""),
    ("VI.2", "Thực hiện tự chủ tài chính của đơn vị sự nghiệp công lập (SNCL) trực thuộc", "", "group", "none",
     "", "", "", 1, "Lũy kế đến thời điểm báo cáo"),
    ("VI.2.1", "Tổng số đơn vị SNCL", "Đơn vị", "count", "sum", "", "", "", 1, ""),
    ("VI.2.2", "Số đơn vị SNCL tự bảo đảm chi thường xuyên và chi đầu tư", "Đơn vị", "count", "sum", "", "", "", 1, ""),
    ("VI.2.3", "Số đơn vị SNCL tự bảo đảm chi thường xuyên", "Đơn vị", "count", "sum", "", "", "", 1, ""),
    ("VI.2.4", "Số đơn vị SNCL tự bảo đảm một phần chi thường xuyên", "Đơn vị", "count", "sum", "", "", "", 1, ""),
    ("VI.2.4.1", "Số đơn vị SNCL tự bảo đảm từ 70% - dưới 100% chi thường xuyên", "Đơn vị", "count", "sum", "", "", "", 1, ""),
    ("VI.2.4.2", "Số đơn vị SNCL tự bảo đảm từ 30% - dưới 70% chi thường xuyên", "Đơn vị", "count", "sum", "", "", "", 1, ""),
    ("VI.2.4.3", "Số đơn vị SNCL tự bảo đảm từ 10% - dưới 30% chi thường xuyên", "Đơn vị", "count", "sum", "", "", "", 1, ""),
    ("VI.2.5", "Số đơn vị SNCL do Nhà nước bảo đảm chi thường xuyên", "Đơn vị", "count", "sum", "", "", "", 1, ""),
    ("VI.2.6", "Số lượng đơn vị SNCL đã chuyển đổi thành công ty cổ phần", "Đơn vị", "count", "sum", "", "", "", 1,
     "Lũy kế đến thời điểm báo cáo"),
    # VII
    ("VII.1", "Sử dụng, khai thác đúng kiến trúc chính quyền điện tử phiên bản mới nhất của tỉnh", "Mã", "coded",
     "by_code", "", "", "0=Không đúng quy định;1=Đúng quy định", 0, ""),
    ("VII.2", "Xây dựng và vận hành Hệ thống hợp trực tuyến", "", "group", "none", "", "", "", 0, ""),
    ("VII.2.1", "Hệ thống hợp trực tuyến", "Mã", "coded", "by_code", "", "", "0=Chưa có;1=Đã có", 0, ""),
    ("VII.2.2", "Liên thông từ UBND cấp huyện đến 100% cấp xã", "Mã", "coded", "by_code", "", "",
     "0=Chưa hoàn thành;1=Hoàn thành", 0, ""),
    ("VII.3", "Tỷ lệ báo cáo định kỳ được gửi, nhận qua Hệ thống thông tin báo cáo quốc gia", "%", "rate",
     "unit_share", "", "", "", 0, ""),
    ("VII.4", "Số liệu về trao đổi văn bản điện tử", "", "group", "none", "", "", "", 0, ""),
    ("VII.4.1", "Thực hiện kết nối, liên thông các Hệ thống quản lý văn bản điều hành từ cấp tỉnh đến cấp xã",
     "", "group", "none", "", "", "", 0, ""),
    ("VII.4.1.1", "Sở, ban, ngành đã kết nối, liên thông với UBND tỉnh", "Mã", "coded", "by_code", "", "",
     "0=Chưa kết nối;1=Đã kết nối", 0, ""),
    ("VII.4.1.2", "UBND cấp huyện đã kết nối, liên thông với UBND tỉnh", "Mã", "coded", "by_code", "", "",
     "0=Chưa kết nối;1=Đã kết nối", 0, ""),
    ("VII.4.1.3", "Tỷ lệ UBND cấp xã đã kết nối, liên thông với UBND huyện", "%", "rate", "unit_share", "", "",
     "", 0, HCX),
    ("VII.4.2", "Tỷ lệ văn bản đi dưới dạng điện tử của cơ quan, đơn vị", "%", "rate", "unit_share", "", "", "", 0,
     "Chỉ thống kê tỷ lệ văn bản được gửi hoàn toàn dưới dạng điện tử; sử dụng chữ ký số, chứng thư số và gửi trên môi trường điện tử"),
    ("VII.4.2.1", "Tỷ lệ sử dụng văn bản điện tử của các sở, ban, ngành tỉnh", "%", "rate", "unit_share", "", "", "", 0, ""),
    ("VII.4.2.2", "Tỷ lệ sử dụng văn bản điện tử của UBND cấp huyện", "%", "rate", "unit_share", "", "", "", 0, ""),
    ("VII.4.2.3", "Tỷ lệ sử dụng văn bản điện tử của UBND cấp xã", "%", "rate", "unit_share", "", "", "", 0, HCX),
    ("VII.4.3", "Xây dựng, vận hành, sử dụng Hệ thống thông tin một cửa điện tử tập trung của tỉnh", "", "group",
     "none", "", "", "", 0, ""),
    ("VII.4.3.1", "Sở, ban, ngành đã kết nối liên thông với Hệ thống", "Mã", "coded", "by_code", "", "",
     "0=Hoạt động chưa hiệu quả;1=Hoạt động tốt", 0, ""),
    ("VII.4.3.2", "Cấp huyện đã kết nối liên thông với Hệ thống", "Mã", "coded", "by_code", "", "",
     "0=Hoạt động chưa hiệu quả;1=Hoạt động tốt", 0, ""),
    ("VII.4.3.3", "Cấp xã đã kết nối liên thông với Hệ thống", "Mã", "coded", "by_code", "", "",
     "0=Hoạt động chưa hiệu quả;1=Hoạt động tốt", 0, ""),
    ("VII.5", "Cung cấp dịch vụ công trực tuyến", "", "group", "none", "", "", "", 0, ""),
    ("VII.5.1", "Tỷ lệ TTHC đủ điều kiện được cung cấp trực tuyến mức độ 3", "%", "rate", "ratio",
     "VII.5.1.2", "VII.5.1.1", "", 0, ""),
    ("VII.5.1.1", "Tổng số TTHC đủ điều kiện cung cấp trực tuyến mức độ 3", "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("VII.5.1.2", "Số TTHC đang cung cấp trực tuyến mức độ 3", "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("VII.5.1.3", "Số TTHC đang cung cấp trực tuyến mức độ 3 có phát sinh hồ sơ nộp trực tuyến", "Thủ tục",
     "count", "sum", "", "", "", 0, ""),
    ("VII.5.2", "Tỷ lệ TTHC đủ điều kiện được cung cấp trực tuyến mức độ 4", "%", "rate", "ratio",
     "VII.5.2.2", "VII.5.2.1", "", 0, ""),
    ("VII.5.2.1", "Tổng số TTHC đủ điều kiện cung cấp trực tuyến mức độ 4", "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("VII.5.2.2", "Số TTHC đang cung cấp trực tuyến mức độ 4", "Thủ tục", "count", "sum", "", "", "", 0, ""),
    ("VII.5.2.3", "Số TTHC đang cung cấp trực tuyến mức độ 4 có phát sinh hồ sơ nộp trực tuyến", "Thủ tục",
     "count", "sum", "", "", "", 0, ""),
    ("VII.5.3", "Tỷ lệ hồ sơ TTHC được tiếp nhận trực tuyến mức độ 3 và 4", "%", "rate", "ratio",
     "VII.5.3.2", "VII.5.3.1", "", 0, "Chỉ thống kê đối với các TTHC mức độ 3 và 4 có phát sinh hồ sơ"),
    ("VII.5.3.1", "Tổng số hồ sơ TTHC đã tiếp nhận (cả trực tiếp và trực tuyến)", "Hồ sơ", "count", "sum", "", "", "", 0, ""),
    ("VII.5.3.2", "Số hồ sơ TTHC đã tiếp nhận trực tuyến", "Hồ sơ", "count", "sum", "", "", "", 0, ""),
    ("VII.5.4", "Tỷ lệ TTHC được tích hợp, triển khai thanh toán trực tuyến", "%", "rate", "ratio",
     "VII.5.4.2", "VII.5.4.1", "", 0, ""),
    ("VII.5.4.1", "Tổng số TTHC có yêu cầu nghĩa vụ tài chính", "Thủ tục", "count", "sum", "", "", "", 0,
     "Tất cả các TTHC có phát sinh phí, lệ phí,..."),
    ("VII.5.4.2", "Số TTHC đã được tích hợp, triển khai thanh toán trực tuyến trên Cổng DVC quốc gia hoặc trên Cổng DVC của tỉnh",
     "Thủ tục", "count", "sum", "", "", "", 0, ""),
]

# Section 2: project-only rows, same tuple layout as BASE.
EXTRA = [
    # --- from seed 000 (Hải Dương "Biểu mẫu") ---
    ("IV.P1", "Tỷ lệ UBND cấp xã đã hoàn thành việc sắp xếp cơ cấu tổ chức và bố trí các bộ phận chuyên môn đáp ứng các tiêu chí theo quy định của Chính phủ",
     "%", "rate", "unit_share", "", "", "", 0, "Chỉ có ở mẫu Hải Dương (BM4 1.2); mẫu quốc gia IV.1.2 là mã Hoàn thành/Chưa"),
    ("V.P1", "Số lượng lãnh đạo quản lý được tuyển chọn, bổ nhiệm thông qua thi tuyển", "Người", "count", "sum",
     "", "", "", 1, "Lũy kế từ đầu năm"),
    ("V.P2", "Số lãnh đạo cấp xã bị kỷ luật", "Người", "count", "sum", "", "", "", 0, ""),
    ("V.P3", "Số công chức (huyện và xã) bị kỷ luật", "Người", "count", "sum", "", "", "", 0, ""),
    ("VII.P1", "Cập nhật Kiến trúc chính quyền điện tử phiên bản mới nhất", "Mã", "coded", "by_code", "", "",
     "0=Chưa;1=Hoàn thành", 0, "Khác danh mục mã với VII.1 của mẫu quốc gia"),
    ("VII.P2", "Xây dựng và vận hành Hệ thống họp trực tuyến", "Mã", "coded", "by_code", "", "",
     "0=Chưa có;1=2 cấp;2=3 cấp", 0,
     "Liên thông 2 cấp: Từ UBND tỉnh đến 100% UBND các huyện. Liên thông 3 cấp: Từ UBND tỉnh đến 100% UBND cấp huyện, cấp xã."),
    ("VII.P3", "Triển khai xây dựng nền tảng chia sẻ, tích hợp dùng chung (LGSP)", "Mã", "coded", "by_code", "", "",
     "0=Chưa;1=Đang làm;2=Hoàn thành", 0, ""),
    ("VII.P4", "Tỷ lệ đơn vị cấp xã đã kết nối liên thông với Hệ thống", "%", "rate", "unit_share", "", "", "", 0,
     "Hệ thống thông tin một cửa điện tử tập trung của tỉnh; mẫu quốc gia VII.4.3.3 là mã Hoạt động tốt/chưa hiệu quả"),
    ("VII.P5", "Tỷ lệ TTHC cung cấp trực tuyến mức độ 3 (một phần) và 4 đã tích hợp, công khai trên Cổng DVC quốc gia",
     "%", "rate", "ratio", "VII.P5.2", "VII.P5.1", "", 0, ""),
    ("VII.P5.1", "Tổng số TTHC đang cung cấp trực tuyến mức độ 3 (một phần) và 4 của địa phương", "Thủ tục",
     "count", "sum", "", "", "", 0, ""),
    ("VII.P5.2", "Số TTHC cung cấp trực tuyến mức độ 3 (một phần) và 4 đã tích hợp, công khai trên Cổng DVC quốc gia",
     "Thủ tục", "count", "sum", "", "", "", 0, ""),
]

TH_ONLY = "Chỉ có ở mẫu Thanh Hóa"


def cnt(code, name, unit, note=TH_ONLY, cum=0):
    return (code, name, unit, "count", "sum", "", "", "", cum, note)


def share(code, name, note=TH_ONLY):
    return (code, name, "%", "rate", "unit_share", "", "", "", 0, note)


def coded(code, name, clist, note=TH_ONLY):
    return (code, name, "Mã", "coded", "by_code", "", "", clist, 0, note)


def grp(code, name, note=TH_ONLY):
    return (code, name, "", "group", "none", "", "", "", 0, note)


EXTRA += [
    # --- from seed 004 (Thanh Hóa city variant) ---
    cnt("II.P1", "Số VBQPPL đã ban hành hoặc tham mưu ban hành tại cấp huyện", "Văn bản"),
    cnt("II.P2", "Số VBQPPL đã kiến nghị xử lý sau kiểm tra, rà soát", "Văn bản",
        "Chỉ có ở mẫu Thanh Hóa; gộp kiểm tra và rà soát (≈ II.2.2.1 + II.3.2.1)"),
    cnt("II.P3", "Số VBQPPL có kiến nghị xử lý sau kiểm tra, rà soát đã được xử lý xong", "Văn bản",
        "Chỉ có ở mẫu Thanh Hóa; gộp kiểm tra và rà soát (≈ II.2.2.2 + II.3.2.2)"),
    cnt("III.P1", "Số TTHC đưa vào thực hiện theo cơ chế một cửa tại cấp huyện", "Thủ tục"),
    cnt("III.P2", "Số TTHC đưa vào thực hiện theo cơ chế một cửa tại cấp xã", "Thủ tục"),
    cnt("III.P3", "Số TTHC liên thông cùng cấp tại cấp huyện", "Thủ tục", "Chi tiết của III.2.1 (mẫu Thanh Hóa)"),
    cnt("III.P4", "Số TTHC liên thông cùng cấp tại cấp xã", "Thủ tục", "Chi tiết của III.2.1 (mẫu Thanh Hóa)"),
    cnt("III.P5", "Số TTHC liên thông giữa các cấp chính quyền tại cấp huyện", "Thủ tục", "Chi tiết của III.2.2 (mẫu Thanh Hóa)"),
    cnt("III.P6", "Số TTHC liên thông giữa các cấp chính quyền tại cấp xã", "Thủ tục", "Chi tiết của III.2.2 (mẫu Thanh Hóa)"),
    share("III.P7", "Tỷ lệ TTHC đã được phê duyệt quy trình nội bộ"),
    share("III.P7.1", "Tỷ lệ TTHC đã được phê duyệt quy trình nội bộ tại cấp huyện"),
    share("III.P7.2", "Tỷ lệ TTHC đã được phê duyệt quy trình nội bộ tại cấp xã"),
    share("III.P8", "Tỷ lệ quy trình nội bộ giải quyết TTHC đã được điện tử hóa"),
    share("III.P8.1", "Tỷ lệ quy trình nội bộ giải quyết TTHC đã được điện tử hóa tại cấp huyện"),
    share("III.P8.2", "Tỷ lệ quy trình nội bộ giải quyết TTHC đã được điện tử hóa tại cấp xã"),
    cnt("III.P9", "Số lượng hồ sơ đã tiếp nhận", "Hồ sơ",
        "Chỉ có ở mẫu Thanh Hóa (3.3.1 thứ nhất); tính mọi TTHC, khác VII.5.3.1 (chỉ TTHC mức độ 3, 4)"),
    cnt("III.P9.1", "Số lượng hồ sơ đã tiếp nhận trực tiếp", "Hồ sơ"),
    cnt("III.P9.2", "Số lượng hồ sơ đã tiếp nhận qua BCCI", "Hồ sơ"),
    cnt("III.P9.3", "Số lượng hồ sơ đã tiếp nhận trực tuyến một phần", "Hồ sơ"),
    cnt("III.P9.4", "Số lượng hồ sơ đã tiếp nhận trực tuyến toàn trình", "Hồ sơ"),
    cnt("III.P10", "Số hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hẹn, trả trực tiếp", "Hồ sơ",
        "Chi tiết của III.3.3.2 (mẫu Thanh Hóa)"),
    cnt("III.P11", "Số hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hẹn, trả qua BCCI", "Hồ sơ",
        "Chi tiết của III.3.3.2 (mẫu Thanh Hóa)"),
    cnt("III.P12", "Số hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hẹn, giải quyết trực tuyến mức độ 3",
        "Hồ sơ", "Chi tiết của III.3.3.2 (mẫu Thanh Hóa)"),
    cnt("III.P13", "Số hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hẹn, giải quyết trực tuyến mức độ 4",
        "Hồ sơ", "Chi tiết của III.3.3.2 (mẫu Thanh Hóa)"),
    cnt("III.P14", "Số lượng hồ sơ TTHC về lĩnh vực đất đai được giải quyết đúng hẹn", "Hồ sơ"),
    cnt("III.P14.1", "Số lượng hồ sơ TTHC về lĩnh vực đất đai được giải quyết đúng hẹn tại cấp huyện", "Hồ sơ"),
    cnt("III.P14.2", "Số lượng hồ sơ TTHC về lĩnh vực đất đai được giải quyết đúng hẹn tại cấp xã", "Hồ sơ"),
    cnt("III.P15", "Số lượng hồ sơ TTHC về lĩnh vực xây dựng được giải quyết đúng hẹn", "Hồ sơ"),
    cnt("III.P15.1", "Số lượng hồ sơ TTHC về lĩnh vực xây dựng được giải quyết đúng hẹn tại cấp huyện", "Hồ sơ"),
    cnt("III.P15.2", "Số lượng hồ sơ TTHC về lĩnh vực xây dựng được giải quyết đúng hẹn tại cấp xã", "Hồ sơ"),
    grp("III.P16", "Công khai kết quả giải quyết"),
    cnt("III.P17", "Công khai kết quả giải quyết trên cổng dịch vụ công của tỉnh", "Hồ sơ",
        "Chỉ có ở mẫu Thanh Hóa; đơn vị in: Số hồ sơ đã giải quyết"),
    cnt("III.P17.1", "Công khai kết quả giải quyết trên cổng dịch vụ công của tỉnh tại cấp huyện", "Hồ sơ"),
    cnt("III.P17.2", "Công khai kết quả giải quyết trên cổng dịch vụ công của tỉnh tại cấp xã", "Hồ sơ"),
    cnt("III.P18", "Công khai kết quả giải quyết trên trang TTĐT của đơn vị", "Hồ sơ",
        "Chỉ có ở mẫu Thanh Hóa; đơn vị in: Số hồ sơ đã giải quyết"),
    cnt("III.P18.1", "Công khai kết quả giải quyết trên trang TTĐT của đơn vị tại cấp huyện", "Hồ sơ"),
    cnt("III.P18.2", "Công khai kết quả giải quyết trên trang TTĐT của đơn vị tại cấp xã", "Hồ sơ"),
    cnt("III.P19", "Số thư/ trường hợp đã công khai xin lỗi", "Trường hợp",
        "Chỉ có ở mẫu Thanh Hóa; mẫu không in đơn vị tính"),
    cnt("III.P19.1", "Số thư/ trường hợp đã công khai xin lỗi tại cấp huyện", "Trường hợp"),
    cnt("III.P19.2", "Số thư/ trường hợp đã công khai xin lỗi tại cấp xã", "Trường hợp"),
    cnt("VII.P6", "Số TTHC đã tích hợp dịch vụ thanh toán trực tuyến trên cổng dịch vụ công tại cấp huyện", "Thủ tục",
        "Chi tiết của VII.5.4.2 (mẫu Thanh Hóa 3.4.3)"),
    cnt("VII.P7", "Số TTHC đã tích hợp dịch vụ thanh toán trực tuyến trên cổng dịch vụ công tại cấp xã", "Thủ tục",
        "Chi tiết của VII.5.4.2 (mẫu Thanh Hóa 3.4.3)"),
    cnt("VII.P8", "Tỷ lệ cơ quan chuyên môn UBND cấp huyện, UBND cấp xã được cấp chứng thư số", "Đơn vị",
        "Chỉ có ở mẫu Thanh Hóa; tên ghi Tỷ lệ nhưng đơn vị tính in là Đơn vị (số liệu 1): cần xác minh"),
    coded("VII.P9", "Thực hiện kết nối, liên thông các Hệ thống quản lý văn bản điều hành từ huyện đến cấp xã",
          "0=Chưa kết nối;1=Đã kết nối", "Chỉ có ở mẫu Thanh Hóa; mẫu quốc gia VII.4.1 là dòng tiêu đề (cấp tỉnh đến cấp xã)"),
    cnt("VII.P10", "Tổng số văn bản đi giữa các cơ quan nhà nước trên địa bàn huyện", "Văn bản"),
    share("VII.P11", "Tỷ lệ văn bản được gửi hoàn toàn dưới dạng điện tử và song song với văn bản giấy"),
    coded("VII.P12", "Kết nối liên thông với Hệ thống một cửa điện tử cấp tỉnh", "0=Chưa kết nối;1=Đã kết nối",
          "Chỉ có ở mẫu Thanh Hóa; mẫu quốc gia VII.4.3.2 dùng mã Hoạt động tốt/chưa hiệu quả"),
    grp("VII.P13", "Áp dụng hệ thống quản lý chất lượng ISO"),
    coded("VII.P13.1", "Thực hiện duy trì, áp dụng hệ thống tại UBND huyện", "0=Không thực hiện;1=Có thực hiện"),
    cnt("VII.P13.2", "Số lượng đơn vị cấp xã đã áp dụng", "Đơn vị"),
    coded("VII.P13.3", "Thực hiện duy trì, áp dụng hệ thống tại UBND cấp xã", "0=Không thực hiện;1=Có thực hiện"),
]

# Section 3: cross-layout mapping. code -> list of strings.
BM = {}       # seed 000 "Biểu mẫu": "BM<n> <printed code>"
TH = {}       # seed 004 Thanh Hóa: printed code or "-<parent>/<row text>"
ALIASES = {}  # other wordings (seed 000 / seed 004)


def bm(code, ref, alias=""):
    BM.setdefault(code, []).append(ref)
    if alias:
        ALIASES.setdefault(code, []).append(alias)


def th(code, ref, alias=""):
    TH.setdefault(code, []).append(ref)
    if alias:
        ALIASES.setdefault(code, []).append(alias)


# seed 000 (Hải Dương, lines 731-1313): (canonical code, printed ref, wording as printed)
SEED000 = [
    ("I.1", "BM1 1", "Số văn bản chỉ đạo CCHC đã ban hành"),
    ("I.2", "BM1 2", "Tỷ lệ hoàn thành Kế hoạch CCHC năm"),
    ("I.2.1", "BM1 2.1", "Số nhiệm vụ đề ra trong kế hoạch"),
    ("I.2.2", "BM1 2.2", "Số nhiệm vụ đã hoàn thành"),
    ("I.3", "BM1 3", "Kiểm tra CCHC"),
    ("I.3.1", "BM1 3.1", "Số phòng chuyên môn đã kiểm tra"),
    ("I.3.2", "BM1 3.2", "Số UBND cấp xã đã kiểm tra"),
    ("I.3.3", "BM1 3.3", "Tỷ lệ xử lý các vấn đề qua kiểm tra"),
    ("I.3.3.1", "BM1 3.3.1", "Số vấn đề phát hiện qua kiểm tra"),
    ("I.3.3.2", "BM1 3.3.2", "Số vấn đề phát hiện đã xử lý xong"),
    ("I.4", "BM1 4", "Thực hiện nhiệm vụ của UBND huyện, Chủ tịch UBND huyện giao"),
    ("I.4.1", "BM1 4.1", "Tổng số nhiệm vụ được giao"),
    ("I.4.2", "BM1 4.2", "Số nhiệm vụ đã hoàn thành đúng hạn"),
    ("I.4.3", "BM1 4.3", "Số nhiệm vụ đã hoàn thành nhưng quá hạn"),
    ("I.4.4", "BM1 4.4", "Số nhiệm vụ quá hạn nhưng chưa hoàn thành"),
    ("I.5", "BM1 5", "Khảo sát sự hài lòng của người dân, tổ chức"),
    ("I.5.1", "BM1 5.1", "Số lượng phiếu khảo sát"),
    ("I.5.2", "BM1 5.2", "Hình thức khảo sát"),
    ("I.6", "BM1 6", "Tổ chức đối thoại của lãnh đạo với người dân, cộng đồng doanh nghiệp"),
    ("II.1", "BM2 1", "Tổng số Văn bản quy phạm pháp luật (VBQPPL) đo địa phương ban hành"),
    ("II.1.2", "BM2 1.3", "Số VBQPPL do cấp xã ban hành"),
    ("II.2", "BM2 2", "Kiểm tra, xử lý VBQPPL"),
    ("II.2.1", "BM2 2.1", "Số VBQPPL đã kiểm tra theo thẩm quyền của cấp huyện"),
    ("II.2.2", "BM2 2.2", "Tỷ lệ xử lý VBQPPL sau kiểm tra"),
    ("II.2.2.1", "BM2 2.2.1", "Tổng số VBQPPL cần phải xử lý sau kiểm tra"),
    ("II.2.2.2", "BM2 2.2.2", "Số VBQPPL có kiến nghị xử lý đã được xử lý xong"),
    ("II.3", "BM2 3", "Rà soát VBQPPL"),
    ("II.3.1", "BM2 3.1", "Số VBQPPL đã rà soát thuộc thẩm quyền của cấp huyện"),
    ("II.3.2", "BM2 3.2", "Tỷ lệ xử lý VBQPPL sau rà soát"),
    ("II.3.2.1", "BM2 3.2.1", "Tổng số VBQPPL cần phải xử lý sau rà soát"),
    ("II.3.2.2", "BM2 3.2.2", "Số VBQPPL có kiến nghị xử lý đã được xử lý xong"),
    ("III.1", "BM3 1", "Thống kê TTHC"),
    ("III.1.1", "BM3 1.1", "Số TTHC đã được phê duyệt phương án đơn giản hóa"),
    ("III.1.2", "BM3 1.2", "Số TTHC công bố mới"),
    ("III.1.3", "BM3 1.3", "Số TTHC bãi bỏ, thay thế"),
    ("III.1.4", "BM3 1.4", "Tổng số TTHC thuộc thẩm quyền giải quyết tại địa phương"),
    ("III.1.4.3", "BM3 1.4.3", "Số TTHC cấp xã"),
    ("III.2", "BM3 2", "Thực hiện cơ chế một cửa, một cửa liên thông"),
    ("III.2.1", "BM3 2.1", "Số TTHC liên thông cùng cấp"),
    ("III.2.2", "BM3 2.2", "Số TTHC liên thông giữa các cấp chính quyền"),
    ("III.2.3", "BM3 2.3", "Số TTHC đã thực hiện tiếp nhận và giải quyết hồ sơ không phụ thuộc vào địa giới hành chính"),
    ("III.3", "BM3 3", "Kết quả giải quyết TTHC"),
    ("III.3.3", "BM3 3.3", "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn"),
    ("III.3.3.1", "BM3 3.3.1", "Tổng số hồ sơ TTHC đã giải quyết xong"),
    ("III.3.3.2", "BM3 3.3.2", "Số hồ sơ TTHC giải quyết đúng hạn"),
    ("III.3.4", "BM3 3.4", "Tỷ lệ giải quyết phản ánh, kiến nghị (PAKN) về quy định TTHC"),
    ("III.3.4.1", "BM3 3.4.1", "Tổng số PAKN đã tiếp nhận (trực tiếp hoặc do cơ quan có thẩm quyền chuyển đến)"),
    ("III.3.4.2", "BM3 3.4.2", "Số PAKN đã giải quyết xong"),
    ("IV.1", "BM4 1", "Sắp xếp, kiện toàn tổ chức bộ máy"),
    ("IV.P1", "BM4 1.2", "Tỷ lệ UBND cấp xã đã hoàn thành việc sắp xếp cơ cấu tổ chức và bố trí các bộ phận chuyên môn đáp ứng các tiêu chí theo quy định của Chính phủ"),
    ("IV.2", "BM4 2", "Số liệu về biên chế công chức"),
    ("IV.2.1", "BM4 2.1", "Tổng số biên chế được giao trong năm"),
    ("IV.2.2", "BM4 2.2", "Tổng số biên chế có mặt tại thời điểm báo cáo"),
    ("IV.2.3", "BM4 2.3", "Số hợp đồng lao động làm việc tại cơ quan hành chính nhà nước"),
    ("IV.2.4", "BM4 2.4", "Số biên chế đã tinh giản trong kỳ báo cáo"),
    ("IV.2.5", "BM4 2.5", "Tỷ lệ phần trăm biên chế đã tinh giản so với năm 2015"),
    ("V.1", "BM5 1", "Vị trí việc làm của công chức, viên chức"),
    ("V.1.1", "BM5 1.1", "Số cơ quan, tổ chức hành chính đã được phê duyệt vị trí việc làm theo quy định"),
    ("V.1.2", "BM5 1.2", "Số đơn vị sự nghiệp đã được phê duyệt vị trí việc làm theo quy định"),
    ("V.1.3", "BM5 1.3", "Số cơ quan, tổ chức có vi phạm trong thực hiện vị trí việc làm phát hiện qua thanh tra"),
    ("V.2", "BM5 2", "Tuyển dụng công chức, viên chức"),
    ("V.2.1", "BM5 2.1", "Số công chức được tuyển dụng (thi tuyển, xét tuyển)"),
    ("V.2.2", "BM5 2.2", "Số công chức được tuyển dụng theo trường hợp đặc biệt"),
    ("V.2.3", "BM5 2.3", "Số cán bộ, công chức cấp xã được xét chuyển thành công chức cấp huyện trở lên"),
    ("V.2.4", "BM5 2.4", "Số viên chức được tuyển dụng (thi tuyển, xét tuyển)"),
    ("V.2.5", "BM5 2.5", "Số viên chức được tuyển dụng theo trường hợp đặc biệt"),
    ("V.P1", "BM5 3", "Số lượng lãnh đạo quản lý được tuyển chọn, bổ nhiệm thông qua thi tuyển"),
    ("V.3", "BM5 4", "Số lượng cán bộ, công chức, viên chức bị kỷ luật"),
    ("V.3.1", "BM5 4.1", "Số lãnh đạo cấp huyện bị kỷ luật"),
    ("V.3.2", "BM5 4.2", "Số lãnh đạo cấp phòng thuộc huyện bị kỷ luật"),
    ("V.P2", "BM5 4.3", "Số lãnh đạo cấp xã bị kỷ luật"),
    ("V.P3", "BM5 4.4", "Số công chức (huyện và xã) bị kỷ luật"),
    ("V.3.3", "BM5 4.5", "Số người làm việc hưởng lương từ NSNN tại các đơn vị SNCL bị kỷ luật"),
    ("VI.1", "BM6 1", "Tỷ lệ thực hiện Kế hoạch giải ngân vốn đầu tư công"),
    ("VI.1.1", "BM6 1.1", "Kế hoạch được giao"),
    ("VI.1.2", "BM6 1.2", "Đã thực hiện"),
    ("VI.2", "BM6 2", "Thực hiện tự chủ tài chính của đơn vị sự nghiệp (ĐVSN) tại địa phương"),
    ("VI.2.1", "BM6 2.1", "Tổng số ĐVSN công lập tại địa phương"),
    ("VI.2.2", "BM6 2.2", "Số ĐVSN tự bảo đảm chi thường xuyên và chi đầu tư"),
    ("VI.2.3", "BM6 2.3", "Số ĐVSN tự bảo đảm chi thường xuyên"),
    ("VI.2.4", "BM6 2.4", "Số ĐVSN tự bảo đảm một phần chi thường xuyên"),
    ("VI.2.4.1", "BM6 2.4.1", "Số ĐVSN tự bảo đảm từ 70% - dưới 100% chi thường xuyên"),
    ("VI.2.4.2", "BM6 2.4.2", "Số ĐVSN tự bảo đảm từ 30% - dưới 70% chi thường xuyên"),
    ("VI.2.4.3", "BM6 2.4.3", "Số ĐVSN tự bảo đảm từ 10% - dưới 30% chi thường xuyên"),
    ("VI.2.5", "BM6 2.5", "Số ĐVSN do Nhà nước bảo đảm chi thường xuyên"),
    ("VI.2.6", "BM6 2.6", "Số lượng ĐVSN đã chuyển đổi thành công ty cổ phần"),
    ("VII.P1", "BM7 1", "Cập nhật Kiến trúc chính quyền điện tử phiên bản mới nhất"),
    ("VII.P2", "BM7 2", "Xây dựng và vận hành Hệ thống họp trực tuyến"),
    ("VII.3", "BM7 3", "Tỷ lệ báo cáo định kỳ được gửi, nhận qua Hệ thống thông tin báo cáo quốc gia"),
    ("VII.P3", "BM7 4", "Triển khai xây dựng nền tảng chia sẻ, tích hợp dùng chung (LGSP)"),
    ("VII.4", "BM7 5", "Số liệu về trao đổi văn bản điện tử"),
    ("VII.4.1", "BM7 5.1", "Thực hiện kết nối, liên thông các Hệ thống quản lý văn bản điều hành từ cấp tỉnh đến cấp xã"),
    ("VII.4.1.3", "BM7 5.1.3", "Tỷ lệ UBND cấp xã đã kết nối, liên thông với UBND huyện"),
    ("VII.4.2", "BM7 5.2", "Tỷ lệ sử dụng văn bản điện tử của địa phương"),
    ("VII.4.2.3", "BM7 5.2.3", "Tỷ lệ sử dụng văn bản điện tử của UBND cấp xã"),
    ("VII.4.3", "BM7 5.3", "Xây dựng, vận hành Hệ thống thông tin một cửa điện tử tập trung của tỉnh"),
    ("VII.P4", "BM7 5.3.3", "Tỷ lệ đơn vị cấp xã đã kết nối liên thông với Hệ thống"),
    ("VII.5", "BM7 6", "Cung cấp dịch vụ công trực tuyến"),
    ("VII.5.1", "BM7 6.4", "Tỷ lệ TTHC đủ điều kiện được cung cấp trực tuyến mức độ 3 (một phần)"),
    ("VII.5.1.1", "BM7 6.4.1", "Tổng số TTHC đủ điều kiện cung cấp trực tuyến mức độ 3 (một phần)"),
    ("VII.5.1.2", "BM7 6.4.2", "Số TTHC đang cung cấp trực tuyến mức độ 3 (một phần)"),
    ("VII.5.1.3", "BM7 6.4.3", "Số TTHC đang cung cấp trực tuyến mức độ 3 (một phần) có phát sinh hồ sơ nộp trực tuyến"),
    ("VII.5.2", "BM7 6.5", "Tỷ lệ TTHC đủ điều kiện được cung cấp trực tuyến mức độ 4 (toàn phần)"),
    ("VII.5.2.1", "BM7 6.5.1", "Tổng số TTHC đủ điều kiện cung cấp trực tuyến mức độ 4 (toàn phần)"),
    ("VII.5.2.2", "BM7 6.5.2", "Số TTHC đang cung cấp trực tuyến mức độ 4 (toàn phần)"),
    ("VII.5.2.3", "BM7 6.5.3", "Số TTHC đang cung cấp trực tuyến mức độ 4 (toàn phần) có phát sinh hồ sơ nộp trực tuyến"),
    ("VII.P5", "BM7 6.6", "Tỷ lệ TTHC cung cấp trực tuyến mức độ 3 (một phần) và 4 đã tích hợp, công khai trên Cổng DVC quốc gia"),
    ("VII.P5.1", "BM7 6.6.1", "Tổng số TTHC đang cung cấp trực tuyến mức độ 3 (một phần) và 4 của địa phương"),
    ("VII.P5.2", "BM7 6.6.2", "Số TTHC cung cấp trực tuyến mức độ 3 (một phần) và 4 đã tích hợp, công khai trên Cổng DVC quốc gia"),
    ("VII.5.3", "BM7 6.7", "Tỷ lệ hồ sơ TTHC được tiếp nhận trực tuyến mức độ 3 (một phần) và 4"),
    ("VII.5.3.1", "BM7 6.7.1", "Tổng số hồ sơ TTHC đã tiếp nhận (cả trực tiếp và trực tuyến)"),
    ("VII.5.3.2", "BM7 6.7.2", "Số hồ sơ TTHC đã tiếp nhận trực tuyến"),
    ("VII.5.4", "BM7 6.8", "Tỷ lệ TTHC được tích hợp, triển khai thanh toán trực tuyến"),
    ("VII.5.4.1", "BM7 6.8.1", "Tổng số TTHC có yêu cầu nghĩa vụ tài chính"),
    ("VII.5.4.2", "BM7 6.8.2", "Số TTHC đã được tích hợp, triển khai thanh toán trực tuyến trên Cổng DVC quốc gia hoặc trên Cổng DVC của tỉnh"),
]
for _c, _ref, _alias in SEED000:
    bm(_c, _ref, _alias)

# seed 004 (Thanh Hóa city, lines 699-1299): (canonical code, printed ref, wording as printed)
SEED004 = [
    ("I.2", "1.1", "Kế hoạch CCHC"),
    ("I.2.1", "1.1.1", "Số nhiệm vụ đề ra trong kế hoạch"),
    ("I.2.2", "1.1.2", "Số nhiệm vụ đã hoàn thành"),
    ("I.1", "1.1.3", "Số văn bản chỉ đạo CCHC đã ban hành"),
    ("I.4", "1.2", "Thực hiện nhiệm vụ UBND thành phố, Chủ tịch UBND thành phố giao"),
    ("I.4.1", "1.2.1", "Tổng số nhiệm vụ được giao"),
    ("I.4.2", "1.2.2", "Số nhiệm vụ đã hoàn thành đúng hạn"),
    ("I.4.3", "1.2.3", "Số nhiệm vụ đã hoàn thành nhưng quá hạn"),
    ("I.5", "1.3", "Khảo sát sự hài lòng của người dân, tổ chức"),
    ("I.5.1", "1.3.1", "Số lượng phiếu khảo sát"),
    ("I.5.2", "1.3.2", "Hình thức khảo sát"),
    ("I.6", "1.4", "Tổ chức đối thoại của lãnh đạo với người dân, cộng đồng doanh nghiệp"),
    ("II.1.1", "2.1", "Số VBQPPL đã ban hành/ tham mưu ban hành"),
    ("II.P1", "-2.1/Tại cấp huyện", ""),
    ("II.1.2", "-2.1/Tại cấp xã", ""),
    ("II.2.1", "2.2", "Số VBQPPL đã kiểm tra theo thẩm quyền"),
    ("II.3.1", "2.3", "Số VBQPPL đã rà soát"),
    ("II.P2", "2.4", "Số VBQPPL đã kiến nghị xử lý sau kiểm tra, rà soát"),
    ("II.P3", "2.5", "Số VBQPPL có kiến nghị xử lý đã được xử lý xong"),
    ("III.1", "3.1", "Thống kê TTHC"),
    ("III.1.2", "3.1.1", "Số TTHC/ danh mục TTHC thuộc thẩm quyền quản lý công bố mới"),
    ("III.1.3", "3.1.2", "Số TTHC thuộc thẩm quyền bãi bỏ, thay thế"),
    ("III.1.4", "3.1.3", "Tổng số TTHC đang áp dụng"),
    ("III.1.4.2", "-3.1.3/Số TTHC cấp huyện", "Số TTHC cấp huyện"),
    ("III.1.4.3", "-3.1.3/Số TTHC cấp xã", "Số TTHC cấp xã"),
    ("III.2", "3.2", "Thực hiện cơ chế một cửa, một cửa liên thông"),
    ("III.P1", "3.2.1", "Số TTHC đưa vào thự hiện theo cơ chế một cửa tại cấp huyện"),
    ("III.P2", "3.2.2", "Số TTHC đưa vào thực hiện theo cơ chế một cửa tại cấp xã"),
    ("III.2.1", "3.2.3", "Số TTHC liên thông cùng cấp"),
    ("III.P3", "-3.2.3/Tại cấp huyện", ""),
    ("III.P4", "-3.2.3/Tại cấp xã", ""),
    ("III.2.2", "3.2.4", "Số TTHC liên thông giữa các cấp chính quyền"),
    ("III.P5", "-3.2.4/Tại cấp huyện", ""),
    ("III.P6", "-3.2.4/Tại cấp xã", ""),
    ("III.P7", "3.2.5", "Tỷ lệ TTHC đã được phê duyệt quy trình nội bộ"),
    ("III.P7.1", "-3.2.5/Tại cấp huyện", ""),
    ("III.P7.2", "-3.2.5/Tại cấp xã", ""),
    ("III.P8", "3.2.6", "Tỷ lệ quy trình nội bộ giải quyết TTHC đã được điện tử hóa"),
    ("III.P8.1", "-3.2.6/Tại cấp huyện", ""),
    ("III.P8.2", "-3.2.6/Tại cấp xã", ""),
    ("III.3", "3.3", "Kết quả giải quyết TTHC"),
    ("III.P9", "3.3.1", "Số lượng hồ sơ đã tiếp nhận"),          # first of the two printed 3.3.1
    ("III.P9.1", "-3.3.1/Tiếp nhận trực tiếp", "Tiếp nhận trực tiếp"),
    ("III.P9.2", "-3.3.1/Tiếp nhận qua BCCI", "Tiếp nhận qua BCCI"),
    ("III.P9.3", "-3.3.1/Tiếp nhận trực tuyến một phần", "Tiếp nhận trực tuyến một phần"),
    ("III.P9.4", "-3.3.1/Tiếp nhận trực tuyến toàn trình", "Tiếp nhận trực tuyến toàn trình"),
    ("III.3.2.2", "3.3.1", "Số lượng hồ sơ TTHC do UBND cấp huyện tiếp nhận được giải quyết đúng hẹn"),  # second 3.3.1
    ("III.3.3.2", "3.3.2", "Số lượng hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hẹn"),
    ("III.P10", "-3.3.2/Trả trực tiếp", "Trả trực tiếp"),
    ("III.P11", "-3.3.2/Trả qua BCCI", "Trả qua BCCI"),
    ("III.P12", "-3.3.2/Giải quyết trực tuyến mức độ 3", "Giải quyết trực tuyến mức độ 3"),
    ("III.P13", "-3.3.2/Giải quyết trực tuyến mức độ 4", "Giải quyết trực tuyến mức độ 4"),
    ("III.P14", "3.3.3", "Số lượng hồ sơ TTHC về lĩnh vực đất đai được giải quyết đúng hẹn"),
    ("III.P14.1", "-3.3.3/Tại cấp huyện", ""),
    ("III.P14.2", "-3.3.3/Tại cấp xã", ""),
    ("III.P15", "3.3.4", "Số lượng hồ sơ TTHC về lĩnh vực xây dựng được giải quyết đúng hẹn"),
    ("III.P15.1", "-3.3.4/Tại cấp huyện", ""),
    ("III.P15.2", "-3.3.4/Tại cấp xã", ""),
    ("III.P16", "3.4", "Công khai kết quả giải quyết"),
    ("III.P17", "3.4.1", "Công khai kết quả giải quyết trên cổng dịch vụ công của tỉnh"),
    ("III.P17.1", "-3.4.1/Tại cấp huyện", ""),
    ("III.P17.2", "-3.4.1/Tại cấp xã", ""),
    ("III.P18", "3.4.2", "Công khai kết quả giải quyết trên trang TTĐT của đơn vị"),
    ("III.P18.1", "-3.4.2/Tại cấp huyện", ""),
    ("III.P18.2", "-3.4.2/Tại cấp xã", ""),
    ("VII.5.4.2", "3.4.3", "Số TTHC đã tích hợp dịch vụ thanh toán trực tuyến trên cổng dịch vụ công"),
    ("VII.P6", "-3.4.3/Tại cấp huyện", ""),
    ("VII.P7", "-3.4.3/Tại cấp xã", ""),
    ("III.P19", "3.5", "Số thư/ trường hợp đã công khai xin lỗi"),
    ("III.P19.1", "-3.5/Tại cấp huyện", ""),
    ("III.P19.2", "-3.5/Tại cấp xã", ""),
    ("IV.1", "4.1", "Cơ cấu tổ chức bộ máy"),
    ("IV.2", "4.2", "Số liệu về biên chế công chức"),
    ("IV.2.1", "4.2.1", "Tổng số biên chế được giao trong năm"),
    ("IV.2.2", "4.2.2", "Tổng số biên chế có mặt tại thời điểm báo cáo"),
    ("IV.2.3", "4.2.3", "Số hợp đồng lao động làm việc tại cơ quan hành chính nhà nước"),
    ("IV.2.4", "4.2.4", "Số biên chế đã tinh giản trong kỳ báo cáo"),
    ("IV.2.5", "4.2.5", "Tỷ lệ % biên chế đã tinh giản so với năm 2015"),
    ("IV.3", "4.3", "Số người làm việc hưởng lương từ NSNN tại các đơn vị sự nghiệp công lập"),
    ("VII.P2", "7.1", "Xây dựng và vận hành hệ thống họp trực tuyến"),
    ("VII.P8", "7.2", "Tỷ lệ cơ quan chuyên môn UBND cấp huyện, UBND cấp xã được cấp chứng thư số"),
    ("VII.4", "7.3", "Số liệu về văn bản trao đổi điện tử"),
    ("VII.P9", "7.3.1", "Thực hiện kết nối, liên thông các Hệ thống quản lý văn bản điều hành từ huyện đến cấp xã"),
    ("VII.4.1.3", "7.3.2", "Tỷ lệ UBND xã đã kết nối, liên thông với UBND huyện"),
    ("VII.P10", "7.3.3", "Tổng số VĂN BẢN ĐI giữa các cơ quan nhà nước trên địa bàn huyện"),
    ("VII.4.2", "-7.3.3/Tỷ lệ văn bản được gửi hoàn toàn dưới dạng điện tử",
     "Tỷ lệ văn bản được gửi hoàn toàn dưới dạng điện tử"),
    ("VII.P11", "-7.3.3/Tỷ lệ văn bản được gửi hoàn toàn dưới dạng điện tử và song song với văn bản giấy",
     "Tỷ lệ văn bản được gửi hoàn toàn dưới dạng điện tử và song song với văn bản giấy"),
    ("VII.4.3", "7.4", "Vận hành Hệ thống thông tin một cửa điện tử"),
    ("VII.P12", "7.4.1", "Kết nối liên thông với Hệ thống một cửa điện tử cấp tỉnh"),
    ("VII.P4", "7.4.2", "Tỷ lệ đơn vị cấp xã đã kết nối liên thông với Hệ thống một cửa điện tử cấp tỉnh"),
    ("VII.5", "7.5", "Dịch vụ công trực tuyến"),
    ("VII.5.1.2", "7.5.1", "Tổng số TTHC cung cấp trực tuyến một phần"),
    ("VII.5.2.2", "7.5.2", "Tổng số TTHC cung cấp trực tuyến toàn trình"),
    ("VII.P13", "7.6", "Áp dụng hệ thống quản lý chất lượng ISO"),
    ("VII.P13.1", "7.6.1", "Thực hiện duy trì, áp dụng hệ thống tại UBND huyện"),
    ("VII.P13.2", "7.6.2", "Số lượng đơn vị cấp xã đã áp dụng"),
    ("VII.P13.3", "7.6.3", "Thực hiện duy trì, áp dụng hệ thống tại UBND cấp xã"),
]
# seed 004 area headings (no indicator of their own): 1, 2, 3, 4, 5, 6, 7
for _c, _ref, _alias in SEED004:
    th(_c, _ref, _alias)


def roman(code):
    return code.split(".")[0]


def build():
    rows = []
    for r in BASE + EXTRA:
        code, name, unit, kind, agg, num, den, clist, cum, note = r
        rows.append([code, roman(code), name, unit, kind, agg, num, den, clist, str(cum),
                     "|".join(BM.get(code, [])), "|".join(TH.get(code, [])),
                     "|".join(a for a in dict.fromkeys(ALIASES.get(code, [])) if a != name), note])
    order = ["I", "II", "III", "IV", "V", "VI", "VII"]

    def key(row):
        parts = row[0].split(".")
        out = [order.index(parts[0])]
        for p in parts[1:]:
            out.append((1, int(p[1:])) if p.startswith("P") else (0, int(p)))
        return out
    # keep project rows after the national rows of the same parent level
    rows.sort(key=lambda r: [(x if isinstance(x, tuple) else (0, x)) for x in key(r)])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    build()


def check():
    """Consistency check of the written CSV (csv module only)."""
    import collections
    import re
    with OUT.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    codes = [r["code"] for r in rows]
    byc = {r["code"]: r for r in rows}
    errs = []
    dup = [c for c, n in collections.Counter(codes).items() if n > 1]
    if dup:
        errs.append(f"duplicate codes {dup}")
    for r in rows:
        c = r["code"]
        if not re.fullmatch(r"(I|II|III|IV|V|VI|VII)(\.(\d+|P\d+))+", c):
            errs.append(f"{c}: bad code")
        if r["area"] != c.split(".")[0]:
            errs.append(f"{c}: area mismatch")
        for k in ("numerator", "denominator"):
            if r[k] and r[k] not in byc:
                errs.append(f"{c}: {k} {r[k]} missing")
        if r["agg"] == "ratio" and not (r["kind"] == "rate" and r["numerator"] and r["denominator"]):
            errs.append(f"{c}: ratio needs rate + parts")
        if r["agg"] != "ratio" and (r["numerator"] or r["denominator"]):
            errs.append(f"{c}: parts on non-ratio")
        if r["agg"] == "by_code" and not (r["kind"] == "coded" and r["code_list"] and r["unit"] == "Mã"):
            errs.append(f"{c}: by_code needs coded + code_list")
        if r["kind"] == "coded" and r["agg"] != "by_code":
            errs.append(f"{c}: coded needs by_code")
        if r["code_list"] and r["kind"] != "coded":
            errs.append(f"{c}: code_list on non-coded")
        if r["agg"] == "sum" and r["kind"] not in ("count", "money"):
            errs.append(f"{c}: sum needs count/money")
        if r["kind"] in ("count", "money") and r["agg"] != "sum":
            errs.append(f"{c}: count/money needs sum")
        if r["agg"] == "unit_share" and r["kind"] != "rate":
            errs.append(f"{c}: unit_share needs rate")
        if (r["kind"] == "group") != (r["agg"] == "none"):
            errs.append(f"{c}: group <-> none")
        if r["kind"] == "group" and r["unit"]:
            errs.append(f"{c}: group with unit")
        if r["kind"] == "rate" and r["unit"] != "%":
            errs.append(f"{c}: rate unit {r['unit']}")
        if r["cumulative"] not in ("0", "1"):
            errs.append(f"{c}: cumulative")
        if ".P" not in c and False:
            pass
        # parent exists
        parent = c.rsplit(".", 1)[0]
        if parent.count(".") >= 1 and parent not in byc:
            errs.append(f"{c}: parent {parent} missing")
    print("ERRORS:", errs or "none")
    print("rows:", len(rows), "project codes:", sum(".P" in c for c in codes))
    print("per area:", dict(collections.Counter(r["area"] for r in rows)))
    bm_refs = [x for r in rows for x in r["bm_code"].split("|") if x]
    th_refs = [x for r in rows for x in r["th_code"].split("|") if x]
    print("seed000 covered (%d):" % len(bm_refs), " ".join(sorted(bm_refs, key=lambda s: (s[:3], [int(p) for p in s[4:].split(".")]))))
    print("seed004 coded covered (%d):" % len([x for x in th_refs if not x.startswith("-")]),
          " ".join(sorted((x for x in th_refs if not x.startswith("-")), key=lambda s: [int(p) for p in s.split(".")])))
    print("seed004 uncoded covered (%d):" % len([x for x in th_refs if x.startswith("-")]),
          " | ".join(x for x in th_refs if x.startswith("-")))
    dupref = [x for x, n in collections.Counter(bm_refs).items() if n > 1]
    print("seed000 refs used twice:", dupref or "none")
    print("seed004 refs used twice:", [x for x, n in collections.Counter(th_refs).items() if n > 1] or "none")
    expect = {"I.2.1": "1.1.1", "III.1.4": "3.1.3", "III.1.4.3": "-3.1.3/Số TTHC cấp xã",
              "III.3.3.2": "3.3.2", "I.5.1": "1.3.1", "IV.2.2": "4.2.2"}
    for c, ref in expect.items():
        print("  expect", c, "<-", ref, "OK" if ref in byc[c]["th_code"].split("|") else "MISSING")


if __name__ == "__main__":
    check()
