"""Every inbox file ends in one recorded status, whatever its name, rights, dates or links (issue 13, item 5).

Each hazard sits in an inbox beside good demo files. The permission, long-name, non-UTF-8-name and link cases also go
through the real `tonghop run` command as a subprocess. The suite runs as root, for which a chmod 000 file is still
readable: an unreadable file is simulated in process by making `open` refuse that one path with EACCES (as the
system does for an account without the right), and in the subprocess only when an unprivileged account exists.
"""

from __future__ import annotations

import builtins
import errno
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipeline.run import run_steps
from samples import generate_demo_inbox
from tests.conftest import SCHEMAS, office_folder
from tests.inbox.test_hazards import _with_hazards

LONG = "B" * 236 + ".xlsx"  # 241 bytes: the quarantine collision name would pass 255
RAW_NAME = b"b\xe1o_c\xe1o_Ngoc_Ky.xlsx"  # Windows-1258 bytes, not UTF-8
RAW_SHOWN = "b\\xe1o_c\\xe1o_Ngoc_Ky.xlsx"


@pytest.fixture(scope="module")
def q3_files(tmp_path_factory) -> list[Path]:
    """The demo submissions for quý III 2023 (other period than the good H1 files: no superseding between them)."""
    return generate_demo_inbox(tmp_path_factory.mktemp("q3"), SCHEMAS / "units.csv", period_code="2023-Q3")


def _by_name(files: list[Path], unit_tail: str) -> Path:
    return next(p for p in files if p.stem.endswith(unit_tail))


def _statuses(warehouse: Path) -> dict[str, tuple[str, set[str]]]:
    """path -> (status, issue codes) from the warehouse's ledger."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select s.path, s.status, list(i.code) filter (where i.code is not null) from submissions s "
                           "left join issues i using (submission_id) group by s.path, s.status, s.submission_id").fetchall()
    finally:
        con.close()
    return {p: (st, set(codes or [])) for p, st, codes in rows}


def _place_name_hazards(inbox: Path, q3: list[Path], outside: Path) -> None:
    """A non-UTF-8 name, a 241-byte name (good workbooks), a link to a file outside the inbox, a broken link, a
    link to a file inside the inbox, and a folder link loop."""
    shutil.copy2(_by_name(q3, "Ngoc_Ky"), os.fsencode(inbox) + b"/" + RAW_NAME)
    shutil.copy2(_by_name(q3, "Ha_Ky"), inbox / LONG)
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    os.symlink(outside, inbox / "mat_khau.xlsx")
    os.symlink(inbox / "khong_co.xlsx", inbox / "gay.xlsx")
    (inbox / "con").mkdir()
    os.symlink(inbox, inbox / "con" / "vong")  # a folder link back to the inbox: never walked twice
    os.symlink(inbox / LONG, inbox / "con" / "lien_ket_trong.xlsx")  # inside: the file is taken once


def test_hazards_in_process(demo_settings, q3_files, tmp_path, monkeypatch):
    s = demo_settings
    inbox = s.inbox
    _place_name_hazards(inbox, q3_files, tmp_path / "passwd")
    # unreadable for the account running tonghop (simulated: root reads a chmod 000 file)
    locked, denied = inbox / "dang_mo.xlsx", inbox / "khong_quyen.xlsx"
    shutil.copy2(_by_name(q3_files, "Quang_Trung"), denied)
    shutil.copy2(_by_name(q3_files, "Chi_Minh"), locked)
    real_open = builtins.open

    def guarded_open(file, *a, **k):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file) == os.fspath(denied):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        if isinstance(file, (str, os.PathLike)) and os.fspath(file) == os.fspath(locked):
            raise OSError(errno.EBUSY, "Device or resource busy", os.fspath(file))
        return real_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", guarded_open)
    # dated one day in the future
    future = inbox / "tuong_lai.xlsx"
    shutil.copy2(_by_name(q3_files, "Dai_Hop"), future)
    ahead = time.time() + 86400
    os.utime(future, (ahead, ahead))

    # a 40 000-digit text, 1e308, every Excel error value, control characters
    _with_hazards(_by_name(q3_files, "An_Thanh"), inbox / "o_loi.xlsx")

    first = run_steps(s)
    by = {f.file: f for f in first.files}
    assert sum(f.status == "loaded" for f in first.files) == 23 + 4  # demo, long name, non-UTF-8 name, future, cells
    assert by[RAW_SHOWN].status == "loaded" and by[RAW_SHOWN].unit_code == "ngoc_ky"
    assert by[LONG].status == "loaded" and by[LONG].unit_code == "ha_ky"
    assert by["tuong_lai.xlsx"].status == "loaded"
    assert by["khong_quyen.xlsx"].status == "rejected"
    assert by["dang_mo.xlsx"].status == "waiting"
    assert by["mat_khau.xlsx"].status == "rejected" and by["gay.xlsx"].status == "rejected"
    assert not any("lien_ket_trong" in f.file or "vong" in f.file for f in first.files)  # followed once, no loop
    ledger = _statuses(s.warehouse)
    assert ledger["khong_quyen.xlsx"] == ("rejected", {"file-no-permission"})
    assert ledger["mat_khau.xlsx"] == ("rejected", {"file-link-outside"})
    assert ledger["gay.xlsx"] == ("rejected", {"file-link-broken"})
    assert "file-date-future" in ledger["tuong_lai.xlsx"][1]
    assert "dang_mo.xlsx" not in ledger  # waiting: looked at again next run
    assert ledger["o_loi.xlsx"][0] == "loaded"
    assert {"value-too-large", "value-excel-error", "text-control-chars"} <= ledger["o_loi.xlsx"][1]
    # nothing of the link's target was archived or read; the link itself left the inbox as a link
    target = (tmp_path / "passwd").read_bytes()
    assert all(p.read_bytes() != target for p in s.archive.iterdir() if p.is_file())
    assert (s.quarantine / "mat_khau.xlsx").is_symlink() and not (inbox / "mat_khau.xlsx").exists()

    # the same names again (a commune sends its file once more): quarantine names stay under 255 bytes
    long_bad = inbox / LONG.replace("B", "C")
    long_bad.write_bytes(b"not a workbook")
    (s.quarantine / long_bad.name).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(long_bad, s.quarantine / long_bad.name)  # an earlier one of that name already in quarantine
    (inbox / os.fsdecode(RAW_NAME.replace(b".xlsx", b".pdf"))).write_bytes(b"%PDF-1.4")
    second = run_steps(s)
    by2 = {f.file: f for f in second.files}
    assert by2[long_bad.name].status == "rejected"
    assert by2["b\\xe1o_c\\xe1o_Ngoc_Ky.pdf"].status == "rejected"
    assert by2["dang_mo.xlsx"].status == "waiting"
    assert all(len(os.fsencode(p.name)) <= 255 for p in s.quarantine.rglob("*"))
    assert len(list(s.quarantine.glob("CCC*"))) == 2
    assert not any(f.status == "loaded" for f in second.files)

    monkeypatch.setattr(builtins, "open", real_open)  # the other program closed the file
    third = run_steps(s)
    assert [(f.file, f.status) for f in third.files] == [("dang_mo.xlsx", "loaded")]
    # nothing new after that: no file taken again
    assert run_steps(s).files == []


def test_two_files_of_one_unit_and_period_in_one_run(settings, q3_files, tmp_path):
    """The one stating the later report date is loaded, the other superseded, whatever their order in the inbox."""
    s = settings
    src = _by_name(q3_files, "Ngoc_Ky")
    newer, older = s.inbox / "Ngoc_Ky_ban_sua.xlsx", s.inbox / "Ngoc_Ky_ban_dau.xlsx"
    for path, day, value in ((newer, "20/9/2023", 13), (older, "05/9/2023", 12)):
        wb = openpyxl.load_workbook(src)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and "Kèm theo" in c.value:
                        c.value = f"(Kèm theo Báo cáo số 12/BC-UBND ngày {day})"
        wb.worksheets[0]["D14"] = value
        wb.save(path)
    t = time.time() - 3600
    os.utime(newer, (t, t))  # the newer report is the OLDER file on disk
    os.utime(older, (t + 60, t + 60))
    summary = run_steps(s)
    by = {f.file: f for f in summary.files}
    assert by[newer.name].status == "loaded"
    assert by[older.name].status == "superseded" and newer.name in by[older.name].reason
    ledger = _statuses(s.warehouse)
    assert ledger[newer.name][0] == "loaded" and ledger[older.name][0] == "superseded"
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        rd = dict(con.execute("select file_name, report_date from submissions").fetchall())
        assert rd[newer.name] > rd[older.name]
        assert con.execute("select value from v_values where unit_code = 'ngoc_ky' and indicator_code = 'I.1'").fetchone()[0] == 13
    finally:
        con.close()


def _unprivileged() -> tuple[int, int] | None:
    """(uid, gid) of an account that is not root, when there is one and this process may become it."""
    if os.geteuid() != 0:
        return None
    for name in ("nobody", "daemon"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        return pw.pw_uid, pw.pw_gid
    return None


def test_hazards_through_tonghop_run(tmp_path, demo_files, q3_files):
    """The real command, twice: good files loaded, every hazard recorded with its status, the second run exits 0
    with nothing new."""
    work = office_folder(tmp_path, demo_files[:4])
    inbox = work / "inbox"
    _place_name_hazards(inbox, q3_files, tmp_path / "passwd")
    long_bad = LONG.replace("B", "C")  # a 241-byte name that is rejected, so quarantined, then sent again
    (inbox / long_bad).write_bytes(b"not a workbook")
    exe = str(Path(sys.executable).with_name("tonghop"))
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    run = subprocess.run([exe, "run"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    ledger = _statuses(work / "warehouse" / "tonghop.duckdb")
    assert sum(st == "loaded" for st, _ in ledger.values()) == 4 + 2
    assert ledger[RAW_SHOWN][0] == "loaded" and ledger[LONG][0] == "loaded"
    assert ledger["mat_khau.xlsx"] == ("rejected", {"file-link-outside"})
    assert ledger["gay.xlsx"] == ("rejected", {"file-link-broken"})
    assert ledger[long_bad] == ("rejected", {"file-unreadable"})
    (inbox / long_bad).write_bytes(b"not a workbook either")  # the same name again: its quarantine name is taken
    again = subprocess.run([exe, "run"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    after = _statuses(work / "warehouse" / "tonghop.duckdb")
    assert {k: v for k, v in after.items() if v[0] == "loaded"} == {k: v for k, v in ledger.items() if v[0] == "loaded"}
    assert len(after) == len(ledger)  # the resent file is recorded at its path again (same path key), nothing loaded
    quarantined = list((work / "warehouse" / "quarantine").iterdir())
    assert len([p for p in quarantined if p.name.startswith("CCC")]) == 2
    assert all(len(os.fsencode(p.name)) <= 255 for p in quarantined)


@pytest.mark.skipif(_unprivileged() is None, reason="needs root to run tonghop as an unprivileged account")
def test_unreadable_file_through_tonghop_run_as_another_account(tmp_path, demo_files):
    """A file the account running tonghop may not read: rejected by the real command, the others load, and the
    second run does not try it again."""
    uid, gid = _unprivileged()
    tmp_path.chmod(0o755)
    work = office_folder(tmp_path, demo_files[:3])
    locked = work / "inbox" / "khong_quyen.xlsx"
    shutil.copy2(demo_files[5], locked)
    os.utime(locked, (time.time() - 3600, time.time() - 3600))
    for p in [work, *work.rglob("*")]:
        os.chown(p, uid, gid, follow_symlinks=False)
    locked.chmod(0o000)
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, uid, gid)
    exe = str(Path(sys.executable).with_name("tonghop"))
    env = {**os.environ, "PREFECT_HOME": str(home / "prefect"), "HOME": str(home)}

    def as_other():
        os.setgid(gid)
        os.setuid(uid)

    try:
        probe = subprocess.run([exe, "--help"], cwd=work, env=env, capture_output=True, timeout=120, preexec_fn=as_other)
    except OSError:
        probe = None
    if probe is None or probe.returncode != 0:
        pytest.skip("the unprivileged account cannot run this virtual environment's tonghop")
    for _ in range(2):
        run = subprocess.run([exe, "run"], cwd=work, env=env, capture_output=True, text=True, timeout=300,
                             preexec_fn=as_other)
        assert run.returncode == 0, run.stderr[-3000:]
    ledger = _statuses(work / "warehouse" / "tonghop.duckdb")
    assert ledger["khong_quyen.xlsx"] == ("rejected", {"file-no-permission"})
    assert sum(st == "loaded" for st, _ in ledger.values()) == 3
    assert len(ledger) == 4  # the second run took nothing again


def test_file_unreadable_when_archived_is_rejected_alone(demo_settings, monkeypatch):
    """Rights taken away between the hash and the archive copy: that file is rejected, the run goes on; a full
    archive disk still stops the run."""
    import pipeline.run as run_mod

    s = demo_settings
    victim = sorted(s.inbox.iterdir())[0].name
    real = run_mod.archive_original

    def archive(f, sha, folder):
        if f.path.name == victim:
            raise PermissionError(errno.EACCES, "Permission denied", str(f.path))
        return real(f, sha, folder)

    monkeypatch.setattr(run_mod, "archive_original", archive)
    summary = run_steps(s)
    by = {f.file: f for f in summary.files}
    assert by[victim].status == "rejected" and sum(f.status == "loaded" for f in summary.files) == 22
    assert _statuses(s.warehouse)[victim] == ("rejected", {"file-no-permission"})

    def full(f, sha, folder):
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "x.part"))

    monkeypatch.setattr(run_mod, "archive_original", full)
    (s.inbox / "moi.xlsx").write_bytes((s.inbox / sorted(p.name for p in s.inbox.iterdir())[-1]).read_bytes()[:-10])
    with pytest.raises(OSError):
        run_steps(s)
