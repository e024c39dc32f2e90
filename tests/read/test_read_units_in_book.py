"""A workbook holding several units' reports, a sheet per commune: each sheet is its own submission."""

from __future__ import annotations

import duckdb
import openpyxl

from pipeline.read import parse_submission
from pipeline.read.submission import submission_json
from pipeline.run import run_steps

ROWS = [  # the cases' national Phụ lục, xã Ngọc Kỳ, quý III 2023
    ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "", None),
    ("1.", "Số văn bản chỉ đạo CCHC đã ban hành (Kết luận, chỉ thị, công văn chỉ đạo, quán triệt)", "Văn bản", 12),
    ("2.", "Tỷ lệ hoàn thành Kế hoạch CCHC năm (Lũy kế đến thời điểm báo cáo)", "%", 80),
    ("2.1.", "Số nhiệm vụ đề ra trong kế hoạch", "Nhiệm vụ", 25),
    ("2.2.", "Số nhiệm vụ đã hoàn thành", "Nhiệm vụ", 20),
    ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "", None),
    ("3.", "Kết quả giải quyết TTHC", "", None),
    ("3.3.", "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn", "%", "99,5"),
    ("3.3.1.", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", "1.200"),
    ("3.3.2.", "Số hồ sơ TTHC giải quyết đúng hạn", "Hồ sơ", 1194),
    ("VII", "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ", "", None),
    ("5.3", "Tỷ lệ hồ sơ TTHC được tiếp nhận trực tuyến mức độ 3 và 4", "%", 88),
    ("5.3.1", "Tổng số hồ sơ TTHC đã tiếp nhận (cả trực tiếp và trực tuyến)", "Hồ sơ", "1.250"),
    ("5.3.2", "Số hồ sơ TTHC đã tiếp nhận trực tuyến", "Hồ sơ", 1100),
]
NGOC_KY = {"I.1": 12, "I.2": 80, "I.2.1": 25, "I.2.2": 20, "III.3.3": 99.5, "III.3.3.1": 1200, "III.3.3.2": 1194,
           "VII.5.3": 88, "VII.5.3.1": 1250, "VII.5.3.2": 1100}
QUANG_TRUNG_CELLS = {"1.": 9, "3.3.": 99.5, "3.3.1.": "2.000", "3.3.2.": 1990, "5.3": 90, "5.3.1": "2.000", "5.3.2": 1800}
QUANG_TRUNG = {**NGOC_KY, "I.1": 9, "III.3.3.1": 2000, "III.3.3.2": 1990, "VII.5.3": 90, "VII.5.3.1": 2000, "VII.5.3.2": 1800}


def fill(ws, issuer: str | None, values: dict | None = None) -> None:
    """Letterhead (issuer block unless None), titles, a two-row merged header and the rows."""
    ws["A1"] = "ỦY BAN NHÂN DÂN"
    if issuer:
        ws["A2"] = issuer
    ws["C1"], ws["C2"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"
    ws["A4"] = "PHỤ LỤC"
    ws["A5"] = "Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính quý III năm 2023"
    ws["A6"] = "(Số liệu tính từ ngày 15/6/2023 đến ngày 14/9/2023)"
    ws["A8"], ws["B8"], ws["C8"], ws["E8"] = "STT", "Chỉ tiêu thống kê", "Kết quả thống kê", "Ghi chú"
    ws["C9"], ws["D9"] = "Đơn vị tính", "Số liệu"
    for rng in ("A8:A9", "B8:B9", "C8:D8", "E8:E9"):
        ws.merge_cells(rng)
    for i, (code, name, unit, value) in enumerate(ROWS):
        r = 10 + i
        ws.cell(r, 1, code)
        ws.cell(r, 2, name)
        ws.cell(r, 3, unit or None)
        ws.cell(r, 4, (values or {}).get(code, value))


def cluster_workbook(path, sheets: list[tuple[str, str | None, dict | None]]):
    """One workbook, one sheet per (sheet name, issuer line, values override)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, issuer, values in sheets:
        fill(wb.create_sheet(title), issuer, values)
    wb.save(path)
    return path


def values_of(sub) -> dict:
    obs = sub.observations.dropna(subset=["value"])
    return dict(zip(obs["indicator_code"], obs["value"]))


def test_two_units_become_two_submissions(tmp_path, registry, catalog):
    path = cluster_workbook(tmp_path / "BC CCHC quy III 2023 - cum xa.xlsx",
                            [("Ngọc Kỳ", "XÃ NGỌC KỲ", None), ("Quang Trung", "XÃ QUANG TRUNG", QUANG_TRUNG_CELLS)])
    sub = parse_submission(path, registry, catalog)
    assert [(p.sheet, p.unit_code, p.period_code) for p in sub.parts] == [
        ("Ngọc Kỳ", "ngoc_ky", "2023-Q3"), ("Quang Trung", "quang_trung", "2023-Q3")]
    assert values_of(sub.parts[0]) == NGOC_KY and values_of(sub.parts[1]) == QUANG_TRUNG
    for part in sub.parts:
        note = [i for i in part.issues if i["code"] == "workbook-several-units"]
        assert note and note[0]["severity"] == "info" and note[0]["sheet"] == part.sheet
        assert not part.rejected_by
    assert set(sub.parts[1].observations["source_ref"].str.split("!").str[1]) == {"Quang Trung"}
    printed = submission_json(sub)
    assert printed["unit_code"] is None and [p["unit_code"] for p in printed["parts"]] == ["ngoc_ky", "quang_trung"]


def test_a_sheet_without_issuer_is_reported_not_folded(tmp_path, registry, catalog):
    path = cluster_workbook(tmp_path / "cum xa.xlsx", [("A", "XÃ NGỌC KỲ", None), ("B", "XÃ QUANG TRUNG", QUANG_TRUNG_CELLS),
                                                       ("C", None, {"1.": 7})])
    sub = parse_submission(path, registry, catalog)
    assert [p.unit_code for p in sub.parts] == ["ngoc_ky", "quang_trung", None]
    third = sub.parts[2]
    assert third.rejected_by["code"] == "sheet-unit-unknown" and third.rejected_by["sheet"] == "C"


def test_one_unit_over_several_sheets_stays_one_submission(demo_files, registry, catalog):
    sub = parse_submission(demo_files[0], registry, catalog)  # Biểu mẫu 1–7: one unit, the issuer on the first sheet
    assert sub.parts == [] and sub.unit_code is not None and sub.sheet is None


def test_run_loads_each_unit_and_keeps_the_file(settings):
    path = cluster_workbook(settings.inbox / "cum xa.xlsx",
                            [("Ngọc Kỳ", "XÃ NGỌC KỲ", None), ("Quang Trung", "XÃ QUANG TRUNG", QUANG_TRUNG_CELLS),
                             ("Ghi chú", None, {"1.": 7})])
    summary = run_steps(settings)
    assert sorted(f.status for f in summary.files) == ["loaded", "loaded", "rejected"]
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        got = {}
        for unit, code, value in con.execute("select unit_code, indicator_code, value from v_values").fetchall():
            got.setdefault(unit, {})[code] = value
        statuses = con.execute("select unit_code, status, file_name from v_submissions order by submission_id").fetchall()
        issues = con.execute("select code, source_ref from v_issues where code = 'sheet-unit-unknown'").fetchall()
    finally:
        con.close()
    assert got == {"ngoc_ky": NGOC_KY, "quang_trung": QUANG_TRUNG}
    assert statuses == [("ngoc_ky", "loaded", "cum xa.xlsx"), ("quang_trung", "loaded", "cum xa.xlsx"), (None, "rejected", "cum xa.xlsx")]
    assert issues == [("sheet-unit-unknown", "cum xa.xlsx!Ghi chú")]
    assert path.exists()  # part of it was taken: the original stays where the officer put it
    assert run_steps(settings).files == []  # the next run does not read it again
