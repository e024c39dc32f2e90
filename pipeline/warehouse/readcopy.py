"""The read copy (bản đọc) analysts open: the last committed state of the warehouse, published whole at a run's end.

Only a run opens the live warehouse file. Analysts (`tonghop sql`, `tonghop export`, notebooks, DBeaver) read
`<warehouse folder>/ban_doc/<stem>.duckdb`, a copy the run refreshes as its last step, so that a reader never holds the
file the next run writes. A copy is written whole: to a temporary name in the same folder, fsynced, then renamed.

Windows refuses to replace a file another program holds open. The new copy then stays under its versioned name
(`ban_doc/<stem>_<run id>.duckdb`) and readers take the newest copy that opens; older versions are deleted once no
program holds them (the next successful publish). A reader holding an old copy never fails the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from pipeline.warehouse.store import connect

FOLDER = "ban_doc"


def folder(warehouse: Path) -> Path:
    """The folder of a warehouse's read copies."""
    return Path(warehouse).parent / FOLDER


def stable_path(warehouse: Path) -> Path:
    """The read copy's stable name (what DBeaver and notebooks open)."""
    return folder(warehouse) / Path(warehouse).name


def _versions(warehouse: Path) -> list[Path]:
    """Versioned read copies, newest last (run ids sort by time)."""
    w = Path(warehouse)
    return sorted(folder(w).glob(f"{w.stem}_*{w.suffix}"))


def _candidates(warehouse: Path) -> list[Path]:
    """Every read copy, newest first (by the time it was written: a copy's mtime is the time of its copy)."""
    found = []
    for p in [stable_path(warehouse), *_versions(warehouse)]:
        try:
            found.append((p.stat().st_mtime_ns, p.name, p))
        except OSError:  # gone meanwhile (a run pruning old versions)
            continue
    return [p for *_, p in sorted(found, reverse=True)]


def _opens(path: Path) -> bool:
    try:
        duckdb.connect(str(path), read_only=True).close()
        return True
    except duckdb.Error:
        return False


def published(warehouse: Path) -> Path | None:
    """The newest read copy that opens, or None when there is none (an old warehouse: the next run publishes one)."""
    for p in _candidates(warehouse):
        if _opens(p):
            return p
    return None


def reading_path(warehouse: Path) -> Path:
    """What an analyst's command reads: the newest read copy, else the live file (opened read-only)."""
    return published(warehouse) or Path(warehouse)


def needs_publish(warehouse: Path) -> bool:
    """Tell whether the live file changed since the newest read copy was written (or no copy exists yet)."""
    w = Path(warehouse)
    if not w.exists():
        return False
    if w.with_name(w.name + ".wal").exists():  # writes not yet folded into the file
        return True
    newest = published(w)
    # ">=": on file systems with coarse times (FAT, some shares) a write in the second of the last copy still counts
    return newest is None or w.stat().st_mtime_ns >= newest.stat().st_mtime_ns


def publish(warehouse: Path, tag: str) -> Path:
    """Publish the live warehouse's committed state as the read copy; return the copy readers now get.

    The caller holds the writer lock. The write-ahead log is folded into the file first, so the copy is whole.
    """
    w = Path(warehouse)
    con = connect(w)  # a program holding the live file open: WarehouseBusy (exit 75)
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    target = folder(w)
    target.mkdir(parents=True, exist_ok=True)
    for tmp in target.glob(".*.tmp"):  # left by a run killed while publishing
        _remove(tmp)
    tmp = target / f".{w.stem}_{tag}{w.suffix}.tmp"
    with open(w, "rb") as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
        dst.flush()
        os.fsync(dst.fileno())
    versioned = target / f"{w.stem}_{tag}{w.suffix}"
    os.replace(tmp, versioned)  # a new name: never refused
    stable = stable_path(w)
    try:
        os.replace(versioned, stable)
        current = stable
    except PermissionError:  # Windows: a program holds the stable copy open; readers take the versioned one
        current = versioned
    _fsync_dir(target)
    for old in _versions(w):  # older versions go once no program holds them
        if old != current:
            _remove(old)
    return current


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:  # held open (Windows) or already gone: the next publish tries again
        pass


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
