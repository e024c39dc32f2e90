"""The inbox: which files are new or changed since the ledger last saw them, and the originals kept unchanged.

Entry point: `scan(inbox, known, limits)` lists the run's candidates. `archive_original` copies a file's bytes under
their SHA-256 before anything reads it; `quarantine` moves a rejected original out of the inbox, unchanged.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.inbox.files import InboxFile, discover, sha256_of
from pipeline.outcome import Candidate
from pipeline.read.safety import Limits, is_stable

WAITING = "Tệp đang được chép hoặc vừa thay đổi; sẽ nhận ở lượt chạy sau"
CHANGED = "Tệp vừa bị ghi đè trong lúc nhận (nội dung khác lúc quét); sẽ nhận ở lượt chạy sau"
RECENT_SECONDS = 60  # files modified this recently are checked twice for a copy in progress


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

    A file modified in the last minute is checked twice (size and mtime) and left for the next run while it may
    still be being copied (its candidate carries a `waiting_reason`). Identical bytes already taken in, or seen
    earlier in this run, make a `duplicate_of`.
    """
    out: list[Candidate] = []
    unchanged = 0
    touched: list[tuple[str, int, int, str]] = []
    batch_sha: dict[str, str] = {}
    now = time.time()
    for f in discover(inbox):
        if (f.rel, f.size, f.mtime_ns) in known.stats:
            unchanged += 1
            continue
        if now - f.mtime_ns / 1e9 < RECENT_SECONDS and not is_stable(f.path, limits, now):
            out.append(Candidate(f, "", waiting_reason=WAITING))
            continue
        sha = sha256_of(f.path)
        if (f.rel, sha) in known.contents:  # same bytes, new mtime: remember it so the next run skips hashing
            unchanged += 1
            touched.append((f.rel, f.size, f.mtime_ns, sha))
            continue
        cand = Candidate(f, sha, duplicate_of=known.by_sha.get(sha))
        if cand.duplicate_of is None and sha in batch_sha:
            cand.duplicate_of = (0, batch_sha[sha])
        batch_sha.setdefault(sha, f.path.name)
        out.append(cand)
    return Scan(out, unchanged, touched)


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
    target = folder / f.rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target = target.with_name(f"{target.stem}_{f.mtime_ns}{target.suffix}")
    shutil.move(str(f.path), str(target))
    return target
