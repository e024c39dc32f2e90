"""Every broken file ends rejected with its reason, moved unchanged to quarantine, while the good files load."""

import hashlib
import zipfile

import duckdb

from pipeline.run import run_steps
from samples import seed000_values, write_bieu_mau
from tests.read.test_safety import billion_laughs, make_xlsx, replace_member


def _bad_files(folder):
    """Build one file of each bad kind; return {file name: expected issue code}."""
    from msoffcrypto.format.ooxml import OOXMLFile

    good = write_bieu_mau(folder / "_tmp_good.xlsx", unit_header="UBND XÃ NGỌC KỲ", district_line=None,
                          period_title="Thống kê kết quả thực hiện công tác CCHC 6 tháng đầu năm 2023", window_text=None,
                          caption=None, values=seed000_values())
    data = good.read_bytes()
    (folder / "cat_ngang.xlsx").write_bytes(data[: len(data) // 2])                     # truncated zip
    with good.open("rb") as src, (folder / "co_mat_khau.xlsx").open("wb") as dst:     # password-protected
        OOXMLFile(src).encrypt("matkhau", dst)
    (folder / "van_ban.xlsx").write_text("Báo cáo CCHC xã Ngọc Kỳ", encoding="utf-8")  # not a workbook
    make_xlsx(folder / "trong.xlsx", rows=0)                                             # empty workbook
    write_bieu_mau(folder / "xa_la.xlsx", unit_header="UBND XÃ THANH XUÂN", district_line=None,  # unit not in registry
                   period_title="Thống kê kết quả thực hiện công tác CCHC 6 tháng đầu năm 2023", window_text=None,
                   caption=None, values=seed000_values())
    with zipfile.ZipFile(folder / "bom_nen.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:   # zip bomb, 256 MiB of zeros
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(256):
                member.write(bytes(2**20))
    replace_member(make_xlsx(folder / "_tmp_lol.xlsx"), folder / "billion_laughs.xlsx", "xl/sharedStrings.xml", billion_laughs())
    good.unlink()
    (folder / "_tmp_lol.xlsx").unlink()
    return {"cat_ngang.xlsx": "file-unreadable", "co_mat_khau.xlsx": "file-encrypted", "van_ban.xlsx": "file-unreadable",
            "trong.xlsx": {"file-empty", "no-table", "unit-unknown", "period-unknown"}, "xa_la.xlsx": "unit-unknown",
            "bom_nen.xlsx": "file-too-large", "billion_laughs.xlsx": "file-unsafe-xml"}


def test_bad_files_beside_the_demo_inbox(demo_settings):
    s = demo_settings
    expected = _bad_files(s.inbox)
    digests = {n: hashlib.sha256((s.inbox / n).read_bytes()).hexdigest() for n in expected}
    summary = run_steps(s)
    status = {f.file: f for f in summary.files}
    assert sum(1 for f in summary.files if f.status == "loaded") == 23
    for name, code in expected.items():
        assert status[name].status == "rejected" and status[name].reason, name
        moved = s.quarantine / name
        assert hashlib.sha256(moved.read_bytes()).hexdigest() == digests[name]  # unchanged
        assert not (s.inbox / name).exists()
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        got = {}
        for name, code in con.execute("select s.file_name, i.code from v_issues i join v_submissions s using (submission_id) "
                                      "where s.status = 'rejected' and i.severity = 'error'").fetchall():
            got.setdefault(name, set()).add(code)
    finally:
        con.close()
    for name, code in expected.items():
        wanted = code if isinstance(code, set) else {code}
        assert got[name] & wanted, (name, got[name])
    text = summary.summary_path.read_text(encoding="utf-8")
    assert all(name in text for name in expected)
    assert summary.reports[0].exists()


def test_openpyxl_uses_defusedxml():
    from pipeline.read.safety import openpyxl_is_defused
    assert openpyxl_is_defused()
