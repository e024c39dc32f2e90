"""The inbox folder: which files are workbooks, which period folder they sit in, their fingerprints."""

from __future__ import annotations

import hashlib
import os
import stat as stat_mod
from dataclasses import dataclass
from pathlib import Path

from pipeline.vn.periods import is_period
from pipeline.vn.text import nfc, shown_name
from pipeline.read.workbook import EXTENSIONS
from pipeline.read.spreadsheetml import is_spreadsheetml

OTHER_EXTENSIONS = {".xml", ".zip", ".pdf", ".doc", ".docx", ".csv"}  # not workbooks, but told to the office when sent


@dataclass(frozen=True)
class InboxFile:
    """A file found under the inbox."""

    path: Path  # where it is, as the operating system names it (any bytes)
    rel: str  # path relative to the inbox, NFC, '/'-separated, displayable (UTF-8): the file's identity across runs
    size: int
    mtime_ns: int
    folder_period: str | None
    refused: str | None = None  # an issue code when the file is refused before anything reads it (a link leaving the inbox)

    @property
    def name(self) -> str:
        """The file's name as it can be shown and stored (non-UTF-8 bytes written as \\xNN)."""
        return self.rel.rsplit("/", 1)[-1]


def _is_link(entry: os.DirEntry) -> bool:
    """A symbolic link, or a Windows junction (a mount-point reparse point, which is_symlink does not tell)."""
    if entry.is_symlink():
        return True
    tag = getattr(stat_mod, "IO_REPARSE_TAG_MOUNT_POINT", None)
    if tag is None:
        return False
    try:
        return getattr(entry.stat(follow_symlinks=False), "st_reparse_tag", 0) == tag
    except OSError:
        return False


def _wanted(name: str, path: Path, readable: bool) -> bool:
    """Whether a file of this name is an inbox candidate (workbooks, and the other documents offices send by mistake)."""
    if name.startswith(("~$", ".")):
        return False
    suffix = os.path.splitext(name)[1].lower()
    if suffix == ".xml":  # only Excel 2003 XML Spreadsheets among .xml files (a link leaving the inbox is never opened)
        return not readable or is_spreadsheetml(path)
    return suffix in EXTENSIONS or suffix in OTHER_EXTENSIONS


def discover(inbox: Path) -> list[InboxFile]:
    """List candidate files under the inbox (any depth), oldest first; Excel lock and hidden files are ignored.

    Links (symbolic links, junctions) are never followed out of the inbox: a link whose target lies outside it, or
    that points nowhere, is listed with `refused` set and nothing of its target is read. A link inside the inbox is
    followed once: a file or folder reached twice (a link to a file also listed, a link loop) is listed once.
    """
    inbox = Path(inbox)
    if not inbox.exists():
        return []
    root = os.path.realpath(inbox)
    prefix = root.rstrip(os.sep) + os.sep
    found: list[InboxFile] = []
    links: list[tuple[Path, tuple[str, ...]]] = []
    folders = {root}

    def add(path: Path, parts: tuple[str, ...], refused: str | None = None) -> None:
        rel_parts = [nfc(shown_name(p)) for p in parts]
        try:
            st = os.stat(path, follow_symlinks=refused is None)
        except OSError:  # gone since it was listed (or a folder that cannot be looked into): not in the inbox
            return
        period = next((p for p in reversed(rel_parts[:-1]) if is_period(p)), None)
        found.append(InboxFile(path, "/".join(rel_parts), st.st_size, st.st_mtime_ns, period, refused))

    def walk(folder: Path, parts: tuple[str, ...]) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for e in entries:
            if e.name.startswith("."):
                continue
            path, sub = Path(e.path), (*parts, e.name)
            if _is_link(e):
                links.append((path, sub))
                continue
            try:
                is_dir, is_file = e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                folders.add(os.path.realpath(path))
                walk(path, sub)
            elif is_file and _wanted(e.name, path, True):
                add(path, sub)

    walk(inbox, ())
    reached: set[str] | None = None
    while links:  # after every plain file and folder, so that a link to one of them adds nothing
        path, parts = links.pop(0)
        if reached is None:
            reached = {os.path.realpath(f.path) for f in found}
        target = os.path.realpath(path)
        inside = target == root or target.startswith(prefix)
        exists = os.path.exists(target)
        if inside and exists and os.path.isdir(target):
            if target not in folders:
                folders.add(target)
                walk(path, parts)  # new links found there join the queue
            continue
        if not (os.path.isdir(target) or _wanted(parts[-1], path, inside and exists)):
            continue
        if not inside or not exists:
            add(path, parts, refused="file-link-outside" if exists or not inside else "file-link-broken")
        elif target not in reached:
            reached.add(target)
            add(path, parts)
    found.sort(key=lambda f: (f.mtime_ns, f.rel))
    return found


def sha256_of(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_or_none(path: Path) -> str | None:
    """The SHA-256 of a file's bytes now, or None when it cannot be read."""
    try:
        return sha256_of(path)
    except OSError:
        return None
