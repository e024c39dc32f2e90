"""Validation: pandera domains per value (errors drop the value), file-level errors reject the file."""

import duckdb

from pipeline.run import run_steps
from samples import seed000_values, write_bieu_mau
from pipeline.read.submission import parse_submission
from pipeline.validate.schema import validate_observations
from tests.conftest import make_settings, write_grid


def _write(path, values, header="UBND XÃ NGỌC KỲ", title="Thống kê kết quả thực hiện công tác CCHC 6 tháng đầu năm 2023"):
    return write_bieu_mau(path, unit_header=header, district_line=None, period_title=title, window_text=None, caption=None, values=values)


def test_domain_errors_are_issues_at_their_cells(tmp_path, registry, catalog):
    values = dict(seed000_values())
    values[(3, "3.3.1")] = -5          # negative count
    values[(1, "2")] = "120,5"         # rate above 100
    values[(1, "5")] = 4               # coded answer outside "Có = 1; Không = 0"
    values[(1, "2.1")] = "12,5"        # a count with a fractional part
    sub = parse_submission(_write(tmp_path / "bad.xlsx", values), registry, catalog)
    assert sub.rejected_by is None
    checked, found = validate_observations(sub.observations)
    got = {(i["code"], i["sheet"], i["cell"], i["indicator_code"]) for i in found}
    refs = {r.indicator_code: (r.sheet, r.cell) for r in sub.observations.itertuples()}
    assert ("count-negative", *refs["III.3.3.1"], "III.3.3.1") in got
    assert ("rate-out-of-range", *refs["I.2"], "I.2") in got
    assert ("code-out-of-list", *refs["I.5"], "I.5") in got
    assert ("count-not-integer", *refs["I.2.1"], "I.2.1") in got
    rejected = set(checked.loc[~checked["accepted"] & checked["value"].notna(), "indicator_code"])
    assert rejected == {"III.3.3.1", "I.2", "I.5", "I.2.1"}


def test_errors_keep_values_out_and_bad_files_do_not_stop_the_run(tmp_path, demo_files):
    import shutil

    s = make_settings(tmp_path)
    s.inbox.mkdir(parents=True)
    for f in demo_files[:2]:
        shutil.copy2(f, s.inbox / f.name)
    values = dict(seed000_values())
    values[(1, "5")] = 4
    _write(s.inbox / "BC_Quang_Khai.xlsx", values, header="UBND XÃ QUANG KHẢI")
    _write(s.inbox / "BC_la.xlsx", seed000_values(), header="UBND XÃ KHÔNG CÓ TRONG DANH SÁCH")
    (s.inbox / "khong_phai_excel.xlsx").write_text("đây không phải là tệp Excel", encoding="utf-8")
    write_grid(s.inbox / "BC_Ngoc_Ky_trong.xlsx", {"Sheet1": [["UBND XÃ NGỌC KỲ"], ["Báo cáo 6 tháng đầu năm 2023"]]})
    summary = run_steps(s)
    status = {f.file: f.status for f in summary.files}
    assert status["BC_Quang_Khai.xlsx"] == "loaded"
    assert status["BC_la.xlsx"] == "rejected"
    assert status["khong_phai_excel.xlsx"] == "rejected"
    assert status["BC_Ngoc_Ky_trong.xlsx"] == "rejected"
    assert sum(1 for v in status.values() if v == "loaded") == 3
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        reasons = dict(con.execute("select file_name, reason from v_submissions where status = 'rejected'").fetchall())
        assert all(reasons.values())
        codes: dict[str, set[str]] = {}
        for name, code in con.execute("select s.file_name, i.code from v_issues i join v_submissions s using (submission_id) where s.status = 'rejected'").fetchall():
            codes.setdefault(name, set()).add(code)
        assert "unit-unknown" in codes["BC_la.xlsx"]
        assert codes["khong_phai_excel.xlsx"] == {"file-unreadable"}
        assert codes["BC_Ngoc_Ky_trong.xlsx"] == {"no-table"}
        assert con.execute("select count(*) from v_values where unit_code = 'quang_khai' and indicator_code = 'I.5'").fetchone()[0] == 0
        assert con.execute("select count(*) from v_values where unit_code = 'quang_khai' and indicator_code = 'I.5.1'").fetchone()[0] == 1
        assert con.execute("select code, severity, source_ref from v_issues where indicator_code = 'I.5'").fetchall() == [
            ("code-out-of-list", "error", "BC_Quang_Khai.xlsx!Biểu mẫu 1!D" + con.execute(
                "select split_part(source_ref, '!D', 2) from v_issues where indicator_code = 'I.5'").fetchone()[0])]
    finally:
        con.close()
    assert summary.reports and summary.reports[0].exists()
    # rejected originals leave the inbox unchanged, into the quarantine folder; the run's summary names them
    assert (s.quarantine / "khong_phai_excel.xlsx").read_text(encoding="utf-8") == "đây không phải là tệp Excel"
    assert not (s.inbox / "khong_phai_excel.xlsx").exists() and (s.inbox / "BC_Quang_Khai.xlsx").exists()
    text = summary.summary_path.read_text(encoding="utf-8")
    assert "khong_phai_excel.xlsx" in text and "Bị từ chối: 3" in text
    # a feedback workbook for the commune lists each issue once with its cell: a flagged value on the sheet it answers
    import openpyxl
    fb = next(p for p in summary.feedback if "quang_khai" in p.name)
    book = openpyxl.load_workbook(fb)
    flagged = list(book["Số liệu cần xem lại"].iter_rows(min_row=7, values_only=True))
    assert any(r[1] == "I.5" and r[3].startswith("Biểu mẫu 1!D") and r[4] == "4 (Mã)" and r[5].startswith("Mã ngoài danh sách: ")
               for r in flagged)  # the officer reads the label (Loại lỗi) before the message
    rows = list(book["Phản hồi"].iter_rows(min_row=7, values_only=True))
    assert not any(r[4] == "I.5" and r[8] == "code-out-of-list" for r in rows)  # not listed a second time
