"""Issue 14: validation, loading and the district figures work on the whole run's frames at once (no frame per file,
no row-by-row pandas). These tests pin what must not change: each file keeps its own issues and values, in order,
whatever order the run's files are recorded in; a batch is inserted whole; figures and points are computed exactly."""

from __future__ import annotations

import datetime as dt
import os

import duckdb
import numpy as np
import pandas as pd
import pytest

import pipeline.warehouse as wh
from pipeline.figures.district import consolidate
from pipeline.figures.ranking import criterion_points, score_units
from pipeline.inbox.archive import ArchiveEntry, append_entries, read_manifest
from pipeline.read.submission import parse_submission
from pipeline.reference.rubric import load_rubric
from pipeline.run import run_steps
from pipeline.validate import validate_submissions
from pipeline.validate.rules import load_rules
from samples import seed000_values, write_bieu_mau
from tests.conftest import SCHEMAS, make_settings
from tests.conftest import query as q

# xã Ngọc Kỳ, 2023-Q3 (DOMAIN.md), on the Biểu mẫu 1–7 rows that carry them
NGOC_KY = {(1, "1"): 12, (1, "2"): 80, (1, "2.1"): 25, (1, "2.2"): 20, (3, "3.3"): "99,5", (3, "3.3.1"): 1200,
           (3, "3.3.2"): 1194, (7, "6.7"): 88, (7, "6.7.1"): 1250, (7, "6.7.2"): 1100}
TITLE = "Thống kê kết quả thực hiện công tác CCHC quý III năm 2023"


def _write(path, header: str, values: dict) -> os.PathLike:
    return write_bieu_mau(path, unit_header=header, district_line="UBND HUYỆN TỨ KỲ", period_title=TITLE,
                          window_text="Số liệu tính từ ngày 15/6/2023 đến ngày 14/9/2023", caption=None, values=values)


def _empty_history() -> pd.DataFrame:
    return pd.DataFrame(columns=["unit_code", "period_code", "indicator_code", "value"])


@pytest.fixture
def run_with_faults(tmp_path):
    """A run of three files: two of Ngọc Kỳ (the older with faults, listed first by name but recorded first by time)
    and one of Quang Khải with a negative count."""
    s = make_settings(tmp_path)
    s.inbox.mkdir(parents=True)
    older = _write(s.inbox / "BC_Ngoc_Ky_b.xlsx", "UBND XÃ NGỌC KỲ", {**NGOC_KY, (1, "2"): 90, (1, "5"): 4})
    newer = _write(s.inbox / "BC_Ngoc_Ky_a.xlsx", "UBND XÃ NGỌC KỲ", NGOC_KY)
    _write(s.inbox / "BC_Quang_Khai.xlsx", "UBND XÃ QUANG KHẢI", {**NGOC_KY, (3, "3.3.1"): -5})
    for i, p in enumerate((older, newer, s.inbox / "BC_Quang_Khai.xlsx")):
        t = p.stat().st_mtime - 7200 + 600 * i  # the older Ngọc Kỳ file first, the newer after it
        os.utime(p, (t, t))
    return s, run_steps(s)


def _cells(frame) -> list[tuple[str, str, str]]:
    return [(r.code, r.sheet, r.cell) for r in frame.itertuples(index=False)]


def test_each_file_keeps_its_own_issues_and_values_when_files_are_recorded_out_of_order(run_with_faults):
    s, summary = run_with_faults
    by_file = {f.file: f for f in summary.files}
    assert by_file["BC_Ngoc_Ky_b.xlsx"].status == "superseded" and by_file["BC_Ngoc_Ky_a.xlsx"].status == "loaded"
    for f in summary.files:  # the file's issues in the warehouse are exactly those its summary and feedback show
        stored = q(s, "select code, sheet, cell from issues where submission_id = ? order by rowid", f.submission_id)
        assert stored == _cells(f.issue_rows)
        assert f.errors == sum(1 for r in f.issue_rows.itertuples() if r.severity == "error")
        assert f.warnings == sum(1 for r in f.issue_rows.itertuples() if r.severity == "warning")
        accepted = q(s, "select count(*) from observations where submission_id = ? and accepted", f.submission_id)[0][0]
        assert f.values == (accepted if f.status == "loaded" else 0)  # a file superseded in its own run counts none
    older = {(c, ind) for c, ind in q(s, "select code, indicator_code from issues where submission_id = ?",
                                      by_file["BC_Ngoc_Ky_b.xlsx"].submission_id)}
    assert {("code-out-of-list", "I.5"), ("rate-mismatch", "I.2")} <= older
    newer = {c for (c,) in q(s, "select code from issues where submission_id = ?", by_file["BC_Ngoc_Ky_a.xlsx"].submission_id)}
    assert not newer & {"code-out-of-list", "rate-mismatch"}
    values = dict(q(s, "select indicator_code, value from v_values where unit_code = 'ngoc_ky'"))
    assert {k: values[k] for k in ("I.1", "I.2", "I.2.1", "I.2.2", "III.3.3", "III.3.3.1", "III.3.3.2", "VII.5.3",
                                   "VII.5.3.1", "VII.5.3.2")} == {
        "I.1": 12, "I.2": 80, "I.2.1": 25, "I.2.2": 20, "III.3.3": 99.5, "III.3.3.1": 1200, "III.3.3.2": 1194,
        "VII.5.3": 88, "VII.5.3.1": 1250, "VII.5.3.2": 1100}
    qk = by_file["BC_Quang_Khai.xlsx"]
    assert ("count-negative", "III.3.3.1") in {(r.code, r.indicator_code) for r in qk.issue_rows.itertuples()}
    qk_values = dict(q(s, "select indicator_code, value from v_values where unit_code = 'quang_khai'"))
    assert "III.3.3.1" not in qk_values and qk_values["III.3.3.2"] == 1194  # an error keeps that value out, only it


def test_validation_returns_every_file_at_once_with_domain_issues_in_reading_order(tmp_path, registry, catalog):
    bad = dict(seed000_values())
    bad[(1, "2")] = "120,5"  # rate above 100 (row I.2) ...
    bad[(1, "2.1")] = "12,5"  # ... then a count with a fraction (row I.2.1, below it)
    subs = [parse_submission(_write(tmp_path / "clean.xlsx", "UBND XÃ NGỌC KỲ", NGOC_KY), registry, catalog),
            parse_submission(_write(tmp_path / "bad.xlsx", "UBND XÃ QUANG KHẢI", bad), registry, catalog)]
    rules = load_rules(SCHEMAS / "rules.csv", set(catalog.frame.index))
    checked = validate_submissions(subs, rules, _empty_history(), 3.5, 3)
    assert list(checked.observations["submission"].unique()) == [0, 1]
    assert len(checked.observations) == sum(len(s.observations) for s in subs)
    found = checked.issues[checked.issues["submission"] == 1]
    domain = [(c, i) for c, i in zip(found["code"], found["indicator_code"])
              if c in ("rate-out-of-range", "count-not-integer")]
    assert domain == [("rate-out-of-range", "I.2"), ("count-not-integer", "I.2.1")]
    refused = checked.observations[(checked.observations["submission"] == 1) & ~checked.observations["accepted"]
                                   & checked.observations["value"].notna()]
    assert set(refused["indicator_code"]) == {"I.2", "I.2.1"}
    assert not checked.issues[checked.issues["submission"] == 0]["code"].isin(["rate-out-of-range", "count-not-integer"]).any()


def test_a_batch_is_inserted_from_one_slice_of_the_run_frame(tmp_path):
    con = wh.connect(tmp_path / "w.duckdb")
    try:
        values = pd.DataFrame({"indicator_code": ["I.1", "I.2", "I.2.1", "I.1"], "value": [12.0, 80.0, 25.0, 5.0],
                               "raw": ["12", "80", "25", "5"], "source_ref": ["a!B1!D5", "a!B1!D6", "a!B1!D7", "b!B1!D5"],
                               "accepted": [True, True, True, True]})
        stat = lambda n: (n, 1, 1)  # noqa: E731
        rec = lambda n, u: {"file_name": n, "path": n, "sha256": n, "size": 1, "received_at": dt.datetime(2023, 9, 20), "run_id": "r",  # noqa: E731
                            "unit_code": u, "period_code": "2023-Q3", "status": "loaded", "reason": None}
        batch = [wh.Pending(rec("a", "ngoc_ky"), wh.Rows(values, 0, 3), pd.DataFrame(), stat("a")),
                 wh.Pending(rec("b", "tu_ky"), wh.Rows(values, 3, 4), pd.DataFrame(), stat("b"))]
        wh.record_submissions(con, batch)
        rows = con.execute("select s.file_name, o.indicator_code, o.value from observations o join submissions s "
                           "using (submission_id) order by all").fetchall()
    finally:
        con.close()
    assert rows == [("a", "I.1", 12.0), ("a", "I.2", 80.0), ("a", "I.2.1", 25.0), ("b", "I.1", 5.0)]


def test_schema_is_applied_once_and_again_when_its_mark_differs(tmp_path):
    path = tmp_path / "w.duckdb"
    wh.connect(path).close()
    con = duckdb.connect(str(path))
    try:
        con.execute("comment on view v_completeness is 'older version'")
        con.execute("drop view v_values")
    finally:
        con.close()
    con = wh.connect(path)  # an older file: tables upgraded, views made again, mark set
    try:
        assert con.execute("select count(*) from v_values").fetchall() == [(0,)]
        assert con.execute("select comment from duckdb_views() where view_name = 'v_completeness'").fetchall() == [
            (wh.store.SCHEMA_MARK,)]
    finally:
        con.close()


def test_manifest_entries_of_a_batch_are_written_together_in_order(tmp_path):
    entries = [ArchiveEntry(f"{i:064x}", ".xlsx", f"BC_{i}.xlsx", f"BC_{i}.xlsx", 100 + i, 1, "2023-09-20T08:00:00", "r1")
               for i in range(5)]
    append_entries(tmp_path, entries)
    append_entries(tmp_path, [])
    assert read_manifest(tmp_path) == entries


def test_district_sums_are_those_of_each_units_figures_in_unit_order(catalog):
    rng = np.random.default_rng(14)
    units = [f"u{i:03d}" for i in range(60)]
    rows = [{"period_code": "2023-Q3", "unit_code": u, "indicator_code": code, "value": float(v)}
            for u in units for code, v in (("VI.1.1", rng.random() * 3000.7), ("VI.1.2", rng.random() * 2014.3),
                                           ("I.1", rng.integers(0, 20)))
            if rng.random() > 0.2]
    values = pd.DataFrame(rows).sample(frac=1.0, random_state=3)  # rows in any order
    got = consolidate(values, catalog.frame, n_expected=60).set_index("indicator_code")
    wide = values.pivot_table(index="unit_code", columns="indicator_code", values="value", aggfunc="first")
    both = wide[["VI.1.2", "VI.1.1"]].dropna()
    assert got.loc["VI.1.1", "value"] == float(wide["VI.1.1"].dropna().sum())  # exactly, not approximately
    assert got.loc["VI.1", "value"] == float(both["VI.1.2"].sum()) / float(both["VI.1.1"].sum()) * 100.0
    assert got.loc["VI.1", "n_units"] == len(both) and got.loc["I.1", "n_units"] == wide["I.1"].notna().sum()


def test_points_over_all_units_are_criterion_points_of_each(catalog):
    rubric = load_rubric(SCHEMAS / "rubric.toml", known_codes=set(catalog.frame.index))
    rng = np.random.default_rng(7)
    units = pd.DataFrame({"code": [f"u{i:02d}" for i in range(40)], "name": [f"Xã {i}" for i in range(40)],
                          "kind": "xã", "order": range(40)})
    units["label"] = "xã " + units["name"]
    rows = [{"unit_code": u, "indicator_code": ind, "value": float(rng.choice([0.0, 1.0, 49.994, 99.925, 100.0,
                                                                              rng.random() * 120]))}
            for u in units["code"] for ind in rubric.criteria.index if rng.random() > 0.25]
    submitted = set(units["code"][:35])
    scores = score_units(pd.DataFrame(rows), rubric, catalog.frame, units, submitted).set_index("unit_code")
    for u, row in scores.iterrows():
        for ind, crit in rubric.criteria.iterrows():
            v = row[f"val:{ind}"]
            expected = criterion_points(None if pd.isna(v) else float(v), crit) if u in submitted else None
            got = row[f"pts:{ind}"]
            assert (pd.isna(got) and expected is None) or got == expected, (u, ind, v, got, expected)
