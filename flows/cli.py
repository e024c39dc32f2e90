"""The `tonghop` command line: parse arguments, call one pipeline function, render the result.

Every failure the library raises is a pipeline.errors.TonghopError; `TonghopGroup` turns it into one Vietnamese line
on stderr and its exit code, in this one place (`--debug` shows the traceback instead).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from flows.params import build_settings
from pipeline.config import OPTIONS, PATH_OPTIONS, SERVED_WAIT, Settings
from pipeline.errors import EXIT_FAILED, TonghopError, UsageError
from pipeline.reference.files import use_folder_hint

# A government office's pipeline sends no usage analytics: flows/__init__.py turns Prefect's analytics off (also in prefect.toml).
MARKER = Path("schemas") / "units.csv"  # what makes a folder a tonghop project folder

EXPORT_DEFAULT = "warehouse/export"
DEFAULTS = {**{name: o.default for name, o in OPTIONS.items()}, "export": EXPORT_DEFAULT}  # what each option defaults to


class TonghopGroup(click.Group):
    """The command group that reports every TonghopError as one line on stderr with its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except TonghopError as exc:
            if ctx.params.get("debug") or os.environ.get("TONGHOP_DEBUG"):
                raise
            click.echo(exc.message, err=True)
            ctx.exit(exc.exit_code)


def path_options(*names: str):
    """Click options for the given paths (--inbox, --warehouse, --units…), each with its default and help from OPTIONS."""
    def apply(command):
        for name in reversed(names):
            command = click.option(f"--{name}", default=OPTIONS[name].default, show_default=True, help=OPTIONS[name].help,
                                   type=click.Path(path_type=Path))(command)
        return command
    return apply


def option(name: str, **extra):
    """A click option named and documented as pipeline.config.OPTIONS says."""
    o = OPTIONS[name]
    return click.option(f"--{name}", default=o.default, show_default=o.default is not None, help=o.help, **extra)


@click.group(cls=TonghopGroup, help="tonghop — tổng hợp số liệu cải cách hành chính của các xã, phường, thị trấn.")
@click.option("--debug", is_flag=True, help="In đầy đủ thông tin lỗi kỹ thuật (traceback) khi có lỗi.")
@click.pass_context
def main(ctx: click.Context, debug: bool = False) -> None:
    """Entry point of the console script: relative default paths are taken in the project folder (see project_root)."""
    root = project_root(Path.cwd())
    if root is not None and root != Path.cwd().resolve():
        ctx.default_map = project_defaults(root)


def project_root(cwd: Path) -> Path | None:
    """The tonghop project folder: the working folder or the nearest parent holding schemas/units.csv; None when there is
    none (a missing file's message then names the installed project folder to use, see pipeline.reference.files)."""
    cwd = cwd.resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


def project_defaults(root: Path) -> dict[str, dict[str, str]]:
    """click default_map: every command's relative default paths made absolute in the project folder `root`."""
    paths = {name: str(root / OPTIONS[name].default) for name in PATH_OPTIONS}
    commands = ("run", "parse", "sql", "rebuild", "export", "serve", "flag")
    return {cmd: {**paths, **({"out_dir": str(root / EXPORT_DEFAULT)} if cmd == "export" else {})} for cmd in commands}


def preflight(settings: Settings) -> None:
    """Check a run's folders and reference files before Prefect starts: one Vietnamese line and exit 2, nothing written."""
    if not settings.inbox.is_dir():
        raise UsageError(f"Không tìm thấy thư mục hộp thư {settings.inbox} (--inbox): hãy tạo thư mục đó hoặc chỉ đúng "
                         "thư mục chứa tệp báo cáo của các xã." + outside_project())
    if settings.dry_run:
        return  # a dry run runs in this process: the same checks end in the same one line
    from pipeline import warehouse as wh
    from pipeline.run import check_reference

    try:
        check_reference(settings)
    except Exception as exc:
        if isinstance(exc, TonghopError) or not wh.is_lock_error(exc):
            raise
        # a run is writing the warehouse: the run's first step checks again once it holds the warehouse


def outside_project() -> str:
    """A hint when the working folder is not inside a tonghop project (no schemas/units.csv here or above)."""
    if project_root(Path.cwd()) is not None:
        return ""
    return (f" Thư mục đang đứng ({Path.cwd()}) không nằm trong thư mục dự án tonghop (thư mục có schemas/units.csv): "
            "hãy chuyển vào thư mục dự án (cd) rồi chạy lại, hoặc chỉ rõ đường dẫn.")


def require_warehouse(warehouse: Path) -> None:
    """Raise UsageError unless the warehouse file exists."""
    if not warehouse.exists():
        raise UsageError(f"Chưa có kho dữ liệu: {warehouse}. Hãy chạy 'tonghop run' trước." + outside_project())


def busy_reading(exc: Exception, warehouse: Path) -> TonghopError:
    """The error of a read that could not open the warehouse (a run is writing it)."""
    return TonghopError(f"Không mở được kho dữ liệu {warehouse} (có thể một lượt tổng hợp đang ghi; hãy thử lại sau khi "
                        f"lượt chạy kết thúc): {exc}", exit_code=3)


@main.command(help="Chạy một lượt tổng hợp: nhận tệp mới trong hộp thư, kiểm tra, nạp kho, lập báo cáo.")
@path_options("inbox", "warehouse", "out", "units", "catalog", "office", "rules", "outliers", "deadlines")
@option("period")
@option("unit")
@option("workers")
@click.option("--dry-run", is_flag=True, help="Chạy thử: đọc và kiểm tra, in những gì sẽ được nạp, không ghi gì.")
@option("wait")
@option("backups")
@click.option("--quiet", "-q", is_flag=True, help="Không in gì khi chạy thành công (dùng cho lịch chạy tự động); lỗi vẫn in ra stderr.")
@click.option("--json", "as_json", is_flag=True, help="In bản tóm tắt lượt chạy dạng JSON (cho chương trình khác đọc).")
@click.option("--dask", default=None, metavar="ĐỊA_CHỈ",
              help="Đọc tệp song song trên cụm Dask: 'local' (cụm trên máy này) hoặc địa chỉ bộ lập lịch, ví dụ tcp://10.0.0.5:8786. "
                   "Cần cài thêm: pip install -e '.[dask]'.")
def run(dry_run: bool, quiet: bool = False, as_json: bool = False, dask: str | None = None, **params) -> None:
    """Run the consolidation flow once."""
    from flows.server import TemporaryServer

    if not dry_run and (quiet or as_json or _stderr_is_terminal()):  # as _run decides, before the temporary server
        _quiet_prefect_console("CRITICAL")  # starts: it reads the console level from its environment
    server = None if dry_run else TemporaryServer.start()  # boots while the inputs are loaded and checked
    if not dry_run:
        from pipeline.read import warm_up

        warm_up()  # the reading processes' fork server imports its libraries meanwhile too
    settings = build_settings(dry_run=dry_run, **params)
    preflight(settings)
    from pipeline.report.summary import render_summary

    if dask and not dry_run:
        from flows.scale import DaskUnavailable, dask_available

        if not dask_available():
            raise DaskUnavailable()
    if not dry_run and not dask:
        from pipeline.run import read_ahead

        read_ahead(settings)  # the new files are parsed while the server boots; the read step takes what still holds
    with TemporaryServer.used(server):
        summary = _run(settings, dask=dask, quiet=quiet or as_json)
    if as_json:
        from pipeline.report.summary import summary_json

        click.echo(json.dumps(summary_json(summary), ensure_ascii=False, indent=2, default=str))
    elif not quiet:
        click.echo(render_summary(summary))


def _run(settings: Settings, dask: str | None = None, quiet: bool = False):
    """Run once: in-process for a dry run, else the Prefect flow (progress bars on a terminal, Prefect's console quiet)."""
    if settings.dry_run:  # no orchestration either: a dry run leaves no trace anywhere, Prefect's database included
        from pipeline.run import run_steps

        return run_steps(settings)
    from rich.console import Console

    console = Console(stderr=True)
    bars = not quiet and console.is_terminal
    # Bars or silence instead of Prefect's log lines (a failure still reaches stderr as the exception); the UI gets every line.
    if quiet or bars:
        _quiet_prefect_console("CRITICAL")
    from flows import progress
    from flows.consolidate import consolidation_flow
    from flows.params import flow_parameters

    _no_traceback_for_tonghop_errors()

    if not bars:
        return consolidation_flow(**flow_parameters(settings), dask=dask)
    with progress.RichListener(console) as listener, progress.listening(listener):
        listener.step("Khởi động Prefect", None)
        return consolidation_flow(**flow_parameters(settings), dask=dask)


def _stderr_is_terminal() -> bool:
    """True when progress bars will be drawn (stderr is a terminal), as rich decides it."""
    from rich.console import Console

    return Console(stderr=True).is_terminal


def _quiet_prefect_console(level: str) -> None:
    """Raise Prefect's console log level for the rest of this process (its temporary server logs even at exit)."""
    os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = level  # read when Prefect sets up logging, here and in its server
    for h in _prefect_console_handlers():  # Prefect already imported (tests invoking the command in-process)
        h.setLevel(level)


class _OneLineForTonghopErrors:
    """Logging filter: a flow that ends in a TonghopError (a busy warehouse…) is logged without its traceback; the
    command prints the Vietnamese line and exits with the error's code. `--debug`/TONGHOP_DEBUG keep tracebacks."""

    def filter(self, record) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, TonghopError) and not os.environ.get("TONGHOP_DEBUG"):
            record.exc_info = None
            record.exc_text = None
        return True


def _no_traceback_for_tonghop_errors() -> None:
    """Attach _OneLineForTonghopErrors to Prefect's console handlers (once)."""
    if click.get_current_context(silent=True) and click.get_current_context().find_root().params.get("debug"):
        return
    for h in _prefect_console_handlers():
        if not any(isinstance(f, _OneLineForTonghopErrors) for f in h.filters):
            h.addFilter(_OneLineForTonghopErrors())


def _prefect_console_handlers() -> list:
    """Return Prefect's console log handlers, if Prefect is imported."""
    import logging

    if "prefect" not in sys.modules:
        return []
    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger()] + [logging.getLogger(n) for n in list(logging.root.manager.loggerDict)]
    return list({h for lg in loggers for h in getattr(lg, "handlers", []) if isinstance(h, PrefectConsoleHandler)})


@main.command(help="Đọc một tệp báo cáo (không ghi vào kho) và in kết quả dạng JSON.")
@click.argument("file", type=click.Path(path_type=Path))
@path_options("units", "catalog", "office")
def parse(file: Path, units: Path, catalog: Path, office: Path) -> None:
    """Parse one workbook and print JSON (the registry takes the unit kinds the office file declares, when there is one)."""
    from pipeline.read import parse_submission, submission_json
    from pipeline.reference.catalog import load_catalog
    from pipeline.reference.office import load_office
    from pipeline.reference.registry import KINDS, load_registry

    if not file.exists():
        raise UsageError(f"Không tìm thấy tệp: {file}")
    kinds = load_office(office).unit_kinds if Path(office).is_file() else KINDS
    sub = parse_submission(file, load_registry(units, kinds), load_catalog(catalog))
    click.echo(json.dumps(submission_json(sub), ensure_ascii=False, indent=2))
    unreadable = sub.rejected_by and sub.rejected_by["code"].startswith("file-")
    sys.exit(EXIT_FAILED if unreadable else 0)


@main.command(help="Chạy một câu lệnh SQL chỉ đọc trên bản đọc của kho dữ liệu (warehouse/ban_doc, do lượt tổng hợp gần nhất công bố; "
                   "không làm lượt chạy phải chờ) và in kết quả dạng bảng. Câu lệnh ghi, xuất tệp, gắn kho khác, cài tiện ích, "
                   "đọc tệp ngoài kho hay đổi cấu hình bị từ chối; để xuất số liệu dùng 'tonghop export'. Xem docs/phan-tich.md.")
@click.argument("query")
@path_options("warehouse")
@click.option("--max-rows", default=200, show_default=True, help="Số dòng tối đa được in.")
def sql(query: str, warehouse: Path, max_rows: int) -> None:
    """Run read-only SQL and print a table."""
    from rich.console import Console
    from rich.table import Table

    from pipeline.warehouse import run_query

    require_warehouse(warehouse)
    cols, rows = run_query(warehouse, query, max_rows)
    table = Table(show_lines=False)
    for c in cols:
        table.add_column(str(c))
    for row in rows[:max_rows]:
        table.add_row(*["" if v is None else str(v) for v in row])
    Console(width=max(120, len(cols) * 18)).print(table)
    if len(rows) > max_rows:
        click.echo(f"(chỉ in {max_rows} dòng đầu)")


@main.command(help="Xem và đặt trạng thái theo dõi của các số liệu bị gắn cờ (mở, đã giải trình, đã sửa, chấp nhận, bỏ qua). "
                   "Không kèm --state: in danh sách cờ. Kèm --state: đặt trạng thái cho các cờ được chọn. Xem docs/operations.md.")
@path_options("warehouse")
@click.option("--id", "ids", type=int, multiple=True, metavar="SỐ", help="Mã cờ (flag_id); dùng nhiều lần để chọn nhiều cờ.")
@click.option("--period", default=None, help="Chỉ các cờ của một kỳ, ví dụ 2023-Q3.")
@click.option("--unit", default=None, help="Chỉ các cờ của một đơn vị (mã, ví dụ ngoc_ky).")
@click.option("--indicator", default=None, help="Chỉ các cờ của một chỉ tiêu (mã, ví dụ III.3.3.2).")
@click.option("--code", default=None, help="Chỉ các cờ của một loại lỗi (mã, ví dụ part-exceeds-whole).")
@click.option("--state", default=None, help="Trạng thái mới: 'mở', 'đã giải trình', 'đã sửa', 'chấp nhận', 'bỏ qua' "
                                            "(có hoặc không dấu), hoặc open/explained/fixed/accepted/ignored.")
@click.option("--note", default=None, help="Ghi chú (nội dung giải trình, lý do chấp nhận…) lưu cùng trạng thái.")
@option("wait")
@option("backups")
def flag(warehouse: Path, ids: tuple[int, ...], period: str | None, unit: str | None, indicator: str | None,
         code: str | None, state: str | None, note: str | None, wait: float, backups: int) -> None:
    """List flagged values, or set the follow-up state of the chosen ones."""
    from pipeline.config import StoreOptions
    from pipeline.followup import Selection, list_flags, parse_state, set_flags

    sel = Selection(tuple(ids), period, unit, indicator, code)
    if state is None:
        if note:
            raise UsageError("--note cần đi kèm --state (trạng thái mới của các cờ được chọn).")
        rows = list_flags(warehouse, sel)
        if rows.empty:
            click.echo("Chưa có cờ nào." if sel.empty else f"Không có cờ nào khớp với {sel.describe()}.")
            return
        _print_flags(rows)
        return
    parse_state(state)  # a misspelt state is refused before anything opens the warehouse
    rows = set_flags(StoreOptions(warehouse, float(wait), int(backups)), sel, state, note)
    _print_flags(rows)
    click.echo(f"Đã đặt trạng thái '{rows['state'].iloc[0]}' cho {len(rows)} cờ.")


def _print_flags(rows) -> None:
    """Print flags as a table (rich), numbers as the office writes them."""
    from rich.console import Console
    from rich.table import Table

    from pipeline.issues import label as issue_label
    from pipeline.vn.format import decimal

    heads = {"flag_id": "Mã cờ", "period_code": "Kỳ", "unit_code": "Đơn vị", "indicator_code": "Chỉ tiêu",
             "code": "Loại lỗi", "state": "Trạng thái", "value": "Giá trị", "explanation": "Giải trình/ghi chú",
             "source_ref": "Ô"}
    table = Table(show_lines=False)
    for c in rows.columns:
        table.add_column(heads.get(c, c))
    rows = rows.assign(code=[issue_label(str(c)) for c in rows["code"]]) if "code" in rows.columns else rows
    for rec in rows.itertuples(index=False):
        table.add_row(*["" if v is None or (isinstance(v, float) and v != v) else
                        decimal(v, None) if isinstance(v, float) else str(v) for v in rec])
    Console(width=200).print(table)


@main.command(help="Dựng lại kho dữ liệu chỉ từ kho lưu trữ bản gốc (warehouse/archive); kho cũ được cất vào warehouse/backups.")
@path_options("warehouse", "units", "catalog", "office", "rules", "outliers", "deadlines", "out")
@option("wait")
def rebuild(warehouse: Path, **params) -> None:
    """Rebuild the warehouse from the archive and print what was replayed."""
    from pipeline.rebuild import rebuild_warehouse
    from pipeline.report.summary import rebuild_line

    result = rebuild_warehouse(build_settings(warehouse=warehouse, **params))
    click.echo(rebuild_line(result))  # names where the previous warehouse went
    for path in result.reports:
        click.echo(f"Đã lập lại biểu tổng hợp: {path}")


@main.command(help="Xuất các view của kho dữ liệu ra tệp Parquet và CSV (mở được bằng Excel).")
@path_options("warehouse")
@click.option("--out", "out_dir", default=EXPORT_DEFAULT, show_default=True, type=click.Path(path_type=Path))
@click.option("--period", default=None, help="Chỉ xuất số liệu của một kỳ, ví dụ 2023-H1.")
@click.option("--format", "formats", type=click.Choice(["parquet", "csv"]), multiple=True, help="Mặc định: cả hai.")
def export(warehouse: Path, out_dir: Path, period: str | None, formats: tuple[str, ...]) -> None:
    """Export the contract views to Parquet and CSV."""
    from pipeline.warehouse import FORMATS, export_to

    require_warehouse(warehouse)
    files = export_to(warehouse, out_dir, tuple(formats) or FORMATS, period=period)
    for f in files:
        click.echo(str(f))
    click.echo(f"Đã xuất {len(files)} tệp vào {out_dir}.")


@main.command(help="Chạy tổng hợp tự động theo lịch (mặc định 23:00 hằng ngày, giờ Việt Nam) và nhận lệnh chạy lại từ giao diện "
                   "Prefect; chạy liên tục cho đến khi dừng (Ctrl+C). Xem docs/operations.md.")
@path_options("inbox", "warehouse", "out", "units", "catalog", "office", "rules", "outliers", "deadlines")
@click.option("--wait", default=SERVED_WAIT, show_default=True, help="Số giây một lượt chạy theo lịch chờ khi lượt khác đang ghi kho dữ liệu.")
@click.option("--dask", default=None, metavar="ĐỊA_CHỈ", help="Đọc tệp trên cụm Dask ('local' hoặc tcp://máy:8786); cần pip install -e '.[dask]'.")
@click.option("--cron", default="0 23 * * *", show_default=True, help="Giờ chạy theo cú pháp cron (phút giờ ngày tháng thứ).")
@click.option("--timezone", default="Asia/Ho_Chi_Minh", show_default=True, help="Múi giờ của lịch chạy.")
@click.option("--name", default="hang-dem", show_default=True, help="Tên lịch chạy (deployment) trên Prefect.")
def serve(inbox: Path, warehouse: Path, out: Path, units: Path, catalog: Path, office: Path, rules: Path, outliers: Path,
          deadlines: Path, wait: float, dask: str | None, cron: str, timezone: str, name: str) -> None:
    """Serve the consolidation flow on its schedule until stopped."""
    for flag, path in (("--units", units), ("--catalog", catalog), ("--office", office), ("--rules", rules), ("--outliers", outliers)):
        if not path.exists():
            raise UsageError(f"Không tìm thấy tệp {path} ({flag}). Hãy chạy lệnh trong thư mục làm việc của tonghop "
                             f"{use_folder_hint()}hoặc chỉ rõ đường dẫn.")
    if dask:
        from flows.scale import DaskUnavailable, dask_available

        if not dask_available():
            raise DaskUnavailable()
    from flows.params import absolute_parameters

    params = absolute_parameters({"inbox": str(inbox), "warehouse": str(warehouse), "out": str(out), "units": str(units),
                                  "catalog": str(catalog), "office": str(office), "rules": str(rules),
                                  "outliers": str(outliers), "deadlines": str(deadlines), "wait": wait, "dask": dask},
                                 Path.cwd())
    from prefect.settings import get_current_settings

    from flows.deploy import build_deployment, serve_deployment

    deployment = build_deployment(params, cron=cron, timezone=timezone, name=name)
    api = get_current_settings().api.url
    click.echo(f"Lịch chạy tonghop-run/{name}: '{cron}' ({timezone}), mỗi lần một lượt; hộp thư {params['inbox']}, "
               f"kho dữ liệu {params['warehouse']}.")
    if api:
        click.echo(f"Máy chủ Prefect: {api}. Xem các lượt chạy trên giao diện web; chạy lại ngay: "
                   f"prefect deployment run 'tonghop-run/{name}' (thêm -p period=2023-H1 để chỉ chạy một kỳ).")
    else:
        click.echo("Chưa đặt PREFECT_API_URL: dùng máy chủ Prefect tạm thời, không có giao diện web cố định "
                   "(xem docs/operations.md để chạy 'prefect server start').")
    click.echo("Đang chờ đến giờ chạy; nhấn Ctrl+C để dừng.")
    import httpx

    try:
        serve_deployment(deployment)
    except httpx.ConnectError:
        raise TonghopError(f"Không kết nối được máy chủ Prefect {api}. Hãy khởi động 'prefect server start' rồi chạy lại.") from None

if __name__ == "__main__":
    main()
