"""The four value states as a commune types them (SDMX's OBS_STATUS: missing is not "not applicable"):

blank = not reported, a real 0, "không áp dụng" (not applicable, where the catalog allows it for the indicator:
column na_allowed) and a value outside the indicator's domain (not allowed). Built from the cases' Phụ lục of xã Ngọc
Kỳ, 2023-Q3, with its two-row merged header and the seeds' real figures.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from flows.cli import main
from pipeline.read.cells import normalise_value
from pipeline.read.submission import parse_submission, submission_json
from pipeline.reference.catalog import load_catalog
from pipeline.vn.numbers import parse_number
from samples.cases import FINANCE, FIRST_ROW, TEN, fill, rows
from tests.conftest import ROOT, SCHEMAS

CHECKS = [  # I.3: inspections. A commune does not inspect communes (I.3.2 may be "x"); I.3.1 applies to every unit
    ("3.", "Kiểm tra CCHC", "", None),
    ("3.1.", "Số phòng, ban, đơn vị trực thuộc đã kiểm tra", "Cơ quan, đơn vị", "-"),
    ("3.2.", "Số UBND cấp xã đã kiểm tra", "Cơ quan, đơn vị", "x"),
]
PAKN = [  # III.3.4: complaints about procedures; none received, so the rate and its parts do not apply
    ("3.4.", "Tỷ lệ giải quyết phản ánh, kiến nghị (PAKN) về quy định TTHC", "%", "Không áp dụng"),
    ("3.4.1.", "Tổng số PAKN đã tiếp nhận", "PAKN", "KAD"),
    ("3.4.2.", "Số PAKN đã giải quyết xong", "PAKN", "—"),
]
# VI.1: no public-investment plan this year ("không áp dụng", "X"), the amount done left blank
NO_INVESTMENT = [FINANCE[0], (*FINANCE[1][:3], "không áp dụng"), (*FINANCE[2][:3], "X"), (*FINANCE[3][:3], None)]
ZERO_INVESTMENT = [FINANCE[0], (*FINANCE[1][:3], None), (*FINANCE[2][:3], 0), (*FINANCE[3][:3], 0)]  # a real 0 plan


def write_book(path: Path, after: dict, merges: tuple[str, ...] = ()) -> dict[str, int]:
    """The cases' Phụ lục with extra rows after printed codes; returns {printed code: Excel row} of the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    table = rows(after=after)
    fill(ws, table)
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return {code: FIRST_ROW + i for i, (code, *_rest) in enumerate(table)}


def states(sub) -> dict[str, tuple]:
    js = submission_json(sub)
    return {r["indicator_code"]: (r["state"], r["value"], r["raw"], r["source_ref"].rsplit("!", 1)[1]) for r in js["rows"]}


@pytest.mark.parametrize("raw", ["không áp dụng", "Không áp dụng", "KHÔNG ÁP DỤNG", "  Không  áp dụng. ",
                                 unicodedata.normalize("NFD", "Không áp dụng"), "Không\u00a0áp dụng", "KAD", "kad",
                                 "-", "—", "–", "x", "X", "k/a", "K/A"])
def test_not_applicable_marks_are_their_own_state(raw):
    parsed = parse_number(raw)
    assert parsed.status == "na" and parsed.value is None
    v = normalise_value(raw, "count", "Hồ sơ", {})
    assert v.value is None and v.issue is None and v.state == "na"


@pytest.mark.parametrize("raw,status,value", [(None, "blank", None), ("", "blank", None), ("   ", "blank", None),
                                              ("...", "blank", None), (0, "number", 0.0), ("0", "number", 0.0),
                                              ("Không", "word", 0.0), ("không phát sinh", "word", 0.0),
                                              ("xã", "invalid", None), ("khoảng 10", "invalid", None)])
def test_blank_zero_and_words_are_not_not_applicable(raw, status, value):
    parsed = parse_number(raw)
    assert (parsed.status, parsed.value) == (status, value)


def test_a_typed_form_gives_each_cell_its_state(tmp_path, registry, catalog):
    path = tmp_path / "Phu luc CCHC quy III 2023 - Ngoc Ky.xlsx"
    at = write_book(path, {"2.2.": CHECKS, "3.3.2.": PAKN, "5.3.2": NO_INVESTMENT})
    sub = parse_submission(path, registry, catalog)
    got = states(sub)
    assert (sub.unit_code, sub.period_code) == ("ngoc_ky", "2023-Q3")
    assert {c: got[c][1] for c in TEN} == TEN and all(got[c][0] == "value" for c in TEN)
    assert got["I.3.2"] == ("na", None, "x", f"D{at['3.2.']}")
    assert got["III.3.4"][:3] == ("na", None, "Không áp dụng")
    assert got["III.3.4.1"][:3] == ("na", None, "KAD") and got["III.3.4.2"][:3] == ("na", None, "—")
    assert got["VI.1"][:3] == ("na", None, "không áp dụng") and got["VI.1.1"][:3] == ("na", None, "X")
    assert got["VI.1.2"][:2] == ("blank", None)  # not reported: neither 0 nor not applicable
    assert got["I.3"][0] == "blank"  # a group row without a figure
    # I.3.1 applies to every commune (na_allowed = 0): its "-" is an error at its cell and nothing is loaded
    assert got["I.3.1"][:3] == ("invalid", None, "-")
    errors = [(i["code"], i["sheet"], i["cell"], i["indicator_code"]) for i in sub.issues if i["severity"] == "error"]
    assert errors == [("not-applicable-not-allowed", "Phụ lục", f"D{at['3.1.']}", "I.3.1")]
    assert not [i for i in sub.issues if i["code"] in ("value-invalid", "no-values")]


def test_a_real_zero_stays_a_value(tmp_path, registry, catalog):
    path = tmp_path / "Phu luc CCHC quy III 2023 - Ngoc Ky.xlsx"
    write_book(path, {"5.3.2": ZERO_INVESTMENT})
    got = states(parse_submission(path, registry, catalog))
    assert got["VI.1.1"][:2] == ("value", 0) and got["VI.1.2"][:2] == ("value", 0) and got["VI.1"][:2] == ("blank", None)


def test_not_applicable_merged_over_two_rows_applies_to_both(tmp_path, registry, catalog):
    path = tmp_path / "Phu luc CCHC quy III 2023 - Ngoc Ky.xlsx"
    pakn = [PAKN[0][:3] + ("Không áp dụng",), PAKN[1][:3] + ("Không áp dụng",), PAKN[2][:3] + (None,)]
    at = write_book(path, {"3.3.2.": pakn})
    path.unlink()
    write_book(path, {"3.3.2.": pakn}, merges=(f"D{at['3.4.1.']}:D{at['3.4.2.']}",))
    sub = parse_submission(path, registry, catalog)
    got = states(sub)
    assert got["III.3.4.1"][:2] == ("na", None) and got["III.3.4.2"][:2] == ("na", None)
    merged = [(i["code"], i["cell"]) for i in sub.issues if i["indicator_code"] == "III.3.4.2"]
    assert ("value-merged-cell", f"D{at['3.4.2.']}") in merged


def test_a_form_answered_not_applicable_throughout_has_answered(tmp_path, registry, catalog):
    """Completeness: a unit whose every answer is "không áp dụng" has answered (no `no-values`); all blank has not."""
    na_only = [("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "", None), ("3.", "Kết quả giải quyết TTHC", "", None), *PAKN]
    blank_only = [(c, n, u, None) for c, n, u, _ in na_only]
    for table, expected in ((na_only, False), (blank_only, True)):
        path = tmp_path / "Phu luc CCHC quy III 2023 - Ngoc Ky.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        fill(ws, table)
        wb.save(path)
        sub = parse_submission(path, registry, catalog)
        assert ("no-values" in {i["code"] for i in sub.issues}) is expected


def test_catalog_without_the_column_still_loads(tmp_path, registry):
    """An office's catalog written before na_allowed: it loads, and every not-applicable text is then an error."""
    lines = (SCHEMAS / "indicators.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(",na_allowed")
    old = tmp_path / "indicators.csv"
    old.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8")
    cat = load_catalog(old)
    assert len(cat.frame) == len(lines) - 1 and cat.na_allowed == frozenset()
    path = tmp_path / "Phu luc CCHC quy III 2023 - Ngoc Ky.xlsx"
    at = write_book(path, {"3.3.2.": PAKN})
    sub = parse_submission(path, registry, cat)
    refused = sorted((i["indicator_code"], i["cell"]) for i in sub.issues if i["code"] == "not-applicable-not-allowed")
    assert refused == [("III.3.4", f"D{at['3.4.']}"), ("III.3.4.1", f"D{at['3.4.1.']}"), ("III.3.4.2", f"D{at['3.4.2.']}")]
    assert {states(sub)[c][0] for c in ("III.3.4", "III.3.4.1", "III.3.4.2")} == {"invalid"}
    assert {c: states(sub)[c][1] for c in TEN} == TEN


def test_parse_command_prints_each_rows_state(tmp_path):
    path = tmp_path / "Phu luc CCHC quy III 2023 - Ngoc Ky.xlsx"
    write_book(path, {"2.2.": CHECKS, "5.3.2": NO_INVESTMENT})
    res = CliRunner().invoke(main, ["parse", str(path), "--units", str(ROOT / "schemas/units.csv"),
                                    "--catalog", str(ROOT / "schemas/indicators.csv")])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    by_code = {r["indicator_code"]: r for r in out["rows"]}
    assert by_code["I.1"]["state"] == "value" and by_code["I.1"]["value"] == 12
    assert by_code["I.3.2"]["state"] == "na" and by_code["I.3.2"]["value"] is None
    assert by_code["VI.1.2"]["state"] == "blank" and by_code["I.3.1"]["state"] == "invalid"
    assert {"indicator_code", "printed_code", "name", "unit", "value", "raw", "source_ref", "state"} <= set(by_code["I.1"])
