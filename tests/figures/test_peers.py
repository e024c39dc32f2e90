"""Units against the district (pipeline.figures.peers): a rate against the district rate recomputed from the summed
parts, a count's share of the district total against the unit's usual share."""

import pandas as pd
import pytest

from pipeline.figures.peers import CODE, peer_divergence, peer_issues
from pipeline.validate.consistency import load_quality_settings
from tests.conftest import SCHEMAS


@pytest.fixture(scope="module")
def quality(catalog):
    return load_quality_settings(SCHEMAS / "outliers.toml", catalog.frame)


def _values(rows):
    return pd.DataFrame(rows, columns=["unit_code", "indicator_code", "value"])


# on-time dossiers: Ngọc Kỳ 1194/1200, Quang Trung 905/922 (seed 000), Chí Minh 500/1000 (50 %)
RATES = _values([("ngoc_ky", "III.3.3.1", 1200), ("ngoc_ky", "III.3.3.2", 1194),
                 ("quang_trung", "III.3.3.1", 922), ("quang_trung", "III.3.3.2", 905),
                 ("chi_minh", "III.3.3.1", 1000), ("chi_minh", "III.3.3.2", 500), ("chi_minh", "III.3.3", 50)])


def test_a_rate_far_from_the_district_rate(catalog, quality):
    found = peer_divergence(RATES, catalog.frame, quality)
    rates = found[found["kind"] == "rate"]
    # district 2599/3122 = 83,25 %: Chí Minh's 50 % is 40 % below (beyond 33 %), the others 19,5 % and 17,9 % above
    assert list(rates["unit_code"]) == ["chi_minh"] and list(rates["indicator_code"]) == ["III.3.3"]
    assert rates.iloc[0]["district_figure"] == pytest.approx(2599 / 3122 * 100)
    assert rates.iloc[0]["deviation"] == pytest.approx(50 / (2599 / 3122 * 100) - 1)


def test_two_units_make_no_district_to_compare_with(catalog, quality):
    assert peer_divergence(RATES[RATES["unit_code"] != "chi_minh"], catalog.frame, quality).empty


def test_a_count_far_from_the_units_usual_share(catalog, quality):
    units = ["ngoc_ky", "quang_trung", "chi_minh", "quang_khai"]
    rows = []
    for code in ["I.1", "I.2.1", "I.2.2", "III.3.3.1"]:
        for u in units:
            rows.append((u, code, {"I.1": 12, "I.2.1": 25, "I.2.2": 20, "III.3.3.1": 1200}[code]))
    values = _values(rows)
    values.loc[(values["unit_code"] == "quang_khai") & (values["indicator_code"] == "I.1"), "value"] = 120  # 10 × its peers
    found = peer_divergence(values, catalog.frame, quality)
    # Quang Khải is a unit of the usual size (its other counts equal the others'): 120 documents against 12 expected;
    # the others' 12 stay as expected (medians: one huge value does not make every other unit look small)
    assert list(zip(found["unit_code"], found["indicator_code"], found["kind"])) == [("quang_khai", "I.1", "size")]
    assert found.iloc[0]["district_figure"] == pytest.approx(12) and found.iloc[0]["deviation"] == pytest.approx(9)
    # a unit twice the usual size reporting twice the usual counts is not divergent
    bigger = values.assign(value=values["value"].where(values["unit_code"] != "chi_minh", values["value"] * 2))
    assert list(peer_divergence(bigger, catalog.frame, quality)["unit_code"]) == ["quang_khai"]


def test_issues_sit_on_the_units_cell(catalog, quality):
    found = peer_divergence(RATES, catalog.frame, quality)
    located = pd.DataFrame({"unit_code": "chi_minh", "indicator_code": ["III.3.3", "III.3.3.1", "III.3.3.2"],
                            "submission_id": 7, "source_ref": [f"BC_Chi_Minh.xlsx!Phụ lục!D{r}" for r in (17, 18, 19)]})
    rows = peer_issues(found, located, catalog.frame, quality)
    assert list(rows["code"]) == [CODE] and rows.iloc[0]["submission_id"] == 7
    assert (rows.iloc[0]["sheet"], rows.iloc[0]["cell"], rows.iloc[0]["source_ref"]) == ("Phụ lục", "D17", "BC_Chi_Minh.xlsx!Phụ lục!D17")
    # a rate the unit did not print: its numerator's cell (III.3.3.2, the dossiers on time)
    rows = peer_issues(found, located[located["indicator_code"] != "III.3.3"], catalog.frame, quality)
    assert rows.iloc[0]["cell"] == "D19" and rows.iloc[0]["indicator_code"] == "III.3.3"
