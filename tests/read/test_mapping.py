"""Matching printed rows to canonical indicators (pipeline.read.mapping): printed code as a hint, name, unit, area."""

from pipeline.read.mapping import ACCEPT_BY_NAME, map_rows
from pipeline.read.table import RawRow


def row(name, unit, printed_code="", *, layout="bieumau", area=3, form=3, parent_code="", parent_name="", r=10, raw=1):
    return RawRow(sheet=f"Biểu mẫu {form or area}", row=r, layout=layout, area=area, form=form, printed_code=printed_code,
                  name=name, unit=unit, raw=raw, value_ref=f"D{r}", note="", parent_code=parent_code, parent_name=parent_name)


def codes(rows, catalog):
    return [m.indicator_code for m in map_rows(rows, catalog)]


def test_bieu_mau_rows_land_on_their_codes(catalog):
    # xã Ngọc Kỳ, quý III 2023: Biểu mẫu 3, 3.3 / 3.3.1 / 3.3.2 and Biểu mẫu 1, 1 / 2 / 2.1 / 2.2
    rows = [
        row("Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn", "%", "3.3", raw=99.5),
        row("Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", "3.3.1", parent_code="3.3", raw=1200),
        row("Số hồ sơ TTHC giải quyết đúng hạn", "Hồ sơ", "3.3.2", parent_code="3.3", raw=1194),
        row("Số văn bản chỉ đạo CCHC đã ban hành", "Văn bản", "1", area=1, form=1, raw=12),
        row("Tỷ lệ hoàn thành Kế hoạch CCHC năm", "%", "2", area=1, form=1, raw=80),
        row("Số nhiệm vụ đề ra trong kế hoạch", "Nhiệm vụ", "2.1", area=1, form=1, parent_code="2", raw=25),
        row("Số nhiệm vụ đã hoàn thành", "Nhiệm vụ", "2.2", area=1, form=1, parent_code="2", raw=20),
    ]
    assert codes(rows, catalog) == ["III.3.3", "III.3.3.1", "III.3.3.2", "I.1", "I.2", "I.2.1", "I.2.2"]


def test_name_alone_finds_the_row_without_a_printed_code(catalog):
    (m,) = map_rows([row("Số hồ sơ TTHC đã tiếp nhận trực tuyến", "Hồ sơ", area=7, form=None, layout="national")], catalog)
    assert m.indicator_code == "VII.5.3.2" and m.score >= ACCEPT_BY_NAME


def test_national_code_inside_its_area(catalog):
    rows = [row("Tổng số hồ sơ TTHC đã tiếp nhận (cả trực tiếp và trực tuyến)", "Hồ sơ", "5.3.1", layout="national",
                area=7, form=None, raw=1250)]
    assert codes(rows, catalog) == ["VII.5.3.1"]


def test_a_rate_printed_as_a_count_is_not_taken_for_the_rate(catalog):
    # the rate's name with a count unit: the unit penalty keeps it off III.3.3
    (m,) = map_rows([row("Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn", "Hồ sơ", area=3, form=None,
                         layout="national")], catalog)
    assert m.indicator_code != "III.3.3"


def test_a_row_matching_nothing_stays_unmatched(catalog):
    (m,) = map_rows([row("Số cây xanh được trồng mới trên địa bàn", "Cây", area=3, form=None, layout="national")], catalog)
    assert m.indicator_code is None and m.score < ACCEPT_BY_NAME
