"""Other containers: Excel 2003 XML Spreadsheets (.xls/.xml) and OOXML packages Excel opens though they look odd."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from pipeline.inbox.files import discover
from pipeline.read.safety import check_file
from pipeline.read.submission import parse_submission
from pipeline.read.workbook import WorkbookError, read_workbook
from tests.read.test_read_formulas import HEAD, ROWS, TEN, assert_ten, grid, parsed, write_xlsxwriter

SS = "urn:schemas-microsoft-com:office:spreadsheet"


def ss_cell(v, index: int | None = None, extra: str = "") -> str:
    at = (f' ss:Index="{index}"' if index else "") + extra
    if v is None:
        return f"<Cell{at}/>"
    kind = "Number" if isinstance(v, (int, float)) else "String"
    return f'<Cell{at}><Data ss:Type="{kind}">{escape(str(v))}</Data></Cell>'


def spreadsheetml(rows_xml: list[str], name: str = "Phụ lục", before: str = "", prolog: str = "") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + prolog + '<?mso-application progid="Excel.Sheet"?>\n'
            f'<Workbook xmlns="{SS}" xmlns:o="urn:schemas-microsoft-com:office:office" '
            f'xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:ss="{SS}" '
            'xmlns:html="http://www.w3.org/TR/REC-html40">\n' + before +
            f'<Worksheet ss:Name="{escape(name)}"><Table ss:ExpandedColumnCount="5">\n'
            '<Column ss:Width="40"/><Column ss:Width="300"/>\n' + "\n".join(rows_xml) +
            "\n</Table></Worksheet></Workbook>\n")


def phu_luc_rows_xml() -> list[str]:
    """The Phụ lục as Excel writes it: blank rows skipped with ss:Index, cells placed with ss:Index, merged headers."""
    out = []
    head = grid()[:len(HEAD)]
    for r, row in enumerate(head, start=1):
        if not any(v is not None for v in row):
            continue  # Excel omits empty rows; the next row carries ss:Index
        cells = []
        c_prev = 0
        for c, v in enumerate(row, start=1):
            if v is None:
                continue
            extra = ""
            if r == 8 and c in (1, 2, 5):
                extra = ' ss:MergeDown="1"'
            if r == 8 and c == 3:
                extra = ' ss:MergeAcross="1"'
            cells.append(ss_cell(v, c if c != c_prev + 1 else None, extra))
            c_prev = c + (1 if "MergeAcross" in extra else 0)
        out.append(f'<Row ss:Index="{r}">' + "".join(cells) + "</Row>")
    for code, name, unit, value in ROWS:
        cells = [ss_cell(code), ss_cell(name)]
        if unit:
            cells.append(ss_cell(unit))
        if value is not None:
            cells.append(ss_cell(value, None if unit else 4))
        out.append("<Row>" + "".join(cells) + "</Row>")
    return out


@pytest.mark.parametrize("suffix", [".xls", ".xml"])
def test_spreadsheetml_gives_the_ten_values(tmp_path, registry, catalog, suffix):
    path = tmp_path / f"Phu luc CCHC quy III 2023 - Ngoc Ky{suffix}"
    path.write_text(spreadsheetml(phu_luc_rows_xml()), encoding="utf-8")
    assert check_file(path).ok
    sub, values, _, issues = parsed(path, registry, catalog)
    assert_ten(sub, values)
    assert sub.rejected_by is None
    refs = dict(zip(sub.observations["indicator_code"], sub.observations["source_ref"]))
    assert refs["I.2"].endswith("!Phụ lục!D12") and refs["VII.5.3.2"].endswith("!D23")


def test_spreadsheetml_grid_index_gaps_merges_hidden(tmp_path):
    rows = ['<Row><Cell ss:MergeAcross="2"><Data ss:Type="String">Tiêu đề</Data></Cell>'
            '<Cell><Data ss:Type="Number">7</Data></Cell></Row>',
            '<Row ss:Index="4"><Cell ss:Index="3" ss:MergeDown="2"><Data ss:Type="String">Không phát sinh</Data></Cell>'
            '<Cell ss:Formula="=R[-3]C*2"/><Cell><Data ss:Type="Boolean">1</Data></Cell>'
            '<Cell ss:Formula="=SUM(C[-5])"/></Row>',
            '<Row ss:Index="8" ss:Hidden="1"><Cell><Data ss:Type="Number">99</Data></Cell></Row>']
    hidden = ('<Worksheet ss:Name="Nháp"><Table><Row><Cell><Data ss:Type="Number">2200</Data></Cell></Row></Table>'
              '<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible>'
              '</WorksheetOptions></Worksheet>\n')
    path = tmp_path / "grid.xml"
    path.write_text(spreadsheetml(rows, name="Số liệu", before=hidden), encoding="utf-8")
    book = read_workbook(path)
    assert [s.name for s in book.sheets] == ["Số liệu"]  # the hidden draft sheet gives nothing
    s = book.sheets[0]
    assert s.get(0, 0) == "Tiêu đề" and s.get(0, 3) == 7  # the cell after a 3-wide merge lands in D
    assert s.get(3, 2) == "Không phát sinh" and s.get(3, 4) is True
    assert s.get(3, 3) == 14 and s.get(3, 3).formula == "=D1*2"  # saved without a result: computed from D1 = 7
    assert s.get(3, 5) == "=SUM(C[-5])" and type(s.get(3, 5)).__name__ == "UncachedFormula"  # whole column: out
    assert (0, 0, 0, 2) in s.merged and (3, 2, 5, 2) in s.merged
    assert s.hidden_rows == {7} and s.get(7, 0) is None  # a hidden row is not read (Excel does not show it)
    assert s.hidden_figures == [("row", 7, "A8")]


def test_spreadsheetml_with_entities_is_refused(tmp_path):
    """Billion laughs inside an XML Spreadsheet: refused before parsing, and defusedxml refuses it too."""
    bomb = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
    path = tmp_path / "bomb.xls"
    path.write_text(spreadsheetml(['<Row><Cell><Data ss:Type="String">&lol2;</Data></Cell></Row>'], prolog=bomb),
                    encoding="utf-8")
    assert check_file(path).code == "file-unsafe-xml"
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert err.value.code == "file-unsafe-xml"


def test_broken_spreadsheetml_reason_names_the_format(tmp_path, registry, catalog):
    path = tmp_path / "Phu luc - Ngoc Ky.xls"
    path.write_text(spreadsheetml(phu_luc_rows_xml())[:3000], encoding="utf-8")  # cut off mid-document
    sub = parse_submission(path, registry, catalog)
    reason = sub.rejected_by
    assert reason and reason["code"] == "file-unreadable"
    assert "XML Spreadsheet" in reason["message"] and ".xlsx" in reason["message"]
    assert "HTML" not in reason["message"]


def test_html_saved_as_xls_is_still_called_html(tmp_path):
    path = tmp_path / "web.xls"
    path.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>", encoding="utf-8")
    verdict = check_file(path)
    assert verdict.code == "file-unreadable" and "HTML" in verdict.detail


def test_inbox_takes_xml_files_only_when_they_are_spreadsheets(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bao cao.xml").write_text(spreadsheetml(phu_luc_rows_xml()), encoding="utf-8")
    (inbox / "cau hinh.xml").write_text('<?xml version="1.0"?><config><a>1</a></config>', encoding="utf-8")
    assert [f.rel for f in discover(inbox)] == ["bao cao.xml"]


# --------------------------------------------------------------------------- odd OOXML packages


def rezip(src: Path, dst: Path, rename=lambda n: n, rewrite=lambda n, d: d) -> Path:
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            zo.writestr(rename(info.filename), rewrite(info.filename, zi.read(info.filename)))
    return dst


def _prefixed(name: str, data: bytes) -> bytes:
    if not name.startswith(("xl/worksheets/", "xl/workbook.xml", "xl/sharedStrings.xml")):
        return data
    xml = data.decode("utf-8").replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                                       'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
    return re.sub(r"<(/?)(?![?x:])([A-Za-z]+)([ >/])", r"<\1x:\2\3", xml).encode("utf-8")


def _strict(name: str, data: bytes) -> bytes:
    if not name.endswith((".xml", ".rels")):
        return data
    xml = data.decode("utf-8")
    xml = xml.replace("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
    xml = xml.replace("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                      "http://purl.oclc.org/ooxml/officeDocument/relationships")
    return xml.replace('conformance="transitional"', "").replace("<workbook ", '<workbook conformance="strict" ').encode("utf-8")


ODD = {
    "leading-slash": dict(rename=lambda n: "/" + n),
    "backslashes": dict(rename=lambda n: n.replace("/", "\\")),
    "upper-case": dict(rename=lambda n: n.replace("xl/", "XL/").replace("workbook.xml", "Workbook.xml")),
    "prefixed-namespaces": dict(rewrite=_prefixed),
    "strict-ooxml": dict(rewrite=_strict),
}


@pytest.mark.parametrize("kind", sorted(ODD))
def test_odd_packages_pass_the_prechecks_and_read(tmp_path, registry, catalog, kind):
    """Packages Excel opens are not refused; their figures, formulas included, come out as Excel shows them."""
    src = write_xlsxwriter(tmp_path / "src.xlsx", {"D12": "=ROUND(D14/D13*100,2)"})
    path = rezip(src, tmp_path / "Phu luc - Ngoc Ky.xlsx", **ODD[kind])
    with zipfile.ZipFile(path) as z:
        assert "xl/workbook.xml" not in z.namelist() or kind in ("prefixed-namespaces", "strict-ooxml")
    assert check_file(path).ok, check_file(path)
    sub, values, _, issues = parsed(path, registry, catalog)
    assert_ten(sub, values)
    assert ("value-formula-recomputed", "D12", "I.2") in issues


@pytest.mark.parametrize("kind", ["leading-slash", "backslashes"])
def test_odd_packages_keep_the_entity_refusal(tmp_path, kind):
    """Renamed members do not slip a DTD past the XML prolog scan."""
    src = write_xlsxwriter(tmp_path / "src.xlsx")

    def doctype(name: str, data: bytes) -> bytes:
        if name == "xl/sharedStrings.xml":
            return data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
        return data

    staged = rezip(src, tmp_path / "staged.xlsx", rewrite=doctype)
    path = rezip(staged, tmp_path / "bad.xlsx", **ODD[kind])
    assert check_file(path).code == "file-unsafe-xml"


def test_odd_package_without_workbook_is_still_refused(tmp_path):
    src = write_xlsxwriter(tmp_path / "src.xlsx")
    path = rezip(src, tmp_path / "no-workbook.xlsx", rename=lambda n: "/" + n.replace("workbook.xml", "book.xml"))
    verdict = check_file(path)
    assert verdict.code == "file-unreadable" and "xl/workbook.xml" in verdict.detail


def test_the_ten_values_of_the_plain_package(tmp_path, registry, catalog):
    """The control: the same workbook, not rewritten, reads the same."""
    sub, values, _, _ = parsed(write_xlsxwriter(tmp_path / "Phu luc - Ngoc Ky.xlsx"), registry, catalog)
    assert_ten(sub, values)
    assert set(TEN) <= set(values)


def test_a_run_loads_xml_spreadsheets_and_recomputed_formulas(settings):
    """End to end: an .xml SpreadsheetML file and a workbook whose rates needed recomputing both load."""
    import os
    import time

    from pipeline.run import run_steps
    from tests.conftest import query

    xml = settings.inbox / "Phu luc CCHC quy III 2023 - Ngoc Ky.xml"
    xml.write_text(spreadsheetml(phu_luc_rows_xml()), encoding="utf-8")
    sub = settings.inbox / "2023-Q3"
    sub.mkdir()
    formulas = write_xlsxwriter(sub / "Phu luc CCHC quy III 2023 - xa Ngoc Ky ban sua.xlsx",
                                {"D12": "=ROUND(D14/D13*100,2)"})
    past = time.time() - 3600
    os.utime(xml, (past, past))
    os.utime(formulas, (past + 60, past + 60))
    summary = run_steps(settings)
    assert summary.count("rejected") == 0
    statuses = dict(query(settings, "select file_name, status from v_submissions"))
    assert statuses[xml.name] in ("loaded", "superseded") and statuses[formulas.name] == "loaded"
    values = dict(query(settings, "select indicator_code, value from v_values where unit_code = 'ngoc_ky'"))
    assert values["I.2"] == 80 and values["III.3.3.1"] == 1200
    codes = {(c, ref.rsplit("!", 1)[-1]) for c, ref in query(settings, "select code, source_ref from v_issues")}
    assert ("value-formula-recomputed", "D12") in codes


def test_spreadsheetml_formulas_without_results_are_computed(tmp_path, registry, catalog):
    """Web exports write ss:Formula (R1C1) and sometimes no <Data>: the rates are computed as Excel would."""
    rows = phu_luc_rows_xml()
    for i, code in enumerate(["2.", "3.3.", "5.3"]):
        idx = next(k for k, row in enumerate(rows) if row.startswith(f'<Row><Cell><Data ss:Type="String">{code}</Data>'))
        rows[idx] = re.sub(r'<Cell><Data ss:Type="Number">[^<]*</Data></Cell></Row>$',
                           '<Cell ss:Formula="=ROUND(R[2]C/R[1]C*100,2)"/></Row>', rows[idx])
    path = tmp_path / "Phu luc CCHC quy III 2023 - Ngoc Ky.xls"
    path.write_text(spreadsheetml(rows), encoding="utf-8")
    sub, values, raws, issues = parsed(path, registry, catalog)
    assert_ten(sub, values)
    for ref, code in {"D12": "I.2", "D17": "III.3.3", "D21": "VII.5.3"}.items():
        assert ("value-formula-recomputed", ref, code) in issues
    assert raws["I.2"] == "=ROUND(D14/D13*100,2)"


def test_spreadsheetml_stray_blank_far_corner_stays_small(tmp_path, registry, catalog):
    """A space at row 1048576, column 16384 does not make a dense grid of the whole sheet."""
    rows = phu_luc_rows_xml() + ['<Row ss:Index="1048576"><Cell ss:Index="16384"><Data ss:Type="String"> </Data></Cell></Row>']
    path = tmp_path / "Phu luc CCHC quy III 2023 - Ngoc Ky.xml"
    path.write_text(spreadsheetml(rows), encoding="utf-8")
    sheet = read_workbook(path).sheets[0]
    assert len(sheet.rows) == 23 and sheet.width == 5
    sub, values, _, _ = parsed(path, registry, catalog)
    assert_ten(sub, values)
