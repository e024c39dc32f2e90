"""`tonghop export` (pipeline.warehouse.export): every contract view as Parquet and as CSV with a BOM, by period."""

import duckdb
import pandas as pd
import pytest

from pipeline.warehouse.export import FORMATS, VIEWS, export_views

# xã Ngọc Kỳ, 2023-Q3 (DOMAIN.md) and one value of 2023-H1
VALUES = [
    ("2023-Q3", "ngoc_ky", "I.1", 12.0), ("2023-Q3", "ngoc_ky", "I.2.1", 25.0), ("2023-Q3", "ngoc_ky", "I.2.2", 20.0),
    ("2023-Q3", "ngoc_ky", "III.3.3.1", 1200.0), ("2023-Q3", "ngoc_ky", "III.3.3.2", 1194.0),
    ("2023-Q3", "ngoc_ky", "VII.5.3.1", 1250.0), ("2023-Q3", "ngoc_ky", "VII.5.3.2", 1100.0),
    ("2023-H1", "ngoc_ky", "I.1", 7.0),
]


def read_parquet(path) -> pd.DataFrame:
    """Read a Parquet file back with DuckDB (pandas would need pyarrow)."""
    con = duckdb.connect()
    try:
        return con.execute("select * from read_parquet(?)", [str(path)]).df()
    finally:
        con.close()


@pytest.fixture
def warehouse(tmp_path):
    """A warehouse file holding the six contract views over small tables."""
    path = tmp_path / "tonghop.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table obs(period_code varchar, unit_code varchar, indicator_code varchar, value double)")
    con.executemany("insert into obs values (?, ?, ?, ?)", VALUES)
    con.execute("create view v_values as select * from obs")
    con.execute("create view v_submissions as select distinct period_code, unit_code, 'Xã Ngọc Kỳ' as unit_name from obs")
    con.execute("create view v_issues as select 'rule-violated' as code, 'I.2' as indicator_code, 'Biểu 1' as sheet")
    con.execute("create view v_district as select period_code, indicator_code, sum(value) as value, count(*) as n_units "
                "from obs group by all")
    con.execute("create view v_completeness as select distinct period_code, 'ngoc_ky' as unit_code, true as submitted from obs")
    con.execute("create view v_flags as select 1 as flag_id, '2023-Q3' as period_code, 'ngoc_ky' as unit_code, "
                "'III.3.3.2' as indicator_code, 'part-exceeds-whole' as code, 'chấp nhận' as state, "
                "'Đã xác minh' as explanation, 'BM_Q3.xlsx!Biểu mẫu 3!D24' as source_ref")
    con.close()
    return path


def test_every_view_in_both_formats(warehouse, tmp_path):
    out = tmp_path / "xuat"
    written = export_views(warehouse, out)
    assert written == [out / f"{v}.{fmt}" for v in VIEWS for fmt in FORMATS]
    values = read_parquet(out / "v_values.parquet")
    assert len(values) == len(VALUES)
    q3 = values[values.period_code == "2023-Q3"].set_index("indicator_code")["value"]
    assert q3["III.3.3.1"] == 1200 and q3["III.3.3.2"] == 1194 and q3["VII.5.3.2"] == 1100
    flags = pd.read_csv(out / "v_flags.csv", encoding="utf-8-sig")
    assert flags[["flag_id", "state"]].values.tolist() == [[1, "chấp nhận"]]


def test_csv_has_a_bom_and_keeps_vietnamese_text(warehouse, tmp_path):
    export_views(warehouse, tmp_path, formats=("csv",))
    raw = (tmp_path / "v_submissions.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM correctly
    assert "Xã Ngọc Kỳ" in raw.decode("utf-8-sig")
    issues = pd.read_csv(tmp_path / "v_issues.csv", encoding="utf-8-sig")
    assert issues.to_dict("records") == [{"code": "rule-violated", "indicator_code": "I.2", "sheet": "Biểu 1"}]
    assert not list(tmp_path.glob("*.parquet"))


def test_period_limits_the_views_that_have_a_period(warehouse, tmp_path):
    export_views(warehouse, tmp_path, formats=("parquet",), period="2023-Q3")
    district = read_parquet(tmp_path / "v_district.parquet")
    assert set(district.period_code) == {"2023-Q3"}
    assert district.set_index("indicator_code").loc["I.1", "value"] == 12
    assert len(read_parquet(tmp_path / "v_issues.parquet")) == 1  # v_issues has no period column: all rows


def test_unknown_format_is_refused_before_writing(warehouse, tmp_path):
    with pytest.raises(ValueError):
        export_views(warehouse, tmp_path / "xuat", formats=("xlsx",))
    assert not (tmp_path / "xuat").exists()


def test_export_leaves_the_warehouse_readable_by_others(warehouse, tmp_path):
    reader = duckdb.connect(str(warehouse), read_only=True)  # a read-only export works beside another reader
    try:
        export_views(warehouse, tmp_path, formats=("csv",))
        assert reader.execute("select count(*) from v_values").fetchone() == (len(VALUES),)
    finally:
        reader.close()
