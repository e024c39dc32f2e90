"""Legacy fonts decide nothing alone: text is converted from TCVN3/VNI only when its characters are legacy-encoded.

An old template formatted in .VnTime but filled in with Unikey in Unicode mode stays as typed ("Xã Hà Thanh",
"Có"); the same template really typed in TCVN3 is converted ("X· Hµ Thanh" → "Xã Hà Thanh", "Cã" → "Có").
"""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.styles import Font

from pipeline.vn.encodings import confirm_encodings, text_evidence, unicode_to_tcvn3, unicode_to_vni
from pipeline.read.submission import parse_submission
from pipeline.read.workbook import read_workbook
from tests.rewrite import rewrite
from samples.cases import SURVEY, TEN
from samples.cases import rows as case_rows

ROWS = case_rows(after={"2.2.": [SURVEY]})  # the cases' Phụ lục with I.5 answered "Có"
EXPECTED = {**TEN, "I.5": 1}
HEAD = {"A1": "ỦY BAN NHÂN DÂN", "A2": "Xã Hà Thanh", "C1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "C2": "Độc lập - Tự do - Hạnh phúc", "A4": "PHỤ LỤC",
        "A5": "Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính quý III năm 2023",
        "A6": "(Số liệu tính từ ngày 15/6/2023 đến ngày 14/9/2023)",
        "A8": "STT", "B8": "Chỉ tiêu thống kê", "C8": "Kết quả thống kê", "E8": "Ghi chú", "C9": "Đơn vị tính", "D9": "Số liệu"}


def _tcvn3(text: str, upper: bool) -> str:
    return unicode_to_tcvn3(text, uppercase_font=upper)


def _workbook(path, head_tcvn3: bool, table_tcvn3: bool):
    """The Phụ lục of xã Hà Thanh with every cell in .VnTime (.VnTimeH for all-caps text typed in TCVN3)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"

    def put(ref_or_cell, text, legacy):
        cell = ws[ref_or_cell] if isinstance(ref_or_cell, str) else ref_or_cell
        upper = legacy and isinstance(text, str) and text.upper() == text and any(ch.isalpha() for ch in text)
        cell.value = _tcvn3(text, upper) if legacy and isinstance(text, str) else text
        cell.font = Font(name=".VnTimeH" if upper else ".VnTime", size=12)

    for ref, text in HEAD.items():
        put(ref, text, head_tcvn3)
    for rng in ("A8:A9", "B8:B9", "C8:D8", "E8:E9"):
        ws.merge_cells(rng)
    for i, (printed, name, unit, value) in enumerate(ROWS):
        r = 10 + i
        put(ws.cell(r, 1), printed, table_tcvn3)
        put(ws.cell(r, 2), name, table_tcvn3)
        put(ws.cell(r, 3), unit or None, table_tcvn3)
        put(ws.cell(r, 4), value, table_tcvn3)
    wb.save(path)
    return path


def _check(sub):
    assert (sub.unit_code, sub.period_code) == ("ha_thanh", "2023-Q3")
    assert [d.isoformat() for d in sub.window] == ["2023-06-15", "2023-09-14"]
    obs = sub.observations.set_index("indicator_code")
    for code, want in EXPECTED.items():
        assert obs.at[code, "value"] == pytest.approx(want), code
    assert obs.at["I.5", "raw"] == "Có"
    assert obs.at["III.3.3.1", "name"] == "Tổng số hồ sơ TTHC đã giải quyết xong"
    assert not [i for i in sub.issues if i["severity"] == "error"]


def test_vntime_cells_typed_in_unicode(tmp_path, registry, catalog):
    """The case vntime-font-unicode-text: the issuer is not decoded into "Xó Hà Thanh", "Có" stays "Có"."""
    path = _workbook(tmp_path / "BC CCHC quy III 2023.xlsx", head_tcvn3=False, table_tcvn3=False)
    texts = {v for s in read_workbook(path).sheets for row in s.rows for v in row if isinstance(v, str)}
    assert {"Xã Hà Thanh", "Có", "Có = 1; Không = 0", "ỦY BAN NHÂN DÂN"} <= texts
    _check(parse_submission(path, registry, catalog))


def test_vntime_cells_really_typed_in_tcvn3(tmp_path, registry, catalog):
    path = _workbook(tmp_path / "BC CCHC quy III 2023.xlsx", head_tcvn3=True, table_tcvn3=True)
    stored = openpyxl.load_workbook(path)["Phụ lục"]
    assert stored["A2"].value == "X· Hµ Thanh" and stored["D15"].value == "Cã"  # the file does hold TCVN3
    texts = {v for s in read_workbook(path).sheets for row in s.rows for v in row if isinstance(v, str)}
    assert {"Xã Hà Thanh", "Có", "ỦY BAN NHÂN DÂN", "STT"} <= texts
    _check(parse_submission(path, registry, catalog))


def test_mixed_workbook_tcvn3_letterhead_unicode_table(tmp_path, registry, catalog):
    """A letterhead kept from an old TCVN3 template above a table typed in Unicode, all in .VnTime."""
    path = _workbook(tmp_path / "BC CCHC quy III 2023.xlsx", head_tcvn3=True, table_tcvn3=False)
    texts = {v for s in read_workbook(path).sheets for row in s.rows for v in row if isinstance(v, str)}
    assert {"Xã Hà Thanh", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Có", "Tổng số hồ sơ TTHC đã giải quyết xong"} <= texts
    _check(parse_submission(path, registry, catalog))


def test_mixed_workbook_unicode_letterhead_tcvn3_table(tmp_path, registry, catalog):
    path = _workbook(tmp_path / "BC CCHC quy III 2023.xlsx", head_tcvn3=False, table_tcvn3=True)
    _check(parse_submission(path, registry, catalog))


@pytest.mark.parametrize("name", ["seed000_unicode_vntime.xlsx", "seed000_unicode_vntime.xls"])
def test_seed000_typed_in_unicode_with_legacy_fonts(tmp_path, seed000_file, hd_registry, catalog, name):
    """Seed 000 with every cell in .VnTime / .VnTimeH but the text left in Unicode reads like the original."""
    reference = parse_submission(seed000_file, hd_registry, catalog)
    sub = parse_submission(rewrite(seed000_file, tmp_path / name, font=".VnTime", upper_font=".VnTimeH"),
                           hd_registry, catalog)
    assert (sub.unit_code, sub.period_code) == ("tt_thanh_mien", "2023-Q3")
    obs, ref = sub.observations, reference.observations
    assert obs["value"].dropna().tolist() == ref["value"].dropna().tolist()
    assert obs["name"].tolist() == ref["name"].tolist() and obs["raw"].tolist() == ref["raw"].tolist()
    assert sub.unmapped == []


@pytest.mark.parametrize("text,expected", [
    ("Có", None), ("Xã Hà Thanh", None), ("STT", None), ("", None), ("Số liệu", "unicode"), ("ỦY BAN", "unicode"),
    ("Sè liÖu", "legacy"), (unicode_to_tcvn3("Tổng số hồ sơ"), "legacy"), ("Soá lieäu", "legacy"),
    (unicode_to_vni("Đơn vị tính"), "legacy"),
])
def test_text_evidence(text, expected):
    assert text_evidence(text) == expected


def test_letters_an_encoding_never_stores_show_unicode():
    assert text_evidence("Xã Hà Thanh", "tcvn3") == "unicode"  # "à" is no TCVN3 code
    assert text_evidence("HÀ THANH", "tcvn3-upper") == "unicode"
    assert text_evidence("Có", "tcvn3") is None  # the TCVN3 bytes of "Cú" look the same
    assert text_evidence(unicode_to_tcvn3("Xã Hà Thanh"), "tcvn3") == "legacy"


def test_confirm_encodings_per_cell_then_sheet_then_workbook():
    enc = {("A", 0, 0): "tcvn3", ("A", 0, 1): "tcvn3", ("A", 0, 2): "tcvn3", ("A", 0, 3): "tcvn3-upper",
           ("B", 0, 0): "tcvn3", ("B", 0, 1): "tcvn3", ("C", 0, 0): "tcvn3"}
    texts = {("A", 0, 0): "Sè liÖu", ("A", 0, 1): "Số liệu", ("A", 0, 2): "Cã", ("A", 0, 3): "stt",
             ("B", 0, 0): "Tổng số", ("B", 0, 1): "Có", ("C", 0, 0): "Cã"}
    kept = confirm_encodings(enc, texts)
    assert ("A", 0, 0) in kept and ("A", 0, 1) not in kept  # each cell's own characters first
    # sheet A: one legacy, one Unicode cell: the undecidable cells are left as typed
    assert ("A", 0, 2) not in kept and ("A", 0, 3) not in kept
    assert ("B", 0, 1) not in kept  # sheet B leans Unicode
    assert ("C", 0, 0) not in kept  # sheet C has no evidence: the workbook's is a tie
    texts[("A", 0, 1)] = "Kh«ng"  # now sheet A leans legacy: its undecidable cells follow
    kept = confirm_encodings(enc, texts)
    assert kept[("A", 0, 2)] == "tcvn3" and kept[("A", 0, 3)] == "tcvn3-upper"
    assert ("C", 0, 0) in kept and ("B", 0, 1) not in kept  # C follows the workbook (2 legacy : 1 Unicode)
