"""The run end to end on the demo district (without orchestration): figures, views, ledger, re-runs."""

import duckdb
import pytest

from pipeline.run import run_steps

CONTRACT_COLUMNS = {
    "v_submissions": ["submission_id", "file_name", "sha256", "received_at", "unit_code", "period_code", "status", "reason"],
    "v_values": ["period_code", "unit_code", "unit_name", "indicator_code", "indicator_name", "value", "submission_id", "source_ref"],
    "v_issues": ["submission_id", "severity", "code", "message", "source_ref", "indicator_code"],
    "v_district": ["period_code", "indicator_code", "indicator_name", "value", "n_units"],
    "v_completeness": ["period_code", "unit_code", "unit_name", "status", "received_at"],
}
from tests.conftest import query


@pytest.fixture
def demo_run(demo_settings):
    """One run over the 23 demo submissions."""
    summary = run_steps(demo_settings)
    return demo_settings, summary


q = query


def test_district_figures_match_seed_002(demo_run):
    settings, summary = demo_run
    assert summary.count("loaded") == 23 and summary.count("rejected") == 0
    got = dict(q(settings, "select indicator_code, value from v_district where period_code = '2023-H1'"))
    assert got["III.3.3.1"] == 23378 and got["III.3.3.2"] == 23359
    assert round(got["III.3.3"], 2) == 99.92
    assert got["VII.5.3.1"] == 22903 and got["VII.5.3.2"] == 22816
    assert round(got["VII.5.3"], 2) == 99.62
    n = dict(q(settings, "select indicator_code, n_units from v_district where period_code = '2023-H1'"))
    assert n["III.3.3.1"] == 23 and n["III.3.3"] == 23


def test_rates_are_recomputed_not_averaged(demo_run):
    settings, _ = demo_run
    avg = q(settings, "select avg(value) from v_values where indicator_code = 'III.3.3'")[0][0]
    district = q(settings, "select value from v_district where indicator_code = 'III.3.3'")[0][0]
    parts = q(settings, "select sum(value) filter (where indicator_code='III.3.3.2') / sum(value) filter (where indicator_code='III.3.3.1') * 100 from v_values")[0][0]
    assert district == pytest.approx(parts)
    assert district != pytest.approx(avg, abs=1e-9)


def test_contract_views_and_columns(demo_run):
    settings, _ = demo_run
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        for view, cols in CONTRACT_COLUMNS.items():
            names = [d[0] for d in con.execute(f"select * from {view} limit 0").description]
            assert names[: len(cols)] == cols, view
    finally:
        con.close()


def test_blank_cells_are_absent_not_zero(demo_run):
    settings, _ = demo_run
    # BM7 5.1 and BM4 2.5 are always blank in the demo files
    assert q(settings, "select count(*) from v_values where indicator_code in ('VII.4.1', 'IV.2.5')")[0][0] == 0
    assert q(settings, "select count(*) from v_values where value is null")[0][0] == 0


def test_lineage_and_text_values(demo_run):
    settings, _ = demo_run
    refs = [r[0] for r in q(settings, "select source_ref from v_values where unit_code = 'ngoc_ky' and indicator_code = 'III.3.3.1'")]
    assert refs == ["BC_CCHC_6T2023_Ngoc_Ky.xlsx!Biểu mẫu 3!D24"] or refs[0].startswith("BC_CCHC_6T2023_Ngoc_Ky.xlsx!Biểu mẫu 3!D")
    # values typed as Vietnamese text were read as numbers
    rows = q(settings, "select raw, value from v_values where raw like '%.___' and raw not like '%,%'")
    assert rows and all(v == float(raw.replace(".", "")) for raw, v in rows)


def test_completeness_and_missing_unit(demo_settings):
    (demo_settings.inbox / "BC_CCHC_6T2023_Dan_Chu.xlsx").unlink()
    run_steps(demo_settings)
    missing = q(demo_settings, "select unit_code from v_completeness where period_code = '2023-H1' and status = 'missing'")
    assert missing == [("dan_chu",)]
    assert q(demo_settings, "select n_units from v_district where indicator_code = 'III.3.3.1'")[0][0] == 22


def test_rerun_with_nothing_new_changes_nothing(demo_run):
    settings, _ = demo_run
    before = q(settings, "select count(*) from submissions")[0][0], q(settings, "select count(*) from observations")[0][0]
    district_before = q(settings, "select indicator_code, value, n_units from v_district order by 1")
    summary = run_steps(settings)
    assert len(summary.files) == 0 and summary.unchanged == 23 and summary.reports == []
    after = q(settings, "select count(*) from submissions")[0][0], q(settings, "select count(*) from observations")[0][0]
    assert before == after
    assert q(settings, "select indicator_code, value, n_units from v_district order by 1") == district_before


def test_copy_is_duplicate_and_corrected_file_supersedes(demo_run, tmp_path):
    import shutil

    from samples import generate_demo_inbox
    settings, _ = demo_run
    src = settings.inbox / "BC_CCHC_6T2023_Ngoc_Ky.xlsx"
    shutil.copy2(src, settings.inbox / "ban_sao_Ngoc_Ky.xlsx")
    summary = run_steps(settings)
    assert [f.status for f in summary.files] == ["duplicate"]
    assert q(settings, "select status, reason is not null from v_submissions where file_name = 'ban_sao_Ngoc_Ky.xlsx'") == [("duplicate", True)]
    # a corrected file for the same unit and period replaces the earlier one, which stays queryable
    other = generate_demo_inbox(tmp_path / "v2", settings.units, period_code="2023-H1", seed=7)
    fixed = next(p for p in other if p.name.endswith("Ngoc_Ky.xlsx"))
    shutil.copy2(fixed, settings.inbox / "BC_CCHC_6T2023_Ngoc_Ky_bo_sung.xlsx")
    summary = run_steps(settings)
    assert summary.superseded == 1
    statuses = dict(q(settings, "select file_name, status from v_submissions where unit_code = 'ngoc_ky'"))
    assert statuses == {"BC_CCHC_6T2023_Ngoc_Ky.xlsx": "superseded", "BC_CCHC_6T2023_Ngoc_Ky_bo_sung.xlsx": "loaded"}
    assert q(settings, "select count(distinct submission_id) from v_values where unit_code = 'ngoc_ky'")[0][0] == 1


def test_touched_file_is_unchanged_and_not_hashed_again(demo_run, monkeypatch):
    import os

    import pipeline.inbox as inbox
    settings, _ = demo_run
    f = settings.inbox / "BC_CCHC_6T2023_Ngoc_Ky.xlsx"
    os.utime(f, (f.stat().st_atime, f.stat().st_mtime - 600))  # same bytes, new mtime
    summary = run_steps(settings)
    assert summary.files == [] and summary.unchanged == 23
    hashed = []
    monkeypatch.setattr(inbox, "sha256_of", lambda p: hashed.append(p) or "")
    assert run_steps(settings).unchanged == 23 and hashed == []
