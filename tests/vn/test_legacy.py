"""Legacy Vietnamese encodings: TCVN3 (ABC, .VnTime/.VnTimeH) and VNI-Windows, as read from old workbooks."""

from __future__ import annotations

import unicodedata
import zipfile

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from pipeline.vn.encodings import (
    cell_encodings,
    font_encoding,
    guess_encoding,
    tcvn3_to_unicode,
    to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
    workbook_legacy_fonts,
)

TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
BASES = "a ă â e ê i o ô ơ u ư y".split()
LOWER = [unicodedata.normalize("NFC", b + t) for b in BASES for t in TONES] + ["đ"]
ALL_LETTERS = [ch for low in LOWER for ch in (low, low.upper()) if not ch.isascii()]
UPPER_TONED = [ch for ch in ALL_LETTERS if ch.isupper() and any(t in unicodedata.normalize("NFD", ch) for t in TONES[1:])]

PHRASES = [
    "Số liệu", "Chỉ tiêu thống kê", "Đơn vị tính", "Tổng số hồ sơ TTHC đã giải quyết xong",
    "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn", "Có = 1; Không = 0",
]
UPPER_PHRASES = ["ỦY BAN NHÂN DÂN", "THỊ TRẤN THANH MIỆN", "UBND THỊ TRẤN THANH MIỆN"]


def test_the_134_letters():
    assert len(ALL_LETTERS) == 134 and len(set(ALL_LETTERS)) == 134
    assert len(UPPER_TONED) == 60


def test_tcvn3_known_codes():
    assert unicode_to_tcvn3("ố") == "\xe8" == "è"
    assert unicode_to_tcvn3("ệ") == "\xd6" == "Ö"
    expected = {"đ": 0xAE, "Đ": 0xA7, "ư": 0xAD, "ơ": 0xAC, "â": 0xA9, "ê": 0xAA, "ô": 0xAB, "ă": 0xA8,
                "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "á": 0xB8, "à": 0xB5, "ạ": 0xB9,
                "ỵ": 0xFE, "ý": 0xFD, "ự": 0xF9}
    for uni, code in expected.items():
        assert unicode_to_tcvn3(uni) == bytes([code]).decode("cp1252"), uni
    assert tcvn3_to_unicode("Sè liÖu") == "Số liệu"
    assert tcvn3_to_unicode("§¬n vÞ tÝnh") == "Đơn vị tính"
    assert tcvn3_to_unicode("ChØ tiªu thèng kª") == "Chỉ tiêu thống kê"
    assert tcvn3_to_unicode("n\xadíc") == "nước"


def test_tcvn3_codes_are_distinct_single_bytes():
    codes = [unicode_to_tcvn3(ch) for ch in LOWER if not ch.isascii()]
    codes += [unicode_to_tcvn3(ch) for ch in "ĂÂÊÔƠƯĐ"]
    assert all(len(c) == 1 and 0xA1 <= ord(c) <= 0xFE for c in codes)
    assert len(set(codes)) == len(codes) == 74


@pytest.mark.parametrize("letter", [ch for ch in ALL_LETTERS if ch not in UPPER_TONED])
def test_tcvn3_round_trip_every_representable_letter(letter):
    encoded = unicode_to_tcvn3(letter)
    assert len(encoded) == 1 and ord(encoded) < 256
    assert tcvn3_to_unicode(encoded) == letter


@pytest.mark.parametrize("letter", UPPER_TONED)
def test_tcvn3_uppercase_toned_letters_need_an_uppercase_font(letter):
    stored = unicode_to_tcvn3(letter, uppercase_font=True)
    assert stored == unicode_to_tcvn3(letter.lower())
    assert tcvn3_to_unicode(stored, uppercase_font=True) == letter
    # A plain .VnTime font has no such letter: the lowercase code is the usual lossy fallback.
    assert tcvn3_to_unicode(unicode_to_tcvn3(letter)) == letter.lower()


@pytest.mark.parametrize("letter", ALL_LETTERS)
def test_vni_round_trip_every_letter(letter):
    encoded = unicode_to_vni(letter)
    assert 1 <= len(encoded) <= 2 and all(ord(c) < 256 for c in encoded)
    assert vni_to_unicode(encoded) == letter


def test_vni_codes_are_distinct():
    codes = [unicode_to_vni(ch) for ch in ALL_LETTERS]
    assert len(set(codes)) == 134


def test_vni_known_sequences():
    assert unicode_to_vni("ố") == "oá"
    assert unicode_to_vni("ệ") == "eä"
    for uni, vni in {"đ": "ñ", "Đ": "Ñ", "ư": "ö", "ơ": "ô", "Ư": "Ö", "Ơ": "Ô", "ớ": "ôù", "Ự": "ÖÏ", "ỵ": "î",
                     "ị": "ò", "ỉ": "æ", "ĩ": "ó", "ă": "aê", "ặ": "aë", "â": "aâ", "Ấ": "AÁ"}.items():
        assert unicode_to_vni(uni) == vni, uni
    assert vni_to_unicode("Soá lieäu") == "Số liệu"
    assert vni_to_unicode("Ñôn vò tính") == "Đơn vị tính"
    assert vni_to_unicode("nöôùc") == "nước"   # longest match: "ôù" is ớ, not ơ + ù
    assert vni_to_unicode("muoán") == "muốn"


@pytest.mark.parametrize("phrase", PHRASES + UPPER_PHRASES)
def test_phrases_round_trip(phrase):
    assert tcvn3_to_unicode(unicode_to_tcvn3(phrase, uppercase_font=True), uppercase_font=True) == phrase.upper()
    assert vni_to_unicode(unicode_to_vni(phrase)) == phrase
    if not any(ch in UPPER_TONED for ch in phrase):
        assert tcvn3_to_unicode(unicode_to_tcvn3(phrase)) == phrase


def test_uppercase_font_tcvn3():
    stored = unicode_to_tcvn3("UBND THỊ TRẤN THANH MIỆN", uppercase_font=True)
    assert stored == "ubnd thÞ trÊn thanh miÖn"
    assert tcvn3_to_unicode(stored, uppercase_font=True) == "UBND THỊ TRẤN THANH MIỆN"
    assert to_unicode(stored, "tcvn3-upper") == "UBND THỊ TRẤN THANH MIỆN"
    assert to_unicode(unicode_to_tcvn3("ỦY BAN NHÂN DÂN", uppercase_font=True), "tcvn3-upper") == "ỦY BAN NHÂN DÂN"


@pytest.mark.parametrize("font,expected", [
    (".VnTime", "tcvn3"), (".VnTimeH", "tcvn3-upper"), (".vntime", "tcvn3"), (".VNTIMEH", "tcvn3-upper"),
    (".VnArial", "tcvn3"), (".VnArialH", "tcvn3-upper"), (".VnArial Narrow", "tcvn3"),
    (".VnArial NarrowH", "tcvn3-upper"), (".VnCentury Schoolbook", "tcvn3"), (".VnAvantH", "tcvn3-upper"),
    (" .VnTime ", "tcvn3"), ("VnTime", "tcvn3"), ("VnTimeH", "tcvn3-upper"),
    ("VNI-Times", "vni"), ("VNI-Helve", "vni"), ("vni-helve-condense", "vni"), ("VNI-Aptima", "vni"),
    ("Times New Roman", None), ("Arial", None), ("Calibri", None), ("", None), (None, None), ("Vni", None),
])
def test_font_encoding(font, expected):
    assert font_encoding(font) == expected


@pytest.mark.parametrize("phrase", PHRASES)
def test_guess_encoding_of_legacy_text(phrase):
    assert guess_encoding(unicode_to_tcvn3(phrase)) == "tcvn3"
    assert guess_encoding(unicode_to_vni(phrase)) == "vni"


@pytest.mark.parametrize("text", [
    "", "Tong so 123", "UBND", "TTHC", "12,5%", "Số liệu", "Có = 1; Không = 0", "Có", "Không",
    "Đơn vị tính", "ỦY BAN NHÂN DÂN", "Thị trấn Thanh Miện", "Hòa Bình", "Café", "Résumé", "Müller", "Æsop",
    "Tổng số hồ sơ TTHC đã giải quyết xong", "– 25 °C × 2",
])
def test_guess_encoding_leaves_plain_and_unicode_alone(text):
    assert guess_encoding(text) is None


def test_guess_encoding_short_legacy_cells():
    assert guess_encoding("Sè liÖu") == "tcvn3"
    assert guess_encoding("Kh«ng") == "tcvn3"
    assert guess_encoding("ubnd thÞ trÊn thanh miÖn") == "tcvn3"
    assert guess_encoding("CHÝNH QUYÒN Sè") == "tcvn3"       # caps typed in a plain .VnTime font
    assert guess_encoding("§VT") == "tcvn3"
    assert guess_encoding("§/c NguyÔn V¨n A") == "tcvn3"
    assert guess_encoding("Coù") == "vni"
    assert guess_encoding("Ñôn vò tính") == "vni"
    assert guess_encoding("Ñoàng Nai") == "vni"
    assert guess_encoding("Bò töø choái: 3 · Truøng laëp: 2") == "vni"


@pytest.mark.parametrize("text", [
    "naïve café", "São Paulo", "España", "Straße", "Ä Ö Ü", "© 2023 ®", "½ kg", "Où est-il ?", "x² ≥ 0",
    "Cã",  # "Có" in TCVN3 is also the Unicode word "Cã": undecidable, left alone
])
def test_guess_encoding_is_conservative(text):
    assert guess_encoding(text) is None


def test_to_unicode_dispatch():
    assert to_unicode("Sè liÖu", "tcvn3") == "Số liệu"
    assert to_unicode("Soá lieäu", "vni") == "Số liệu"
    assert to_unicode("Sè liÖu", None) == "Sè liÖu"
    assert to_unicode("So\u0302\u0301 lie\u0323\u0302u", None) == "Số liệu"  # NFC
    assert to_unicode("Số liệu", "tcvn3") == "Số liệu"  # already Unicode: not converted twice
    with pytest.raises(ValueError):
        to_unicode("x", "viscii")


LEGACY_CELLS = {
    (0, 0): ("Số liệu", ".VnTime", False),
    (1, 0): ("Chỉ tiêu thống kê", ".VnTime", False),
    (1, 1): ("Đơn vị tính", ".VnTime", False),
    (2, 0): ("Tổng số hồ sơ TTHC đã giải quyết xong", ".VnTime", False),
    (3, 2): ("Có = 1; Không = 0", ".VnTime", False),
    (5, 0): ("UBND THỊ TRẤN THANH MIỆN", ".VnTimeH", True),
}


def _legacy_workbook(path):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Biểu 1")
    formats = {name: wb.add_format({"font_name": name}) for name in (".VnTime", ".VnTimeH", "Times New Roman")}
    for (r, c), (text, font, upper) in LEGACY_CELLS.items():
        ws.write_string(r, c, unicode_to_tcvn3(text, uppercase_font=upper), formats[font])
    ws.write_string(4, 0, "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn", formats["Times New Roman"])
    ws.write_number(2, 1, 922, formats[".VnTime"])      # numbers are not text
    ws.write_string(2, 2, "   ", formats[".VnTime"])     # blank text is nothing to convert
    ws.write_string(6, 0, "Ghi chú")                   # default font (Calibri)
    wb.add_worksheet("Trống")
    ws2 = wb.get_worksheet_by_name("Trống")
    ws2.write_string(0, 0, unicode_to_vni("Đơn vị tính"), wb.add_format({"font_name": "VNI-Times"}))
    wb.close()
    return path


def test_cell_encodings_end_to_end(tmp_path):
    path = _legacy_workbook(tmp_path / "legacy.xlsx")
    assert workbook_legacy_fonts(path)
    found = cell_encodings(path)
    expected = {("Biểu 1", r, c): ("tcvn3-upper" if upper else "tcvn3") for (r, c), (_, _, upper) in LEGACY_CELLS.items()}
    expected[("Trống", 0, 0)] = "vni"
    assert found == expected

    # python-calamine hands back the stored (cp1252-looking) strings; converting gives the original text back.
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name("Biểu 1").to_python()
    assert rows[0][0] == "Sè liÖu"
    for (r, c), (text, _, upper) in LEGACY_CELLS.items():
        expected_text = text.upper() if upper else text
        assert to_unicode(rows[r][c], found[("Biểu 1", r, c)]) == expected_text
        assert guess_encoding(rows[r][c]) == "tcvn3"
    assert rows[4][0] == "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn"
    assert ("Biểu 1", 4, 0) not in found
    vni_rows = book.get_sheet_by_name("Trống").to_python()
    assert to_unicode(vni_rows[0][0], found[("Trống", 0, 0)]) == "Đơn vị tính"

    # openpyxl returns the same stored strings.
    import openpyxl
    ws = openpyxl.load_workbook(path)["Biểu 1"]
    for (r, c), (text, _, upper) in LEGACY_CELLS.items():
        assert ws.cell(r + 1, c + 1).value == rows[r][c] == unicode_to_tcvn3(text, uppercase_font=upper)


def test_unicode_workbook_has_no_legacy_fonts(tmp_path):
    path = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_string(0, 0, "Số liệu", wb.add_format({"font_name": "Times New Roman"}))
    wb.close()
    assert not workbook_legacy_fonts(path)
    assert cell_encodings(path) == {}


def test_xls_and_broken_files(tmp_path):
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert not workbook_legacy_fonts(xls) and cell_encodings(xls) == {}
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    assert not workbook_legacy_fonts(junk)
    nostyles = tmp_path / "nostyles.xlsx"
    with zipfile.ZipFile(nostyles, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    assert not workbook_legacy_fonts(nostyles)
