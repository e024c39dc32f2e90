"""Re-typing a workbook the way older offices do: legacy .xls, TCVN3/VNI fonts (a test utility)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import xlsxwriter
import xlwt


def _cells(src: Path):
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        cells = [(c.row - 1, c.column - 1, c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        yield ws.title, cells, merges


def rewrite(src: Path, dst: Path, encode: Callable[[str, bool], str] | None = None, font: str = "Times New Roman",
            upper_font: str | None = None) -> Path:
    """Copy values and merged ranges of `src` into `dst` (.xlsx or .xls), re-typing text with `encode(text, upper)`.

    Cells whose text is all upper case are written in `upper_font` (e.g. ".VnTimeH") with upper=True, as
    TCVN3 offices type titles; everything else in `font`.
    """
    dst = Path(dst)
    xls = dst.suffix.lower() == ".xls"
    book = xlwt.Workbook(encoding="utf-8") if xls else xlsxwriter.Workbook(str(dst), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    styles: dict[str, object] = {}

    def style(name: str):
        if name not in styles:
            if xls:
                st = xlwt.XFStyle()
                f = xlwt.Font()
                f.name = name
                st.font = f
                styles[name] = st
            else:
                styles[name] = book.add_format({"font_name": name})
        return styles[name]

    for title, cells, merges in _cells(src):
        ws = book.add_sheet(title) if xls else book.add_worksheet(title)
        merged_at = {(r0, c0): (r0, c0, r1, c1) for r0, c0, r1, c1 in merges}
        covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(merged_at)
        for r, c, v in cells:
            if (r, c) in covered:
                continue
            name = font
            if isinstance(v, str):
                upper = bool(upper_font) and v.upper() == v and any(ch.isalpha() for ch in v)
                name = upper_font if upper else font
                v = encode(v, upper) if encode else v
            st = style(name)
            if (r, c) in merged_at:
                r0, c0, r1, c1 = merged_at[(r, c)]
                if xls:
                    ws.write_merge(r0, r1, c0, c1, v, st)
                else:
                    ws.merge_range(r0, c0, r1, c1, v, st)
            elif xls:
                ws.write(r, c, v, st)
            elif isinstance(v, str):
                ws.write_string(r, c, v, st)
            else:
                ws.write_number(r, c, v, st)
    if xls:
        book.save(str(dst))
    else:
        book.close()
    return dst
