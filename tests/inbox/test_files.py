"""The inbox folder (pipeline.inbox.files): which files are candidates, their period folder, order and fingerprint."""

import hashlib
import os
import unicodedata

from pipeline.inbox.files import discover, sha256_of


def put(path, data=b"PK\x03\x04", mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_discovery_finds_workbooks_at_any_depth_with_their_period_folder(tmp_path):
    put(tmp_path / "2023-Q3" / "BC_Q3_2023_Ngoc_Ky.xlsx", mtime=1_000)
    put(tmp_path / "2023-H1" / "thang6" / "BC_6T2023_Tu_Ky.xls", mtime=2_000)
    put(tmp_path / "BM_Q3_2023_TT_Thanh_Mien.xlsx", mtime=3_000)
    put(tmp_path / "2023-9M" / "2023-Q3" / "ghi_chu.pdf", mtime=4_000)  # the innermost period folder wins
    found = discover(tmp_path)
    assert [(f.rel, f.folder_period) for f in found] == [
        ("2023-Q3/BC_Q3_2023_Ngoc_Ky.xlsx", "2023-Q3"),
        ("2023-H1/thang6/BC_6T2023_Tu_Ky.xls", "2023-H1"),
        ("BM_Q3_2023_TT_Thanh_Mien.xlsx", None),
        ("2023-9M/2023-Q3/ghi_chu.pdf", "2023-Q3"),
    ]
    assert found[0].size == 4 and found[0].path == tmp_path / "2023-Q3" / "BC_Q3_2023_Ngoc_Ky.xlsx"
    assert found[0].mtime_ns == 1_000 * 10**9


def test_lock_hidden_and_other_files_are_ignored(tmp_path):
    put(tmp_path / "~$BC_Q3_2023_Ngoc_Ky.xlsx")  # Excel's lock file
    put(tmp_path / ".BC_hidden.xlsx")
    put(tmp_path / ".git" / "BC_in_hidden_folder.xlsx")
    put(tmp_path / "Thumbs.db")
    put(tmp_path / "anh_chup.jpg")
    put(tmp_path / "2023-Q3")  # a file named like a period folder
    (tmp_path / "trong").mkdir()
    keep = put(tmp_path / "BC_Q3_2023_Ngoc_Ky.XLSX")
    assert [f.path for f in discover(tmp_path)] == [keep]


def test_missing_inbox_has_no_files(tmp_path):
    assert discover(tmp_path / "khong_co") == []


def test_a_folder_that_is_not_a_period_names_no_period(tmp_path):
    put(tmp_path / "Quý 3" / "BC_Q3_2023_Ngoc_Ky.xlsx")
    (f,) = discover(tmp_path)
    assert f.folder_period is None and f.rel == unicodedata.normalize("NFC", "Quý 3/BC_Q3_2023_Ngoc_Ky.xlsx")


def test_decomposed_names_are_recorded_in_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "Ngọc Kỳ.xlsx")
    put(tmp_path / "2023-Q3" / nfd)
    (f,) = discover(tmp_path)
    assert f.rel == "2023-Q3/" + unicodedata.normalize("NFC", "Ngọc Kỳ.xlsx")


def test_same_time_files_are_ordered_by_path(tmp_path):
    put(tmp_path / "b.xlsx", mtime=5_000)
    put(tmp_path / "a.xlsx", mtime=5_000)
    assert [f.rel for f in discover(tmp_path)] == ["a.xlsx", "b.xlsx"]


def test_sha256_of_matches_hashlib_across_chunks(tmp_path):
    data = bytes(range(256)) * 5000  # 1.28 MB: more than one 1 MiB chunk
    p = put(tmp_path / "lon.xlsx", data)
    assert sha256_of(p) == hashlib.sha256(data).hexdigest()
    assert sha256_of(put(tmp_path / "rong.xlsx", b"")) == hashlib.sha256(b"").hexdigest()
