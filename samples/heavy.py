"""Issue-heavy "Biểu mẫu 1–7" workbooks written by openpyxl: the workload of the performance issue (issue 14).

Each unit's workbook has the Hải Dương Biểu mẫu 1–7 layout (seed 000) as a commune clerk saves it from Excel
(openpyxl writes what Excel writes: shared strings, merged title cells, styles), with values drawn at random within
plausible ranges: counts up to a few thousand, rates 0–100, coded answers 0–2, parts that do not always fit their
totals. Many values therefore break a rule, and every file gets a feedback workbook.

    write_heavy_bieu_mau(path, unit_header=..., caption=..., values=...)
    heavy_values(rng)  -> {(form, code): value}
    generate_heavy_inbox(dest, units, period_code="2023-H1", seed=14) -> [paths]
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Mapping, Sequence

from samples.bieumau import BIEU_MAU, RATE_PARTS, _COL_WIDTHS, _HEADER_B, _period_label, _period_short, _window, _dmy, key

__all__ = ["heavy_values", "write_heavy_bieu_mau", "generate_heavy_inbox"]


def heavy_values(rng: random.Random) -> dict[tuple[int, str], object]:
    """Random plausible values for every Biểu mẫu row: about one in ten left blank, a quarter typed as text."""
    out: dict[tuple[int, str], object] = {}
    for form in BIEU_MAU:
        for row in form.rows:
            k = key(form.number, row.code)
            if not row.unit or rng.random() < 0.1:  # heading rows carry no value; a few values are left blank
                continue
            if row.unit == "%" or k in RATE_PARTS and row.unit == "%":
                v: object = round(rng.uniform(40, 100), rng.choice([0, 1, 2]))
            elif "=" in row.unit:  # coded answer (Có = 1; Không = 0 / Trực tuyến = 0 …)
                v = rng.choice([0, 1, 1, 2])
            elif "triệu" in row.unit.lower() or "đồng" in row.unit.lower():
                v = round(rng.uniform(0, 5000), 1)
            else:
                v = rng.choice([rng.randint(0, 12), rng.randint(0, 300), rng.randint(0, 3000)])
            if isinstance(v, (int, float)) and rng.random() < 0.25:
                v = f"{v:,}".replace(",", "#").replace(".", ",").replace("#", ".") if not isinstance(v, int) or v >= 1000 \
                    else str(v)
            out[k] = v
    return out


def write_heavy_bieu_mau(path: Path, *, unit_header: str, period_title: str, caption: str, window_text: str,
                         values: Mapping[tuple[int, str], object]) -> Path:
    """Write one unit's Biểu mẫu 1–7 workbook with openpyxl (7 sheets, merged title block, two-row header)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font, bold = Font(name="Times New Roman", size=12), Font(name="Times New Roman", size=12, bold=True)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wb = Workbook()
    wb.remove(wb.active)
    for form in BIEU_MAU:
        ws = wb.create_sheet(f"Biểu mẫu {form.number}")
        for i, w in enumerate(_COL_WIDTHS):
            ws.column_dimensions["ABCDE"[i]].width = w
        r = 1
        if form.number == 1:
            lines = [s for s in unit_header.split("\n") if s.strip()]
            for j, line in enumerate(lines):
                ws.cell(r + j, 1, line).font = bold
                ws.merge_cells(start_row=r + j, start_column=1, end_row=r + j, end_column=2)
            ws.cell(r, 3, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").font = bold
            ws.cell(r + 1, 3, "Độc lập - Tự do - Hạnh phúc").font = bold
            r += max(2, len(lines)) + 1
            for text in ("PHỤ LỤC", period_title, caption, window_text):
                c = ws.cell(r, 1, text)
                c.font, c.alignment = bold, centre
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
                r += 1
        for text in (f"Biểu mẫu {form.number}", form.title):
            c = ws.cell(r, 1, text)
            c.font, c.alignment = bold, centre
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
            r += 1
        for j, text in enumerate(("STT", _HEADER_B, "Đơn vị tính", "Kết quả thống kê", "Ghi chú")):
            c = ws.cell(r, j + 1, text)
            c.font, c.alignment, c.border = bold, centre, border
        ws.cell(r + 1, 4, "Số lượng/ Tỷ lệ").font = bold
        for col in (1, 2, 3, 5):
            ws.merge_cells(start_row=r, start_column=col, end_row=r + 1, end_column=col)
        r += 2
        for j in range(5):
            ws.cell(r, j + 1, f"({j + 1})").alignment = centre
        r += 1
        for row in form.rows:
            k = key(form.number, row.code)
            top = "." not in k[1]
            cells = (row.code, row.name, row.unit, values.get(k))
            for j, v in enumerate(cells):
                c = ws.cell(r, j + 1, v)
                c.font, c.border = (bold if top and j < 2 else font), border
                c.alignment = wrap if j == 1 else centre
            ws.cell(r, 5).border = border
            r += 1
        ws.print_title_rows = f"{r - len(form.rows) - 3}:{r - len(form.rows) - 2}"
    wb.save(path)
    return Path(path)


def generate_heavy_inbox(dest: Path, units: Sequence[Mapping[str, str]], period_code: str = "2023-H1",
                         seed: int = 14) -> list[Path]:
    """Write one issue-heavy workbook per unit (dicts with code, name, kind) into dest; return the paths."""
    from samples.bieumau import _ascii, _parse_period

    year, kind = _parse_period(period_code)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    w0, w1 = _window(year, kind)
    label = _period_label(year, kind)
    paths = []
    for u in units:
        rng = random.Random(f"{seed}|{period_code}|{u['code']}")
        kind_u, name = u.get("kind") or "xã", u["name"]
        path = dest / f"BC_CCHC_{_period_short(year, kind)}_{_ascii(name)}_{u['code']}.xlsx"
        write_heavy_bieu_mau(
            path, unit_header=f"ỦY BAN NHÂN DÂN\n{kind_u.upper()} {name.upper()}",
            period_title=f"Thống kê kết quả thực hiện công tác CCHC {label}",
            caption=f"(Kèm theo Báo cáo số {rng.randint(20, 190)}/BC-UBND ngày 14/{w1.month}/{w1.year} của UBND {kind_u} {name})",
            window_text=f"(Số liệu tính từ ngày {_dmy(w0)} đến ngày {_dmy(w1)})",
            values=heavy_values(rng))
        paths.append(path)
    return paths


def main() -> None:
    """`python -m samples.heavy DEST --units 500`: a synthetic registry (DEST/units.csv) and its inbox (DEST/inbox)."""
    import argparse

    from samples.province import synthetic_units, write_units_csv

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--units", type=int, default=500)
    ap.add_argument("--period", default="2023-H1")
    args = ap.parse_args()
    units = synthetic_units(args.units)
    write_units_csv(args.dest / "units.csv", units)
    paths = generate_heavy_inbox(args.dest / "inbox", units, args.period)
    print(f"{len(paths)} workbooks in {args.dest / 'inbox'}, registry {args.dest / 'units.csv'}")


if __name__ == "__main__":
    main()
