"""District figures (pipeline.figures.district): sums, rates from summed parts, coded answers, units covered."""

import pandas as pd
import pytest

from pipeline.figures.district import DISTRICT_COLUMNS, consolidate

# xã Ngọc Kỳ, 2023-Q3 (DOMAIN.md), and a second unit with its own figures
NGOC_KY = {"I.1": 12, "I.2": 80, "I.2.1": 25, "I.2.2": 20, "III.3.3": 99.5, "III.3.3.1": 1200, "III.3.3.2": 1194,
           "VII.5.3": 88, "VII.5.3.1": 1250, "VII.5.3.2": 1100, "I.5": 1, "I.5.2": 2}
TU_KY = {"I.1": 5, "I.2.1": 10, "I.2.2": 10, "III.3.3.1": 800, "III.3.3.2": 790, "VII.5.3.1": 750, "I.5": 1, "I.5.2": 1}


def values(*units) -> pd.DataFrame:
    return pd.DataFrame([{"period_code": "2023-Q3", "unit_code": u, "indicator_code": c, "value": float(v)}
                         for u, figures in units for c, v in figures.items()])


@pytest.fixture
def figures(catalog):
    out = consolidate(values(("ngoc_ky", NGOC_KY), ("tu_ky", TU_KY)), catalog.frame, n_expected=23)
    assert list(out.columns) == DISTRICT_COLUMNS
    return out.set_index("indicator_code")


def test_one_unit_gives_its_own_figures(catalog):
    out = consolidate(values(("ngoc_ky", NGOC_KY)), catalog.frame, n_expected=23).set_index("indicator_code")
    assert out.loc["I.1", "value"] == 12 and out.loc["I.1", "n_units"] == 1 and out.loc["I.1", "n_expected"] == 23
    assert out.loc["I.2", "value"] == pytest.approx(80.0) and out.loc["I.2", "detail"] == "20/25"
    assert out.loc["III.3.3", "value"] == pytest.approx(99.5) and out.loc["III.3.3", "detail"] == "1194/1200"
    assert out.loc["VII.5.3", "value"] == pytest.approx(88.0) and out.loc["VII.5.3", "detail"] == "1100/1250"


def test_counts_add_up_and_rates_come_from_summed_parts(figures):
    assert figures.loc["I.1", "value"] == 17 and figures.loc["I.1", "n_units"] == 2
    assert figures.loc["III.3.3.1", "value"] == 2000 and figures.loc["III.3.3.2", "value"] == 1984
    assert figures.loc["III.3.3", "value"] == pytest.approx(1984 / 2000 * 100) and figures.loc["III.3.3", "detail"] == "1984/2000"
    assert figures.loc["I.2", "value"] == pytest.approx(30 / 35 * 100)  # not the mean of 80 % and 100 %


def test_a_rate_counts_only_units_with_both_parts(figures):
    # thị trấn Tứ Kỳ gave VII.5.3.1 but not VII.5.3.2: the district rate is Ngọc Kỳ's alone
    assert figures.loc["VII.5.3", "value"] == pytest.approx(88.0) and figures.loc["VII.5.3", "n_units"] == 1
    assert figures.loc["VII.5.3.1", "value"] == 2000 and figures.loc["VII.5.3.1", "n_units"] == 2


def test_coded_answers_count_the_top_code(figures, catalog):
    assert figures.loc["I.5", "value"] == 2 and figures.loc["I.5", "detail"] == "Có (1): 2"
    assert figures.loc["I.5.2", "value"] == 1
    assert figures.loc["I.5.2", "detail"] == "Kết hợp (2): 1; Phát phiếu (1): 1"


def test_indicators_nobody_reported_have_no_figure(figures):
    assert "I.6" not in figures.index and "III.P7" not in figures.index


def test_no_values_no_figures(catalog):
    out = consolidate(values(), catalog.frame, n_expected=23)
    assert out.empty and list(out.columns) == DISTRICT_COLUMNS


def test_each_period_is_consolidated_on_its_own(catalog):
    v = pd.concat([values(("ngoc_ky", NGOC_KY)), values(("ngoc_ky", {"I.1": 7})).assign(period_code="2023-H1")])
    out = consolidate(v, catalog.frame, n_expected=23)
    i1 = out[out.indicator_code == "I.1"].set_index("period_code")["value"]
    assert i1.to_dict() == {"2023-H1": 7.0, "2023-Q3": 12.0}
