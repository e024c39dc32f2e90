"""Issue 16 item 2: the analyst's view v_values_current_map gives every period on the current map, with the same
figures as the run's own mapping (pipeline.figures.lineage.on_map), and the units table carries validity and lineage."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from pipeline import warehouse as wh
from pipeline.figures.lineage import on_map
from pipeline.reference.registry import load_registry
from tests.figures.test_lineage import FIGURES, UNITS, frame


@pytest.fixture
def filled(tmp_path, catalog):
    p = tmp_path / "units.csv"
    p.write_text(UNITS, encoding="utf-8")
    reg = load_registry(p)
    # Quang Trung reports the parts of III.3.3 but not the rate itself; Hà Kỳ (split later) reports as usual
    # and neither Ngọc Kỳ nor Quang Trung types the rate VII.5.3, only its parts
    figures = {**FIGURES, "quang_trung": {k: v for k, v in FIGURES["quang_trung"].items() if k not in ("III.3.3", "VII.5.3")},
               "ngoc_ky": {k: v for k, v in FIGURES["ngoc_ky"].items() if k != "VII.5.3"}}
    values = pd.concat([frame("2025-H1", figures),
                        frame("2025-Y", {"ngoc_trung": {"III.3.3.1": 2100, "III.3.3.2": 2090, "III.3.3": 99.52},
                                         "ha_ky_dong": {"I.1": 3}})], ignore_index=True)
    con = wh.connect(tmp_path / "w.duckdb")
    wh.sync_reference(con, reg.units, catalog.frame, reg.lineage_rows())
    subs = values[["period_code", "unit_code"]].drop_duplicates().reset_index(drop=True)
    subs["submission_id"] = range(1, len(subs) + 1)
    for r in subs.itertuples():
        con.execute("insert into submissions (submission_id, unit_code, period_code, status) values (?, ?, ?, 'loaded')",
                    [r.submission_id, r.unit_code, r.period_code])
    obs = values.merge(subs, on=["period_code", "unit_code"])[["submission_id", "indicator_code", "value"]].assign(accepted=True)
    con.register("obs", obs)
    con.execute("insert into observations by name select * from obs")
    for period, end in (("2025-H1", dt.date(2025, 6, 30)), ("2025-Y", dt.date(2025, 12, 31))):
        con.execute("insert into periods (period_code, ends_on) values (?, ?)", [period, end])
    yield con, reg, values
    con.close()


def test_units_table_has_validity_and_lineage(filled):
    con, _, _ = filled
    rows = dict((c, (a, b, m, s, r)) for c, a, b, m, s, r in con.execute(
        "select code, valid_from, valid_to, merged_into, split_from, renamed_from from units").fetchall())
    assert rows["ngoc_ky"] == (None, dt.date(2025, 6, 30), "ngoc_trung", None, None)
    assert rows["ha_ky_dong"] == (dt.date(2025, 7, 1), None, None, "ha_ky", None)
    assert rows["xa_tu_ky"][4] == "tt_tu_ky"


def test_view_agrees_with_the_runs_mapping(filled, catalog):
    con, reg, values = filled
    view = con.execute("select period_code, unit_code, indicator_code, value from v_values_current_map").df()
    current = [c for c, b in zip(reg.units["code"], reg.units["valid_to"]) if b is None]
    mine = on_map(values, reg, catalog.frame, current)
    key = ["period_code", "unit_code", "indicator_code"]
    both = view.merge(mine, on=key, how="outer", suffixes=("_sql", "_py"), indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"]
    assert all(math.isclose(a, b) for a, b in zip(both["value_sql"], both["value_py"]))
    got = {(p, u, c): v for p, u, c, v in view.itertuples(index=False)}
    assert math.isclose(got[("2025-H1", "ngoc_trung", "III.3.3")], 1986 / 2000 * 100)  # from the parts, rate not typed by both
    assert math.isclose(got[("2025-H1", "ngoc_trung", "VII.5.3")], 1700 / 2000 * 100)  # no unit typed it
    assert got[("2025-H1", "ngoc_trung", "III.3.3.1")] == 2000 and got[("2025-Y", "ngoc_trung", "III.3.3.1")] == 2100
    assert got[("2025-H1", "xa_tu_ky", "III.3.3.1")] == 1500
    assert not any(u == "ha_ky_dong" and p == "2025-H1" for p, u, _ in got)  # a split unit: no past on today's map
    assert got[("2025-Y", "ha_ky_dong", "I.1")] == 3
    assert not any(u in ("ngoc_ky", "quang_trung", "ha_ky", "tt_tu_ky") for _, u, _ in got)


def test_completeness_lists_the_units_valid_at_each_period_end(filled):
    con, _, _ = filled
    got = {p: sorted(u for (u,) in con.execute("select unit_code from v_completeness where period_code = ?", [p]).fetchall())
           for p in ("2025-H1", "2025-Y")}
    assert got["2025-H1"] == ["ha_ky", "ngoc_ky", "quang_trung", "tan_ky", "tt_tu_ky"]
    assert got["2025-Y"] == ["ha_ky_dong", "ngoc_trung", "tan_ky", "xa_tu_ky"]
