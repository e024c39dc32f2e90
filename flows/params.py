"""The flow's plain parameters (JSON for a deployment) and the Settings built from them; no Prefect import here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.config import Settings
from pipeline.read.workers import cores

# The CONTRACT's defaults, relative to the working directory of `tonghop run` / `tonghop serve`.
PATH_DEFAULTS: dict[str, str] = {
    "inbox": "inbox",
    "warehouse": "warehouse/tonghop.duckdb",
    "out": "warehouse/reports",
    "units": "schemas/units.csv",
    "catalog": "schemas/indicators.csv",
    "office": "schemas/office.toml",
    "rules": "schemas/rules.csv",
    "outliers": "schemas/outliers.toml",
    "deadlines": "schemas/deadlines.toml",  # a missing file means every report is due 5 days after its window
}
WAIT_DEFAULT = 60.0  # seconds `tonghop run` waits for another writer
SERVED_WAIT = 1800.0  # a scheduled run waits longer: the officer's manual run may be finishing


def check_period(period: str | None) -> None:
    """Raise ValueError (Vietnamese) unless `period` is empty or a valid period code."""
    from pipeline.vn.periods import is_period

    if period and not is_period(period):
        raise ValueError(f"Mã kỳ không hợp lệ: {period} (ví dụ: 2023-Q3, 2023-H1, 2023-9M, 2023-Y)")


def check_unit(unit: str | None, units_csv: Path) -> None:
    """Raise ValueError (Vietnamese) unless `unit` is empty or a code of the units registry."""
    if not unit:
        return
    from pipeline.reference.registry import load_registry

    codes = load_registry(units_csv).codes
    if unit not in codes:
        raise ValueError(f"Mã đơn vị không có trong danh sách {units_csv}: {unit} (ví dụ: {', '.join(codes[:3])})")


def build_settings(inbox: str = PATH_DEFAULTS["inbox"], warehouse: str = PATH_DEFAULTS["warehouse"],
                   out: str = PATH_DEFAULTS["out"], units: str = PATH_DEFAULTS["units"],
                   catalog: str = PATH_DEFAULTS["catalog"], office: str = PATH_DEFAULTS["office"],
                   rules: str = PATH_DEFAULTS["rules"], outliers: str = PATH_DEFAULTS["outliers"],
                   deadlines: str | None = PATH_DEFAULTS["deadlines"], period: str | None = None, unit: str | None = None,
                   wait: float = WAIT_DEFAULT, workers: int = 0, backups: int = 5) -> Settings:
    """Build and check the Settings of a run from the flow's plain parameters."""
    check_period(period)
    check_unit(unit, Path(units))
    return Settings(inbox=Path(inbox), warehouse=Path(warehouse), out=Path(out), units=Path(units),
                    catalog=Path(catalog), office=Path(office), rules=Path(rules), outliers=Path(outliers),
                    deadlines=Path(deadlines) if deadlines else None, period=period or None, unit=unit or None,
                    lock_timeout=float(wait), workers=int(workers) if int(workers) > 0 else cores(), backups=int(backups))


def flow_parameters(settings: Settings) -> dict[str, Any]:
    """Return the flow's plain parameters for `settings` (limits and clock keep their defaults; dry runs never use the flow)."""
    params: dict[str, Any] = {k: str(getattr(settings, k)) for k in PATH_DEFAULTS if k != "deadlines"}
    params.update(deadlines=str(settings.deadlines) if settings.deadlines else None, period=settings.period,
                  unit=settings.unit, wait=settings.lock_timeout, workers=settings.workers, backups=settings.backups)
    return params


def absolute_parameters(params: dict[str, Any], base: Path) -> dict[str, Any]:
    """Return `params` with every path made absolute against `base` (a served deployment runs wherever it was started)."""
    out = dict(params)
    for key in PATH_DEFAULTS:
        if out.get(key):
            out[key] = str((base / out[key]).resolve())
    return out
