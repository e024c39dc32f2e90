"""The inbox folder: which files are workbooks, which period folder they sit in, their fingerprints."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.vn.periods import is_period
from pipeline.vn.text import nfc
from pipeline.read.workbook import EXTENSIONS
from pipeline.read.spreadsheetml import is_spreadsheetml


@dataclass(frozen=True)
class InboxFile:
    """A file found under the inbox."""

    path: Path
    rel: str  # path relative to the inbox, NFC, '/'-separated: the file's identity across runs
    size: int
    mtime_ns: int
    folder_period: str | None


def discover(inbox: Path) -> list[InboxFile]:
    """List candidate files under the inbox (any depth), oldest first; Excel lock and hidden files are ignored."""
    inbox = Path(inbox)
    found: list[InboxFile] = []
    if not inbox.exists():
        return found
    for path in inbox.rglob("*"):
        if not path.is_file():
            continue
        name = path.name
        if name.startswith(("~$", ".")) or any(part.startswith(".") for part in path.relative_to(inbox).parts[:-1]):
            continue
        suffix = path.suffix.lower()
        if suffix == ".xml" and not is_spreadsheetml(path):  # only Excel 2003 XML Spreadsheets among .xml files
            continue
        if suffix not in EXTENSIONS and suffix not in {".xml", ".zip", ".pdf", ".doc", ".docx", ".csv"}:
            continue
        rel_parts = [nfc(p) for p in path.relative_to(inbox).parts]
        folder_period = next((p for p in reversed(rel_parts[:-1]) if is_period(p)), None)
        st = path.stat()
        found.append(InboxFile(path, "/".join(rel_parts), st.st_size, st.st_mtime_ns, folder_period))
    found.sort(key=lambda f: (f.mtime_ns, f.rel))
    return found


def sha256_of(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
