"""One writer at a time: a lock file beside the warehouse, and backups taken before a run writes."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.errors import WarehouseBusy


def busy(warehouse: Path, waited: float) -> WarehouseBusy:
    """The error of a run that waited `waited` seconds for another writer of `warehouse`."""
    return WarehouseBusy(f"Kho dữ liệu {warehouse} đang được một lượt tổng hợp khác ghi; đã chờ {waited:g} giây. "
                         "Lượt chạy này dừng lại, không thay đổi gì; hãy chạy lại sau khi lượt kia kết thúc.")


def lock_path(warehouse: Path) -> Path:
    """Return the lock file of a warehouse."""
    return Path(warehouse).with_suffix(".lock")


@contextmanager
def writer_lock(warehouse: Path, timeout: float) -> Iterator[None]:
    """Hold the warehouse's writer lock, waiting at most `timeout` seconds, else raise WarehouseBusy."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise busy(warehouse, timeout) from None
    try:
        yield
    finally:
        lock.release()


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
