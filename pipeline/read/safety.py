"""Pre-parse safety checks: refuse hostile or broken files quickly, in bounded memory and time.

`check_file` looks at the bytes (not the extension) before any parser sees the file:
OLE2 compound files (legacy .xls, or an encrypted OOXML package), ZIP packages
(.xlsx/.xlsm/.xlsb/.ods) checked from the central directory alone (zip bombs) and by
the prolog of their XML parts (DTD/entity declarations), and anything else is refused
with a detail naming what it looks like.
"""

from __future__ import annotations

import contextlib
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.read import package
from pipeline.read.basics import cell_ref, column_index  # noqa: F401  (column_index: part of this module's API)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ZIP_EMPTY_MAGIC = b"PK\x05\x06"
XML_SCAN_BYTES = 65536
# A central-directory entry is 46 bytes + name + extra + comment; this generous
# per-member allowance bounds the directory that zipfile will load into memory.
CD_BYTES_PER_MEMBER = 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")
UNSAFE_XML = (b"<!DOCTYPE", b"<!ENTITY")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class Limits:
    """Bounds applied before a file is parsed."""

    max_file_bytes: int = 50 * 2**20  # a commune workbook is ~20–200 KB
    max_unzipped_bytes: int = 200 * 2**20  # total declared uncompressed size of all members
    max_member_ratio: float = 200.0  # per-member compression ratio above which it is a bomb
    max_members: int = 2000
    stable_seconds: float = 2.0  # a file modified more recently than this may still be being copied
    ratio_floor_bytes: int = 2**20  # members declaring less than this are too small to be a bomb
    restat_seconds: float = 0.05  # one pause for the whole inbox between two looks at recent files (inbox.still_moving)
    max_grid_cells: int = 2_000_000  # dense cells (from A1 to a sheet's last cell) a reader may build: ~100 MB
    reader_memory_mb: int = 2048  # address-space ceiling of a reading worker process (RLIMIT_AS)
    reader_seconds: float = 120.0  # time one file may take in a reading worker before it is stopped


@dataclass(frozen=True)
class Verdict:
    """Outcome of check_file: an issue code of pipeline.issues (None when the file is fine) and a detail."""

    code: str | None
    detail: str
    extent: "ExtentPlan | None" = field(default=None, compare=False, repr=False)  # worksheets' real extent, when read

    @property
    def ok(self) -> bool:
        """True when the file may be parsed."""
        return self.code is None


OK = Verdict(None, "")


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def check_file(path, limits: Limits = Limits()) -> Verdict:
    """Decide from the file's content, before parsing, whether it is a readable, safe workbook."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        return Verdict("file-unreadable", f"cannot stat file: {exc.strerror or exc}")
    if not path.is_file():
        return Verdict("file-unreadable", "not a regular file")
    if st.st_size == 0:
        return Verdict("file-unreadable", "empty file (0 bytes)")
    if st.st_size > limits.max_file_bytes:
        return Verdict(
            "file-too-large",
            f"file is {_mib(st.st_size)}, limit {_mib(limits.max_file_bytes)}",
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
            if head.startswith(OLE_MAGIC):
                return _check_ole(fh)
            if head.startswith(ZIP_MAGIC):
                return _check_zip(fh, st.st_size, limits, path)
    except OSError as exc:
        return Verdict("file-unreadable", f"cannot read file: {exc.strerror or exc}")
    if head.startswith(ZIP_EMPTY_MAGIC):
        return Verdict("file-unreadable", "empty ZIP archive, not a workbook")
    if _spreadsheetml(head):
        return _check_spreadsheetml(path)
    return Verdict("file-unreadable", f"not a workbook: {_describe(head)}")


def _spreadsheetml(head: bytes) -> bool:
    from pipeline.read.spreadsheetml import sniff

    return sniff(head)


def _check_spreadsheetml(path: Path) -> Verdict:
    """An Excel 2003 XML Spreadsheet: readable unless its prolog declares a DTD or entities."""
    try:
        with path.open("rb") as fh:
            data = fh.read(XML_SCAN_BYTES)
    except OSError as exc:
        return Verdict("file-unreadable", f"cannot read file: {exc.strerror or exc}")
    problem = _unsafe_xml(data)
    if problem:
        return Verdict("file-unsafe-xml", f"{problem} in an Excel 2003 XML Spreadsheet")
    return OK


FUTURE_SLACK_SECONDS = 120  # a file time this far past the clock is dated in the future (not clock drift)


def openpyxl_is_defused() -> bool:
    """True when openpyxl parses XML with defusedxml (openpyxl.xml.DEFUSEDXML)."""
    try:
        from openpyxl import xml as openpyxl_xml
    except Exception:  # openpyxl missing or broken: nothing parses with it defused
        return False
    return bool(getattr(openpyxl_xml, "DEFUSEDXML", False))


# --------------------------------------------------------------------------- OLE2


def _check_ole(fh) -> Verdict:
    """Legacy .xls, or an OOXML package encrypted inside an OLE container."""
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile comes with msoffcrypto-tool
        olefile = None
    if olefile is not None:
        try:
            fh.seek(0)
            ole = olefile.OleFileIO(fh)
        except Exception as exc:
            return Verdict("file-unreadable", f"corrupt OLE2 compound file: {type(exc).__name__}: {exc}")
        try:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
        finally:
            ole.close()
        if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
            return Verdict("file-encrypted", "encrypted OOXML package (OLE2 EncryptionInfo stream)")
        if not ({"Workbook", "Book"} & streams):
            return Verdict(
                "file-unreadable",
                f"OLE2 compound file without a Workbook stream, not an Excel workbook ({_ole_kind(streams)})",
            )
    try:
        import msoffcrypto

        fh.seek(0)
        office = msoffcrypto.OfficeFile(fh)
        if office.is_encrypted():
            return Verdict("file-encrypted", f"encrypted legacy workbook ({type(office).__name__})")
    except Exception as exc:  # msoffcrypto refuses some valid BIFF files: fall back to xlrd
        enc = _xlrd_encrypted(fh)
        if enc:
            return Verdict("file-encrypted", enc)
        if olefile is None:
            return Verdict("file-unreadable", f"OLE2 file not recognised: {type(exc).__name__}: {exc}")
    return OK


def _xlrd_encrypted(fh) -> str:
    try:
        import xlrd

        fh.seek(0)
        book = xlrd.open_workbook(file_contents=fh.read(), on_demand=True)
        book.release_resources()
    except Exception as exc:
        if "encrypt" in str(exc).lower():
            return f"encrypted legacy workbook (xlrd: {exc})"
    return ""


def _ole_kind(streams: set[str]) -> str:
    if "WordDocument" in streams:
        return "looks like a Word .doc"
    if "PowerPoint Document" in streams:
        return "looks like a PowerPoint .ppt"
    if any(s.startswith("__substg") for s in streams) or "__properties_version1.0" in streams:
        return "looks like an Outlook .msg"
    return "streams: " + ", ".join(sorted(streams)[:5])


# --------------------------------------------------------------------------- ZIP


def _end_of_central_directory(fh, size: int) -> tuple[int, int] | str:
    """(member count, central directory size) from the EOCD record, or an error detail."""
    tail_len = min(size, 22 + 65535)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    pos = tail.rfind(ZIP_EMPTY_MAGIC)
    if pos < 0 or len(tail) - pos < 22:
        return "truncated or corrupt ZIP (no end-of-central-directory record)"
    (_, _, _, _, count, cd_size, _, _) = struct.unpack("<4s4H2LH", tail[pos : pos + 22])
    if count == 0xFFFF or cd_size == 0xFFFFFFFF:  # ZIP64: read the zip64 end record
        loc = pos - 20
        if loc < 0 or tail[loc : loc + 4] != b"PK\x06\x07":
            return "corrupt ZIP64 archive (no zip64 locator)"
        (_, _, eocd64, _) = struct.unpack("<4sLQL", tail[loc : loc + 20])
        if eocd64 + 56 > size:
            return "corrupt ZIP64 archive (zip64 record outside the file)"
        fh.seek(eocd64)
        rec = fh.read(56)
        if rec[:4] != b"PK\x06\x06":
            return "corrupt ZIP64 archive (bad zip64 end record)"
        (_, _, _, _, _, _, _, count, cd_size, _) = struct.unpack("<4sQ2H2L4Q", rec)
    return count, cd_size


def _check_zip(fh, size: int, limits: Limits, path=None) -> Verdict:
    """A ZIP package: bomb limits from the central directory, package identity, XML prologs.

    In a parse that shares the package (pipeline.read.package), its ZipFile is the shared one and the members read
    whole here are kept for the readers after (the checks are the same)."""
    eocd = _end_of_central_directory(fh, size)
    if isinstance(eocd, str):
        return Verdict("file-unreadable", eocd)
    count, cd_size = eocd
    if count > limits.max_members:
        return Verdict("file-too-large", f"{count} ZIP members, limit {limits.max_members}")
    if cd_size > max(limits.max_members, 1) * CD_BYTES_PER_MEMBER:
        return Verdict("file-too-large", f"ZIP central directory of {_mib(cd_size)} is implausibly large")
    fh.seek(0)
    pkg = package.current(path) if path is not None else None
    try:
        zf = pkg.zip() if pkg is not None else zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        return Verdict("file-unreadable", f"corrupt or truncated ZIP: {exc}")
    with contextlib.nullcontext(zf) if pkg is not None else zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            return Verdict("file-too-large", f"{len(infos)} ZIP members, limit {limits.max_members}")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size >= limits.ratio_floor_bytes:
                ratio = info.file_size / info.compress_size if info.compress_size else float("inf")
                if ratio > limits.max_member_ratio:
                    return Verdict(
                        "file-too-large",
                        f"member {info.filename!r} inflates {info.compress_size} bytes to "
                        f"{_mib(info.file_size)} (ratio {ratio:.0f}, limit {limits.max_member_ratio:.0f})",
                    )
        if total > limits.max_unzipped_bytes:
            return Verdict(
                "file-too-large",
                f"members declare {_mib(total)} uncompressed, limit {_mib(limits.max_unzipped_bytes)}",
            )
        names = {info.filename for info in infos}
        kind = _package_kind(zf, names, _normalised(names))
        if kind:
            return Verdict("file-unreadable", kind)
        if any(info.flag_bits & 0x1 for info in infos):
            return Verdict("file-encrypted", "ZIP members are password-encrypted")
        sheets: list[tuple[str, bytes]] = []
        for info in infos:
            if info.is_dir() or not info.filename.lower().endswith(XML_SUFFIXES):
                continue
            whole = info.filename.startswith("xl/worksheets/sheet")  # read whole: its cells' extent is checked below
            try:
                with zf.open(info) as member:
                    data = member.read() if whole else member.read(XML_SCAN_BYTES)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
                return Verdict("file-unreadable", f"corrupt ZIP member {info.filename!r}: {exc}")
            except NotImplementedError as exc:
                return Verdict("file-unreadable", f"ZIP member {info.filename!r}: {exc}")
            except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
                return Verdict("file-encrypted", f"ZIP member {info.filename!r}: {exc}")
            if whole or len(data) < XML_SCAN_BYTES:  # the whole member, its CRC checked at its end
                package.remember(zf, info, data)
            problem = _unsafe_xml(data[:XML_SCAN_BYTES])
            if problem:
                return Verdict("file-unsafe-xml", f"{problem} in {info.filename}")
            if whole:
                sheets.append((info.filename, data))
        if sheets:
            plan = extent_plan(zf, sheets, limits)
            if plan.too_large is not None:
                return Verdict("sheet-grid-too-large", grid_detail(plan.too_large))
            return Verdict(None, "", plan)
    return OK


def grid_detail(ext: "SheetExtent") -> str:
    """Vietnamese detail of a sheet whose kept grid is still too large."""
    return f"{ext.part}: {ext.keep_rows:,} dòng × {ext.keep_cols:,} cột".replace(",", ".")


def _normalised(names: set[str]) -> set[str]:
    """Member names as Excel matches them: '/' separated, without a leading '/', case-insensitive."""
    return {n.replace("\\", "/").lstrip("/").lower() for n in names}


def normalised_package(path):
    """The package re-zipped in memory with member names as Excel reads them ('/' separated, no leading '/'),
    or None when every name is already plain (nothing to fix) or the file is not a ZIP."""
    import io

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            fixed = [i.filename.replace("\\", "/").lstrip("/") for i in infos]
            if fixed == [i.filename for i in infos] or len(set(fixed)) != len(fixed):
                return None
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
                for info, name in zip(infos, fixed):
                    if not info.is_dir():
                        zo.writestr(name, zf.read(info))
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError):
        return None
    out.seek(0)
    return out


def _package_kind(zf: zipfile.ZipFile, names: set[str], norm: set[str] | None = None) -> str:
    """'' for a workbook package (OOXML spreadsheet or ODS), else a detail of what the zip is."""
    norm = _normalised(names) if norm is None else norm
    if "[content_types].xml" in norm and ({"xl/workbook.xml", "xl/workbook.bin"} & norm):
        return ""
    if "mimetype" in names and "content.xml" in names:
        try:
            with zf.open("mimetype") as m:
                mime = m.read(100).strip()
        except Exception:
            mime = b""
        if mime == ODS_MIMETYPE:
            return ""
        return f"ZIP is an OpenDocument file of type {mime.decode('ascii', 'replace')!r}, not a spreadsheet"
    if "[content_types].xml" in norm:
        if "word/document.xml" in norm:
            return "ZIP is a Word document (word/document.xml), not a workbook"
        if "ppt/presentation.xml" in norm:
            return "ZIP is a PowerPoint presentation (ppt/presentation.xml), not a workbook"
        return "OOXML package without xl/workbook.xml, not a workbook"
    shown = ", ".join(sorted(names)[:3]) + (", ..." if len(names) > 3 else "")
    return f"ZIP archive without [Content_Types].xml, not a workbook (members: {shown})"


_UTF16_UNSAFE = tuple(s.decode().encode(enc) for s in UNSAFE_XML for enc in ("utf-16-le", "utf-16-be"))


def _unsafe_xml(data: bytes) -> str:
    """Name the DTD/entity declaration in the first bytes of an XML part, or '' when there is none."""
    for marker in UNSAFE_XML:
        if marker in data:
            return f"{marker.decode()[2:]} declaration"
    for marker in _UTF16_UNSAFE:
        if marker in data:
            return "DTD/entity declaration (UTF-16)"
    if len(data) >= XML_SCAN_BYTES and not _root_seen(data):
        return f"XML prolog longer than {XML_SCAN_BYTES} bytes"
    return ""


_ROOT_TAG = re.compile(rb"<[A-Za-z_:]")
_ROOT_TAG_16 = re.compile(rb"<\x00[A-Za-z_:]|\x00<\x00[A-Za-z_:]")


def _root_seen(data: bytes) -> bool:
    """True when the window reaches the document's first element (the DTD can only come before it)."""
    return bool(_ROOT_TAG.search(data) or _ROOT_TAG_16.search(data))


# --------------------------------------------------------------------------- other formats

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"{\\rtf", "RTF document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x7fELF", "ELF executable"),
)
_SIGNATURES_BINARY = ((b"BM", "BMP image"), (b"MZ", "Windows executable"))  # only when not text
_BIFF_OLD = (b"\x09\x00", b"\x09\x02", b"\x09\x04", b"\x09\x08")


def _describe(head: bytes) -> str:
    """A short English description of what the first bytes of a non-workbook file look like."""
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    if head[:2] in _BIFF_OLD and len(head) >= 4 and head[2] in (4, 6, 8, 16) and head[3] == 0:
        return "bare BIFF stream without OLE2 container (Excel 2-4 worksheet)"
    text = _as_text(head)
    if text is None:
        for magic, name in _SIGNATURES_BINARY:
            if head.startswith(magic):
                return name
        return f"binary data (starts {head[:8].hex(' ')})"
    low = text.lstrip("\ufeff \t\r\n").lower()
    if low.startswith("<!doctype html") or low.startswith("<html") or "<table" in low[:512]:
        return "HTML document (a web page saved with a workbook extension)"
    if low.startswith("<?xml"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in low or "progid=\"excel.sheet\"" in low:
            return "Excel 2003 XML spreadsheet (SpreadsheetML), not supported"
        return "XML document"
    first = low.splitlines()[0] if low else ""
    if first.count(",") >= 2 or first.count(";") >= 2 or first.count("\t") >= 2:
        return "plain text / CSV"
    return "plain text"


def _as_text(head: bytes) -> str | None:
    """Decode the head as text when it looks like text, else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16", "ignore")
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multibyte char cut at the end of the window is fine
            try:
                text = head.decode("cp1252")
            except UnicodeDecodeError:
                return None
        else:
            text = head[: exc.start].decode("utf-8")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return text if controls <= len(text) // 50 else None


# --------------------------------------------------------------------------- grid extent (before any dense read)

# A cell element's opening tag with its reference (any namespace prefix, r in any attribute position).
_CELL_OPEN = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?(?<=\s)r\s*=\s*["\']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})["\'][^>]*?(/?)>')
_QUICK_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')  # a cell's reference as Excel and most writers put it
_BEYOND_SMALL = re.compile(rb'<c r="(?:[A-Z][0-9]{5}|[A-Z]{2})')  # a cell at row 10000 or below, or column AA or right
SMALL_GRID = 26 * 9999  # cells of A1:Z9999
_ANY_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c[\s/>]')
_ANY_ROW = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row[\s/>]')
_ROW_R = re.compile(rb'\sr\s*=\s*["\']([0-9]{1,7})["\']')
_WORKSHEET_TYPE = re.compile(rb'PartName\s*=\s*"([^"]+)"\s+ContentType\s*=\s*"[^"]*worksheet\+xml"|'
                             rb'ContentType\s*=\s*"[^"]*worksheet\+xml"\s+PartName\s*=\s*"([^"]+)"')
_MERGE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref\s*=\s*"\$?([A-Za-z]{1,3})\$?([0-9]{1,7}):\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"[^>]*/>')
_SI = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?si[\s>].*?</(?:[A-Za-z_][\w.-]*:)?si>|<(?:[A-Za-z_][\w.-]*:)?si\s*/>', re.S)
_TAGS = re.compile(rb'<[^>]*>')
_C_CLOSE = re.compile(rb'</(?:[A-Za-z_][\w.-]*:)?c>')
_FORMULA = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?f[\s>/]')
_SHARED_TYPE = re.compile(rb'\st\s*=\s*["\']s["\']')
FAR_GAP = 1000  # a run of more than this many empty rows (or columns) ends the sheet's table area
FAR_SHOWN = 5  # far cells named in the issue


@dataclass
class SheetExtent:
    """The cells one worksheet part really holds: the dense grid a reader would build, and what lies far from the table."""

    part: str
    rows: int  # dense grid height from A1 (last cell's row + 1)
    cols: int  # dense grid width from A1
    keep_rows: int = 0  # the table area kept when far cells are dropped
    keep_cols: int = 0
    far: list[tuple[int, int]] = field(default_factory=list)  # 0-based (row, col) of cells outside the kept area
    far_blank: bool = True  # every far cell is empty or whitespace

    @property
    def cells(self) -> int:
        """Cells of the dense grid from A1 to the last cell."""
        return self.rows * self.cols


@dataclass
class ExtentPlan:
    """What check_extent found in a package: sheets to trim (far cells dropped) or one sheet too large to read."""

    trim: list[SheetExtent] = field(default_factory=list)
    too_large: SheetExtent | None = None

    @property
    def ok(self) -> bool:
        """True when every sheet can be read as it is."""
        return not self.trim and self.too_large is None


def _worksheet_parts(zf: zipfile.ZipFile) -> list[str]:
    """Worksheet parts named by [Content_Types].xml, else the members under a worksheets/ folder."""
    names = set(zf.namelist())
    parts = sorted(n for n in names if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
    if parts:
        return parts
    if "[Content_Types].xml" in names:
        ct = zf.read("[Content_Types].xml")
        for m in _WORKSHEET_TYPE.finditer(ct):
            name = (m.group(1) or m.group(2)).decode("utf-8", "replace").lstrip("/")
            if name in names:
                parts.append(name)
    if not parts:
        parts = sorted(n for n in names if "worksheets/" in n and n.lower().endswith(".xml"))
    return parts


def _cell_positions(xml: bytes) -> list[tuple[int, int, int]]:
    """(row, col, tag end) of every cell, 0-based; cells without an r attribute are placed as readers place them."""
    cells = [(int(m.group(2)) - 1, column_index(m.group(1)), m.end()) for m in _CELL_OPEN.finditer(xml)]
    if len(cells) == len(_ANY_CELL.findall(xml)):
        return cells
    out: list[tuple[int, int, int]] = []  # some cell has no reference: walk rows and cells in order
    row, col = -1, -1
    tokens = sorted([(m.start(), "row", m) for m in _ANY_ROW.finditer(xml)] + [(m.start(), "c", m) for m in _ANY_CELL.finditer(xml)],
                    key=lambda t: t[0])
    for pos, kind, m in tokens:
        tag = xml[pos:xml.find(b">", pos) + 1]
        if kind == "row":
            r = _ROW_R.search(tag)
            row, col = (int(r.group(1)) - 1) if r else row + 1, -1
            continue
        ref = _CELL_OPEN.match(xml, pos)
        if ref:
            row, col = int(ref.group(2)) - 1, column_index(ref.group(1))
        else:
            row, col = max(row, 0), col + 1
        out.append((row, col, pos + len(tag)))
    return out


def _quick_fits(xml: bytes, limits: Limits) -> bool:
    """True when every cell carries a plain reference and the grid they span fits the limit (the common case)."""
    n_cells = xml.count(b"<c ") + xml.count(b"<c>")
    if xml.count(b'<c r="') == n_cells and limits.max_grid_cells >= SMALL_GRID and not _BEYOND_SMALL.search(xml):
        return True  # every cell within A1:Z9999
    refs = _QUICK_REF.findall(xml)
    if len(refs) != n_cells or (not refs and b":c " in xml):
        return False
    if not refs:
        return True
    cols, rows = zip(*refs)
    width = max(map(len, cols))
    top = max(cols) if width == 1 else max(c for c in cols if len(c) == width)
    return max(map(int, rows)) * (column_index(top) + 1) <= limits.max_grid_cells


def _first_run(values: list[int], gap: int) -> int:
    """The last value of the first run of sorted `values` (a run ends where the next value is more than `gap` further)."""
    end = values[0]
    for v in values[1:]:
        if v - end > gap:
            break
        end = v
    return end


def _cell_body(xml: bytes, tag_end: int) -> tuple[bytes, int]:
    """The content of a cell element whose opening tag ends at tag_end, and where the element ends."""
    if xml[tag_end - 2:tag_end] == b"/>":
        return b"", tag_end
    m = _C_CLOSE.search(xml, tag_end)
    return (xml[tag_end:m.start()], m.end()) if m else (b"", tag_end)


def _is_blank_cell(xml: bytes, tag_end: int, shared: list[bytes] | None) -> bool:
    """True when a cell element holds nothing, or only whitespace text (a formula is never blank)."""
    body, _ = _cell_body(xml, tag_end)
    if _FORMULA.search(body):
        return False
    text = _TAGS.sub(b"", body).strip()
    head = xml[xml.rfind(b"<", 0, tag_end):tag_end]
    if text and shared is not None and _SHARED_TYPE.search(head):
        try:
            return not _TAGS.sub(b"", shared[int(text)]).strip()
        except (ValueError, IndexError):
            return False
    return not text


def _shared_strings(zf: zipfile.ZipFile) -> list[bytes] | None:
    name = next((n for n in zf.namelist() if n.lower().endswith("sharedstrings.xml")), None)
    return [m.group(0) for m in _SI.finditer(zf.read(name))] if name else None


def check_extent(path, limits: Limits = Limits()) -> ExtentPlan:
    """Find, from the cell references in each worksheet's XML (never its <dimension>), the grid a reader would build.

    A sheet whose grid from A1 to its last cell exceeds `limits.max_grid_cells` is cut after the first run of its
    rows (and columns) that more than FAR_GAP empty rows (columns) end: the cells beyond are far from the table.
    If the kept area is still too large, the sheet is reported as too large to read.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            return extent_plan(zf, ((part, zf.read(part)) for part in _worksheet_parts(zf)), limits)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):
        return ExtentPlan()  # the reader reports what is wrong with the package


def extent_plan(zf: zipfile.ZipFile, sheets, limits: Limits) -> ExtentPlan:
    """The ExtentPlan of (part name, XML) worksheet parts of the open package zf."""
    plan = ExtentPlan()
    shared: list[bytes] | None | bool = False
    for part, xml in sheets:
        if _quick_fits(xml, limits):
            continue
        cells = _cell_positions(xml)
        if not cells:
            continue
        ext = SheetExtent(part, max(r for r, _, _ in cells) + 1, max(c for _, c, _ in cells) + 1)
        if ext.cells <= limits.max_grid_cells:
            continue
        last_row = _first_run(sorted({r for r, _, _ in cells}), FAR_GAP)
        last_col = _first_run(sorted({c for r, c, _ in cells if r <= last_row}), FAR_GAP)
        ext.keep_rows, ext.keep_cols = last_row + 1, last_col + 1
        if ext.keep_rows * ext.keep_cols > limits.max_grid_cells:
            plan.too_large = ext
            return plan
        far = [(r, c, end) for r, c, end in cells if r > last_row or c > last_col]
        if shared is False:
            shared = _shared_strings(zf)
        ext.far = [(r, c) for r, c, _ in far]
        ext.far_blank = all(_is_blank_cell(xml, end, shared) for _, _, end in far)
        plan.trim.append(ext)
    return plan


def trimmed_package(path, plan: ExtentPlan) -> bytes:
    """The package with the far cells (and merges reaching past the kept area) of plan.trim's sheets removed."""
    import io

    parts = {e.part: e for e in plan.trim}
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info)
            ext = parts.get(info.filename)
            if ext is not None:
                data = _drop_far(data, ext)
            dst.writestr(info.filename, data)
    return out.getvalue()


def _drop_far(xml: bytes, ext: SheetExtent) -> bytes:
    """Remove the cell elements outside ext's kept area and clip merged ranges to it."""
    far = set(ext.far)
    pieces: list[bytes] = []
    pos = 0
    for r, c, end in _cell_positions(xml):
        if (r, c) not in far:
            continue
        start = xml.rfind(b"<", 0, end)
        _, end = _cell_body(xml, end)
        pieces.append(xml[pos:start])
        pos = end
    pieces.append(xml[pos:])
    xml = b"".join(pieces)

    def clip(m: re.Match) -> bytes:
        r0, c0 = int(m.group(2)) - 1, column_index(m.group(1))
        r1, c1 = int(m.group(4)) - 1, column_index(m.group(3))
        if r0 >= ext.keep_rows or c0 >= ext.keep_cols:
            return b""
        r1, c1 = min(r1, ext.keep_rows - 1), min(c1, ext.keep_cols - 1)
        return f'<mergeCell ref="{cell_ref(r0, c0)}:{cell_ref(r1, c1)}"/>'.encode()
    return _MERGE.sub(clip, xml)


def far_cells_detail(ext: SheetExtent) -> str:
    """Vietnamese detail naming the first far cells of a sheet."""
    shown = ", ".join(cell_ref(r, c) for r, c in sorted(ext.far)[:FAR_SHOWN]) + (", …" if len(ext.far) > FAR_SHOWN else "")
    return shown


# --------------------------------------------------------------------------- the reasons in Vietnamese

# What check_file's English details (kept for developers and tests) say, in the words the officer and communes read.
# Longest phrases first; anything not listed (a library's own exception text) stays as it is.
_VN_PHRASES: tuple[tuple[str, str], ...] = (
    (r"^not a workbook: ", "không phải bảng tính Excel, mà là "),
    (r", not a workbook\b", ", không phải bảng tính Excel"),
    (r"\bnot a workbook\b", "không phải bảng tính Excel"),
    (r", not a spreadsheet\b", ", không phải bảng tính"),
    (r", not an Excel workbook\b", ", không phải bảng tính Excel"),
    (r", not supported\b", ", không được hỗ trợ"),
    (r"\bPDF document\b", "tệp PDF"),
    (r"\bRTF document\b", "tệp RTF (Word)"),
    (r"\bHTML document \(a web page saved with a workbook extension\)", "trang web HTML được lưu với đuôi bảng tính"),
    (r"\bHTML document\b", "trang web HTML"),
    (r"\bXML document\b", "tệp XML"),
    (r"\bplain text / CSV\b", "tệp văn bản / CSV"),
    (r"\bplain text\b", "tệp văn bản"),
    (r"\bbinary data \(starts ", "dữ liệu nhị phân (bắt đầu bằng "),
    (r"\b(PNG|JPEG|GIF|TIFF|BMP) image\b", r"ảnh \1"),
    (r"\b(gzip|7-Zip|RAR|bzip2|xz) archive\b", r"tệp nén \1"),
    (r"\bELF executable\b", "chương trình chạy (ELF)"),
    (r"\bWindows executable\b", "chương trình chạy Windows"),
    (r"\bbare BIFF stream without OLE2 container \(Excel 2-4 worksheet\)", "bảng tính Excel 2-4 rất cũ, không đọc được"),
    (r"\bExcel 2003 XML spreadsheet \(SpreadsheetML\)", "bảng tính Excel 2003 dạng XML"),
    (r"\bempty file \(0 bytes\)", "tệp rỗng (0 byte)"),
    (r"\bnot a regular file\b", "không phải tệp thông thường"),
    (r"\bcannot stat file: ", "không xem được thông tin tệp: "),
    (r"\bcannot read file: ", "không đọc được tệp: "),
    (r"\bempty ZIP archive\b", "tệp nén ZIP rỗng"),
    (r"\btruncated or corrupt ZIP \(no end-of-central-directory record\)", "tệp ZIP bị cắt cụt hoặc hỏng (chép chưa hết?)"),
    (r"\bcorrupt or truncated ZIP: ", "tệp ZIP hỏng hoặc bị cắt cụt: "),
    (r"\bcorrupt ZIP64 archive\b", "tệp ZIP64 bị hỏng"),
    (r"\bcorrupt ZIP member\b", "thành phần ZIP bị hỏng"),
    (r"\bZIP member\b", "thành phần ZIP"),
    (r"\bZIP is a Word document \(word/document.xml\)", "tệp là văn bản Word (.docx)"),
    (r"\bZIP is a PowerPoint presentation \(ppt/presentation.xml\)", "tệp là bài trình chiếu PowerPoint (.pptx)"),
    (r"\bZIP is an OpenDocument file of type\b", "tệp OpenDocument loại"),
    (r"\bOOXML package without xl/workbook.xml\b", "gói Office không có xl/workbook.xml"),
    (r"\bZIP archive without \[Content_Types\].xml\b", "tệp ZIP không có [Content_Types].xml"),
    (r"\(members: ", "(gồm: "),
    (r"\bZIP members, limit\b", "thành phần ZIP, giới hạn"),
    (r"\bZIP central directory of (.+) is implausibly large", r"danh mục ZIP \1 lớn bất thường"),
    (r"\bmembers declare (.+) uncompressed, limit\b", r"các thành phần khai \1 khi giải nén, giới hạn"),
    (r"\bmember '([^']*)' inflates (\d+) bytes to\b", r"thành phần '\1' giải nén từ \2 byte thành"),
    (r"\(ratio (\d+), limit (\d+)\)", r"(tỷ lệ \1, giới hạn \2)"),
    (r"^file is (.+), limit\b", r"tệp nặng \1, giới hạn"),
    (r"\bencrypted legacy workbook\b", "bảng tính cũ được đặt mật khẩu"),
    (r"\bcorrupt OLE2 compound file\b", "tệp Office cũ (OLE2) bị hỏng"),
    (r"\bOLE2 compound file without a Workbook stream\b", "tệp Office cũ (OLE2) không chứa bảng tính"),
    (r"\bOLE2 file not recognised\b", "tệp Office cũ (OLE2) không nhận ra được"),
    (r"\blooks like a Word .doc\b", "có vẻ là văn bản Word .doc"),
    (r"\blooks like a PowerPoint .ppt\b", "có vẻ là bài trình chiếu PowerPoint .ppt"),
    (r"\blooks like an Outlook .msg\b", "có vẻ là thư Outlook .msg"),
    (r"\bstreams: ", "gồm: "),
    (r"\bin an Excel 2003 XML Spreadsheet\b", "trong bảng tính Excel 2003 dạng XML"),
    (r"\bDTD/entity declaration\b", "khai báo DTD/thực thể"),
    (r"\bXML prolog longer than (\d+) bytes", r"phần mở đầu XML dài hơn \1 byte"),
    (r"\b(DOCTYPE|ENTITY) declaration\b", r"khai báo \1"),
    (r"\bin (\S+\.xml)\b", r"trong \1"),
)
_VN_COMPILED = tuple((re.compile(p), r) for p, r in _VN_PHRASES)


def vietnamese_detail(detail: str) -> str:
    """Render a check_file / read detail (English, for developers) in Vietnamese for the issue message the office reads."""
    for pattern, repl in _VN_COMPILED:
        detail = pattern.sub(repl, detail)
    return detail
