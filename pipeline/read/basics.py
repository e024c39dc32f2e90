"""Small pieces every reader shares: A1 cell references and the error of a workbook that cannot be read."""

from __future__ import annotations

from pipeline.errors import TonghopError


class WorkbookError(TonghopError):
    """A workbook that cannot be read; `code` is an issue code of pipeline.issues."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def column_letters(c: int) -> str:
    """Return the A1 letters of a 0-based column (0 -> 'A', 1023 -> 'AMJ')."""
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: bytes | str) -> int:
    """Return the 0-based column of A1 column letters ('A' -> 0, 'AMJ' -> 1023), bytes or text, any case."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def cell_ref(r: int, c: int) -> str:
    """Return the A1 reference of a 0-based (row, column)."""
    return f"{column_letters(c)}{r + 1}"
