"""What Excel shows of a sheet beyond its stored values: hidden rows and columns, percent and date number
formats (python-calamine gives neither). .xlsx/.xlsm: read_views; legacy .xls: read_xls_views; .ods: read_ods_views.

.xlsx: styles.xml tells whether any cell style (cellXfs) uses a percent or date format; a sheet's XML is
searched only when it says `hidden=` somewhere or when such a style exists, so an ordinary workbook pays one
zip open and a byte search per sheet. .xls: a byte search of the BIFF stream decides whether xlrd reads the
formatting. .ods: content.xml is walked only when it holds a percentage cell or a collapsed row/column.
"""

from __future__ import annotations

import contextlib
import html
import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.read import package

# Built-in number formats (ECMA-376 §18.8.30): 9, 10 are percent; 14-22, 45-47 dates and times; 27-36 and
# 50-58 are the East Asian locale date formats Excel also maps to dates.
_BUILTIN_PERCENT = {9, 10}
_BUILTIN_DATE = set(range(14, 23)) | {45, 46, 47} | set(range(27, 37)) | set(range(50, 59))

_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|col)\b([^>]*)>")
_ATTR = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_HIDDEN = re.compile(rb"\bhidden\s*=\s*[\"'](?:1|true)[\"']")
_REF = re.compile(rb"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@dataclass
class SheetView:
    """The display facts of one sheet, 0-based: hidden rows, hidden columns, cells with a percent/date format."""

    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "percent" | "date"


def format_kind(code: str) -> str | None:
    """Classify a number-format code: "percent", "date" (dates and times) or None."""
    s = re.sub(r'"[^"]*"|\\.|_.|\*.', "", code)  # quoted text, escaped chars, padding and fill chars
    s = re.sub(r"\[[^\]]*\]", "", s)  # colours, conditions, locales
    if "%" in s:
        return "percent"
    s = s.lower().replace("general", "")
    if re.search(r"[dmyhs]", s) and not re.fullmatch(r"[#0.,\s;e+\-()]*", s):
        return "date"
    return None


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    out: dict[bytes, bytes] = {}
    for m in _ATTR.finditer(raw):
        key = m.group(1).split(b":")[-1]
        out[key] = m.group(2) if m.group(2) is not None else m.group(3)
    return out


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n - 1


def _part(base: str, target: str) -> str:
    """Resolve a relationship target against the folder of its source part."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Map relationship id -> (type tail, resolved target) of a part."""
    name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    try:
        xml = z.read(name)
    except KeyError:
        return {}
    out = {}
    for m in re.finditer(rb"<(?:\w+:)?Relationship\b([^>]*)>", xml):
        a = _attrs(m.group(1))
        if b"Id" in a and b"Target" in a:
            kind = a.get(b"Type", b"").decode("utf-8", "replace").rsplit("/", 1)[-1]
            out[a[b"Id"].decode("utf-8", "replace")] = (kind, _part(part, html.unescape(a[b"Target"].decode("utf-8", "replace"))))
    return out


def _styled_xfs(xml: bytes) -> dict[int, str]:
    """Map cellXfs index -> "percent" | "date" for the cell styles that use such a number format."""
    custom: dict[int, str] = {}
    for m in re.finditer(rb"<(?:\w+:)?numFmt\b([^>]*)>", xml):
        a = _attrs(m.group(1))
        try:
            fid = int(a.get(b"numFmtId", b""))
        except ValueError:
            continue
        kind = format_kind(html.unescape(a.get(b"formatCode", b"").decode("utf-8", "replace")))
        if kind:
            custom[fid] = kind
    block = re.search(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", xml, re.S)
    if block is None:
        return {}
    out: dict[int, str] = {}
    for i, m in enumerate(re.finditer(rb"<(?:\w+:)?xf\b([^>]*)>", block.group(1))):
        try:
            fid = int(_attrs(m.group(1)).get(b"numFmtId", b"0"))
        except ValueError:
            continue
        kind = custom.get(fid) or ("percent" if fid in _BUILTIN_PERCENT else "date" if fid in _BUILTIN_DATE else None)
        if kind:
            out[i] = kind
    return out


_CELL_AT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?(\d+)[\"']")
_TAG_AT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|col)\s([^>]*)>")


def _scan(xml: bytes, styled: dict[int, str]) -> SheetView:
    """Find hidden rows/columns and styled cells by searching for the few attributes that matter, when the sheet
    is written the usual way (every <c r="…">); otherwise walk every tag and count positions."""
    if b"<c>" in xml or xml.count(b"<c ") != xml.count(b'<c r="') or b":c " in xml:
        return _walk(xml, styled)
    view = SheetView()
    i = xml.find(b"hidden")
    while i >= 0:
        tag = _TAG_AT.match(xml, xml.rfind(b"<", 0, i))
        if tag and tag.end() > i:
            a = _attrs(tag.group(2))
            if a.get(b"hidden") in (b"1", b"true"):
                try:
                    if tag.group(1) == b"row":
                        view.hidden_rows.add(int(a[b"r"]) - 1)
                    else:
                        lo, hi = int(a[b"min"]) - 1, int(a[b"max"]) - 1
                        view.hidden_cols.update(range(lo, min(hi, lo + 16384) + 1))
                except (KeyError, ValueError):
                    return _walk(xml, styled)  # a hidden row without its number: count the rows
        i = xml.find(b"hidden", i + 6)
    if styled:
        ids = b"|".join(str(i).encode() for i in sorted(styled))
        cols: dict[bytes, int] = {}
        for m in re.finditer(rb" s=\"(" + ids + rb")\"", xml):  # a literal prefix keeps the search in C
            cell = _CELL_AT.match(xml, xml.rfind(b"<", 0, m.start()))
            if cell is None:
                continue
            letters = cell.group(1)
            col = cols.get(letters)
            if col is None:
                col = cols[letters] = _col_index(letters)
            view.formats[(int(cell.group(2)) - 1, col)] = styled[int(m.group(1))]
    return view


def _walk(xml: bytes, styled: dict[int, str]) -> SheetView:
    """Walk the row/col/cell tags of a sheet, tracking positions where r= is omitted."""
    view = SheetView()
    row = -1
    col = -1
    for m in _TAG.finditer(xml):
        tag, raw = m.group(1), m.group(2)
        if tag == b"c":
            col += 1
            if styled and b"s=" in raw or b"r=" in raw:
                a = _attrs(raw)
                ref = _REF.match(a.get(b"r", b""))
                if ref:
                    col = _col_index(ref.group(1))
                    row = int(ref.group(2)) - 1
                if styled:
                    try:
                        kind = styled.get(int(a.get(b"s", b"0")))
                    except ValueError:
                        kind = None
                    if kind:
                        view.formats[(row, col)] = kind
        elif tag == b"row":
            row += 1
            col = -1
            a = _attrs(raw)
            try:
                row = int(a.get(b"r", b"")) - 1
            except ValueError:
                pass
            if a.get(b"hidden") in (b"1", b"true"):
                view.hidden_rows.add(row)
        else:  # <col min max hidden>
            a = _attrs(raw)
            if a.get(b"hidden") in (b"1", b"true"):
                try:
                    lo, hi = int(a[b"min"]) - 1, int(a[b"max"]) - 1
                except (KeyError, ValueError):
                    continue
                view.hidden_cols.update(range(lo, min(hi, lo + 16384) + 1))
    return view


_STYLED_QUICK = re.compile(rb'<(?:\w+:)?numFmt\b|numFmtId\s*=\s*["\'](?:9|10|1[4-9]|2[0-2]|2[7-9]|3[0-6]|4[5-7]|5[0-8])["\']')


def _sheet_parts(z: zipfile.ZipFile, names) -> dict[str, str]:
    """Map worksheet part -> sheet name (workbook.xml order, through the workbook's relationships)."""
    book = "xl/workbook.xml"
    if book not in names:
        book = next((t for k, t in _rels(z, "").values() if k == "officeDocument"), book)
        if book not in names:
            return {}
    rels = _rels(z, book)
    out: dict[str, str] = {}
    for m in re.finditer(rb"<(?:\w+:)?sheet\b([^>]*)>", z.read(book)):
        a = _attrs(m.group(1))
        target = rels.get(a.get(b"id", b"").decode("utf-8", "replace"))
        if target is not None:
            out[target[1]] = html.unescape(a.get(b"name", b"").decode("utf-8", "replace"))
    return out


def read_views(path: Path) -> dict[str, SheetView]:
    """Return {sheet name as in workbook.xml: SheetView} for the sheets that have something to show; {} otherwise.

    Ordinary workbooks pay a zip open, a byte search of styles.xml and of each worksheet part."""
    try:
        pkg = package.current(path)  # in a parse: the package the safety check opened, its members read once
        if pkg is not None:
            z = pkg.zip()
            data = pkg.data
        else:
            data = Path(path).read_bytes()
            z = zipfile.ZipFile(io.BytesIO(data))
        with contextlib.nullcontext(z) if pkg is not None else z:
            names = z.NameToInfo

            def read(name: str) -> bytes:
                """Inflate a member straight from the bytes (about half the cost of ZipFile.read), else ZipFile.read."""
                done = package.cached(z, name)
                if done is not None:
                    return done
                info = names[name]
                h = info.header_offset
                if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) and not info.flag_bits & 1 \
                        and data[h:h + 4] == b"PK\x03\x04":
                    n, e = struct.unpack_from("<HH", data, h + 26)
                    raw = data[h + 30 + n + e:h + 30 + n + e + info.compress_size]
                    try:
                        return zlib.decompress(raw, -15) if info.compress_type == zipfile.ZIP_DEFLATED else raw
                    except zlib.error:
                        pass
                return z.read(name)

            styles = "xl/styles.xml"
            if styles not in names:
                styles = next((n for n in names if n.lower().endswith("styles.xml")), "")
            xml = read(styles) if styles else b""
            styled = _styled_xfs(xml) if _STYLED_QUICK.search(xml) else {}
            parts = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            mapping: dict[str, str] | None = None
            if not parts:  # an unusual package layout: find the sheets through the relationships
                mapping = _sheet_parts(z, names)
                parts = [n for n in mapping if n in names]
            out: dict[str, SheetView] = {}
            for part in parts:
                xml = read(part)
                need_hidden = b"hidden" in xml and _HIDDEN.search(xml) is not None
                if not need_hidden and not (styled and b" s=" in xml):
                    continue
                view = _scan(xml, styled)
                if not (view.hidden_rows or view.hidden_cols or view.formats):
                    continue
                if mapping is None:
                    mapping = _sheet_parts(z, names)
                if part in mapping:
                    out[mapping[part]] = view
            return out
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return {}


# Legacy .xls (BIFF8): a byte search of the Workbook stream finds the records that can matter (ROW with the
# hidden flag, COLINFO hidden, XF records using a percent format); only then xlrd reads the formatting.
def _byte_class(test) -> bytes:
    return b"[" + b"".join(re.escape(bytes([b])) for b in range(256) if test(b)) + b"]"


# record header (type, length) then the field holding the flag, so one C-level search per kind of record
_HIDDEN_ROW = re.compile(rb"\x08\x02\x10\x00.{12}" + _byte_class(lambda b: b & 0x20), re.S)  # ROW grbit fDyZero
_HIDDEN_COL = re.compile(rb"\x7d\x00\x0c\x00.{8}" + _byte_class(lambda b: b & 0x01), re.S)  # COLINFO fHidden
_FORMAT = re.compile(rb"\x1e\x04(..)(..)", re.S)  # FORMAT: length, format id, then the format string


def _xf_using(ids: set[int]) -> re.Pattern:
    """XF records (BIFF8, 20 bytes) whose number format id is one of ids."""
    alts = b"|".join(re.escape(i.to_bytes(2, "little")) for i in sorted(ids))
    return re.compile(rb"\xe0\x00\x14\x00..(?:" + alts + rb")", re.S)


_XF_BUILTIN_PERCENT = _xf_using(_BUILTIN_PERCENT)


class _Quiet:
    def write(self, _text: str) -> None:
        pass


def _biff_may_need_views(stream: bytes) -> bool:
    """Cheap pre-check of a BIFF8 Workbook stream: a hidden row or column, or a percent cell format.

    A false alarm only costs the xlrd read; a miss leaves the cells as calamine gives them."""
    if _HIDDEN_ROW.search(stream) or _HIDDEN_COL.search(stream) or _XF_BUILTIN_PERCENT.search(stream):
        return True
    custom = set()
    for m in _FORMAT.finditer(stream):
        size = int.from_bytes(m.group(1), "little")
        if b"%" in stream[m.end():m.start() + 4 + size]:
            custom.add(int.from_bytes(m.group(2), "little"))
    return bool(custom) and _xf_using(custom).search(stream) is not None


def read_xls_views(path: Path) -> dict[str, SheetView]:
    """Hidden rows/columns and percent-formatted number cells of a legacy .xls, by sheet name; {} when none."""
    try:
        import xlrd
        from xlrd import compdoc

        data = Path(path).read_bytes()
        if data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            return {}
        doc = compdoc.CompDoc(data, logfile=_Quiet())
        stream = doc.get_named_stream("Workbook") or doc.get_named_stream("Book")
        if not stream or not _biff_may_need_views(stream):
            return {}
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, logfile=_Quiet())
    except Exception:  # xlrd cannot read every .xls calamine can: then the cells are read as calamine gives them
        return {}
    try:
        kinds = {key: format_kind(fmt.format_str or "") for key, fmt in book.format_map.items()}
        percent_xf = {i for i, xf in enumerate(book.xf_list) if kinds.get(xf.format_key) == "percent"}
        out: dict[str, SheetView] = {}
        for index, name in enumerate(book.sheet_names()):
            sh = book.sheet_by_index(index)
            view = SheetView(
                hidden_rows={r for r, info in sh.rowinfo_map.items() if info.hidden},
                hidden_cols={c for c, info in sh.colinfo_map.items() if info.hidden},
            )
            if percent_xf:
                for r in range(sh.nrows):
                    for c, ctype in enumerate(sh.row_types(r)):
                        if ctype == xlrd.XL_CELL_NUMBER and sh.cell_xf_index(r, c) in percent_xf:
                            view.formats[(r, c)] = "percent"
            if view.hidden_rows or view.hidden_cols or view.formats:
                out[name] = view
            book.unload_sheet(index)
        return out
    except Exception:
        return {}
    finally:
        book.release_resources()


# OpenDocument (.ods): percent cells say office:value-type="percentage" (calamine hands back the fraction);
# hidden rows and columns say table:visibility="collapse" (or "filter"). content.xml is walked only when it
# holds either, counting repeated rows and cells.
_ODS_TAG = re.compile(rb"<(/?)table:(table|table-row|table-column|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>")
_ODS_MAX = 1 << 16  # a repeat count beyond this (LibreOffice pads sheets to 1 048 576 rows) is the empty tail


def _ods_int(a: dict[bytes, bytes], key: bytes) -> int:
    try:
        return max(1, int(a.get(key, b"1")))
    except ValueError:
        return 1


def read_ods_views(path: Path) -> dict[str, SheetView]:
    """Hidden rows/columns and percentage cells of an OpenDocument spreadsheet, by sheet name; {} when none."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("content.xml")
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return {}
    if b'value-type="percentage"' not in xml and b'visibility="collapse"' not in xml and b'visibility="filter"' not in xml:
        return {}
    out: dict[str, SheetView] = {}
    view: SheetView | None = None
    name = ""
    row = col = ncol = 0
    row_span = 1
    for m in _ODS_TAG.finditer(xml):
        closing, tag, raw, empty = m.groups()
        if tag == b"table":
            if closing:
                if view and (view.hidden_rows or view.hidden_cols or view.formats):
                    out[name] = view
                view = None
            else:
                view, row, ncol = SheetView(), 0, 0
                name = html.unescape(_attrs(raw).get(b"name", b"").decode("utf-8", "replace"))
            continue
        if view is None or closing:
            if closing and tag == b"table-row" and view is not None:
                row += row_span
            continue
        a = _attrs(raw)
        if tag == b"table-column":
            n = min(_ods_int(a, b"number-columns-repeated"), 16384)
            if a.get(b"visibility") in (b"collapse", b"filter"):
                view.hidden_cols.update(range(ncol, ncol + n))
            ncol += n
        elif tag == b"table-row":
            row_span = min(_ods_int(a, b"number-rows-repeated"), _ODS_MAX)
            col = 0
            if a.get(b"visibility") in (b"collapse", b"filter"):
                view.hidden_rows.update(range(row, row + row_span))
            if empty:
                row += row_span
        else:  # a cell or a covered cell
            n = min(_ods_int(a, b"number-columns-repeated"), 16384)
            if a.get(b"value-type") == b"percentage":
                for c in range(col, col + n):
                    view.formats[(row, c)] = "percent"
            col += n
    return out
