"""One writer at a time, and a backup of the warehouse before each run that writes."""

import dataclasses
import shutil
import subprocess
import sys
import time

import pytest

from pipeline.run import run_steps
from pipeline.warehouse.lock import WarehouseBusy, lock_path, writer_lock


def test_second_writer_waits_then_gives_up_changing_nothing(demo_settings):
    run_steps(demo_settings)
    before = demo_settings.warehouse.read_bytes()
    fast = dataclasses.replace(demo_settings, lock_timeout=0.3)
    with writer_lock(demo_settings.warehouse, timeout=1):
        t = time.perf_counter()
        with pytest.raises(WarehouseBusy) as err:
            run_steps(fast)
        assert 0.25 < time.perf_counter() - t < 5
    assert "đang được một lượt tổng hợp khác ghi" in str(err.value)
    assert demo_settings.warehouse.read_bytes() == before


def test_lock_held_by_another_process(demo_settings):
    """A real second process holds the lock: the run in this process gives up within its timeout."""
    code = ("import sys, time; from pipeline.warehouse.lock import writer_lock; from pathlib import Path\n"
            "with writer_lock(Path(sys.argv[1]), 5):\n    print('held', flush=True); time.sleep(20)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(demo_settings.warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseBusy):
            run_steps(dataclasses.replace(demo_settings, lock_timeout=0.5))
        assert not demo_settings.warehouse.exists()
    finally:
        holder.kill()
        holder.wait()
    assert lock_path(demo_settings.warehouse).parent.exists()
    assert run_steps(demo_settings).count("loaded") == 23  # the lock is released with its process


def test_backups_before_writing_runs(demo_settings, tmp_path):
    from samples import generate_demo_inbox
    s = dataclasses.replace(demo_settings, backups=2)
    run_steps(s)  # first run: nothing to back up yet
    folder = s.warehouse.parent / "backups"
    assert not folder.exists() or not list(folder.iterdir())
    for i in range(3):
        new = generate_demo_inbox(tmp_path / f"v{i}", s.units, period_code="2023-H1", seed=100 + i)[0]
        shutil.copy2(new, s.inbox / f"bo_sung_{i}_{new.name}")
        run_steps(s)
    assert len(list(folder.glob("tonghop_*.duckdb"))) == 2
    run_steps(s)  # nothing new: no backup
    assert len(list(folder.glob("tonghop_*.duckdb"))) == 2
