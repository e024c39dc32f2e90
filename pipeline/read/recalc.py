"""Formula cells whose stored result cannot be trusted: found cheaply, recomputed with the `formulas` engine.

A stored formula result is not what Excel shows when
- the cell has no stored result at all (openpyxl, Apache POI and most scripts write `<f>` without `<v>`), or
- the workbook asks Excel to recalculate on open (`<calcPr fullCalcOnLoad="1">`, written by xlsxwriter,
  openpyxl and therefore pandas, EPPlus, ClosedXML, which store 0 or nothing as every result), was saved in manual
  calculation mode (`calcMode="manual"`) or before a calculation finished (`calcCompleted="0"`).
Legacy .xls (BIFF8): a blank stored result in a file that no Excel calculation engine saved (no RECALCID record:
xlwt and similar), every formula of a RECALCID with engine build 0 (POI/NPOI's forced recalculation, results 0) or
of a sheet with an UNCALCED record. Formulas come from xlrd's decompiler (shared/array formulas excepted).

`apply_xlsx` / `apply_xls` replace each such cell of the grid calamine read by a `RecomputedFormula` (a float that
keeps its formula text and the stored value) when the engine computes it, by the Excel error Excel would show for
a well-defined error (#DIV/0!, #N/A, #NUM!, #VALUE!), else by an `UncachedFormula` (the value stays out with
`value-formula-uncached`). A recomputed value equal to the stored one is left as it was. Inputs are the cells
calamine already read, so only the formulas that need it are parsed.

The engine (`formulas`, whose first compile costs ~0.5-1 s per process, paid only by workbooks that need it) is
given each formula alone; its references are resolved here against the grid, recursively for referenced
untrusted formulas. External links, defined names, circular references, unsupported functions, data tables,
array formulas and whole-row/column ranges beyond MAX_RANGE_CELLS give `UncachedFormula`.
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.read import package
from pipeline.read.basics import cell_ref, column_index
from pipeline.vn.numbers import UncachedFormula
from pipeline.vn.text import nfc

# A formula element in any namespace prefix (`<f>`, `<f t="shared" .../>`, `<x:f>`)
_F_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)c\b[^>]*?(?:/>|>(.*?)</\1c>)", re.S)
_V_FILLED = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>[^<]")
_CALC_PR = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?calcPr\b[^>]*>", re.S)
_RECALC_FLAGS = (
    re.compile(rb"\bfullCalcOnLoad\s*=\s*[\"'](?:1|true|on)[\"']"),
    re.compile(rb"\bcalcMode\s*=\s*[\"']manual[\"']"),
    re.compile(rb"\bcalcCompleted\s*=\s*[\"'](?:0|false|off)[\"']"),
)
MAX_RANGE_CELLS = 200_000
_SHOWN_ERRORS = {"#DIV/0!", "#N/A", "#NUM!", "#VALUE!"}  # errors Excel itself would show for the same inputs


class RecomputedFormula(float):
    """A formula cell whose stored result could not be trusted, recomputed: the number, its formula, the stored value."""

    formula: str
    stored: object

    def __new__(cls, value: float, formula: str, stored: object = None):
        obj = super().__new__(cls, value)
        obj.formula = formula
        obj.stored = stored
        return obj

    def __reduce__(self):  # keep formula and stored value across process boundaries (parallel reading)
        return (RecomputedFormula, (float(self), self.formula, self.stored))


class EngineFailure(Exception):
    """The engine cannot compute a formula the way Excel would (the reason is the message)."""


# --------------------------------------------------------------------------- package access


def member_map(names: list[str]) -> dict[str, str]:
    """Map normalised member paths ('xl/workbook.xml': lower case, '/' separated, no leading '/') to real names."""
    return {n.replace("\\", "/").lstrip("/").lower(): n for n in names}


def _recalc_requested(workbook_xml: bytes) -> bool:
    m = _CALC_PR.search(workbook_xml)
    return bool(m) and any(p.search(m.group(0)) for p in _RECALC_FLAGS)


def needs_recompute(path: Path, scan=None) -> bool:
    """Cheaply tell whether any formula cell's stored result cannot be trusted (byte scans, no XML parse).

    `scan(member name, sheet xml)`, when given, also sees every worksheet's XML (read once for both)."""
    try:
        with package.zip_of(path) as z:
            members = member_map(z.namelist())
            sheets = [real for norm, real in members.items()
                      if norm.startswith("xl/worksheets/") and norm.endswith(".xml") and "/_rels/" not in norm]
            with_formulas = []
            for name in sheets:
                xml = package.read(z, name)
                if scan is not None:
                    scan(name, xml)
                if (b"<f" in xml or b":f" in xml) and _F_TAG.search(xml):  # plain find first: most sheets have none
                    with_formulas.append(xml)
            if not with_formulas:
                return False
            wb_name = members.get("xl/workbook.xml")
            if wb_name and _recalc_requested(package.read(z, wb_name)):
                return True
            for xml in with_formulas:
                for m in _CELL.finditer(xml):
                    body = m.group(2)
                    if body and _F_TAG.search(body) and not _V_FILLED.search(body):
                        return True
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return False
    return False


@dataclass
class FormulaCell:
    """One formula cell of a sheet: 0-based position, formula text ('=...'), kind, whether its result is stored."""

    sheet: str
    r: int
    c: int
    text: str
    kind: str  # "normal" | "shared" | "array" | "dataTable"
    cached: bool


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].split(":")[-1]


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def _parse_ref(ref: str) -> tuple[int, int] | None:
    m = _REF.match(ref.strip())
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def read_formula_cells(path: Path) -> tuple[list[FormulaCell], bool]:
    """Every formula cell of every worksheet (namespace- and path-tolerant), and whether a recalculation is requested."""
    from defusedxml import ElementTree as DET
    from openpyxl.formula.translate import Translator

    cells: list[FormulaCell] = []
    with zipfile.ZipFile(path) as z:
        members = member_map(z.namelist())
        wb_real = members.get("xl/workbook.xml")
        if wb_real is None:
            return cells, False
        wb_xml = z.read(wb_real)
        recalc = _recalc_requested(wb_xml)
        rels: dict[str, str] = {}
        rels_real = members.get("xl/_rels/workbook.xml.rels")
        if rels_real:
            for el in DET.fromstring(z.read(rels_real)).iter():
                if _local(el.tag) == "Relationship" and el.get("Id") and el.get("Target"):
                    target = el.get("Target").replace("\\", "/")
                    target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    rels[el.get("Id")] = target.lower()
        for el in DET.fromstring(wb_xml).iter():
            if _local(el.tag) != "sheet":
                continue
            name, rid = el.get("name"), None
            for k, v in el.attrib.items():
                if _local(k) == "id" and k.startswith("{"):
                    rid = v
            part = members.get(rels.get(rid or "", ""))
            if name is None or part is None:
                continue
            cells.extend(_sheet_formulas(nfc(name), z.read(part), DET, Translator))
    return cells, recalc


def _sheet_formulas(sheet: str, xml: bytes, DET, Translator) -> list[FormulaCell]:
    out: list[FormulaCell] = []
    if not _F_TAG.search(xml):
        return out
    root = DET.fromstring(xml)
    shared: dict[str, tuple[str, str]] = {}  # si -> (master formula, master ref)
    r_next = 0
    for row in root.iter():
        if _local(row.tag) != "row":
            continue
        r = int(row.get("r")) - 1 if (row.get("r") or "").isdigit() else r_next
        r_next = r + 1
        c_next = 0
        for cell in row:
            if _local(cell.tag) != "c":
                continue
            pos = _parse_ref(cell.get("r") or "")
            rr, c = pos if pos else (r, c_next)
            c_next = c + 1
            f = v = None
            for child in cell:
                name = _local(child.tag)
                if name == "f":
                    f = child
                elif name == "v":
                    v = child
            if f is None:
                continue
            kind = f.get("t") or "normal"
            text = (f.text or "").strip()
            if kind == "shared":
                si = f.get("si") or ""
                if text:
                    shared[si] = ("=" + text, cell_ref(rr, c))
                elif si in shared:
                    master, origin = shared[si]
                    try:
                        text = Translator(master, origin=origin).translate_formula(cell_ref(rr, c))[1:]
                    except Exception:
                        text = ""
            cached = v is not None and bool((v.text or "").strip()) or (v is not None and cell.get("t") == "str")
            if text:
                out.append(FormulaCell(sheet, rr, c, "=" + text, kind, cached))
    return out


# --------------------------------------------------------------------------- evaluation


class FormulaReadError(Exception):
    """The package needs its formulas recomputed but they cannot be read: its stored results must not be used."""


def apply_xlsx(path: Path, sheets: list) -> None:
    """Recompute, in the sheets' grids, every formula cell of an .xlsx/.xlsm whose stored result cannot be trusted.

    Raises FormulaReadError when the formulas cannot be read (the stored results, often 0, would be loaded)."""
    try:
        cells, recalc = read_formula_cells(path)
    except Exception as exc:
        raise FormulaReadError(f"{type(exc).__name__}: {exc}") from exc
    untrusted = [fc for fc in cells if recalc or not fc.cached]
    if not untrusted:
        return
    names = {s.name for s in sheets}
    for fc in untrusted:  # a sheet name re-decoded from TCVN3/VNI after reading
        if fc.sheet not in names:
            fc.sheet = _decoded_name(fc.sheet)
    apply(sheets, untrusted)


def _decoded_name(name: str) -> str:
    from pipeline.vn import encodings as legacy

    return nfc(legacy.to_unicode(name, legacy.guess_encoding(name))) if legacy.looks_legacy(name) else name


def apply(sheets: list, untrusted: list[FormulaCell]) -> None:
    """Replace each untrusted formula cell of `sheets` (Sheet objects) by its recomputed value or a marker."""
    ev = _Evaluator(sheets, untrusted)
    results = {}
    for fc in untrusted:
        results[(fc.sheet, fc.r, fc.c)] = ev.outcome(fc)
    for (name, r, c), value in results.items():
        sheet = ev.sheet(name)
        if sheet is None:
            continue
        stored = sheet.get(r, c)
        if isinstance(value, RecomputedFormula) and _same(stored, float(value)):
            continue  # the stored result is what Excel shows: nothing to report
        if isinstance(value, UncachedFormula) and isinstance(stored, str) and stored.strip() \
                and not isinstance(stored, UncachedFormula):
            continue  # a text result someone computed (generators store 0 or nothing): a label keeps its text
        while len(sheet.rows) <= r:
            sheet.rows.append([])
        row = sheet.rows[r]
        while len(row) <= c:
            row.append("")
        if isinstance(value, RecomputedFormula):
            value.stored = stored
        row[c] = value


def _same(stored: object, value: float) -> bool:
    if isinstance(stored, bool) or not isinstance(stored, (int, float)):
        return False
    return math.isclose(float(stored), value, rel_tol=1e-12, abs_tol=1e-12)


class _Evaluator:
    def __init__(self, sheets: list, untrusted: list[FormulaCell]):
        self._sheets = {s.name.casefold(): s for s in sheets}
        self._untrusted = {(fc.sheet.casefold(), fc.r, fc.c): fc for fc in untrusted}
        self._memo: dict[tuple[str, int, int], object] = {}
        self._stack: set[tuple[str, int, int]] = set()
        self._compiled: dict[str, object] = {}

    def sheet(self, name: str):
        return self._sheets.get(name.casefold())

    def outcome(self, fc: FormulaCell) -> object:
        """The value to put in the grid: RecomputedFormula, an Excel error text, a text result, or UncachedFormula."""
        try:
            value = self._compute(fc)
        except (EngineFailure, RecursionError):
            return UncachedFormula(fc.text)
        if isinstance(value, str):
            return value
        return RecomputedFormula(value, fc.text)

    def _compute(self, fc: FormulaCell) -> object:
        key = (fc.sheet.casefold(), fc.r, fc.c)
        if key in self._memo:
            value = self._memo[key]
            if isinstance(value, EngineFailure):
                raise value
            return value
        if key in self._stack:
            raise EngineFailure("circular reference")
        if fc.kind in ("array", "dataTable"):
            raise EngineFailure(f"{fc.kind} formula")
        self._stack.add(key)
        try:
            value = self._evaluate(fc)
        except EngineFailure as exc:
            self._memo[key] = exc
            raise
        except RecursionError:
            raise EngineFailure("formula chain too deep") from None
        except Exception as exc:  # the engine's own errors: unsupported function, bad syntax
            failure = EngineFailure(f"{type(exc).__name__}: {exc}")
            self._memo[key] = failure
            raise failure from None
        finally:
            self._stack.discard(key)
        self._memo[key] = value
        return value

    def _evaluate(self, fc: FormulaCell) -> object:
        import formulas
        import numpy as np
        import schedula as sh
        from formulas.tokens.operand import XlError

        func = self._compiled.get(fc.text)
        if func is None:
            func = formulas.Parser().ast(fc.text)[1].compile()
            self._compiled[fc.text] = func
        args = [self._input(name, fc.sheet, np, sh) for name in func.inputs]
        result = func(*args)
        if isinstance(result, np.ndarray):
            if result.size != 1:
                raise EngineFailure("formula returns an array")
            result = result.ravel()[0]
        if result is sh.EMPTY:
            return 0.0
        if isinstance(result, XlError):
            text = str(result)
            if text in _SHOWN_ERRORS:
                return text
            raise EngineFailure(f"engine error {text}")
        if isinstance(result, (bool, np.bool_)):
            return float(bool(result))
        if isinstance(result, (int, float, np.integer, np.floating)):
            value = float(result)
            if math.isnan(value) or math.isinf(value):
                raise EngineFailure("not a finite number")
            return value
        if isinstance(result, str):
            return result
        raise EngineFailure(f"unexpected result {type(result).__name__}")

    def _input(self, name: str, own_sheet: str, np, sh) -> object:
        sheet_name, _, ref = name.rpartition("!")
        if sheet_name.startswith("[") or "[" in sheet_name:
            raise EngineFailure(f"external reference {name}")
        if sheet_name:
            sheet_name = sheet_name[1:-1].replace("''", "'") if sheet_name.startswith("'") else sheet_name
        else:
            sheet_name = own_sheet
        key = nfc(sheet_name).casefold()
        sheet = self._sheets.get(key)
        if sheet is None:
            raise EngineFailure(f"unknown sheet or name {name}")
        bounds = _bounds(ref, sheet, self._untrusted, key)
        if bounds is None:
            raise EngineFailure(f"defined name or unsupported reference {name}")
        r0, c0, r1, c1 = bounds
        if r0 == r1 and c0 == c1 and ":" not in ref:
            return self._cell(key, sheet, r0, c0, sh)
        if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_RANGE_CELLS:
            raise EngineFailure(f"range {name} too large")
        out = np.empty((r1 - r0 + 1, c1 - c0 + 1), dtype=object)
        for i in range(r0, r1 + 1):
            for j in range(c0, c1 + 1):
                out[i - r0, j - c0] = self._cell(key, sheet, i, j, sh)
        return out

    def _cell(self, key: str, sheet, r: int, c: int, sh) -> object:
        fc = self._untrusted.get((key, r, c))
        if fc is not None:
            return self._compute(fc)
        v = sheet.get(r, c)
        if v is None:
            return sh.EMPTY
        if isinstance(v, UncachedFormula):
            raise EngineFailure("depends on a formula without a value")
        if isinstance(v, RecomputedFormula):
            return float(v)
        if isinstance(v, bool):
            return v
        if isinstance(v, (int, float)):
            return float(v)
        if isinstance(v, str):
            return v
        raise EngineFailure(f"input of type {type(v).__name__}")  # dates, times: leave them to Excel


_RANGE = re.compile(r"^\$?([A-Z]{1,3})?\$?(\d+)?(?::\$?([A-Z]{1,3})?\$?(\d+)?)?$")


def _bounds(ref: str, sheet, untrusted: dict, key: str) -> tuple[int, int, int, int] | None:
    """0-based (r0, c0, r1, c1) of an A1 reference; whole rows/columns are clipped to the sheet's used area."""
    m = _RANGE.match(ref.upper())
    if not m or not ref:
        return None
    c0s, r0s, c1s, r1s = m.groups()
    if ":" not in ref:
        if not (c0s and r0s):
            return None
        return int(r0s) - 1, column_index(c0s), int(r0s) - 1, column_index(c0s)
    height = max([len(sheet.rows)] + [k[1] + 1 for k in untrusted if k[0] == key])
    width = max([len(row) for row in sheet.rows] + [k[2] + 1 for k in untrusted if k[0] == key] + [1])
    r0 = int(r0s) - 1 if r0s else 0
    r1 = int(r1s) - 1 if r1s else max(height - 1, 0)
    c0 = column_index(c0s) if c0s else 0
    c1 = column_index(c1s) if c1s else max(width - 1, 0)
    if (r0s is None) != (r1s is None) or (c0s is None) != (c1s is None):
        return None
    if r0s is None and c0s is None:
        return None
    r0, r1 = min(r0, r1), max(r0, r1)
    c0, c1 = min(c0, c1), max(c0, c1)
    return r0, c0, r1, c1


# --------------------------------------------------------------------------- legacy .xls (BIFF8)

_BIFF_FORMULA, _BIFF_UNCALCED, _BIFF_RECALCID, _BIFF_EOF, _BIFF_BOF = 0x0006, 0x005E, 0x01C1, 0x000A, 0x0809
# A FORMULA record whose result is "blank" (FormulaValue type 3, fExprO 0xFFFF): what xlwt and other generators
# that never compute write for every formula; Excel writes it only for formulas returning "".
_RECALC_ON_LOAD = b"\xc1\x01\x08\x00\xc1\x01\x00\x00\x00\x00\x00\x00"  # RECALCID, engine build 0
_BLANK_RESULT = re.compile(rb"\x06\x00..(?:.){6}\x03.{5}\xff\xff", re.S)


def _workbook_stream(path: Path) -> bytes | None:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            for name in ("Workbook", "Book"):
                if ole.exists(name):
                    return ole.openstream(name).read()
    except Exception:
        return None
    return None


def xls_untrusted_possible(stream: bytes) -> bool:
    """Cheap byte test on the Workbook stream: a blank formula result or an UNCALCED record may be there."""
    return (bool(_BLANK_RESULT.search(stream)) or b"\x5e\x00\x02\x00" in stream
            or _RECALC_ON_LOAD in stream)


def read_xls_formulas(path: Path, stream: bytes) -> list[FormulaCell]:
    """Untrusted formula cells of a BIFF8 workbook, their formulas decompiled by xlrd ('' when it cannot).

    A sheet with an UNCALCED record was saved before recalculation, and a RECALCID record whose engine build is 0
    asks Excel to recalculate everything on load (Apache POI/NPOI's forced recalculation, which stores 0 results):
    all formulas are untrusted. Otherwise a formula whose stored result is blank is untrusted when the workbook
    was not saved by an Excel that records its calculation engine (no RECALCID record: xlwt and other
    generators), since Excel recalculates such files on load.
    """
    import struct

    import xlrd
    from xlrd import formula as xf

    book = xlrd.open_workbook(str(path), on_demand=True, logfile=_NullLog())
    try:
        mem, starts, names = book.mem, list(book._sh_abs_posn), [nfc(n) for n in book.sheet_names()]
        first_sheet = min(starts) if starts else len(mem)
        builds = [struct.unpack_from("<L", data, 4)[0] for code, data in _records(mem, getattr(book, "base", 0), first_sheet)
                  if code == _BIFF_RECALCID and len(data) >= 8]
        recalc_id, recalc_all = bool(builds), 0 in builds
        out: list[FormulaCell] = []
        for name, start in zip(names, starts):
            uncalced = _has_record(mem, start, len(mem), _BIFF_UNCALCED, stop_at_eof=True)
            for row, col, value, rgce in _formula_records(mem, start):
                blank = value[0] == 3 and value[6:8] == b"\xff\xff"
                if not (uncalced or recalc_all or (blank and not recalc_id)):
                    continue
                try:
                    text = xf.decompile_formula(book, rgce, len(rgce), xf.FMLA_TYPE_CELL, row, col)
                except Exception:
                    text = ""
                out.append(FormulaCell(name, row, col, "=" + text if text else "", "normal", not blank))
        return out
    finally:
        book.release_resources()


class _NullLog:
    def write(self, *_):
        pass


def _records(mem: bytes, pos: int, end: int):
    import struct

    while pos + 4 <= end:
        code, length = struct.unpack_from("<HH", mem, pos)
        yield code, mem[pos + 4: pos + 4 + length]
        pos += 4 + length


def _has_record(mem: bytes, start: int, end: int, wanted: int, stop_at_eof: bool = False) -> bool:
    depth = 0
    for code, _ in _records(mem, start, end):
        if code == wanted and depth <= 1:
            return True
        if code == _BIFF_BOF:
            depth += 1
        elif code == _BIFF_EOF:
            depth -= 1
            if stop_at_eof and depth <= 0:
                return False
    return False


def _formula_records(mem: bytes, start: int):
    import struct

    depth = 0
    for code, data in _records(mem, start, len(mem)):
        if code == _BIFF_BOF:
            depth += 1
        elif code == _BIFF_EOF:
            depth -= 1
            if depth <= 0:
                return
        elif code == _BIFF_FORMULA and depth == 1 and len(data) >= 22:
            row, col = struct.unpack_from("<HH", data, 0)
            (cce,) = struct.unpack_from("<H", data, 20)
            yield row, col, data[6:14], data[22:22 + cce]


def _xls_sheet_names(path: Path) -> list[str]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=_NullLog())
    except Exception:
        return []
    try:
        return [nfc(n) for n in book.sheet_names()]
    finally:
        book.release_resources()


def apply_xls(path: Path, sheets: list) -> None:
    """The .xls counterpart of apply_xlsx: recompute formula cells whose stored result cannot be trusted.

    Raises FormulaReadError when the workbook asks for recalculation but xlrd cannot read its formulas."""
    try:  # the raw file first (BIFF records lie contiguous in the files writers produce): no OLE parse when clean
        if not xls_untrusted_possible(Path(path).read_bytes()):
            return
    except OSError:
        return
    stream = _workbook_stream(path)
    if not stream or not xls_untrusted_possible(stream):
        return
    try:
        cells = read_xls_formulas(path, stream)
    except Exception as exc:  # xlrd cannot read every .xls calamine can
        if _RECALC_ON_LOAD in stream or b"\x5e\x00\x02\x00" in stream:  # stored numbers are stale: never load them
            raise FormulaReadError(f"{type(exc).__name__}: {exc}") from exc
        return  # only blank results at stake: the cells stay blank, no wrong number
    if not cells:
        return
    by_name = {s.name: s for s in sheets}
    xls_names = list(dict.fromkeys(fc.sheet for fc in cells))
    if any(n not in by_name for n in xls_names):  # names re-decoded from TCVN3/VNI: match worksheets by position
        order = _xls_sheet_names(path)
        if order and len(order) == len(sheets):
            renamed = {old: new.name for old, new in zip(order, sheets)}
            for fc in cells:
                fc.sheet = renamed.get(fc.sheet, fc.sheet)
    named = []
    for fc in cells:
        if fc.sheet not in by_name:
            continue
        if not fc.text:  # a formula xlrd cannot decompile (shared formulas, rare tokens): out, with its cell
            sheet = by_name[fc.sheet]
            while len(sheet.rows) <= fc.r:
                sheet.rows.append([])
            while len(sheet.rows[fc.r]) <= fc.c:
                sheet.rows[fc.r].append("")
            sheet.rows[fc.r][fc.c] = UncachedFormula("(công thức .xls không giải mã được)")
            continue
        named.append(fc)
    if named:
        apply(sheets, named)
