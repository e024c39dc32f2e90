"""A workbook holding several units' reports, a sheet per commune: each sheet is its own submission."""

from __future__ import annotations

import duckdb
import openpyxl

from pipeline.read import parse_submission
from pipeline.read.submission import submission_json
from pipeline.run import run_steps
from samples.cases import TEN, fill, rows

NGOC_KY = TEN
QUANG_TRUNG_CELLS = {"1.": 9, "3.3.": 99.5, "3.3.1.": "2.000", "3.3.2.": 1990, "5.3": 90, "5.3.1": "2.000", "5.3.2": 1800}
QUANG_TRUNG = {**NGOC_KY, "I.1": 9, "III.3.3.1": 2000, "III.3.3.2": 1990, "VII.5.3": 90, "VII.5.3.1": 2000, "VII.5.3.2": 1800}


def cluster_workbook(path, sheets: list[tuple[str, str | None, dict | None]]):
    """One workbook, one sheet per (sheet name, issuer line, values override)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, issuer, values in sheets:
        fill(wb.create_sheet(title), rows(typed=True, values=values), issuer)
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
