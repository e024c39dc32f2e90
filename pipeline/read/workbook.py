"""Reading workbooks fast (python-calamine): cell values and merged ranges of every sheet."""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from python_calamine import CalamineWorkbook

from pipeline.read import cellview, recalc, safety, spreadsheetml
from pipeline.read.reply import REPLY_SHEET
from pipeline.read.basics import WorkbookError, cell_ref  # noqa: F401  (re-exported: readers import them from here)
from pipeline.read.safety import ExtentPlan, Limits, check_extent, far_cells_detail, grid_detail, trimmed_package
from pipeline.vn import encodings as legacy
from pipeline.vn.numbers import parse_number
from pipeline.vn.text import nfc, shown_name

EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


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
    notes: list[dict] = field(default_factory=list)  # issue parameters (code, sheet, ...) found while reading
    hidden_sheets: list[tuple[str, str, bool]] = field(default_factory=list)  # (name, state, holds figures)
    reply_rows: list[list[object]] | None = None  # the identifier sheet of a feedback workbook sent back (read.reply)


def read_workbook(path: Path, limits: Limits = Limits(), extent: ExtentPlan | None = None) -> Workbook:
    """Read every visible worksheet of an .xlsx/.xlsm/.xls/.xlsb/.ods file with python-calamine.

    calamine builds a dense grid from A1 to a sheet's last cell, so the cells' real extent is checked first
    (safety.check_extent, or `extent` when check_file already found it): cells far from the table are dropped and
    reported, a grid still too large is refused.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS and suffix not in spreadsheetml.EXTENSIONS:
        raise WorkbookError("file-unsupported", path.suffix or path.name)
    if suffix in spreadsheetml.EXTENSIONS and spreadsheetml.is_spreadsheetml(path):
        return _read_spreadsheetml(path)
    if suffix not in EXTENSIONS:
        raise WorkbookError("file-unsupported", path.suffix or path.name)
    source, notes = _bounded_source(path, limits, extent)
    try:
        book = _open_calamine(path, source)
    except Exception as exc:  # calamine raises several error classes, all meaning "cannot open"
        name = type(exc).__name__
        if name == "PasswordError" or "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise WorkbookError("file-encrypted", str(exc)) from exc
        raise WorkbookError("file-unreadable", f"{name}: {exc}") from exc
    sheets: list[Sheet] = []
    hidden: list[tuple[str, str, bool]] = []
    reply_rows = None
    try:
        for meta in book.sheets_metadata:
            if str(meta.typ).endswith("WorkSheet") is False:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            if meta.name == REPLY_SHEET:  # a feedback workbook sent back: its identifiers (pipeline.read.reply)
                reply_rows = rows
                continue
            if not str(meta.visible).endswith(".Visible"):  # hidden / very hidden: the person never sees it
                state = "veryHidden" if str(meta.visible).endswith("VeryHidden") else "hidden"
                hidden.append((nfc(meta.name), state, any(_is_figure(v) for row in rows for v in row)))
                continue
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
            sheets.append(Sheet(nfc(meta.name), rows, merged))
    except MemoryError:
        raise  # the reading worker reports it (file-reader-crashed), not as an unreadable file
    except Exception as exc:
        raise WorkbookError("file-unreadable", f"{type(exc).__name__}: {exc}") from exc
    finally:
        book.close()
    _convert_legacy_text(path, sheets)
    errors: dict[str, list[tuple[int, int, str]]] = {}
    if suffix in (".xlsx", ".xlsm") and _has_uncached_formulas(path, lambda name, xml: _find_error_cells(name, xml, errors)):
        _mark_uncached_formulas(path, sheets)
    elif suffix == ".xls":
        _mark_uncached_formulas(path, sheets, xls=True)
        errors = _xls_error_cells(path, sheets)
    if errors:
        _mark_error_cells(path, sheets, errors)
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        _apply_views(path, sheets)  # last: what Excel hides is blanked whatever the steps above put there
    notes.extend(_strip_control_chars(sheets))
    return Workbook(file_name=nfc(shown_name(path.name)), sheets=sheets, notes=notes, hidden_sheets=hidden,
                    reply_rows=reply_rows)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls and DEL, tab and line breaks kept
_CONTROL_NOTES = 50  # notes per workbook at most (the characters are removed from every cell either way)


def _strip_control_chars(sheets: list[Sheet]) -> list[dict]:
    """Remove control characters (invisible in Excel; they break matching and the workbooks written back) from sheet
    names and text cells, with an info note for each place (at most _CONTROL_NOTES). Runs after the legacy-font
    conversion, whose code pages use no C0 positions once converted."""
    notes: list[dict] = []
    for sheet in sheets:
        if _CONTROL.search(sheet.name):
            clean = nfc(_CONTROL.sub("", sheet.name))
            notes.append({"code": "text-control-chars", "sheet": clean, "raw": clean, "where": "tên trang tính"})
            sheet.name = clean
        if not _CONTROL.search(" ".join([v for row in sheet.rows for v in row if type(v) is str])):
            continue  # one search over the sheet's texts: the usual case
        for r, row in enumerate(sheet.rows):
            for c, v in enumerate(row):
                if type(v) is str and _CONTROL.search(v):
                    row[c] = _CONTROL.sub("", v)
                    if len(notes) < _CONTROL_NOTES:
                        ref = cell_ref(r, c)
                        notes.append({"code": "text-control-chars", "sheet": sheet.name, "cell": ref,
                                      "raw": row[c][:80], "where": f"ô {ref}"})
    return notes


def _is_figure(v: object) -> bool:
    """Tell whether a cell holds a figure (a number, or text that reads as one)."""
    if isinstance(v, bool) or v is None or v == "":
        return False
    if isinstance(v, (int, float)):
        return True
    return isinstance(v, str) and any(ch.isdigit() for ch in v) and parse_number(v).status == "number"


def _apply_views(path: Path, sheets: list[Sheet]) -> None:
    """Attach hidden rows/columns and percent/date formats (pipeline.read.cellview) and blank the hidden cells."""
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


def _open_calamine(path: Path, source) -> CalamineWorkbook:
    """Open with calamine; a package whose member names carry a leading '/' (which Excel accepts) is re-read with
    its names normalised, in memory (the safety pre-check already bounded its size). `source` is the path, or the
    package without its far cells (_bounded_source)."""
    try:
        return CalamineWorkbook.from_object(source)
    except Exception:
        if not isinstance(source, str):
            raise
        fixed = safety.normalised_package(path) if path.suffix.lower() in (".xlsx", ".xlsm") else None
        if fixed is None:
            raise
        return CalamineWorkbook.from_filelike(fixed)


def _read_spreadsheetml(path: Path) -> Workbook:
    """An Excel 2003 XML Spreadsheet (.xml, or saved with an .xls name): same sheets, cells and merges."""
    try:
        parsed = spreadsheetml.read(path)
    except spreadsheetml.SpreadsheetMLError as exc:
        raise WorkbookError(exc.code, exc.detail) from exc
    hidden = [k for k in ("hidden_rows", "hidden_cols") if k in getattr(Sheet, "__dataclass_fields__", {})]
    sheets = [Sheet(nfc(p.name), p.rows, p.merged, **{k: getattr(p, k) for k in hidden}) for p in parsed]
    cells = [recalc.FormulaCell(s.name, r, c, text, "normal", False) for p, s in zip(parsed, sheets) for r, c, text in p.formulas]
    if cells:  # formulas saved without a result: computed as Excel would, else left as UncachedFormula
        recalc.apply(sheets, cells)
    for sheet in sheets:
        if sheet.hidden_rows or sheet.hidden_cols:
            _blank_hidden(sheet)
    return Workbook(file_name=nfc(shown_name(path.name)), sheets=sheets, notes=_strip_control_chars(sheets))


def _path_source(path: Path) -> str | io.BytesIO:
    """The path for calamine, or the file's bytes when its name is not UTF-8 (calamine, in Rust, cannot open such a name)."""
    text = str(path)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            with open(path, "rb") as fh:
                return io.BytesIO(fh.read())
    return text


def _bounded_source(path: Path, limits: Limits, plan: ExtentPlan | None) -> tuple[str | io.BytesIO, list[dict]]:
    """The file to give calamine (the path, or the package without its far cells) and the notes on dropped cells."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return _path_source(path), []
    plan = plan if plan is not None else check_extent(path, limits)
    if plan.ok:
        return _path_source(path), []
    if plan.too_large is not None:
        raise WorkbookError("sheet-grid-too-large", grid_detail(plan.too_large))
    names = _sheet_names_by_part(path)
    notes = [{"code": "cell-far-from-table", "sheet": names.get(e.part, e.part), "count": len(e.far),
              "cells": far_cells_detail(e), "blank": e.far_blank} for e in plan.trim]
    return io.BytesIO(trimmed_package(path, plan)), notes


def _sheet_names_by_part(path: Path) -> dict[str, str]:
    """Worksheet part -> sheet name, from xl/workbook.xml and its relationships ({} when they cannot be read)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            wb_name = next((n for n in names if n.lower().endswith("workbook.xml") and "/_rels/" not in n), None)
            if wb_name is None:
                return {}
            folder = wb_name.rsplit("/", 1)[0] + "/" if "/" in wb_name else ""
            rels_name = f"{folder}_rels/{wb_name.rsplit('/', 1)[-1]}.rels"
            rels = z.read(rels_name) if rels_name in names else b""
            targets = {m.group(1): m.group(2) for m in re.finditer(rb'Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
            targets.update({m.group(2): m.group(1) for m in re.finditer(rb'Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
            out: dict[str, str] = {}
            for m in re.finditer(rb'<(?:\w+:)?sheet\s[^>]*>', z.read(wb_name)):
                tag = m.group(0)
                name = re.search(rb'\sname="([^"]*)"', tag)
                rid = re.search(rb'\s(?:\w+:)?id="([^"]*)"', tag)
                if not name or not rid or rid.group(1) not in targets:
                    continue
                target = targets[rid.group(1)].decode("utf-8", "replace")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(folder + target)
                out[part] = nfc(html.unescape(name.group(1).decode("utf-8", "replace")))
            return out
    except (zipfile.BadZipFile, OSError, KeyError):
        return {}


def _convert_legacy_text(path: Path, sheets: list[Sheet]) -> None:
    """Convert TCVN3 (.VnTime, .VnTimeH) and VNI text to Unicode where the characters show the legacy encoding.

    The cell font (.Vn*, VNI-*) names the encoding, but only text whose characters are legacy is converted: a
    legacy template typed in Unicode stays as typed (legacy.confirm_encodings). Without legacy fonts, cells
    that look legacy are converted by their characters alone.
    """
    suffix = path.suffix.lower()
    encodings: dict[tuple[str, int, int], str] = {}
    if suffix in (".xlsx", ".xlsm") and legacy.workbook_legacy_fonts(path):
        encodings = legacy.cell_encodings(path)
    suspect = not encodings and legacy.looks_legacy(  # one search over the sheets' texts
        "\n".join([v for s in sheets for row in s.rows for v in row if isinstance(v, str)]))
    if suspect and suffix == ".xls":
        try:
            encodings = legacy.xls_cell_encodings(path)
        except Exception:  # xlrd cannot read every .xls calamine can; fall back to the characters
            encodings = {}
    if not encodings and not suspect:
        return
    by_name = {nfc(k[0]): k[0] for k in encodings}
    if encodings:
        texts = {}
        for sheet in sheets:
            raw_name = by_name.get(sheet.name, sheet.name)
            for r, row in enumerate(sheet.rows):
                for c, v in enumerate(row):
                    if isinstance(v, str) and v and (raw_name, r, c) in encodings:
                        texts[(raw_name, r, c)] = v
        encodings = legacy.confirm_encodings(encodings, texts)
    for sheet in sheets:
        raw_name = by_name.get(sheet.name, sheet.name)
        for r, row in enumerate(sheet.rows):
            for c, v in enumerate(row):
                if not isinstance(v, str) or not v:
                    continue
                enc = encodings.get((raw_name, r, c))
                if enc is None and legacy.looks_legacy(v):
                    enc = legacy.guess_encoding(v)  # legacy characters outside a legacy font
                if enc:
                    row[c] = legacy.to_unicode(v, enc)
        sheet.name = nfc(legacy.to_unicode(sheet.name, legacy.guess_encoding(sheet.name))) if legacy.looks_legacy(sheet.name) else sheet.name


_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\s([^>]*?\bt="e"[^>]*)>(.*?)</(?:\w+:)?c>', re.S)
_CELL_REF = re.compile(rb'\br="([A-Za-z]{1,3})(\d+)"')
_CELL_VALUE = re.compile(rb'<(?:\w+:)?v>([^<]*)</')


def _find_error_cells(member: str, xml: bytes, found: dict[str, list[tuple[int, int, str]]]) -> None:
    """Collect a worksheet's Excel error values (t="e" cells) into `found` by part; one find when it has none."""
    if b't="e"' not in xml:
        return
    for m in _ERROR_CELL.finditer(xml):
        ref, value = _CELL_REF.search(m.group(1)), _CELL_VALUE.search(m.group(2))
        if ref and value:
            found.setdefault(member.replace("\\", "/").lstrip("/").lower(), []).append(
                (int(ref.group(2)) - 1, safety.column_index(ref.group(1)), html.unescape(value.group(1).decode("utf-8", "replace"))))


_XLS_BOOLERR = re.compile(rb"\x05\x02\x08\x00.{7}\x01", re.S)  # a BOOLERR record holding an error value (BIFF8)
_XLS_FORMULA_ERROR = re.compile(rb"\x02.[\x00\x07\x0f\x17\x1d\x24\x2a].{3}\xff\xff", re.S)  # a formula's stored error


def _xls_error_cells(path: Path, sheets: list[Sheet]) -> dict[str, list[tuple[int, int, str]]]:
    """The error values of a legacy .xls (calamine reads them blank too), keyed by sheet name; a byte search first,
    xlrd only when the file holds an error record."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        if not (_XLS_BOOLERR.search(data) or _XLS_FORMULA_ERROR.search(data)):  # two byte searches: the usual case
            return {}
        import xlrd

        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=recalc._NullLog())
    except Exception:  # xlrd cannot read every .xls calamine can: the cells stay blank, as before
        return {}
    found: dict[str, list[tuple[int, int, str]]] = {}
    try:
        names = [nfc(n) for n in book.sheet_names()]
        ours = {s.name for s in sheets}
        if not set(names) & ours and len(names) == len(sheets):  # names re-decoded from TCVN3/VNI: by position
            names = [s.name for s in sheets]
        for i, name in enumerate(names):
            sh = book.sheet_by_index(i)
            for r in range(sh.nrows):
                for c, ctype in enumerate(sh.row_types(r)):
                    if ctype == xlrd.XL_CELL_ERROR:
                        text = xlrd.error_text_from_code.get(sh.cell_value(r, c), "#VALUE!")
                        found.setdefault(name, []).append((r, c, text))
    except Exception:
        return {}
    finally:
        book.release_resources()
    return {f"name:{k}": v for k, v in found.items()}


def _mark_error_cells(path: Path, sheets: list[Sheet], found: dict[str, list[tuple[int, int, str]]]) -> None:
    """Put back the Excel error values (#DIV/0!, #N/A, #VALUE!, #REF!, #NAME?, #NUM!, #NULL!) that calamine reads as
    blank cells, so that they are reported at their cell (value-excel-error) rather than taken as not reported."""
    by_part = {part.lower(): name for part, name in _sheet_names_by_part(path).items()} if path.suffix.lower() != ".xls" else {}
    by_name = {s.name: s for s in sheets}
    for part, cells in found.items():
        sheet = by_name.get(part[5:] if part.startswith("name:") else by_part.get(part, ""))
        if sheet is None:
            continue
        for r, c, text in cells:
            if r < len(sheet.rows) and c < len(sheet.rows[r]) and sheet.rows[r][c] in ("", None):
                sheet.rows[r][c] = text


def _has_uncached_formulas(path: Path, scan=None) -> bool:
    """Cheaply tell whether any formula cell's stored result cannot be trusted (none stored, recalculation asked);
    `scan(member, xml)` sees each worksheet's XML on the way."""
    return recalc.needs_recompute(path, scan)


def _mark_uncached_formulas(path: Path, sheets: list[Sheet], xls: bool = False) -> None:
    """Recompute untrusted formula cells (pipeline.read.recalc); those the engine cannot compute become UncachedFormula."""
    try:
        (recalc.apply_xls if xls else recalc.apply_xlsx)(path, sheets)
    except recalc.FormulaReadError as exc:  # never load the stored results (often 0) of a workbook asking to recalculate
        raise WorkbookError("file-unreadable", f"công thức trong tệp không đọc được ({exc}); hãy mở tệp bằng Excel, "
                            "lưu lại rồi gửi lại") from exc
