"""Seed 000 saved as legacy .xls, typed in TCVN3 (.VnTime/.VnTimeH) or VNI, gives the same values."""

import pytest

from pipeline.vn.encodings import unicode_to_tcvn3, unicode_to_vni
from pipeline.read.submission import parse_submission
from tests.rewrite import rewrite


def _values(sub):
    obs = sub.observations
    return obs[obs["value"].notna()].set_index("indicator_code")["value"].to_dict()


@pytest.fixture(scope="module")
def reference(seed000_file, hd_registry, catalog):
    sub = parse_submission(seed000_file, hd_registry, catalog)
    assert len(_values(sub)) > 60
    return sub


@pytest.mark.parametrize("name,encode,font,upper_font", [
    ("seed000.xls", None, "Times New Roman", None),
    ("seed000_tcvn3.xlsx", lambda t, up: unicode_to_tcvn3(t, uppercase_font=up), ".VnTime", ".VnTimeH"),
    ("seed000_tcvn3.xls", lambda t, up: unicode_to_tcvn3(t, uppercase_font=up), ".VnTime", ".VnTimeH"),
    ("seed000_vni.xlsx", lambda t, up: unicode_to_vni(t), "VNI-Times", None),
])
def test_same_values_whatever_the_typing(tmp_path, seed000_file, hd_registry, catalog, reference, name, encode, font, upper_font):
    path = rewrite(seed000_file, tmp_path / name, encode=encode, font=font, upper_font=upper_font)
    sub = parse_submission(path, hd_registry, catalog)
    assert sub.unit_code == "tt_thanh_mien" and sub.period_code == "2023-Q3"
    assert sub.window == reference.window
    assert _values(sub) == _values(reference)
    assert sub.unmapped == []
    names = set(sub.observations["name"])
    assert "Tổng số hồ sơ TTHC đã giải quyết xong" in names


def test_tcvn3_text_is_really_legacy(tmp_path, seed000_file):
    """Guard: the rewritten file does hold TCVN3 bytes (e.g. 'Sè liÖu'), so the test above is not vacuous."""
    from pipeline.read.workbook import read_workbook
    from python_calamine import CalamineWorkbook

    path = rewrite(seed000_file, tmp_path / "t.xlsx", encode=lambda t, up: unicode_to_tcvn3(t, uppercase_font=up), font=".VnTime", upper_font=".VnTimeH")
    raw = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(2).to_python()
    texts = {v for row in raw for v in row if isinstance(v, str)}
    assert unicode_to_tcvn3("Tổng số hồ sơ TTHC đã giải quyết xong") in texts
    converted = {v for s in read_workbook(path).sheets for row in s.rows for v in row if isinstance(v, str)}
    assert "Tổng số hồ sơ TTHC đã giải quyết xong" in converted
