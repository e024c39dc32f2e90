"""One .xlsx package shared by the checks and readers of one parse: its zip directory read once, each member
inflated once.

Parsing a workbook looks into its zip several times (safety.check_file, recalc.needs_recompute, the legacy-font
check, cellview.read_views). Inside `shared(path)` (parse_submission), `zip_of(path)` gives each of them the same
ZipFile over the file's bytes and `read(z, name)` gives a member inflated earlier in the parse (by ZipFile.read, or
read whole by the safety check) instead of inflating it again. The bytes are those ZipFile.read gives (CRC checked);
every check still sees every member it looked at before, and a member too large to keep is read again as before.
Outside `shared`, both behave as ZipFile(path) and ZipFile.read.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

KEEP_BYTES = 16 * 2**20  # members kept at most per parse (a commune workbook's parts are ~0.1-1 MB in all)


class Package:
    """The bytes, zip directory and inflated members of one file, for the length of one parse."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self.data: bytes | None = None
        self.zf: zipfile.ZipFile | None = None
        self.members: dict[str, bytes] = {}
        self.kept = 0

    def zip(self) -> zipfile.ZipFile:
        """The package's ZipFile (raises as ZipFile(path) would: OSError, BadZipFile...)."""
        if self.zf is None:
            data = Path(self.path).read_bytes()
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            self.data = data
        return self.zf

    def keep(self, name: str, data: bytes) -> None:
        if self.kept + len(data) <= KEEP_BYTES:
            self.members[name] = data
            self.kept += len(data)

    def close(self) -> None:
        if self.zf is not None:
            self.zf.close()
        self.zf, self.data, self.members = None, None, {}


_current: ContextVar[Package | None] = ContextVar("tonghop_package", default=None)


@contextmanager
def shared(path) -> Iterator[None]:
    """Share one Package of `path` among the zip readers called inside this block (one parse)."""
    pkg = Package(path)
    token = _current.set(pkg)
    try:
        yield
    finally:
        _current.reset(token)
        pkg.close()


def current(path) -> Package | None:
    """The shared Package of `path`, when a parse of that file is under way."""
    pkg = _current.get()
    return pkg if pkg is not None and pkg.path == os.fspath(path) else None


@contextmanager
def zip_of(path) -> Iterator[zipfile.ZipFile]:
    """ZipFile(path): the parse's shared one (left open for the next reader), else a new one closed after."""
    pkg = current(path)
    if pkg is not None:
        yield pkg.zip()
        return
    with zipfile.ZipFile(path) as z:
        yield z


def _of(z: zipfile.ZipFile) -> Package | None:
    pkg = _current.get()
    return pkg if pkg is not None and pkg.zf is z else None


def read(z: zipfile.ZipFile, name: str) -> bytes:
    """z.read(name), once per parse for the shared package."""
    pkg = _of(z)
    if pkg is None:
        return z.read(name)
    data = pkg.members.get(name)
    if data is None:
        data = z.read(name)
        pkg.keep(name, data)
    return data


def cached(z: zipfile.ZipFile, name: str) -> bytes | None:
    """The member `name` of the shared package when it was inflated already in this parse, else None."""
    pkg = _of(z)
    return pkg.members.get(name) if pkg is not None else None


def remember(z: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    """Keep `data`, member `info` read whole and CRC-checked (to its end) from the shared package, for later readers;
    only when z.read(info.filename) reads that very member (a name given twice in a zip reads its last entry)."""
    pkg = _of(z)
    if pkg is not None and z.NameToInfo.get(info.filename) is info and info.filename not in pkg.members:
        pkg.keep(info.filename, data)
