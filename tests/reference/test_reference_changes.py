"""Reference data changes through the real `tonghop run`: a registry that lost a unit with loaded submissions is refused
before anything is written; a changed registry or catalog makes the next run (nothing new in the inbox) consolidate
and write every period again, and the summary says so; tonghop also runs from a subfolder of the project."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl

from tests.conftest import office_folder

EXE = str(Path(sys.executable).with_name("tonghop"))
BANNER = "anonymous usage"


def tonghop(work: Path, tmp: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_HOME": str(tmp / "prefect-home")}
    for k in ("TONGHOP_DEBUG", "DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED"):
        env.pop(k, None)
    res = subprocess.run([EXE, *args], cwd=cwd or work, env=env, capture_output=True, text=True, timeout=300)
    assert BANNER not in res.stdout + res.stderr
    return res


def district(work: Path, period: str, code: str) -> tuple[float, int]:
    con = duckdb.connect(str(work / "warehouse/tonghop.duckdb"), read_only=True)
    try:
        return con.execute("select value, n_units from v_district where period_code = ? and indicator_code = ?",
                           [period, code]).fetchone()
    finally:
        con.close()


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def report(work: Path, period: str) -> Path:
    return work / "warehouse/reports" / period / f"TongHop_CCHC_{period}.xlsx"


def cells_text(path: Path) -> set[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None}
    finally:
        book.close()


def test_registry_typo_is_refused_before_anything_is_written(tmp_path, demo_files):
    work = office_folder(tmp_path, demo_files)
    pdf = work / "inbox/BaoCao_ban_scan.xlsx"  # a PDF saved under a workbook's name, beside the 23 reports
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    os.utime(pdf, (pdf.stat().st_atime, pdf.stat().st_mtime - 3600))
    first = tonghop(work, tmp_path, "run")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "không phải bảng tính Excel, mà là tệp PDF" in first.stdout and "not a workbook" not in first.stdout
    assert "Bị từ chối: 1" in first.stdout
    good = district(work, "2023-H1", "III.3.3.1")
    assert good[1] == 23
    units = work / "schemas/units.csv"
    original = units.read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(original.splitlines(), start=1) if t.startswith("ha_ky,"))
    warehouse_bytes = (work / "warehouse/tonghop.duckdb").read_bytes()
    reports = tree(work / "warehouse/reports")

    units.write_text(original.replace("ha_ky,", "haky,", 1), encoding="utf-8")  # the typo
    refused = tonghop(work, tmp_path, "run")
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, refused.stderr
    assert "ha_ky" in lines[0] and "haky" in lines[0] and f"dòng {line}" in lines[0] and "schemas/units.csv" in lines[0]
    assert (work / "warehouse/tonghop.duckdb").read_bytes() == warehouse_bytes
    assert tree(work / "warehouse/reports") == reports

    units.write_text(original, encoding="utf-8")  # corrected
    again = tonghop(work, tmp_path, "run")
    assert again.returncode == 0, again.stderr[-3000:]
    assert district(work, "2023-H1", "III.3.3.1") == good


def test_reference_changes_rewrite_every_period_without_new_files(tmp_path, demo_files):
    """Two periods (2023-H1, and three files filed under 2023-Q3); the first run starts in a subfolder of the project."""
    work = office_folder(tmp_path, demo_files)
    q3 = work / "inbox/2023-Q3"
    q3.mkdir()
    for f in demo_files[:3]:  # saved again (other bytes, same figures): filed under 2023-Q3, not duplicates
        book = openpyxl.load_workbook(f)
        book.save(q3 / f.name)
        os.utime(q3 / f.name, (f.stat().st_atime, f.stat().st_mtime - 3600))
    first = tonghop(work, tmp_path, "run", cwd=q3)  # from a subfolder: the project folder is found above it
    assert first.returncode == 0, first.stderr[-3000:]
    assert not (q3 / "warehouse").exists() and (work / "warehouse/tonghop.duckdb").exists()
    assert report(work, "2023-H1").exists() and report(work, "2023-Q3").exists()
    h1, q3_value = district(work, "2023-H1", "III.3.3.1"), district(work, "2023-Q3", "III.3.3.1")
    assert h1[1] == 23 and q3_value[1] == 3

    # a catalog edit: every period's workbook is written again on a run with nothing new, and the summary says why
    catalog = work / "schemas/indicators.csv"
    text = catalog.read_text(encoding="utf-8")
    assert "Số nhiệm vụ đề ra trong kế hoạch," in text
    catalog.write_text(text.replace("Số nhiệm vụ đề ra trong kế hoạch,", "Số nhiệm vụ đề ra trong kế hoạch CCHC năm,", 1),
                       encoding="utf-8")
    before = {p: report(work, p).read_bytes() for p in ("2023-H1", "2023-Q3")}
    edited = tonghop(work, tmp_path, "run")
    assert edited.returncode == 0, edited.stderr[-3000:]
    assert "Danh mục chỉ tiêu đã thay đổi: lập lại 2 kỳ" in edited.stdout
    for p in ("2023-H1", "2023-Q3"):
        assert report(work, p).read_bytes() != before[p]
        assert "Số nhiệm vụ đề ra trong kế hoạch CCHC năm" in cells_text(report(work, p))
    assert district(work, "2023-H1", "III.3.3.1") == h1

    # the same files again: nothing changed, nothing written
    quiet = tonghop(work, tmp_path, "run")
    assert quiet.returncode == 0 and "đã thay đổi" not in quiet.stdout
    # a registry edit (a unit's name) and its correction: each one repairs the outputs without --period
    units = work / "schemas/units.csv"
    original = units.read_text(encoding="utf-8")
    units.write_text(original.replace("ngoc_ky,Ngọc Kỳ,", "ngoc_ky,Ngọc Kỳ Mới,", 1), encoding="utf-8")
    renamed = tonghop(work, tmp_path, "run")
    assert renamed.returncode == 0, renamed.stderr[-3000:]
    assert "Danh sách đơn vị đã thay đổi: lập lại 2 kỳ" in renamed.stdout
    assert "xã Ngọc Kỳ Mới" in cells_text(report(work, "2023-H1"))
    units.write_text(original, encoding="utf-8")
    restored = tonghop(work, tmp_path, "run")
    assert restored.returncode == 0, restored.stderr[-3000:]
    assert "Danh sách đơn vị đã thay đổi: lập lại 2 kỳ" in restored.stdout
    for p in ("2023-H1", "2023-Q3"):
        texts = cells_text(report(work, p))
        assert "xã Ngọc Kỳ" in texts and "xã Ngọc Kỳ Mới" not in texts
    assert district(work, "2023-H1", "III.3.3.1") == h1 and district(work, "2023-Q3", "III.3.3.1") == q3_value
