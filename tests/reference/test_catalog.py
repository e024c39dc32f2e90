"""The indicator catalog is a consistent plain file covering every row of the three known layouts."""

from samples import BIEU_MAU
from samples.national import SEED001_ROWS, canonical_code
from pipeline.vn.text import clean_code


def test_catalog_validates_and_codes_are_unique(catalog):
    df = catalog.frame
    assert df["code"].is_unique
    assert set(df["area"]) == {"I", "II", "III", "IV", "V", "VI", "VII"}
    ratios = df[df["agg"] == "ratio"]
    assert not ratios.empty and ratios["numerator"].isin(df["code"]).all() and ratios["denominator"].isin(df["code"]).all()
    assert (df.loc[df["agg"] == "by_code", "code_list"].str.len() > 0).all()
    assert df.at["III.3.3", "numerator"] == "III.3.3.2" and df.at["III.3.3", "denominator"] == "III.3.3.1"


def test_every_bieu_mau_row_has_a_catalog_entry(catalog):
    missing = [(f.number, r.code) for f in BIEU_MAU for r in f.rows if (f.number, clean_code(r.code)) not in catalog.bm_index]
    assert missing == []


def test_every_national_row_is_a_canonical_code(catalog):
    codes = {canonical_code(r) for r in SEED001_ROWS} - {None}
    assert codes - set(catalog.frame.index) == set()
