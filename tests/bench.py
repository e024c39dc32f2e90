"""`make bench`: timings of reading, a full run and a re-run on generated Biểu mẫu workbooks (prints a table)."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from pipeline.catalog import load_catalog
from pipeline.config import Settings
from pipeline.ingest import run_steps
from pipeline.samples import generate_demo_inbox
from pipeline.submission import parse_submission
from pipeline.table import read_tables
from pipeline.units import load_registry
from pipeline.workbook import read_workbook

ROOT = Path(__file__).resolve().parents[1]


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench(copies: int) -> list[tuple[str, str]]:
    """Generate 23 × copies workbooks and time each stage; return (measure, figure) rows."""
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        src = generate_demo_inbox(base / "gen", ROOT / "schemas/units.csv", period_code="2023-H1")
        inbox = base / "inbox"
        for i in range(copies):
            folder = inbox / f"lo{i:03d}"
            folder.mkdir(parents=True)
            for f in src:
                shutil.copy2(f, folder / f.name)
                old = time.time() - 3600  # received an hour ago: past the "still being copied" window
                os.utime(folder / f.name, (old, old))
        files = sorted(inbox.rglob("*.xlsx"))
        reg, cat = load_registry(ROOT / "schemas/units.csv"), load_catalog(ROOT / "schemas/indicators.csv")
        sample = files[: min(len(files), 60)]
        read_ms = [1000 * _time(lambda f=f: read_tables(read_workbook(f))) for f in sample]
        parse_ms = [1000 * _time(lambda f=f: parse_submission(f, reg, cat)) for f in sample]
        pandas_ms = [1000 * _time(lambda f=f: pd.read_excel(f, sheet_name=None, header=None, engine="openpyxl")) for f in sample]
        rows += [
            ("workbooks", str(len(files))),
            ("read (calamine + table finding), ms/workbook", f"{statistics.median(read_ms):.1f}"),
            ("parse (read + metadata + mapping + numbers), ms/workbook", f"{statistics.median(parse_ms):.1f}"),
            ("pandas.read_excel(sheet_name=None), ms/workbook", f"{statistics.median(pandas_ms):.1f}"),
            ("read speed-up over pandas", f"{statistics.median(pandas_ms) / statistics.median(read_ms):.1f}×"),
        ]
        s = Settings(inbox=inbox, warehouse=base / "wh/tonghop.duckdb", out=base / "wh/reports", units=ROOT / "schemas/units.csv",
                     catalog=ROOT / "schemas/indicators.csv", office=ROOT / "schemas/office.toml", rules=ROOT / "schemas/rules.csv", outliers=ROOT / "schemas/outliers.toml")
        full = _time(lambda: run_steps(s))
        rerun = _time(lambda: run_steps(s))
        rows += [(f"full run without orchestration, s ({len(files)} files)", f"{full:.2f}"),
                 ("re-run with nothing new, s", f"{rerun:.2f}")]
    return rows


def main() -> None:
    """Print the benchmark table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--copies", type=int, default=1, help="how many copies of the 23 demo workbooks")
    args = ap.parse_args()
    rows = bench(args.copies)
    width = max(len(k) for k, _ in rows)
    print(f"{'measure'.ljust(width)}  figure")
    for k, v in rows:
        print(f"{k.ljust(width)}  {v}")


if __name__ == "__main__":
    main()
