"""One writer at a time: a lock file beside the warehouse, and backups taken before a run writes."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.errors import WarehouseBusy

PROBE_EVERY = 1.0  # seconds between two tries to open a warehouse another program holds


def busy(warehouse: Path, waited: float) -> WarehouseBusy:
    """The error of a run that waited `waited` seconds for another writer of `warehouse`."""
    return WarehouseBusy(f"Kho dữ liệu {warehouse} đang được một lượt tổng hợp khác ghi; đã chờ {waited:g} giây. "
                         "Lượt chạy này dừng lại, không thay đổi gì; hãy chạy lại sau khi lượt kia kết thúc.")


def held_by_reader(warehouse: Path, waited: float) -> WarehouseBusy:
    """The error of a run that waited `waited` seconds for a program holding the live warehouse file open."""
    from pipeline.warehouse.readcopy import stable_path

    waited_text = f"; đã chờ {waited:g} giây" if waited else ""
    return WarehouseBusy(f"Kho dữ liệu {warehouse} đang được một chương trình khác mở (DBeaver, Python, Excel…){waited_text}. Lượt chạy này dừng lại, không thay đổi gì; hãy đóng kết nối tới tệp kho rồi chạy "
                         f"lại. Người phân tích hãy mở bản đọc {stable_path(warehouse)} thay cho tệp kho.")


def lock_path(warehouse: Path) -> Path:
    """Return the lock file of a warehouse."""
    return Path(warehouse).with_suffix(".lock")


@contextmanager
def writer_lock(warehouse: Path, timeout: float) -> Iterator[None]:
    """Hold the warehouse's writer lock, waiting at most `timeout` seconds, else raise WarehouseBusy."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    deadline = time.monotonic() + timeout
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise busy(warehouse, timeout) from None
    try:
        wait_for_file(warehouse, deadline, timeout)
        yield
    finally:
        lock.release()


def wait_for_file(warehouse: Path, deadline: float, timeout: float) -> None:
    """Wait until DuckDB lets this process open the live file for writing (another program, such as an analyst's
    DBeaver or notebook, may hold it open); raise WarehouseBusy once `deadline` (time.monotonic) has passed."""
    from pipeline.warehouse.store import is_lock_error, open_for_writing

    warehouse = Path(warehouse)
    while warehouse.exists():
        try:
            open_for_writing(warehouse).close()
            return
        except Exception as exc:
            if not is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise held_by_reader(warehouse, timeout) from None
            time.sleep(max(0.0, min(PROBE_EVERY, deadline - time.monotonic())))


def backup(warehouse: Path, keep: int = 5) -> Path | None:
    """Copy the warehouse file to backups/ before a run writes; keep the newest `keep` copies."""
    warehouse = Path(warehouse)
    if not warehouse.exists():
        return None
    folder = warehouse.parent / "backups"
    folder.mkdir(exist_ok=True)
    target = folder / f"{warehouse.stem}_{dt.datetime.now():%Y%m%d-%H%M%S-%f}{warehouse.suffix}"
    shutil.copy2(warehouse, target)
    for old in sorted(folder.glob(f"{warehouse.stem}_*{warehouse.suffix}"))[:-keep]:
        old.unlink()
    return target
