"""Seed 000 (Biểu mẫu 1–7, thị trấn Thanh Miện, quý III 2023): every printed value lands on its canonical code."""

import pytest

from samples import BIEU_MAU, key, seed000_values
from pipeline.read.submission import parse_submission


@pytest.fixture(scope="module")
def sub(seed000_file, hd_registry, catalog):
    return parse_submission(seed000_file, hd_registry, catalog)


def test_identity(sub):
    assert (sub.unit_code, sub.period_code, sub.layout) == ("tt_thanh_mien", "2023-Q3", "bieumau")
    assert [d.isoformat() for d in sub.window] == ["2023-06-10", "2023-09-09"]


@pytest.mark.parametrize("code,value,raw", [
    ("VI.1.1", 3000, "3.000"), ("VI.1.2", 2014, "2.014"), ("VI.1", 67.1, "67,1"), ("VII.5.3", 98.17, "98.17"),
    ("III.1.4.3", 157, "157"), ("II.1.2", 0, "0"), ("III.3.3.1", 922, "922"), ("VII.5.3.2", 905, "905"),
    ("IV.2.1", 22, "22"), ("IV.2.2", 21, "21"), ("I.5.2", 2, "2"), ("VII.P2", 2, "2"),
])
def test_seed_values(sub, code, value, raw):
    row = sub.observations.set_index("indicator_code").loc[code]
    assert row["value"] == pytest.approx(value) and row["raw"] == raw


def test_every_printed_value_is_mapped_and_blanks_are_blank(sub):
    values = seed000_values()
    obs = sub.observations
    assert sub.unmapped == [] and not [i for i in sub.issues if i["code"] == "row-unmapped"]
    n_rows = sum(len(f.rows) for f in BIEU_MAU)
    assert len(obs) == n_rows  # one observation per printed row
    assert obs["value"].notna().sum() == len(values)
    assert obs["indicator_code"].is_unique
    blank = obs[obs["value"].isna()]
    assert (blank["raw"] == "").all()
    # the printed code is kept as lineage: BM2 1.3 is II.1.2
    assert obs.set_index("indicator_code").at["II.1.2", "printed_code"] == "1.3"
    assert key(2, "1.3.") in values
