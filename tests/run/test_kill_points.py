"""Issue 13 (item 6): a run SIGKILLed at any instant — every step boundary, between load batches, while archiving,
while backing up, while the first run creates the warehouse — leaves state from which the next run ends with exactly
the values of an uninterrupted run (v_values, v_district, submissions per SHA-256), archive and backups all good."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import pipeline.warehouse as wh
from pipeline.inbox import archive as arc
from pipeline.run import STEPS, run_steps
from tests.conftest import ROOT, make_settings
from tests.conftest import query_file as q

CHILD = r"""
import os, shutil, sys, time
from pathlib import Path
import pipeline.inbox as inbox
import pipeline.run as run_mod
import pipeline.warehouse as wh
import pipeline.warehouse.lock as lock
import pipeline.warehouse.store as store
from pipeline.run import Progress, run_steps
from tests.conftest import make_settings

base, marker, point = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]


def reached(what):
    marker.with_name("tmp-marker").write_text(what)
    os.rename(marker.with_name("tmp-marker"), marker)  # os.replace itself may be the function being held


def hold():
    reached(point)
    time.sleep(600)


class Proxy:  # a module (os, shutil, duckdb) with one function replaced
    def __init__(self, real, **fns):
        self.real, self.fns = real, fns

    def __getattr__(self, name):
        return self.fns.get(name) or getattr(self.real, name)


class KillAt(Progress):
    def step(self, label, total):
        if point == "step:" + label:
            hold()


kind, _, arg = point.partition(":")
if kind == "batch":  # after the n-th load transaction committed, two files per transaction
    run_mod.LOAD_BATCH = 2
    original, calls = wh.record_submissions, [0]
    def record(con, batch):
        out = original(con, batch)
        calls[0] += 1
        if calls[0] == int(arg):
            hold()
        return out
    wh.record_submissions = record
elif point == "archive:second":  # one original archived, the second half-copied
    original_archive, calls = run_mod.archive_original, [0]
    def archive_original(f, sha, folder):
        calls[0] += 1
        if calls[0] == 2:
            (folder / (sha + ".xlsx.part")).write_bytes(f.path.read_bytes()[:1000])
            hold()
        return original_archive(f, sha, folder)
    run_mod.archive_original = archive_original
elif point == "create:empty":  # the new warehouse file exists, no schema yet
    real_connect = store.duckdb.connect
    def connect(path, *a, **k):
        con = real_connect(path, *a, **k)
        if str(path).endswith(".new"):
            hold()
        return con
    store.duckdb = Proxy(store.duckdb, connect=connect)
elif point == "create:rename":  # schema made under the temporary name, not yet renamed
    store.os = Proxy(os, replace=lambda a, b: (hold() if str(a).endswith(".new") else None, os.replace(a, b))[1])
elif point == "backup:copy":  # the backup half-written
    def copyfileobj(src, dst, length=0):
        dst.write(src.read(os.fstat(src.fileno()).st_size // 2))
        dst.flush()
        hold()
    lock.shutil = Proxy(shutil, copyfileobj=copyfileobj)
elif point == "backup:rename":  # the backup written and checked, not yet renamed into place
    lock.os = Proxy(os, replace=lambda a, b: (hold() if str(a).endswith(".part") else None, os.replace(a, b))[1])
elif point == "backup:rotate":  # the new backup in place, older ones not yet rotated
    lock.rotate = lambda *a, **k: hold()

run_steps(make_settings(base), KillAt())
reached("finished")
"""

FIRST_RUN = ([f"step:{s.label}" for s in STEPS]
             + ["create:empty", "create:rename", "archive:second", "batch:1", "batch:2"])
SECOND_RUN = ["backup:copy", "backup:rename", "backup:rotate", "step:Nạp vào kho dữ liệu", "step:Tổng hợp số liệu",
              "step:Lập biểu tổng hợp", "batch:1"]


def outcome(settings) -> dict:
    """What a run ends with: values, district figures, submissions per SHA-256 and status, periods left stale."""
    w = settings.warehouse
    return {
        "values": q(w, "select period_code, unit_code, indicator_code, value from v_values order by all"),
        "district": q(w, "select period_code, indicator_code, value, n_units from v_district order by all"),
        "by_sha": q(w, "select sha256, status, count(*) from submissions group by all order by all"),
        "stale": q(w, "select period_code from periods where stale order by 1"),
    }


def check_archive_and_backups(settings) -> None:
    for copy in settings.archive.glob("*.xlsx"):
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == copy.name.split(".")[0]
    for e in arc.read_manifest(settings.archive):
        assert arc.archived_copy(settings.archive, e.sha256, e.ext).exists()
    for b in wh.backups_of(settings.warehouse):
        assert wh.health(b, full=False).ok, b


def kill_at(base: Path, point: str) -> str:
    """Run a child on `base`, SIGKILL it once it holds at `point`; return what it reached."""
    marker = base / "holding"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(base), str(marker), point], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            if child.poll() is not None:
                return "died: " + child.stderr.read().decode()[-1500:]
            if time.monotonic() > deadline:
                return "timeout"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
        child.stderr.close()
    return marker.read_text()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_at_every_point_next_run_ends_as_an_uninterrupted_run(tmp_path, demo_files):
    files = sorted(demo_files)[:6]

    def base_with(name: str, chosen: list[Path]) -> Path:
        base = tmp_path / name
        (base / "inbox").mkdir(parents=True)
        for f in chosen:
            shutil.copy2(f, base / "inbox" / f.name)
        return base

    clean = make_settings(base_with("clean", files))
    run_steps(clean)
    expected = outcome(clean)
    assert len(expected["by_sha"]) == 6 and expected["values"] and not expected["stale"]

    half = base_with("half", files[:3])  # a warehouse with a first run behind it, for the second-run kills
    run_steps(make_settings(half))

    bases: dict[str, Path] = {}
    for i, point in enumerate(FIRST_RUN):
        bases[point] = base_with(f"first{i}", files)
    for i, point in enumerate(SECOND_RUN):
        base = tmp_path / f"second{i}"
        shutil.copytree(half, base)
        for f in files[3:]:
            shutil.copy2(f, base / "inbox" / f.name)
        bases["2/" + point] = base

    with ThreadPoolExecutor(max_workers=3) as pool:
        reached = dict(zip(bases, pool.map(lambda kv: kill_at(kv[1], kv[0].removeprefix("2/")), bases.items())))
    assert [(p, r) for p, r in reached.items() if r != p.removeprefix("2/")] == []

    for point, base in bases.items():
        settings = make_settings(base)
        summary = run_steps(settings)
        assert summary is not None, point
        assert outcome(settings) == expected, point
        check_archive_and_backups(settings)
        assert not list(settings.warehouse.parent.glob(".doc-*")), point
