"""Typed configuration: the run's options written once, and the part each stage receives (no module-level paths).

`OPTIONS` names every option of `tonghop run` / the nightly flow once, with its default and Vietnamese help; the CLI,
the flow's parameters and `build_settings` all read it. `Settings` is what one run is given; each stage receives only
its own part: `Settings.reference` (ReferenceFiles), `Settings.reading` (ReadOptions), `Settings.store` (StoreOptions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.read.safety import Limits


@dataclass(frozen=True)
class Option:
    """One option of a run: its default (relative paths are against the working folder) and its Vietnamese help."""

    default: Any
    help: str
    path: bool = False


OPTIONS: dict[str, Option] = {
    "inbox": Option("inbox", "Thư mục hộp thư nhận tệp báo cáo của các xã.", True),
    "warehouse": Option("warehouse/tonghop.duckdb", "Tệp kho dữ liệu DuckDB.", True),
    "out": Option("warehouse/reports", "Thư mục báo cáo tổng hợp và phiếu phản hồi.", True),
    "units": Option("schemas/units.csv", "Danh sách đơn vị (CSV).", True),
    "catalog": Option("schemas/indicators.csv", "Danh mục chỉ tiêu (CSV).", True),
    "office": Option("schemas/office.toml", "Thông tin cơ quan tổng hợp (TOML).", True),
    "rules": Option("schemas/rules.csv", "Quy tắc kiểm tra (CSV).", True),
    "outliers": Option("schemas/outliers.toml", "Ngưỡng phát hiện giá trị bất thường (TOML).", True),
    # a missing deadlines file means every report is due 5 days after its window
    "deadlines": Option("schemas/deadlines.toml", "Hạn nộp báo cáo theo loại kỳ (TOML); để trống nếu không dùng.", True),
    "period": Option(None, "Chỉ xử lý một kỳ, ví dụ 2023-H1; để trống để xử lý mọi kỳ."),
    "unit": Option(None, "Chỉ nhận tệp của một đơn vị (mã trong danh sách đơn vị, ví dụ ngoc_ky); để trống để nhận tất cả."),
    "wait": Option(60.0, "Số giây chờ khi một lượt chạy khác đang ghi kho dữ liệu."),
    "workers": Option(0, "Số tiến trình đọc tệp song song (0 = bằng số nhân CPU; chỉ dùng khi có nhiều tệp)."),
    "backups": Option(5, "Số bản sao lưu kho dữ liệu được giữ lại."),
}
PATH_OPTIONS = tuple(name for name, o in OPTIONS.items() if o.path)
SERVED_WAIT = 1800.0  # a scheduled run waits longer: the officer's manual run may be finishing


def default(name: str) -> Any:
    """The default of option `name`."""
    return OPTIONS[name].default


@dataclass(frozen=True)
class ReferenceFiles:
    """The office-edited reference files (schemas/)."""

    units: Path
    catalog: Path
    office: Path
    rules: Path
    outliers: Path
    rubric: Path | None = None  # None: rubric.toml beside the catalog file
    deadlines: Path | None = None

    @property
    def rubric_file(self) -> Path:
        """The scoring rubric: the given file, else rubric.toml in the catalog's folder (schemas/)."""
        return self.rubric or self.catalog.with_name("rubric.toml")


@dataclass(frozen=True)
class ReadOptions:
    """What the read stage needs: safety limits and how many processes read."""

    limits: Limits = Limits()
    workers: int = 1


@dataclass(frozen=True)
class StoreOptions:
    """What the warehouse stage needs: the file, how long to wait for another writer, how many backups to keep."""

    path: Path
    lock_timeout: float = 60.0
    backups: int = 5

    @property
    def archive(self) -> Path:
        """Folder of unchanged copies of every file taken in, named by SHA-256."""
        return self.path.parent / "archive"

    @property
    def quarantine(self) -> Path:
        """Folder where rejected originals are moved, unchanged, out of the inbox."""
        return self.path.parent / "quarantine"


@dataclass(frozen=True)
class Settings:
    """Where one run reads and writes, and what it is limited to. Stages take `.reference`, `.reading`, `.store`."""

    inbox: Path
    warehouse: Path
    out: Path
    units: Path
    catalog: Path
    office: Path
    rules: Path
    outliers: Path
    rubric: Path | None = None  # the scoring rubric (None: rubric.toml beside the catalog file)
    deadlines: Path | None = None  # schemas/deadlines.toml: when each period kind's reports are due
    period: str | None = None
    unit: str | None = None  # limit a run to one unit's files (registry code); the others wait for a later run
    dry_run: bool = False
    limits: Limits = Limits()
    lock_timeout: float = 60.0  # seconds a run waits for another run to finish writing
    backups: int = 5  # warehouse copies kept in backups/
    workers: int = 1  # processes reading workbooks in parallel (1 = in this process)
    clock: Callable[[], dt.datetime] = dt.datetime.now  # the time a file is first seen (tests pass a fixed clock)

    @property
    def reference(self) -> ReferenceFiles:
        """The reference files of this run."""
        return ReferenceFiles(self.units, self.catalog, self.office, self.rules, self.outliers, self.rubric, self.deadlines)

    @property
    def reading(self) -> ReadOptions:
        """The read stage's options."""
        return ReadOptions(self.limits, self.workers)

    @property
    def store(self) -> StoreOptions:
        """The warehouse stage's options."""
        return StoreOptions(self.warehouse, self.lock_timeout, self.backups)

    @property
    def rubric_file(self) -> Path:
        """The scoring rubric file (see ReferenceFiles.rubric_file)."""
        return self.reference.rubric_file

    @property
    def archive(self) -> Path:
        """Folder of unchanged copies of every file taken in (see StoreOptions.archive)."""
        return self.store.archive

    @property
    def quarantine(self) -> Path:
        """Folder of rejected originals (see StoreOptions.quarantine)."""
        return self.store.quarantine
