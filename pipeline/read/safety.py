"""Pre-parse safety checks: refuse hostile or broken files quickly, in bounded memory and time.

`check_file` looks at the bytes (not the extension) before any parser sees the file:
OLE2 compound files (legacy .xls, or an encrypted OOXML package), ZIP packages
(.xlsx/.xlsm/.xlsb/.ods) checked from the central directory alone (zip bombs) and by
the prolog of their XML parts (DTD/entity declarations), and anything else is refused
with a detail naming what it looks like.
"""

from __future__ import annotations

import os
import re
import struct
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

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
    restat_seconds: float = 0.05  # pause between the two stats of is_stable


@dataclass(frozen=True)
class Verdict:
    """Outcome of check_file: an issue code of pipeline.issues (None when the file is fine) and a detail."""

    code: str | None
    detail: str

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
                return _check_zip(fh, st.st_size, limits)
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


def is_stable(path, limits: Limits = Limits(), now: float | None = None) -> bool:
    """True when the file's size and mtime do not change over a short re-stat and mtime is older than stable_seconds."""
    try:
        first = os.stat(path)
        if limits.restat_seconds > 0:
            time.sleep(limits.restat_seconds)
        second = os.stat(path)
    except OSError:
        return False
    if (first.st_size, first.st_mtime_ns) != (second.st_size, second.st_mtime_ns):
        return False
    now = time.time() if now is None else now
    return now - second.st_mtime >= limits.stable_seconds


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


def _check_zip(fh, size: int, limits: Limits) -> Verdict:
    """A ZIP package: bomb limits from the central directory, package identity, XML prologs."""
    eocd = _end_of_central_directory(fh, size)
    if isinstance(eocd, str):
        return Verdict("file-unreadable", eocd)
    count, cd_size = eocd
    if count > limits.max_members:
        return Verdict("file-too-large", f"{count} ZIP members, limit {limits.max_members}")
    if cd_size > max(limits.max_members, 1) * CD_BYTES_PER_MEMBER:
        return Verdict("file-too-large", f"ZIP central directory of {_mib(cd_size)} is implausibly large")
    fh.seek(0)
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        return Verdict("file-unreadable", f"corrupt or truncated ZIP: {exc}")
    with zf:
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
        for info in infos:
            if info.is_dir() or not info.filename.lower().endswith(XML_SUFFIXES):
                continue
            try:
                with zf.open(info) as member:
                    data = member.read(XML_SCAN_BYTES)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
                return Verdict("file-unreadable", f"corrupt ZIP member {info.filename!r}: {exc}")
            except NotImplementedError as exc:
                return Verdict("file-unreadable", f"ZIP member {info.filename!r}: {exc}")
            except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
                return Verdict("file-encrypted", f"ZIP member {info.filename!r}: {exc}")
            problem = _unsafe_xml(data)
            if problem:
                return Verdict("file-unsafe-xml", f"{problem} in {info.filename}")
    return OK


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
