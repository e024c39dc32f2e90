"""Issue 16 items 1, 2 and 5 through whole runs: the 2025 illustration (samples/merger2025: four communes merged and
thị trấn Tứ Kỳ renamed on 1/7/2025), completeness before and after the merger, a file of a dissolved commune rejected
naming its successor, the comparison of the merged unit with its predecessors, and `make demo`'s figures unchanged."""

from __future__ import annotations

import dataclasses
import math
import shutil

import openpyxl
import pandas as pd
import pytest

from pipeline.figures.ranking import score_units
from pipeline.reference.catalog import load_catalog
from pipeline.reference.registry import load_registry
from pipeline.reference.rubric import load_rubric
from pipeline.run import run_steps
from samples import merger2025 as m25
from samples.cases import fill, rows
from tests.conftest import SCHEMAS, make_settings, query

NEW, OLD = m25.NEW_CODE, m25.MERGED
NOT_SENT = {"2025-H1": "BC_CCHC_6T2025_Tan_Ky.xlsx", "2025-Y": "BC_CCHC_Nam2025_Tai_Son.xlsx"}  # one unit missing each


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    base = tmp_path_factory.mktemp("merger2025")
    m25.put_sample(base / "sample", SCHEMAS / "units.csv")
    s = make_settings(base, units=base / "sample" / "units.csv")
    shutil.copytree(base / "sample" / "inbox", s.inbox)
    for period, name in NOT_SENT.items():
        (s.inbox / period / name).unlink()
    summary = run_steps(s)
    return s, summary


def test_pre_merger_files_load_and_the_old_name_after_the_merger_is_rejected_with_its_successor(merged):
    s, summary = merged
    status = dict(query(s, "select period_code, count(*) from v_submissions where status = 'loaded' group by 1"))
    assert status == {"2025-H1": 22, "2025-Y": 19}
    assert query(s, "select count(*) from v_submissions where unit_code in (select unnest(?)) and period_code = '2025-H1' "
                    "and status = 'loaded'", list(OLD)) == [(4,)]
    rejected = query(s, "select s.unit_code, s.period_code, i.code, i.raw from v_submissions s join v_issues i "
                        "using (submission_id) where s.status = 'rejected' and i.severity = 'error'")
    assert rejected == [("ngoc_ky", "2025-Y", "unit-not-valid-in-period", NEW)]
    assert [f.status for f in summary.files if f.unit_code == "ngoc_ky" and f.period_code == "2025-Y"] == ["rejected"]


def test_completeness_counts_the_units_valid_in_each_period(merged):
    s, _ = merged
    before = dict(query(s, "select unit_code, status from v_completeness where period_code = '2025-H1'"))
    after = dict(query(s, "select unit_code, status from v_completeness where period_code = '2025-Y'"))
    assert len(before) == 23 and set(OLD) <= set(before) and NEW not in before and "xa_tu_ky" not in before
    assert len(after) == 20 and not set(OLD) & set(after) and "tt_tu_ky" not in after
    assert after[NEW] == "submitted" and after["xa_tu_ky"] == "submitted"
    assert [u for u, st in before.items() if st == "missing"] == ["tan_ky"]
    assert [u for u, st in after.items() if st == "missing"] == ["tai_son"]  # a dissolved commune is never "chưa nộp"
    assert query(s, "select distinct period_code, n_expected from v_district order by 1") == [("2025-H1", 23), ("2025-Y", 20)]
    assert query(s, "select n_units from v_district where period_code = '2025-Y' and indicator_code = 'III.3.3.1'") == [(19,)]


def test_values_on_the_current_map_combine_the_predecessors(merged):
    s, _ = merged
    parts = dict(query(s, "select indicator_code, sum(value) from v_values where period_code = '2025-H1' and "
                          "unit_code in (select unnest(?)) and indicator_code in ('III.3.3.1', 'III.3.3.2') group by 1", list(OLD)))
    mapped = dict(query(s, "select indicator_code, value from v_values_current_map where period_code = '2025-H1' and "
                           "unit_code = ? and indicator_code in ('III.3.3', 'III.3.3.1', 'III.3.3.2')", NEW))
    assert mapped["III.3.3.1"] == parts["III.3.3.1"] and mapped["III.3.3.2"] == parts["III.3.3.2"]
    assert math.isclose(mapped["III.3.3"], parts["III.3.3.2"] / parts["III.3.3.1"] * 100)
    sources = query(s, "select distinct source_units from v_values_current_map where period_code = '2025-H1' and unit_code = ?", NEW)
    assert sources == [("|".join(sorted(OLD)),)]
    renamed = query(s, "select count(*) from v_values_current_map m join v_values v on v.period_code = m.period_code "
                       "and v.unit_code = 'tt_tu_ky' and v.indicator_code = m.indicator_code and v.value = m.value "
                       "where m.period_code = '2025-H1' and m.unit_code = 'xa_tu_ky'")[0][0]
    assert renamed == query(s, "select count(*) from v_values where period_code = '2025-H1' and unit_code = 'tt_tu_ky'")[0][0] > 50
    now = query(s, "select count(*) from v_values_current_map where period_code = '2025-Y' and unit_code = ?", NEW)[0][0]
    assert now == query(s, "select count(*) from v_values where period_code = '2025-Y' and unit_code = ?", NEW)[0][0]
    assert query(s, "select count(*) from v_values_current_map where unit_code in (select unnest(?))", list(OLD)) == [(0,)]


def test_previous_rank_of_the_merged_unit_comes_from_its_predecessors(merged):
    s, _ = merged
    path = s.out / "2025-Y" / "TongHop_CCHC_2025-Y.xlsx"
    ws = openpyxl.load_workbook(path)["Phụ lục 1. Xếp hạng"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "STT")
    col_prev = next(i for i, v in enumerate(header) if isinstance(v, str) and v.startswith("Xếp hạng 6 tháng"))
    table = {r[1]: r for r in ws.iter_rows(values_only=True) if isinstance(r[0], int)}
    assert len(table) == 19 + 1  # 19 ranked, Tái Sơn not submitted
    # independently: the 2025-H1 ranking over the new map, from the warehouse's view of values on the current map
    catalog = load_catalog(SCHEMAS / "indicators.csv")
    rubric = load_rubric(SCHEMAS / "rubric.toml", known_codes=set(catalog.frame.index))
    reg = load_registry(s.units)
    before = pd.DataFrame(query(s, "select unit_code, indicator_code, value from v_values_current_map where period_code = '2025-H1'"),
                          columns=["unit_code", "indicator_code", "value"])
    units = reg.units_in("2025-Y")
    scores = score_units(before, rubric, catalog.frame, units, set(before["unit_code"]))
    rank = dict(zip(scores["label"], scores["rank"]))
    assert table[f"xã {m25.NEW_NAME}"][col_prev] == rank[f"xã {m25.NEW_NAME}"]
    assert table["xã Tứ Kỳ"][col_prev] == rank["xã Tứ Kỳ"]
    notes = [c for r in ws.iter_rows(values_only=True) for c in r if isinstance(c, str) and m25.NEW_NAME in c and "Ngọc Kỳ" in c]
    assert len(notes) == 1 and all(reg.label(u) in notes[0] for u in OLD)


def test_a_period_given_by_the_run_also_checks_the_unit(tmp_path):
    """A file that states no period takes the run's (--period): a commune dissolved before it is rejected all the same."""
    m25.put_sample(tmp_path / "sample", SCHEMAS / "units.csv")
    s = make_settings(tmp_path, units=tmp_path / "sample" / "units.csv", period="2025-Y")
    s.inbox.mkdir(parents=True)
    wb = openpyxl.Workbook()
    fill(wb.active, rows(), "XÃ QUANG TRUNG", title="Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính",
         window="")
    wb.save(s.inbox / "quang_trung.xlsx")
    run_steps(dataclasses.replace(s))
    got = query(s, "select s.status, i.code, i.raw from v_submissions s join v_issues i using (submission_id) "
                   "where i.severity = 'error'")
    assert got == [("rejected", "unit-not-valid-in-period", NEW)]


def test_make_demo_figures_unchanged_with_the_four_column_registry(demo_settings):
    run_steps(demo_settings)
    got = {c: (v, n, e) for c, v, n, e in query(demo_settings, "select indicator_code, value, n_units, n_expected from v_district "
                                                "where period_code = '2023-H1'")}
    assert got["III.3.3.1"] == (23378, 23, 23) and got["III.3.3.2"] == (23359, 23, 23)
    assert got["VII.5.3.1"] == (22903, 23, 23) and got["VII.5.3.2"] == (22816, 23, 23)
    assert query(demo_settings, "select count(*) from v_completeness where period_code = '2023-H1'") == [(23,)]
    assert query(demo_settings, "select count(*), count(distinct unit_code) from v_values_current_map where period_code = '2023-H1'") == \
        query(demo_settings, "select count(*), count(distinct unit_code) from v_values where period_code = '2023-H1'")


def test_completeness_sheets_list_the_units_of_their_period(merged):
    s, _ = merged

    def labels(period):
        wb = openpyxl.load_workbook(s.out / period / f"TongHop_CCHC_{period}.xlsx")
        ws = wb["Tình hình nộp báo cáo"]
        return {c for r in ws.iter_rows(values_only=True) for c in r if isinstance(c, str)}

    before, after = labels("2025-H1"), labels("2025-Y")
    assert {"xã Ngọc Kỳ", "xã Quang Khải", "thị trấn Tứ Kỳ"} <= before and f"xã {m25.NEW_NAME}" not in before
    assert f"xã {m25.NEW_NAME}" in after and "xã Tứ Kỳ" in after
    assert not {"xã Ngọc Kỳ", "xã Quang Trung", "xã Chí Minh", "xã Quang Khải", "thị trấn Tứ Kỳ"} & after


def test_outlier_history_of_the_merged_unit_is_its_predecessors_combined(merged):
    """The validate step's history (run._history): a later half-year of the merged unit looks back on 2025-H1 through
    its four predecessors' summed figures."""
    from pipeline.reference import load_reference
    from pipeline.run import _history

    s, _ = merged
    ref = load_reference(s.reference)
    sub = type("Sub", (), {"unit_code": NEW, "period_code": "2026-H1"})()
    hist = _history(s, [sub], ref)
    got = dict(zip(hist.loc[hist["period_code"] == "2025-H1", "indicator_code"], hist.loc[hist["period_code"] == "2025-H1", "value"]))
    total = query(s, "select sum(value) from v_values where period_code = '2025-H1' and indicator_code = 'III.3.3.1' "
                     "and unit_code in (select unnest(?))", list(OLD))[0][0]
    assert set(hist["unit_code"]) == {NEW} and got["III.3.3.1"] == total


def test_a_merger_recorded_after_files_were_loaded_takes_them_out_of_the_later_period(tmp_path):
    """A dissolved commune's 2025-Y file loaded while the registry knew no merger: once the merger is recorded, the
    district figures of 2025-Y cover the units of the new map only (the submission stays in the ledger)."""
    m25.put_sample(tmp_path / "sample", SCHEMAS / "units.csv")
    s = make_settings(tmp_path)  # the four-column registry first
    (s.inbox / "2025-Y").mkdir(parents=True)
    for name in ("BC_CCHC_Nam2025_Tan_Ky.xlsx", "BC_CCHC_Nam2025_Ngoc_Ky_ten_cu.xlsx"):
        shutil.copy2(tmp_path / "sample" / "inbox" / "2025-Y" / name, s.inbox / "2025-Y" / name)
    run_steps(s)
    assert query(s, "select n_units, n_expected from v_district where period_code = '2025-Y' and indicator_code = 'III.3.3.1'") == [(2, 23)]
    timed = dataclasses.replace(s, units=tmp_path / "sample" / "units.csv")
    run_steps(timed)
    tan_ky = query(s, "select value from v_values where period_code = '2025-Y' and unit_code = 'tan_ky' and indicator_code = 'III.3.3.1'")
    assert query(s, "select value, n_units, n_expected from v_district where period_code = '2025-Y' and indicator_code = 'III.3.3.1'") == \
        [(tan_ky[0][0], 1, 20)]
    assert query(s, "select status from v_submissions where unit_code = 'ngoc_ky'") == [("loaded",)]
    assert query(s, "select count(*) from v_completeness where period_code = '2025-Y' and unit_code = 'ngoc_ky'") == [(0,)]
