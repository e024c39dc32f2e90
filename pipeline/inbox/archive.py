"""The archive's ledger (archive/manifest.jsonl): every file taken in, where it came from and when it was first seen."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

MANIFEST = "manifest.jsonl"


@dataclass(frozen=True)
class ArchiveEntry:
    """One file recorded in the warehouse's ledger, as the archive remembers it."""

    sha256: str
    ext: str  # lower-case suffix of the original, e.g. ".xlsx"; the copy is archive/<sha256><ext>
    file_name: str
    path: str  # path relative to the inbox, e.g. "2023-9M/BC_Ngoc_Ky.xlsx"
    size: int
    mtime_ns: int
    received_at: str  # ISO timestamp of the first time the district saw these bytes at this path
    run_id: str
    period_filter: str | None = None  # the run's --period
    unit_filter: str | None = None  # the run's unit limit

    @property
    def received(self) -> dt.datetime:
        """The first-seen time as a datetime."""
        return dt.datetime.fromisoformat(self.received_at)


def archived_copy(archive: Path, sha256: str, ext: str) -> Path:
    """Return the path of the unchanged copy of a file in the archive."""
    return Path(archive) / f"{sha256}{ext.lower()}"


def append_entry(archive: Path, entry: ArchiveEntry) -> None:
    """Append one entry to the manifest and flush it to disk before the warehouse records the file."""
    append_entries(archive, [entry])


def append_entries(archive: Path, entries: list[ArchiveEntry]) -> None:
    """Append entries to the manifest in one write and flush them to disk (once) before the warehouse records the files.

    A crash while writing leaves at most one line cut short, which `_records` skips.
    """
    if not entries:
        return
    Path(archive).mkdir(parents=True, exist_ok=True)
    with open(Path(archive) / MANIFEST, "a", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in entries))
        fh.flush()
        os.fsync(fh.fileno())


def _records(archive: Path):
    """Yield the manifest's lines as dicts, skipping a line cut short by a crash while appending."""
    path = Path(archive) / MANIFEST
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                yield json.loads(line)
            except ValueError:
                continue


def read_manifest(archive: Path) -> list[ArchiveEntry]:
    """Return the manifest's entries, one per file recorded, in the order they were recorded.

    A file recorded twice at the same path (a run killed between the manifest and the warehouse's commit, then
    loaded again) counts once, at its last position.
    """
    entries: dict[tuple[str, str], ArchiveEntry] = {}
    for rec in _records(archive):
        try:
            e = ArchiveEntry(**rec)
        except TypeError:
            continue
        entries.pop((e.path, e.sha256), None)
        entries[(e.path, e.sha256)] = e
    return list(entries.values())


def first_seen(archive: Path) -> dict[tuple[str, str], dt.datetime]:
    """Map (inbox path, SHA-256) to the first time the district saw those bytes there."""
    out: dict[tuple[str, str], dt.datetime] = {}
    for rec in _records(archive):
        try:
            out.setdefault((rec["path"], rec["sha256"]), dt.datetime.fromisoformat(rec["received_at"]))
        except (KeyError, TypeError, ValueError):
            continue
    return out
