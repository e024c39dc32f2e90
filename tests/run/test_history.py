"""Issue 5: late and corrected files, superseded history, idempotent re-runs, rebuild from the archive, export."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import duckdb
import pandas as pd
import pytest

from pipeline.warehouse.export import VIEWS, export_views
from pipeline.run import run_steps
from pipeline.rebuild import RebuildError, rebuild_warehouse
from samples import generate_demo_inbox
from tests.conftest import SCHEMAS, query

LATE_UNIT = "BC_CCHC_6T2023_Tu_Ky.xlsx"  # thị trấn Tứ Kỳ arrives after the deadline
CORRECTED = "BC_CCHC_6T2023_Ngoc_Ky.xlsx"  # xã Ngọc Kỳ first sends wrong figures, then a corrected file
ON_TIME = dt.datetime(2023, 6, 16, 23, 0)  # the demo window ends 14/6/2023: due 19/6/2023
AFTER = dt.datetime(2023, 6, 25, 23, 0)
TABLES = ("submissions", "observations", "issues", "files_seen", "district", "periods", "runs")


q = query


def district(settings, *codes):
    rows = q(settings, "select indicator_code, value, n_units from v_district where period_code = '2023-H1' "
                       "and indicator_code in (select unnest(?)) order by 1", list(codes))
    return {c: (v, n) for c, v, n in rows}


def counts(settings):
    return {t: q(settings, f"select count(*) from {t}")[0][0] for t in TABLES}


@pytest.fixture
def scenario(tmp_path, demo_files, settings):
    """Run 1 (16/6): 22 units, Ngọc Kỳ with wrong figures; run 2 (25/6): the late unit and Ngọc Kỳ's correction."""
    wrong = next(p for p in generate_demo_inbox(tmp_path / "wrong", settings.units, period_code="2023-H1", seed=7)
                 if p.name == CORRECTED)
    for f in demo_files:
        if f.name not in (LATE_UNIT, CORRECTED):
            shutil.copy2(f, settings.inbox / f.name)
    shutil.copy2(wrong, settings.inbox / CORRECTED)
    first = run_steps(dataclasses.replace(settings, clock=lambda: ON_TIME))
    snapshot1 = {
        "missing": q(settings, "select unit_code from v_completeness where status = 'missing'"),
        "district": district(settings, "III.3.3.1", "III.3.3.2", "III.3.3"),
    }
    shutil.copy2(next(f for f in demo_files if f.name == LATE_UNIT), settings.inbox / LATE_UNIT)
    shutil.copy2(next(f for f in demo_files if f.name == CORRECTED), settings.inbox / "BC_CCHC_6T2023_Ngoc_Ky_thay_the.xlsx")
    second = run_steps(dataclasses.replace(settings, clock=lambda: AFTER))
    return settings, first, second, snapshot1


def test_first_run_covers_22_units_and_lists_the_missing_one(scenario):
    settings, first, _, snap = scenario
    assert first.count("loaded") == 22
    assert snap["missing"] == [("tt_tu_ky",)]
    assert {c: n for c, (_, n) in snap["district"].items()} == {"III.3.3.1": 22, "III.3.3.2": 22, "III.3.3": 22}
    assert snap["district"]["III.3.3.1"][0] != 23378  # without the late unit, with Ngọc Kỳ's wrong figures


def test_rerun_after_late_and_corrected_files_gives_seed_002_totals(scenario):
    settings, _, second, _ = scenario
    assert sorted(f.status for f in second.files) == ["loaded", "loaded"] and second.superseded == 1
    d = district(settings, "III.3.3.1", "III.3.3.2", "III.3.3")
    assert d["III.3.3.1"] == (23378, 23) and d["III.3.3.2"] == (23359, 23)
    assert round(d["III.3.3"][0], 2) == 99.92
    assert q(settings, "select count(*) from v_completeness where period_code = '2023-H1' and status = 'missing'") == [(0,)]


def test_corrected_file_supersedes_and_history_stays_queryable(scenario):
    settings, _, _, _ = scenario
    rows = q(settings, "select file_name, status, reason is not null, superseded_by is not null from v_submissions "
                       "where unit_code = 'ngoc_ky' order by submission_id")
    assert rows == [(CORRECTED, "superseded", True, True), ("BC_CCHC_6T2023_Ngoc_Ky_thay_the.xlsx", "loaded", False, False)]
    hist = q(settings, "select submission_status, value from v_values_history where unit_code = 'ngoc_ky' "
                       "and indicator_code = 'III.3.3.1' order by submission_id")
    assert [s for s, _ in hist] == ["superseded", "loaded"] and hist[0][1] != hist[1][1]
    current = q(settings, "select value from v_values where unit_code = 'ngoc_ky' and indicator_code = 'III.3.3.1'")
    assert current == [(hist[1][1],)]


def test_late_flag_against_the_period_deadline(scenario):
    settings, _, _, _ = scenario
    rows = dict(q(settings, "select unit_code, late from v_completeness where period_code = '2023-H1'"))
    assert rows["tt_tu_ky"] is True
    assert rows["ngoc_ky"] is False  # first sent on time; the correction does not make it late
    assert sum(1 for v in rows.values() if v) == 1 and len(rows) == 23
    assert q(settings, "select distinct deadline from v_completeness where period_code = '2023-H1'") == [(dt.date(2023, 6, 19),)]
    received = q(settings, "select received_at, first_received_at from v_completeness where unit_code = 'ngoc_ky'")
    assert received == [(AFTER, ON_TIME)]


def test_third_run_with_nothing_new_adds_no_row(scenario):
    settings, _, _, _ = scenario
    before, figures = counts(settings), q(settings, "select * exclude (computed_at) from v_district order by all")
    summary = run_steps(settings)
    assert summary.files == [] and summary.unchanged == 24 and summary.reports == []
    assert counts(settings) == before
    assert q(settings, "select * exclude (computed_at) from v_district order by all") == figures


def _views(settings) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        out = {}
        for v in (*VIEWS, "v_values_history"):
            df = con.execute(f"select * from {v}").df()
            # times of processing, not of the data: when figures were computed and flags swept (a rebuild's own)
            df = df.drop(columns=[c for c in ("computed_at", "opened_at", "updated_at") if c in df.columns])
            out[v] = df.sort_values(list(df.columns)).reset_index(drop=True)
        return out
    finally:
        con.close()


def test_rebuild_from_the_archive_gives_the_same_views(scenario):
    settings, _, _, _ = scenario
    original = _views(settings)
    assert len(original["v_submissions"]) == 24
    (settings.inbox / "BC_CCHC_6T2023_Ha_Ky.xlsx").unlink()  # the inbox plays no part in a rebuild
    result = rebuild_warehouse(settings)
    assert result.files == 24 and result.runs == 2 and result.periods == ["2023-H1"]
    assert result.by_status == {"loaded": 24, "superseded": 1}
    assert result.previous is not None and result.previous.exists()
    assert [r.parent.name for r in result.reports] == ["2023-H1"]
    assert len(list((settings.out / "2023-H1" / "history").glob("*.xlsx"))) == 2  # the two earlier versions are kept
    rebuilt = _views(settings)
    for view, frame in original.items():
        pd.testing.assert_frame_equal(rebuilt[view], frame, check_dtype=False, obj=view)


def test_rebuild_refuses_when_an_archived_copy_is_lost(scenario):
    settings, _, _, _ = scenario
    before = counts(settings)
    next(settings.archive.glob("*.xlsx")).unlink()
    with pytest.raises(RebuildError):
        rebuild_warehouse(settings)
    assert counts(settings) == before


def test_archive_keeps_every_original_unchanged(scenario, demo_files):
    settings, _, _, _ = scenario
    from pipeline.inbox.files import sha256_of
    for f in demo_files:
        assert (settings.archive / f"{sha256_of(f)}.xlsx").read_bytes() == f.read_bytes()


def test_export_writes_every_view_as_parquet_and_csv(scenario, tmp_path):
    settings, _, _, _ = scenario
    files = export_views(settings.warehouse, tmp_path / "export")
    assert sorted(p.name for p in files) == sorted(f"{v}.{ext}" for v in VIEWS for ext in ("parquet", "csv"))
    district_pq = duckdb.sql(f"select * from '{tmp_path / 'export' / 'v_district.parquet'}'").df()
    row = district_pq[district_pq["indicator_code"] == "III.3.3.1"].iloc[0]
    assert row["value"] == 23378 and row["n_units"] == 23
    csv = pd.read_csv(tmp_path / "export" / "v_completeness.csv", encoding="utf-8-sig")
    assert len(csv) == 23 and csv.loc[csv["unit_code"] == "tt_tu_ky", "late"].tolist() == [True]
    assert (tmp_path / "export" / "v_values.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8


def test_unit_limit_takes_one_unit_and_leaves_the_others(demo_settings):
    s = dataclasses.replace(demo_settings, unit="ngoc_ky")
    summary = run_steps(s)
    assert summary.count("loaded") == 1 and summary.count("skipped") == 22
    assert q(s, "select unit_code from v_submissions") == [("ngoc_ky",)]
    summary = run_steps(demo_settings)  # the skipped files were left for this run
    assert summary.count("loaded") == 22 and summary.unchanged == 1


def test_catalog_versions_are_kept(demo_settings, tmp_path):
    run_steps(demo_settings)
    v1 = q(demo_settings, "select version, n_indicators from catalog_versions")
    assert len(v1) == 1 and v1[0][1] == 199
    assert q(demo_settings, "select catalog_version from runs") == [(v1[0][0],)]
    edited = tmp_path / "indicators.csv"
    text = (SCHEMAS / "indicators.csv").read_text(encoding="utf-8")
    edited.write_text(text.replace("Tổng số hồ sơ TTHC đã giải quyết xong", "Tổng số hồ sơ TTHC đã giải quyết", 1), encoding="utf-8")
    s = dataclasses.replace(demo_settings, catalog=edited, rubric=SCHEMAS / "rubric.toml", period="2023-H1")
    run_steps(s)
    assert q(s, "select count(*) from catalog_versions") == [(2,)]
    names = q(s, "select distinct name from indicators_history where code = 'III.3.1.1' order by 1")
    assert [n for (n,) in names] == ["Tổng số hồ sơ TTHC đã giải quyết", "Tổng số hồ sơ TTHC đã giải quyết xong"]


def test_outputs_interrupted_after_loading_are_rebuilt_by_the_next_run(demo_settings, monkeypatch):
    import pipeline.run as run_module
    from pipeline.report.district import report_path

    real = run_module.write_report
    monkeypatch.setattr(run_module, "write_report", lambda *a, **k: (_ for _ in ()).throw(OSError("mất điện")))
    with pytest.raises(OSError):
        run_steps(demo_settings)
    assert q(demo_settings, "select count(*) from submissions") == [(23,)]
    assert q(demo_settings, "select period_code from periods where stale") == [("2023-H1",)]
    assert not report_path(demo_settings.out, "2023-H1").exists()
    monkeypatch.setattr(run_module, "write_report", real)
    summary = run_steps(demo_settings)  # nothing new in the inbox, but the period's outputs are owed
    assert summary.files == [] and summary.periods == ["2023-H1"]
    assert report_path(demo_settings.out, "2023-H1").exists()
    assert q(demo_settings, "select value from v_district where indicator_code = 'III.3.3.1'") == [(23378.0,)]
    assert q(demo_settings, "select count(*) from periods where stale") == [(0,)]
