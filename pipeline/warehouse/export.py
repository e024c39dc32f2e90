"""`tonghop export`: the warehouse's views as Parquet (for analysts' tools) and CSV (UTF-8 with BOM, opens in Excel)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.warehouse.store import session

VIEWS = ("v_submissions", "v_values", "v_issues", "v_district", "v_completeness", "v_flags")  # the CONTRACT's views
FORMATS = ("parquet", "csv")


def export_views(warehouse: Path, out_dir: Path, formats: tuple[str, ...] = FORMATS,
                 period: str | None = None) -> list[Path]:
    """Write every contract view to out_dir as <view>.parquet and <view>.csv; return the files written."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown export formats: {sorted(unknown)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with session(Path(warehouse)) as con:
        for view in VIEWS:
            cols = {r[0] for r in con.execute(f"describe {view}").fetchall()}
            where = " where period_code = $period" if period and "period_code" in cols else ""
            params = {"period": period} if where else {}
            frame = con.execute(f"select * from {view}{where}", params).df()
            if "parquet" in formats:
                path = out_dir / f"{view}.parquet"
                con.register("export_frame", frame)
                con.execute(f"copy (select * from export_frame) to '{_sql_path(path)}' (format parquet)")
                con.unregister("export_frame")
                written.append(path)
            if "csv" in formats:
                path = out_dir / f"{view}.csv"
                neutralised(frame).to_csv(path, index=False, encoding="utf-8-sig")
                written.append(path)
    return written


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell that a spreadsheet would take for a formula (=, +, -, @, tab, carriage return
    first) prefixed with an apostrophe, as OWASP's CSV-injection guidance says; numbers and dates are left as they are."""
    out = frame
    for col in frame.columns:
        if frame[col].dtype != object and not pd.api.types.is_string_dtype(frame[col]):
            continue
        values = frame[col]
        risky = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
        if risky.any():
            if out is frame:
                out = frame.copy()
            out[col] = pd.Series([f"'{v}" if r else v for v, r in zip(values, risky)], index=values.index, dtype=values.dtype)
    return out


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
