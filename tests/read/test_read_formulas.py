"""Formulas whose stored result cannot be trusted: recomputed as Excel shows them, or left out with their cell."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from pipeline.read import recalc
from pipeline.read.submission import parse_submission
from pipeline.read.workbook import read_workbook
from samples.cases import ROWS, TEN

HEAD = [
    ["ỦY BAN NHÂN DÂN", None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["XÃ NGỌC KỲ", None, "Độc lập - Tự do - Hạnh phúc"],
    [],
    ["PHỤ LỤC"],
    ["Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính quý III năm 2023"],
    ["(Số liệu tính từ ngày 15/6/2023 đến ngày 14/9/2023)"],
    [],
    ["STT", "Chỉ tiêu thống kê", "Kết quả thống kê", None, "Ghi chú"],
    [None, None, "Đơn vị tính", "Số liệu"],
]
# The three rates as formulas of their parts (cells of the value column D)
RATE_FORMULAS = {"D12": "=ROUND(D14/D13*100,2)", "D17": "=ROUND(D19/D18*100,2)", "D21": "=ROUND(D23/D22*100,2)"}
RATE_CODES = {"D12": "I.2", "D17": "III.3.3", "D21": "VII.5.3"}


def grid(formulas: dict[str, str] | None = None) -> list[list[object]]:
    """The Phụ lục as rows of cells; `formulas` replaces value cells (A1 refs) by formula text."""
    rows = [list(r) for r in HEAD] + [[c, n, u or None, v] for c, n, u, v in ROWS]
    for ref, text in (formulas or {}).items():
        r, c = int(ref[1:]) - 1, ord(ref[0]) - 65
        while len(rows[r]) <= c:
            rows[r].append(None)
        rows[r][c] = text
    return rows


def write_xlsxwriter(path: Path, formulas: dict[str, str] | None = None, cached: dict[str, float] | None = None,
                     sheet: str = "Phụ lục", extra=None) -> Path:
    """Like the generators: xlsxwriter stores `cached` (default 0) as each formula's result and sets fullCalcOnLoad."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(grid(formulas)):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str) and v.startswith("="):
                ref = xlsxwriter.utility.xl_rowcol_to_cell(r, c)
                ws.write_formula(r, c, v, None, (cached or {}).get(ref, 0))
            elif isinstance(v, str):
                ws.write_string(r, c, v)
            else:
                ws.write_number(r, c, v)
    if extra:
        extra(wb, ws)
    wb.close()
    return path


def write_openpyxl(path: Path, formulas: dict[str, str]) -> Path:
    """openpyxl (and pandas through it) writes formulas without any stored result."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    for r, row in enumerate(grid(formulas), start=1):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(r, c, v)
    wb.save(path)
    return path


def patch(path: Path, part: str, fix) -> Path:
    """Rewrite one XML part of a package in place (as a generator or another program would have written it)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zi, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            data = zi.read(info.filename)
            if info.filename == part:
                data = fix(data.decode("utf-8")).encode("utf-8")
            zo.writestr(info.filename, data)
    shutil.move(tmp, path)
    return path


def without_full_calc(xml: str) -> str:
    return re.sub(r'\s*fullCalcOnLoad="1"', "", xml)


def parsed(path, registry, catalog):
    sub = parse_submission(path, registry, catalog)
    values = {k: v for k, v in sub.observations.set_index("indicator_code")["value"].items()}
    raws = dict(zip(sub.observations["indicator_code"], sub.observations["raw"]))
    issues = {(i["code"], i["cell"], i["indicator_code"]) for i in sub.issues}
    return sub, values, raws, issues


def assert_ten(sub, values):
    assert (sub.unit_code, sub.period_code) == ("ngoc_ky", "2023-Q3")
    for code, want in TEN.items():
        assert values[code] == pytest.approx(want), code


# --------------------------------------------------------------------------- recomputed


def test_cached_zero_with_full_calc_on_load_is_recomputed(tmp_path, registry, catalog):
    """xlsxwriter stores 0 for every formula and asks Excel to recalculate: the rates are what Excel shows."""
    path = write_xlsxwriter(tmp_path / "Phu luc - Ngoc Ky.xlsx", RATE_FORMULAS)
    with zipfile.ZipFile(path) as z:
        assert b'fullCalcOnLoad="1"' in z.read("xl/workbook.xml")
        assert b"<v>0</v>" in z.read("xl/worksheets/sheet1.xml")
    sub, values, raws, issues = parsed(path, registry, catalog)
    assert_ten(sub, values)
    for ref, code in RATE_CODES.items():
        assert ("value-formula-recomputed", ref, code) in issues
        assert raws[code] == RATE_FORMULAS[ref]  # the officer sees the formula
    assert not any(c == "value-formula-uncached" for c, _, _ in issues)
    assert sub.rejected_by is None


def test_formulas_saved_without_values_are_recomputed(tmp_path, registry, catalog):
    """openpyxl writes `<f>` without `<v>`: recomputed, one warning per cell."""
    path = write_openpyxl(tmp_path / "Phu luc - Ngoc Ky.xlsx", RATE_FORMULAS)
    sub, values, _, issues = parsed(path, registry, catalog)
    assert_ten(sub, values)
    assert {(c, cell) for c, cell, _ in issues if c.startswith("value-formula")} == {
        ("value-formula-recomputed", ref) for ref in RATE_FORMULAS}


def test_stored_results_are_trusted_when_no_recalculation_is_asked(tmp_path, registry, catalog):
    """Excel's own files store the results it shows: read as stored, the engine is not even loaded."""
    path = write_xlsxwriter(tmp_path / "Phu luc - Ngoc Ky.xlsx", RATE_FORMULAS,
                            cached={"D12": 80, "D17": 99.5, "D21": 88})
    patch(path, "xl/workbook.xml", without_full_calc)
    assert not recalc.needs_recompute(path)
    sub, values, _, issues = parsed(path, registry, catalog)
    assert_ten(sub, values)
    assert not any(c.startswith("value-formula") for c, _, _ in issues)


def test_correct_stored_results_with_full_calc_on_load_raise_no_warning(tmp_path, registry, catalog):
    """A generator that stored the right results: recomputing agrees, so nothing is reported."""
    path = write_xlsxwriter(tmp_path / "Phu luc - Ngoc Ky.xlsx", RATE_FORMULAS,
                            cached={"D12": 80, "D17": 99.5, "D21": 88})
    assert recalc.needs_recompute(path)
    sub, values, _, issues = parsed(path, registry, catalog)
    assert_ten(sub, values)
    assert not any(c.startswith("value-formula") for c, _, _ in issues)


@pytest.mark.parametrize("flag", ['calcMode="manual"', 'calcCompleted="0"'])
def test_stale_results_of_manual_or_unfinished_calculation_are_recomputed(tmp_path, registry, catalog, flag):
    """A stale stored 70 % (parts changed in manual calculation mode) is not loaded; the rate is recomputed."""
    path = write_xlsxwriter(tmp_path / "Phu luc - Ngoc Ky.xlsx", {"D12": RATE_FORMULAS["D12"]}, cached={"D12": 70})
    patch(path, "xl/workbook.xml", lambda xml: without_full_calc(xml).replace("<calcPr ", f"<calcPr {flag} "))
    sub, values, _, issues = parsed(path, registry, catalog)
    assert values["I.2"] == 80
    assert ("value-formula-recomputed", "D12", "I.2") in issues


def test_chained_and_cross_sheet_formulas(tmp_path, registry, catalog):
    """A rate over parts that are themselves formulas on another sheet: each computed in dependency order."""
    def source_sheet(wb, ws):
        src = wb.add_worksheet("Nguồn")
        src.write_number("B1", 1200)
        src.write_number("B2", 6)

    formulas = {"D18": "='Nguồn'!B1", "D19": "=D18-'Nguồn'!B2", "D17": "=ROUND(D19/D18*100,2)",
                "D22": "=SUM(D23,150)"}
    path = write_xlsxwriter(tmp_path / "Phu luc - Ngoc Ky.xlsx", formulas, extra=source_sheet)
    sub, values, _, issues = parsed(path, registry, catalog)
    assert_ten(sub, values)
    for ref in formulas:
        assert ("value-formula-recomputed", ref) in {(c, cell) for c, cell, _ in issues}


def test_shared_formulas_are_translated(tmp_path):
    """Excel's shared formulas (one master text, followers by si) are computed for every cell they cover."""
    path = write_xlsxwriter(tmp_path / "shared.xlsx", {"E13": "=D13*2", "E14": "=D14*2"})

    def share(xml: str) -> str:
        xml = xml.replace("<f>D13*2</f>", '<f t="shared" ref="E13:E14" si="0">D13*2</f>')
        return xml.replace("<f>D14*2</f>", '<f t="shared" si="0"/>')

    patch(path, "xl/worksheets/sheet1.xml", share)
    sheet = read_workbook(path).sheets[0]
    assert (sheet.get(12, 4), sheet.get(13, 4)) == (50, 40)
    assert sheet.get(13, 4).formula == "=D14*2"


@pytest.mark.parametrize("formula", [
    "=FOOBARBAZ(D14,D13)",          # a function the engine does not know
    "=[1]Sheet1!D14/D13*100",       # an external workbook
    "=D12+1",                       # circular: the cell refers to itself
    "=ROUND(MYRATE*100,2)",         # a defined name
])
def test_formulas_the_engine_cannot_compute_stay_out(tmp_path, registry, catalog, formula):
    """Never the stored 0: the value is left out with value-formula-uncached at its cell."""
    path = write_xlsxwriter(tmp_path / "Phu luc - Ngoc Ky.xlsx", {"D12": formula})
    sub, values, raws, issues = parsed(path, registry, catalog)
    assert pd_isna(values["I.2"])
    assert ("value-formula-uncached", "D12", "I.2") in issues
    assert values["III.3.3"] == 99.5 and values["VII.5.3.1"] == 1250


def test_division_by_an_empty_part_is_the_excel_error(tmp_path, registry, catalog):
    """=D14/D13 with D13 blank: Excel shows #DIV/0!, so does tonghop (an error on the cell, no 0)."""
    rows_formula = {"D12": "=D14/D16*100"}  # D16 is the blank value cell of the III heading row
    path = write_xlsxwriter(tmp_path / "Phu luc - Ngoc Ky.xlsx", rows_formula)
    sub, values, raws, issues = parsed(path, registry, catalog)
    assert pd_isna(values["I.2"])
    assert ("value-excel-error", "D12", "I.2") in issues
    assert raws["I.2"] == "#DIV/0!"


def test_ordinary_workbook_never_reaches_the_engine(tmp_path, monkeypatch):
    """The byte pre-check alone decides for a workbook without formulas: the engine path is not entered."""
    path = write_xlsxwriter(tmp_path / "plain.xlsx")
    assert not recalc.needs_recompute(path)

    def boom(*_):
        raise AssertionError("engine path entered")

    monkeypatch.setattr(recalc, "apply_xlsx", boom)
    monkeypatch.setattr(recalc, "read_formula_cells", boom)
    assert read_workbook(path).sheets[0].get(10, 3) == 12


def test_prefixed_namespace_formulas_are_found(tmp_path):
    """`<x:c><x:f>` (prefixed SpreadsheetML) is recognised by the pre-check and the formula reader."""
    path = write_xlsxwriter(tmp_path / "prefixed.xlsx", RATE_FORMULAS)

    def prefix(xml: str) -> str:
        xml = xml.replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                          'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
        return re.sub(r"<(/?)(?![?x:])([A-Za-z]+)([ >/])", r"<\1x:\2\3", xml)

    patch(path, "xl/worksheets/sheet1.xml", prefix)
    assert recalc.needs_recompute(path)
    sheet = read_workbook(path).sheets[0]
    assert (sheet.get(11, 3), sheet.get(16, 3), sheet.get(20, 3)) == (80, 99.5, 88)


# --------------------------------------------------------------------------- legacy .xls


def write_xls(path: Path, formulas: dict[str, str]) -> Path:
    """A BIFF8 .xls from xlwt: formula results are stored blank (xlwt never computes)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Phu luc")
    for r, row in enumerate(grid(formulas)):
        for c, v in enumerate(row):
            if v is None:
                continue
            ws.write(r, c, xlwt.Formula(v[1:]) if isinstance(v, str) and v.startswith("=") else v)
    wb.save(str(path))
    return path


def test_xls_formulas_without_results_are_recomputed(tmp_path, registry, catalog):
    path = write_xls(tmp_path / "Phu luc - Ngoc Ky.xls", RATE_FORMULAS)
    sub, values, raws, issues = parsed(path, registry, catalog)
    assert_ten(sub, values)
    for ref, code in RATE_CODES.items():
        assert ("value-formula-recomputed", ref, code) in issues
    assert raws["I.2"].startswith("=ROUND(D14/D13")


def test_xls_formula_the_engine_cannot_compute_stays_out(tmp_path, registry, catalog):
    """A circular .xls formula: no silent blank, value-formula-uncached at its cell."""
    path = write_xls(tmp_path / "Phu luc - Ngoc Ky.xls", {**RATE_FORMULAS, "D12": "=D12+D13"})
    sub, values, _, issues = parsed(path, registry, catalog)
    assert pd_isna(values["I.2"])
    assert ("value-formula-uncached", "D12", "I.2") in issues
    assert values["III.3.3"] == 99.5


def test_xls_saved_without_formulas_is_not_scanned_further(tmp_path):
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    wb.add_sheet("Phu luc").write(0, 0, 12)
    wb.save(str(tmp_path / "plain.xls"))
    stream = recalc._workbook_stream(tmp_path / "plain.xls")
    assert stream and not recalc.xls_untrusted_possible(stream)


def pd_isna(v) -> bool:
    import pandas as pd

    return v is None or pd.isna(v)


def test_text_formulas_in_the_header(tmp_path, registry, catalog):
    """A header built by a formula is recomputed to the text Excel shows, so the unit is still found."""
    path = write_xlsxwriter(tmp_path / "Phu luc.xlsx", {**RATE_FORMULAS, "A2": '="XÃ "&UPPER("Ngọc Kỳ")'})
    sub, values, _, _ = parsed(path, registry, catalog)
    assert_ten(sub, values)


def test_stored_text_of_a_formula_the_engine_cannot_compute_is_kept(tmp_path, registry, catalog):
    """Generators store 0 or nothing: a non-empty stored text was computed by someone, so a label keeps it."""
    def header(wb, ws):
        ws.write_formula("A2", "=FOOBARBAZ(B99)", None, "XÃ NGỌC KỲ")

    path = write_xlsxwriter(tmp_path / "Phu luc.xlsx", RATE_FORMULAS, extra=header)
    sub, values, _, issues = parsed(path, registry, catalog)
    assert_ten(sub, values)


def write_xls_stored(path: Path, formulas: dict[str, str], stored: dict[str, float], engine_build: int,
                     monkeypatch) -> Path:
    """An .xls whose formulas store numeric results and whose RECALCID names the engine build that computed them:
    build 0 is what Apache POI / NPOI write to make Excel recalculate on load (their stored results are 0)."""
    import struct

    import xlwt
    from xlwt import BIFFRecords

    def formula_record(self, row, col, xf_index, rpn, calc_flags=0):
        ref = xlsxwriter.utility.xl_rowcol_to_cell(row, col)
        value = struct.unpack("<Q", struct.pack("<d", stored.get(ref, 0.0)))[0]
        self._rec_data = struct.pack("<3HQHL", row, col, xf_index, value, calc_flags & 3, 0) + rpn

    monkeypatch.setattr(BIFFRecords.FormulaRecord, "__init__", formula_record)
    useselfs = xlwt.Workbook._Workbook__useselfs_rec
    recalc_id = struct.pack("<HHHHL", 0x01C1, 8, 0x01C1, 0, engine_build)
    monkeypatch.setattr(xlwt.Workbook, "_Workbook__useselfs_rec", lambda self: useselfs(self) + recalc_id)
    return write_xls(path, formulas)


def test_xls_asking_for_recalculation_with_stored_zeros_is_recomputed(tmp_path, registry, catalog, monkeypatch):
    path = write_xls_stored(tmp_path / "Phu luc - Ngoc Ky.xls", RATE_FORMULAS, {}, 0, monkeypatch)
    assert read_workbook(path).sheets[0].get(11, 3) == 80
    monkeypatch.undo()
    sub, values, _, issues = parsed(path, registry, catalog)
    assert_ten(sub, values)
    assert ("value-formula-recomputed", "D17", "III.3.3") in issues


def test_xls_computed_by_excel_is_read_as_stored(tmp_path, registry, catalog, monkeypatch):
    path = write_xls_stored(tmp_path / "Phu luc - Ngoc Ky.xls", RATE_FORMULAS,
                            {"D12": 80, "D17": 99.5, "D21": 88}, 191029, monkeypatch)
    monkeypatch.undo()
    assert not recalc.xls_untrusted_possible(recalc._workbook_stream(path))
    sub, values, _, issues = parsed(path, registry, catalog)
    assert_ten(sub, values)
    assert not any(c.startswith("value-formula") for c, _, _ in issues)


def test_unreadable_formulas_in_a_workbook_asking_to_recalculate_reject_the_file(tmp_path, registry, catalog):
    """calamine reads the stored zeros, but the formulas cannot be parsed: the file is refused, no 0 is loaded."""
    path = write_xlsxwriter(tmp_path / "Phu luc - Ngoc Ky.xlsx", RATE_FORMULAS)
    patch(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace("</sheetData>", "</sheetData><y:ext/>"))
    sub = parse_submission(path, registry, catalog)
    assert sub.rejected_by and sub.rejected_by["code"] == "file-unreadable"
    assert sub.observations is None or sub.observations.empty or "I.2" not in set(sub.observations["indicator_code"])
