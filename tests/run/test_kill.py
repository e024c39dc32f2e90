"""Issue 5: a run killed in the middle of a load (a real process, SIGKILL) leaves no partial submission."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.inbox import archive as arc
from pipeline.run import run_steps
from tests.conftest import ROOT

# Loads the inbox under BASE five files per transaction; the second transaction (files 6–10) stops just before its
# commit, all its rows written, and waits there to be killed.
CHILD = r"""
import sys, time
from pathlib import Path
import pipeline.run as run_module
import pipeline.warehouse as wh
from pipeline.run import run_steps
from tests.conftest import make_settings

base, marker = Path(sys.argv[1]), Path(sys.argv[2])
original = wh.record_submissions
run_module.LOAD_BATCH = 5
calls = {"n": 0}


class HoldBeforeCommit:
    def __init__(self, con):
        self.con = con

    def execute(self, sql, *args):
        if sql == "commit":
            marker.write_text(str(calls["n"]))
            time.sleep(600)
        return self.con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.con, name)


def record(con, *args, **kwargs):
    calls["n"] += 1
    return original(HoldBeforeCommit(con) if calls["n"] == 2 else con, *args, **kwargs)


wh.record_submissions = record
run_steps(make_settings(base))
"""


def q(path: Path, sql: str):
    con = duckdb.connect(str(path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_load_leaves_no_partial_submission_and_next_run_loads_once(demo_settings):
    settings = demo_settings
    marker = settings.inbox.parent / "holding"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(settings.inbox.parent), str(marker)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the child never reached the second commit"
            time.sleep(0.1)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    # the five committed submissions are whole; nothing of the next five is there
    wh_file = settings.warehouse
    assert q(wh_file, "select count(*), count(distinct unit_code) from submissions where status = 'loaded'") == [(5, 5)]
    assert q(wh_file, "select count(*) from observations where submission_id not in (select submission_id from submissions)") == [(0,)]
    assert q(wh_file, "select count(*) from files_seen") == [(5,)]
    assert q(wh_file, "select count(*) from runs") == [(0,)]

    summary = run_steps(settings)
    assert summary.count("loaded") == 18 and summary.unchanged == 5 and summary.superseded == 0
    assert q(wh_file, "select count(*), count(distinct unit_code), count(distinct sha256) from submissions") == [(23, 23, 23)]
    assert q(wh_file, "select value, n_units from v_district where indicator_code = 'III.3.3.1'") == [(23378.0, 23)]
    assert len(arc.read_manifest(settings.archive)) == 23  # the interrupted files were recorded once, at their reload
