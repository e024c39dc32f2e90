"""The command line as a new user runs it: parse JSON, read-only SQL, and one real Prefect run."""

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from flows.cli import main
from tests.conftest import ROOT, office_folder


def test_parse_prints_contract_json(demo_files):
    f = next(p for p in demo_files if p.name.endswith("Ha_Ky.xlsx"))
    res = CliRunner().invoke(main, ["parse", str(f), "--units", str(ROOT / "schemas/units.csv"), "--catalog", str(ROOT / "schemas/indicators.csv")])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["unit_code"] == "ha_ky" and data["period_code"] == "2023-H1"
    assert data["window"] == ["2022-12-15", "2023-06-14"]
    row = next(r for r in data["rows"] if r["indicator_code"] == "III.3.3.1")
    assert set(row) >= {"indicator_code", "printed_code", "name", "unit", "value", "raw", "source_ref"}
    ontime = next(r for r in data["rows"] if r["indicator_code"] == "III.3.3.2")
    assert row["value"] - ontime["value"] == 4  # Hà Kỳ: 04 hồ sơ quá hạn (seed 002)
    assert row["source_ref"].startswith(f.name + "!Biểu mẫu 3!D")
    assert data["unmapped"] == [] and "issues" in data


def test_parse_unreadable_is_nonzero(tmp_path):
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    res = CliRunner().invoke(main, ["parse", str(bad)])
    assert res.exit_code != 0


def test_run_and_sql_end_to_end(tmp_path, demo_files):
    """`tonghop run` (real Prefect flow, local ephemeral mode) then `tonghop sql`, as separate processes."""
    work = office_folder(tmp_path, demo_files)
    exe = str(Path(sys.executable).with_name("tonghop"))
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    run = subprocess.run([exe, "run"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Đã nạp: 23" in run.stdout
    assert (work / "warehouse/reports/2023-H1/TongHop_CCHC_2023-H1.xlsx").exists()
    sql = subprocess.run([exe, "sql", "select indicator_code, value, n_units from v_district where indicator_code = 'III.3.3.1'"],
                         cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert sql.returncode == 0 and "23378" in sql.stdout
    bad = subprocess.run([exe, "sql", "select * from bang_khong_co"], cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "Lỗi SQL" in bad.stderr
    write = subprocess.run([exe, "sql", "delete from submissions"], cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert write.returncode != 0


def test_dry_run_writes_nothing(demo_settings):
    s = demo_settings
    before = sorted(p.relative_to(s.inbox.parent) for p in s.inbox.parent.rglob("*"))
    res = CliRunner().invoke(main, ["run", "--dry-run", "--inbox", str(s.inbox), "--warehouse", str(s.warehouse), "--out", str(s.out),
                                    "--units", str(s.units), "--catalog", str(s.catalog), "--office", str(s.office),
                                    "--rules", str(s.rules), "--outliers", str(s.outliers)])
    assert res.exit_code == 0, res.output
    assert "chạy thử" in res.output and "BC_CCHC_6T2023_Ha_Ky.xlsx: ha_ky · 2023-H1" in res.output
    after = sorted(p.relative_to(s.inbox.parent) for p in s.inbox.parent.rglob("*"))
    assert after == before and not s.warehouse.exists()
