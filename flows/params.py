"""The flow's plain parameters (JSON for a deployment) and the Settings built from them; no Prefect import here.

Option names, defaults and help live once, in pipeline.config.OPTIONS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.config import OPTIONS, PATH_OPTIONS, SERVED_WAIT, Settings, default
from pipeline.errors import UsageError

__all__ = ["PATH_DEFAULTS", "SERVED_WAIT", "WAIT_DEFAULT", "absolute_parameters", "build_settings", "check_period",
           "check_unit", "flow_parameters"]

# The CONTRACT's defaults, relative to the working directory of `tonghop run` / `tonghop serve`.
PATH_DEFAULTS: dict[str, str] = {name: OPTIONS[name].default for name in PATH_OPTIONS}
WAIT_DEFAULT = default("wait")


def check_period(period: str | None) -> None:
    """Raise UsageError (Vietnamese) unless `period` is empty or a valid period code."""
    from pipeline.vn.periods import is_period

    if period and not is_period(period):
        raise UsageError(f"Mã kỳ không hợp lệ: {period} (ví dụ: 2023-Q3, 2023-H1, 2023-9M, 2023-Y)")


def check_unit(unit: str | None, units_csv: Path) -> None:
    """Raise UsageError (Vietnamese) unless `unit` is empty or a code of the units registry."""
    if not unit:
        return
    from pipeline.reference.registry import load_registry

    codes = load_registry(units_csv).codes
    if unit not in codes:
        raise UsageError(f"Mã đơn vị không có trong danh sách {units_csv}: {unit} (ví dụ: {', '.join(codes[:3])})")


def build_settings(dry_run: bool = False, **params: Any) -> Settings:
    """Build and check the Settings of a run from plain parameters (names of pipeline.config.OPTIONS; missing = default)."""
    unknown = set(params) - set(OPTIONS)
    if unknown:
        raise TypeError(f"unknown run options: {sorted(unknown)}")
    p = {name: params.get(name, o.default) for name, o in OPTIONS.items()}
    check_period(p["period"])
    check_unit(p["unit"], Path(p["units"]))
    from pipeline.read.workers import cores

    paths = {name: Path(p[name]) for name in PATH_OPTIONS if name != "deadlines"}
    return Settings(**paths, deadlines=Path(p["deadlines"]) if p["deadlines"] else None, period=p["period"] or None,
                    unit=p["unit"] or None, dry_run=dry_run, lock_timeout=float(p["wait"]),
                    workers=int(p["workers"]) if int(p["workers"]) > 0 else cores(), backups=int(p["backups"]))


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
