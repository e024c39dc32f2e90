"""Shared look of the district workbook's sheets: Times New Roman formats, the motto block, the caption, print setup."""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import math
import zipfile

import numpy as np
import xlsxwriter
import xlsxwriter.workbook
import xlsxwriter.worksheet

from pipeline.reference.office import Office

FONT = "Times New Roman"
# Excel's separators follow the reader's locale; counts use literal dots so "23.378" shows everywhere.
FMT_COUNT = '[>=1000000]#"."###"."###;[>=1000]#"."###;0'
# [$-42A] marks the format Vietnamese: LibreOffice (and Excel on a Vietnamese system) shows "99,92".
FMT_RATE = "[$-42A]0.00"
FMT_POINTS = "[$-42A]0.00"
FMT_RANK = "0"
FMT_CHANGE = "[Blue]+0;[Red]-0;0"  # +2 (blue) moved up, -3 (red) moved down, 0 unchanged
FMT_DATETIME = "dd/mm/yyyy hh:mm"
FMT_DATE = "dd/mm/yyyy"
PAGE_WIDTH_PX = 1045  # A4 landscape less 0.4" margins, at 96 dpi and 100 % scale
DIGIT_PX, PADDING_PX = 8, 5  # Times New Roman 12: column widths count its 8-pixel digits


# Deflate level of every workbook we write (zlib's default is 6). Level 1 makes the district workbook of 5 000
# issue-heavy units in 7.1 s instead of 7.9 s (13.7 → 18.9 MB) and a commune's feedback workbook 0.2 ms faster (of 4);
# the cells are the same (tests.bench_process's issue-heavy workload, district workbook built alone, 2 cores).
ZIP_LEVEL = 1


class _Package(zipfile.ZipFile):
    """The zip file xlsxwriter packs a workbook into, deflating at ZIP_LEVEL. xlsxwriter (3.x) has no option for the
    level: it makes its ZipFile in `Workbook._store_workbook`, adding parts with `write` (parts on disk, which takes
    the file's `compresslevel`) or `writestr` with a ZipInfo of its own (in memory, which needs it passed)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("compresslevel", ZIP_LEVEL)
        super().__init__(*args, **kwargs)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        return super().writestr(zinfo_or_arcname, data, compress_type,
                                self.compresslevel if compresslevel is None else compresslevel)


if xlsxwriter.workbook.ZipFile is zipfile.ZipFile:  # xlsxwriter's name for it (a newer xlsxwriter may change it)
    xlsxwriter.workbook.ZipFile = _Package


@contextlib.contextmanager
def building():
    """While a workbook is built: no cyclic garbage collection (xlsxwriter keeps a small object per cell, and the
    collector walking hundreds of thousands of them over and over cost a fifth of writing the district workbook).
    Reference counting still frees everything as usual; the collector runs again afterwards, as it was."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def workbook_options(in_memory: bool = True) -> dict:
    """xlsxwriter options: strings stay text (never formulas, links or numbers); Times New Roman 12 as the default font.

    With Times New Roman as the workbook's default font, column widths mean the same in Excel and in LibreOffice
    (which substitutes the metric-compatible Liberation Serif), so the print layout holds in both.

    `in_memory`: every part's XML is assembled in memory and the package written once, with no temporary file per
    part (the small feedback workbooks: a temporary file per part cost 13 s for 500 of them). A large workbook passes
    False: xlsxwriter makes every part before zipping them, and held in memory as text the parts of a district
    workbook of 5 000 units (about 2 million cells) cost about 300 MiB at once; on disk, a temporary file per part
    (about 30) costs nothing measurable.
    """
    return {"in_memory": in_memory,
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "default_format_properties": {"font_name": FONT, "font_size": 12},
            "default_row_height": 21, "default_column_width": 72}


class Worksheet(xlsxwriter.worksheet.Worksheet):
    """xlsxwriter's worksheet with its cells addressed by row and column numbers only (never "A1").

    `write_string`, `write_number` and `write_blank` are xlsxwriter's own writers without the wrapper that first tries
    to read the row as A1 notation: the district workbook of 5 000 units writes 2.7 million cells, and the wrapper
    cost about 0.9 s of its 12 (measured on the tests.bench_process workload). A cell given as "A1" fails loudly.
    Subclassing the worksheet through `add_worksheet(name, worksheet_class)` is xlsxwriter's own way (its example
    inheritance1.py)."""

    write_string = xlsxwriter.worksheet.Worksheet._write_string
    write_number = xlsxwriter.worksheet.Worksheet._write_number
    write_blank = xlsxwriter.worksheet.Worksheet._write_blank


class Workbook(xlsxwriter.Workbook):
    """xlsxwriter's workbook whose sheets are `Worksheet`s, and that lets go of its cells once the file is written."""

    def add_worksheet(self, name: str | None = None, worksheet_class=None) -> Worksheet:
        return super().add_worksheet(name, worksheet_class or Worksheet)

    def close(self) -> None:
        """Write the file; then let go of the cells. The workbook and its sheets refer to each other, so they outlive
        the build until the cyclic collector walks them (millions of cell records for a large district); emptied here,
        the cells are freed at once by reference counting."""
        super().close()
        for ws in self.worksheets():
            for part in ("table", "row_info", "row_sizes"):
                getattr(ws, part, {}).clear()


def formats(wb: xlsxwriter.Workbook, band_colors: dict[str, str] | None = None) -> dict:
    """Add the workbook's cell formats (Times New Roman 12, bordered table cells) and return them by name."""
    base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
    cell = {**base, "border": 1, "text_wrap": True}
    f = {
        "base": wb.add_format(base),
        "wrap": wb.add_format({**base, "text_wrap": True}),
        "bold": wb.add_format({**base, "bold": True}),
        "bold_c": wb.add_format({**base, "bold": True, "align": "center"}),
        "motto2": wb.add_format({**base, "bold": True, "align": "center", "underline": 1, "font_size": 13}),
        "plain_c": wb.add_format({**base, "align": "center"}),
        "issuer2": wb.add_format({**base, "bold": True, "align": "center", "underline": 1}),
        "date_c": wb.add_format({**base, "italic": True, "align": "center"}),
        "italic_c": wb.add_format({**base, "italic": True, "align": "center", "text_wrap": True}),
        "italic": wb.add_format({**base, "italic": True, "text_wrap": True}),
        "title": wb.add_format({**base, "bold": True, "align": "center", "font_size": 14, "text_wrap": True}),
        "head": wb.add_format({**cell, "bold": True, "align": "center", "bg_color": "#DDEBF7"}),
        "text": wb.add_format(cell),
        "text_c": wb.add_format({**cell, "align": "center"}),
        "text_b": wb.add_format({**cell, "bold": True}),
        "text_bc": wb.add_format({**cell, "bold": True, "align": "center"}),
        "group": wb.add_format({**cell, "bold": True}),
        "count": wb.add_format({**cell, "num_format": FMT_COUNT}),
        "rate": wb.add_format({**cell, "num_format": FMT_RATE}),
        "count_b": wb.add_format({**cell, "num_format": FMT_COUNT, "bold": True}),
        "rate_b": wb.add_format({**cell, "num_format": FMT_RATE, "bold": True}),
        "points": wb.add_format({**cell, "num_format": FMT_POINTS, "align": "center"}),
        "points_b": wb.add_format({**cell, "num_format": FMT_POINTS, "align": "center", "bold": True}),
        "rank": wb.add_format({**cell, "num_format": FMT_RANK, "align": "center", "bold": True}),
        "rank_plain": wb.add_format({**cell, "num_format": FMT_RANK, "align": "center"}),
        "change": wb.add_format({**cell, "num_format": FMT_CHANGE, "align": "center"}),
        "datetime": wb.add_format({**cell, "num_format": FMT_DATETIME, "align": "center"}),
        "date": wb.add_format({**cell, "num_format": FMT_DATE, "align": "center"}),
    }
    for label, color in (band_colors or {}).items():
        f[f"band:{label}"] = wb.add_format({**cell, "bold": True, "font_color": color})
        f[f"key:{label}"] = wb.add_format({**cell, "bold": True, "align": "center", "font_color": "#FFFFFF", "bg_color": color})
    return f


def heading(ws, f: dict, office: Office, title: str, widths: list[float], left_block: bool = False,
            dated: bool = False, first_col: int = 0) -> int:
    """Write the issuer beside the national motto, the title and the caption over the columns of `widths`.

    The issuer (its parent body's line above it when the office has one) takes the first columns wide enough for it,
    the motto the rest; with `dated` and an office that names its place, the date line ("Hải Phòng, ngày … tháng …
    năm …") sits under the motto. Returns the first free row. With `left_block` the title and the caption sit under
    the issuer, inside its columns, so a sheet printed in column blocks beside repeated first columns shows them whole
    on every page. With `first_col` the block starts at that column (`widths` are the widths from there).
    """
    if first_col:
        return heading(_Shifted(ws, first_col), f, office, title, widths, left_block, dated)
    last_col = len(widths) - 1
    issuer = office.issuer_lines
    need = max(len(line) for line in issuer) * 1.3
    split, acc = 1, widths[0]
    while acc < need and split < last_col:
        acc += widths[split]
        split += 1
    if len(issuer) == 1:
        _merge(ws, 0, 0, split - 1, issuer[0], f["bold_c"])
    else:  # parent body (plain) over the issuing body (bold), as administrative documents set them
        _merge(ws, 0, 0, split - 1, issuer[0], f.get("plain_c", f["bold_c"]))
        _merge(ws, 1, 0, split - 1, issuer[1], f.get("issuer2", f["bold_c"]))
    _merge(ws, 0, split, last_col, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f["bold_c"])
    _merge(ws, 1, split, last_col, "Độc lập - Tự do - Hạnh phúc", f["motto2"])
    if dated and office.date_line:
        _merge(ws, 2, split, last_col, office.date_line, f.get("date_c", f["italic_c"]))
    span = split - 1 if left_block else last_col
    span_chars = sum(widths[: span + 1])
    _merge(ws, 3, 0, span, title, f["title"])
    ws.set_row(3, 18.5 * lines(title, span_chars / 1.25) + 4)
    _merge(ws, 4, 0, span, caption(office), f["italic_c"])
    if lines(caption(office), span_chars) > 1:
        ws.set_row(4, 15.75 * lines(caption(office), span_chars) + 3)
    return 6


class _Shifted:
    """A worksheet seen from column `by` on: heading() written further right."""

    def __init__(self, ws, by: int):
        self._ws, self._by = ws, by

    def merge_range(self, r0, c0, r1, c1, *args):
        return self._ws.merge_range(r0, c0 + self._by, r1, c1 + self._by, *args)

    def write_string(self, r, c, *args):
        return self._ws.write_string(r, c + self._by, *args)

    def set_row(self, *args, **kwargs):
        return self._ws.set_row(*args, **kwargs)


PAGE_HEIGHT_PT = 530.0  # A4 landscape less page()'s margins (0.4" top, 0.5" bottom), in points
ROW_PT = 15.75  # a row of one line at 12 pt


def print_scale(widths: list[float]) -> int:
    """The print scale (%) at which columns of these widths fill an A4 landscape page's width, at most 100."""
    return max(10, min(100, int(100 * PAGE_WIDTH_PX / sum(width_px(w) for w in widths))))


def rows_per_page(scale: int, taken_pt: float) -> int:
    """How many one-line rows fit on a printed page at `scale` % below `taken_pt` points of repeated rows (one spare)."""
    return max(5, int((PAGE_HEIGHT_PT * 100 / scale - taken_pt) / ROW_PT) - 1)


def caption(office: Office) -> str:
    """The caption every appendix sheet carries: '(Kèm theo Báo cáo số …/BC-UBND ngày … của UBND huyện …)'."""
    return f"(Kèm theo Báo cáo số        /{office.document_code} ngày        của {office.name})"


def signature(ws, f: dict, office: Office, row: int, c0: int, c1: int) -> int:
    """The signature block of the office (its lines, room to sign, the signer) over columns c0..c1 from `row`;
    nothing when the office file declares none. Returns the first free row."""
    if not office.signature:
        return row
    for i, text in enumerate(office.signature):
        _merge(ws, row + i, c0, c1, text, f["bold_c"])
    row += len(office.signature) + 4  # room for the signature and the seal
    if office.signer:
        _merge(ws, row, c0, c1, office.signer, f["bold_c"])
        row += 1
    return row


def _merge(ws, row: int, c0: int, c1: int, text: str, fmt) -> None:
    if c1 > c0:
        ws.merge_range(row, c0, row, c1, text, fmt)
    else:
        ws.write_string(row, c0, text, fmt)


def merge_text(ws, row: int, c0: int, c1: int, text: str, fmt) -> None:
    """Write text across columns c0..c1 (merged when wider than one column), always as a string."""
    _merge(ws, row, c0, c1, text, fmt)


def page(ws, header_first: int | None, header_last: int | None = None, fit_width: bool = True) -> None:
    """A4 landscape, narrow margins, page numbers, header rows repeated on every page (when given), one page wide."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if fit_width:
        ws.fit_to_pages(1, 0)
    if header_first is not None:
        ws.repeat_rows(header_first, header_last if header_last is not None else header_first)
    ws.set_margins(left=0.4, right=0.4, top=0.4, bottom=0.5)
    ws.set_footer("&C&\"Times New Roman\"&10Trang &P/&N")


def width_px(chars: float) -> int:
    """Printed width in pixels (96 dpi) of a column `chars` wide."""
    return int(chars * DIGIT_PX + 0.5) + PADDING_PX


_HALF = ".,;:()'|/-"  # printed at half a digit's width, as spaces are
_WIDEST = 1.4  # a capital, the widest character text_units counts


def text_units(text: str) -> float:
    """Approximate printed width of a text in Times New Roman 12, in column-width units (the width of a digit)."""
    total = 0.0
    for ch in text:
        if ch.isspace() or ch in _HALF:
            total += 0.5
        elif ch.isupper():
            total += 1.4
        elif ch.isdigit():
            total += 1.0
        else:
            total += 0.9
    return total


class _Weights(dict):
    """str.translate table: each character to the letter of its width class in text_units (filled as characters appear)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        kind = "h" if ch.isspace() or ch in _HALF else "u" if ch.isupper() else "d" if ch.isdigit() else "o"
        self[code] = kind
        return kind


_WEIGHTS = _Weights()


def _tenths(text: str) -> int:
    """text_units(text) × 10, exactly (an integer: the classes weigh 5, 14, 10 and 9 tenths), counted in C."""
    kinds = text.translate(_WEIGHTS)
    half, upper, digit = kinds.count("h"), kinds.count("u"), kinds.count("d")
    return 5 * half + 14 * upper + 10 * digit + 9 * (len(kinds) - half - upper - digit)


def _segment_lines(seg: str, per_line: float) -> int:
    """max(1, ceil(text_units(seg) / per_line)), the same integer, without a Python loop over the characters.

    The exact width (in tenths) decides, except when it falls on a line boundary within the rounding of text_units'
    float sum: there text_units itself decides, so the result is always the one text_units gives.
    """
    n = len(seg)
    if n * _WIDEST + 1e-6 < per_line:
        return 1
    q = _tenths(seg) / (10 * per_line)
    if abs(q - round(q)) * per_line <= 2e-16 * n * n + 1e-9:
        return max(1, math.ceil(text_units(seg) / per_line))
    return max(1, math.ceil(q))


@functools.lru_cache(maxsize=8192)
def _text_lines(text: str, per_line: float) -> int:
    return sum(_segment_lines(seg, per_line) for seg in text.split("\n"))


def lines(text: str, width_chars: float) -> int:
    """Printed lines of a wrapped text in a column (or merged range) `width_chars` wide, at 12 pt (erring on more).

    Each paragraph takes ceil(text_units / (width - 3)) lines, at least one. A text too short to fill a line even in
    capitals is one line at once; others are counted once per distinct (text, width) of the workbook being written.
    """
    text = str(text)
    per_line = max(1.0, width_chars - 3)
    if len(text) * _WIDEST + 1e-6 < per_line and "\n" not in text:
        return 1
    return _text_lines(text, per_line)


def row_height(n_lines: int, minimum: float = 0.0) -> float:
    """Height (points) of a row whose tallest cell wraps to `n_lines` lines; 0 keeps the default height."""
    return max(minimum, 15.75 * n_lines + 3 if n_lines > 1 else 0)


def fit_row(ws, row: int, cells: list[tuple[str, float]], minimum: float = 0.0) -> None:
    """Set a row's height (points) to fit the tallest wrapped text among (text, width in chars) cells."""
    height = row_height(max((lines(t, w) for t, w in cells if t), default=1), minimum)
    if height:
        ws.set_row(row, height)


def column_lines(texts: list[str], width_chars: float) -> list[int]:
    """lines() of each text of a column `width_chars` wide (1 for an empty text), counted once per distinct text."""
    return _column_lines(texts, width_chars).tolist()


def _column_lines(texts: list, width_chars: float) -> np.ndarray:
    distinct = [t for t in dict.fromkeys(texts) if t]  # an empty text (or None) is one line, and is not a key
    counts = dict(zip(distinct, many_lines(distinct, width_chars)))
    return np.fromiter(map(counts.get, texts, itertools.repeat(1)), dtype=np.int64, count=len(texts))


_LUT_SIZE = 0x2000  # Latin, Latin Extended, Vietnamese (U+1E00–U+1EFF) and general punctuation: one table lookup each
_lut = None


def _weights_lut():
    """Per code point, the tenths text_units gives it (5 space/half, 14 capital, 10 digit, 9 other) below _LUT_SIZE, 0
    above (texts with such characters are counted by lines()): one byte each, indexed by any code point."""
    global _lut
    if _lut is None:
        lut = np.zeros(0x110000, dtype=np.uint8)
        lut[:_LUT_SIZE] = [{"h": 5, "u": 14, "d": 10, "o": 9}[chr(c).translate(_WEIGHTS)] for c in range(_LUT_SIZE)]
        _lut = lut
    return _lut


def many_lines(texts: list[str], width_chars: float) -> list[int]:
    """[lines(t, width_chars) for t in texts], the same integers, counted in numpy for the texts that need counting.

    A text too short to fill a line even in capitals is one line; a text with a line break or a character beyond the
    table goes through lines(); the others' widths in tenths (_tenths) are summed per text over one array of all their
    code points, and the line count follows from it as _segment_lines finds it (text_units deciding on a boundary).
    """
    n = len(texts)
    if not all(t.__class__ is str for t in texts):
        return [lines(t, width_chars) for t in texts]
    per_line = max(1.0, width_chars - 3)
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    broken = np.fromiter(map(str.__contains__, texts, itertools.repeat("\n")), dtype=bool, count=n)
    out = np.ones(n, dtype=np.int64)
    todo = np.flatnonzero(~(sizes * _WIDEST + 1e-6 < per_line) & ~broken)
    if len(todo):
        chosen = [texts[i] for i in todo.tolist()]
        points = np.frombuffer("".join(chosen).encode("utf-32-le"), dtype=np.uint32)
        chosen_sizes = sizes[todo]
        starts = np.zeros(len(chosen), dtype=np.int64)
        np.cumsum(chosen_sizes[:-1], out=starts[1:])
        tenths = np.add.reduceat(_weights_lut()[points], starts, dtype=np.int64)
        q = tenths / (10 * per_line)
        counts = np.maximum(1, np.ceil(q)).astype(np.int64)
        special = np.abs(q - np.round(q)) * per_line <= 2e-16 * chosen_sizes * chosen_sizes + 1e-9  # on a boundary
        if len(points) and points.max() >= _LUT_SIZE:  # a character beyond the table: lines() counts that text
            special |= np.add.reduceat((points >= _LUT_SIZE).astype(np.int64), starts) > 0
        for k in np.flatnonzero(special).tolist():
            counts[k] = lines(chosen[k], width_chars)
        out[todo] = counts
    for i in np.flatnonzero(broken).tolist():
        out[i] = lines(texts[i], width_chars)
    return out.tolist()


def row_lines(columns: list[tuple[list[str], float]]) -> list[int]:
    """Per row, the lines of its tallest cell, from the columns' (texts, width in chars): what fit_row finds row by row."""
    counts = [_column_lines(texts, w) for texts, w in columns]
    if len(counts) == 1:
        return counts[0].tolist()
    return np.maximum.reduce(counts).tolist()
