"""Finding statistics tables by their content: header, sections, rows, page-break repeats."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.vn.text import clean_code, fold, nfc, roman
from pipeline.read.workbook import Sheet, Workbook, cell_ref

_BIEU_MAU = re.compile(r"^bieu mau (\d+)\b")
_ROMAN = {r: i for i, r in enumerate(("i", "ii", "iii", "iv", "v", "vi", "vii"), start=1)}
_CODE = re.compile(r"^\d+(\.\d+)*$")
_COLNUM = re.compile(r"^\(?\d{1,2}\)?$")


@dataclass
class Columns:
    """Where each column of a table sits (0-based); value is required, others may be None."""

    code: int | None
    name: int
    unit: int | None
    value: int
    note: int | None


@dataclass
class RawRow:
    """One printed table row, as read, before mapping."""

    sheet: str
    row: int  # 1-based Excel row of the value cell
    layout: str  # "bieumau" | "national" | "numbered"
    area: int | None  # 1..7
    form: int | None  # Biểu mẫu number, when the layout has one
    printed_code: str
    name: str
    unit: str
    raw: object
    value_ref: str  # A1 of the value cell
    note: str
    parent_code: str  # printed code of the nearest coded ancestor row
    parent_name: str
    fmt: str = ""  # "percent" | "date" when the value cell has such a number format (pipeline.cellview)
    merged: str = ""  # A1 range of a vertical merge the value comes from ("D16:D17"), else ""

    @property
    def area_roman(self) -> str | None:
        """The Roman numeral of the row's area, if known."""
        return roman(self.area) if self.area else None


def _is_stt(t: str) -> bool:
    return t in ("stt", "tt", "so tt", "so thu tu") or t.startswith("stt ")


def find_header(sheet: Sheet, start: int = 0) -> tuple[int, int, Columns] | None:
    """Return (first header row, last header row, columns) of the next table header at or after `start`."""
    for r in range(start, len(sheet.rows)):
        row = sheet.rows[r]
        folded = [fold(v) if isinstance(v, str) else "" for v in row]
        code_col = next((c for c, t in enumerate(folded) if _is_stt(t)), None)
        name_col = next((c for c, t in enumerate(folded) if "chi tieu" in t or t.startswith("noi dung")), None)
        if name_col is None or code_col is None:
            continue
        return _columns(sheet, r, code_col, name_col)
    return None


def _columns(sheet: Sheet, r: int, code_col: int, name_col: int) -> tuple[int, int, Columns]:
    unit = value = note = None
    parent = None
    last = r
    for rr in range(r, min(r + 3, len(sheet.rows))):
        for c in range(sheet.width):
            t = fold(sheet.text(rr, c))
            if not t or c in (code_col, name_col):
                continue
            if "don vi tinh" in t or t == "dvt":
                unit, last = c, max(last, rr)
            elif "ghi chu" in t:
                note, last = c, max(last, rr)
            elif t.startswith("ket qua"):
                parent = c
                last = max(last, rr)
            elif any(k in t for k in ("so lieu", "so luong", "ty le", "gia tri")):
                value, last = c, max(last, rr)
    if value is None:
        if unit is not None:
            value = unit + 1
        elif parent is not None:
            value = parent
        else:
            value = name_col + 1
    # skip a column-number row "(1) (2) (3)…"
    nxt = last + 1
    texts = [sheet.text(nxt, c) for c in range(sheet.width)]
    filled = [t for t in texts if t]
    if len(filled) >= 3 and all(_COLNUM.match(t.replace(" ", "")) for t in filled):
        last = nxt
    return r, last, Columns(code_col, name_col, unit, value, note)


def _is_repeated_header(sheet: Sheet, r: int, cols: Columns) -> bool:
    """Tell whether row r repeats the header (or its column-number row) after a page break."""
    return _repeats_header(sheet.text(r, cols.code) if cols.code is not None else "", sheet.text(r, cols.name),
                           sheet.text(r, cols.unit) if cols.unit is not None else "", sheet.text(r, cols.value))


def _repeats_header(code_text: str, name_text: str, unit_text: str, value: str) -> bool:
    """Tell whether a row whose code, name, unit and value cells read so repeats the header (or its column-number
    row) after a page break ('' for a column the table does not have)."""
    code = fold(code_text)
    name = fold(name_text)
    unit = fold(unit_text)
    if _is_stt(code) or "chi tieu" in name:
        return True
    if "don vi tinh" in unit or "ket qua thong ke" in unit or "ket qua thong ke" in fold(value):
        return True
    if fold(value) in ("so lieu", "so luong ty le", "so luong", "ty le"):
        return True
    if code.startswith("(") or value.startswith("("):
        filled = [t for t in (code_text, name_text, unit_text, value) if t]
        return len(filled) >= 3 and all(_COLNUM.match(t.replace(" ", "")) for t in filled)
    return False


def _text(v: object) -> str:
    """A cell value as Sheet.text gives it ('' when empty), from the value itself (no lookup by position)."""
    if v is None or v == "":
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return nfc(str(v))


def _title_form(sheet: Sheet, r0: int, r1: int) -> int | None:
    form = None
    for r in range(r0, r1):
        for c in range(min(sheet.width, 6)):
            m = _BIEU_MAU.match(fold(sheet.text(r, c)))
            if m:
                form = int(m.group(1))
    return form


_AREA_WORDS = ("chi dao", "the che", "thu tuc hanh chinh", "to chuc bo may", "che do cong vu", "tai chinh cong",
               "chinh quyen dien tu", "chinh quyen so")


def _is_area_title(name: str) -> bool:
    """Tell whether a row's text names one of the seven areas."""
    key = fold(name)
    return len(key) < 80 and any(w in key for w in _AREA_WORDS)


def _form_title(sheet: Sheet, r: int) -> re.Match | None:
    """Return the match of a "Biểu mẫu N" title in the first columns of row r, if any."""
    return _row_form_title(sheet.rows[r][:min(sheet.width, 4)]) if 0 <= r < len(sheet.rows) else None


def _row_form_title(first: list[object]) -> re.Match | None:
    """The match of a "Biểu mẫu N" title among a row's first cells, if any."""
    for v in first:
        if isinstance(v, str) and v.lstrip()[:2].lower() == "bi":
            m = _BIEU_MAU.match(fold(v))
            if m:
                return m
    return None


def _value_merges(sheet: Sheet, cols: Columns, header_end: int) -> dict[int, tuple[int, int, str]]:
    """Map each data row covered by a vertical merge of the value column to (top row, left column, A1 range).

    Merges in the header, merges that do not span rows, and merges that also cover the code or name column
    (labels) are left alone: only a value merged down over several indicator rows applies to each of them."""
    out: dict[int, tuple[int, int, str]] = {}
    for r0, c0, r1, c1 in sheet.merged:
        if r1 <= r0 or r0 <= header_end or not c0 <= cols.value <= c1:
            continue
        if any(c is not None and c0 <= c <= c1 for c in (cols.code, cols.name)):
            continue
        ref = f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}"
        for r in range(r0, r1 + 1):
            out[r] = (r0, c0, ref)
    return out


def read_tables(book: Workbook) -> list[RawRow]:
    """Return every data row of every statistics table found in the workbook, in reading order."""
    out: list[RawRow] = []
    for sheet in book.sheets:
        out.extend(_read_sheet(book.file_name, sheet))
    return out


def _read_sheet(file_name: str, sheet: Sheet) -> list[RawRow]:
    found = find_header(sheet)
    if found is None:
        return []
    first, last, cols = found
    form = _title_form(sheet, 0, first)
    if form is None:
        m = _BIEU_MAU.match(fold(sheet.name))
        form = int(m.group(1)) if m else None
    layout = "bieumau" if form else None
    area = form
    rows: list[RawRow] = []
    stack: list[tuple[str, str]] = []  # (printed code, name) of coded ancestors
    after_break = False
    merges = _value_merges(sheet, cols, last) if sheet.merged else {}
    r = last + 1
    grid = sheet.rows
    n = len(grid)
    title_cols = min(sheet.width, 4)
    # each row's cells are taken from its list once (no lookup per cell by position): -1 stands for a missing column
    c_code, c_name, c_unit, c_value, c_note = (-1 if c is None else c for c in (cols.code, cols.name, cols.unit, cols.value, cols.note))
    while r < n:
        row = grid[r]
        width = len(row)
        # a new "Biểu mẫu N" title inside the sheet switches the area (several forms on one sheet)
        m = _row_form_title(row[:title_cols])
        if m:
            form = area = int(m.group(1))
            layout = "bieumau"
            stack.clear()
            r += 1
            continue
        code_text = _text(row[c_code]) if 0 <= c_code < width else ""
        name = _text(row[c_name]) if 0 <= c_name < width else ""
        unit = _text(row[c_unit]) if 0 <= c_unit < width else ""
        raw = row[c_value] if 0 <= c_value < width else None
        if raw == "":
            raw = None
        if _repeats_header(code_text, name, unit, _text(raw)):
            after_break = True
            r += 1
            continue
        note = _text(row[c_note]) if 0 <= c_note < width else ""
        fmt_at, merged = (r, cols.value), ""
        if r in merges and (code_text or name):  # Excel shows the merge's top-left value on every row it covers
            r0, c0, ref = merges[r]
            top = sheet.get(r0, c0)
            if top is not None:
                raw, fmt_at, merged = top, (r0, c0), ref
        fmt = sheet.formats.get(fmt_at, "") if sheet.formats else ""
        if not (code_text or name or unit or raw is not None):
            r += 1
            continue
        folded_code = fold(code_text)
        if folded_code in _ROMAN and not layout == "bieumau":
            area = _ROMAN[folded_code]
            layout = "national"
            stack.clear()
            after_break = False
            r += 1
            continue
        code = "" if folded_code.startswith("trong do") else clean_code(code_text)
        if layout in (None, "numbered") and _CODE.match(code) and "." not in code and raw is None and not unit and _is_area_title(name):
            top = int(code)
            if 1 <= top <= 7:  # a numbered section title ("3 Cải cách thủ tục hành chính")
                area, layout = top, "numbered"
                stack.clear()
                after_break = False
                r += 1
                continue
        if not code and after_break and rows and rows[-1].sheet == sheet.name:
            prev = rows[-1]  # a row split across a page break: join its second half
            prev.name = f"{prev.name} {name}".strip()
            prev.unit = f"{prev.unit}\n{unit}".strip() if unit else prev.unit
            if prev.raw is None and raw is not None:
                prev.raw, prev.value_ref, prev.row = raw, cell_ref(r, cols.value), r + 1
                prev.fmt, prev.merged = fmt, merged
            after_break = False
            r += 1
            continue
        after_break = False
        if layout is None:
            layout = "numbered"
        if layout == "numbered" and code and _CODE.match(code):
            top = int(code.split(".")[0])
            if 1 <= top <= 7:
                area = top
        if code and _CODE.match(code):
            while stack and not code.startswith(stack[-1][0] + "."):
                stack.pop()
            parent_code, parent_name = stack[-1] if stack else ("", "")
            stack.append((code, name))
        else:
            parent_code, parent_name = stack[-1] if stack else ("", "")
        rows.append(RawRow(
            sheet=sheet.name, row=r + 1, layout=layout, area=area, form=form if layout == "bieumau" else None,
            printed_code=code, name=name, unit=unit, raw=raw, value_ref=cell_ref(r, cols.value), note=note,
            parent_code=parent_code, parent_name=parent_name, fmt=fmt, merged=merged,
        ))
        r += 1
    return rows
