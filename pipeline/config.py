"""Typed configuration passed to every pipeline step (no module-level paths)."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.read.safety import Limits


@dataclass(frozen=True)
class Office:
    """The district office producing the reports."""

    district: str
    district_kind: str
    province: str

    @property
    def issuer(self) -> str:
        """The issuing body line, e.g. 'ỦY BAN NHÂN DÂN HUYỆN TỨ KỲ'."""
        return f"ỦY BAN NHÂN DÂN {self.district_kind} {self.district}".upper()


@dataclass(frozen=True)
class Settings:
    """Where a run reads and writes, and what it is limited to."""

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
    def rubric_file(self) -> Path:
        """The scoring rubric: the given file, else rubric.toml in the catalog's folder (schemas/)."""
        return self.rubric or self.catalog.with_name("rubric.toml")

    @property
    def archive(self) -> Path:
        """Folder of unchanged copies of every file taken in, named by SHA-256."""
        return self.warehouse.parent / "archive"

    @property
    def quarantine(self) -> Path:
        """Folder where rejected originals are moved, unchanged, out of the inbox."""
        return self.warehouse.parent / "quarantine"


def load_office(path: Path) -> Office:
    """Read schemas/office.toml."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)["district"]
    return Office(district=data["name"], district_kind=data.get("kind", "huyện"), province=data.get("province", ""))
