"""One writer at a time: a lock file beside the warehouse, and backups taken before a run writes."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.errors import WarehouseBusy, WarehouseError
from pipeline.warehouse.store import fold_log, fsync, health, wal_of

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


@contextmanager
def writer_lock_if_free(warehouse: Path) -> Iterator[bool]:
    """Hold the warehouse's writer lock when nobody holds it now (yields True), else yield False at once."""
    path = lock_path(warehouse)
    if not path.parent.is_dir():
        yield True  # no warehouse folder yet: nobody writes it
        return
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield False
        return
    try:
        yield True
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
            if not is_lock_error(exc):  # not held but unusable (damaged, not a database): the health check or a
                return                  # rebuild deals with it and says what to do
            if time.monotonic() >= deadline:
                raise held_by_reader(warehouse, timeout) from None
            time.sleep(max(0.0, min(PROBE_EVERY, deadline - time.monotonic())))


def backup(warehouse: Path, keep: int = 5) -> Path | None:
    """Copy the warehouse file to backups/ before a run writes; keep the newest `keep` copies that open.

    The copy is written under a temporary name, flushed to disk, checked to open (read-only, its tables there, its
    submissions counted) and only then renamed into place; older copies are rotated out only after that, and a copy
    that does not open is never counted among the kept ones, so the newest good copy is never deleted.
    Raises WarehouseError when no good copy can be made (nothing is written to the warehouse then).
    """
    warehouse = Path(warehouse)
    if not warehouse.exists():
        return None
    folder = backups_folder(warehouse)
    target = folder / f"{warehouse.stem}_{dt.datetime.now():%Y%m%d-%H%M%S-%f}{warehouse.suffix}"
    tmp = target.with_name(target.name + ".part")
    for leftover in folder.glob(f"{warehouse.stem}_*{warehouse.suffix}.part"):  # a killed run's unfinished copy
        leftover.unlink(missing_ok=True)
    try:
        fold_log(warehouse)
        with open(warehouse, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        state = health(tmp, full=False)
        if not state.ok:
            raise WarehouseError(f"Bản sao lưu vừa chép từ kho dữ liệu {warehouse} không mở được: {state.reason}. Lượt chạy "
                                 "dừng lại trước khi ghi gì vào kho. Kho có thể đã hỏng: hãy chạy `tonghop rebuild` để dựng "
                                 "lại kho từ kho lưu trữ bản gốc.")
        os.replace(tmp, target)
        fsync(folder)
    except OSError as exc:
        raise WarehouseError(f"Không sao lưu được kho dữ liệu {warehouse} vào {folder} ({exc.strerror or exc}). Lượt chạy "
                             "dừng lại trước khi ghi gì vào kho; hãy kiểm tra chỗ trống trên đĩa và quyền ghi thư mục.") from None
    finally:
        tmp.unlink(missing_ok=True)
    rotate(folder, warehouse, keep, checked=target)
    return target


def backups_folder(warehouse: Path, create: bool = True) -> Path:
    """The folder of a warehouse's backups and set-aside copies (warehouse/backups/), created when asked."""
    folder = Path(warehouse).parent / "backups"
    if create:
        folder.mkdir(exist_ok=True)
    return folder


def backups_of(warehouse: Path) -> list[Path]:
    """The backup copies of a warehouse, newest first (copies set aside as damaged are not among them)."""
    warehouse = Path(warehouse)
    folder = backups_folder(warehouse, create=False)
    return sorted(folder.glob(f"{warehouse.stem}_*{warehouse.suffix}"), reverse=True)


def rotate(folder: Path, warehouse: Path, keep: int, checked: Path | None = None) -> None:
    """Delete the backups beyond the newest `keep` that open (`checked` is known to open); one that does not open is
    not counted as kept. Everything older than the `keep` newest good copies goes, so only those are opened."""
    good = 0
    for old in backups_of(warehouse):
        if good >= keep:
            old.unlink()
        elif old == checked or health(old, full=False).ok:
            good += 1


def set_aside(warehouse: Path) -> Path | None:
    """Move an unusable warehouse file (and its log), as it is, into backups/ under a name rotation never deletes."""
    warehouse = Path(warehouse)
    if not warehouse.exists():
        return None
    folder = backups_folder(warehouse)
    target = folder / f"{warehouse.stem}-hong-{dt.datetime.now():%Y%m%d-%H%M%S-%f}{warehouse.suffix}"
    os.replace(warehouse, target)
    if wal_of(warehouse).exists():
        os.replace(wal_of(warehouse), wal_of(target))
    fsync(folder)
    return target
