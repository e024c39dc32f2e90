"""Small pieces every reader shares: A1 cell references and the error of a workbook that cannot be read."""

from __future__ import annotations

from pipeline.errors import TonghopError


class WorkbookError(TonghopError):
    """A workbook that cannot be read; `code` is an issue code of pipeline.issues."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def cell_ref(r: int, c: int) -> str:
    """Return the A1 reference of a 0-based (row, column)."""
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"
