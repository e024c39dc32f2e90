"""The issues sheet gathers a file's many peer-divergence warnings into one row; the warehouse keeps each one."""

import openpyxl
import pandas as pd

from pipeline.reference.rubric import load_rubric
from pipeline.report.district import (ISSUES_SHEET, PEER_CODE, PEER_CODES_LISTED, PEER_ROWS_PER_FILE, ReportData,
                                      gather_divergent, write_report)
from samples.cases import TEN
from tests.conftest import SCHEMAS
from tests.report.test_quality_sheet import OFFICE, PERIOD, _data, _issue


def _many(unit: str, codes: list[str]) -> list[dict]:
    rows = [_issue(unit, PEER_CODE, c, f"D{10 + i}") for i, c in enumerate(codes)]
    for r, c in zip(rows, codes):
        r["sheet"] = "Biểu mẫu 3" if c.startswith("III") else "Biểu mẫu 1"
    return rows


def test_a_file_with_more_than_the_limit_gets_one_row(catalog):
    codes = list(catalog.frame.index[:PEER_ROWS_PER_FILE + 5])  # catalog order
    few = list(catalog.frame.index[:PEER_ROWS_PER_FILE])  # at the limit: kept one by one
    issues = pd.DataFrame(_many("ngoc_ky", list(reversed(codes))) + _many("chi_minh", few)
                          + [_issue("ngoc_ky", "part-exceeds-whole", "III.3.3.2", "D19")])
    order = {c: i for i, c in enumerate(catalog.frame.index)}
    rows, gathered = gather_divergent(issues, order)
    assert gathered == len(codes)
    mine = rows[rows["unit_code"] == "ngoc_ky"]
    assert sorted(mine["code"]) == ["part-exceeds-whole", PEER_CODE]  # the other issue untouched
    row = mine[mine["code"] == PEER_CODE].iloc[0]
    assert row["file_name"] == "BC_ngoc_ky.xlsx" and row["severity"] == "warning" and pd.isna(row["indicator_code"])
    listed = row["message"].split(": ", 1)[1]
    assert listed.startswith(", ".join(codes[:PEER_CODES_LISTED]))  # in catalog order, not in the issues' order
    assert f"và {len(codes) - PEER_CODES_LISTED} chỉ tiêu khác" in listed
    assert f"ở {len(codes)} giá trị, {len(codes)} chỉ tiêu" in row["message"]
    assert set(row["source_ref"].split(", ")) <= {"Biểu mẫu 1", "Biểu mẫu 3"}
    assert (rows["unit_code"] == "chi_minh").sum() == PEER_ROWS_PER_FILE  # each of its warnings still its own row


def test_nothing_to_gather_returns_the_frame_itself(catalog):
    issues = pd.DataFrame(_many("ngoc_ky", list(catalog.frame.index[:3])))
    rows, gathered = gather_divergent(issues, {})
    assert rows is issues and gathered == 0


def test_the_sheet_shows_the_gathered_row_and_counts_every_warning(tmp_path, registry, catalog):
    units, comp, values, issues = _data(registry)
    codes = [c for c in catalog.frame.index if c not in TEN][:PEER_ROWS_PER_FILE + 1]
    issues = pd.concat([issues, pd.DataFrame(_many("quang_trung", codes))], ignore_index=True)
    data = ReportData(PERIOD, OFFICE, units, catalog.frame, pd.DataFrame(), values[["unit_code", "indicator_code", "value"]],
                      comp, issues=issues, run_id="r1", rubric=load_rubric(SCHEMAS / "rubric.toml"))
    ws = openpyxl.load_workbook(write_report(data, tmp_path))[ISSUES_SHEET]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    count = next(r[0] for r in rows if isinstance(r[0], str) and " lỗi (" in r[0])
    n_warn = int((issues["severity"] == "warning").sum())
    assert f"{n_warn:02d} cảnh báo." in count and f"{len(codes)} cảnh báo lệch" in count
    h = next(i for i, r in enumerate(rows) if r[0] == "STT")
    body = [r for r in rows[h + 1:] if isinstance(r[0], int)]
    assert len(body) == len(issues) - len(codes) + 1
    peer = [r for r in body if r[1] == "xã Quang Trung" and r[8] == PEER_CODE]
    assert len(peer) == 1 and peer[0][6] in ("Biểu mẫu 1", "Biểu mẫu 3", "Biểu mẫu 1, Biểu mẫu 3") and peer[0][7] in ("", None)


def test_the_gathered_row_names_the_sheets_from_source_ref(catalog):
    rows = _many("ngoc_ky", list(catalog.frame.index[:PEER_ROWS_PER_FILE + 1]))
    for r in rows:  # as the warehouse gives them: no sheet column, 'file!sheet!cell' in source_ref
        r["source_ref"] = f"BC_ngoc_ky.xlsx!{r.pop('sheet')}!D10"
    out, gathered = gather_divergent(pd.DataFrame(rows), {})
    assert gathered == len(rows) and out.iloc[0]["source_ref"] in ("Biểu mẫu 1", "Biểu mẫu 1, Biểu mẫu 3")
