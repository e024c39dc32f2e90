"""Shared fixtures: reference data, settings in a temporary folder, workbooks built in the tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import xlsxwriter

from pipeline.reference.catalog import load_catalog
from pipeline.config import Settings
from pipeline.read.safety import Limits
from samples import generate_demo_inbox, seed000_values, write_bieu_mau
from pipeline.reference.registry import load_registry

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"

# office.toml of a commune consolidating its villages (issue 16: the office is data)
COMMUNE_OFFICE = """[office]
level = "xã"
name = "Ngọc Kỳ"
province = "Hải Phòng"
province_kind = "thành phố"
place = "Ngọc Kỳ"
signature = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
signer = "Nguyễn Văn A"
"""
HAI_DUONG_UNITS = """code,name,kind,aliases
tt_thanh_mien,Thanh Miện,thị trấn,TT Thanh Miện
xa_ngu_hung,Ngũ Hùng,xã,
"""


@pytest.fixture(scope="session")
def registry():
    """Huyện Tứ Kỳ's 23 units."""
    return load_registry(SCHEMAS / "units.csv")


@pytest.fixture(scope="session")
def catalog():
    """The indicator catalog."""
    return load_catalog(SCHEMAS / "indicators.csv")


@pytest.fixture(scope="session")
def hd_units_csv(tmp_path_factory) -> Path:
    """A registry for seed 000's unit, thị trấn Thanh Miện (Hải Dương)."""
    p = tmp_path_factory.mktemp("hd") / "units.csv"
    p.write_text(HAI_DUONG_UNITS, encoding="utf-8")
    return p


@pytest.fixture(scope="session")
def hd_registry(hd_units_csv):
    """Registry of the Hải Dương units of seed 000."""
    return load_registry(hd_units_csv)


def make_settings(base: Path, units: Path | None = None, period: str | None = None, dry_run: bool = False) -> Settings:
    """Settings with inbox, warehouse and reports under `base`."""
    return Settings(inbox=base / "inbox", warehouse=base / "warehouse" / "tonghop.duckdb", out=base / "warehouse" / "reports",
                    units=units or SCHEMAS / "units.csv", catalog=SCHEMAS / "indicators.csv", office=SCHEMAS / "office.toml", rules=SCHEMAS / "rules.csv", outliers=SCHEMAS / "outliers.toml",
                    deadlines=SCHEMAS / "deadlines.toml", rubric=SCHEMAS / "rubric.toml", period=period, dry_run=dry_run, limits=Limits(stable_seconds=0, restat_seconds=0))


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Fresh settings in a temporary folder (empty inbox, no warehouse)."""
    s = make_settings(tmp_path)
    s.inbox.mkdir(parents=True)
    return s


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory) -> list[Path]:
    """The 23 demo submissions of Tứ Kỳ for 6 tháng đầu năm 2023 (generated once)."""
    dest = tmp_path_factory.mktemp("demo")
    return generate_demo_inbox(dest, SCHEMAS / "units.csv", period_code="2023-H1")


@pytest.fixture
def demo_settings(tmp_path, demo_files) -> Settings:
    """Settings whose inbox holds copies of the 23 demo submissions."""
    s = make_settings(tmp_path)
    s.inbox.mkdir(parents=True)
    for f in demo_files:
        shutil.copy2(f, s.inbox / f.name)
    return s


@pytest.fixture(scope="session")
def seed000_file(tmp_path_factory) -> Path:
    """Seed 000's Biểu mẫu 1–7 (thị trấn Thanh Miện, quý III 2023) with its exact printed values."""
    path = tmp_path_factory.mktemp("seed000") / "BM_Q3_2023_TT_Thanh_Mien.xlsx"
    write_bieu_mau(
        path,
        unit_header="UBND THỊ TRẤN THANH MIỆN",
        district_line=None,
        period_title="Thống kê kết quả thực hiện công tác CHCC quý III năm 2023",
        window_text="(Số liệu tính từ ngày 10/6/2023 đến ngày 09/9/2023)",
        caption="(Kèm theo Báo cáo số         /BC-UBND ngày        /9/2023)",
        values=seed000_values(),
    )
    return path


def write_grid(path: Path, sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None) -> Path:
    """Write small purpose-built workbooks: each sheet a list of rows; strings are written as text, always."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write_number(r, c, v)
        for rng in (merges or {}).get(name, []):
            first = rng.split(":")[0]
            col = ord(first[0]) - 65
            row = int(first[1:]) - 1
            v = rows[row][col] if row < len(rows) and col < len(rows[row]) else None
            ws.merge_range(rng, v if v is not None else "")
    wb.close()
    return path


def query_file(path: Path, sql: str, *params):
    """Run read-only SQL on a DuckDB file and return its rows."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def query(settings, sql, *params):
    """Run read-only SQL on a test warehouse and return its rows."""
    return query_file(settings.warehouse, sql, *params)


def office_folder(tmp_path: Path, files: list[Path]) -> Path:
    """A district office's working folder: schemas/, prefect.toml and an inbox holding `files` copied an hour ago."""
    work = tmp_path / "office"
    shutil.copytree(ROOT / "schemas", work / "schemas", ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    shutil.copy2(ROOT / "prefect.toml", work / "prefect.toml")
    (work / "inbox").mkdir()
    for f in files:
        shutil.copy2(f, work / "inbox" / f.name)
        os.utime(work / "inbox" / f.name, (f.stat().st_atime, f.stat().st_mtime - 3600))
    return work
