"""A run weighs its issues: units far from the district become issues, every issue on a value carries its impact in
the warehouse (v_issues), the run summary's JSON lists the top ten and the flow's markdown renders them."""

import json
import os
import time

import openpyxl

from pipeline.report.summary import render_top_issues
from pipeline.run import run_steps
from samples.cases import fill, rows
from tests.conftest import query

WINDOW = "(Số liệu tính từ ngày 15/6/2023 đến ngày 14/9/2023)"


def _book(path, issuer: str, values: dict | None = None) -> None:
    wb = openpyxl.Workbook()
    fill(wb.active, rows(values=values), issuer=issuer, window=WINDOW)
    wb.save(path)
    old = time.time() - 3600
    os.utime(path, (old, old))


def test_a_run_stores_impact_and_lists_the_top_ten(settings):
    _book(settings.inbox / "BC_Ngoc_Ky.xlsx", "XÃ NGỌC KỲ")
    _book(settings.inbox / "BC_Quang_Trung.xlsx", "XÃ QUANG TRUNG", {"3.3.1.": 922, "3.3.2.": 905, "3.3.": 98.17})
    # Chí Minh: half of its dossiers on time (500/1000), and its printed rate says so
    _book(settings.inbox / "BC_Chi_Minh.xlsx", "XÃ CHÍ MINH", {"3.3.1.": 1000, "3.3.2.": 500, "3.3.": 50})
    summary = run_steps(settings)
    peer = query(settings, "select unit_code, indicator_code, source_ref, impact_abs, impact_order from v_issues "
                           "where code = 'value-peer-divergent'")
    # district 2599/3122 = 83,25 %; without Chí Minh 2099/2122 = 98,92 %: its rate moves the district's by −15,67
    assert [(u, i) for u, i, *_ in peer] == [("chi_minh", "III.3.3")]
    assert peer[0][2].endswith("!D17") and abs(peer[0][3] - (2599 / 3122 - 2099 / 2122) * 100) < 1e-9
    top = summary.top_issues
    assert top and top[0]["unit_code"] == "chi_minh" and top[0]["code"] == "value-peer-divergent"
    assert top[0]["order"] == peer[0][4] == 1 and top[0]["period_code"] == "2023-Q3"
    saved = json.loads(summary.summary_path.with_suffix(".json").read_text(encoding="utf-8"))
    assert saved["top_issues"] == json.loads(json.dumps(top))
    assert saved["period_warnings"] == summary.period_warnings == len(peer) == 1  # counted, not lost
    md = render_top_issues(summary)
    assert md.startswith("# Lỗi, cảnh báo cần sửa trước") and "| 1 | xã Chí Minh | III.3.3 | -15,67 (-18,8%) |" in md
    # the values the three files give are each a third of the district: every stored order is 1..n without gaps
    orders = sorted({o for (o,) in query(settings, "select impact_order from v_issues where impact_order is not null")})
    assert orders == list(range(1, len(orders) + 1))


def test_a_second_run_with_nothing_new_changes_nothing(settings):
    _book(settings.inbox / "BC_Ngoc_Ky.xlsx", "XÃ NGỌC KỲ")
    _book(settings.inbox / "BC_Quang_Trung.xlsx", "XÃ QUANG TRUNG", {"3.3.1.": 922, "3.3.2.": 905, "3.3.": 98.17})
    _book(settings.inbox / "BC_Chi_Minh.xlsx", "XÃ CHÍ MINH", {"3.3.1.": 1000, "3.3.2.": 500, "3.3.": 50})
    run_steps(settings)
    sql = "select * from v_issues order by submission_id, code, source_ref"
    before = query(settings, sql)
    run_steps(settings)
    assert query(settings, sql) == before


def test_a_run_with_nothing_to_fix_says_so():
    from pipeline.outcome import RunSummary
    import datetime as dt

    md = render_top_issues(RunSummary(run_id="r1", started_at=dt.datetime(2023, 9, 20, 8, 0)))
    assert md.startswith("# Lỗi, cảnh báo cần sửa trước") and "Không có lỗi" in md
