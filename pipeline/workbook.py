"""Reading workbooks fast (python-calamine): cell values and merged ranges of every sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import re
import zipfile

import openpyxl
from python_calamine import CalamineWorkbook

from pipeline import cellview, legacy
from pipeline.numbers import UncachedFormula, parse_number

from pipeline.text import nfc

EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


class WorkbookError(Exception):
    """A workbook that cannot be read; `code` is an issue code of pipeline.issues."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class Sheet:
    """One worksheet: a dense grid of values (0-based) and its merged ranges (r0, c0, r1, c1)."""

    name: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)  # 0-based rows Excel does not show (their cells are blanked)
    hidden_cols: set[int] = field(default_factory=set)  # 0-based columns Excel does not show (blanked)
    hidden_figures: list[tuple[str, int, str]] = field(default_factory=list)  # ("row"|"col", index, A1 of a figure)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "percent" | "date", only those

    def get(self, r: int, c: int) -> object:
        """Return the value at row r, column c (0-based), None when outside or empty."""
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            v = self.rows[r][c]
            return None if v == "" else v
        return None

    def text(self, r: int, c: int) -> str:
        """Return the cell as normalised text ('' when empty)."""
        v = self.get(r, c)
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return nfc(str(v))

    @cached_property
    def width(self) -> int:
        """Number of columns of the widest row."""
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Workbook:
    """A workbook read into memory: its file name and sheets."""

    file_name: str
    sheets: list[Sheet]  # the visible worksheets, in workbook order
    hidden_sheets: list[tuple[str, str, bool]] = field(default_factory=list)  # (name, state, holds figures)


def read_workbook(path: Path) -> Workbook:
    """Read every visible worksheet of an .xlsx/.xlsm/.xls/.xlsb/.ods file with python-calamine."""
    path = Path(path)
    if path.suffix.lower() not in EXTENSIONS:
        raise WorkbookError("file-unsupported", path.suffix or path.name)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error classes, all meaning "cannot open"
        name = type(exc).__name__
        if name == "PasswordError" or "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise WorkbookError("file-encrypted", str(exc)) from exc
        raise WorkbookError("file-unreadable", f"{name}: {exc}") from exc
    sheets: list[Sheet] = []
    hidden: list[tuple[str, str, bool]] = []
    try:
        for meta in book.sheets_metadata:
            if str(meta.typ).endswith("WorkSheet") is False:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            if not str(meta.visible).endswith(".Visible"):  # hidden / very hidden: the person never sees it
                state = "veryHidden" if str(meta.visible).endswith("VeryHidden") else "hidden"
                hidden.append((nfc(meta.name), state, any(_is_figure(v) for row in rows for v in row)))
                continue
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
            sheets.append(Sheet(nfc(meta.name), rows, merged))
    except Exception as exc:
        raise WorkbookError("file-unreadable", f"{type(exc).__name__}: {exc}") from exc
    finally:
        book.close()
    _convert_legacy_text(path, sheets)
    if path.suffix.lower() in (".xlsx", ".xlsm") and _has_uncached_formulas(path):
        _mark_uncached_formulas(path, sheets)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        _apply_views(path, sheets)  # last: what Excel hides is blanked whatever the steps above put there
    return Workbook(file_name=nfc(path.name), sheets=sheets, hidden_sheets=hidden)


def _is_figure(v: object) -> bool:
    """Tell whether a cell holds a figure (a number, or text that reads as one)."""
    if isinstance(v, bool) or v is None or v == "":
        return False
    if isinstance(v, (int, float)):
        return True
    return isinstance(v, str) and any(ch.isdigit() for ch in v) and parse_number(v).status == "number"


def _apply_views(path: Path, sheets: list[Sheet]) -> None:
    """Attach hidden rows/columns and percent/date formats (pipeline.cellview) and blank the hidden cells."""
    suffix = path.suffix.lower()
    reader = {".xls": cellview.read_xls_views, ".ods": cellview.read_ods_views}.get(suffix, cellview.read_views)
    views = reader(path)
    if not views:
        return
    by_name = {nfc(k): v for k, v in views.items()}
    for sheet in sheets:
        view = by_name.get(sheet.name)
        if view is None:
            continue
        sheet.formats = view.formats
        sheet.hidden_rows, sheet.hidden_cols = view.hidden_rows, view.hidden_cols
        _blank_hidden(sheet)


def _blank_hidden(sheet: Sheet) -> None:
    """Blank the cells of hidden rows and columns (what Excel does not show is not read), noting those with figures."""
    for r in sorted(sheet.hidden_rows):
        if r >= len(sheet.rows):
            break
        row = sheet.rows[r]
        first = next((c for c, v in enumerate(row) if c not in sheet.hidden_cols and _is_figure(v)), None)
        if first is not None:
            sheet.hidden_figures.append(("row", r, cell_ref(r, first)))
        sheet.rows[r] = [""] * len(row)
    for c in sorted(c for c in sheet.hidden_cols if c < sheet.width):  # "hide every unused column" spans 16 384
        first = next((r for r, row in enumerate(sheet.rows) if c < len(row) and _is_figure(row[c])), None)
        if first is not None:
            sheet.hidden_figures.append(("col", c, cell_ref(first, c)))
        for row in sheet.rows:
            if c < len(row):
                row[c] = ""


def _convert_legacy_text(path: Path, sheets: list[Sheet]) -> None:
    """Convert TCVN3 (.VnTime, .VnTimeH) and VNI text to Unicode, by cell font where known, else by characters."""
    suffix = path.suffix.lower()
    encodings: dict[tuple[str, int, int], str] = {}
    if suffix in (".xlsx", ".xlsm") and legacy.workbook_legacy_fonts(path):
        encodings = legacy.cell_encodings(path)
    suspect = not encodings and any(
        isinstance(v, str) and legacy.looks_legacy(v) for s in sheets for row in s.rows for v in row)
    if suspect and suffix == ".xls":
        try:
            encodings = legacy.xls_cell_encodings(path)
        except Exception:  # xlrd cannot read every .xls calamine can; fall back to the characters
            encodings = {}
    if not encodings and not suspect:
        return
    by_name = {nfc(k[0]): k[0] for k in encodings}
    for sheet in sheets:
        raw_name = by_name.get(sheet.name, sheet.name)
        for r, row in enumerate(sheet.rows):
            for c, v in enumerate(row):
                if not isinstance(v, str) or not v:
                    continue
                enc = encodings.get((raw_name, r, c))
                if enc is None and not encodings and legacy.looks_legacy(v):
                    enc = legacy.guess_encoding(v)
                if enc:
                    row[c] = legacy.to_unicode(v, enc)
        sheet.name = nfc(legacy.to_unicode(sheet.name, legacy.guess_encoding(sheet.name))) if legacy.looks_legacy(sheet.name) else sheet.name


_CELL = re.compile(rb"<c\b[^>]*?(?:/>|>(.*?)</c>)", re.S)


def _has_uncached_formulas(path: Path) -> bool:
    """Cheaply tell whether any sheet holds a formula cell saved without a value."""
    try:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if not name.startswith("xl/worksheets/") or not name.endswith(".xml"):
                    continue
                xml = z.read(name)
                if b"<f" not in xml:
                    continue
                for m in _CELL.finditer(xml):
                    body = m.group(1)
                    if body and b"<f" in body and (b"<v>" not in body or b"<v></v>" in body):
                        return True
    except (zipfile.BadZipFile, OSError):
        return False
    return False


def _mark_uncached_formulas(path: Path, sheets: list[Sheet]) -> None:
    """Replace empty formula cells by UncachedFormula markers (openpyxl knows the formulas)."""
    wb = openpyxl.load_workbook(path, data_only=False)
    try:
        by_name = {s.name: s for s in sheets}
        for ws in wb.worksheets:
            sheet = by_name.get(nfc(ws.title))
            if sheet is None:
                continue
            for row in ws.iter_rows():
                for cell in row:
                    v = cell.value
                    if isinstance(v, str) and v.startswith("=") and sheet.get(cell.row - 1, cell.column - 1) is None:
                        r, c = cell.row - 1, cell.column - 1
                        while len(sheet.rows) <= r:
                            sheet.rows.append([])
                        while len(sheet.rows[r]) <= c:
                            sheet.rows[r].append("")
                        sheet.rows[r][c] = UncachedFormula(v)
    finally:
        wb.close()


def cell_ref(r: int, c: int) -> str:
    """Return the A1 reference of a 0-based (row, column)."""
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"
