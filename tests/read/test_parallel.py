"""Reading in worker processes gives exactly what reading one file after another gives."""

from __future__ import annotations

import dataclasses
import shutil

import duckdb
import pandas as pd
import pytest

from pipeline.read import workers as parallel
from pipeline.run import run_steps
from samples.national import write_national
from samples.thanhhoa import write_thanhhoa
from pipeline.read.submission import parse_submission


def _same(a, b) -> None:
    for f in ("file_name", "path", "unit_code", "period_code", "period_stated", "window", "report_number", "report_date", "layout"):
        assert getattr(a, f) == getattr(b, f), f
    pd.testing.assert_frame_equal(a.observations, b.observations)
    pd.testing.assert_frame_equal(pd.DataFrame(a.issues), pd.DataFrame(b.issues))
    pd.testing.assert_frame_equal(pd.DataFrame(a.unmapped), pd.DataFrame(b.unmapped))


@pytest.fixture(scope="module")
def mixed_files(tmp_path_factory, demo_files, seed000_file):
    """Demo Biểu mẫu files, the national and Thanh Hóa layouts, seed 000 and a file that is not a workbook."""
    d = tmp_path_factory.mktemp("mixed")
    (d / "2023-9M").mkdir()
    broken = d / "hong.xlsx"
    broken.write_text("không phải Excel", encoding="utf-8")
    return [(p, None) for p in demo_files[:4]] + [
        (write_national(d / "PL_NhuQuynh.xlsx", unit_header="ỦY BAN NHÂN DÂN\nXÃ NGỌC KỲ"), None),
        (write_thanhhoa(d / "2023-9M" / "TH.xlsx", unit_header="ỦY BAN NHÂN DÂN\nXÃ HÀ KỲ"), "2023-9M"),
        (seed000_file, None),
        (broken, None),
    ]


def test_workers_parse_exactly_as_one_process(mixed_files, registry, catalog):
    seq = [parse_submission(p, registry, catalog, folder_period=fp) for p, fp in mixed_files]
    par = parallel.parse_files(mixed_files, registry, catalog, workers=2)
    assert len(par) == len(seq)
    for a, b in zip(seq, par):
        _same(a, b)
    assert {s.layout for s in seq} >= {"bieumau", "national", "numbered"}
    assert seq[-1].rejected_by["code"] == "file-unreadable"


def test_few_files_are_read_in_this_process():
    assert parallel.effective_workers(0, 2) == 1
    assert parallel.effective_workers(parallel.MIN_FILES_PER_WORKER, 2) == 1
    assert parallel.effective_workers(10_000, 1) == 1
    assert parallel.effective_workers(10_000, 64) == parallel.cores()


def _warehouse_rows(settings):
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return {
            "values": con.execute("select * exclude (submission_id) from v_values order by unit_code, indicator_code").fetchall(),
            "issues": con.execute("select s.file_name, i.severity, i.code, i.message, i.source_ref, i.indicator_code from v_issues i "
                                  "join v_submissions s using (submission_id) order by all").fetchall(),
            "district": con.execute("select * exclude (computed_at) from v_district order by all").fetchall(),
            "subs": con.execute("select file_name, unit_code, period_code, status, reason from v_submissions order by file_name").fetchall(),
        }
    finally:
        con.close()


def test_run_with_two_workers_loads_what_one_loads(tmp_path, demo_settings, monkeypatch):
    one = run_steps(demo_settings)
    other = dataclasses.replace(demo_settings, inbox=tmp_path / "inbox2", warehouse=tmp_path / "wh2" / "tonghop.duckdb",
                                out=tmp_path / "wh2" / "reports", workers=2)
    shutil.copytree(demo_settings.inbox, other.inbox)
    calls: list[int] = []
    real = parallel.parse_files

    def spy(jobs, *args, **kwargs):  # the run hands its jobs out one by one, as each file's copy is archived
        jobs = list(jobs)
        calls.append(len(jobs))
        return real(jobs, *args, **kwargs)

    monkeypatch.setattr(parallel, "MIN_FILES_PER_WORKER", 1)
    monkeypatch.setattr(parallel, "parse_files", spy)
    two = run_steps(other)
    assert calls == [23]
    assert two.count("loaded") == one.count("loaded") == 23
    assert _warehouse_rows(other) == _warehouse_rows(demo_settings)
    assert len(list(other.archive.iterdir())) >= 23
