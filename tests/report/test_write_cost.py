"""Writing costs in proportion to the data (issue 14): line counts without a per-character loop, row heights per column,
feedback workbooks from plain rows written in the reading processes, one failing workbook not stopping the others,
the run summary as plain data. Every check compares with the rule or the result it replaces."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import pickle
import random
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from pipeline import issues as iss
from pipeline.outcome import FileResult, RunSummary, summary_data
from pipeline.read import workers
from pipeline.read.safety import Limits
from pipeline.reference.office import load_office
from pipeline.report import layout
from pipeline.report.feedback import FeedbackJob, feedback_path, feedback_rows, write_feedback, write_feedback_job
from pipeline.report.layout import column_lines, lines, row_lines, text_units
from pipeline.report.summary import write_summary
from pipeline.run import feedback as feedback_step
from pipeline.run import consolidate as consolidate_step
from pipeline.run import write as write_step
from tests.conftest import SCHEMAS, make_settings

FILE = "BC_CCHC_Q3_2023_Ngoc_Ky.xlsx"


def per_character_lines(text: str, width_chars: float) -> int:
    """The rule as it was written first: text_units of each paragraph, one character at a time."""
    per_line = max(1.0, width_chars - 3)
    return sum(max(1, math.ceil(text_units(seg) / per_line)) for seg in str(text).split("\n"))


def ngoc_ky_issues() -> pd.DataFrame:
    """Xã Ngọc Kỳ, 2023-Q3: a value typed in words, a part above its whole, a rate off its parts, a file-level note."""
    return iss.frame([
        iss.issue("value-invalid", file=FILE, sheet="Biểu mẫu 1", cell="D9", indicator_code="I.1", raw="mười hai"),
        iss.issue("part-exceeds-whole", file=FILE, sheet="Biểu mẫu 3", cell="D30", indicator_code="III.3.3.2", raw="1194",
                  message="III.3.3.2 = 1.194 lớn hơn III.3.3.1 = 1.190"),
        iss.issue("rate-mismatch", file=FILE, sheet="Biểu mẫu 3", cell="D28", indicator_code="III.3.3", raw="99,5",
                  message="III.3.3 = 99,5 nhưng III.3.3.2 / III.3.3.1 × 100 = 99,5; VII.5.3 = 88 nhưng "
                          "VII.5.3.2 / VII.5.3.1 × 100 = 1100 / 1250 × 100 = 88"),
        iss.issue("value-without-unit", file=FILE, sheet="Biểu mẫu 1", cell="D10", indicator_code="I.2", raw=80),
        iss.issue("sheet-hidden", file=FILE, sheet_name="Nháp"),
    ])


# ------------------------------------------------------------------------------------------------ line counts

def test_lines_equal_the_per_character_rule_on_random_text():
    alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxyÀẢẠĂẰẮÂẦẤĐƯ0123456789 .,;:()'|/-!?%=\n\t\xa0ABCXYZ²"
    rng = random.Random(14)
    widths = [2, 5, 9, 10, 12, 16, 20, 24, 26, 42, 46, 70, 130 / 1.25, 57.4, 33.3]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 5, 12, 30, 60, 150, 400])))
        w = rng.choice(widths)
        assert lines(text, w) == per_character_lines(text, w), (text, w)


@pytest.mark.parametrize("width", [9, 10, 16, 20, 24, 26, 42, 46])
def test_lines_on_exact_line_boundaries(width):
    """Texts whose width is an exact multiple of a line, where text_units' float sum may round either way."""
    per = width - 3
    for k in range(1, 5):
        target = 10 * per * k  # tenths of a digit: 9 per letter, 5 per space
        for letters in range(0, target // 9 + 1):
            if (target - 9 * letters) % 5 == 0:
                text = "x" * letters + " " * ((target - 9 * letters) // 5)
                assert lines(text, width) == per_character_lines(text, width), (letters, width)
                mixed = "Ư" * (letters % 3) + "".join(random.Random(letters).sample(text, len(text)))
                assert lines(mixed, width) == per_character_lines(mixed, width)
        assert lines("1" * per * k, width) == k == per_character_lines("1" * per * k, width)


def test_row_lines_per_column_equal_fit_row_per_row():
    rng = random.Random(3)
    words = ["Xã Ngọc Kỳ", "BC_CCHC_Q3_2023_Ngoc_Ky.xlsx", "Lỗi", "Cảnh báo", "", "III.3.3.2 = 1.194 lớn hơn III.3.3.1 = 1.190",
             "Biểu mẫu 3!D30", "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn\nghi chú"]
    widths = [16, 24, 9, 20, 46, 26]
    columns = [[rng.choice(words) for _ in range(300)] for _ in widths]
    expected = [max((per_character_lines(t, w) for t, w in zip(row, widths) if t), default=1) for row in zip(*columns)]
    assert row_lines(list(zip(columns, widths))) == expected
    assert row_lines([(columns[0], 16)]) == column_lines(columns[0], 16) == [max(1, per_character_lines(t, 16)) for t in columns[0]]
    assert layout.row_height(1) == 0 and layout.row_height(3) == 15.75 * 3 + 3 and layout.row_height(1, 20) == 20


def test_report_workbooks_are_built_in_memory(tmp_path, monkeypatch):
    """No temporary file per part for the feedback workbooks (xlsxwriter's in-memory mode); the district workbook, large,
    makes its parts on disk (layout.workbook_options(in_memory=False))."""
    assert layout.workbook_options()["in_memory"] is True
    made = []

    class Spy(layout.Workbook):
        def __init__(self, filename=None, options=None):
            made.append(dict(options or {}))
            super().__init__(filename, options)

    monkeypatch.setattr("pipeline.report.feedback.Workbook", Spy)  # a file object or a path, in memory
    monkeypatch.setattr("tempfile.mkstemp", lambda *a, **k: pytest.fail("a temporary file was made"))
    write_feedback(tmp_path / "f.xlsx", unit_label="Xã Ngọc Kỳ", period_code="2023-Q3", file_name=FILE, status="loaded",
                   reason="", issues=ngoc_ky_issues())
    assert made and all(m.get("in_memory") for m in made)


def _deflated_at(path: Path, level: int) -> list[str]:
    """The workbook's parts that are not deflated at `level` (their size compressed again at that level differs)."""
    import zipfile
    import zlib

    off = []
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            data = z.read(info)
            c = zlib.compressobj(level, zlib.DEFLATED, -15)
            if info.compress_type != zipfile.ZIP_DEFLATED or len(c.compress(data) + c.flush()) != info.compress_size:
                off.append(info.filename)
    return off


def test_every_workbook_we_write_is_deflated_at_the_fast_level(tmp_path):
    """xlsxwriter has no option for the deflate level; layout installs its zip file (layout._Package) for every
    workbook, written in memory (feedback) or from parts on disk (district)."""
    assert layout.ZIP_LEVEL == 1
    fb = write_feedback(tmp_path / "f.xlsx", unit_label="Xã Ngọc Kỳ", period_code="2023-Q3", file_name=FILE,
                        status="loaded", reason="", issues=ngoc_ky_issues())
    wb = layout.Workbook(str(tmp_path / "d.xlsx"), layout.workbook_options(in_memory=False))
    ws = wb.add_worksheet("Lỗi và cảnh báo")
    for r in range(2000):
        ws.write_string(r, 0, f"Xã Ngọc Kỳ {r}")
        ws.write_number(r, 1, r * 1.5)
    wb.close()
    for path in (fb, tmp_path / "d.xlsx"):
        assert _deflated_at(path, layout.ZIP_LEVEL) == [], path
        assert _deflated_at(path, 6) != []  # the check itself tells the levels apart
        assert openpyxl.load_workbook(path).worksheets[0].max_row > 3


def test_sheets_take_row_and_column_numbers_without_the_a1_wrapper(tmp_path):
    """layout.Worksheet writes cells by row and column numbers as xlsxwriter's own writers do (what they return
    included); "A1" is refused loudly rather than read."""
    wb = layout.Workbook(str(tmp_path / "w.xlsx"), layout.workbook_options())
    ws = wb.add_worksheet("Trang 1")
    assert isinstance(ws, layout.Worksheet)
    assert ws.write_string(0, 0, "Tổng số hồ sơ") == 0 and ws.write_number(1, 0, 23378) == 0
    assert ws.write_blank(2, 0, None, wb.add_format({"border": 1})) == 0
    assert ws.write_number(1_048_576, 0, 1) == -1  # beyond the sheet, as xlsxwriter.Worksheet.write_number says
    with pytest.raises(TypeError):
        ws.write_string("A4", "x")
    wb.close()
    sheet = openpyxl.load_workbook(tmp_path / "w.xlsx").active
    assert (sheet["A1"].value, sheet["A2"].value, sheet["A3"].value, sheet["A3"].border.left.style) == (
        "Tổng số hồ sơ", 23378, None, "thin")


# ------------------------------------------------------------------------------------------------ feedback rows

def test_feedback_rows_are_plain_and_keep_the_cells(tmp_path):
    rows = feedback_rows(ngoc_ky_issues())
    assert pickle.loads(pickle.dumps(rows)) == rows
    assert all(type(r) is tuple and type(r[0]) is bool and all(type(t) is str for t in r[1:]) for r in rows)
    assert rows[0][:7] == (True, "Lỗi", "Biểu mẫu 1", "D9", "I.1", "mười hai", iss.CATALOG["value-invalid"].label)
    assert rows[3][5] == "80" and rows[4][4] == "" and rows[4][5] == ""  # a number typed, no indicator, no raw value
    from_frame = write_feedback(tmp_path / "a.xlsx", unit_label="Xã Ngọc Kỳ", period_code="2023-Q3", file_name=FILE,
                                status="loaded", reason="", issues=ngoc_ky_issues())
    from_job = Path(write_feedback_job(FeedbackJob(str(tmp_path / "b.xlsx"), "Xã Ngọc Kỳ", "2023-Q3", FILE, "loaded", "", rows)))
    a, b = openpyxl.load_workbook(from_frame).active, openpyxl.load_workbook(from_job).active
    assert [[c.value for c in r] for r in a.iter_rows()] == [[c.value for c in r] for r in b.iter_rows()]
    assert a.max_row == 6 + 5 and a["B7"].font.b and not a["B8"].font.b and a["H8"].value == "III.3.3.2 = 1.194 lớn hơn III.3.3.1 = 1.190"
    assert feedback_rows(iss.frame([])) == []


# ------------------------------------------------------------------------------------------------ calls in the workers

def _pid(arg):
    return os.getpid(), arg


def _fail_on(arg):
    if arg == "hỏng":
        raise PermissionError(13, "Tệp đang mở trong Excel", "PhanHoi.xlsx")
    if arg == "chết":
        os._exit(3)
    return arg


class Unpicklable(Exception):
    def __init__(self, a, b):
        super().__init__(a)
        self.b = b


def _unpicklable(arg):
    raise Unpicklable("không gửi lại được", object())


@pytest.fixture
def two_workers(monkeypatch):
    monkeypatch.setattr(workers, "MIN_FILES_PER_WORKER", 1)
    yield
    workers.shutdown()


def test_calls_run_in_the_reading_processes_in_order(two_workers, registry, catalog):
    args = [f"việc {i}" for i in range(40)]
    out = workers.call_in_workers(_pid, args, registry, catalog, Limits(), 2)
    assert [o.value[1] for o in out] == args and all(o.ok for o in out)
    if workers.cores() > 1:
        pids = {o.value[0] for o in out}
        assert os.getpid() not in pids and len(pids) == 2
        kept = workers._pool
        again = workers.call_in_workers(_pid, args[:3], registry, catalog, Limits(), 2)  # the kept pool serves again
        assert workers._pool is kept and {o.value[0] for o in again} <= pids


def test_a_failing_or_dying_call_does_not_stop_the_others(two_workers, registry, catalog):
    args = ["một", "hỏng", "hai", "chết", "ba"]
    out = workers.call_in_workers(_fail_on, args, registry, catalog, Limits(), 2)
    assert [o.ok for o in out] == [True, False, True, False, True]
    assert [o.value for o in out if o.ok] == ["một", "hai", "ba"]
    assert isinstance(out[1].value, PermissionError) and out[1].value.filename == "PhanHoi.xlsx"
    if workers.cores() > 1:
        assert isinstance(out[3].value, workers.WorkerLost) and out[3].value.code == "file-reader-crashed"
    bad = workers.call_in_workers(_unpicklable, ["x", "y"], registry, catalog, Limits(), 2)
    assert not bad[0].ok and "không gửi lại được" in str(bad[0].value)


def test_calls_in_groups_give_each_call_its_outcome_in_order(two_workers, registry, catalog):
    """Grouped (one message per 3 calls): the same outcomes, in order; a call that raises fails alone, a process that
    dies fails its group (here "ba", "chết", "bốn") and the other groups go on."""
    args = ["một", "hai", "hỏng", "ba", "chết", "bốn", "năm", "sáu"]
    out = workers.call_in_workers(_fail_on, [a for a in args if a != "chết"], registry, catalog, Limits(), 2, group=3)
    assert [(o.ok, o.value if o.ok else type(o.value)) for o in out] == [
        (True, "một"), (True, "hai"), (False, PermissionError), (True, "ba"), (True, "bốn"), (True, "năm"), (True, "sáu")]
    out = workers.call_in_workers(_fail_on, args, registry, catalog, Limits(), 2, group=3)
    assert [o.ok for o in out[:3]] == [True, True, False] and [o.value for o in out[6:]] == ["năm", "sáu"]
    if workers.cores() > 1:
        assert [o.ok for o in out[3:6]] == [False, False, False]
        assert all(isinstance(o.value, workers.WorkerLost) and o.value.code == "file-reader-crashed" for o in out[3:6])
    many = workers.call_in_workers(_pid, list(range(100)), registry, catalog, Limits(), 2, group=8)
    assert [o.value[1] for o in many] == list(range(100)) and all(o.ok for o in many)


def _slow_pid(arg):
    import time

    time.sleep(0.02)
    return os.getpid(), arg


def test_a_share_leaves_a_core_to_this_process_until_released(two_workers, registry, catalog, monkeypatch):
    monkeypatch.setattr(workers, "cores", lambda: 2)
    workers.call_in_workers(_pid, ["a", "b"], registry, catalog, Limits(), 2)  # two reading processes kept
    share = workers.Share(spare=1)
    out = workers.call_in_workers(_slow_pid, list(range(12)), registry, catalog, Limits(), 2, share)
    assert [o.value[1] for o in out] == list(range(12)) and len({o.value[0] for o in out}) == 1  # one process wrote
    args = list(range(40))
    timer = threading.Timer(0.1, share.released.set)  # this process is done with its own work: both write
    timer.start()
    out = workers.call_in_workers(_slow_pid, args, registry, catalog, Limits(), 2, share)
    timer.join()
    assert [o.value[1] for o in out] == args and len({o.value[0] for o in out}) == 2
    assert {o.value[0] for o in out[:3]} == {out[0].value[0]}  # the first calls in one process only


def test_one_worker_calls_here(registry, catalog):
    out = workers.call_in_workers(_pid, ["a", "b"], registry, catalog, Limits(), 1)
    assert [o.value for o in out] == [(os.getpid(), "a"), (os.getpid(), "b")]
    assert workers.call_in_workers(_pid, [], registry, catalog, Limits(), 2) == []


# ------------------------------------------------------------------------------------------------ the feedback step

def _run_with_files(tmp_path, files: list[FileResult], registry, catalog):
    s = make_settings(tmp_path)
    summary = RunSummary(run_id="20231001-230000-abcdef", started_at=dt.datetime(2023, 10, 1, 23, 0), files=files)
    return SimpleNamespace(settings=s, ref=SimpleNamespace(registry=registry, catalog=catalog), summary=summary,
                           figures={}, feedback_pending=None, feedback_share=None)


def test_feedback_step_writes_each_file_and_a_failure_does_not_stop_the_others(tmp_path, registry, catalog, two_workers):
    units = list(registry.units["code"])[:6]
    files = [FileResult(f"BC_{u}.xlsx", "loaded", "", u, "2023-Q3", i + 1, 10, 1, 4, ngoc_ky_issues())
             for i, u in enumerate(units)]
    files.append(FileResult("sach.xlsx", "loaded", "", units[0], "2023-Q3", 99, 10, 0, 0, iss.frame([])))  # no issues
    run = _run_with_files(tmp_path, files, registry, catalog)
    blocked = feedback_path(run.settings.out, "2023-Q3", units[2], 3)
    blocked.parent.mkdir(parents=True)
    blocked.mkdir()  # a folder where the workbook should go: that one file cannot be written
    with pytest.raises(OSError):
        feedback_step(run)
    written = [feedback_path(run.settings.out, "2023-Q3", u, i + 1) for i, u in enumerate(units) if i != 2]
    assert run.summary.feedback == written and all(p.is_file() for p in written)
    label = dict(zip(registry.units["code"], registry.units["label"]))[units[4]]
    ws = openpyxl.load_workbook(written[3]).active
    assert ws["A2"].value == f"Đơn vị: {label}" and ws["D9"].value == "D28" and ws["F10"].value == "80"
    blocked.rmdir()
    feedback_step(run)  # retried: every workbook written once, listed once
    assert run.summary.feedback == [feedback_path(run.settings.out, "2023-Q3", u, i + 1) for i, u in enumerate(units)]


def test_consolidate_starts_the_feedback_and_the_feedback_step_collects_it(tmp_path, registry, catalog, two_workers):
    units = list(registry.units["code"])[:4]
    files = [FileResult(f"BC_{u}.xlsx", "loaded", "", u, "2023-Q3", i + 1, 10, 1, 4, ngoc_ky_issues())
             for i, u in enumerate(units)]
    run = _run_with_files(tmp_path, files, registry, catalog)
    blocked = feedback_path(run.settings.out, "2023-Q3", units[1], 2)
    blocked.parent.mkdir(parents=True)
    blocked.mkdir()
    consolidate_step(run)  # no period to consolidate: only the communes' workbooks are started, in the background
    pending = run.feedback_pending
    assert pending is not None
    pending.result(timeout=60)
    written = [feedback_path(run.settings.out, "2023-Q3", u, i + 1) for i, u in enumerate(units) if i != 1]
    assert all(p.is_file() for p in written) and run.summary.feedback == []  # listed by the feedback step only
    consolidate_step(run)  # a retried step does not start them twice, nor does the write step
    write_step(run)
    assert run.feedback_pending is pending
    with pytest.raises(OSError):
        feedback_step(run)  # the background failure is the feedback step's
    assert run.feedback_pending is None and run.summary.feedback == written
    blocked.rmdir()
    feedback_step(run)  # retried: written here, each listed once
    assert run.summary.feedback == [feedback_path(run.settings.out, "2023-Q3", u, i + 1) for i, u in enumerate(units)]


# ------------------------------------------------------------------------------------------------ the run summary

def test_summary_is_plain_data_without_a_str_fallback(tmp_path):
    s = RunSummary(run_id="20231001-230000-abcdef", started_at=dt.datetime(2023, 10, 1, 23, 0),
                   feedback=[tmp_path / "a.xlsx"])
    s.files = [FileResult(FILE, "loaded", "", "ngoc_ky", "2023-Q3", np.int64(7), np.int64(10), 1, 4, ngoc_ky_issues()),
               FileResult("hong.xlsx", "rejected", "hỏng", pd.NA, None, 8, 0, np.int64(1), 0)]
    d = summary_data(s)
    assert json.loads(json.dumps(d)) == d  # no default=str needed: nothing is rendered through repr
    assert d["details"][0]["submission_id"] == 7 and d["details"][1]["unit_code"] is None
    assert d["details"][1]["errors"] == 1 and d["feedback"] == [str(tmp_path / "a.xlsx")]
    assert d["values_loaded"] == 10 and d["issues"] == {"error": 2, "warning": 4}  # numbers, not "10" through str
    saved = json.loads((tmp_path / "tom_tat" / "TomTat_20231001-230000-abcdef.json").read_text(encoding="utf-8")
                       if write_summary(s, tmp_path) else "")
    assert saved["details"][0]["values"] == 10 and "issue_rows" not in saved["details"][0]


def test_heading_row_heights_unchanged(tmp_path, monkeypatch):
    """The heading's title and caption rows (lines() over merged widths that are not whole numbers) are as tall as
    with the per-character rule."""
    office = load_office(SCHEMAS / "office.toml")
    widths = [5, 17] + [6.5] * 7 + [8.5, 9, 8, 26, 10, 8]
    title = "KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG CÔNG TÁC CẢI CÁCH HÀNH CHÍNH CỦA CÁC XÃ, THỊ TRẤN QUÝ III NĂM 2023"

    def heights(name: str) -> list:
        wb = xlsxwriter.Workbook(str(tmp_path / name), layout.workbook_options())
        ws = wb.add_worksheet("x")
        for i, w in enumerate((widths, widths[:4], widths[:9])):
            ws_i = ws if i == 0 else wb.add_worksheet(f"x{i}")
            layout.heading(ws_i, layout.formats(wb), office, title, w)
        wb.close()
        book = openpyxl.load_workbook(tmp_path / name)
        return [(s.title, r, s.row_dimensions[r].height) for s in book.worksheets for r in range(1, 7)]

    now = heights("now.xlsx")
    monkeypatch.setattr(layout, "lines", per_character_lines)
    assert now == heights("before.xlsx") and any(h for *_, h in now)


def test_building_pauses_the_cyclic_collector_and_restores_it():
    import gc

    assert gc.isenabled()
    with layout.building():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with layout.building():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
    with pytest.raises(ValueError):
        with layout.building():
            raise ValueError("hỏng")
    assert gc.isenabled()
