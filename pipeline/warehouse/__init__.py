"""The DuckDB warehouse: the only package that imports DuckDB or holds SQL.

Steps open it with `session(path, write=...)` and call the functions below with the connection; `writer_lock` keeps
one writer at a time, `backup` copies the file before a run writes, `export_views` serves `tonghop export`.
"""

from pathlib import Path

import duckdb

from pipeline.errors import TonghopError
from pipeline.warehouse.export import FORMATS, export_views
from pipeline.warehouse.lock import backup, backups_of, set_aside, writer_lock
from pipeline.warehouse.store import (Health, Pending, checkpoint, completeness, connect, ensure_period, health, is_lock_error,
                                      loaded_units, mark_fresh, record_reference, reference_hashes,
                                      period_codes, period_issues, period_values, period_window, periods_with_values, query,
                                      record_run, record_submissions, refresh_deadlines, replace_district, seen_files,
                                      session, stale_periods, sync_reference, touch_file, unit_history)

__all__ = ["FORMATS", "Health", "Pending", "backup", "backups_of", "checkpoint", "completeness", "connect", "ensure_period",
           "export_views", "health", "is_lock_error", "loaded_units", "mark_fresh", "record_reference", "reference_hashes",
           "set_aside", "period_codes", "period_issues", "period_values", "period_window",
           "periods_with_values", "query", "record_run", "record_submissions", "refresh_deadlines", "replace_district",
           "seen_files", "session", "stale_periods", "sync_reference", "touch_file", "unit_history", "writer_lock", "run_query", "export_to"]


def _unavailable(path: Path, exc: Exception) -> TonghopError:
    return TonghopError(f"Không mở được kho dữ liệu {path} (có thể một lượt tổng hợp đang ghi; hãy thử lại sau khi lượt "
                        f"chạy kết thúc): {exc}", exit_code=3)


def run_query(path: Path, sql: str, max_rows: int) -> tuple[list[str], list[tuple]]:
    """`tonghop sql`: run one read-only statement; return column names and at most `max_rows + 1` rows.

    Raises TonghopError: exit 3 when the file cannot be opened, exit 1 ("Lỗi SQL: …") when the statement fails or writes.
    """
    try:
        return query(path, sql, max_rows)
    except duckdb.IOException as exc:
        raise _unavailable(path, exc) from None
    except duckdb.Error as exc:
        raise TonghopError(f"Lỗi SQL: {exc}") from None


def export_to(path: Path, out_dir: Path, formats: tuple[str, ...] = FORMATS, period: str | None = None) -> list[Path]:
    """`tonghop export`: export_views, with a busy or unreadable warehouse reported as TonghopError (exit 3)."""
    try:
        return export_views(path, out_dir, formats, period=period)
    except duckdb.IOException as exc:
        raise _unavailable(path, exc) from None
