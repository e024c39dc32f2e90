"""Reading what the person sees in Excel: hidden sheets, rows and columns, percent and date number formats,
value cells merged over several indicator rows (issue 12). Workbooks are built here with the cases' figures
(xã Ngọc Kỳ, 2023-Q3)."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
import xlsxwriter

from pipeline.read.cellview import format_kind, read_views
from pipeline.read.submission import parse_submission
from pipeline.read.table import read_tables
from pipeline.read.workbook import read_workbook
from samples.cases import FIRST_ROW, TEN
from samples.cases import fill as case_fill
from samples.cases import rows as case_rows

ROWS = case_rows(typed=True)
CHECKS = [  # section I.3 (Kiểm tra CCHC) as the merged-value case has it
    ("3.", "Kiểm tra CCHC", "", None),
    ("3.1.", "Số phòng, ban, đơn vị trực thuộc đã kiểm tra", "Cơ quan, đơn vị", "Không phát sinh"),
    ("3.2.", "Số UBND cấp xã đã kiểm tra", "Cơ quan, đơn vị", None),
]
TASKS = [  # section I.4, three count rows for a merge over three rows
    ("4.", "Thực hiện nhiệm vụ UBND huyện, Chủ tịch UBND huyện giao", "", None),
    ("4.1.", "Tổng số nhiệm vụ được giao", "Nhiệm vụ", 6),
    ("4.2.", "Số nhiệm vụ đã hoàn thành đúng hạn", "Nhiệm vụ", "Không"),
    ("4.3.", "Số nhiệm vụ đã hoàn thành nhưng quá hạn", "Nhiệm vụ", None),
    ("4.4.", "Số nhiệm vụ quá hạn nhưng chưa hoàn thành", "Nhiệm vụ", None),
]


def fill(ws, rows=ROWS, issuer="XÃ NGỌC KỲ", period="quý III năm 2023", window="15/6/2023 đến ngày 14/9/2023"):
    """Write the case layout (letterhead, title, two-row merged header, rows) with openpyxl; return {code: row}."""
    return case_fill(ws, rows, issuer, f"Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính {period}",
                     f"(Số liệu tính từ ngày {window})")


def parse(path, registry, catalog):
    sub = parse_submission(path, registry, catalog)
    assert sub.rejected_by is None, sub.rejected_by
    obs = sub.observations
    values = {r.indicator_code: r.value for r in obs.itertuples() if r.value == r.value and r.value is not None}
    cells = {r.indicator_code: f"{r.sheet}!{r.cell}" for r in obs.itertuples()}
    return sub, values, cells


def codes_at(sub, indicator=None, cell=None):
    """Issue codes on an indicator and/or a cell."""
    return {i["code"] for i in sub.issues
            if (indicator is None or i["indicator_code"] == indicator) and (cell is None or i["cell"] == cell)}


def assert_ten(values, **changed):
    want = {**TEN, **changed}
    for code, v in want.items():
        if v is None:
            assert code not in values, code
        else:
            assert values.get(code) == pytest.approx(v), (code, values.get(code))


# ----------------------------------------------------------------------------------------------- hidden sheets

DRAFT = {"1.": 10, "3.3.": 99, "3.3.1.": "1.000", "3.3.2.": 990, "5.3.1": "1.000", "5.3.2": 880}


def _draft_rows():
    return [(c, n, u, DRAFT.get(c, v)) for c, n, u, v in ROWS]


def test_hidden_sheet_before_the_visible_one(tmp_path, registry, catalog):
    wb = openpyxl.Workbook()
    draft = wb.active
    draft.title = "Bản nháp"
    fill(draft, _draft_rows())
    draft.sheet_state = "hidden"
    fill(wb.create_sheet("Phụ lục"))
    wb.active = 1
    path = tmp_path / "an.xlsx"
    wb.save(path)

    book = read_workbook(path)
    assert [s.name for s in book.sheets] == ["Phụ lục"]
    assert book.hidden_sheets == [("Bản nháp", "hidden", True)]
    sub, values, cells = parse(path, registry, catalog)
    assert_ten(values)
    assert all(c.startswith("Phụ lục!") for c in cells.values())
    note = [i for i in sub.issues if i["code"] == "sheet-hidden"]
    assert len(note) == 1 and note[0]["severity"] == "info" and note[0]["sheet"] == "Bản nháp"
    assert "Bản nháp" in note[0]["message"]


def test_very_hidden_sheet_after_the_visible_one_gives_no_metadata(tmp_path, registry, catalog):
    wb = openpyxl.Workbook()
    fill(wb.active)
    wb.active.title = "Phụ lục"
    other = wb.create_sheet("Cũ")
    # another commune, another period: if it were read, unit and period would be ambiguous or wrong
    fill(other, _draft_rows(), issuer="XÃ QUANG TRUNG", period="quý II năm 2023", window="15/3/2023 đến ngày 14/6/2023")
    other.sheet_state = "veryHidden"
    path = tmp_path / "very.xlsx"
    wb.save(path)

    assert read_workbook(path).hidden_sheets == [("Cũ", "veryHidden", True)]
    sub, values, _ = parse(path, registry, catalog)
    assert (sub.unit_code, sub.period_code, sub.window) == ("ngoc_ky", "2023-Q3", (dt.date(2023, 6, 15), dt.date(2023, 9, 14)))
    assert_ten(values)
    assert codes_at(sub) >= {"sheet-hidden"}


def test_hidden_sheet_without_figures_is_not_noted(tmp_path, registry, catalog):
    wb = openpyxl.Workbook()
    fill(wb.active)
    notes = wb.create_sheet("Ghi chú")
    notes["A1"] = "Danh sách cán bộ phụ trách"
    notes.sheet_state = "hidden"
    path = tmp_path / "notes.xlsx"
    wb.save(path)
    sub, values, _ = parse(path, registry, catalog)
    assert_ten(values)
    assert "sheet-hidden" not in codes_at(sub)


# ------------------------------------------------------------------------------------------ hidden rows, columns

def test_hidden_row_with_figures_is_not_read(tmp_path, registry, catalog):
    # an older 3.3.1 row (1.000) kept hidden just above the final one: read, it would win as the first occurrence
    rows = ROWS[:8] + [("3.3.1.", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", "1.000")] + ROWS[8:]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    fill(ws, rows)
    hidden = FIRST_ROW + 8  # Excel row 18
    ws.row_dimensions[hidden].hidden = True
    path = tmp_path / "row.xlsx"
    wb.save(path)

    sheet = read_workbook(path).sheets[0]
    assert sheet.hidden_rows == {hidden - 1}
    assert sheet.get(hidden - 1, 3) is None and sheet.get(hidden - 1, 1) is None
    sub, values, cells = parse(path, registry, catalog)
    assert_ten(values)
    assert cells["III.3.3.1"] == f"Phụ lục!D{hidden + 1}"
    note = [i for i in sub.issues if i["code"] == "row-hidden"]
    assert len(note) == 1 and note[0]["severity"] == "info" and note[0]["cell"] == f"D{hidden}"
    assert str(hidden) in note[0]["message"] and "indicator-repeated" not in codes_at(sub)


def test_hidden_column_with_figures_is_not_read(tmp_path, registry, catalog):
    # the last "Số liệu" column (E) is a hidden draft; the person sees and fills column D
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    refs = fill(ws)
    ws["E8"] = None
    ws.unmerge_cells("E8:E9")
    ws["E9"] = "Số liệu"
    ws["F8"] = "Ghi chú"
    for code, value in DRAFT.items():
        ws.cell(refs[code], 5, value)
    ws.column_dimensions["E"].hidden = True
    path = tmp_path / "col.xlsx"
    wb.save(path)

    sheet = read_workbook(path).sheets[0]
    assert 4 in sheet.hidden_cols
    sub, values, cells = parse(path, registry, catalog)
    assert_ten(values)
    assert all(c.startswith("Phụ lục!D") for c in cells.values())
    note = [i for i in sub.issues if i["code"] == "column-hidden"]
    assert len(note) == 1 and note[0]["cell"] == f"E{refs['1.']}" and note[0]["severity"] == "info"

    ws.column_dimensions["E"].hidden = False  # the same workbook with column E shown: E is the value column
    wb.save(path)
    _, shown, _ = parse(path, registry, catalog)
    assert shown["I.1"] == 10


def test_hidden_rows_written_by_xlsxwriter_and_unused_columns_hidden(tmp_path, registry, catalog):
    # xlsxwriter writes <row hidden="1"> and hides every unused column with one <col min max hidden> range
    path = tmp_path / "xw.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = wb.add_worksheet("Phụ lục")
    ws.write(1, 0, "XÃ NGỌC KỲ")
    ws.write(4, 0, "Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính quý III năm 2023")
    ws.write(5, 0, "(Số liệu tính từ ngày 15/6/2023 đến ngày 14/9/2023)")
    for c, t in enumerate(["STT", "Chỉ tiêu thống kê", "Đơn vị tính", "Số liệu", "Ghi chú"]):
        ws.write(7, c, t)
    rows = ROWS[:1] + [("1.", ROWS[1][1], "Văn bản", 99)] + ROWS[1:]
    for i, row in enumerate(rows):
        for c, v in enumerate(row):
            if v not in (None, ""):
                ws.write(8 + i, c, v)
    ws.set_row(9, None, None, {"hidden": True})  # the stale I.1 = 99
    ws.set_column("F:XFD", None, None, {"hidden": True})
    wb.close()

    sub, values, _ = parse(path, registry, catalog)
    assert_ten(values)
    assert [i["cell"] for i in sub.issues if i["code"] == "row-hidden"] == ["D10"]


def test_ordinary_workbook_has_no_view_facts(tmp_path):
    wb = openpyxl.Workbook()
    fill(wb.active)
    path = tmp_path / "plain.xlsx"
    wb.save(path)
    assert read_views(path) == {}


# ----------------------------------------------------------------------------------------------- number formats

@pytest.mark.parametrize("code, kind", [
    ("0%", "percent"), ("0.0%", "percent"), ("0.00%", "percent"), ("#,##0.0\\%", None), ('0.0" %"', None),
    ("dd/mm/yyyy", "date"), ("[$-42A]d mmmm yyyy", "date"), ("h:mm", "date"), ("#,##0", None), ("General", None),
    ("@", None), ('_(* #,##0_);_(* (#,##0);_(* "-"??_);_(@_)', None), ("[Red]#,##0.00", None), ('#,##0 "đồng"', None),
])
def test_format_kind(code, kind):
    assert format_kind(code) == kind


def _percent_book(path, formats):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    refs = fill(ws)
    for code, (value, fmt) in formats.items():
        cell = ws.cell(refs[code], 4)
        cell.value = value
        cell.number_format = fmt
    wb.save(path)
    return refs


def test_percent_formatted_fractions_read_as_shown(tmp_path, registry, catalog):
    path = tmp_path / "pct.xlsx"
    refs = _percent_book(path, {"2.": (0.8, "0%"), "3.3.": (0.995, "0.0%"), "5.3": (0.88, "0.00%")})
    sheet = read_workbook(path).sheets[0]
    assert sheet.formats == {(refs[c] - 1, 3): "percent" for c in ("2.", "3.3.", "5.3")}
    sub, values, cells = parse(path, registry, catalog)
    assert_ten(values)
    raws = dict(zip(sub.observations["indicator_code"], sub.observations["raw"]))
    assert (raws["I.2"], raws["III.3.3"], raws["VII.5.3"]) == ("80%", "99,5%", "88%")
    assert cells["I.2"] == f"Phụ lục!D{refs['2.']}"
    assert not codes_at(sub, "I.2") and not codes_at(sub, "III.3.3") and not codes_at(sub, "VII.5.3")


def test_percent_cell_holding_a_whole_percent_and_percent_text(tmp_path, registry, catalog):
    # 80 in a 0% cell shows 8000 %: the typed 80 is meant (warning); "99,5%" typed as text under 0.0% stays 99.5;
    # a count under a percent format keeps its number, with a warning
    path = tmp_path / "pct2.xlsx"
    refs = _percent_book(path, {"2.": (80, "0%"), "3.3.": ("99,5%", "0.0%"), "3.3.2.": (1194, "0%")})
    sub, values, _ = parse(path, registry, catalog)
    assert_ten(values)
    assert codes_at(sub, "I.2", f"D{refs['2.']}") == {"value-percent-format"}
    assert codes_at(sub, "III.3.3") == set()
    assert codes_at(sub, "III.3.3.2", f"D{refs['3.3.2.']}") == {"value-percent-format"}


def test_date_formatted_value_is_reported_not_read(tmp_path, registry, catalog):
    path = tmp_path / "date.xlsx"
    refs = _percent_book(path, {"1.": (12, "dd/mm/yyyy"), "5.3.2": (dt.datetime(1903, 1, 4), "d/m/yyyy")})
    sub, values, _ = parse(path, registry, catalog)
    assert_ten(values, **{"I.1": None, "VII.5.3.2": None})
    for code, key in (("I.1", "1."), ("VII.5.3.2", "5.3.2")):
        found = [i for i in sub.issues if i["code"] == "value-date-format" and i["indicator_code"] == code]
        assert len(found) == 1 and found[0]["cell"] == f"D{refs[key]}" and found[0]["severity"] == "error"
    assert "12/01/1900" in next(i["message"] for i in sub.issues if i["indicator_code"] == "I.1")


def test_locale_date_format_is_a_date(tmp_path, registry, catalog):
    # a Vietnamese-locale custom date format (calamine or styles.xml tells it is a date); the cell is typed 12
    path = tmp_path / "d.xlsx"
    refs = _percent_book(path, {"1.": (12, "[$-42A]d mmmm yyyy")})
    sub, values, _ = parse(path, registry, catalog)
    assert "I.1" not in values
    assert "value-date-format" in codes_at(sub, "I.1", f"D{refs['1.']}")


# ----------------------------------------------------------------------------------------------- merged values

def _merged_book(path, rows, merge):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    refs = fill(ws, rows)
    ws.merge_cells(merge(refs))
    wb.save(path)
    return refs


def test_value_merged_over_two_rows_applies_to_both(tmp_path, registry, catalog):
    path = tmp_path / "m2.xlsx"
    refs = _merged_book(path, ROWS[:5] + CHECKS + ROWS[5:], lambda r: f"D{r['3.1.']}:D{r['3.2.']}")
    sub, values, cells = parse(path, registry, catalog)
    assert_ten(values, **{"I.3.1": 0, "I.3.2": 0})
    for code, key in (("I.3.1", "3.1."), ("I.3.2", "3.2.")):
        assert cells[code] == f"Phụ lục!D{refs[key]}"
        assert codes_at(sub, code, f"D{refs[key]}") == {"value-word", "value-merged-cell"}
    msg = next(i["message"] for i in sub.issues if i["code"] == "value-merged-cell")
    assert "gộp" in msg and f"D{refs['3.1.']}:D{refs['3.2.']}" in msg


def test_value_merged_over_three_rows(tmp_path, registry, catalog):
    path = tmp_path / "m3.xlsx"
    _merged_book(path, ROWS[:5] + TASKS + ROWS[5:], lambda r: f"D{r['4.2.']}:E{r['4.4.']}")
    sub, values, _ = parse(path, registry, catalog)
    assert_ten(values, **{"I.4.1": 6, "I.4.2": 0, "I.4.3": 0, "I.4.4": 0})
    for code in ("I.4.2", "I.4.3", "I.4.4"):
        assert {"value-word", "value-merged-cell"} <= codes_at(sub, code)
    assert codes_at(sub, "I.4.1") == set()


def test_header_and_label_merges_change_nothing(tmp_path, registry, catalog):
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    fill(wb.active)
    wb.save(plain)
    merged = tmp_path / "merged.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    refs = fill(ws)
    ws.merge_cells("A4:E4")  # title across the page
    ws.merge_cells(f"B{refs['I']}:E{refs['I']}")  # section title over name..note columns
    ws.merge_cells(f"B{refs['3.']}:D{refs['3.']}")  # group label over name, unit and value
    ws.merge_cells(f"A{refs['2.1.']}:A{refs['2.2.']}")  # a code cell merged down (label merge)
    ws.cell(refs["2.2."], 1, None)
    ws.merge_cells(f"E{refs['3.3.1.']}:E{refs['3.3.2.']}")  # a note merged over two rows
    ws.cell(refs["3.3.1."], 5, "Số liệu từ phần mềm một cửa")
    wb.save(merged)

    _, plain_values, plain_cells = parse(plain, registry, catalog)
    sub, values, cells = parse(merged, registry, catalog)
    assert_ten(values)
    assert "value-merged-cell" not in codes_at(sub)
    assert {k: v for k, v in values.items() if k != "I.2.2"} == {k: v for k, v in plain_values.items() if k != "I.2.2"}


def test_merge_in_the_table_header_reaching_a_value_column_is_ignored(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    fill(ws)
    ws.unmerge_cells("C8:D8")
    ws.merge_cells("D8:D9")
    path = tmp_path / "h.xlsx"
    wb.save(path)
    rows = read_tables(read_workbook(path))
    assert rows and not any(r.merged for r in rows)


# ------------------------------------------------------------------------------------------------- legacy .xls

xlwt = pytest.importorskip("xlwt")


def _xls(path, sheets):
    """Write an .xls: sheets is [(name, rows, visibility, merges {(r0, r1, c0, c1): value}, styles {(r, c): xf})]."""
    book = xlwt.Workbook(encoding="utf-8")
    for name, rows, visibility, merges, styles in sheets:
        ws = book.add_sheet(name)
        ws.visibility = visibility
        grid = {}
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v not in (None, ""):
                    grid[(r, c)] = v
        covered = {(r, c) for (r0, r1, c0, c1) in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for (r, c), v in grid.items():
            if (r, c) not in covered:
                ws.write(r, c, v, styles.get((r, c), xlwt.Style.default_style))
        for (r0, r1, c0, c1), v in merges.items():
            ws.write_merge(r0, r1, c0, c1, v)
    book.save(str(path))
    return path


def _grid(rows=ROWS, issuer="XÃ NGỌC KỲ", period="quý III năm 2023"):
    head = [["ỦY BAN NHÂN DÂN"], [issuer], [], ["PHỤ LỤC"],
            [f"Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính {period}"],
            ["(Số liệu tính từ ngày 15/6/2023 đến ngày 14/9/2023)"], [],
            ["STT", "Chỉ tiêu thống kê", "Kết quả thống kê", None, "Ghi chú"], [None, None, "Đơn vị tính", "Số liệu"]]
    return head + [list(r) for r in rows]


def test_xls_hidden_sheet_merged_value_and_date(tmp_path, registry, catalog):
    rows = ROWS[:5] + CHECKS + ROWS[5:]
    grid = _grid(rows)
    r31 = 9 + rows.index(CHECKS[1])  # 0-based row of 3.1
    r1 = 9 + 1  # 0-based row of I.1
    date = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    path = _xls(tmp_path / "old.xls", [
        ("Bản nháp", _grid([(c, n, u, DRAFT.get(c, v)) for c, n, u, v in ROWS], issuer="XÃ QUANG TRUNG"), 1, {}, {}),
        ("Phụ lục", grid, 0, {(r31, r31 + 1, 3, 3): "Không phát sinh"}, {(r1, 3): date}),
    ])
    book = read_workbook(path)
    assert [s.name for s in book.sheets] == ["Phụ lục"] and book.hidden_sheets[0][0] == "Bản nháp"
    sub, values, _ = parse(path, registry, catalog)
    assert sub.unit_code == "ngoc_ky"
    assert_ten(values, **{"I.1": None, "I.3.1": 0, "I.3.2": 0})
    assert codes_at(sub, "I.1", f"D{r1 + 1}") == {"value-date-format"}
    assert codes_at(sub, "I.3.2", f"D{r31 + 2}") == {"value-word", "value-merged-cell"}
    assert "sheet-hidden" in codes_at(sub)


def test_view_scan_tolerates_prefixed_namespaces(tmp_path):
    # some generators write <x:row>/<x:c> with a namespace prefix; hidden rows are still found
    wb = openpyxl.Workbook()
    ws = wb.active
    fill(ws)
    ws.row_dimensions[11].hidden = True
    src = tmp_path / "p.xlsx"
    wb.save(src)
    dst = tmp_path / "x.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<row ", b"<x:row ").replace(b"</row>", b"</x:row>")
            zout.writestr(item, data)
    views = read_views(dst)
    assert next(iter(views.values())).hidden_rows == {10}


def test_xls_percent_fractions_hidden_row_and_column(tmp_path, registry, catalog):
    rows = ROWS[:8] + [("3.3.1.", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", "1.000")] + ROWS[8:]
    grid = _grid(rows)
    stale = 9 + 8  # 0-based row of the stale 3.3.1 (Excel row 18)
    for r in range(9, len(grid)):
        grid[r] += [None, 777]  # a hidden helper column F with figures
    at = {rows[i][0]: 9 + i for i in range(len(rows))}
    styles = {(at["2."], 3): xlwt.easyxf(num_format_str="0%"), (at["3.3."], 3): xlwt.easyxf(num_format_str="0.0%"),
              (at["5.3"], 3): xlwt.easyxf(num_format_str="0.00%")}
    grid[at["2."]][3], grid[at["3.3."]][3], grid[at["5.3"]][3] = 0.8, 0.995, 0.88
    path = tmp_path / "pct.xls"
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Phụ lục")
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            if v not in (None, ""):
                ws.write(r, c, v, styles.get((r, c), xlwt.Style.default_style))
    ws.row(stale).hidden = True
    ws.col(5).hidden = True
    book.save(str(path))

    sub, values, cells = parse(path, registry, catalog)
    assert_ten(values)
    assert cells["III.3.3.1"] == f"Phụ lục!D{stale + 2}"
    assert [i["cell"] for i in sub.issues if i["code"] == "row-hidden"] == [f"D{stale + 1}"]
    assert [i["cell"] for i in sub.issues if i["code"] == "column-hidden"] == ["F10"]


def test_ordinary_xls_has_no_view_facts(tmp_path):
    from pipeline.read.cellview import read_xls_views

    path = _xls(tmp_path / "plain.xls", [("Phụ lục", _grid(), 0, {}, {})])
    assert read_xls_views(path) == {}


def test_view_scan_without_cell_references(tmp_path):
    # generators may omit r= on <c>: positions are then counted (percent cells still found, hidden row kept)
    path = tmp_path / "p.xlsx"
    refs = _percent_book(path, {"2.": (0.8, "0%"), "5.3": (0.88, "0.00%")})
    with_refs = read_views(path)
    dst = tmp_path / "noref.xlsx"
    import re as _re
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = _re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", data)
                assert b'<c r="' not in data
            zout.writestr(item, data)
    got = next(iter(read_views(dst).values())).formats
    assert got == next(iter(with_refs.values())).formats == {(refs["2."] - 1, 3): "percent", (refs["5.3"] - 1, 3): "percent"}


# ------------------------------------------------------------------------------------------------ OpenDocument

def _ods(path, name, rows, hidden_rows=(), hidden_cols=()):
    """Write a minimal .ods: rows of values; a 1-tuple (x,) is a percentage cell storing x; None is empty."""
    from xml.sax.saxutils import escape

    width = max(len(r) for r in rows)
    body = [f'<table:table table:name="{escape(name)}">']
    collapse = ' table:visibility="collapse"'
    body += [f'<table:table-column{collapse if c in hidden_cols else ""}/>' for c in range(width)]
    for r, row in enumerate(rows):
        body.append(f'<table:table-row{collapse if r in hidden_rows else ""}>')
        for v in row:
            if v is None or v == "":
                body.append('<table:table-cell/>')
            elif isinstance(v, tuple):
                body.append(f'<table:table-cell office:value-type="percentage" office:value="{v[0]}"><text:p>{v[0] * 100:g}%</text:p></table:table-cell>')
            elif isinstance(v, (int, float)):
                body.append(f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>')
            else:
                body.append(f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>')
        body.append('</table:table-row>')
    body.append('<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="5"/></table:table-row>')
    body.append('</table:table>')
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2"><office:body>'
               f'<office:spreadsheet>{"".join(body)}</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_ods_percentages_and_hidden_row(tmp_path, registry, catalog):
    rows = ROWS[:8] + [("3.3.1.", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", "1.000")] + ROWS[8:]
    grid = _grid(rows)
    at = {rows[i][0]: 9 + i for i in range(len(rows))}
    grid[at["2."]][3], grid[at["3.3."]][3], grid[at["5.3"]][3] = (0.8,), (0.995,), (0.88,)
    stale = 9 + 8
    path = _ods(tmp_path / "pl.ods", "Phụ lục", grid, hidden_rows={stale})
    sub, values, cells = parse(path, registry, catalog)
    assert_ten(values)
    assert cells["III.3.3.1"] == f"Phụ lục!D{stale + 2}"
    assert [i["cell"] for i in sub.issues if i["code"] == "row-hidden"] == [f"D{stale + 1}"]


def test_ordinary_ods_has_no_view_facts(tmp_path):
    from pipeline.read.cellview import read_ods_views

    assert read_ods_views(_ods(tmp_path / "plain.ods", "Phụ lục", _grid())) == {}
