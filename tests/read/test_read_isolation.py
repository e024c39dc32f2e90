"""No file can take the run down: the grid's real extent is checked before a dense read, and reading happens in
bounded worker processes where an abort, a runaway allocation or a hang costs only that file."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from pipeline.read import workers as parallel
from pipeline.read.safety import Limits, check_extent, check_file
from pipeline.read.submission import parse_submission
from tests.conftest import office_folder
from samples.cases import ROWS, TEN



def write_phu_luc(path: Path, issuer: str = "XÃ NGỌC KỲ") -> Path:
    """The national Phụ lục of 2023-Q3 with the ten figures (table in A8:E23)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Phụ lục")
    ws.write("A1", "ỦY BAN NHÂN DÂN")
    ws.write("A2", issuer)
    ws.write("C1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    ws.write("A4", "PHỤ LỤC")
    ws.write("A5", "Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính quý III năm 2023")
    ws.write("A6", "(Số liệu tính từ ngày 15/6/2023 đến ngày 14/9/2023)")
    ws.merge_range("A8:A9", "STT")
    ws.merge_range("B8:B9", "Chỉ tiêu thống kê")
    ws.merge_range("C8:D8", "Kết quả thống kê")
    ws.merge_range("E8:E9", "Ghi chú")
    ws.write("C9", "Đơn vị tính")
    ws.write("D9", "Số liệu")
    for i, (code, name, unit, value) in enumerate(ROWS):
        ws.write_string(9 + i, 0, code)
        ws.write_string(9 + i, 1, name)
        if unit:
            ws.write_string(9 + i, 2, unit)
        if value is not None:
            ws.write_number(9 + i, 3, value)
    wb.close()
    return path


def patch_sheet(path: Path, change) -> Path:
    """Rewrite xl/worksheets/sheet1.xml of a package with change(xml bytes) -> bytes."""
    with zipfile.ZipFile(path) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, change(data) if name == "xl/worksheets/sheet1.xml" else data)
    path.write_bytes(out.getvalue())
    return path


def stray(ref: str, cell_xml: str | None = None):
    """A change adding one cell at `ref` (a single space unless cell_xml is given) after the table."""
    row = int(re.sub(r"\D", "", ref))
    cell = cell_xml or f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve"> </t></is></c>'
    return lambda xml: xml.replace(b"</sheetData>", f'<row r="{row}">{cell}</row></sheetData>'.encode())


def dimension(ref: str):
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), xml)


def values(sub) -> dict[str, float]:
    obs = sub.observations
    return {k: v for k, v in zip(obs["indicator_code"], obs["value"]) if k in TEN}


def codes(sub) -> list[str]:
    return [i["code"] for i in sub.issues]


# --------------------------------------------------------------------------- extent pre-check


def test_far_corner_space_is_dropped_and_the_ten_values_read(tmp_path, registry, catalog):
    f = patch_sheet(write_phu_luc(tmp_path / "Phu luc Ngoc Ky - o AMJ1048576.xlsx"), stray("AMJ1048576"))
    plan = check_extent(f)
    assert [(e.far, e.far_blank, e.keep_rows, e.keep_cols) for e in plan.trim] == [([(1048575, 1023)], True, 23, 5)]
    sub = parse_submission(f, registry, catalog)
    assert sub.rejected_by is None and sub.unit_code == "ngoc_ky" and sub.period_code == "2023-Q3"
    assert values(sub) == TEN
    far = [i for i in sub.issues if i["code"] == "cell-far-from-table"]
    assert len(far) == 1 and far[0]["sheet"] == "Phụ lục" and "AMJ1048576" in far[0]["message"]


def test_far_real_value_is_dropped_with_a_warning(tmp_path, registry, catalog):
    f = patch_sheet(write_phu_luc(tmp_path / "Phu luc Ngoc Ky.xlsx"), stray("Z1048576", '<c r="Z1048576"><v>777</v></c>'))
    (ext,) = check_extent(f).trim
    assert ext.far == [(1048575, 25)] and ext.far_blank is False
    sub = parse_submission(f, registry, catalog)
    assert values(sub) == TEN
    far = [i for i in sub.issues if i["code"] == "cell-far-from-table"]
    assert len(far) == 1 and far[0]["severity"] == "warning" and "Z1048576" in far[0]["message"]


def test_far_shared_string_space_counts_as_blank(tmp_path):
    f = write_phu_luc(tmp_path / "ss.xlsx")
    with zipfile.ZipFile(f) as z:
        n = z.read("xl/sharedStrings.xml").count(b"<si>")
    patch = stray("XFD1048576", f'<c r="XFD1048576" t="s"><v>{n}</v></c>')
    with zipfile.ZipFile(f) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members:
            if name == "xl/sharedStrings.xml":
                data = data.replace(b"</sst>", b'<si><t xml:space="preserve">   </t></si></sst>')
            z.writestr(name, patch(data) if name == "xl/worksheets/sheet1.xml" else data)
    f.write_bytes(out.getvalue())
    (ext,) = check_extent(f).trim
    assert ext.far == [(1048575, 16383)] and ext.far_blank is True


def test_dimension_is_not_trusted(tmp_path, registry, catalog):
    """A <dimension> claiming the whole sheet costs nothing; one claiming A1:E23 does not hide a far cell."""
    big_claim = patch_sheet(write_phu_luc(tmp_path / "claims_all.xlsx"), dimension("A1:XFD1048576"))
    assert check_extent(big_claim).ok
    assert values(parse_submission(big_claim, registry, catalog)) == TEN
    small_claim = patch_sheet(write_phu_luc(tmp_path / "claims_small.xlsx"),
                              lambda xml: dimension("A1:E23")(stray("AMJ1048576")(xml)))
    (ext,) = check_extent(small_claim).trim
    assert ext.far == [(1048575, 1023)]
    assert check_file(small_claim).extent.trim[0].far == [(1048575, 1023)]  # found by the ZIP check already
    assert values(parse_submission(small_claim, registry, catalog)) == TEN


def test_cells_without_references_are_placed_as_readers_place_them(tmp_path):
    def unreferenced(xml: bytes) -> bytes:
        xml = stray("AMJ1048576")(xml)
        return re.sub(rb'(<c) r="[A-Z]+[0-9]+"', rb"\1", xml)  # rows keep r, cells follow each other

    f = patch_sheet(write_phu_luc(tmp_path / "no_refs.xlsx"), unreferenced)
    (ext,) = check_extent(f).trim
    assert ext.far == [(1048575, 0)]  # the first cell of row 1048576


def test_ordinary_workbook_needs_no_trim(demo_files):
    for f in demo_files:
        assert check_extent(f).ok
        assert check_file(f).extent is None or check_file(f).extent.ok


def test_grid_still_too_large_is_rejected_with_its_reason(tmp_path, registry, catalog):
    f = write_phu_luc(tmp_path / "Phu luc Ngoc Ky.xlsx")
    sub = parse_submission(f, registry, catalog, limits=Limits(max_grid_cells=50))
    assert sub.rejected_by["code"] == "sheet-grid-too-large"


def test_merge_reaching_far_is_clipped(tmp_path, registry, catalog):
    f = patch_sheet(write_phu_luc(tmp_path / "merge.xlsx"),
                    lambda xml: stray("AMJ1048576")(xml).replace(b'<mergeCell ref="E8:E9"/>', b'<mergeCell ref="E8:AMJ1048576"/>'))
    from pipeline.read.workbook import read_workbook

    book = read_workbook(f)
    (sheet,) = book.sheets
    assert (7, 4, 22, 4) in sheet.merged  # clipped to the table's last row and column
    assert len(sheet.rows) == 23


# --------------------------------------------------------------------------- bounded workers


@pytest.fixture
def faults(monkeypatch):
    monkeypatch.setenv(parallel.FAULT_ENV, "1")
    yield
    parallel.shutdown()  # the kept workers were started with the hook on


def test_worker_faults_cost_only_their_file(tmp_path, registry, catalog, faults):
    good = write_phu_luc(tmp_path / "Phu luc Ngoc Ky.xlsx")
    bad = {m: shutil.copy2(good, tmp_path / f"Phu luc Ngoc Ky {m}.xlsx") for m in parallel.FAULTS}
    jobs = [(good, None), (bad["[abort]"], None), (good, None), (bad["[hog]"], None), (bad["[hang]"], None), (good, None)]
    subs = parallel.parse_files(jobs, registry, catalog, Limits(reader_memory_mb=768, reader_seconds=8), workers=2)
    assert [s.rejected_by["code"] if s.rejected_by else None for s in subs] == [
        None, "file-reader-crashed", None, "file-reader-crashed", "file-reader-timeout", None]
    assert all(values(s) == TEN for s in subs if s.rejected_by is None)


def test_real_runaway_allocation_is_contained(tmp_path, registry, catalog):
    """Without the extent check, calamine asks for ~34 GB for the far-corner file: the worker dies, not the run."""
    bad = patch_sheet(write_phu_luc(tmp_path / "Phu luc Ngoc Ky - o AMJ1048576.xlsx"), stray("AMJ1048576"))
    good = write_phu_luc(tmp_path / "Phu luc Quang Khai.xlsx", issuer="XÃ QUANG KHẢI")
    try:
        subs = parallel.parse_files([(bad, None), (good, None)], registry, catalog,
                                    Limits(max_grid_cells=10**12, reader_memory_mb=1024), workers=1)
    finally:
        parallel.shutdown()
    assert subs[0].rejected_by["code"] == "file-reader-crashed"
    assert subs[1].rejected_by is None and subs[1].unit_code == "quang_khai" and values(subs[1]) == TEN


def _query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_run_goes_on_past_a_file_that_kills_its_reader(tmp_path, demo_files):
    """Through the real `tonghop run`: good files load, the aborting file is rejected with its code, exit 0;
    a second run is not blocked and does not read the same file again."""
    src = tmp_path / "src"
    src.mkdir()
    far = patch_sheet(write_phu_luc(src / "Phu luc quy III 2023 Ngoc Ky - o AMJ1048576.xlsx"), stray("AMJ1048576"))
    killer = write_phu_luc(src / "Phu luc quy III 2023 Quang Khai [abort].xlsx", issuer="XÃ QUANG KHẢI")
    work = office_folder(tmp_path, [*demo_files[:3], far, killer])
    exe = str(Path(sys.executable).with_name("tonghop"))
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), parallel.FAULT_ENV: "1"}
    run = subprocess.run([exe, "run"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    db = work / "warehouse" / "tonghop.duckdb"
    subs = dict(_query(db, "select file_name, status from v_submissions"))
    assert subs[killer.name] == "rejected"
    assert subs[far.name] == "loaded"
    assert all(subs[f.name] == "loaded" for f in demo_files[:3])
    assert _query(db, f"select i.code from v_issues i join v_submissions s using (submission_id) where s.file_name = '{killer.name}'") == [
        ("file-reader-crashed",)]
    far_values = dict(_query(db, "select indicator_code, value from v_values where unit_code = 'ngoc_ky' and period_code = '2023-Q3'"))
    assert {k: far_values[k] for k in TEN} == TEN
    seen = _query(db, f"select count(*) from files_seen where path like '%{killer.name}'")
    assert seen == [(1,)]  # remembered: not read again until it changes
    # The officer puts the same file back unchanged: the next run neither crashes nor reads it again.
    quarantined = next(p for p in work.rglob("*.xlsx") if p.name == killer.name and "inbox" not in p.parts)
    back = work / "inbox" / killer.name
    shutil.copy2(quarantined, back)
    again = subprocess.run([exe, "run"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert _query(db, f"select count(*) from v_submissions where file_name = '{killer.name}'") == [(1,)]
