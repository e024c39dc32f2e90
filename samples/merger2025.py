"""`python -m samples.merger2025 --dir demo-2025`: an ILLUSTRATION of the map after 1 July 2025 (not real data).

Tứ Kỳ's 23 units report for 6 tháng đầu năm 2025 on the old map. From 1 July 2025 this sample pretends that four
communes (Ngọc Kỳ, Quang Trung, Chí Minh, Quang Khải) were merged into one new commune called "Ngọc Quang" and that
thị trấn Tứ Kỳ became "xã Tứ Kỳ" (a rename: towns were abolished). The real 2025 merger decisions are not among the
project's seeds: the name "Ngọc Quang", its code `ngoc_quang_mh` and the choice of communes are invented for the
illustration. The 20 units of the new map then report for năm 2025, and one commune that no longer exists sends a
năm 2025 file by mistake (it is rejected, naming the commune it was merged into).

Writes into DIR (never into schemas/ or the office's inbox): `units.csv` (the registry with validity and lineage),
`inbox/2025-H1/` (23 files) and `inbox/2025-Y/` (20 files plus the mistaken one). Only when DIR/inbox is empty.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
from pathlib import Path

from samples.bieumau import generate_demo_inbox

MERGED = ("ngoc_ky", "quang_trung", "chi_minh", "quang_khai")  # illustrative choice, not the real 2025 decision
NEW_CODE, NEW_NAME = "ngoc_quang_mh", "Ngọc Quang"  # invented name ("mh": minh họa, illustration)
RENAMED_FROM, RENAMED_TO = "tt_tu_ky", "xa_tu_ky"
LAST_DAY, FIRST_DAY = "2025-06-30", "2025-07-01"
BEFORE, AFTER = "2025-H1", "2025-Y"
MISTAKEN = "ngoc_ky"  # sends a năm 2025 report under its old name
COLUMNS = ["code", "name", "kind", "aliases", "valid_from", "valid_to", "merged_into", "split_from", "renamed_from"]


def registry_rows(units_csv: Path) -> list[dict[str, str]]:
    """The district's registry with the illustrative merger and rename of 1 July 2025 recorded as data."""
    with open(units_csv, encoding="utf-8-sig", newline="") as fh:
        rows = [{c: (r.get(c) or "").strip() for c in COLUMNS} for r in csv.DictReader(fh) if (r.get("code") or "").strip()]
    for r in rows:
        if r["code"] in MERGED:
            r.update(valid_to=LAST_DAY, merged_into=NEW_CODE)
        elif r["code"] == RENAMED_FROM:
            r.update(valid_to=LAST_DAY)
    rows.append({**dict.fromkeys(COLUMNS, ""), "code": NEW_CODE, "name": NEW_NAME, "kind": "xã",
                 "aliases": f"UBND xã {NEW_NAME}", "valid_from": FIRST_DAY})
    rows.append({**dict.fromkeys(COLUMNS, ""), "code": RENAMED_TO, "name": "Tứ Kỳ", "kind": "xã",
                 "aliases": "UBND xã Tứ Kỳ", "valid_from": FIRST_DAY, "renamed_from": RENAMED_FROM})
    return rows


def _write_csv(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def put_sample(folder: Path, units_csv: Path) -> list[Path]:
    """Write the illustration's registry and inbox under `folder`; return the workbooks written (none when its inbox
    already holds files)."""
    folder = Path(folder)
    inbox = folder / "inbox"
    if inbox.exists() and any(p.is_file() and not p.name.startswith(".") for p in inbox.rglob("*")):
        return []
    rows = registry_rows(Path(units_csv))
    _write_csv(folder / "units.csv", rows, COLUMNS)
    old = [r for r in rows if not r["valid_from"]]
    new = [r for r in rows if not r["valid_to"]]
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        for period, units in ((BEFORE, old), (AFTER, new)):
            listed = Path(tmp) / f"units-{period}.csv"
            _write_csv(listed, units, COLUMNS[:4])
            written += generate_demo_inbox(inbox / period, listed, period_code=period, seed=2025)
        mistaken = Path(tmp) / "mistaken.csv"
        _write_csv(mistaken, [r for r in rows if r["code"] == MISTAKEN], COLUMNS[:4])
        made = generate_demo_inbox(Path(tmp) / "mistaken", mistaken, period_code=AFTER, seed=2025)
        target = inbox / AFTER / made[0].name.replace(".xlsx", "_ten_cu.xlsx")
        shutil.copy2(made[0], target)
        written.append(target)
    return written


def main() -> None:
    """Command-line entry used by `make demo-2025`."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=Path("demo-2025"))
    ap.add_argument("--units", type=Path, default=Path("schemas/units.csv"))
    args = ap.parse_args()
    written = put_sample(args.dir, args.units)
    if written:
        print(f"MINH HỌA (không phải số liệu thật): đã tạo {args.dir}/units.csv (sáp nhập {', '.join(MERGED)} thành "
              f"{NEW_CODE} và đổi tên {RENAMED_FROM} thành {RENAMED_TO} từ {FIRST_DAY}) và {len(written)} tệp trong "
              f"{args.dir}/inbox/")
    else:
        print(f"Hộp thư {args.dir}/inbox/ đã có tệp: giữ nguyên, không tạo tệp mẫu.")


if __name__ == "__main__":
    main()
