"""Figures typed as text with Vietnamese or English separators: one number convention per file, never a shifted value.

"1,200" hồ sơ is 1200 (a count is whole), "3.000" hồ sơ is 3000, "67,1" % is 67.1, "98.17" % is 98.17. A money
figure such as "2,014" triệu đồng is read with the convention the file's other cells show, or left out with
`value-separator-ambiguous` on its cell when they do not tell.
"""

from __future__ import annotations

import openpyxl
import pytest

from pipeline.vn.numbers import VIETNAMESE, Convention, decide_convention, parse_number
from pipeline.read.submission import parse_submission
from pipeline.read.cells import normalise_value
from samples.cases import FINANCE, FIRST_ROW, TEN
from samples.cases import rows as case_rows

# ----------------------------------------------------------------------------------------- the convention decision


def _read(cells, raw, kind):
    """Read `raw` as an indicator of `kind` in a file whose (raw, kind) value cells are `cells` (raw included)."""
    return parse_number(raw, decide_convention(cells + [(raw, kind)]), kind)


def test_english_only_file():
    cells = [("1,200", "count"), ("98.17", "rate"), ("1,194", "count"), ("12", "count")]
    conv = decide_convention(cells)
    assert conv == Convention(dot="decimal", comma="group")
    assert _read(cells, "2,014", "money").value == 2014
    assert _read(cells, "3,000", "money").value == 3000
    assert _read(cells, "1.500", "money").value == pytest.approx(1.5)  # the dot is this file's decimal point
    assert parse_number("1,234.5", conv, "money").value == pytest.approx(1234.5)
    assert parse_number("8,024,907,482", conv, "money").value == 8024907482


def test_vietnamese_only_file():
    cells = [("3.000", "count"), ("67,1", "rate"), ("8.024.907.482", "money"), ("1.234,5", "money")]
    conv = decide_convention(cells)
    assert conv == Convention(dot="group", comma="decimal")
    assert _read(cells, "2.014", "money").value == 2014
    assert _read(cells, "2,014", "money").value == pytest.approx(2.014)  # the comma is this file's decimal comma
    assert parse_number("1.200", conv, "count").value == 1200


def test_vietnamese_counts_with_decimal_comma_rates_are_one_convention():
    cells = [("3.000", "count"), ("67,1", "rate"), ("26,6", "rate")]
    assert decide_convention(cells) == Convention(dot="group", comma="decimal")
    assert _read(cells, "2.014", "money").value == 2014
    assert _read(cells, "1.250", "count").value == 1250


def test_english_counts_with_vietnamese_decimal_rates():
    """The case's mix: counts grouped with commas, rates with a decimal comma, money in triệu đồng."""
    cells = [("1,200", "count"), ("1,250", "count"), ("99,5", "rate"), ("67,1", "rate")]
    conv = decide_convention(cells)
    assert conv.comma == "group"  # "1,200" hồ sơ shows what a comma before three digits means in this file
    assert conv.dot is None  # commas group here but also mark decimals: a lone "1.500" cannot be told
    assert _read(cells, "3,000", "money").value == 3000
    assert _read(cells, "2,014", "money").value == 2014
    assert _read(cells, "67,1", "rate").value == pytest.approx(67.1)
    assert _read(cells, "1.500", "money").status == "ambiguous"


def test_file_with_only_ambiguous_cells():
    cells = [("3,000", "money"), ("2,014", "money")]
    conv = decide_convention(cells)
    for raw in ("3,000", "2,014"):
        parsed = parse_number(raw, conv, "money")
        assert parsed.status == "ambiguous" and parsed.value is None and parsed.raw == raw
    v = normalise_value("2,014", "money", "Triệu đồng", {}, conv)
    assert v.value is None and v.raw == "2,014" and v.issue == "value-separator-ambiguous"
    assert v.params == {"as_group": "2014", "as_decimal": "2,014"}


def test_money_versus_count():
    """A count cannot have three decimals, money can: the same text reads differently without other evidence."""
    conv = decide_convention([("1,200", "money")])
    assert parse_number("1,200", conv, "money").status == "ambiguous"
    assert decide_convention([("1,200", "count")]).comma == "group"
    assert parse_number("1,200", conv, "count").value == 1200
    assert parse_number("1,000", conv, "count").value == 1000
    assert parse_number("1.200", conv, "rate").value == pytest.approx(1.2)  # 1200 % is no rate
    assert parse_number("1,5", conv, "count").value == pytest.approx(1.5)  # left to the count-not-integer check


def test_contradictory_evidence_leaves_the_separator_undecided():
    cells = [("1,200", "count"), ("12,500", "rate")]  # a comma before three digits groups and marks decimals
    assert decide_convention(cells).comma is None
    assert _read(cells, "2,014", "money").status == "ambiguous"
    cells = [("1,234.5", "money"), ("1234,567", "money")]  # commas group thousands and carry three decimals
    conv = decide_convention(cells)
    assert conv.dot is None and conv.comma is None
    assert _read(cells, "2.014", "money").status == "ambiguous"


def test_seed_typing_dot_groups_dot_decimals():
    """Seed 000 (thị trấn Thanh Miện): "3.000" and "2.014" triệu đồng beside "67,1" and "98.17" %: the Vietnamese norm."""
    cells = [("3.000", "money"), ("2.014", "money"), ("67,1", "rate"), ("98.17", "rate")]
    conv = decide_convention(cells)
    assert parse_number("3.000", conv, "money").value == 3000
    assert parse_number("2.014", conv, "money").value == 2014
    assert parse_number("98.17", conv, "rate").value == pytest.approx(98.17)


def test_numbers_stored_as_numbers_are_no_evidence_and_unaffected():
    conv = decide_convention([(1200.0, "count"), (3.0, "money"), (None, "money"), ("Không", "count")])
    assert conv.comma is None and conv.dot == "group"
    assert parse_number(3.0, conv, "money").value == 3.0
    assert parse_number(2.014, conv, "money").value == pytest.approx(2.014)


@pytest.mark.parametrize("raw,expected", [
    ("0,125", 0.125), ("0.125", 0.125), ("1234,567", 1234.567), ("1234.567", 1234.567), ("-1.234,5", -1234.5),
    ("1,234,567", 1234567), ("1.234.567,89", 1234567.89), ("99,92 %", 99.92), ("\u00a01.200.000\u00a0", 1200000),
])
def test_shapes_that_read_one_way(raw, expected):
    for conv in (VIETNAMESE, Convention(dot=None, comma=None), Convention(dot="decimal", comma="group")):
        parsed = parse_number(raw, conv, "money")
        assert parsed.status == "number" and parsed.value == pytest.approx(expected), (raw, conv)


@pytest.mark.parametrize("raw", ["1.2.3", "1,23,456", "1.234,5.6", "12.34.567", "1,2.345"])
def test_malformed_groups_are_not_numbers(raw):
    assert parse_number(raw).status == "invalid"


# ----------------------------------------------------------------------------------------- whole workbooks

ROWS = case_rows(after={"3.3.2.": FINANCE})  # the cases' Phụ lục with a section VI block
CODES = ["I.1", "I.2", "I.2.1", "I.2.2", "III.3.3", "III.3.3.1", "III.3.3.2", "VI.1", "VI.1.1", "VI.1.2",
         "VII.5.3", "VII.5.3.1", "VII.5.3.2"]
EXPECTED = {**TEN, "VI.1": 67.1, "VI.1.1": 3000, "VI.1.2": 2014}


def _workbook(path, typed: dict[str, str]):
    """The Phụ lục with a Text-formatted value column; `typed` maps indicator codes to the text typed instead."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws["A1"], ws["A2"] = "ỦY BAN NHÂN DÂN", "XÃ NGỌC KỲ"
    ws["C1"], ws["C2"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"
    ws["A4"] = "PHỤ LỤC"
    ws["A5"] = "Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính quý III năm 2023"
    ws["A6"] = "(Số liệu tính từ ngày 15/6/2023 đến ngày 14/9/2023)"
    ws["A8"], ws["B8"], ws["C8"], ws["E8"] = "STT", "Chỉ tiêu thống kê", "Kết quả thống kê", "Ghi chú"
    ws["C9"], ws["D9"] = "Đơn vị tính", "Số liệu"
    for rng in ("A8:A9", "B8:B9", "C8:D8", "E8:E9"):
        ws.merge_cells(rng)
    refs, codes = {}, iter(CODES)
    for i, (printed, name, unit, value) in enumerate(ROWS):
        r = FIRST_ROW + i
        code = next(codes) if value is not None else None
        ws.cell(r, 1, printed)
        ws.cell(r, 2, name)
        ws.cell(r, 3, unit or None)
        ws.cell(r, 4, typed.get(code, value))
        ws.cell(r, 4).number_format = "@"
        if code:
            refs[code] = f"D{r}"
    wb.save(path)
    return refs


def _parse(tmp_path, registry, catalog, typed):
    path = tmp_path / "Phu luc CCHC quy III 2023 - Ngoc Ky.xlsx"
    refs = _workbook(path, typed)
    sub = parse_submission(path, registry, catalog)
    assert (sub.unit_code, sub.period_code) == ("ngoc_ky", "2023-Q3")
    assert sub.rejected_by is None
    obs = sub.observations.set_index("indicator_code")
    return sub, obs, refs


def _check_values(obs, typed, left_out=()):
    for code, want in EXPECTED.items():
        if code in left_out:
            assert pd_isna(obs.at[code, "value"]), code
        else:
            assert obs.at[code, "value"] == pytest.approx(want), code
        if code in typed:
            assert obs.at[code, "raw"] == typed[code]  # the text as typed stays beside the number


def pd_isna(x) -> bool:
    return x is None or x != x


def test_workbook_english_counts_vietnamese_rates(tmp_path, registry, catalog):
    """The case english-separators-text: never 1.2, 1.25, 3 or 2.014."""
    typed = {"III.3.3": "99,5", "III.3.3.1": "1,200", "VII.5.3.1": "1,250", "VI.1": "67,1", "VI.1.1": "3,000",
             "VI.1.2": "2,014"}
    sub, obs, refs = _parse(tmp_path, registry, catalog, typed)
    _check_values(obs, typed)
    assert not [i for i in sub.issues if i["code"] == "value-separator-ambiguous"]


def test_workbook_english_file(tmp_path, registry, catalog):
    typed = {"III.3.3": "99.5", "III.3.3.1": "1,200", "VII.5.3.1": "1,250", "VI.1": "67.1", "VI.1.1": "3,000",
             "VI.1.2": "2,014", "III.3.3.2": "1,194"}
    sub, obs, refs = _parse(tmp_path, registry, catalog, typed)
    _check_values(obs, typed)


def test_workbook_vietnamese_file(tmp_path, registry, catalog):
    typed = {"III.3.3": "99,5", "III.3.3.1": "1.200", "VII.5.3.1": "1.250", "VI.1": "67,1", "VI.1.1": "3.000",
             "VI.1.2": "2.014", "VII.5.3.2": "1.100"}
    sub, obs, refs = _parse(tmp_path, registry, catalog, typed)
    _check_values(obs, typed)
    assert not [i for i in sub.issues if i["severity"] == "error"]


def test_workbook_only_ambiguous_money(tmp_path, registry, catalog):
    """Nothing else is typed as text: "3,000" and "2,014" triệu đồng are left out, each with an issue on its cell."""
    typed = {"VI.1.1": "3,000", "VI.1.2": "2,014"}
    sub, obs, refs = _parse(tmp_path, registry, catalog, typed)
    _check_values(obs, typed, left_out=("VI.1.1", "VI.1.2"))
    found = {(i["code"], i["cell"], i["indicator_code"], i["severity"]) for i in sub.issues}
    assert ("value-separator-ambiguous", refs["VI.1.1"], "VI.1.1", "error") in found
    assert ("value-separator-ambiguous", refs["VI.1.2"], "VI.1.2", "error") in found
    assert "2014" in next(i["message"] for i in sub.issues if i["indicator_code"] == "VI.1.2")


def test_workbook_count_settles_money(tmp_path, registry, catalog):
    """The same money cells read once one count shows the comma grouping thousands."""
    typed = {"VI.1.1": "3,000", "VI.1.2": "2,014", "VII.5.3.1": "1,250"}
    sub, obs, refs = _parse(tmp_path, registry, catalog, typed)
    _check_values(obs, typed)
