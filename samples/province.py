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


