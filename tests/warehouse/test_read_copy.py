"""Analysts read a published copy (warehouse/ban_doc) and never block the writer; `tonghop sql` cannot write or reach files.

Through the real `tonghop` command (subprocesses), with a reader process holding DuckDB connections open.
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from pipeline import warehouse as wh
from pipeline.warehouse import readcopy as pub
from tests.conftest import office_folder

EXE = str(Path(sys.executable).with_name("tonghop"))

# A reader that opens `path` read-only, prints the loaded submissions it sees, then holds the connection until told
# to go (a line on stdin) and reads again through the same connection.
READER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    q = "select count(*) from submissions where status = 'loaded'"
    print(con.execute(q).fetchone()[0], flush=True)
    sys.stdin.readline()
    print(con.execute(q).fetchone()[0], flush=True)
    con.close()
""")


def _env(tmp_path):
    return {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}


def _tonghop(work, env, *args, timeout=300):
    return subprocess.run([EXE, *args], cwd=work, env=env, capture_output=True, text=True, timeout=timeout)


def _reader(path: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", READER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return proc


def _one_vietnamese_line(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr


def test_reader_of_read_copy_never_blocks_the_run(tmp_path, demo_files):
    """A reader holds the read copy for the whole second run: the run loads the new file (exit 0), the reader still
    reads its snapshot, and the next `tonghop sql` sees the new values."""
    held_back = next(p for p in demo_files if p.name.endswith("Ha_Ky.xlsx"))
    work = office_folder(tmp_path, [p for p in demo_files if p != held_back])
    env = _env(tmp_path)
    first = _tonghop(work, env, "run", "-q")
    assert first.returncode == 0, first.stderr[-2000:]
    copy = work / "warehouse/ban_doc/tonghop.duckdb"
    assert copy.exists()

    reader = _reader(copy)
    try:
        assert reader.stdout.readline().strip() == "22"
        shutil.copy2(held_back, work / "inbox" / held_back.name)
        t = held_back.stat().st_mtime - 3600
        os.utime(work / "inbox" / held_back.name, (t, t))
        second = _tonghop(work, env, "run", "-q", "--wait", "5")
        assert second.returncode == 0, second.stderr[-2000:]
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        reader.kill() if reader.poll() is None else None
    assert reader.returncode == 0, err
    assert out.strip() == "22"  # the reader's snapshot, untouched by the run

    sql = _tonghop(work, env, "sql", "select count(*) as n from v_submissions where status = 'loaded'", timeout=60)
    assert sql.returncode == 0 and "23" in sql.stdout, sql.stderr
    ha_ky = _tonghop(work, env, "sql", "select value from v_values where unit_code = 'ha_ky' and indicator_code = 'III.3.3.1'",
                     timeout=60)
    assert ha_ky.returncode == 0 and "│" in ha_ky.stdout and ha_ky.stdout.count("\n") > 3, ha_ky.stdout
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("select count(*) from submissions where status = 'loaded'").fetchone()[0] == 23
        assert con.execute("select count(*) from runs").fetchone()[0] == 2  # the copy holds the finished run too

    # `tonghop sql` refuses anything that writes or reaches outside the warehouse; the files stay byte for byte
    live = work / "warehouse/tonghop.duckdb"
    before = {p: p.read_bytes() for p in (live, copy)}
    for statement in (f"copy (select 1) to '{live}'", f"copy (select 1) to '{copy}'", "copy (select 1) to 'x.csv'",
                      f"attach '{tmp_path / 'other.duckdb'}' as other", "install httpfs", "load httpfs",
                      "select * from read_csv('/etc/passwd')", "select * from glob('/etc/*')",
                      "set enable_external_access = true", "reset lock_configuration", "delete from submissions",
                      "select 1; copy (select 1) to 'y.csv'", f"export database '{tmp_path / 'exp'}'"):
        res = _tonghop(work, env, "sql", statement, timeout=60)
        assert res.returncode == 1, (statement, res.stdout, res.stderr)
        assert "Câu lệnh bị từ chối" in res.stderr, (statement, res.stderr)
        _one_vietnamese_line(res.stderr)
    assert {p: p.read_bytes() for p in (live, copy)} == before
    assert not (work / "x.csv").exists() and not (work / "y.csv").exists() and not (tmp_path / "other.duckdb").exists()
    bad = _tonghop(work, env, "sql", "select * from bang_khong_co", timeout=60)
    assert bad.returncode == 1 and bad.stderr.startswith("Lỗi SQL")
    _one_vietnamese_line(bad.stderr)


def test_reader_of_live_file_makes_the_writer_wait_then_exit_75(tmp_path, demo_files):
    """A program holding the live warehouse open (an analyst's DBeaver on the wrong file): the run waits --wait
    seconds, then exits 75 with the Vietnamese message, no traceback, nothing written."""
    work = office_folder(tmp_path, demo_files[:3])
    live = work / "warehouse/tonghop.duckdb"
    wh.connect(live).close()  # an existing (empty) warehouse
    before = live.read_bytes()
    env = _env(tmp_path)
    reader = _reader(live)
    try:
        assert reader.stdout.readline().strip() == "0"
        res = _tonghop(work, env, "run", "--wait", "2")
        quiet = _tonghop(work, env, "run", "-q", "--wait", "1")  # as the nightly schedule runs it
        reader.communicate("go\n", timeout=60)
    finally:
        reader.kill() if reader.poll() is None else None
    assert res.returncode == 75, res.stderr[-2000:]
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout
    assert "đang được một chương trình khác mở (DBeaver, Python, Excel…); đã chờ 2 giây" in res.stderr and "ban_doc" in res.stderr
    assert quiet.returncode == 75 and quiet.stderr.startswith("Kho dữ liệu") and "đã chờ 1 giây" in quiet.stderr
    _one_vietnamese_line(quiet.stderr)
    assert live.read_bytes() == before and not (work / "warehouse/archive").exists()


# ------------------------------------------------------------------------------------------- publishing, in-process

def _warehouse(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "warehouse" / "tonghop.duckdb"
    con = wh.connect(path)
    con.execute("create or replace table marker as select ? as n", [n])
    con.close()
    return path


def _marker(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select n from marker").fetchone()[0]


def test_windows_refusal_keeps_a_versioned_copy_and_readers_take_the_newest(tmp_path, monkeypatch):
    """Windows cannot replace a file another program holds: the new copy stays versioned, readers get it, the run
    does not fail; once the stable copy is free again it is replaced and the old versions pruned."""
    live = _warehouse(tmp_path, 1)
    assert wh.needs_publish(live) and wh.reading_path(live) == live  # an old warehouse: the live file, read-only
    first = wh.publish(live, "r1")
    assert first == wh.stable_path(live) and _marker(wh.reading_path(live)) == 1

    real_replace = os.replace
    held = {wh.stable_path(live)}

    def windows_replace(src, dst):
        if Path(dst) in held and Path(dst).exists():
            raise PermissionError(13, "The process cannot access the file because it is being used by another process", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", windows_replace)
    _warehouse(tmp_path, 2)
    second = wh.publish(live, "r2")
    assert second.name == "tonghop_r2.duckdb" and second.exists()
    assert wh.reading_path(live) == second and _marker(second) == 2 and _marker(wh.stable_path(live)) == 1
    _warehouse(tmp_path, 3)
    third = wh.publish(live, "r3")
    assert third.name == "tonghop_r3.duckdb" and not second.exists()  # the older version, not held, is pruned
    assert _marker(wh.reading_path(live)) == 3
    assert not wh.needs_publish(live)

    held.clear()  # the analyst closed DBeaver
    _warehouse(tmp_path, 4)
    fourth = wh.publish(live, "r4")
    assert fourth == wh.stable_path(live) and _marker(wh.reading_path(live)) == 4
    assert sorted(p.name for p in pub.folder(live).iterdir()) == ["tonghop.duckdb"]


def test_versioned_copy_held_open_is_kept_and_never_chosen_when_older(tmp_path, monkeypatch):
    """A versioned copy that cannot be deleted (held open on Windows) stays, but readers take the newer stable copy."""
    live = _warehouse(tmp_path, 1)
    real_replace = os.replace
    refuse = {"on": True}

    def windows_replace(src, dst):
        if refuse["on"] and Path(dst) == wh.stable_path(live) and Path(dst).exists():
            raise PermissionError(13, "in use", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", windows_replace)
    wh.publish(live, "r1")
    _warehouse(tmp_path, 2)
    held = wh.publish(live, "r2")
    real_unlink = Path.unlink
    monkeypatch.setattr(Path, "unlink", lambda self, *a, **k: (_ for _ in ()).throw(PermissionError(13, "in use"))
                        if self == held else real_unlink(self, *a, **k))
    refuse["on"] = False
    _warehouse(tmp_path, 3)
    assert wh.publish(live, "r3") == wh.stable_path(live)
    assert held.exists() and _marker(wh.reading_path(live)) == 3


def test_export_and_sql_read_the_copy_while_the_live_file_is_written(tmp_path):
    """`tonghop export` and `tonghop sql` never open the live file once a copy exists (a run may hold it)."""
    live = _warehouse(tmp_path, 1)
    wh.publish(live, "r1")
    writer = duckdb.connect(str(live))  # a run holding the live file for writing (same process: no OS lock needed)
    try:
        writer.execute("update marker set n = 5")
        cols, rows = wh.run_query(live, "select n from marker", 10)
        assert cols == ["n"] and rows == [(1,)]
        files = wh.export_to(live, tmp_path / "export", ("csv",))
        assert len(files) == len(wh.export.VIEWS) == 6  # the CONTRACT's six views
    finally:
        writer.close()


def test_refused_statement_is_one_vietnamese_line(tmp_path):
    live = _warehouse(tmp_path, 1)
    wh.publish(live, "r1")
    from pipeline.errors import TonghopError

    for statement in ("copy marker to 'm.parquet'", "install excel", "select * from read_text('/etc/hostname')",
                      "pragma enable_checkpoint_on_shutdown"):
        with pytest.raises(TonghopError) as err:
            wh.run_query(live, statement, 10)
        assert err.value.exit_code == 1 and err.value.message.startswith("Câu lệnh bị từ chối")
    assert not Path("m.parquet").exists()


def test_old_warehouse_without_copy_is_published_by_the_next_run_and_rebuild_publishes(demo_settings):
    """An older warehouse has no read copy: sql reads the live file read-only; the next run, even with nothing new,
    publishes it; `tonghop rebuild` publishes the rebuilt state; a dry run publishes nothing."""
    import dataclasses

    from pipeline.rebuild import rebuild_warehouse
    from pipeline.run import STEPS, run_steps

    assert STEPS[-1].name == "cong-bo"
    s = demo_settings
    summary = run_steps(s)
    copy = wh.stable_path(s.warehouse)
    assert summary.published == copy and copy.exists()
    shutil.rmtree(copy.parent)  # as a warehouse from before the read copy
    cols, rows = wh.run_query(s.warehouse, "select count(*) from v_submissions where status = 'loaded'", 5)
    assert rows == [(23,)]
    run_steps(dataclasses.replace(s, dry_run=True))
    assert not copy.parent.exists()
    again = run_steps(s)
    assert again.files == [] and again.published == copy and copy.exists()
    assert run_steps(s).published is None  # unchanged warehouse: the copy is current, nothing copied
    with duckdb.connect(str(copy), read_only=True) as con:
        before = con.execute("select count(*) from runs").fetchone()[0]
    rebuild_warehouse(s)
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("select run_id from runs order by finished_at desc limit 1").fetchone()[0].startswith("rebuild-")
        assert con.execute("select count(*) from submissions where status = 'loaded'").fetchone()[0] == 23
    assert before >= 1
