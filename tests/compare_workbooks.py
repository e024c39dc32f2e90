"""Compare two workbooks cell by cell: `python -m tests.compare_workbooks BEFORE.xlsx AFTER.xlsx [--limit 40]`.

Issue 14 asks that a speed change leave the outputs identical: the 500-file run's district workbook made before the
change and after it are compared here with the golden test's own snapshot (tests.golden.snapshot: every non-empty
cell's value and number format, merged ranges, frozen panes, print titles and page setup; the run's time and id left
out). Prints each sheet's cell count and the differences; exits 1 when there are any.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.golden import differences, snapshot


def compare(before: Path, after: Path, limit: int = 40) -> tuple[dict[str, int], list[str]]:
    """({sheet: non-empty cells compared}, differences) of two workbooks, sheet by sheet."""
    a, b = snapshot(before), snapshot(after)
    counts = {sheet: len(a.get(sheet, {}).get("cells", {})) for sheet in a.get("sheets", [])}
    return counts, differences(a, b, limit)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--limit", type=int, default=40, help="differences to print at most")
    args = ap.parse_args(argv)
    counts, diffs = compare(args.before, args.after, limit=10**9)
    for sheet, n in counts.items():
        differ = sum(1 for d in diffs if d.startswith(f"{sheet}!") or d.startswith(f"{sheet} "))
        print(f"{sheet}: {n} ô" + (f", {differ} chỗ khác" if differ else ""))
    print(f"tổng: {sum(counts.values())} ô có giá trị; {'giống hệt' if not diffs else f'{len(diffs)} chỗ khác'}")
    for d in diffs[:args.limit]:
        print("  " + d)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
