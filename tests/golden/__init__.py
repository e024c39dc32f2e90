"""Golden workbooks: a small fixed inbox (4 units, năm 2022 and 6 tháng đầu năm 2023, one unit missing in 2023)
run through the pipeline, and a JSON snapshot of every cell (value, number format), merged range and print setting.

`python -m tests.golden.regenerate` (or `make golden`) rewrites the expected snapshots; tests/run/test_golden.py compares.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
UNITS = HERE / "units.csv"
PERIODS = ("2022-Y", "2023-H1")
MISSING = "BC_CCHC_6T2023_Tu_Ky.xlsx"  # thị trấn Tứ Kỳ has not submitted for 2023-H1
CLOCK = dt.datetime(2023, 6, 16, 8, 30)  # when the district first saw every file (2023-H1 on time, 2022-Y late)
# cells that change from run to run: (sheet, text in column A of the row) whose other cells are left out
VOLATILE_ROWS = {("Thông tin chung", "Thời điểm lập"), ("Thông tin chung", "Lượt chạy")}
VOLATILE_HEADERS = {"Thời điểm nhận"}  # whole columns under these headers


def expected_path(period: str) -> Path:
    """Where the checked-in snapshot of a period's workbook lives."""
    return HERE / f"expected_{period}.json"


def build(base: Path) -> dict[str, Path]:
    """Run the pipeline over the fixed inbox under `base`; return each period's workbook."""
    from pipeline.run import run_steps
    from pipeline.report.district import report_path
    from samples import generate_demo_inbox
    from tests.conftest import make_settings

    settings = dataclasses.replace(make_settings(base, units=UNITS), clock=lambda: CLOCK)
    settings.inbox.mkdir(parents=True, exist_ok=True)
    for period in PERIODS:
        generate_demo_inbox(settings.inbox, UNITS, period_code=period)
    (settings.inbox / MISSING).unlink()
    run_steps(settings)
    return {p: report_path(settings.out, p) for p in PERIODS}


def _value(v):
    if isinstance(v, float):
        return round(v, 6)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return v


def snapshot(path: Path) -> dict:
    """Every non-empty cell's value and number format, the merged ranges and the print setup, sheet by sheet."""
    wb = openpyxl.load_workbook(path)
    out: dict = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        skip_rows = {r for r in range(1, ws.max_row + 1) if (ws.title, ws.cell(r, 1).value) in VOLATILE_ROWS}
        skip_cols: dict[int, int] = {}  # column -> header row
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value in VOLATILE_HEADERS:
                    skip_cols[c.column] = c.row
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                if (c.row in skip_rows and c.column > 1) or (c.column in skip_cols and c.row > skip_cols[c.column]):
                    continue
                cells[c.coordinate] = [_value(c.value), c.number_format]
        out[ws.title] = {
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
            "print_titles": [ws.print_title_rows, ws.print_title_cols],
            "page": [ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.scale,
                     ws.page_setup.fitToWidth if ws.sheet_properties.pageSetUpPr.fitToPage else None],
            "cells": cells,
        }
    return out


def dump(data: dict, path: Path) -> None:
    """Write a snapshot as stable, reviewable JSON."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def differences(expected: dict, got: dict, limit: int = 25) -> list[str]:
    """Human-readable differences between two snapshots, cell by cell (at most `limit`)."""
    diffs: list[str] = []
    if expected.get("sheets") != got.get("sheets"):
        diffs.append(f"sheets: expected {expected.get('sheets')}, got {got.get('sheets')}")
    for sheet in expected.get("sheets", []):
        e, g = expected.get(sheet, {}), got.get(sheet, {})
        for key in ("merged", "freeze", "print_titles", "page"):
            if e.get(key) != g.get(key):
                diffs.append(f"{sheet} {key}: expected {e.get(key)}, got {g.get(key)}")
        ec, gc = e.get("cells", {}), g.get("cells", {})
        for ref in sorted(set(ec) | set(gc), key=lambda r: (len(r), r)):
            if ec.get(ref) != gc.get(ref):
                diffs.append(f"{sheet}!{ref}: expected {ec.get(ref)}, got {gc.get(ref)}")
    return diffs[:limit]
