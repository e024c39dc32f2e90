"""Pre-parse safety checks (pipeline.read.safety): every hostile or broken file is built here, small and fast."""

from __future__ import annotations

import os
import struct
import time
import tracemalloc
import zipfile

import pytest
import xlsxwriter
import xlwt

from pipeline import issues
from pipeline.read.safety import Limits, Verdict, check_file, openpyxl_is_defused

MIB = 2**20


# --------------------------------------------------------------------------- builders


def make_xlsx(path, rows=2):
    """A small valid workbook written by xlsxwriter (with shared strings)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Biểu 01")
    ws.write(0, 0, "Chỉ tiêu")
    ws.write(0, 1, "Số lượng")
    for r in range(1, rows):
        ws.write(r, 0, "Dân số")
        ws.write(r, 1, 1234 + r)
    wb.close()
    return path


def make_xls(path):
    """A small valid legacy .xls written by xlwt."""
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Bieu01")
    ws.write(0, 0, "Chỉ tiêu")
    ws.write(1, 0, 42)
    wb.save(str(path))
    return wb


def replace_member(src, dst, name, data: bytes):
    """Copy a zip, replacing one member's bytes."""
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            zo.writestr(info.filename, data if info.filename == name else zi.read(info))
    return dst


def billion_laughs() -> bytes:
    """A sharedStrings part whose DTD nests entities 10 deep (10^9 'lol' if expanded)."""
    ents = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        ref = "&lol;" if i == 1 else f"&lol{i - 1};"
        ents.append(f'<!ENTITY lol{i} "{ref * 10}">')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<!DOCTYPE lolz [{''.join(ents)}]>\n"
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">'
        "<si><t>&lol9;</t></si><si><t>x</t></si></sst>"
    ).encode()


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """An xlsx-shaped zip whose sheet is 1 GiB of zeros, deflated in streamed chunks (~1 MB on disk)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    zero = bytes(MIB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(1024):
                member.write(zero)
    assert path.stat().st_size < 2 * MIB
    return path


def measured(fn, *args):
    """Run fn, returning (result, seconds, peak traced bytes)."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        result = fn(*args)
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, elapsed, peak


# --------------------------------------------------------------------------- valid files


def test_valid_xlsx_passes(tmp_path):
    assert check_file(make_xlsx(tmp_path / "ok.xlsx")) == Verdict(None, "")


def test_valid_xlsx_decided_by_content_not_extension(tmp_path):
    path = make_xlsx(tmp_path / "ok.xlsx")
    renamed = path.rename(tmp_path / "ok.xls")
    assert check_file(renamed).code is None


def test_repetitive_sheet_is_not_a_bomb(tmp_path):
    # 20 000 identical rows compress very well, but a member under the ratio floor is never a bomb.
    assert check_file(make_xlsx(tmp_path / "big.xlsx", rows=20000)).code is None


def test_valid_xls_passes(tmp_path):
    path = tmp_path / "ok.xls"
    make_xls(path)
    assert check_file(path) == Verdict(None, "")


def test_codes_are_in_the_catalog():
    for code in ("file-unreadable", "file-encrypted", "file-too-large", "file-unsafe-xml"):
        assert issues.is_rejecting(code)


# --------------------------------------------------------------------------- unreadable


def test_truncated_xlsx_is_unreadable(tmp_path):
    data = make_xlsx(tmp_path / "ok.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    v = check_file(path)
    assert v.code == "file-unreadable"
    assert "truncated" in v.detail


def test_random_bytes_is_unreadable(tmp_path):
    path = tmp_path / "noise.xlsx"
    path.write_bytes(os.urandom(4096))
    v = check_file(path)
    assert v.code == "file-unreadable"
    assert "not a workbook" in v.detail


def test_text_file_is_unreadable(tmp_path):
    path = tmp_path / "bao_cao.xlsx"
    path.write_text("Xã,Dân số,Hộ\nAn Bình,1234,300\n", encoding="utf-8")
    v = check_file(path)
    assert v.code == "file-unreadable"
    assert "text" in v.detail


def test_html_saved_as_xls_is_unreadable(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>")
    v = check_file(path)
    assert v.code == "file-unreadable"
    assert "HTML" in v.detail


def test_pdf_is_unreadable(tmp_path):
    path = tmp_path / "scan.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    v = check_file(path)
    assert v.code == "file-unreadable"
    assert "PDF" in v.detail


def test_empty_file_is_unreadable(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    v = check_file(path)
    assert v.code == "file-unreadable"
    assert "0 bytes" in v.detail


def test_missing_file_is_unreadable(tmp_path):
    assert check_file(tmp_path / "nope.xlsx").code == "file-unreadable"


def test_zip_with_only_a_text_member_is_unreadable(tmp_path):
    path = tmp_path / "hello.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hello")
    v = check_file(path)
    assert v.code == "file-unreadable"
    assert "[Content_Types].xml" in v.detail


def test_docx_renamed_xlsx_is_unreadable(tmp_path):
    path = tmp_path / "van_ban.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("_rels/.rels", "<Relationships/>")
        zf.writestr("word/document.xml", "<w:document/>")
    v = check_file(path)
    assert v.code == "file-unreadable"
    assert "Word document" in v.detail


# --------------------------------------------------------------------------- encrypted


def test_password_protected_xlsx_is_encrypted(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_xlsx(tmp_path / "plain.xlsx")
    path = tmp_path / "secret.xlsx"
    with plain.open("rb") as src, path.open("wb") as dst:
        OOXMLFile(src).encrypt("matkhau", dst)
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    v = check_file(path)
    assert v.code == "file-encrypted"
    assert "EncryptionInfo" in v.detail


def test_encrypted_legacy_xls_is_encrypted(tmp_path):
    # xlwt cannot encrypt: put an RC4 FILEPASS record right after the globals BOF, as Excel does.
    from xlwt.CompoundDoc import XlsDoc

    wb = make_xls(tmp_path / "plain.xls")
    stream = wb.get_biff_data()
    rtype, rlen = struct.unpack("<HH", stream[:4])
    assert rtype == 0x0809  # BOF
    payload = struct.pack("<HHH", 1, 1, 1) + os.urandom(48)  # RC4, version 1.1, salt/verifier/hash
    filepass = struct.pack("<HH", 0x002F, len(payload)) + payload
    path = tmp_path / "secret.xls"
    XlsDoc().save(str(path), stream[: 4 + rlen] + filepass + stream[4 + rlen :])
    assert check_file(path).code == "file-encrypted"


# --------------------------------------------------------------------------- zip bomb / limits


def test_zip_bomb_is_too_large_fast_and_in_bounded_memory(zip_bomb):
    verdict, elapsed, peak = measured(check_file, zip_bomb)
    print(f"zip bomb: {elapsed * 1000:.1f} ms, peak {peak / 1024:.0f} KiB")
    assert verdict.code == "file-too-large"
    assert "ratio" in verdict.detail
    assert elapsed < 1.0
    assert peak < 20 * MIB


def test_total_uncompressed_limit(tmp_path):
    path = make_xlsx(tmp_path / "ok.xlsx")
    v = check_file(path, Limits(max_unzipped_bytes=1000))
    assert v.code == "file-too-large"
    assert "uncompressed" in v.detail


def test_member_count_limit(tmp_path):
    path = make_xlsx(tmp_path / "ok.xlsx")
    v = check_file(path, Limits(max_members=3))
    assert v.code == "file-too-large"
    assert "members" in v.detail


def test_file_size_limit(tmp_path):
    path = make_xlsx(tmp_path / "ok.xlsx")
    v = check_file(path, Limits(max_file_bytes=1000))
    assert v.code == "file-too-large"


# --------------------------------------------------------------------------- unsafe XML


@pytest.fixture
def lol_xlsx(tmp_path):
    plain = make_xlsx(tmp_path / "plain.xlsx")
    return replace_member(plain, tmp_path / "lol.xlsx", "xl/sharedStrings.xml", billion_laughs())


def test_billion_laughs_is_unsafe_xml(lol_xlsx):
    verdict, elapsed, peak = measured(check_file, lol_xlsx)
    print(f"billion laughs: {elapsed * 1000:.1f} ms, peak {peak / 1024:.0f} KiB")
    assert verdict.code == "file-unsafe-xml"
    assert "xl/sharedStrings.xml" in verdict.detail
    assert elapsed < 1.0
    assert peak < 20 * MIB


def test_external_entity_in_a_sheet_is_unsafe_xml(tmp_path):
    plain = make_xlsx(tmp_path / "plain.xlsx")
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&e;</t></is></c></row></sheetData></worksheet>"
    )
    path = replace_member(plain, tmp_path / "xxe.xlsx", "xl/worksheets/sheet1.xml", xxe)
    v = check_file(path)
    assert v.code == "file-unsafe-xml"
    assert "xl/worksheets/sheet1.xml" in v.detail


def test_openpyxl_is_defused():
    assert openpyxl_is_defused() is True


def test_openpyxl_refuses_billion_laughs(lol_xlsx):
    import openpyxl
    from defusedxml import DTDForbidden, EntitiesForbidden

    t0 = time.perf_counter()
    with pytest.raises(Exception) as info:
        openpyxl.load_workbook(lol_xlsx)
    assert time.perf_counter() - t0 < 2.0
    chain, exc = [], info.value
    while exc is not None:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    assert any(isinstance(e, (EntitiesForbidden, DTDForbidden)) for e in chain), chain
