"""A synthetic province: N distinct units with two-syllable names, and its units registry CSV (bench and samples)."""

from __future__ import annotations

from pathlib import Path

# Syllables of synthetic unit names: distinct once accents are folded, none a word of the letterhead or titles.
_SYLLABLES = (
    "An Bình Cẩm Dương Đông Giang Hà Hải Hưng Khánh Kim Lạc Lâm Liên Long Minh Mỹ Ngọc Nhân Phong Phú Phúc "
    "Quang Quế Sơn Tân Thái Thanh Thịnh Thuận Thủy Tiến Toàn Trung Tường Vinh Xuân Yên Bảo Cao Chí Cường Diễn "
    "Đại Đức Gia Hiệp Hoàng Hồng Hợp Khê Lợi Lương Mai Nghi Ninh Phương Quý Tài Thạch Thắng Thiện Thượng Trà "
    "Triệu Tú Uy Vạn Vũ Kỳ Lý Lộc Mậu Nội Oai Quỳnh Sáng Trạch Tuấn Vĩnh Xá Ấp Bồ Cát Dũng Hậu Kiều Lai"
).split()


def synthetic_units(n: int) -> list[dict[str, str]]:
    """Return n distinct units (code, name, kind, aliases) with two-syllable names."""
    from pipeline.vn.text import fold

    sylls: list[str] = []
    seen: set[str] = set()
    for s in _SYLLABLES:
        if fold(s) not in seen:
            seen.add(fold(s))
            sylls.append(s)
    names = [f"{a} {b}" for a in sylls for b in sylls if a != b]
    if n > len(names):
        raise ValueError(f"at most {len(names)} synthetic units")
    step = 7919  # a prime: spread the names over the alphabet instead of "An Bình", "An Cẩm", …
    order = sorted(range(len(names)), key=lambda i: (i * step) % len(names))
    kinds = ["phường" if i % 10 == 3 else "thị trấn" if i % 25 == 7 else "xã" for i in range(n)]
    return [{"code": f"dv{i + 1:05d}", "name": names[order[i]], "kind": kinds[i], "aliases": ""} for i in range(n)]


def write_units_csv(path: Path, units: list[dict[str, str]]) -> Path:
    """Write a units registry CSV (code,name,kind,aliases)."""
    lines = ["code,name,kind,aliases"] + [f"{u['code']},{u['name']},{u['kind']},{u['aliases']}" for u in units]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path




# A province's Sở Nội vụ after 1 July 2025 (an illustration: the names and the units are synthetic).
PROVINCE_OFFICE = """\
# Ví dụ minh họa: Sở Nội vụ thành phố Hải Phòng tổng hợp báo cáo CCHC của các xã, phường, đặc khu (sau 01/7/2025).
[office]
level = "tỉnh"
name = "Hải Phòng"
kind = "thành phố"
body = "SỞ NỘI VỤ"
parent = "UBND THÀNH PHỐ HẢI PHÒNG"
short = "Sở Nội vụ thành phố Hải Phòng"
report_code = "BC-SNV"
place = "Hải Phòng"
receives = ["xã", "phường", "đặc khu"]
area_word = "thành phố"
signature = ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
units_as_rows_above = 30
"""


def province_units(n: int) -> list[dict[str, str]]:
    """n synthetic units of a province after 2025: xã and phường, and a few đặc khu (where synthetic_units has thị trấn)."""
    return [{**u, "kind": "đặc khu" if u["kind"] == "thị trấn" else u["kind"]} for u in synthetic_units(n)]


def write_province_sample(dest: Path, n: int = 170, period_code: str = "2025-Q3") -> dict[str, Path]:
    """Write dest/office.toml (a province's Sở Nội vụ), dest/units.csv (n units) and dest/inbox (one issue-heavy
    Biểu mẫu workbook per unit, samples.heavy); return their paths."""
    from samples.heavy import generate_heavy_inbox

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    office = dest / "office.toml"
    office.write_text(PROVINCE_OFFICE, encoding="utf-8")
    units = province_units(n)
    registry = write_units_csv(dest / "units.csv", units)
    generate_heavy_inbox(dest / "inbox", units, period_code)
    return {"office": office, "units": registry, "inbox": dest / "inbox"}


def main() -> None:
    """`python -m samples.province DEST [--units 170] [--period 2025-Q3]`: a province's office file, registry and inbox."""
    import argparse

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--units", type=int, default=170)
    ap.add_argument("--period", default="2025-Q3")
    args = ap.parse_args()
    paths = write_province_sample(args.dest, args.units, args.period)
    print(f"{args.units} workbooks in {paths['inbox']}, registry {paths['units']}, office {paths['office']}")


if __name__ == "__main__":
    main()
