"""The open flags as the commune's form lists them (pipeline.run._flag_rows)."""

import pandas as pd

from pipeline.run import _flag_rows


def _flags(kind: str, unit: str | None) -> pd.DataFrame:
    return pd.DataFrame([{"flag_id": 7, "indicator_code": "III.3.3.1", "indicator_name": "Số hồ sơ tiếp nhận",
                          "unit_of_measure": unit, "value": 1194.0, "raw": "1.194", "code": kind,
                          "message": "…", "sheet": "Biểu 3", "cell": "E7"}])


def test_a_value_is_shown_with_the_catalogs_unit():
    (row,) = _flag_rows(_flags("count-negative", "Hồ sơ"), {})
    assert row[3] == "Biểu 3!E7" and row[4] == "1.194 (Hồ sơ)"


def test_a_value_flagged_for_its_missing_unit_is_shown_without_one():
    (row,) = _flag_rows(_flags("value-without-unit", "Người"), {})
    assert row[4] == "1.194"
