"""The 170-unit province sample through the real `tonghop run`, its workbook converted to PDF by LibreOffice: every
sheet prints, no table is wider than its page (an area sheet's indicator blocks each take the same pages), and the
run stays fast. Skipped when LibreOffice (soffice) is not installed."""

from __future__ import annotations

import math

import openpyxl
import pytest

from pipeline.reference.catalog import load_catalog
from pipeline.report.district import COMPLETENESS_SHEET, SHEET_NAMES
from pipeline.report.ranking import AREA_RANK_SHEET, OVERALL_SHEET
from tests.conftest import SCHEMAS
from tests.province_print import run_province, sheet_pages, soffice, to_pdf

N_UNITS = 170

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: no PDF to check")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    base = tmp_path_factory.mktemp("province_pdf")
    book, seconds = run_province(base / "sample", N_UNITS)
    pdf = to_pdf(book, base / "pdf")
    pages, total = sheet_pages(pdf.read_bytes())
    return book, seconds, pages, total


def test_every_sheet_prints(printed):
    book, _, pages, total = printed
    names = openpyxl.load_workbook(book, read_only=True).sheetnames
    assert list(pages) == names and all(n >= 1 for n in pages.values())
    assert sum(pages.values()) == total


def test_area_sheets_print_block_by_block_without_spilling(printed):
    """Each block of indicators takes the pages that 170 units need, the same for every block of an area (its header
    row is as tall for all): a block wider than its page would print on extra pages and break the equality."""
    _, _, pages, _ = printed
    frame = load_catalog(SCHEMAS / "indicators.csv").frame
    per_block = set()
    for area, name in SHEET_NAMES.items():
        n = int((frame["area"] == area).sum())
        blocks = math.ceil(n / 8)
        assert pages[name] % blocks == 0, (name, pages[name], blocks)
        per_block.add(pages[name] // blocks)
    assert min(per_block) >= 5 and max(per_block) <= 9, per_block  # 170 units, 20 to 35 a page


def test_ranking_and_completeness_hold_170_units(printed):
    _, _, pages, _ = printed
    assert pages[COMPLETENESS_SHEET] <= 7  # about 30 units a page
    assert pages[AREA_RANK_SHEET] % 7 == 0 and pages[AREA_RANK_SHEET] <= 7 * 7  # each area from a new page
    assert pages[OVERALL_SHEET] <= 15  # table, notes, one chart per 34 units


def test_the_run_stays_fast(printed):
    _, seconds, _, _ = printed
    assert seconds < 60, seconds  # 170 issue-heavy workbooks (about 15–20 s here, a Prefect server included)
