"""Exact cells of the seed 001 (national Phụ lục) and seed 004 (Thanh Hóa) sample workbooks, read back with calamine."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from samples.national import SECTIONS, SEED001_PAGE_BREAKS, SEED001_ROWS, write_national  # noqa: E402
from samples.thanhhoa import SEED004_ROWS, TRONG_DO, write_thanhhoa  # noqa: E402

HEADER_NAME = "Chỉ tiêu thống kê (Sử dụng trong kỳ báo cáo hàng quý, 6 tháng, năm)"


def read(path: Path):
    """Return (sheet name, rows as lists, merged ranges) of the first sheet."""
    wb = CalamineWorkbook.from_path(str(path))
    sheet = wb.get_sheet_by_index(0)
    rows = sheet.to_python(skip_empty_area=False)
    return wb.sheet_names[0], rows, sheet.merged_cell_ranges or []


# ------------------------------------------------------------------------------------- seed 001

@pytest.fixture(scope="module")
def national(tmp_path_factory):
    p = write_national(tmp_path_factory.mktemp("n") / "phu_luc_nhu_quynh_q1_2024.xlsx")
    return read(p)


def national_index(rows):
    """Map (section, printed code) -> 0-based row, skipping header rows and split pieces."""
    out, section = {}, None
    for i, row in enumerate(rows):
        a = row[0] if isinstance(row[0], str) else ""
        if a in SECTIONS and row[1]:
            section = a
        elif section and a and a != "STT":
            out[(section, a)] = i
    return out


def test_national_sheet_and_typed_values(national):
    name, rows, _ = national
    assert name == "Phụ lục"
    idx = national_index(rows)
    i1, i2 = idx[("I", "1.")], idx[("I", "2.")]
    assert rows[i1][3] == "08" and isinstance(rows[i1][3], str)
    assert rows[i2][3] == "26,6" and isinstance(rows[i2][3], str)
    assert rows[i2][2] == "%"
    r = idx[("VII", "5.3.1")]
    assert rows[r][3] == 1058 and not isinstance(rows[r][3], str)
    assert rows[r][2] == "Hồ sơ"
    assert rows[idx[("I", "4.4.")]][3] == ""  # blank stays blank
    assert rows[idx[("I", "3.2.")]][4] == "Cấp huyện báo cáo cho cấp xã"


def test_national_page_break_artefacts(national):
    _, rows, merged = national
    heads = [i for i, row in enumerate(rows) if row[0] == "STT"]
    assert len(heads) == 1 + len(SEED001_PAGE_BREAKS)
    for h in heads:
        assert rows[h][1] == HEADER_NAME and rows[h][2] == "Kết quả thống kê" and rows[h][4] == "Ghi chú"
        assert rows[h + 1][2:4] == ["Đơn vị tính", "Số liệu"]
        assert ((h, 2), (h, 3)) in merged and ((h, 0), (h + 1, 0)) in merged
    six = next(i for i, row in enumerate(rows) if row[0] == "6.")
    assert rows[six][1:3] == ["Tổ chức đối thoại của lãnh đạo với người dân, cộng đồng", "Không = 0"]
    assert rows[six + 1][0] == "STT"
    assert rows[six + 3][:3] == ["", "doanh nghiệp", "Có = 1"]
    note = next(i for i, row in enumerate(rows) if row[4] == "Chỉ báo cáo các")
    assert rows[note + 1][0] == "STT"
    assert rows[note + 3] == ["", "", "", "", "tổ chức vẫn đang hoạt động (VD: Ban Chỉ đạo, Đoàn kiểm tra...)"]
    assert rows[-1][1] == "Cổng DVC quốc gia hoặc trên Cổng DVC của tỉnh" and rows[-3][0] == "STT"
    body = len(rows) - heads[0] - 2 * len(heads)
    assert body == len(SEED001_ROWS) == 147


def test_national_override(tmp_path):
    p = write_national(tmp_path / "x.xlsx", values_override={"VII.5.3.1": 7, "I.1": None})
    _, rows, _ = read(p)
    idx = national_index(rows)
    assert rows[idx[("VII", "5.3.1")]][3] == 7
    assert rows[idx[("I", "1.")]][3] == ""
    with pytest.raises(ValueError):
        write_national(tmp_path / "y.xlsx", values_override={"VII.9.9": 1})


# ------------------------------------------------------------------------------------- seed 004

@pytest.fixture(scope="module")
def thanhhoa(tmp_path_factory):
    p = write_thanhhoa(tmp_path_factory.mktemp("t") / "phu_luc_truong_thi_6t_2023.xlsx")
    return read(p)


def coded(rows, code):
    """0-based rows whose STT cell is exactly `code`."""
    return [i for i, row in enumerate(rows) if row[0] == code]


def test_thanhhoa_values(thanhhoa):
    name, rows, _ = thanhhoa
    assert name == "Phụ lục"
    [r] = coded(rows, "1.1.1")
    assert rows[r][3] == 7 and rows[r][2] == "Nhiệm vụ"
    assert rows[r][4].startswith("1. Cải cách thể chế.\n2. Cải cách thủ tục HC.\n")
    [r] = coded(rows, "1.3.1")
    assert rows[r][3] == 449
    [r] = coded(rows, "1.4")
    assert rows[r][2] == "Không = 0\nCó = 1" and rows[r][3] == 4
    [a] = coded(rows, "4.2.1")
    [b] = coded(rows, "4.2.2")
    assert rows[a][3] == 21 and rows[b][3] == 22
    assert len(coded(rows, "3.3.1")) == 2
    assert [rows[i][3] for i in coded(rows, "3.3.1") + coded(rows, "3.3.2")] == [3135, "", 3135]
    [r] = coded(rows, "3.3.1")[:1]
    assert [rows[r + k][1:4] for k in range(1, 5)] == [
        ["Tiếp nhận trực tiếp", "", 1989], ["Tiếp nhận qua BCCI", "", 97],
        ["Tiếp nhận trực tuyến một phần", "", 726], ["Tiếp nhận trực tuyến toàn trình", "", 363],
    ]
    assert all(rows[r + k][0] == "" for k in range(1, 5))


def test_thanhhoa_trong_do_merged(thanhhoa):
    _, rows, merged = thanhhoa
    [r] = coded(rows, "3.1.3")
    assert rows[r][3] == 240
    assert rows[r + 1][:2] == [TRONG_DO, "Số TTHC cấp huyện"]
    assert rows[r + 2][:4] == ["", "Số TTHC cấp xã", "Thủ tục", 240]  # the cấp-xã sub-row
    assert ((r + 1, 0), (r + 2, 0)) in merged
    [r] = coded(rows, "3.2.3")
    assert rows[r + 2][1:4] == ["Tại cấp xã", "", 189] and ((r + 1, 0), (r + 2, 0)) in merged
    [r] = coded(rows, "3.3.2")
    assert ((r + 1, 0), (r + 4, 0)) in merged and rows[r + 1][:4] == [TRONG_DO, "Trả trực tiếp", "", 1989]
    n_trong_do = sum(1 for row in SEED004_ROWS if row.printed_code == TRONG_DO)
    assert sum(1 for (a, b) in merged if a[1] == 0 and b[1] == 0 and rows[a[0]][0] == TRONG_DO) == n_trong_do == 14
    first = coded(rows, "1")[0]
    assert len(rows) - first == len(SEED004_ROWS) == 104
