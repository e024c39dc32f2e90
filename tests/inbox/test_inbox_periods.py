"""Period folders name the period; --period limits a run; a row matching nothing is reported at its cell."""

import shutil

import duckdb

from pipeline.run import run_steps
from samples import generate_demo_inbox, seed000_values, write_bieu_mau
from pipeline.read.submission import parse_submission
from tests.conftest import make_settings


def test_period_folder_wins_with_a_warning(tmp_path, demo_files):
    s = make_settings(tmp_path)
    (s.inbox / "2023-9M").mkdir(parents=True)
    shutil.copy2(demo_files[0], s.inbox / "2023-9M" / demo_files[0].name)
    summary = run_steps(s)
    assert [f.period_code for f in summary.files] == ["2023-9M"]
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        assert con.execute("select code, severity from v_issues").fetchall() == [("period-mismatch", "warning")]
        assert con.execute("select period_code, period_stated from v_submissions").fetchall() == [("2023-9M", "2023-H1")]
    finally:
        con.close()


def test_period_limit_skips_other_periods_for_a_later_run(tmp_path, demo_files):
    s = make_settings(tmp_path, period="2023-Q3")
    s.inbox.mkdir(parents=True)
    shutil.copy2(demo_files[0], s.inbox / demo_files[0].name)  # states 6 tháng đầu năm 2023
    q3 = generate_demo_inbox(tmp_path / "q3", s.units, period_code="2023-Q3")[1]
    shutil.copy2(q3, s.inbox / q3.name)
    no_period = write_bieu_mau(s.inbox / "BC_Chi_Minh.xlsx", unit_header="UBND XÃ CHÍ MINH", district_line=None,
                               period_title="Thống kê kết quả thực hiện công tác CCHC", window_text=None, caption=None,
                               values=seed000_values())
    summary = run_steps(s)
    got = {f.file: (f.status, f.period_code) for f in summary.files}
    assert got[demo_files[0].name] == ("skipped", "2023-H1")
    assert got[q3.name] == ("loaded", "2023-Q3")
    assert got[no_period.name] == ("loaded", "2023-Q3")
    # the skipped file is taken in by a later run without the limit
    later = run_steps(make_settings(tmp_path))
    assert [(f.file, f.status, f.period_code) for f in later.files] == [(demo_files[0].name, "loaded", "2023-H1")]


def test_unmapped_row_is_reported_at_its_cell(tmp_path, registry, catalog):
    from tests.conftest import write_grid
    rows = [["UBND XÃ NGỌC KỲ"], ["Báo cáo CCHC quý III năm 2023"], ["Biểu mẫu 3"],
            ["STT", "Chỉ tiêu thống kê", "Đơn vị tính", "Số liệu", "Ghi chú"],
            ["3.3.1.", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", 922],
            ["9.9", "Số cây xanh được trồng mới", "Cây", 57]]
    sub = parse_submission(write_grid(tmp_path / "x.xlsx", {"Biểu mẫu 3": rows}), registry, catalog)
    assert sub.unmapped == [{"printed_code": "9.9", "name": "Số cây xanh được trồng mới", "raw": "57", "source_ref": "x.xlsx!Biểu mẫu 3!D6", "unit": "Cây"}]
    assert [(i["code"], i["cell"]) for i in sub.issues] == [("row-unmapped", "D6")]
    assert list(sub.observations["indicator_code"]) == ["III.3.3.1"]


def test_file_still_being_copied_waits_for_the_next_run(tmp_path, demo_files):
    import dataclasses

    from pipeline.read.safety import Limits
    s = dataclasses.replace(make_settings(tmp_path), limits=Limits(stable_seconds=30, restat_seconds=0))
    s.inbox.mkdir(parents=True)
    shutil.copy2(demo_files[0], s.inbox / demo_files[0].name)
    (s.inbox / demo_files[0].name).touch()  # modified just now
    summary = run_steps(s)
    assert [(f.status, f.file) for f in summary.files] == [("waiting", demo_files[0].name)]
    assert not s.warehouse.exists() or duckdb.connect(str(s.warehouse), read_only=True).execute("select count(*) from submissions").fetchone()[0] == 0
    later = run_steps(dataclasses.replace(s, limits=Limits(stable_seconds=0, restat_seconds=0)))
    assert [f.status for f in later.files] == ["loaded"]
