"""The consolidating office (schemas/office.toml): who issues the workbooks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ReferenceDataError
from pipeline.reference.files import read_toml


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
    data = read_toml(Path(path), "--office").get("district")
    if not isinstance(data, dict) or not str(data.get("name", "")).strip():
        raise ReferenceDataError(f"Tệp {path} cần bảng [district] có dòng name = \"tên huyện\" (ví dụ name = \"Tứ Kỳ\"): "
                                 "hãy thêm hoặc sửa bảng đó.")
    return Office(district=str(data["name"]), district_kind=str(data.get("kind", "huyện")), province=str(data.get("province", "")))
