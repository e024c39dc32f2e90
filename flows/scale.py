"""The scale-out path: reading workbooks on a Dask cluster through Prefect's DaskTaskRunner (optional `dask` extra)."""

from __future__ import annotations

import importlib.util
import os

from pipeline.errors import UsageError

MISSING_DASK = ("Chưa cài gói prefect-dask nên không đọc tệp song song bằng Dask được. "
                "Hãy cài thêm: .venv/bin/pip install -e '.[dask]' (hoặc pip install 'tonghop[dask]'), rồi chạy lại; "
                "hoặc bỏ tùy chọn --dask (tham số dask) để đọc tệp ngay trên máy này.")
FILES_PER_TASK = 16  # a Dask task costs tens of milliseconds; a workbook about 15 ms to read


class DaskUnavailable(UsageError):
    """Dask was requested but prefect-dask is not installed; the message says how to install it (Vietnamese)."""

    def __init__(self) -> None:
        super().__init__(MISSING_DASK)


def dask_available() -> bool:
    """Tell whether prefect-dask can be imported."""
    return importlib.util.find_spec("prefect_dask") is not None


def dask_runner(address: str):
    """Return a DaskTaskRunner: a new local cluster for 'local', else a client of the scheduler at `address`."""
    if not dask_available():
        raise DaskUnavailable()
    from prefect_dask import DaskTaskRunner

    if address.strip().lower() == "local":
        share_api_with_local_workers()
        return DaskTaskRunner()
    return DaskTaskRunner(address=address.strip())


def share_api_with_local_workers() -> None:
    """Point the worker processes of a local Dask cluster at this process's Prefect API, its temporary server included.

    Without it every worker would start a temporary Prefect server of its own (seconds each, one database).
    """
    if os.environ.get("PREFECT_API_URL"):
        return
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        os.environ["PREFECT_API_URL"] = str(client.api_url).rstrip("/")


def chunks(items: list, size: int) -> list[list]:
    """Split `items` into consecutive lists of at most `size` items."""
    size = max(1, size)
    return [items[i:i + size] for i in range(0, len(items), size)]
