"""What `tonghop run` prints (--json, --quiet) and the run summary shown in Prefect's UI (pure rendering, then one real run)."""

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from flows.cli import main
from pipeline import issues as iss
from pipeline.outcome import FileResult, RunSummary
from pipeline.report.summary import (issue_table, missing_table, rebuild_line, render_markdown, render_rebuild_markdown,
                                  summary_json, top_issues)
from tests.conftest import office_folder


def _dry_run_args(s) -> list[str]:
    for f in s.inbox.iterdir():
        os.utime(f, (f.stat().st_atime, f.stat().st_mtime - 3600))  # copied an hour ago: not "being copied"
    return ["run", "--dry-run", "--inbox", str(s.inbox), "--warehouse", str(s.warehouse), "--out", str(s.out),
            "--units", str(s.units), "--catalog", str(s.catalog), "--office", str(s.office), "--rules", str(s.rules),
            "--outliers", str(s.outliers)]


def test_json_output_parses_and_has_the_counts(demo_settings):
    res = CliRunner().invoke(main, [*_dry_run_args(demo_settings), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["run_id"] and data["dry_run"] is True
    assert data["files"]["new"] == 23 and data["files"]["loaded"] == 23 and data["files"]["rejected"] == 0
    assert set(data["files"]) >= {"loaded", "rejected", "duplicate", "superseded", "skipped", "waiting", "unchanged"}
    assert data["periods"] == ["2023-H1"] and data["reports"] == [] and data["feedback"] == []
    ha_ky = next(d for d in data["details"] if d["file"] == "BC_CCHC_6T2023_Ha_Ky.xlsx")
    assert ha_ky["status"] == "loaded" and ha_ky["unit_code"] == "ha_ky" and ha_ky["period_code"] == "2023-H1"
    assert "reason" in ha_ky and "issue_rows" not in ha_ky


def test_quiet_prints_nothing_on_success(demo_settings):
    res = CliRunner().invoke(main, [*_dry_run_args(demo_settings), "--quiet"])
    assert res.exit_code == 0
    assert res.stdout == "" and res.stderr == ""


def test_dask_without_prefect_dask_says_how_to_install(demo_settings):
    from flows.scale import dask_available

    if dask_available():
        return
    args = [a for a in _dry_run_args(demo_settings) if a != "--dry-run"]
    res = CliRunner().invoke(main, [*args, "--dask", "local"])
    assert res.exit_code == 2 and "prefect-dask" in res.stderr and "pip install" in res.stderr
    assert not demo_settings.warehouse.exists()


def _summary() -> RunSummary:
    issues = iss.frame([iss.issue("value-invalid", file="BC_Ngoc_Ky.xlsx", sheet="Biểu mẫu 3", cell="D24",
                                  indicator_code="III.3.3.1", raw="mười | hai"),
                        iss.issue("value-without-unit", file="BC_Ngoc_Ky.xlsx", sheet="Biểu mẫu 1", cell="D9", raw="1")])
    s = RunSummary(run_id="20231001-230000-abcdef", started_at=dt.datetime(2023, 10, 1, 23, 0),
                   finished_at=dt.datetime(2023, 10, 1, 23, 1), unchanged=20, superseded=1, periods=["2023-9M"],
                   reports=[Path("warehouse/reports/2023-9M/TongHop_CCHC_2023-9M.xlsx")],
                   feedback=[Path("warehouse/reports/2023-9M/phan_hoi/PhanHoi_ngoc_ky_2023-9M_7.xlsx")])
    s.files = [FileResult("BC_Ngoc_Ky.xlsx", "loaded", "", "ngoc_ky", "2023-9M", 7, 80, 1, 1, issues),
               FileResult("hong.xlsx", "rejected", "Không đọc được tệp: hỏng", None, None, 8, 0, 1, 0,
                          iss.frame([iss.issue("file-unreadable", file="hong.xlsx", detail="hỏng")])),
               FileResult("2023-H1/BC_Ha_Ky.xlsx", "skipped", "Thuộc kỳ 2023-H1", "ha_ky", "2023-H1")]
    return s


COMPLETENESS = [
    {"period_code": "2023-9M", "unit_code": "ngoc_ky", "unit_name": "xã Ngọc Kỳ", "status": "submitted", "late": False},
    {"period_code": "2023-9M", "unit_code": "ha_ky", "unit_name": "xã Hà Kỳ", "status": "missing", "late": None},
    {"period_code": "2023-9M", "unit_code": "tt_tu_ky", "unit_name": "thị trấn Tứ Kỳ", "status": "submitted", "late": True},
]


def test_markdown_summary_is_a_pure_rendering():
    md = render_markdown(_summary(), COMPLETENESS)
    assert md.startswith("# Tóm tắt lượt tổng hợp 20231001-230000-abcdef")
    assert "| Đã nạp | 1 |" in md and "| Bị từ chối | 1 |" in md and "| Bản cũ bị thay thế | 1 |" in md
    assert "| Không đổi (đã nhận trước đây) | 20 |" in md
    assert "**2023-9M**: 2/3 đơn vị đã nộp, 1 đơn vị nộp muộn; chưa nộp (1): xã Hà Kỳ." in md
    assert "| hong.xlsx | Bị từ chối | Không đọc được tệp: hỏng |" in md
    assert "| value-invalid | Lỗi | 1 | 1 |" in md and "| value-without-unit | Cảnh báo | 1 | 1 |" in md
    assert md.index("| file-unreadable |") < md.index("| value-without-unit |")  # errors before warnings
    assert "mười \\| hai" in md  # a pipe in a cell does not break the table
    assert "TongHop_CCHC_2023-9M.xlsx" in md and "Phiếu phản hồi gửi đơn vị: 1 tệp" in md
    assert render_markdown(_summary(), COMPLETENESS) == md


def test_markdown_without_periods_or_issues():
    s = RunSummary(run_id="r1", started_at=dt.datetime(2023, 10, 1), unchanged=23)
    md = render_markdown(s, [])
    assert "Không có kỳ nào được cập nhật" in md and "Không có lỗi hay cảnh báo nào." in md


def test_rebuild_summary():
    from pipeline.rebuild import RebuildResult

    r = RebuildResult(run_id="rebuild-1", files=46, runs=2, by_status={"loaded": 45, "rejected": 1}, periods=["2023-9M"],
                      previous=Path("warehouse/backups/tonghop_1.duckdb"), seconds=2.5)
    line = rebuild_line(r)
    assert line.startswith("Đã dựng lại kho dữ liệu từ 46 tệp lưu trữ của 2 lượt chạy (đã nạp 45, bị từ chối 1)")
    assert "các kỳ: 2023-9M" in line and line.endswith("Kho cũ được cất tại warehouse/backups/tonghop_1.duckdb.")
    md = render_rebuild_markdown(r, COMPLETENESS)
    assert md.startswith("# Dựng lại kho dữ liệu") and "**2023-9M**: 2/3 đơn vị đã nộp" in md


def test_tables_for_the_ui():
    s = _summary()
    rows = issue_table(s)
    assert len(rows) == 3 and rows[0]["mức độ"] == "Lỗi" and rows[-1]["mức độ"] == "Cảnh báo"
    assert rows[0]["vị trí"] == "BC_Ngoc_Ky.xlsx!Biểu mẫu 3!D24" and rows[0]["chỉ tiêu"] == "III.3.3.1"
    assert issue_table(s, limit=1) == rows[:1]
    assert missing_table(COMPLETENESS) == [{"kỳ": "2023-9M", "mã đơn vị": "ha_ky", "đơn vị": "xã Hà Kỳ"}]
    assert [t["code"] for t in top_issues(s)][:2] == ["file-unreadable", "value-invalid"]
    data = summary_json(s)
    json.dumps(data)
    assert data["files"]["skipped"] == 1 and data["details"][1]["reason"] == "Không đọc được tệp: hỏng"
    assert isinstance(pd.DataFrame(rows), pd.DataFrame)


def test_quiet_real_run_prints_nothing_and_publishes_artifacts(tmp_path, demo_files):
    """One real `tonghop run --quiet` (Prefect's temporary server, PREFECT_HOME in tmp): silent, artifacts recorded."""
    work = office_folder(tmp_path, demo_files)
    home = tmp_path / "prefect-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PREFECT_HOME"] = str(home)
    exe = str(Path(sys.executable).with_name("tonghop"))
    run = subprocess.run([exe, "run", "--quiet"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == "" and run.stderr == ""
    assert (work / "warehouse/reports/2023-H1/TongHop_CCHC_2023-H1.xlsx").exists()
    # The temporary server is gone; its SQLite database (Prefect's own schema, pinned version) still holds the artifacts.
    con = sqlite3.connect(home / "prefect.db")
    try:
        kinds = dict(con.execute("select key, type from artifact").fetchall())
        summary = con.execute("select data from artifact where key = 'tonghop-tom-tat'").fetchone()[0]
        logs = [m for (m,) in con.execute("select message from log")]
    finally:
        con.close()
    assert kinds == {"tonghop-tom-tat": "markdown", "tonghop-loi-canh-bao": "table", "tonghop-don-vi-chua-nop": "table",
                     "tonghop-sua-truoc": "markdown"}  # the ten issues to fix first (figures.impact)
    assert "23/23 đơn vị đã nộp" in json.loads(summary)
    assert any(m.startswith("Đã nạp 23 tệp") for m in logs)  # the officer's log lines reach the UI even when quiet
