"""Reading workbooks fast (python-calamine): cell values and merged ranges of every sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

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

    @property
    def width(self) -> int:
        """Number of columns of the widest row."""
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Workbook:
    """A workbook read into memory: its file name and sheets."""

    file_name: str
    sheets: list[Sheet]


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
    try:
        for meta in book.sheets_metadata:
            if str(meta.typ).endswith("WorkSheet") is False:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
            sheets.append(Sheet(nfc(meta.name), rows, merged))
    except Exception as exc:
        raise WorkbookError("file-unreadable", f"{type(exc).__name__}: {exc}") from exc
    finally:
        book.close()
    return Workbook(file_name=nfc(path.name), sheets=sheets)


def cell_ref(r: int, c: int) -> str:
    """Return the A1 reference of a 0-based (row, column)."""
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"
