"""`python -m samples.demo`: put the sample submissions in an empty inbox (never touches a user's files)."""

from __future__ import annotations

import argparse
from pathlib import Path

from samples.bieumau import generate_demo_inbox

# Two periods so the ranking tables show the movement since the previous period: năm 2022, then 6 tháng đầu
# năm 2023 (seed 002 compares its 2023 first-half ranks with the 2022 ranks, line 693). The 2023-H1 figures
# are the ones seed 002 reports; the 2022 values are generated from their own seed, so units' ranks move.
DEMO_PERIODS = ("2022-Y", "2023-H1")


def inbox_is_empty(inbox: Path) -> bool:
    """Tell whether the inbox holds no file other than hidden placeholders."""
    return not any(p.is_file() and not p.name.startswith(".") for p in inbox.rglob("*")) if inbox.exists() else True


def put_demo(inbox: Path, units_csv: Path, periods: tuple[str, ...] = DEMO_PERIODS) -> list[Path]:
    """Write the demo submissions into `inbox` if it is empty; return the files written (none otherwise)."""
    if not inbox_is_empty(inbox):
        return []
    inbox.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for period in periods:
        written += generate_demo_inbox(inbox, units_csv, period_code=period)
    return written


def main() -> None:
    """Command-line entry used by `make demo`."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--inbox", type=Path, default=Path("inbox"))
    ap.add_argument("--units", type=Path, default=Path("schemas/units.csv"))
    args = ap.parse_args()
    written = put_demo(args.inbox, args.units)
    if written:
        print(f"Đã tạo {len(written)} tệp báo cáo mẫu trong {args.inbox}/")
    else:
        print(f"Hộp thư {args.inbox}/ đã có tệp: giữ nguyên, không tạo tệp mẫu.")


if __name__ == "__main__":
    main()
