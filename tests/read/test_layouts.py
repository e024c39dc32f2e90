"""The three layouts seen in the seeds, read with no per-file configuration, every value on its canonical code."""

import unicodedata
from collections import Counter

import pytest

from pipeline.reference.catalog import Catalog
from pipeline.vn.numbers import parse_number
from samples.national import seed001_values, write_national
from samples.thanhhoa import seed004_values, write_thanhhoa
from pipeline.read.submission import parse_submission
from pipeline.vn.text import clean_code, fold, row_key
from pipeline.reference.registry import load_registry

UNITS = """code,name,kind,aliases
tt_nhu_quynh,Như Quỳnh,thị trấn,
p_truong_thi,Trường Thi,phường,
"""


@pytest.fixture(scope="module")
def other_registry(tmp_path_factory):
    p = tmp_path_factory.mktemp("reg") / "units.csv"
    p.write_text(UNITS, encoding="utf-8")
    return load_registry(p)


def _values(sub):
    obs = sub.observations
    return obs[obs["value"].notna()].set_index("indicator_code")["value"]


def test_national_phu_luc(tmp_path, other_registry, catalog):
    sub = parse_submission(write_national(tmp_path / "PL_NhuQuynh.xlsx"), other_registry, catalog)
    assert (sub.unit_code, sub.layout) == ("tt_nhu_quynh", "national")
    got = _values(sub)
    assert got["I.1"] == 8 and got["I.2"] == pytest.approx(26.6) and got["VII.5.3.1"] == 1058
    expected = {code: parse_number(raw).value for code, raw in seed001_values().items()}
    assert {c: got[c] for c in expected} == pytest.approx(expected)
    assert len(got) == len(expected)  # blank cells are absent
    assert sub.unmapped == [] and sub.issues == []
    # the row split across the page break is one row, I.6, read from its second half
    i6 = sub.observations.set_index("indicator_code").loc["I.6"]
    assert fold(i6["name"]).endswith("cong dong doanh nghiep")


def _expected_codes(catalog: Catalog, key: str) -> set[str]:
    printed, _, text = key.partition("/")
    printed = printed.split("#")[0]
    if text:
        return set(catalog.th_sub_index.get((clean_code(printed), row_key(text)), []))
    return set(catalog.th_index.get(clean_code(printed), []))


def test_thanh_hoa_variant(tmp_path, other_registry, catalog):
    sub = parse_submission(write_thanhhoa(tmp_path / "TH.xlsx"), other_registry, catalog)
    assert (sub.unit_code, sub.period_code, sub.layout) == ("p_truong_thi", "2023-H1", "numbered")
    got = _values(sub)
    assert got["I.2.1"] == 7 and got["III.1.4"] == 240 and got["III.1.4.3"] == 240
    assert got["III.3.3.2"] == 3135 and got["I.5.1"] == 449 and got["IV.2.2"] == 22
    expected = seed004_values()
    for key, raw in expected.items():
        cands = _expected_codes(catalog, key)
        assert cands and any(c in got.index and got[c] == parse_number(raw).value for c in cands), key
    assert Counter(got.tolist()) == Counter(parse_number(v).value for v in expected.values())
    assert sub.unmapped == [] and [i for i in sub.issues if i["code"] == "row-unmapped"] == []
    # the printed code 3.3.1 is used twice, for two different indicators
    twice = sub.observations[sub.observations["printed_code"] == "3.3.1"]["indicator_code"]
    assert twice.nunique() == 2


def test_nfd_text_and_file_name(tmp_path, hd_registry, catalog, seed000_file):
    """The same seed-000 workbook with every text and its file name in decomposed Unicode gives the same values."""
    import openpyxl

    wb = openpyxl.load_workbook(seed000_file)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = unicodedata.normalize("NFD", cell.value)
        ws.title = unicodedata.normalize("NFD", ws.title)
    nfd_name = unicodedata.normalize("NFD", "Báo cáo thị trấn Thanh Miện.xlsx")
    wb.save(tmp_path / nfd_name)
    plain = parse_submission(seed000_file, hd_registry, catalog)
    nfd = parse_submission(tmp_path / nfd_name, hd_registry, catalog)
    assert nfd.file_name == unicodedata.normalize("NFC", nfd_name)
    assert nfd.unit_code == "tt_thanh_mien" and nfd.period_code == "2023-Q3"
    assert _values(nfd).to_dict() == _values(plain).to_dict()
    assert all(unicodedata.is_normalized("NFC", s) for s in nfd.observations["sheet"])
