"""Each defect of the real seeds (DOMAIN.md) yields its issue at the right cell, and errors stay out of v_values."""

import shutil

import duckdb
import pytest

from pipeline.run import run_steps
from samples.thanhhoa import write_thanhhoa
from tests.conftest import make_settings

UNITS = "code,name,kind,aliases\ntt_thanh_mien,Thanh Miện,thị trấn,\np_truong_thi,Trường Thi,phường,\n"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, seed000_file):
    base = tmp_path_factory.mktemp("defects")
    units = base / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    s = make_settings(base, units=units)
    s.inbox.mkdir(parents=True)
    shutil.copy2(seed000_file, s.inbox / seed000_file.name)
    write_thanhhoa(s.inbox / "TH_Truong_Thi.xlsx")
    summary = run_steps(s)
    assert [f.status for f in summary.files] == ["loaded", "loaded"]
    con = duckdb.connect(str(s.warehouse), read_only=True)
    yield con
    con.close()


def _issues(con, unit, code):
    return con.execute("select i.severity, i.indicator_code, i.sheet, i.cell from v_issues i join v_submissions s using (submission_id) "
                       "where s.unit_code = ? and i.code = ? order by 2", [unit, code]).fetchall()


def _cell(con, unit, indicator):
    return con.execute("select split_part(source_ref, '!', 2), split_part(source_ref, '!', 3) from observations o "
                       "join submissions s using (submission_id) where s.unit_code = ? and o.indicator_code = ?", [unit, indicator]).fetchone()


def test_part_above_whole_is_a_warning_at_the_part(warehouse):
    sheet, cell = _cell(warehouse, "tt_thanh_mien", "III.1.4.3")
    assert ("warning", "III.1.4.3", sheet, cell) in _issues(warehouse, "tt_thanh_mien", "part-exceeds-whole")
    assert warehouse.execute("select value from v_values where unit_code = 'tt_thanh_mien' and indicator_code = 'III.1.4.3'").fetchone() == (157,)


def test_headcount_present_above_assigned_is_a_warning(warehouse):
    sheet, cell = _cell(warehouse, "p_truong_thi", "IV.2.2")
    assert ("warning", "IV.2.2", sheet, cell) in _issues(warehouse, "p_truong_thi", "part-exceeds-whole")
    assert warehouse.execute("select value from v_values where unit_code = 'p_truong_thi' and indicator_code = 'IV.2.2'").fetchone() == (22,)


def test_code_outside_its_list_is_an_error_and_absent(warehouse):
    sheet, cell = _cell(warehouse, "p_truong_thi", "I.6")
    assert _issues(warehouse, "p_truong_thi", "code-out-of-list") == [("error", "I.6", sheet, cell)]
    assert warehouse.execute("select count(*) from v_values where unit_code = 'p_truong_thi' and indicator_code = 'I.6'").fetchone() == (0,)
    # the rest of that submission loaded
    assert warehouse.execute("select value from v_values where unit_code = 'p_truong_thi' and indicator_code = 'I.5.1'").fetchone() == (449,)


def test_breakdown_not_summing_to_its_total(warehouse):
    got = _issues(warehouse, "p_truong_thi", "sum-mismatch")
    assert any(code.startswith("III.P9") for _, code, _, _ in got)


def test_rounded_rate_passes_and_zero_over_empty_denominator_is_flagged(warehouse):
    mismatched = {code for _, code, _, _ in _issues(warehouse, "tt_thanh_mien", "rate-mismatch")}
    assert "VII.5.3" not in mismatched and "I.2" not in mismatched and "VI.1" not in mismatched
    sheet, cell = _cell(warehouse, "tt_thanh_mien", "II.2.2")
    assert ("warning", "II.2.2", sheet, cell) in _issues(warehouse, "tt_thanh_mien", "rate-empty-denominator")


def test_value_in_a_row_without_unit(warehouse):
    sheet, cell = _cell(warehouse, "tt_thanh_mien", "VII.4.1")
    assert _issues(warehouse, "tt_thanh_mien", "value-without-unit") == [("warning", "VII.4.1", sheet, cell)]


def test_outlier_against_the_units_own_history(tmp_path):
    """Three earlier quarters near 1000 dossiers; a fourth reporting 9000 is flagged, the district still loads it."""
    from samples import generate_demo_inbox
    s = make_settings(tmp_path)
    for i, period in enumerate(["2022-Q3", "2022-Q4", "2023-Q1", "2023-Q2"]):
        folder = s.inbox / period
        files = generate_demo_inbox(tmp_path / f"gen{i}", s.units, period_code=period)
        folder.mkdir(parents=True)
        shutil.copy2(files[0], folder / files[0].name)
        if period == "2023-Q2":
            from samples import demo_values, write_bieu_mau
            values = demo_values(["ngoc_ky"], period)["ngoc_ky"]
            values[(3, "3.3.1")] = 90000
            (folder / files[0].name).unlink()
            write_bieu_mau(folder / "BC_Ngoc_Ky_Q2.xlsx", unit_header="UBND XÃ NGỌC KỲ", district_line=None,
                           period_title="Thống kê kết quả thực hiện công tác CCHC quý II năm 2023", window_text=None,
                           caption=None, values=values)
        run_steps(s)
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        got = con.execute("select i.indicator_code, i.severity from v_issues i join v_submissions s using (submission_id) "
                          "where i.code = 'value-outlier' and s.period_code = '2023-Q2'").fetchall()
    finally:
        con.close()
    assert ("III.3.3.1", "warning") in got
