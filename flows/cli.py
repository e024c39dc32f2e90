"""The `tonghop` command line: parse arguments, call one pipeline function, render the result."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from pipeline.config import Settings

# A government office's pipeline sends no usage analytics (also set in prefect.toml).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

DEFAULTS = {
    "inbox": "inbox",
    "warehouse": "warehouse/tonghop.duckdb",
    "out": "warehouse/reports",
    "units": "schemas/units.csv",
    "catalog": "schemas/indicators.csv",
    "office": "schemas/office.toml",
    "rules": "schemas/rules.csv",
    "outliers": "schemas/outliers.toml",
}


@click.group(help="tonghop — tổng hợp số liệu cải cách hành chính của các xã, phường, thị trấn.")
def main() -> None:
    """Entry point of the console script."""


@main.command(help="Chạy một lượt tổng hợp: nhận tệp mới trong hộp thư, kiểm tra, nạp kho, lập báo cáo.")
@click.option("--inbox", default=DEFAULTS["inbox"], show_default=True, type=click.Path(path_type=Path))
@click.option("--warehouse", default=DEFAULTS["warehouse"], show_default=True, type=click.Path(path_type=Path))
@click.option("--out", default=DEFAULTS["out"], show_default=True, type=click.Path(path_type=Path))
@click.option("--units", default=DEFAULTS["units"], show_default=True, type=click.Path(path_type=Path))
@click.option("--catalog", default=DEFAULTS["catalog"], show_default=True, type=click.Path(path_type=Path))
@click.option("--office", default=DEFAULTS["office"], show_default=True, type=click.Path(path_type=Path))
@click.option("--rules", default=DEFAULTS["rules"], show_default=True, type=click.Path(path_type=Path))
@click.option("--outliers", default=DEFAULTS["outliers"], show_default=True, type=click.Path(path_type=Path))
@click.option("--period", default=None, help="Chỉ xử lý một kỳ, ví dụ 2023-H1.")
@click.option("--dry-run", is_flag=True, help="Chạy thử: đọc và kiểm tra, in những gì sẽ được nạp, không ghi gì.")
@click.option("--wait", default=60.0, show_default=True, help="Số giây chờ khi một lượt chạy khác đang ghi kho dữ liệu.")
def run(inbox: Path, warehouse: Path, out: Path, units: Path, catalog: Path, office: Path, rules: Path, outliers: Path,
        period: str | None, dry_run: bool, wait: float) -> None:
    """Run the consolidation flow once."""
    from pipeline.periods import is_period

    if period and not is_period(period):
        raise click.BadParameter(f"Mã kỳ không hợp lệ: {period} (ví dụ: 2023-Q3, 2023-H1, 2023-9M, 2023-Y)", param_hint="--period")
    settings = Settings(inbox=inbox, warehouse=warehouse, out=out, units=units, catalog=catalog, office=office,
                        rules=rules, outliers=outliers, period=period, dry_run=dry_run, lock_timeout=wait)
    from pipeline.feedback import render_summary
    from pipeline.lock import WarehouseBusy

    try:
        summary = _run(settings)
    except WarehouseBusy as exc:
        click.echo(str(exc), err=True)
        sys.exit(75)
    click.echo(render_summary(summary))


def _run(settings: Settings):
    """Run once: in-process for a dry run, else the Prefect flow."""
    if settings.dry_run:  # no orchestration either: a dry run leaves no trace anywhere, Prefect's database included
        from pipeline.ingest import run_steps

        return run_steps(settings)
    from flows.consolidate import consolidation_flow

    return consolidation_flow(settings)


@main.command(help="Đọc một tệp báo cáo (không ghi vào kho) và in kết quả dạng JSON.")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--units", default=DEFAULTS["units"], show_default=True, type=click.Path(path_type=Path))
@click.option("--catalog", default=DEFAULTS["catalog"], show_default=True, type=click.Path(path_type=Path))
def parse(file: Path, units: Path, catalog: Path) -> None:
    """Parse one workbook and print JSON."""
    from pipeline.catalog import load_catalog
    from pipeline.submission import parse_submission, submission_json
    from pipeline.units import load_registry

    if not file.exists():
        click.echo(f"Không tìm thấy tệp: {file}", err=True)
        sys.exit(2)
    sub = parse_submission(file, load_registry(units), load_catalog(catalog))
    click.echo(json.dumps(submission_json(sub), ensure_ascii=False, indent=2))
    unreadable = sub.rejected_by and sub.rejected_by["code"].startswith("file-")
    sys.exit(1 if unreadable else 0)


@main.command(help="Chạy một câu lệnh SQL chỉ đọc trên kho dữ liệu và in kết quả dạng bảng.")
@click.argument("query")
@click.option("--warehouse", default=DEFAULTS["warehouse"], show_default=True, type=click.Path(path_type=Path))
@click.option("--max-rows", default=200, show_default=True, help="Số dòng tối đa được in.")
def sql(query: str, warehouse: Path, max_rows: int) -> None:
    """Run read-only SQL and print a table."""
    import duckdb
    from rich.console import Console
    from rich.table import Table

    if not warehouse.exists():
        click.echo(f"Chưa có kho dữ liệu: {warehouse}. Hãy chạy 'tonghop run' trước.", err=True)
        sys.exit(2)
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as exc:
        click.echo(f"Không mở được kho dữ liệu (có thể một lượt tổng hợp đang ghi; hãy thử lại sau khi lượt chạy kết thúc): {exc}", err=True)
        sys.exit(3)
    try:
        cur = con.execute(query)
        cols = [d[0] for d in cur.description] if cur.description else []
        rows = cur.fetchmany(max_rows + 1)
    except duckdb.Error as exc:
        click.echo(f"Lỗi SQL: {exc}", err=True)
        sys.exit(1)
    finally:
        con.close()
    table = Table(show_lines=False)
    for c in cols:
        table.add_column(str(c))
    for row in rows[:max_rows]:
        table.add_row(*["" if v is None else str(v) for v in row])
    Console(width=max(120, len(cols) * 18)).print(table)
    if len(rows) > max_rows:
        click.echo(f"(chỉ in {max_rows} dòng đầu)")


if __name__ == "__main__":
    main()
