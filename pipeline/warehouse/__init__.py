"""The DuckDB warehouse: the only package that imports DuckDB or holds SQL.

Steps open it with `session(path, write=...)` and call the functions below with the connection; `writer_lock` keeps
one writer at a time, `backup` copies the file before a run writes, `publish` writes the read copy analysts use at a
run's end, `run_query` (sandboxed) and `export_views` serve `tonghop sql` and `tonghop export` from that copy.
"""

import re
from pathlib import Path

import duckdb

from pipeline.errors import TonghopError
from pipeline.warehouse.export import FORMATS, export_views
from pipeline.warehouse import flags
from pipeline.warehouse.flags import maintain_flags, open_flags, suppressed_issues
from pipeline.warehouse.lock import backup, backups_of, set_aside, writer_lock, writer_lock_if_free
from pipeline.warehouse.readcopy import needs_publish, publish, published, reading_path, stable_path
from pipeline.warehouse.store import (OBSERVATION_COLUMNS, Health, Pending, Rows, checkpoint, completeness, connect, ensure_period, health, is_lock_error,
                                      is_refusal, loaded_units, mark_fresh, record_reference, reference_hashes,
                                      period_codes, period_issues, period_states, period_values, period_window, periods_with_values, query,
                                      record_run, record_submissions, refresh_deadlines, replace_district, seen_files,
                                      session, stale_periods, sync_reference, touch_file, unit_history)
from pipeline.warehouse.store import period_located_values, replace_period_issues, store_impact

__all__ = ["flags", "maintain_flags", "open_flags", "suppressed_issues", "FORMATS", "OBSERVATION_COLUMNS", "Health", "Pending", "Rows", "backup", "backups_of", "checkpoint", "completeness", "connect", "ensure_period",
           "export_views", "health", "is_lock_error", "loaded_units", "mark_fresh", "record_reference", "reference_hashes",
           "set_aside", "period_codes", "period_issues", "period_states", "period_values", "period_window",
           "periods_with_values", "query", "record_run", "record_submissions", "refresh_deadlines", "replace_district",
           "seen_files", "session", "writer_lock_if_free", "stale_periods", "sync_reference", "touch_file", "unit_history", "writer_lock", "run_query", "export_to",
           "needs_publish", "publish", "published", "reading_path", "stable_path",
           "period_located_values", "replace_period_issues", "store_impact"]

REFUSED = ("Câu lệnh bị từ chối: 'tonghop sql' chỉ đọc kho dữ liệu (không ghi hay xuất tệp, không gắn kho khác, không cài "
           "hay nạp tiện ích, không đọc tệp ngoài kho, không đổi cấu hình). Để xuất số liệu, dùng 'tonghop export'.")


def _unavailable(path: Path, exc: Exception) -> TonghopError:
    return TonghopError(f"Không mở được kho dữ liệu {path} (có thể một lượt tổng hợp đang ghi; hãy thử lại sau khi lượt "
                        f"chạy kết thúc): {_one_line(exc)}", exit_code=3)


def _one_line(exc: Exception) -> str:
    return re.sub(r"\s+", " ", str(exc)).strip()


def run_query(warehouse: Path, sql: str, max_rows: int) -> tuple[list[str], list[tuple]]:
    """`tonghop sql`: run the statement on the read copy (sandboxed); return column names and ≤ `max_rows + 1` rows.

    Reads the live file (read-only) only while no read copy exists yet. Raises TonghopError: exit 3 when the file
    cannot be opened, exit 1 ("Câu lệnh bị từ chối…" or "Lỗi SQL: …") when the statement is refused or fails.
    """
    path = reading_path(warehouse)
    try:
        return query(path, sql, max_rows)
    except duckdb.Error as exc:
        if is_refusal(exc):
            raise TonghopError(REFUSED) from None
        if isinstance(exc, duckdb.IOException):
            raise _unavailable(path, exc) from None
        raise TonghopError(f"Lỗi SQL: {_one_line(exc)}") from None


def export_to(warehouse: Path, out_dir: Path, formats: tuple[str, ...] = FORMATS, period: str | None = None) -> list[Path]:
    """`tonghop export`: export_views of the read copy, a busy or unreadable file reported as TonghopError (exit 3)."""
    path = reading_path(warehouse)
    try:
        return export_views(path, out_dir, formats, period=period)
    except duckdb.IOException as exc:
        raise _unavailable(path, exc) from None
