"""Inbox hazards one at a time: names of any bytes and length, links, future dates, unreadable files, and cells
holding huge numbers, Excel error values or control characters (issue 13, item 5)."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import openpyxl
import pytest

from pipeline.inbox import WAITING, Known, fit_name, quarantine, scan
from pipeline.inbox.files import discover
from pipeline.read import parse_submission
from pipeline.read.cells import normalise_value
from pipeline.read.safety import Limits
from pipeline.read.workbook import read_workbook
from samples import generate_demo_inbox
from tests.conftest import SCHEMAS

NO_WAIT = Limits(stable_seconds=0, restat_seconds=0)


@pytest.fixture(scope="module")
def ngoc_ky_q3(tmp_path_factory) -> Path:
    files = generate_demo_inbox(tmp_path_factory.mktemp("q3"), SCHEMAS / "units.csv", period_code="2023-Q3")
    return next(p for p in files if p.stem.endswith("Ngoc_Ky"))


def test_fit_name_keeps_extension_and_stays_distinct():
    a, b = "Báo cáo " * 40 + "a.xlsx", "Báo cáo " * 40 + "b.xlsx"
    fa, fb = fit_name(a), fit_name(b)
    assert len(os.fsencode(fa)) <= 255 and fa.endswith(".xlsx") and fa != fb
    assert fit_name("ngan.xlsx") == "ngan.xlsx"
    odd = os.fsdecode(b"\xe1" * 300 + b".xls")
    assert len(os.fsencode(fit_name(odd))) <= 255 and fit_name(odd).endswith(".xls")


def test_quarantine_long_and_non_utf8_names_twice(tmp_path):
    inbox, folder = tmp_path / "inbox", tmp_path / "quarantine"
    inbox.mkdir()
    names = [b"x" * 250 + b".pdf", b"d\xe1_t\xe1.pdf"]
    for _ in range(2):  # the same names arrive again after the first ones were quarantined
        for raw in names:
            (Path(os.fsencode(inbox) .decode("utf-8", "surrogateescape")) / os.fsdecode(raw)).write_bytes(raw)
        for f in discover(inbox):
            moved = quarantine(f, folder)
            assert moved.read_bytes() in names and len(os.fsencode(moved.name)) <= 255
    assert len(list(folder.iterdir())) == 4 and not list(inbox.iterdir())
    shown = {f.rel for f in discover(folder)}
    assert "d\\xe1_t\\xe1.pdf" in shown  # displayable, stable
    for rel in shown:
        rel.encode("utf-8")


def test_links_outside_refused_inside_followed_once(tmp_path):
    inbox, outside = tmp_path / "inbox", tmp_path / "he_thong"
    (inbox / "2023-Q3").mkdir(parents=True)
    outside.mkdir()
    (outside / "shadow.xlsx").write_bytes(b"secret")
    (inbox / "2023-Q3" / "that.xlsx").write_bytes(b"PK")
    os.symlink(outside / "shadow.xlsx", inbox / "ra_ngoai.xlsx")
    os.symlink(outside, inbox / "thu_muc_ngoai")
    os.symlink(inbox / "2023-Q3" / "that.xlsx", inbox / "trong.xlsx")
    os.symlink(inbox / "2023-Q3", inbox / "2023-Q3" / "vong")  # a loop
    os.symlink(inbox / "2023-Q3", inbox / "ban_sao")  # a second way to the same folder
    found = {f.rel: f for f in discover(inbox)}
    assert set(found) == {"2023-Q3/that.xlsx", "ra_ngoai.xlsx", "thu_muc_ngoai"}
    assert found["ra_ngoai.xlsx"].refused == found["thu_muc_ngoai"].refused == "file-link-outside"
    assert found["2023-Q3/that.xlsx"].refused is None and found["2023-Q3/that.xlsx"].folder_period == "2023-Q3"
    cands = {c.file.rel: c for c in scan(inbox, Known(), NO_WAIT).candidates}
    assert cands["ra_ngoai.xlsx"].refused["code"] == "file-link-outside" and not cands["ra_ngoai.xlsx"].to_read
    assert cands["ra_ngoai.xlsx"].sha256 == ""  # the target was never opened


def test_future_dated_file_is_stable_once_unchanged(tmp_path):
    f = tmp_path / "tuong_lai.xlsx"
    f.write_bytes(b"PK")
    ahead = time.time() + 86400
    os.utime(f, (ahead, ahead))
    c = scan(tmp_path, Known(), Limits(stable_seconds=2, restat_seconds=0.01)).candidates[0]
    assert c.waiting_reason is None and [n["code"] for n in c.notes] == ["file-date-future"]
    recent = tmp_path / "vua_chep.xlsx"
    recent.write_bytes(b"PK")
    c = {c.file.name: c for c in scan(tmp_path, Known(), Limits(stable_seconds=30, restat_seconds=0)).candidates}
    assert c["vua_chep.xlsx"].waiting_reason == WAITING  # a copy in progress still waits
    assert c["tuong_lai.xlsx"].waiting_reason is None


@pytest.mark.parametrize("err, status, code", [
    (PermissionError(errno.EACCES, "Permission denied"), "rejected", "file-no-permission"),
    (PermissionError(errno.EPERM, "Operation not permitted"), "rejected", "file-no-permission"),
    (OSError(errno.EBUSY, "Device or resource busy"), "waiting", None),
    (OSError(errno.EIO, "Input/output error"), "rejected", "file-unreadable"),
])
def test_unreadable_file_gets_a_status(tmp_path, monkeypatch, err, status, code):
    import pipeline.inbox as inbox_mod

    (tmp_path / "a.xlsx").write_bytes(b"PK")
    (tmp_path / "b.xlsx").write_bytes(b"PK2")

    def sha(path):
        if path.name == "a.xlsx":
            raise err
        return "f" * 64

    monkeypatch.setattr(inbox_mod, "sha256_of", sha)
    cands = {c.file.rel: c for c in scan(tmp_path, Known(), NO_WAIT).candidates}
    assert cands["b.xlsx"].to_read
    a = cands["a.xlsx"]
    assert not a.to_read
    if status == "waiting":
        assert a.waiting_reason and a.refused is None
    else:
        assert a.refused["code"] == code


def test_windows_sharing_violation_waits(tmp_path, monkeypatch):
    import pipeline.inbox as inbox_mod

    (tmp_path / "a.xlsx").write_bytes(b"PK")
    exc = PermissionError(errno.EACCES, "The process cannot access the file")
    exc.winerror = 32
    monkeypatch.setattr(inbox_mod, "sha256_of", lambda p: (_ for _ in ()).throw(exc))
    (c,) = scan(tmp_path, Known(), NO_WAIT).candidates
    assert c.waiting_reason and c.refused is None


@pytest.mark.parametrize("raw", ["4" * 40000, 1e308, float("inf"), float("nan"), 10 ** 400, "-" + "9" * 50,
                                 "1.000.000.000.000.000.000"])
def test_huge_numbers_are_an_issue_not_an_exception(raw):
    v = normalise_value(raw, "count", "", {})
    assert v.value is None and v.issue == "value-too-large" and len(v.raw) < 60


def _with_hazards(src: Path, dest: Path) -> Path:
    """Ngọc Kỳ's Q3 workbook with a 40 000-digit text, 1e308, every Excel error value, and control characters in a
    label, the unit header and a sheet name (written as the _xHHHH_ escapes Excel uses)."""
    wb = openpyxl.load_workbook(src)
    ws = wb["Biểu mẫu 1"]
    ws["D14"] = "4" * 40000
    ws["D16"] = 1e308
    ws["A2"] = ws["A2"].value[:3] + "_x0001_" + ws["A2"].value[3:]  # "XÃ_x0001_ NGỌC KỲ"
    ws["B19"] = "Số phòng chuyên môn_x0007_ đã kiểm tra"
    ws2 = wb["Biểu mẫu 2"]
    errors = ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]
    cells = [c for (c,) in ws2.iter_rows(min_col=4, max_col=4) if isinstance(c.value, (int, float))]
    for c, e in zip(cells, errors):
        c.value = e  # openpyxl stores these as error cells (t="e")
    wb["Biểu mẫu 3"].title = "Biểu mẫu 3_x0002_"
    wb.save(dest)
    return dest, {c.coordinate: e for c, e in zip(cells, errors)}


def test_error_values_read_at_their_cell(ngoc_ky_q3, tmp_path):
    path, errors = _with_hazards(ngoc_ky_q3, tmp_path / "loi.xlsx")
    book = read_workbook(path)
    sheet = next(s for s in book.sheets if s.name == "Biểu mẫu 2")
    for ref, text in errors.items():
        col, row = ord(ref[0]) - 65, int(ref[1:]) - 1
        assert sheet.rows[row][col] == text


def test_cell_hazards_are_issues_at_their_cell(ngoc_ky_q3, tmp_path, registry, catalog):
    path, errors = _with_hazards(ngoc_ky_q3, tmp_path / "BC_Q3_2023_Ngoc_Ky_loi.xlsx")
    sub = parse_submission(path, registry, catalog)
    assert sub.unit_code == "ngoc_ky" and sub.period_code == "2023-Q3" and not sub.rejected_by
    by = {}
    for i in sub.issues:
        by.setdefault(i["code"], set()).add((i["sheet"], i["cell"]))
    assert {("Biểu mẫu 1", "D14"), ("Biểu mẫu 1", "D16")} <= by["value-too-large"]
    assert {("Biểu mẫu 2", ref) for ref in errors} <= by["value-excel-error"]
    assert "text-control-chars" in by
    values = dict(zip(sub.observations["indicator_code"], sub.observations["value"]))
    assert values.get("I.2") == pytest.approx(64.29)  # the cell between the huge ones is read


def test_xls_error_values_read_at_their_cell(tmp_path):
    """Legacy .xls error cells (BOOLERR records) are blank to calamine too: they come back as their Excel text."""
    import xlwt

    codes = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24, "#N/A": 0x2A}
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Biểu mẫu 2")
    ws.write(0, 0, "Số liệu")
    for i, code in enumerate(codes.values(), start=1):
        ws.write(i, 2, 12)
        ws.row(i).set_cell_error(3, code)
    book.save(str(tmp_path / "loi.xls"))
    (sheet,) = read_workbook(tmp_path / "loi.xls").sheets
    assert [row[3] for row in sheet.rows[1:]] == list(codes)
    assert [normalise_value(row[3], "count", "", {}).issue for row in sheet.rows[1:]] == ["value-excel-error"] * 7
