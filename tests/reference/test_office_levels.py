"""The consolidating office as data (schemas/office.toml): levels huyện / tỉnh / xã, the old [district] file, and the
unit kinds the registry accepts from it."""

from __future__ import annotations

import pytest

from pipeline.config import ReferenceFiles
from pipeline.errors import ReferenceDataError
from pipeline.reference import load_reference
from pipeline.reference.office import UNITS_AS_ROWS_ABOVE, load_office
from pipeline.reference.registry import load_registry, match_unit
from pipeline.report.layout import caption
from samples.province import PROVINCE_OFFICE
from tests.conftest import COMMUNE_OFFICE, SCHEMAS

OLD = '[district]\nname = "Tứ Kỳ"\nkind = "huyện"\nprovince = "Hải Dương"\n'
COMMUNE = COMMUNE_OFFICE


def write(tmp_path, text: str, name: str = "office.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_old_district_file_still_loads_as_a_huyen_office(tmp_path):
    office = load_office(write(tmp_path, OLD))
    assert office.level == "huyện" and office.issuer_lines == ("ỦY BAN NHÂN DÂN HUYỆN TỨ KỲ",)
    assert caption(office) == "(Kèm theo Báo cáo số        /BC-UBND ngày        của UBND huyện Tứ Kỳ)"
    assert office.full_name == "UBND huyện Tứ Kỳ, tỉnh Hải Dương"
    assert office.total_label == "Toàn huyện" and office.unit_kinds == ("xã", "phường", "thị trấn")
    assert office.date_line == "" and office.signature == () and office.units_as_rows_above == UNITS_AS_ROWS_ABOVE


def test_the_shipped_office_file_says_the_same_as_the_old_one(tmp_path):
    shipped, old = load_office(SCHEMAS / "office.toml"), load_office(write(tmp_path, OLD))
    for attr in ("issuer_lines", "name", "full_name", "document_code", "total_label", "unit_kinds", "date_line",
                 "signature", "units_as_rows_above"):
        assert getattr(shipped, attr) == getattr(old, attr), attr


def test_a_province_office_sở_nội_vụ(tmp_path):
    office = load_office(write(tmp_path, PROVINCE_OFFICE))
    assert office.level == "tỉnh"
    assert office.issuer_lines == ("UBND THÀNH PHỐ HẢI PHÒNG", "SỞ NỘI VỤ")
    assert caption(office) == "(Kèm theo Báo cáo số        /BC-SNV ngày        của Sở Nội vụ thành phố Hải Phòng)"
    assert office.full_name == "Sở Nội vụ thành phố Hải Phòng"
    assert office.total_label == "Toàn thành phố" and office.date_line.startswith("Hải Phòng, ngày ")
    assert office.unit_kinds == ("xã", "phường", "đặc khu")
    assert office.kinds_phrase(["phường", "xã", "xã", "đặc khu"]) == "xã, phường, đặc khu"
    assert office.signature == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")


def test_a_province_office_defaults_from_its_level(tmp_path):
    office = load_office(write(tmp_path, '[office]\nlevel = "tỉnh"\nname = "Hải Phòng"\nkind = "thành phố"\n'))
    assert office.issuer_lines == ("UBND THÀNH PHỐ HẢI PHÒNG", "SỞ NỘI VỤ")
    assert office.document_code == "BC-SNV" and office.total_label == "Toàn thành phố"


def test_a_commune_office_consolidating_its_villages(tmp_path):
    office = load_office(write(tmp_path, COMMUNE))
    assert office.issuer_lines == ("ỦY BAN NHÂN DÂN XÃ NGỌC KỲ",)
    assert office.name == "UBND xã Ngọc Kỳ" and office.full_name == "UBND xã Ngọc Kỳ, thành phố Hải Phòng"
    assert office.total_label == "Toàn xã" and office.unit_kinds == ("thôn", "tổ dân phố")
    assert office.kinds_phrase(["thôn", "tổ dân phố"]) == "thôn, tổ dân phố"


@pytest.mark.parametrize("text", ['[office]\nlevel = "quận"\nname = "X"\n', "[office]\nlevel = \"tỉnh\"\n",
                                  '[office]\nname = "X"\nreceives = 3\n', '[office]\nname = "X"\nunits_as_rows_above = "ba"\n'])
def test_mistakes_in_the_office_table_name_the_file(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(ReferenceDataError) as e:
        load_office(path)
    assert str(path) in str(e.value) and e.value.exit_code == 2


def test_the_registry_accepts_the_kinds_the_office_receives(tmp_path):
    csv = write(tmp_path, "code,name,kind,aliases\nck,Cát Hải,đặc khu,\nhb,Hồng Bàng,phường,\n", "units.csv")
    with pytest.raises(ReferenceDataError) as e:  # a district office receives xã, phường, thị trấn (CONTRACT)
        load_registry(csv)
    assert "dòng 2" in str(e.value) and "đặc khu" in str(e.value)
    registry = load_registry(csv, load_office(write(tmp_path, PROVINCE_OFFICE)).unit_kinds)
    assert list(registry.units["label"]) == ["đặc khu Cát Hải", "phường Hồng Bàng"]
    assert match_unit("ỦY BAN NHÂN DÂN ĐẶC KHU CÁT HẢI", registry) == "ck"


def test_a_commune_registry_of_villages_through_load_reference(tmp_path):
    units = write(tmp_path, "code,name,kind,aliases\nt1,Đông,thôn,\nt2,Số 3,tổ dân phố,TDP 3\n", "units.csv")
    files = ReferenceFiles(units=units, catalog=SCHEMAS / "indicators.csv", office=write(tmp_path, COMMUNE),
                           rules=SCHEMAS / "rules.csv", outliers=SCHEMAS / "outliers.toml")
    ref = load_reference(files)
    assert ref.office.level == "xã" and list(ref.registry.units["kind"]) == ["thôn", "tổ dân phố"]
    assert match_unit("Báo cáo của thôn Đông", ref.registry) == "t1"
    assert match_unit("TỔ DÂN PHỐ SỐ 3", ref.registry) == "t2"
    files = ReferenceFiles(units=units, catalog=SCHEMAS / "indicators.csv", office=SCHEMAS / "office.toml",
                           rules=SCHEMAS / "rules.csv", outliers=SCHEMAS / "outliers.toml")
    with pytest.raises(ReferenceDataError):  # a district office does not receive villages
        load_reference(files)


def test_tonghop_parse_takes_the_kinds_of_the_office(tmp_path):
    import json

    from click.testing import CliRunner

    from flows.cli import main
    from samples.heavy import generate_heavy_inbox

    units = write(tmp_path, "code,name,kind,aliases\nck,Cát Hải,đặc khu,\nhb,Hồng Bàng,phường,\n", "units.csv")
    [book] = generate_heavy_inbox(tmp_path / "inbox", [{"code": "ck", "name": "Cát Hải", "kind": "đặc khu"}], "2025-Q3")
    args = ["parse", str(book), "--units", str(units), "--catalog", str(SCHEMAS / "indicators.csv")]
    res = CliRunner().invoke(main, args + ["--office", str(write(tmp_path, PROVINCE_OFFICE))])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["unit_code"] == "ck" and out["period_code"] == "2025-Q3"
    res = CliRunner().invoke(main, args + ["--office", str(SCHEMAS / "office.toml")])
    assert res.exit_code == 2 and "đặc khu" in res.output  # a district office does not receive a đặc khu
