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
    "deadlines": "schemas/deadlines.toml",
    "export": "warehouse/export",
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
@click.option("--deadlines", default=DEFAULTS["deadlines"], show_default=True, type=click.Path(path_type=Path))
@click.option("--period", default=None, help="Chỉ xử lý một kỳ, ví dụ 2023-H1.")
@click.option("--unit", default=None, help="Chỉ nhận tệp của một đơn vị (mã trong danh sách đơn vị, ví dụ ngoc_ky).")
@click.option("--dry-run", is_flag=True, help="Chạy thử: đọc và kiểm tra, in những gì sẽ được nạp, không ghi gì.")
@click.option("--wait", default=60.0, show_default=True, help="Số giây chờ khi một lượt chạy khác đang ghi kho dữ liệu.")
def run(inbox: Path, warehouse: Path, out: Path, units: Path, catalog: Path, office: Path, rules: Path, outliers: Path,
        deadlines: Path, period: str | None, unit: str | None, dry_run: bool, wait: float) -> None:
    """Run the consolidation flow once."""
    from pipeline.periods import is_period

    if period and not is_period(period):
        raise click.BadParameter(f"Mã kỳ không hợp lệ: {period} (ví dụ: 2023-Q3, 2023-H1, 2023-9M, 2023-Y)", param_hint="--period")
    if unit:
        from pipeline.units import load_registry

        if unit not in set(load_registry(units).units["code"]):
            raise click.BadParameter(f"Không có đơn vị mã {unit} trong {units}", param_hint="--unit")
    settings = Settings(inbox=inbox, warehouse=warehouse, out=out, units=units, catalog=catalog, office=office,
                        rules=rules, outliers=outliers, deadlines=deadlines, period=period, unit=unit, dry_run=dry_run,
                        lock_timeout=wait)
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



@main.command(help="Dựng lại kho dữ liệu chỉ từ kho lưu trữ bản gốc (warehouse/archive); kho cũ được cất vào warehouse/backups.")
@click.option("--warehouse", default=DEFAULTS["warehouse"], show_default=True, type=click.Path(path_type=Path))
@click.option("--units", default=DEFAULTS["units"], show_default=True, type=click.Path(path_type=Path))
@click.option("--catalog", default=DEFAULTS["catalog"], show_default=True, type=click.Path(path_type=Path))
@click.option("--office", default=DEFAULTS["office"], show_default=True, type=click.Path(path_type=Path))
@click.option("--rules", default=DEFAULTS["rules"], show_default=True, type=click.Path(path_type=Path))
@click.option("--outliers", default=DEFAULTS["outliers"], show_default=True, type=click.Path(path_type=Path))
@click.option("--deadlines", default=DEFAULTS["deadlines"], show_default=True, type=click.Path(path_type=Path))
@click.option("--wait", default=60.0, show_default=True, help="Số giây chờ khi một lượt chạy khác đang ghi kho dữ liệu.")
def rebuild(warehouse: Path, units: Path, catalog: Path, office: Path, rules: Path, outliers: Path, deadlines: Path,
            wait: float) -> None:
    """Rebuild the warehouse from the archive and print what was replayed."""
    from pipeline.lock import WarehouseBusy
    from pipeline.rebuild import RebuildError, rebuild_warehouse

    settings = Settings(inbox=Path(DEFAULTS["inbox"]), warehouse=warehouse, out=Path(DEFAULTS["out"]), units=units,
                        catalog=catalog, office=office, rules=rules, outliers=outliers, deadlines=deadlines, lock_timeout=wait)
    try:
        result = rebuild_warehouse(settings)
    except WarehouseBusy as exc:
        click.echo(str(exc), err=True)
        sys.exit(75)
    except RebuildError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    labels = {"loaded": "đã nạp", "superseded": "bị thay thế", "duplicate": "trùng", "rejected": "bị từ chối"}
    counts = ", ".join(f"{labels.get(k, k)} {v}" for k, v in sorted(result.by_status.items()))
    click.echo(f"Đã dựng lại kho {warehouse} từ {result.files} tệp lưu trữ của {result.runs} lượt chạy ({counts}) "
               f"trong {result.seconds:.1f} giây; các kỳ: {', '.join(result.periods)}.")
    if result.previous:
        click.echo(f"Kho cũ được cất tại {result.previous}.")


@main.command(help="Xuất các view của kho dữ liệu ra tệp Parquet và CSV (mở được bằng Excel).")
@click.option("--warehouse", default=DEFAULTS["warehouse"], show_default=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default=DEFAULTS["export"], show_default=True, type=click.Path(path_type=Path))
@click.option("--period", default=None, help="Chỉ xuất số liệu của một kỳ, ví dụ 2023-H1.")
@click.option("--format", "formats", type=click.Choice(["parquet", "csv"]), multiple=True, help="Mặc định: cả hai.")
def export(warehouse: Path, out_dir: Path, period: str | None, formats: tuple[str, ...]) -> None:
    """Export the contract views to Parquet and CSV."""
    import duckdb

    from pipeline.export import FORMATS, export_views

    if not warehouse.exists():
        click.echo(f"Chưa có kho dữ liệu: {warehouse}. Hãy chạy 'tonghop run' trước.", err=True)
        sys.exit(2)
    try:
        files = export_views(warehouse, out_dir, tuple(formats) or FORMATS, period=period)
    except duckdb.IOException as exc:
        click.echo(f"Không mở được kho dữ liệu (một lượt tổng hợp đang ghi; hãy thử lại sau khi lượt chạy kết thúc): {exc}", err=True)
        sys.exit(3)
    for f in files:
        click.echo(str(f))
    click.echo(f"Đã xuất {len(files)} tệp vào {out_dir}.")


if __name__ == "__main__":
    main()
