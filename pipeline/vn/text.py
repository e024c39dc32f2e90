"""Text normalisation shared by every matcher: NFC, accent folding, keys for comparison."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)
def nfc(text: str) -> str:
    """Return `text` in Unicode NFC with non-breaking and odd spaces made plain, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ").replace("\u2007", " ").replace("\u202f", " ").replace("\u200b", "")
    return _SPACES.sub(" ", text).strip()


def shown_name(name: str) -> str:
    """A file name that can be shown and stored (UTF-8): bytes that are not UTF-8 (kept by the OS as lone surrogates)
    are written as \\xNN, then NFC; the same name always gives the same text."""
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        try:
            name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a lone surrogate that is no escaped byte (Windows): keep its code point as text
            name = name.encode("utf-8", "backslashreplace").decode("ascii")
    return unicodedata.normalize("NFC", name)


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Return a comparison key: accents folded, đ→d, lower case, punctuation as single spaces."""
    decomposed = unicodedata.normalize("NFD", str(text))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "D").lower()
    return _NON_ALNUM.sub(" ", stripped).strip()


def clean_code(code: object) -> str:
    """Return a printed STT code without spaces and trailing dots: '2.1.' → '2.1'."""
    if code is None:
        return ""
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    text = nfc(str(code)).replace(" ", "").replace(",", ".")
    return text.strip(".")


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def roman(n: int) -> str:
    """Return the Roman numeral of 1..10."""
    return ROMAN[n - 1]


_PARENS = re.compile(r"\([^)]*\)")


def row_key(text: str) -> str:
    """Return the comparison key of a row's text without its parenthetical remarks."""
    return fold(_PARENS.sub(" ", text))
