"""xlsxwriter helpers shared by the sample writers (bieumau, national, thanhhoa).

Every sample sheet has the same skeleton: columns A–E (STT | indicator | unit | value | note) on A4
with no gridlines, the issuer's name top left and the national motto top right, merged title lines,
the two-row "Kết quả thống kê" header, then one table row per indicator whose height fits its
wrapped text.  Fonts are Times New Roman 12 throughout.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import xlsxwriter

__all__ = [
    "CELL",
    "FONT",
    "Styles",
    "add_sheet",
    "issuer_lines",
    "n_lines",
    "open_workbook",
    "overridden",
    "row_height",
    "write_header",
    "write_letterhead",
    "write_row",
    "write_text",
    "write_titles",
    "write_value",
]

FONT = {"font_name": "Times New Roman", "font_size": 12}
CELL = {"border": 1, "valign": "vcenter", "text_wrap": True}
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def n_lines(text: str, width: float) -> int:
    """Count the printed lines of text wrapped in a column of the given width."""
    per_line = max(1.0, width * 1.05 - 1)
    return sum(max(1, math.ceil(len(seg) / per_line)) for seg in str(text).split("\n"))


def row_height(cells: Sequence[tuple[str, float]]) -> float:
    """Return the row height (points) that fits the tallest (text, column width) cell."""
    lines = max((n_lines(t, w) for t, w in cells if t), default=1)
    return max(18.75, 16.5 * lines + 3)


class Styles:
    """Formats every sample sheet uses (letterhead, motto, header, STT cells); writers add their own."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self._wb = wb
        self.org = self.fmt(align="center", valign="vcenter")
        self.org_b = self.fmt(bold=True, align="center", valign="vcenter")
        self.motto = self.fmt(bold=True, align="center", valign="vcenter")
        self.motto2 = self.fmt(bold=True, underline=1, align="center", valign="vcenter", font_size=13)
        self.italic = self.fmt(italic=True, align="center", valign="vcenter", text_wrap=True)
        self.head = self.cell(bold=True, align="center")
        self.code = {False: self.cell(align="center"), True: self.cell(align="center", bold=True)}

    def fmt(self, **props):
        """Add a Times New Roman 12 format with the given properties to the workbook."""
        return self._wb.add_format({**FONT, **props})

    def cell(self, **props):
        """Add a bordered, vertically centred, wrapping table-cell format with the given properties."""
        return self.fmt(**{**CELL, **props})


def issuer_lines(unit_header: str) -> list[str]:
    """Split a unit header ("ỦY BAN NHÂN DÂN\\nXÃ …") into its non-empty, stripped lines."""
    return [s.strip() for s in str(unit_header).split("\n") if s.strip()]


def overridden(defaults: Sequence[object], index: Mapping[str, int], override: Mapping[str, object] | None,
               unknown_msg: str) -> list[object]:
    """Return defaults with override applied by key; raise ValueError(f"{unknown_msg}: [...]") on unknown keys."""
    override = dict(override or {})
    unknown = sorted(k for k in override if k not in index)
    if unknown:
        raise ValueError(f"{unknown_msg}: {unknown}")
    values = list(defaults)
    for k, v in override.items():
        values[index[k]] = v
    return values


def open_workbook(path: Path, *, title: str, issuer: Sequence[str], created: dt.datetime,
                  plain_strings: bool = True) -> xlsxwriter.Workbook:
    """Create path's folder and open a Times New Roman 12 workbook authored by the issuer's last line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, object] = {"default_format_properties": dict(FONT)}
    if plain_strings:  # merge_range goes through write(): never turn text into numbers, formulas or links
        options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False, **options}
    wb = xlsxwriter.Workbook(str(path), options)
    wb.set_properties({
        "title": title,
        "author": issuer[-1].title() if issuer else "",
        "company": "UBND",
        "created": created,
    })
    return wb


def add_sheet(wb: xlsxwriter.Workbook, name: str, widths: Sequence[float], *, landscape: bool = False,
              left_margin: float = 0.6):
    """Add a worksheet with columns A.. of the given widths, printed on A4, one page wide, without gridlines."""
    ws = wb.add_worksheet(name)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(9)
    ws.set_margins(left=left_margin, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(2)
    return ws


def write_letterhead(ws, st: Styles, lines: Sequence[str], *, motto_col: int = 2, bold_upper: bool = False) -> int:
    """Write the issuer lines (A:B) and the national motto (motto_col:E); return the row after a blank one."""
    for i, line in enumerate(lines):
        bold = i == len(lines) - 1 or (bold_upper and line.isupper())
        ws.merge_range(i, 0, i, 1, line, st.org_b if bold else st.org)
    ws.merge_range(0, motto_col, 0, 4, MOTTO[0], st.motto)
    ws.merge_range(1, motto_col, 1, 4, MOTTO[1], st.motto2)
    return max(len(lines), 2) + 1


def write_titles(ws, r: int, titles: Iterable[tuple[str, object]], width: float) -> int:
    """Write each (text, format) merged across A:E from row r, heights fitted; return the row after a blank one."""
    for text, fmt in titles:
        ws.merge_range(r, 0, r, 4, text, fmt)
        ws.set_row(r, row_height([(text, width)]))
        r += 1
    return r + 1


def write_header(ws, st: Styles, r: int, name_header: str, value_header: str = "Số liệu",
                 second_height: float = 21) -> int:
    """Write the two header rows (STT | indicator | Kết quả thống kê: unit, value | Ghi chú) at row r; return the next row."""
    ws.merge_range(r, 0, r + 1, 0, "STT", st.head)
    ws.merge_range(r, 1, r + 1, 1, name_header, st.head)
    ws.merge_range(r, 2, r, 3, "Kết quả thống kê", st.head)
    ws.merge_range(r, 4, r + 1, 4, "Ghi chú", st.head)
    ws.write_string(r + 1, 2, "Đơn vị tính", st.head)
    ws.write_string(r + 1, 3, value_header, st.head)
    ws.set_row(r, 21)
    ws.set_row(r + 1, second_height)
    return r + 2


def write_text(ws, r: int, c: int, text: str, fmt) -> None:
    """Write text as a string cell, or a formatted blank cell when it is empty."""
    if text:
        ws.write_string(r, c, text, fmt)
    else:
        ws.write_blank(r, c, None, fmt)


def write_value(ws, r: int, c: int, v: object, fmt, *, blank_empty: bool = True) -> None:
    """Write numbers as numbers and anything else as text; None (and "" when blank_empty) as a formatted blank."""
    if v is None or (blank_empty and isinstance(v, str) and v == ""):
        ws.write_blank(r, c, None, fmt)
    elif isinstance(v, bool):
        ws.write_number(r, c, int(v), fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, v, fmt)
    else:
        ws.write_string(r, c, str(v), fmt)


def write_row(ws, r: int, widths: Sequence[float], name: str, unit: str, value: object, note: str,
              fmts: tuple, *, blank_empty: bool = True) -> None:
    """Write a table row's name, unit, value and note (B:E) with fmts in that order, and fit the row height."""
    name_fmt, unit_fmt, value_fmt, note_fmt = fmts
    write_text(ws, r, 1, name, name_fmt)
    write_text(ws, r, 2, unit, unit_fmt)
    write_value(ws, r, 3, value, value_fmt, blank_empty=blank_empty)
    write_text(ws, r, 4, note, note_fmt)
    ws.set_row(r, row_height([(name, widths[1]), (unit, widths[2]), (note, widths[4])]))
