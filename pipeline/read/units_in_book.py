"""Workbooks that hold several units' reports, a sheet per commune (a cluster officer typing for several communes).

Each sheet that carries its own issuer block ("UBND XÃ NGỌC KỲ") and a statistics table is its own submission; a
table sheet whose unit cannot be told is reported on its own, never folded into another unit. A workbook whose sheets
name one unit (or none) is one submission, as before. The check costs one look at each sheet's top rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.read.metadata import header_texts, issuer_unit
from pipeline.read.table import read_tables
from pipeline.read.workbook import Workbook
from pipeline.reference.registry import Registry


@dataclass
class UnitSheets:
    """The one-sheet workbooks of a several-unit workbook, each with the unit its issuer block names (None: unknown)."""

    books: list[tuple[Workbook, str | None]]
    unit_names: list[str]  # the units named, in sheet order (for messages)


def split_by_unit(book: Workbook, registry: Registry) -> UnitSheets | None:
    """Split `book` by the issuer blocks of its sheets, or return None when it holds one unit's report."""
    named = {}
    for sheet in book.sheets:
        code = issuer_unit(header_texts(Workbook(book.file_name, [sheet])), registry)
        if code:
            named[sheet.name] = code
    if len(set(named.values())) < 2:
        return None
    books: list[tuple[Workbook, str | None]] = []
    for sheet in book.sheets:
        one = Workbook(book.file_name, [sheet], [n for n in book.notes if n.get("sheet") in (None, sheet.name)])
        if sheet.name in named or read_tables(one):
            books.append((one, named.get(sheet.name)))
    labels = dict(zip(registry.units["code"], registry.units["label"])) if "label" in registry.units else {}
    names = list(dict.fromkeys(labels.get(c, c) for c in named.values()))
    return UnitSheets(books, names)
