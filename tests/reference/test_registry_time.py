"""Issue 16 item 1: a units registry with time (valid_from / valid_to) and lineage (merged_into, split_from,
renamed_from): loading and checking it, the units valid in a period, and a file matched to the unit of its period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from pipeline.errors import ReferenceDataError
from pipeline.read.submission import parse_submission
from pipeline.reference.registry import load_registry, match_unit
from samples.cases import TEN, TITLE, WINDOW, fill, rows
from tests.conftest import SCHEMAS

HEADER = "code,name,kind,aliases,valid_from,valid_to,merged_into,split_from,renamed_from\n"
# Ngọc Kỳ and Quang Trung merge into a new xã Ngọc Trung on 1/7/2025; Hà Kỳ splits into Hà Kỳ Đông and Hà Kỳ Tây;
# thị trấn Tứ Kỳ becomes xã Tứ Kỳ; Tân Kỳ is untouched.
TIMED = HEADER + """ngoc_ky,Ngọc Kỳ,xã,UBND xã Ngọc Kỳ,,2025-06-30,ngoc_trung,,
quang_trung,Quang Trung,xã,UBND xã Quang Trung,,2025-06-30,ngoc_trung,,
ha_ky,Hà Kỳ,xã,,,2025-06-30,,,
tt_tu_ky,Tứ Kỳ,thị trấn,TT Tứ Kỳ,,30/06/2025,,,
tan_ky,Tân Kỳ,xã,,,,,,
ngoc_trung,Ngọc Trung,xã,,2025-07-01,,,,
ha_ky_dong,Hà Kỳ Đông,xã,,2025-07-01,,,ha_ky,
ha_ky_tay,Hà Kỳ Tây,xã,,1/7/2025,,,ha_ky,
xa_tu_ky,Tứ Kỳ,xã,,2025-07-01,,,,tt_tu_ky
"""


def write(tmp_path: Path, text: str, name: str = "units.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def timed(tmp_path):
    return load_registry(write(tmp_path, TIMED))


def test_four_column_registry_is_valid_and_every_unit_always_exists(tmp_path):
    reg = load_registry(SCHEMAS / "units.csv")
    assert not reg.timed and reg.links == ()
    assert len(reg.units_in("2025-Y")) == len(reg.units_in("2019-Q1")) == 23
    assert reg.is_valid("ngoc_ky", "2030-Y")
    assert reg.sources_in("ngoc_ky", "2022-Y") == ["ngoc_ky"]
    assert match_unit("UBND xã Ngọc Kỳ", reg, period_code="2025-Y") == "ngoc_ky"
    assert list(reg.units.columns[:4]) == ["code", "name", "kind", "aliases"]


def test_dates_read_in_iso_and_day_month_year(timed):
    spans = dict(zip(timed.units["code"], zip(timed.units["valid_from"], timed.units["valid_to"])))
    assert spans["tt_tu_ky"] == (None, dt.date(2025, 6, 30))
    assert spans["ha_ky_tay"] == (dt.date(2025, 7, 1), None)
    assert spans["tan_ky"] == (None, None)


def test_units_valid_in_a_period_by_its_end_date(timed):
    before = set(timed.units_in("2025-H1")["code"])  # ends 30/6/2025: the old map
    after = set(timed.units_in("2025-Q3")["code"])  # ends 30/9/2025: the new map
    assert before == {"ngoc_ky", "quang_trung", "ha_ky", "tt_tu_ky", "tan_ky"}
    assert after == {"tan_ky", "ngoc_trung", "ha_ky_dong", "ha_ky_tay", "xa_tu_ky"}
    assert set(timed.units_in("2025-Y")["code"]) == after
    assert list(timed.units_in("2025-Q3")["code"]) == ["tan_ky", "ngoc_trung", "ha_ky_dong", "ha_ky_tay", "xa_tu_ky"]  # file order


def test_valid_codes_are_memoised_per_period(timed):
    assert timed.valid_codes("2025-Y") is timed.valid_codes("2025-Y")
    assert timed.sources_in("ngoc_trung", "2024-Y") is timed.sources_in("ngoc_trung", "2024-Y")


def test_lineage_sources_merge_split_rename(timed):
    assert timed.sources_in("ngoc_trung", "2024-Y") == ["ngoc_ky", "quang_trung"]
    assert timed.sources_in("ngoc_trung", "2025-Y") == ["ngoc_trung"]
    assert timed.sources_in("ha_ky_dong", "2024-Y") is None  # a split unit has no comparable past
    assert timed.sources_in("xa_tu_ky", "2024-Y") == ["tt_tu_ky"]
    assert "ngoc_ky" not in dict(timed.lineage_rows()).get("ha_ky_dong", "")
    assert ("ngoc_trung", "quang_trung") in timed.lineage_rows() and ("ha_ky_dong", "ha_ky") not in timed.lineage_rows()
    assert "Ngọc Kỳ" in timed.comparison_note("ngoc_trung", "2025-H1")
    assert timed.comparison_note("tan_ky", "2025-H1") == ""


def test_not_valid_reason_names_the_successor_or_the_predecessors(timed):
    _, after = timed.not_valid_reason("ngoc_ky", "2025-Y")
    assert after == ["ngoc_trung"]
    _, split = timed.not_valid_reason("ha_ky", "2025-Q4")
    assert split == ["ha_ky_dong", "ha_ky_tay"]
    _, before = timed.not_valid_reason("ngoc_trung", "2024-Y")
    assert before == ["ngoc_ky", "quang_trung"]
    _, renamed = timed.not_valid_reason("xa_tu_ky", "2025-H1")
    assert renamed == ["tt_tu_ky"]


def test_same_name_old_and_new_unit_matched_by_period(tmp_path):
    """A merged commune often keeps one predecessor's name: the unit valid at the period's end is the one matched."""
    reg = load_registry(write(tmp_path, HEADER + "tan_ky,Tân Kỳ,xã,,,2025-06-30,tan_ky_2025,,\n"
                                                   "dai_son,Đại Sơn,xã,,,2025-06-30,tan_ky_2025,,\n"
                                                   "tan_ky_2025,Tân Kỳ,xã,,2025-07-01,,,,\n"))
    assert match_unit("UBND xã Tân Kỳ", reg, period_code="2024-Y") == "tan_ky"
    assert match_unit("UBND xã Tân Kỳ", reg, period_code="2025-Q3") == "tan_ky_2025"
    assert match_unit("UBND xã Đại Sơn", reg, period_code="2025-Q3") == "dai_son"  # found, then rejected by period


@pytest.mark.parametrize("text, words", [
    (HEADER + "a,A,xã,,,2025-06-30,zz,,\nb,B,xã,,2025-07-01,,,,\n", ["zz", "merged_into"]),
    (HEADER + "a,A,xã,,,2025-06-30,a,,\n", ["chính mã"]),
    (HEADER + "a,A,xã,,2025-01-01,2025-06-30,,,b\nb,B,xã,,2025-07-01,2025-12-31,,,a\n", ["vòng lặp"]),
    (HEADER + "a,A,xã,,,2025-07-15,b,,\nb,B,xã,,2025-07-01,,,,\n", ["trùng nhau"]),
    (HEADER + "a,A,xã,,,,b,,\nb,B,xã,,2025-07-01,,,,\n", ["valid_to"]),
    (HEADER + "a,A,xã,,,2025-06-30,b,,\nb,B,xã,,,,,,\n", ["valid_from"]),
    (HEADER + "a,A,xã,,2025-07-01,2025-06-30,,,\n", ["valid_to", "valid_from"]),
    (HEADER + "a,A,xã,,31/13/2025,,,,\n", ["31/13/2025", "dòng 2"]),
    (HEADER + "a,A,xã,,,2025-06-30,,,\nb,A,xã,,2025-06-01,,,,\n", ["cùng tên"]),
])
def test_lineage_mistakes_are_refused_in_vietnamese(tmp_path, text, words):
    with pytest.raises(ReferenceDataError) as exc:
        load_registry(write(tmp_path, text))
    for w in words:
        assert w in str(exc.value)


def test_some_optional_columns_only(tmp_path):
    reg = load_registry(write(tmp_path, "code,name,kind,aliases,valid_to\na,A,xã,,2025-06-30\nb,B,xã,,\n"))
    assert reg.timed and set(reg.units_in("2025-Y")["code"]) == {"b"}


def _phu_luc(path: Path, issuer: str, title: str) -> Path:
    wb = openpyxl.Workbook()
    fill(wb.active, rows(), issuer, title=title, window=WINDOW)
    wb.save(path)
    return path


def test_file_of_a_merged_commune_in_its_own_period_and_after_the_merger(tmp_path, timed, catalog):
    before = parse_submission(_phu_luc(tmp_path / "a.xlsx", "XÃ NGỌC KỲ", TITLE), timed, catalog)  # quý III 2023
    assert before.unit_code == "ngoc_ky" and before.period_code == "2023-Q3" and before.rejected_by is None
    got = {o.indicator_code: o.value for o in before.observations.itertuples()}
    assert {k: got[k] for k in TEN} == TEN
    after = parse_submission(_phu_luc(tmp_path / "b.xlsx", "XÃ NGỌC KỲ", TITLE.replace("2023", "2025")), timed, catalog)
    assert after.period_code == "2025-Q3"
    assert after.rejected_by is not None and after.rejected_by["code"] == "unit-not-valid-in-period"
    assert after.rejected_by["raw"] == "ngoc_trung"
    folder = parse_submission(_phu_luc(tmp_path / "c.xlsx", "XÃ NGỌC KỲ", TITLE), timed, catalog, folder_period="2025-Y")
    assert folder.rejected_by["code"] == "unit-not-valid-in-period" and "ngoc_trung" in folder.rejected_by["raw"]


def test_file_of_a_new_commune_in_a_period_before_it_existed(tmp_path, timed, catalog):
    sub = parse_submission(_phu_luc(tmp_path / "n.xlsx", "XÃ NGỌC TRUNG", TITLE), timed, catalog)
    assert sub.unit_code == "ngoc_trung" and sub.rejected_by["code"] == "unit-not-valid-in-period"
    assert sub.rejected_by["raw"].split("|") == ["ngoc_ky", "quang_trung"]
    ok = parse_submission(_phu_luc(tmp_path / "m.xlsx", "XÃ NGỌC TRUNG", TITLE.replace("2023", "2025")), timed, catalog)
    assert ok.unit_code == "ngoc_trung" and ok.rejected_by is None


def test_untimed_registry_parses_as_before(tmp_path, registry, catalog):
    sub = parse_submission(_phu_luc(tmp_path / "a.xlsx", "XÃ NGỌC KỲ", TITLE.replace("2023", "2026")), registry, catalog)
    assert sub.unit_code == "ngoc_ky" and sub.rejected_by is None
