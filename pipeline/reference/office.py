"""The consolidating office (schemas/office.toml): who issues the workbooks."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


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


def load_office(path: Path) -> Office:
    """Read schemas/office.toml (table `district`: name, kind, province)."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)["district"]
    return Office(district=data["name"], district_kind=data.get("kind", "huyện"), province=data.get("province", ""))
