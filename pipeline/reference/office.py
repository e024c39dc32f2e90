"""The consolidating office (schemas/office.toml): who issues the workbooks, at which level, over which kinds of units.

The office is data: a district's Phòng Nội vụ (level `huyện`, UBND huyện …), a province's Sở Nội vụ after the 2025
reform (level `tỉnh`, parent body UBND tỉnh / thành phố …) or a commune consolidating its villages (level `xã`,
UBND xã …, units thôn / tổ dân phố). Every text of the workbooks that names the office — the issuing body lines beside
the national motto, the caption "(Kèm theo Báo cáo số …)", the date line, the signature block, "Toàn huyện" /
"Toàn tỉnh", the kinds of units in the titles — is read from here, never written in the report code.

The file's first form, a table `[district]` with name, kind and province, stays valid: it is an office of level
`huyện`. The table `[office]` adds the level and the lines; any key it leaves out takes the level's default.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ReferenceDataError
from pipeline.reference.files import read_toml

LEVELS = ("huyện", "tỉnh", "xã")
# The kinds of units each level receives unless the file says otherwise.
DEFAULT_RECEIVES = {"huyện": ("xã", "phường", "thị trấn"), "tỉnh": ("xã", "phường", "đặc khu"), "xã": ("thôn", "tổ dân phố")}
DEFAULT_KIND = {"huyện": "huyện", "tỉnh": "tỉnh", "xã": "xã"}
UNITS_AS_ROWS_ABOVE = 30  # area sheets list units as rows (indicator blocks across) above this many units


@dataclass(frozen=True)
class Office:
    """The office producing the reports: its area (name, kind, province) and how its documents name it."""

    district: str  # the consolidated area's name: "Tứ Kỳ", "Hải Phòng", "Ngọc Kỳ"
    district_kind: str  # its kind: huyện / thị xã / thành phố / tỉnh / xã
    province: str = ""  # the province above (empty for a province office)
    level: str = "huyện"  # huyện | tỉnh | xã
    body: str = ""  # issuing body line; "" = ỦY BAN NHÂN DÂN <KIND> <NAME> (huyện, xã) or SỞ NỘI VỤ (tỉnh)
    parent: str = ""  # parent body line above it ("UBND THÀNH PHỐ HẢI PHÒNG"); "" = none
    short: str = ""  # the body as captions name it ("UBND huyện Tứ Kỳ", "Sở Nội vụ thành phố Hải Phòng")
    report_code: str = ""  # the report's number sign: BC-UBND, BC-SNV
    place: str = ""  # place of the date line ("Hải Phòng, ngày … tháng … năm …"); "" = no date line
    receives: tuple[str, ...] = ()  # the kinds of units it consolidates; () = the level's default
    area_word: str = ""  # the consolidated area in captions: "Toàn huyện", "Toàn tỉnh", "Toàn thành phố", "Toàn xã"
    province_kind: str = "tỉnh"  # "tỉnh" or "thành phố" (trực thuộc trung ương)
    signature: tuple[str, ...] = ()  # signature block lines ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"); () = none
    signer: str = ""  # the signer's name under the signature block
    units_as_rows_above: int = UNITS_AS_ROWS_ABOVE

    @property
    def issuer(self) -> str:
        """The issuing body line, e.g. 'ỦY BAN NHÂN DÂN HUYỆN TỨ KỲ' or 'SỞ NỘI VỤ'."""
        if self.body:
            return self.body
        if self.level == "tỉnh":
            return "SỞ NỘI VỤ"
        return f"ỦY BAN NHÂN DÂN {self.district_kind} {self.district}".upper()

    @property
    def issuer_lines(self) -> tuple[str, ...]:
        """The lines above the title on the left: the parent body (when any), then the issuing body."""
        parent = self.parent or (f"UBND {self.district_kind} {self.district}".upper() if self.level == "tỉnh" else "")
        return (parent, self.issuer) if parent else (self.issuer,)

    @property
    def name(self) -> str:
        """The body as a caption names it: 'UBND huyện Tứ Kỳ', 'Sở Nội vụ thành phố Hải Phòng'."""
        if self.short:
            return self.short
        if self.level == "tỉnh":
            return f"Sở Nội vụ {self.district_kind} {self.district}"
        return f"UBND {self.district_kind} {self.district}"

    @property
    def full_name(self) -> str:
        """The body with its province: 'UBND huyện Tứ Kỳ, tỉnh Hải Dương'."""
        if self.province and self.level != "tỉnh":
            return f"{self.name}, {self.province_kind} {self.province}"
        return self.name

    @property
    def document_code(self) -> str:
        """The number sign of the report the workbook is attached to: 'BC-UBND', 'BC-SNV'."""
        return self.report_code or ("BC-SNV" if self.level == "tỉnh" else "BC-UBND")

    @property
    def unit_kinds(self) -> tuple[str, ...]:
        """The kinds of units the office receives (the registry accepts these)."""
        return self.receives or DEFAULT_RECEIVES.get(self.level, DEFAULT_RECEIVES["huyện"])

    @property
    def area(self) -> str:
        """The consolidated area as captions name it: 'huyện', 'tỉnh', 'thành phố', 'xã'."""
        return self.area_word or self.district_kind

    @property
    def total_label(self) -> str:
        """The heading of the consolidated figure: 'Toàn huyện', 'Toàn tỉnh'."""
        return f"Toàn {self.area}"

    @property
    def date_line(self) -> str:
        """'Hải Phòng, ngày     tháng     năm 2025' (blanks to fill by hand); '' when the file names no place."""
        return f"{self.place}, ngày      tháng      năm" if self.place else ""

    @property
    def sender_lines(self) -> tuple[str, ...]:
        """The lines of the body that sends the feedback letters (beside the motto): a district's Phòng Nội vụ under its
        UBND; a province's Sở Nội vụ under its parent; a commune's UBND itself."""
        if self.level == "huyện":
            return (f"ỦY BAN NHÂN DÂN {self.district_kind} {self.district}".upper(), "PHÒNG NỘI VỤ")
        return self.issuer_lines

    @property
    def sender(self) -> str:
        """The letter's sender in a sentence: 'Phòng Nội vụ huyện Tứ Kỳ', 'Sở Nội vụ thành phố Hải Phòng', 'UBND xã …'."""
        if self.level == "huyện":
            return f"Phòng Nội vụ {self.district_kind} {self.district}"
        return self.name

    @property
    def sender_sign(self) -> tuple[str, str]:
        """(the signer's title, the letter's number sign): ('TRƯỞNG PHÒNG', 'PH-PNV'), ('GIÁM ĐỐC', 'PH-SNV'),
        ('CHỦ TỊCH', 'PH-UBND'): Decree 30/2020/NĐ-CP's forms for an official letter (công văn)."""
        return {"huyện": ("TRƯỞNG PHÒNG", "PH-PNV"), "tỉnh": ("GIÁM ĐỐC", "PH-SNV")}.get(self.level, ("CHỦ TỊCH", "PH-UBND"))

    def addressee(self, unit_label: str) -> str:
        """Whom a letter to a unit addresses: 'Ủy ban nhân dân xã Ngọc Kỳ'; for a commune's villages, 'Trưởng thôn …'."""
        return f"Trưởng {unit_label}" if self.level == "xã" else f"Ủy ban nhân dân {unit_label}"

    @property
    def place_name(self) -> str:
        """The place of a dated letter: the office's place, else its area's name."""
        return self.place or self.district

    def kinds_phrase(self, present: list[str] | None = None) -> str:
        """The kinds of units a title lists ('xã, thị trấn'): those present among the units, in the office's order."""
        kinds = list(self.unit_kinds)
        if present is not None:
            seen = [k for k in dict.fromkeys(str(p) for p in present) if k and k != "nan"]
            listed = [k for k in kinds if k in seen] + [k for k in seen if k not in kinds]
            kinds = listed or kinds
        return ", ".join(kinds)


def _lines(value, path: Path, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ReferenceDataError(f"Tệp {path}, bảng [office]: {key} phải là một danh sách chữ, ví dụ "
                                 f"{key} = [\"xã\", \"phường\"]: hãy sửa dòng đó.")
    return tuple(v.strip() for v in value if v.strip())


def load_office(path: Path) -> Office:
    """Read schemas/office.toml: table `[district]` (name, kind, province) and/or table `[office]` (level, lines)."""
    data = read_toml(Path(path), "--office")
    district = data.get("district") if isinstance(data.get("district"), dict) else {}
    office = data.get("office") if isinstance(data.get("office"), dict) else {}
    level = str(office.get("level", "huyện")).strip()
    if level not in LEVELS:
        raise ReferenceDataError(f"Tệp {path}, bảng [office]: cấp {level!r} không hợp lệ (level phải là "
                                 f"{', '.join(LEVELS)}): hãy sửa dòng đó.")
    name = str(office.get("name", district.get("name", ""))).strip()
    if not name:
        raise ReferenceDataError(f"Tệp {path} cần bảng [district] có dòng name = \"tên huyện\" (ví dụ name = \"Tứ Kỳ\") "
                                 "hoặc bảng [office] có dòng name: hãy thêm hoặc sửa bảng đó.")
    text = lambda key, default="": str(office.get(key, default)).strip()  # noqa: E731
    try:
        above = int(office.get("units_as_rows_above", UNITS_AS_ROWS_ABOVE))
    except (TypeError, ValueError):
        raise ReferenceDataError(f"Tệp {path}, bảng [office]: units_as_rows_above phải là một số nguyên, ví dụ "
                                 "units_as_rows_above = 30: hãy sửa dòng đó.") from None
    return Office(
        district=name, district_kind=str(office.get("kind", district.get("kind", DEFAULT_KIND[level]))).strip(),
        province=str(office.get("province", district.get("province", ""))).strip(), level=level,
        body=text("body"), parent=text("parent"), short=text("short"), report_code=text("report_code"),
        place=text("place"), receives=_lines(office.get("receives", []), path, "receives"), area_word=text("area_word"),
        province_kind=text("province_kind", "tỉnh") or "tỉnh",
        signature=_lines(office.get("signature", []), path, "signature"), signer=text("signer"), units_as_rows_above=above)
