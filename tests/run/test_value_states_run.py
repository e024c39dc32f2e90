"""The four value states through a whole run: stored with their state (v_value_states), absent from v_values, counted
apart in v_district ("2/23 đơn vị", 1 không áp dụng), and shown in the district workbook (area sheets, ranking)."""

from __future__ import annotations

import openpyxl
import pytest

from pipeline.report.district import SHEET_NAMES
from pipeline.report.ranking import AREA_RANK_SHEET, NOT_APPLICABLE, OVERALL_SHEET
from pipeline.run import run_steps
from samples.cases import FINANCE, TEN, fill, rows
from tests.conftest import query

CHECKS = [("3.", "Kiểm tra CCHC", "", None),
          ("3.1.", "Số phòng, ban, đơn vị trực thuộc đã kiểm tra", "Cơ quan, đơn vị", "-"),  # applies to all: refused
          ("3.2.", "Số UBND cấp xã đã kiểm tra", "Cơ quan, đơn vị", "x")]  # a commune inspects no commune


def _finance(rate, plan, done) -> list:
    return [FINANCE[0], (*FINANCE[1][:3], rate), (*FINANCE[2][:3], plan), (*FINANCE[3][:3], done)]


UNITS = {  # issuer line -> section VI block (public investment)
    "XÃ NGỌC KỲ": _finance("67,1", 3000, 2014),
    "XÃ QUANG TRUNG": _finance("Không áp dụng", "không áp dụng", "—"),  # no plan this year
    "XÃ CHÍ MINH": _finance(None, 0, 0),  # a plan of 0: real zeros, the rate left blank
    "XÃ QUANG KHẢI": _finance(None, None, None),  # the block left blank: not reported
}


@pytest.fixture(scope="module")
def states_run(tmp_path_factory):
    from tests.conftest import make_settings

    base = tmp_path_factory.mktemp("states")
    s = make_settings(base)
    s.inbox.mkdir(parents=True)
    for issuer, block in UNITS.items():
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Phụ lục"
        fill(ws, rows(after={"2.2.": CHECKS, "5.3.2": block}), issuer=issuer)
        wb.save(s.inbox / f"Phu luc CCHC quy III 2023 - {issuer.title()}.xlsx")
    summary = run_steps(s)
    return s, summary


def test_each_cell_keeps_its_state(states_run):
    s, summary = states_run
    assert summary.count("loaded") == 4
    got = dict(((u, c), st) for u, c, st in query(
        s, "select unit_code, indicator_code, value_state from v_value_states where period_code = '2023-Q3'"))
    assert {got[("quang_trung", c)] for c in ("VI.1", "VI.1.1", "VI.1.2")} == {"na"}
    assert got[("chi_minh", "VI.1.1")] == got[("chi_minh", "VI.1.2")] == "zero" and got[("chi_minh", "VI.1")] == "blank"
    assert {got[("quang_khai", c)] for c in ("VI.1", "VI.1.1", "VI.1.2")} == {"blank"}
    assert got[("ngoc_ky", "VI.1.1")] == "value" and got[("ngoc_ky", "I.3.2")] == "na"
    assert got[("ngoc_ky", "I.3.1")] == "not_allowed"  # "-" where the catalog does not allow it
    assert ("not-applicable-not-allowed", "I.3.1") in query(
        s, "select code, indicator_code from v_issues where unit_code = 'ngoc_ky' and severity = 'error'")
    answered = dict(query(s, "select unit_code, count(*) filter (where answered) from v_value_states "
                             "where indicator_code like 'VI.1%' group by unit_code"))
    assert answered == {"ngoc_ky": 3, "quang_trung": 3, "chi_minh": 2, "quang_khai": 0}


def test_v_values_holds_only_values(states_run):
    s, _ = states_run
    vi = sorted(query(s, "select unit_code, indicator_code, value from v_values where indicator_code like 'VI.1%'"))
    assert vi == [("chi_minh", "VI.1.1", 0.0), ("chi_minh", "VI.1.2", 0.0), ("ngoc_ky", "VI.1", 67.1),
                  ("ngoc_ky", "VI.1.1", 3000.0), ("ngoc_ky", "VI.1.2", 2014.0)]
    ten = dict(query(s, "select indicator_code, value from v_values where unit_code = 'quang_trung'"))
    assert {c: ten[c] for c in TEN} == TEN and "I.3.2" not in ten and "I.3.1" not in ten


def test_district_figures_count_the_states_apart(states_run):
    s, _ = states_run
    fig = {c: rest for c, *rest in query(s, "select indicator_code, value, n_units, n_expected, n_na, n_blank, blank_units, "
                                            "detail from v_district where period_code = '2023-Q3'")}
    assert fig["VI.1.1"][:6] == [3000.0, 2, 23, 1, 1, "quang_khai"]
    assert fig["VI.1"][1:6] == [2, 23, 1, 1, "quang_khai"] and fig["VI.1"][0] == pytest.approx(2014 / 3000 * 100)
    assert fig["VI.1"][6] == "2014/3000; 1 đơn vị không áp dụng"
    assert fig["I.3.2"][:5] == [None, 0, 23, 4, 0]  # every unit answered "x": a figure without value, 0/23 units
    assert fig["I.1"][:5] == [48.0, 4, 23, 0, 0] and fig["I.1"][6] == ""
    assert dict(query(s, "select unit_code, status from v_completeness where period_code = '2023-Q3' and status = 'submitted'")
                ) == {u: "submitted" for u in ("ngoc_ky", "quang_trung", "chi_minh", "quang_khai")}


def test_the_workbook_shows_not_applicable_and_the_lowered_maximum(states_run):
    s, summary = states_run
    path = next(p for p in summary.reports if p.parent.name == "2023-Q3")
    wb = openpyxl.load_workbook(path, read_only=True)
    area = [[c for c in r] for r in wb[SHEET_NAMES["VI"]].iter_rows(values_only=True)]
    vi11 = next(r for r in area if r[0] == "VI.1.1")
    assert vi11[3] == 3000 and vi11[4] == "2/23" and vi11[5] == "1 đơn vị không áp dụng"
    head = next(r for r in area if r[0] == "Mã chỉ tiêu")
    unit = {label: i for i, label in enumerate(head) if label}
    assert vi11[unit["xã Ngọc Kỳ"]] == 3000 and vi11[unit["xã Chí Minh"]] == 0
    assert vi11[unit["xã Quang Trung"]] == NOT_APPLICABLE and vi11[unit["xã Quang Khải"]] is None  # KAD vs blank
    overall = [c for r in wb[OVERALL_SHEET].iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert "xã Quang Trung (tối đa 68)" in overall
    assert not any(c.startswith(("xã Ngọc Kỳ (", "xã Chí Minh (")) for c in overall)
    assert any("không áp dụng: VI.1" in c and "xã Quang Trung (tối đa 68 điểm" in c for c in overall)
    by_area = [r for r in wb[AREA_RANK_SHEET].iter_rows(values_only=True)]
    vi_rows = [r for r in by_area if r[1] and str(r[1]).startswith("xã Quang Trung")]
    assert any(NOT_APPLICABLE in r for r in vi_rows)
    wb.close()
