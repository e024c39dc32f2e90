"""The copy check: files modified in the last minute are looked at twice, with one short wait for the whole inbox."""

from __future__ import annotations

import os
import time

from pipeline import inbox as inbox_mod
from pipeline.inbox import WAITING, Known, scan
from pipeline.read.safety import Limits


def _write(path, data=b"PK\x03\x04partial", age=None):
    path.write_bytes(data)
    if age is not None:
        t = time.time() - age
        os.utime(path, (t, t))
    return path


def test_one_wait_for_many_recent_files(tmp_path, monkeypatch):
    for i in range(40):
        _write(tmp_path / f"xa_{i:02d}.xlsx", age=10)  # copied 10 s ago: recent, settled
    sleeps = []
    monkeypatch.setattr(inbox_mod.time, "sleep", lambda s: sleeps.append(s))
    cands = scan(tmp_path, Known(), Limits(stable_seconds=2, restat_seconds=0.05)).candidates
    assert sleeps == [0.05]
    assert len(cands) == 40 and all(c.waiting_reason is None and c.sha256 for c in cands)


def test_no_wait_when_nothing_is_recent(tmp_path, monkeypatch):
    _write(tmp_path / "cu.xlsx", age=3600)
    sleeps = []
    monkeypatch.setattr(inbox_mod.time, "sleep", lambda s: sleeps.append(s))
    (c,) = scan(tmp_path, Known(), Limits()).candidates
    assert sleeps == [] and c.waiting_reason is None


def test_too_young_and_vanished_and_growing_files_wait(tmp_path, monkeypatch):
    young = _write(tmp_path / "vua_chep.xlsx")  # modified just now: younger than stable_seconds
    growing = _write(tmp_path / "dang_chep.xlsx", age=10)
    gone = _write(tmp_path / "bien_mat.xlsx", age=10)
    settled = _write(tmp_path / "xong.xlsx", age=10)

    def during_pause(seconds):  # another program is still writing one file and moves another away
        with growing.open("ab") as fh:
            fh.write(b"more")
        gone.unlink()
    monkeypatch.setattr(inbox_mod.time, "sleep", during_pause)
    cands = {c.file.name: c for c in scan(tmp_path, Known(), Limits(stable_seconds=2, restat_seconds=0.05)).candidates}
    assert cands[young.name].waiting_reason == WAITING
    assert cands[growing.name].waiting_reason == WAITING
    assert cands[gone.name].waiting_reason == WAITING  # listed, then gone: looked at again by the next run
    assert cands[settled.name].waiting_reason is None and cands[settled.name].sha256
