"""Issue 5: every SQL recipe of docs/sql-recipes.md runs with `tonghop sql` and finds rows; rebuild/export commands."""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest
from click.testing import CliRunner

from flows.cli import main
from pipeline.run import run_steps
from samples import generate_demo_inbox
from tests.conftest import ROOT

RECIPES = ROOT / "docs" / "sql-recipes.md"


def recipes() -> list[str]:
    """The queries of the recipes page, as written in its `tonghop sql "…"` lines."""
    text = RECIPES.read_text(encoding="utf-8")
    return re.findall(r'^tonghop sql "([^"]+)"$', text, flags=re.M)


@pytest.fixture(scope="module")
def two_periods(tmp_path_factory, demo_files):
    """A warehouse with the demo district's 2022-H1 and 2023-H1 (one unit missing, one file superseded)."""
    from tests.conftest import make_settings
    base = tmp_path_factory.mktemp("recipes")
    s = make_settings(base)
    (s.inbox / "2022-H1").mkdir(parents=True)
    for f in generate_demo_inbox(base / "gen2022", s.units, period_code="2022-H1", seed=11):
        shutil.copy2(f, s.inbox / "2022-H1" / f.name)
    for f in demo_files:
        if not f.name.endswith("Dan_Chu.xlsx"):  # xã Dân Chủ has not sent 2023-H1
            shutil.copy2(f, s.inbox / f.name)
    run_steps(s)
    wrong = generate_demo_inbox(base / "gen7", s.units, period_code="2023-H1", seed=7)[0]
    shutil.copy2(wrong, s.inbox / ("sua_" + wrong.name))
    run_steps(s)
    return s


def test_recipes_page_has_the_five_asked_for():
    assert len(recipes()) >= 5


@pytest.mark.parametrize("index", range(len(recipes())))
def test_recipe_runs_and_finds_rows(two_periods, index):
    query = recipes()[index]
    result = CliRunner().invoke(main, ["sql", query, "--warehouse", str(two_periods.warehouse)])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(two_periods.warehouse), read_only=True)
    try:
        assert con.execute(query).fetchall(), query
    finally:
        con.close()


def test_sql_refuses_writes(two_periods):
    result = CliRunner().invoke(main, ["sql", "delete from units", "--warehouse", str(two_periods.warehouse)])
    assert result.exit_code != 0


def test_export_and_rebuild_commands(two_periods, tmp_path):
    s = two_periods
    result = CliRunner().invoke(main, ["export", "--warehouse", str(s.warehouse), "--out", str(tmp_path / "x"), "--period", "2022-H1"])
    assert result.exit_code == 0, result.output
    rows = duckdb.sql(f"select distinct period_code from '{tmp_path / 'x' / 'v_values.parquet'}'").fetchall()
    assert rows == [("2022-H1",)]
    before = duckdb.connect(str(s.warehouse), read_only=True)
    figures = before.execute("select period_code, indicator_code, value, n_units from v_district order by all").fetchall()
    before.close()
    args = ["rebuild", "--warehouse", str(s.warehouse), "--deadlines", str(ROOT / "schemas/deadlines.toml"), "--out", str(s.out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    after = duckdb.connect(str(s.warehouse), read_only=True)
    assert after.execute("select period_code, indicator_code, value, n_units from v_district order by all").fetchall() == figures
    assert after.execute("select count(*) from v_submissions where status = 'superseded'").fetchall() == [(1,)]
    after.close()
