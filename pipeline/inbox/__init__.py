"""The inbox: which files are new or changed since the ledger last saw them, and the originals kept unchanged.

Entry point: `scan(inbox, known, limits)` lists the run's candidates. `archive_original` copies a file's bytes under
their SHA-256 before anything reads it; `quarantine` moves a rejected original out of the inbox, unchanged.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
import hashlib
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import issues as iss
from pipeline.inbox.files import InboxFile, discover, sha256_of
from pipeline.outcome import Candidate
from pipeline.read.safety import FUTURE_SLACK_SECONDS, Limits

WAITING = "Tệp đang được chép hoặc vừa thay đổi; sẽ nhận ở lượt chạy sau"
CHANGED = "Tệp vừa bị ghi đè trong lúc nhận (nội dung khác lúc quét); sẽ nhận ở lượt chạy sau"
LOCKED = "Tệp đang được một chương trình khác mở (bị khoá); sẽ nhận ở lượt chạy sau, khi tệp được đóng"
RECENT_SECONDS = 60  # files modified this recently are checked twice for a copy in progress
NAME_MAX = 255  # bytes in one file name (ext4, NTFS in UTF-16 units, APFS): quarantined names are cut to fit
_BUSY_WINERRORS = {32, 33}  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION: open in another program (Windows)
_BUSY_ERRNOS = {errno.EBUSY, errno.ETXTBSY}
_DENIED_ERRNOS = {errno.EACCES, errno.EPERM}


@dataclass
class Known:
    """What the ledger knows of inbox files (pipeline.warehouse.seen_files)."""

    stats: set[tuple[str, int, int]] = field(default_factory=set)  # (path, size, mtime_ns)
    contents: set[tuple[str, str]] = field(default_factory=set)  # (path, sha256)
    by_sha: dict[str, tuple[int, str]] = field(default_factory=dict)  # sha256 -> (submission id, file name)


@dataclass
class Scan:
    """The new files of a run, the count of unchanged ones, and the unchanged files with a new mtime to remember."""

    candidates: list[Candidate]
    unchanged: int
    touched: list[tuple[str, int, int, str]]  # (path, size, mtime_ns, sha256)


def scan(inbox: Path, known: Known, limits: Limits = Limits()) -> Scan:
    """List the inbox files the ledger has not taken in yet (new paths, or new bytes at a known path).

    A file modified in the last minute is looked at twice (size and mtime, one short wait for all such files, see
    `still_moving`) and left for the next run while it may still be being copied (its candidate carries a
    `waiting_reason`). Identical bytes already taken in, or seen
    earlier in this run, make a `duplicate_of`.
    """
    out: list[Candidate] = []
    unchanged = 0
    touched: list[tuple[str, int, int, str]] = []
    batch_sha: dict[str, str] = {}
    now = time.time()
    found = discover(inbox)
    moving = still_moving([f for f in found if (f.rel, f.size, f.mtime_ns) not in known.stats and not f.refused
                           and now - f.mtime_ns / 1e9 < RECENT_SECONDS], limits, now)
    for f in found:
        if (f.rel, f.size, f.mtime_ns) in known.stats:
            unchanged += 1
            continue
        if f.refused:  # a link leaving the inbox: refused, its target never opened
            out.append(Candidate(f, "", refused=iss.issue(f.refused, file=f.name)))
            continue
        future = f.mtime_ns / 1e9 > now + FUTURE_SLACK_SECONDS
        if f.rel in moving:
            out.append(Candidate(f, "", waiting_reason=WAITING))
            continue
        try:
            sha = sha256_of(f.path)
        except FileNotFoundError:  # left the inbox since it was listed
            continue
        except OSError as exc:
            cand = unreadable(f, exc)
            if cand is not None:
                out.append(cand)
            continue
        notes = [iss.issue("file-date-future", file=f.name, date=_local(f.mtime_ns))] if future else []
        if (f.rel, sha) in known.contents:  # same bytes, new mtime: remember it so the next run skips hashing
            unchanged += 1
            touched.append((f.rel, f.size, f.mtime_ns, sha))
            continue
        cand = Candidate(f, sha, duplicate_of=known.by_sha.get(sha), notes=notes)
        if cand.duplicate_of is None and sha in batch_sha:
            cand.duplicate_of = (0, batch_sha[sha])
        batch_sha.setdefault(sha, f.name)
        out.append(cand)
    return Scan(out, unchanged, touched)


def still_moving(recent: list[InboxFile], limits: Limits, now: float) -> set[str]:
    """The relative paths of recently modified files that may still be being copied.

    One short wait for the whole inbox, not one per file: the files were stat-ed when listed; after a single pause of
    `limits.restat_seconds` each is stat-ed again. A file whose size or mtime changed, that vanished, or whose mtime is
    younger than `limits.stable_seconds` is still moving. A file dated in the future (a wrong clock where it was made)
    never grows old: it is settled as soon as the second look finds it unchanged.
    """
    if not recent:
        return set()
    if limits.restat_seconds > 0:
        time.sleep(limits.restat_seconds)
    moving: set[str] = set()
    for f in recent:
        try:
            st = os.stat(f.path)
        except OSError:
            moving.add(f.rel)
            continue
        if (st.st_size, st.st_mtime_ns) != (f.size, f.mtime_ns):
            moving.add(f.rel)
        elif st.st_mtime <= now + FUTURE_SLACK_SECONDS and now - st.st_mtime < limits.stable_seconds:
            moving.add(f.rel)
    return moving


def unreadable(f: InboxFile, exc: OSError) -> Candidate | None:
    """The candidate of a file that cannot be opened: `waiting` when another program holds it (it may be closed by the
    next run), `rejected` when the account running tonghop may not read it or the system cannot (it is recorded with
    its path, size and time, and looked at again only once it changes)."""
    if getattr(exc, "winerror", None) in _BUSY_WINERRORS or exc.errno in _BUSY_ERRNOS:
        return Candidate(f, "", waiting_reason=LOCKED)
    if exc.errno in _DENIED_ERRNOS or isinstance(exc, PermissionError):
        return Candidate(f, "", refused=iss.issue("file-no-permission", file=f.name))
    return Candidate(f, "", refused=iss.issue("file-unreadable", file=f.name, detail=exc.strerror or type(exc).__name__))


def _local(mtime_ns: int) -> str:
    """A file time as the office reads it (local time, dd/mm/yyyy hh:mm)."""
    return time.strftime("%d/%m/%Y %H:%M", time.localtime(mtime_ns / 1e9))


def fit_name(name: str, limit: int = NAME_MAX) -> str:
    """`name` cut to at most `limit` bytes as the file system stores it, keeping its extension and adding a short hash
    of the whole name (two long names that differ only at their end stay two names); short names are unchanged."""
    raw = os.fsencode(name)
    if len(raw) <= limit:
        return name
    stem, ext = os.path.splitext(raw)
    if len(ext) > 16:
        stem, ext = raw, b""
    tag = b"~" + hashlib.sha256(raw).hexdigest()[:10].encode()
    cut = stem[:limit - len(ext) - len(tag)]
    while cut and 0x80 <= cut[-1] < 0xC0:  # never end inside a UTF-8 character
        cut = cut[:-1]
    if cut and cut[-1] >= 0xC0:
        cut = cut[:-1]
    return os.fsdecode(cut + tag + ext)


def archive_original(f: InboxFile, sha256: str, archive: Path) -> Path | None:
    """Copy a file's bytes to <archive>/<sha256><ext> (once; written whole or not at all) and return the copy.

    The bytes are hashed as they are copied (one read): when they are no longer those `scan` hashed as `sha256` (the
    file was rewritten in place since), nothing is archived and None is returned, so that no copy is ever kept under
    a hash that is not its own. A copy already archived is returned when the file still holds its bytes.
    """
    archive.mkdir(parents=True, exist_ok=True)
    target = archive / f"{sha256}{f.path.suffix.lower()}"
    if target.exists():
        return target if sha256_of(f.path) == sha256 else None
    tmp = target.with_name(target.name + ".part")
    h = hashlib.sha256()
    try:
        with open(f.path, "rb") as src, open(tmp, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                h.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        if h.hexdigest() != sha256:
            return None
        shutil.copystat(f.path, tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def quarantine(f: InboxFile, folder: Path) -> Path:
    """Move a rejected original, unchanged, out of the inbox into the quarantine folder; return where it went."""
    parts = f.path.parts[-(f.rel.count("/") + 1):]  # the names as the system spells them (any bytes)
    target = Path(folder).joinpath(*(fit_name(p) for p in parts))
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        stem, ext = os.path.splitext(parts[-1])
        target = target.with_name(fit_name(f"{stem}_{f.mtime_ns}{ext}"))
    shutil.move(f.path, target)  # a link moves as a link: its target is never copied
    return target


ARCHIVE_THREADS = 8  # copies made at once by archive_originals


def archive_originals(files: list[tuple[InboxFile, str]], archive: Path, threads: int = ARCHIVE_THREADS,
                      copy: Callable[[InboxFile, str, Path], Path | None] = archive_original) -> list[Path | None | OSError]:
    """archive_original for each (file, sha256), several at a time; the results in the files' order: the copy, None
    (the bytes changed since they were hashed), or the OSError the copy raised (the caller decides, file by file).

    Each copy waits mostly on its fsync, which lets other threads run: 500 workbooks take 2.1 s one after the other
    and 0.16 s eight at a time on the same disk. Files with the same hash share their archive name, so they are
    copied one after the other in one thread. `copy` is archive_original (the run passes its own reference).
    """
    with Archiving(files, archive, threads, copy) as results:
        return list(results)


class Archiving:
    """archive_originals in the background: iterating gives each file's result, in the files' order, as soon as that
    file's copy is made, so that the run reads a file while the next ones are being archived.

    Used as a context manager: leaving it (read finished, or stopped by an error) cancels the copies not begun and
    waits for those under way, so that no copy is still being written after the run's read step. Without threads
    (or with one group of files) each copy is made when its result is asked for, in the caller's thread.
    """

    def __init__(self, files: list[tuple[InboxFile, str]], archive: Path, threads: int = ARCHIVE_THREADS,
                 copy: Callable[[InboxFile, str, Path], Path | None] = archive_original):
        self.files, self.archive, self.copy = files, Path(archive), copy
        groups: dict[str, list[int]] = {}
        for i, (f, sha256) in enumerate(files):
            groups.setdefault(f"{sha256}{f.path.suffix.lower()}", []).append(i)
        self.out: list[Path | None | OSError] = [None] * len(files)
        self.ready = [False] * len(files)
        self.error: BaseException | None = None  # anything but an OSError: a fault of this program, raised to the reader
        self.changed = threading.Condition()
        self.pool: ThreadPoolExecutor | None = None
        if len(groups) > 1 and threads > 1:
            self.archive.mkdir(parents=True, exist_ok=True)
            self.pool = ThreadPoolExecutor(max_workers=min(threads, len(groups)), thread_name_prefix="tonghop-archive")
            for indexes in groups.values():  # in the files' order: the first files are copied first
                self.pool.submit(self._copy_group, indexes)

    def _copy_one(self, i: int) -> None:
        f, sha256 = self.files[i]
        try:
            self.out[i] = self.copy(f, sha256, self.archive)
        except OSError as exc:
            self.out[i] = exc

    def _copy_group(self, indexes: list[int]) -> None:
        try:
            for i in indexes:
                self._copy_one(i)
                with self.changed:
                    self.ready[i] = True
                    self.changed.notify_all()
        except BaseException as exc:
            with self.changed:
                self.error = self.error or exc
                self.changed.notify_all()

    def __iter__(self):
        for i in range(len(self.files)):
            if self.pool is None:
                self._copy_one(i)
            elif not self.ready[i]:
                with self.changed:
                    while not self.ready[i] and self.error is None:
                        self.changed.wait()
                    if not self.ready[i]:
                        raise self.error
            yield self.out[i]

    def close(self) -> None:
        """Cancel the copies not begun; wait for those under way."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "Archiving":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
