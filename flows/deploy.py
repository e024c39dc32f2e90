"""The nightly schedule: the consolidation flow as a Prefect deployment, served by `tonghop serve`."""

from __future__ import annotations

from typing import Any

from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from flows.consolidate import consolidation_flow

CRON = "0 23 * * *"  # 23:00 every day, after the communes' working day
TIMEZONE = "Asia/Ho_Chi_Minh"
DEPLOYMENT_NAME = "hang-dem"  # runs are triggered as "tonghop-run/hang-dem"
CONCURRENCY_LIMIT = 1  # never two runs of the deployment at once; a manual re-run waits for the nightly run
TAGS = ["tonghop", "cchc"]


def build_deployment(parameters: dict[str, Any] | None = None, cron: str = CRON, timezone: str = TIMEZONE,
                     name: str = DEPLOYMENT_NAME):
    """Return the consolidation flow's deployment: cron schedule in `timezone`, one run at a time, default parameters."""
    return consolidation_flow.to_deployment(
        name=name,
        schedules=[Cron(cron, timezone=timezone)],
        concurrency_limit=CONCURRENCY_LIMIT,
        parameters=parameters or {},
        description="Tổng hợp số liệu CCHC hằng đêm. Chạy lại bằng tay: Run → Custom run, đặt period (kỳ), unit (đơn vị) "
                    "hoặc rebuild (dựng lại kho từ bản lưu gốc).",
        tags=TAGS,
        entrypoint_type=EntrypointType.MODULE_PATH,  # flows.consolidate is importable wherever tonghop is installed
    )


def serve_deployment(deployment) -> None:
    """Register the deployment with the Prefect API and run its scheduled and manual runs until stopped (Ctrl+C, systemctl stop)."""
    from prefect import serve

    serve(deployment, limit=CONCURRENCY_LIMIT, print_starting_message=False)
