"""Excel 2003 XML Spreadsheet (SpreadsheetML) documents, saved as .xml or under an .xls name by many web systems.

`<?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">`
with `<Worksheet ss:Name>` / `<Table>` / `<Row ss:Index ss:Hidden>` / `<Cell ss:Index ss:MergeAcross ss:MergeDown
ss:Formula><Data ss:Type>`. Read with defusedxml (no DTD, no entity expansion) into the same grids calamine gives:
0-based dense rows of values (float, str, bool, datetime), merged ranges (r0, c0, r1, c1). Hidden worksheets
(`<WorksheetOptions><Visible>SheetHidden`) are skipped like Excel shows them; hidden rows and columns are reported
on the parsed sheet (`hidden_rows`, `hidden_cols`). A formula cell without a stored `<Data>` becomes UncachedFormula
(its R1C1 text) and is listed in `formulas` with its A1 translation, for pipeline.read.recalc to compute.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.read.basics import WorkbookError, column_letters
from pipeline.vn.numbers import UncachedFormula

EXTENSIONS = {".xml", ".xls"}
NS = "urn:schemas-microsoft-com:office:spreadsheet"
SNIFF_BYTES = 4096
MAX_CELLS = 5_000_000  # dense grid bound (rows x columns) before whitespace-only cells are dropped
MAX_ROWS, MAX_COLS = 1_048_576, 16_384
RESAVE = "hãy mở tệp bằng Excel rồi lưu lại dưới dạng .xlsx (Excel Workbook)"
FORMAT = "Excel 2003 XML Spreadsheet (SpreadsheetML)"


SpreadsheetMLError = WorkbookError  # a SpreadsheetML document that cannot be read: an issue code and a detail


@dataclass
class ParsedSheet:
    """One visible worksheet of the document."""

    name: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    formulas: list[tuple[int, int, str]] = field(default_factory=list)  # (r, c, A1 formula) of cells without a result


def sniff(head: bytes) -> bool:
    """True when the first bytes of a file are an XML document in the SpreadsheetML namespace or with Excel's progid."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "ignore")
    else:
        text = head.decode("utf-8", "ignore")
    text = text.lstrip("\ufeff \t\r\n")
    if not text.startswith("<"):
        return False
    low = text.lower()
    if "<html" in low[:200] or "<!doctype html" in low[:200]:
        return False
    return NS in low or re.search(r"progid\s*=\s*[\"']excel\.sheet[\"']", low) is not None


def is_spreadsheetml(path: Path) -> bool:
    """Read the first bytes of a file and tell whether it is a SpreadsheetML document."""
    try:
        with open(path, "rb") as fh:
            return sniff(fh.read(SNIFF_BYTES))
    except OSError:
        return False


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el, name: str) -> str | None:
    v = el.get(f"{{{NS}}}{name}")
    if v is None:
        v = el.get(name)
    return v


def _int(el, name: str, default: int = 0) -> int:
    v = _attr(el, name)
    try:
        return int(v) if v is not None else default
    except ValueError:
        raise SpreadsheetMLError("file-unreadable", f"{FORMAT}: thuộc tính ss:{name}=\"{v}\" không hợp lệ; {RESAVE}") from None


def _value(data, cell_type: str | None) -> object:
    text = "".join(data.itertext()) if data is not None else ""
    if cell_type == "Number":
        try:
            return float(text)
        except ValueError:
            return text
    if cell_type == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    if cell_type == "DateTime":
        try:
            return _dt.datetime.fromisoformat(text.strip()[:26])
        except ValueError:
            return text
    return text  # String, Error (#DIV/0! ...)


def read(path: Path) -> list[ParsedSheet]:
    """Parse a SpreadsheetML document safely into its visible sheets."""
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as DET

    try:
        root = DET.parse(str(path), forbid_dtd=True).getroot()
    except DefusedXmlException as exc:
        raise SpreadsheetMLError("file-unsafe-xml", f"{FORMAT}: {type(exc).__name__}") from exc
    except Exception as exc:  # ParseError: truncated or not well-formed
        raise SpreadsheetMLError("file-unreadable", f"{FORMAT} hỏng ({exc}); {RESAVE}") from exc
    if _local(root.tag) != "Workbook":
        raise SpreadsheetMLError("file-unreadable", f"{FORMAT} không có phần tử Workbook; {RESAVE}")
    sheets: list[ParsedSheet] = []
    for ws in root:
        if _local(ws.tag) != "Worksheet":
            continue
        if _hidden_sheet(ws):
            continue
        sheets.append(_sheet(ws))
    if not sheets:
        raise SpreadsheetMLError("file-unreadable", f"{FORMAT} không có trang tính nào hiển thị; {RESAVE}")
    return sheets


def _hidden_sheet(ws) -> bool:
    for el in ws:
        if _local(el.tag) == "WorksheetOptions":
            for opt in el:
                if _local(opt.tag) == "Visible" and (opt.text or "").strip() in ("SheetHidden", "SheetVeryHidden"):
                    return True
    return False


def _sheet(ws) -> ParsedSheet:
    name = _attr(ws, "Name") or "Sheet"
    cells: dict[tuple[int, int], object] = {}
    merged: list[tuple[int, int, int, int]] = []
    hidden_rows: set[int] = set()
    hidden_cols: set[int] = set()
    formulas: list[tuple[int, int, str]] = []
    for table in ws:
        if _local(table.tag) != "Table":
            continue
        r = -1
        col_next = 0
        for el in table:
            tag = _local(el.tag)
            if tag == "Column":
                c = _int(el, "Index", col_next + 1) - 1
                span = _int(el, "Span", 0)
                if _attr(el, "Hidden") in ("1", "true"):
                    hidden_cols.update(range(c, min(c + span + 1, MAX_COLS)))
                col_next = c + span + 1
            elif tag == "Row":
                r = _int(el, "Index", r + 2) - 1
                if not 0 <= r < MAX_ROWS:
                    raise SpreadsheetMLError("file-unreadable", f"{FORMAT}: dòng {r + 1} nằm ngoài trang tính; {RESAVE}")
                if _attr(el, "Hidden") in ("1", "true"):
                    hidden_rows.add(r)
                c = -1
                for cell in el:
                    if _local(cell.tag) != "Cell":
                        continue
                    c = _int(cell, "Index", c + 2) - 1
                    if not 0 <= c < MAX_COLS:
                        raise SpreadsheetMLError("file-unreadable", f"{FORMAT}: cột {c + 1} nằm ngoài trang tính; {RESAVE}")
                    across, down = _int(cell, "MergeAcross"), _int(cell, "MergeDown")
                    if across or down:
                        merged.append((r, c, r + down, c + across))
                    data = next((d for d in cell if _local(d.tag) == "Data"), None)
                    formula = _attr(cell, "Formula")
                    if data is not None:
                        value = _value(data, _attr(data, "Type"))
                        if value != "":
                            cells[(r, c)] = value
                    elif formula:
                        cells[(r, c)] = UncachedFormula(formula)
                        a1 = r1c1_to_a1(formula, r, c)
                        if a1:
                            formulas.append((r, c, a1))
                    c += across
                # a Row with ss:Span repeats itself: the next implicit row comes after the span
                r += _int(el, "Span", 0)
    return ParsedSheet(name, _dense(cells), merged, hidden_rows, hidden_cols, formulas)


_R1C1 = re.compile(r"(?<![A-Za-z0-9_.$])R(\[-?\d+\]|\d+)?C(\[-?\d+\]|\d+)?(?![A-Za-z0-9_(.])")
_LONE = re.compile(r"(?<![A-Za-z0-9_.$])[RC](\[-?\d+\]|\d+)?(?![A-Za-z0-9_(.])")


def r1c1_to_a1(formula: str, r: int, c: int) -> str:
    """Translate an R1C1 formula of the cell at 0-based (r, c) to A1 ('' when it has whole-row/column references
    or anything else this translation does not cover). Text inside string literals is left alone."""
    def cell(m: re.Match) -> str:
        rr, cc = m.group(1), m.group(2)
        row = r if rr is None else (r + int(rr[1:-1]) if rr.startswith("[") else int(rr) - 1)
        col = c if cc is None else (c + int(cc[1:-1]) if cc.startswith("[") else int(cc) - 1)
        if row < 0 or col < 0:
            raise ValueError("reference before A1")
        return column_letters(col) + str(row + 1)

    parts = formula.split('"')
    try:
        for i in range(0, len(parts), 2):  # outside string literals
            rest = _R1C1.sub("", parts[i])
            if _LONE.search(rest):
                return ""
            parts[i] = _R1C1.sub(cell, parts[i])
    except ValueError:
        return ""
    text = '"'.join(parts)
    return text if text.startswith("=") else "=" + text


def _dense(cells: dict[tuple[int, int], object]) -> list[list[object]]:
    if not cells:
        return []
    height = max(r for r, _ in cells) + 1
    width = max(c for _, c in cells) + 1
    if height * width > MAX_CELLS:  # a stray blank far away: drop whitespace-only text before building the grid
        cells = {k: v for k, v in cells.items() if not (isinstance(v, str) and not v.strip())}
        if not cells:
            return []
        height = max(r for r, _ in cells) + 1
        width = max(c for _, c in cells) + 1
        if height * width > MAX_CELLS:
            raise SpreadsheetMLError("file-too-large", f"{FORMAT}: vùng dữ liệu {height} dòng × {width} cột quá lớn")
    rows: list[list[object]] = [[""] * width for _ in range(height)]
    for (r, c), v in cells.items():
        rows[r][c] = v
    return rows
