"""Flags followed up across versions (pipeline.warehouse.flags via the run's load step), the officer's command as a
pipeline function (pipeline.followup), and replies the warehouse cannot match."""

from __future__ import annotations

import duckdb
import openpyxl
import pytest

from pipeline import warehouse as wh
from pipeline.config import StoreOptions
from pipeline.errors import UsageError
from pipeline.followup import Selection, list_flags, parse_state, set_flags
from pipeline.read.reply import FLAGS_SHEET, REPLY_SHEET, checksum
from pipeline.run import run_steps
from samples.cases import FIRST_ROW, fill, rows
from tests.conftest import make_settings

KEY = ("chi_minh", "I.2.2", "part-exceeds-whole")


def _send(s, name: str, issuer: str, values: dict, note: str | None = None):
    wb = openpyxl.Workbook()
    fill(wb.active, rows(values=values), issuer=issuer)
    if note:
        wb.active.cell(FIRST_ROW, 5, note)
    wb.save(s.inbox / name)
    return s.inbox / name


def _flags(s) -> dict[tuple, tuple]:
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        return {(u, i, c): (fid, st, ex, v) for fid, u, i, c, st, ex, v in con.execute(
            "select flag_id, unit_code, indicator_code, code, state, explanation, value from v_flags").fetchall()}
    finally:
        con.close()


def _sql(s, sql: str, params=None):
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture
def s(tmp_path):
    s = make_settings(tmp_path)
    s.inbox.mkdir(parents=True)
    return s


def test_a_flag_is_quiet_for_the_same_value_reopens_for_another_and_is_fixed_when_the_value_is_right(s):
    _send(s, "BC_Chi_Minh_1.xlsx", "XÃ CHÍ MINH", {"2.2.": 30})  # 30 tasks done of 25 planned
    run_steps(s)
    fid, state, _, value = _flags(s)[KEY]
    assert (state, value) == ("mở", 30)
    store = StoreOptions(s.warehouse, 5, 5)
    kept = len(wh.backups_of(s.warehouse))
    set_flags(store, Selection(ids=(fid,)), "da giai trinh", "Có 5 nhiệm vụ phát sinh ngoài kế hoạch")
    assert len(wh.backups_of(s.warehouse)) == kept + 1  # the command backed the warehouse up before writing it
    assert list_flags(s.warehouse, Selection(unit="chi_minh", indicator="I.2.2"))["state"].tolist() == ["đã giải trình"]
    assert list_flags(s.warehouse, Selection(unit="ngoc_ky")).empty  # nothing flagged there: an empty list, no error

    _send(s, "BC_Chi_Minh_2.xlsx", "XÃ CHÍ MINH", {"2.2.": 30}, note="gửi lại")  # same value: not raised again
    run_steps(s)
    assert _flags(s)[KEY][1:3] == ("đã giải trình", "Có 5 nhiệm vụ phát sinh ngoài kế hoạch")
    assert _sql(s, "select suppressed from v_issues where code = 'part-exceeds-whole' and submission_status = 'loaded'"
                ) == [(True,)]
    assert _sql(s, "select count(*) from v_flags") == [(2,)]  # the same two flags (I.2.2, I.2), no new ones

    _send(s, "BC_Chi_Minh_3.xlsx", "XÃ CHÍ MINH", {"2.2.": 28})  # another wrong value: the flag opens again
    run_steps(s)
    assert _flags(s)[KEY] == (fid, "mở", None, 28)

    _send(s, "BC_Chi_Minh_4.xlsx", "XÃ CHÍ MINH", {})  # the right figure (20): fixed
    run_steps(s)
    assert _flags(s)[KEY][1:] == ("đã sửa", None, 20)
    states = [st for (st,) in _sql(s, "select state from v_flag_events where flag_id = ? order by \"at\"", [fid])]
    assert states == ["mở", "đã giải trình", "mở", "đã sửa"]

    _send(s, "BC_Chi_Minh_5.xlsx", "XÃ CHÍ MINH", {"2.2.": 30})  # wrong again after a fix: open again
    run_steps(s)
    assert _flags(s)[KEY][:2] == (fid, "mở")


def test_the_command_refuses_bad_arguments_and_changes_nothing(s):
    _send(s, "BC_Chi_Minh.xlsx", "XÃ CHÍ MINH", {"2.2.": 30})
    run_steps(s)
    before = _flags(s)
    store = StoreOptions(s.warehouse, 5, 5)
    for sel, state in [(Selection(ids=(999,)), "accepted"), (Selection(unit="ngoc_ky"), "bỏ qua"),
                       (Selection(), "bỏ qua"), (Selection(unit="chi_minh"), "đóng")]:
        with pytest.raises(UsageError):
            set_flags(store, sel, state)
    assert _flags(s) == before
    assert [parse_state(t) for t in ("Mở", "da sua", "CHẤP NHẬN", "bo qua", "explained", "ignored")] == [
        "mở", "đã sửa", "chấp nhận", "bỏ qua", "đã giải trình", "bỏ qua"]
    done = set_flags(store, Selection(unit="chi_minh"), "ignored", "Đã trao đổi qua điện thoại")
    assert set(done["state"]) == {"bỏ qua"} and len(done) == len(before)
    read = duckdb.connect(str(wh.reading_path(s.warehouse)), read_only=True)  # analysts see it at once
    assert read.execute("select distinct state from v_flags").fetchall() == [("bỏ qua",)]
    read.close()


def _reply(s, sid: int, dest_name: str, change=None):
    """Fill the feedback workbook of submission `sid` (an explanation on every row) and drop it into the inbox."""
    sent = next(s.out.glob(f"*/phan_hoi/PhanHoi_*_{sid}.xlsx"))
    wb = openpyxl.load_workbook(sent)
    ws = wb[FLAGS_SHEET]
    for r in range(7, ws.max_row + 1):
        if ws.cell(r, 2).value:
            ws.cell(r, 8).value = "Đơn vị giải trình"
    if change:
        change(wb)
    wb.save(s.inbox / dest_name)
    return s.inbox / dest_name


def _status(s, name: str):
    return _sql(s, "select s.status, i.code from submissions s left join issues i on i.submission_id = s.submission_id "
                   "and i.severity = 'error' where s.file_name = ?", [name])


def test_replies_the_warehouse_cannot_match_are_rejected_with_their_reason(s, tmp_path):
    _send(s, "BC_Chi_Minh.xlsx", "XÃ CHÍ MINH", {"2.2.": 30})
    _send(s, "BC_Ngoc_Ky.xlsx", "XÃ NGỌC KỲ", {"3.3.2.": 1294})
    run_steps(s)
    cm, nk = (_sql(s, "select submission_id from submissions where unit_code = ?", [u])[0][0] for u in ("chi_minh", "ngoc_ky"))
    nk_flag = _flags(s)[("ngoc_ky", "III.3.3.2", "part-exceeds-whole")][0]

    def other_units_flag(wb):  # ids edited consistently (checksum recomputed): a flag of xã Ngọc Kỳ in Chí Minh's form
        h = wb[REPLY_SHEET]
        h["A8"].value = nk_flag
        rows_ = [(int(h.cell(r, 1).value), int(h.cell(r, 2).value), h.cell(r, 3).value) for r in range(8, h.max_row + 1)]
        h["A8"].value, h["C8"].value = nk_flag, rows_[0][2]
        h["B6"].value = checksum(cm, "2023-Q3", "chi_minh", FLAGS_SHEET, rows_)

    _reply(s, cm, "TraLoi_sai_ma.xlsx", other_units_flag)
    run_steps(s)
    assert _status(s, "TraLoi_sai_ma.xlsx") == [("rejected", "reply-ids-changed")]

    _send(s, "BC_Chi_Minh_moi.xlsx", "XÃ CHÍ MINH", {"2.2.": 30}, note="bản mới")  # a newer version, then a reply to the old
    run_steps(s)
    _reply(s, cm, "TraLoi_ban_cu.xlsx")
    run_steps(s)
    assert _status(s, "TraLoi_ban_cu.xlsx") == [("rejected", "reply-submission-outdated")]

    other = make_settings(tmp_path / "khac")  # another district's warehouse has never seen the submission
    other.inbox.mkdir(parents=True)
    (other.inbox / "TraLoi.xlsx").write_bytes(_reply(s, nk, "TraLoi_nk.xlsx").read_bytes())
    run_steps(other)
    assert _status(other, "TraLoi.xlsx") == [("rejected", "reply-submission-unknown")]
    assert _sql(other, "select count(*) from observations") == [(0,)]


def test_a_rebuild_keeps_the_officers_standing_decisions(s):
    """`tonghop rebuild` replays the communes' files from the archive; the officer's `tonghop flag` decisions are not in
    the archive, so those that still stand are carried over onto the same flag (same unit, indicator, code, value)."""
    from pipeline.rebuild import rebuild_warehouse

    _send(s, "BC_Chi_Minh_1.xlsx", "XÃ CHÍ MINH", {"2.2.": 30})  # I.2.2 = 30 done of 25 planned: flagged
    run_steps(s)
    fid, _, _, _ = _flags(s)[KEY]
    store = StoreOptions(s.warehouse, 5, 5)
    set_flags(store, Selection(ids=(fid,)), "chấp nhận", "Phòng đã xác minh: 5 nhiệm vụ phát sinh")
    other = [k for k in _flags(s) if k != KEY]
    assert other  # a second flag (I.2) the officer left open
    result = rebuild_warehouse(s)
    assert result.decisions == 1
    after = _flags(s)
    assert after[KEY][1:] == ("chấp nhận", "Phòng đã xác minh: 5 nhiệm vụ phát sinh", 30)
    assert all(after[k][1] == "mở" for k in other)
    by = _sql(s, "select e.source from flag_events e join flags f using (flag_id) where f.unit_code = ? "
                 "and f.indicator_code = ? and f.code = ? order by e.rowid", list(KEY))  # in the order recorded
    assert by[-1] == (wh.flags.COMMAND,)
    again = rebuild_warehouse(s)  # a second rebuild carries it over again
    assert again.decisions == 1 and _flags(s)[KEY][1] == "chấp nhận"
