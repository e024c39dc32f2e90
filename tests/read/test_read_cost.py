"""Reading at a cost in proportion to the data: plain records sent back by the workers, matches made once per
template row, table rows taken from each row's list, originals archived several at a time."""

from __future__ import annotations

import os
import pickle

import pandas as pd

from pipeline.inbox import archive_originals
from pipeline.inbox.files import InboxFile, sha256_of
from pipeline.read import mapping
from pipeline.read.submission import OBS_COLUMNS, parse_submission, submission_json
from pipeline.read.table import read_tables
from pipeline.read.workbook import read_workbook
from pipeline.reference.catalog import load_catalog
from tests.conftest import SCHEMAS, write_grid

# xã Ngọc Kỳ, 2023-Q3 (the cases' figures), Biểu mẫu 3 and 7 rows as the Hải Dương template prints them
HEADER = [
    ["ỦY BAN NHÂN DÂN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["XÃ NGỌC KỲ", None, None, "Độc lập - Tự do - Hạnh phúc"],
    ["Thống kê kết quả thực hiện công tác CCHC quý III năm 2023"],
    ["Biểu mẫu 3"],
    ["STT", "Chỉ tiêu thống kê", "Kết quả thống kê", None, "Ghi chú"],
    [None, None, "Đơn vị tính", "Số lượng/ Tỷ lệ", None],
    ["(1)", "(2)", "(3)", "(4)", "(5)"],
]


def _book(tmp_path, name: str = "ngoc_ky.xlsx"):
    rows = HEADER + [
        ["3.3", "Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận được giải quyết đúng hạn", "%", 99.5],
        ["3.3.1", "Tổng số hồ sơ TTHC đã giải quyết xong", "Hồ sơ", 1200],
        ["STT", "Chỉ tiêu thống kê", "Kết quả thống kê", None, "Ghi chú"],  # the header again after a page break
        [None, None, "Đơn vị tính", "Số lượng/ Tỷ lệ"],
        ["3.3.2", "Số hồ sơ TTHC giải quyết đúng hạn", "Hồ sơ", "1194"],
        ["3.4"],  # a row shorter than the table: its name, unit and value cells are empty
        ["Biểu mẫu 7"],
        ["6.7", "Tỷ lệ hồ sơ TTHC được tiếp nhận trực tuyến mức độ 3 và 4", "%", 88, "đã kiểm tra"],
        ["6.7.1", "Tổng số hồ sơ TTHC đã tiếp nhận (cả trực tiếp và trực tuyến)", "Hồ sơ", 1250],
        ["6.7.2", "Số hồ sơ TTHC đã tiếp nhận trực tuyến", "Hồ sơ", 1100],
    ]
    return write_grid(tmp_path / name, {"Sheet1": rows})


def test_table_rows_from_row_lists(tmp_path):
    got = read_tables(read_workbook(_book(tmp_path)))
    assert [(r.printed_code, r.form, r.raw, r.value_ref, r.note) for r in got] == [
        ("3.3", 3, 99.5, "D8", ""), ("3.3.1", 3, 1200, "D9", ""), ("3.3.2", 3, "1194", "D12", ""), ("3.4", 3, None, "D13", ""),
        ("6.7", 7, 88, "D15", "đã kiểm tra"), ("6.7.1", 7, 1250, "D16", ""), ("6.7.2", 7, 1100, "D17", "")]
    assert got[2].parent_code == "3.3" and got[5].parent_code == "6.7"


def test_workers_send_records_not_frames(tmp_path, registry, catalog):
    sub = parse_submission(_book(tmp_path), registry, catalog)
    assert sub._frame is None and sub.obs_rows  # nothing built a DataFrame while reading
    values = dict(zip(sub.observations["indicator_code"], sub.observations["value"]))
    assert {k: values[k] for k in ("III.3.3", "III.3.3.1", "III.3.3.2", "VII.5.3", "VII.5.3.1", "VII.5.3.2")} == {
        "III.3.3": 99.5, "III.3.3.1": 1200, "III.3.3.2": 1194, "VII.5.3": 88, "VII.5.3.1": 1250, "VII.5.3.2": 1100}
    fresh = parse_submission(_book(tmp_path, "again.xlsx"), registry, catalog)
    blob = pickle.dumps(fresh)
    assert b"pandas" not in blob  # plain tuples cross the pipe
    back = pickle.loads(blob)
    pd.testing.assert_frame_equal(back.observations, sub.observations.assign(
        file="again.xlsx", source_ref=sub.observations["source_ref"].str.replace("ngoc_ky.xlsx", "again.xlsx")))
    assert list(back.observations.columns) == OBS_COLUMNS
    assert submission_json(back)["rows"] == submission_json(fresh)["rows"]
    # once built, the frame is the truth: a change made in place or a frame set travels as it is
    back.observations["period_code"] = "2023-Q3"
    again = pickle.loads(pickle.dumps(back))
    assert set(again.observations["period_code"]) == {"2023-Q3"}
    back.observations = back.observations.assign(accepted=back.observations["value"].notna())
    assert "accepted" in pickle.loads(pickle.dumps(back)).observations.columns


def test_empty_observations_keep_their_columns(tmp_path, registry, catalog):
    path = write_grid(tmp_path / "trong.xlsx", {"Sheet1": [["Báo cáo"], ["không có bảng"]]})
    sub = parse_submission(path, registry, catalog)
    assert sub.observations.empty and list(sub.observations.columns) == OBS_COLUMNS
    assert "no-table" in {i["code"] for i in sub.issues}


def test_row_matches_are_memoised_per_catalog(tmp_path, registry, catalog):
    rows = read_tables(read_workbook(_book(tmp_path)))
    first = [(m.indicator_code, m.score) for m in mapping.map_rows(rows, catalog)]
    assert mapping._memo[0] is catalog and len(mapping._memo[1]) >= len(rows)
    assert [(m.indicator_code, m.score) for m in mapping.map_rows(rows, catalog)] == first  # from the memo
    other = load_catalog(SCHEMAS / "indicators.csv")
    assert [(m.indicator_code, m.score) for m in mapping.map_rows(rows, other)] == first
    assert mapping._memo[0] is other  # a new catalog starts afresh
    assert first[:3] == [("III.3.3", first[0][1]), ("III.3.3.1", first[1][1]), ("III.3.3.2", first[2][1])]


def test_archive_originals_in_order_each_result_its_own(tmp_path):
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    book = _book(tmp_path).read_bytes()
    paths = [inbox / f"xa_{i}.xlsx" for i in range(5)]
    for i, p in enumerate(paths):
        p.write_bytes(book + bytes([i]))  # five different files
    twin = inbox / "xa_0_ban_sao.xlsx"
    twin.write_bytes(paths[0].read_bytes())  # same bytes, same archive name
    gone = inbox / "da_xoa.xlsx"
    changed = inbox / "sua.xlsx"
    changed.write_bytes(paths[1].read_bytes() + b"x")
    files = []
    for p in [*paths, twin, gone, changed]:
        st = p.stat() if p.exists() else None
        f = InboxFile(p, p.name, st.st_size if st else 0, st.st_mtime_ns if st else 0, None)
        files.append((f, sha256_of(p) if p.exists() else "0" * 64))
    files[-1] = (files[-1][0], sha256_of(paths[1]))  # hashed before it was rewritten
    out = archive_originals(files, archive, threads=4)
    for (f, sha), copy in zip(files[:6], out[:6]):
        assert copy == archive / f"{sha}.xlsx" and copy.read_bytes() == f.path.read_bytes()
    assert isinstance(out[6], FileNotFoundError)
    assert out[7] is None  # the bytes changed since the hash: nothing archived under it
    assert sorted(os.listdir(archive)) == sorted(f"{sha}.xlsx" for _, sha in files[:5])
