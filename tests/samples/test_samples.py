"""Tests for samples (Biểu mẫu 1–7 sample workbooks)."""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from samples import (  # noqa: E402
    BIEU_MAU,
    RATE_PARTS,
    demo_values,
    generate_demo_inbox,
    key,
    seed000_values,
    write_bieu_mau,
)

UNITS_CSV = ROOT / "schemas" / "units.csv"
LATE_2023_H1 = {"ha_ky": 4, "tai_son": 1, "dai_son": 6, "tt_tu_ky": 1, "hung_dao": 1,
                "an_thanh": 2, "binh_lang": 1, "van_to": 1, "tan_ky": 2}


def vn(value):
    """Parse a value as a Vietnamese clerk types it ("3.000", "67,1", "08", "98.17")."""
    if value is None or isinstance(value, (int, float)):
        return value
    s = str(value).strip()
    if "," in s:
        return float(s.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
        return int(s.replace(".", ""))
    if "." in s:
        return float(s)
    return int(s)


def unit_codes():
    with open(UNITS_CSV, encoding="utf-8-sig", newline="") as fh:
        return [r["code"] for r in csv.DictReader(fh)]


@pytest.fixture(scope="module")
def h1():
    return demo_values(unit_codes(), "2023-H1")


# --- template ---------------------------------------------------------------------------------

def test_template_has_all_forms_and_rows():
    assert [f.number for f in BIEU_MAU] == list(range(1, 8))
    assert BIEU_MAU[0].title == "Công tác chỉ đạo điều hành CCHC"
    keys = {key(f.number, r.code) for f in BIEU_MAU for r in f.rows}
    assert len(keys) == sum(len(f.rows) for f in BIEU_MAU) == 115
    for k in (key(3, "3.3.1."), key(2, "1.3"), key(7, "6.8.2"), key(1, "3.3.2"), key(7, "5.1")):
        assert k in keys
    codes = {(f.number, r.code) for f in BIEU_MAU for r in f.rows}
    # printed codes keep their trailing dots, or the lack of them
    assert {(1, "3.3.2"), (1, "5.1"), (3, "1.4"), (3, "1.4.3."), (3, "3.3.1.")} <= codes
    units = {key(f.number, r.code): r.unit for f in BIEU_MAU for r in f.rows}
    assert units[key(1, "5")] == "Có = 1; Không = 0"
    assert units[key(1, "5.2")] == "Trực tuyến = 0\nPhát phiếu = 1\nKết hợp = 2"
    assert key(3, " 3.3.1. ") == (3, "3.3.1")


def test_seed000_values():
    v = seed000_values()
    assert v[key(6, "1.1")] == "3.000"
    assert v[key(6, "1.2")] == "2.014"
    assert v[key(6, "1")] == "67,1"
    assert v[key(7, "6.7")] == "98.17"
    assert v[key(3, "1.4.3")] == 157
    assert v[key(3, "1.4")] == 139
    assert v[key(7, "5.1")] == 339
    assert v[key(1, "4.2")] == 62
    assert key(1, "3.1") not in v  # blank is absent


# --- demo values ------------------------------------------------------------------------------

def test_demo_totals_2023_h1(h1):
    codes = unit_codes()
    assert list(h1) == codes and len(codes) == 23

    def total(form, code):
        return sum(vn(h1[u][key(form, code)]) for u in codes)

    assert total(3, "3.3.1") == 23378
    assert total(3, "3.3.2") == 23359
    assert total(7, "6.7.1") == 22903
    assert total(7, "6.7.2") == 22816
    for u in codes:
        late = vn(h1[u][key(3, "3.3.1")]) - vn(h1[u][key(3, "3.3.2")])
        assert late == LATE_2023_H1.get(u, 0), u
        a, b = vn(h1[u][key(7, "6.7.1")]), vn(h1[u][key(7, "6.7.2")])
        assert 0 <= b <= a <= vn(h1[u][key(3, "3.3.1")]) * 1.2


PART_OF = [  # (part, whole)
    ((1, "2.2"), (1, "2.1")), ((1, "4.2"), (1, "4.1")), ((3, "1.4.3"), (3, "1.4")),
    ((3, "3.3.2"), (3, "3.3.1")), ((3, "3.4.2"), (3, "3.4.1")), ((4, "2.2"), (4, "2.1")),
    ((6, "1.2"), (6, "1.1")), ((7, "6.4.2"), (7, "6.4.1")), ((7, "6.4.3"), (7, "6.4.2")),
    ((7, "6.5.2"), (7, "6.5.1")), ((7, "6.5.3"), (7, "6.5.2")), ((7, "6.6.2"), (7, "6.6.1")),
    ((7, "6.7.2"), (7, "6.7.1")), ((7, "6.8.2"), (7, "6.8.1")), ((2, "1.3"), (2, "1")),
]


@pytest.mark.parametrize("period", ["2023-H1", "2022-Y", "2023-Q3", "2023-9M", "2023-H2"])
def test_demo_consistency(period):
    data = demo_values(unit_codes(), period, seed=7)
    rows = {key(f.number, r.code): r for f in BIEU_MAU for r in f.rows}
    n_text = n_all = 0
    for u, vals in data.items():
        num = {k: vn(x) for k, x in vals.items()}
        for k, x in vals.items():
            n_all += 1
            n_text += isinstance(x, str)
            assert num[k] >= 0, (u, k)
            unit = rows[k].unit
            if "=" in unit:
                allowed = {int(c) for c in re.findall(r"=\s*(\d+)", unit)}
                assert num[k] in allowed, (u, k, x)
            if unit == "%":
                assert 0 <= num[k] <= 100, (u, k, x)
        for part, whole in PART_OF:
            if part in num and whole in num:
                assert num[part] <= num[whole], (u, part, whole)
        assert (num.get(key(1, "4.2"), 0) + num.get(key(1, "4.3"), 0) + num.get(key(1, "4.4"), 0)
                <= num[key(1, "4.1")])
        for rk, (nk, dk) in RATE_PARTS.items():
            den = num.get(dk)
            if den in (None, 0):
                assert rk not in num, (u, rk)
            elif rk in num:
                assert num[rk] == round(100 * num[nk] / den, 2), (u, rk)
    assert 0.15 < n_text / n_all < 0.35


def test_demo_text_styles_present(h1):
    texts = [x for vals in h1.values() for x in vals.values() if isinstance(x, str)]
    assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+", t) for t in texts)  # "1.016"
    assert any(re.fullmatch(r"0\d", t) for t in texts)  # "08"
    assert any(re.fullmatch(r"\d+,\d+", t) for t in texts)  # "67,1"


def test_determinism():
    codes = unit_codes()
    assert demo_values(codes, "2023-H1", 2023) == demo_values(codes, "2023-H1", 2023)
    assert demo_values(codes, "2023-Q3", 5) == demo_values(codes, "2023-Q3", 5)
    assert demo_values(codes, "2023-Q3", 5) != demo_values(codes, "2022-Q3", 5)
    assert demo_values(codes, "2023-Q3", 5) != demo_values(codes, "2023-Q3", 6)


# --- workbooks --------------------------------------------------------------------------------

def test_write_bieu_mau(tmp_path):
    p = write_bieu_mau(
        tmp_path / "tm.xlsx",
        unit_header="ỦY BAN NHÂN DÂN\nTHỊ TRẤN THANH MIỆN",
        district_line=None,
        period_title="Thống kê kết quả thực hiện công tác CHCC quý III năm 2023",
        window_text="(Số liệu tính từ ngày 10/6/2023 đến ngày 09/9/2023)",
        caption="(Kèm theo Báo cáo số /BC-UBND ngày /9/2023)",
        values=seed000_values(),
        notes={key(3, "1.4.3"): "UBND: 139; CA: 11; QS: 7"},
    )
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == [f"Biểu mẫu {n}" for n in range(1, 8)]
    ws1 = wb["Biểu mẫu 1"]
    assert ws1["A1"].value == "ỦY BAN NHÂN DÂN"
    assert ws1["A2"].value == "THỊ TRẤN THANH MIỆN"
    assert ws1["D1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert ws1["A1"].font.name == "Times New Roman"
    for ws in wb.worksheets:
        cells = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
        head = [coord for coord, v in cells.items() if v == "Kết quả thống kê"]
        assert head
        merged = {str(r) for r in ws.merged_cells.ranges}
        for coord in head:
            r = re.sub(r"\D", "", coord)
            assert f"C{r}:D{r}" in merged
        assert ws.page_setup.orientation == "landscape"
    ws6 = wb["Biểu mẫu 6"]
    by_code = {row[0].value: row for row in ws6.iter_rows() if row[0].value}
    assert by_code["1.1."][3].value == "3.000" and by_code["1.1."][3].data_type == "s"
    ws3 = wb["Biểu mẫu 3"]
    by_code = {row[0].value: row for row in ws3.iter_rows() if row[0].value}
    assert by_code["1.4.3."][3].value == 157 and by_code["1.4.3."][4].value.startswith("UBND")
    assert by_code["1.4"][3].value == 139
    ws7 = wb["Biểu mẫu 7"]
    col_a = [row[0].value for row in ws7.iter_rows()]
    assert col_a.count("STT") == 2
    i = col_a.index("6.4.1.")
    assert col_a[i + 1] == "STT" and col_a[i + 3] == "6.4.2."
    assert col_a.index("6.7.") and ws7.cell(col_a.index("6.7.") + 1, 4).value == "98.17"
    with pytest.raises(ValueError):
        write_bieu_mau(tmp_path / "bad.xlsx", unit_header="X", district_line=None, period_title="t",
                       window_text=None, caption=None, values={(3, "9.9"): 1})


def test_generate_demo_inbox(tmp_path):
    bom_csv = tmp_path / "units.csv"
    bom_csv.write_bytes(b"\xef\xbb\xbf" + UNITS_CSV.read_bytes())
    paths = generate_demo_inbox(tmp_path / "a", bom_csv)
    assert len(paths) == 23
    assert paths[0].name == "BC_CCHC_6T2023_Ngoc_Ky.xlsx"
    assert paths[-1].name == "BC_CCHC_6T2023_Tu_Ky.xlsx"
    assert len({p.name for p in paths}) == 23
    wb = openpyxl.load_workbook(paths[0])
    ws = wb["Biểu mẫu 1"]
    texts = [c.value for row in ws.iter_rows(max_row=10) for c in row if isinstance(c.value, str)]
    assert "XÃ NGỌC KỲ" in texts
    assert any("6 tháng đầu năm 2023" in t for t in texts)
    assert "(Số liệu tính từ ngày 15/12/2022 đến ngày 14/6/2023)" in texts
    ws = openpyxl.load_workbook(paths[-1])["Biểu mẫu 1"]
    assert "THỊ TRẤN TỨ KỲ" in [c.value for row in ws.iter_rows(max_row=4) for c in row]
    # byte-for-byte deterministic
    again = generate_demo_inbox(tmp_path / "b", bom_csv)
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    assert digest == [hashlib.sha256(p.read_bytes()).hexdigest() for p in again]
    q3 = generate_demo_inbox(tmp_path / "c", UNITS_CSV, period_code="2023-Q3")
    ws = openpyxl.load_workbook(q3[0])["Biểu mẫu 1"]
    texts = [c.value for row in ws.iter_rows(max_row=10) for c in row if isinstance(c.value, str)]
    assert any("quý III năm 2023" in t for t in texts)
