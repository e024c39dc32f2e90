"""The quality dialogue through the real commands (issue 15, first acceptance bullet).

Run 1 flags values of three communes; the officer accepts one flag with `tonghop flag`; xã Ngọc Kỳ sends its feedback
workbook back with an explanation and one corrected value; run 2 loads the reply as a new version whose corrected value
points at the reply's cell, the explained and the accepted flags are not raised again, and the corrected value is in
v_values and in the district figures; run 3, with nothing new, changes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl

from samples.cases import FIRST_ROW, fill, rows
from tests.conftest import office_folder

EXE = str(Path(sys.executable).with_name("tonghop"))
FLAGS_SHEET = "Số liệu cần xem lại"


def _book(folder: Path, name: str, issuer: str, values: dict, note: str | None = None) -> Path:
    """The cases' Phụ lục (xã Ngọc Kỳ's figures, quý III 2023) for `issuer`, with the figures of `values` changed."""
    wb = openpyxl.Workbook()
    fill(wb.active, rows(values=values), issuer=issuer)
    if note:
        wb.active.cell(FIRST_ROW, 5, note)
    path = folder / name
    wb.save(path)
    return path


def _cmd(work: Path, env: dict, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([EXE, *args], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    if ok:
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
    return done


def _query(work: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(work / "warehouse/tonghop.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _tables(work: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted (run 3 must leave each exactly as it was)."""
    con = duckdb.connect(str(work / "warehouse/tonghop.duckdb"), read_only=True)
    try:
        names = [t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()]
        return {t: sorted(map(repr, con.execute(f"select * from {t}").fetchall())) for t in names}
    finally:
        con.close()


def _drop(work: Path, path: Path) -> None:
    """Put a file into the inbox as an officer copies it (an hour old: settled)."""
    dest = work / "inbox" / path.name
    dest.write_bytes(path.read_bytes())
    old = time.time() - 3600
    os.utime(dest, (old, old))


def test_flags_replies_and_commands_across_three_runs(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    files = [
        _book(src, "BC_Q3_2023_Ngoc_Ky.xlsx", "XÃ NGỌC KỲ", {"3.3.2.": 1294, "2.": 70}),  # on time > resolved; I.2 ≠ 20/25
        _book(src, "BC_Q3_2023_Quang_Trung.xlsx", "XÃ QUANG TRUNG", {"5.3.2": 1300}),  # online > received
        _book(src, "BC_Q3_2023_Chi_Minh.xlsx", "XÃ CHÍ MINH", {"2.2.": 30}),  # done > planned
    ]
    work = office_folder(tmp_path, files)
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}

    # ---- run 1: values of three communes are flagged, all open
    _cmd(work, env, "run")
    flags = {(u, i, c): (fid, st) for fid, u, i, c, st in _query(
        work, "select flag_id, unit_code, indicator_code, code, state from v_flags where period_code = '2023-Q3'")}
    assert {u for u, _, _ in flags} == {"ngoc_ky", "quang_trung", "chi_minh"}
    assert {st for _, st in flags.values()} == {"mở"}
    assert ("ngoc_ky", "III.3.3.2", "part-exceeds-whole") in flags and ("ngoc_ky", "I.2", "rate-mismatch") in flags
    assert ("quang_trung", "VII.5.3.2", "part-exceeds-whole") in flags and ("chi_minh", "I.2.2", "part-exceeds-whole") in flags
    before = dict(_query(work, "select indicator_code, value from v_district where period_code = '2023-Q3'"))
    assert before["III.3.3.2"] == 1294 + 1194 + 1194
    (nk_sid,) = _query(work, "select submission_id from v_submissions where unit_code = 'ngoc_ky'")[0]
    (qt_sid,) = _query(work, "select submission_id from v_submissions where unit_code = 'quang_trung'")[0]

    # ---- the officer: a misspelt state and an unknown id are refused, then one flag is accepted
    bad = _cmd(work, env, "flag", "--id", str(flags[("quang_trung", "VII.5.3.2", "part-exceeds-whole")][0]),
               "--state", "closed", ok=False)
    assert bad.returncode == 2 and "Trạng thái" in bad.stderr
    unknown = _cmd(work, env, "flag", "--id", "9999", "--state", "accepted", ok=False)
    assert unknown.returncode == 2 and "9999" in unknown.stderr
    accepted = _cmd(work, env, "flag", "--unit", "quang_trung", "--indicator", "VII.5.3.2", "--state", "chap nhan",
                    "--note", "Xã tiếp nhận cả hồ sơ liên thông từ huyện")
    assert "chấp nhận" in accepted.stdout
    listed = _cmd(work, env, "flag", "--period", "2023-Q3", "--unit", "quang_trung")
    assert "VII.5.3.2" in listed.stdout and "chấp nhận" in listed.stdout
    assert _query(work, "select state, explanation from v_flags where unit_code = 'quang_trung' and indicator_code = 'VII.5.3.2'"
                  ) == [("chấp nhận", "Xã tiếp nhận cả hồ sơ liên thông từ huyện")]

    # ---- xã Ngọc Kỳ fills in its feedback workbook: an explanation for I.2, the right figure for III.3.3.2
    sent = work / "warehouse/reports/2023-Q3/phan_hoi" / f"PhanHoi_ngoc_ky_2023-Q3_{nk_sid}.xlsx"
    wb = openpyxl.load_workbook(sent)
    assert wb.sheetnames[:2] == ["Công văn", FLAGS_SHEET] and wb["_tonghop_phan_hoi"].sheet_state == "veryHidden"
    ws = wb[FLAGS_SHEET]
    at = {ws.cell(r, 2).value: r for r in range(7, ws.max_row + 1) if ws.cell(r, 2).value}
    assert {"I.2", "III.3.3.2"} <= set(at)
    others = wb["Phản hồi"]  # each issue once in the form: the flagged ones are not listed again with the others
    assert others["A5"].value.startswith(f'Các số liệu cần xem lại ở trang "{FLAGS_SHEET}" không nhắc lại')
    assert not {others.cell(r, 5).value for r in range(7, others.max_row + 1)} & {"I.2", "III.3.3.2"}
    ws.cell(at["I.2"], 8).value = "Tỷ lệ tính theo khối lượng công việc, không theo số nhiệm vụ"
    ws.cell(at["III.3.3.2"], 9).value = 1194
    reply = src / "PhanHoi_ngoc_ky_tra_loi.xlsx"
    wb.save(reply)
    _drop(work, reply)
    # xã Quang Trung sends its report again with the same figures (only a note changed)
    _drop(work, _book(src, "BC_Q3_2023_Quang_Trung_gui_lai.xlsx", "XÃ QUANG TRUNG", {"5.3.2": 1300}, note="Gửi lại"))

    # ---- run 2: the reply is a new version with lineage to its cell; explained and accepted flags stay quiet
    _cmd(work, env, "run")
    (new_sid, revises, supersedes, status) = _query(
        work, "select submission_id, revises, supersedes, status from submissions where file_name = ?", [reply.name])[0]
    assert (revises, supersedes, status) == (nk_sid, nk_sid, "loaded")
    assert _query(work, "select status from v_submissions where submission_id = ?", [nk_sid]) == [("superseded",)]
    value, ref = _query(work, "select value, source_ref from v_values where unit_code = 'ngoc_ky' "
                              "and indicator_code = 'III.3.3.2'")[0]
    assert value == 1194 and ref == f"{reply.name}!{FLAGS_SHEET}!I{at['III.3.3.2']}"
    # the other values of the new version are the previous version's, with their own cells
    assert _query(work, "select value, source_ref from v_values where unit_code = 'ngoc_ky' and indicator_code = 'I.1'"
                  ) == [(12.0, f"{files[0].name}!Sheet!D{FIRST_ROW + 1}")]
    after = dict(_query(work, "select indicator_code, value from v_district where period_code = '2023-Q3'"))
    assert after["III.3.3.2"] == 1194 * 3 and after["I.1"] == before["I.1"]

    state = {(u, i, c): (st, ex) for u, i, c, st, ex in _query(
        work, "select unit_code, indicator_code, code, state, explanation from v_flags")}
    assert state[("ngoc_ky", "I.2", "rate-mismatch")] == ("đã giải trình", "Tỷ lệ tính theo khối lượng công việc, không theo số nhiệm vụ")
    assert state[("ngoc_ky", "III.3.3.2", "part-exceeds-whole")][0] == "đã sửa"
    assert state[("quang_trung", "VII.5.3.2", "part-exceeds-whole")][0] == "chấp nhận"
    assert state[("chi_minh", "I.2.2", "part-exceeds-whole")][0] == "mở"
    events = _query(work, "select state, source from v_flag_events where unit_code = 'ngoc_ky' and indicator_code = 'I.2' "
                          "order by \"at\"")
    assert events[-1] == ("đã giải trình", f"{reply.name}!{FLAGS_SHEET}!H{at['I.2']}")
    # the same issues were found again in the new versions, kept in the warehouse but quiet
    quiet = _query(work, "select unit_code, indicator_code, code, suppressed from v_issues where submission_id > ? "
                         "and indicator_code is not null order by 1, 2, 3", [qt_sid + 1])
    assert ("ngoc_ky", "I.2", "rate-mismatch", True) in quiet
    assert ("quang_trung", "VII.5.3.2", "part-exceeds-whole", True) in quiet
    assert ("quang_trung", "VII.5.3", "rate-mismatch", False) in quiet  # still open: asked again
    assert not any(u == "ngoc_ky" and i == "III.3.3.2" for u, i, _, _ in quiet)
    # the new feedback of Quang Trung asks only about its open flag
    (qt_new,) = _query(work, "select submission_id from v_submissions where unit_code = 'quang_trung' and status = 'loaded'")[0]
    qt_book = openpyxl.load_workbook(work / "warehouse/reports/2023-Q3/phan_hoi" / f"PhanHoi_quang_trung_2023-Q3_{qt_new}.xlsx")
    asked = [qt_book[FLAGS_SHEET].cell(r, 2).value for r in range(7, qt_book[FLAGS_SHEET].max_row + 1)]
    assert asked == ["VII.5.3"]
    # the district workbook's issues sheet lists no quiet issue
    district = openpyxl.load_workbook(work / "warehouse/reports/2023-Q3/TongHop_CCHC_2023-Q3.xlsx", read_only=True)
    listed = {(row[2], row[7], row[8]) for row in district["Lỗi và cảnh báo"].iter_rows(values_only=True) if len(row) > 8}
    assert ("BC_Q3_2023_Quang_Trung_gui_lai.xlsx", "VII.5.3.2", "part-exceeds-whole") not in listed  # accepted
    assert ("BC_Q3_2023_Quang_Trung_gui_lai.xlsx", "VII.5.3", "rate-mismatch") in listed  # open
    assert (reply.name, "I.2", "rate-mismatch") not in listed  # explained
    assert ("BC_Q3_2023_Chi_Minh.xlsx", "I.2.2", "part-exceeds-whole") in listed

    # ---- run 3: nothing new, nothing changes
    tables = _tables(work)
    _cmd(work, env, "run")
    assert _tables(work) == tables
