"""The archive's ledger (pipeline.inbox.archive): manifest round trip, first-seen times, lines cut short by a crash."""

import dataclasses
import json

from pipeline.inbox.archive import MANIFEST, ArchiveEntry, append_entry, archived_copy, first_seen, read_manifest

SHA_A = "a" * 64
SHA_B = "b" * 64


def entry(sha=SHA_A, path="2023-Q3/BC_CCHC_Q3_2023_Ngoc_Ky.xlsx", at="2023-09-12T08:30:00", run="r1") -> ArchiveEntry:
    return ArchiveEntry(sha256=sha, ext=".xlsx", file_name=path.rsplit("/", 1)[-1], path=path, size=18_432,
                        mtime_ns=1_694_500_000_000_000_000, received_at=at, run_id=run, period_filter="2023-Q3")


def test_manifest_round_trip(tmp_path):
    a, b = entry(), entry(SHA_B, "BC_CCHC_6T2023_Tu_Ky.xlsx", "2023-06-25T23:00:00", "r2")
    append_entry(tmp_path / "archive", a)
    append_entry(tmp_path / "archive", b)
    assert read_manifest(tmp_path / "archive") == [a, b]
    lines = (tmp_path / "archive" / MANIFEST).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["sha256"] == SHA_A
    assert a.received.isoformat() == "2023-09-12T08:30:00"


def test_vietnamese_names_are_kept_readable(tmp_path):
    e = entry(path="2023-Q3/Báo cáo xã Ngọc Kỳ.xlsx")
    append_entry(tmp_path, e)
    assert "Ngọc Kỳ" in (tmp_path / MANIFEST).read_text(encoding="utf-8")
    assert read_manifest(tmp_path)[0].file_name == "Báo cáo xã Ngọc Kỳ.xlsx"


def test_first_seen_keeps_the_first_time_a_file_was_seen_at_its_path(tmp_path):
    append_entry(tmp_path, entry(at="2023-09-12T08:30:00", run="r1"))
    append_entry(tmp_path, entry(at="2023-09-20T17:00:00", run="r2"))  # the same bytes recorded again
    append_entry(tmp_path, entry(SHA_B, at="2023-09-21T09:00:00", run="r3"))  # a corrected file at the same path
    seen = first_seen(tmp_path)
    path = "2023-Q3/BC_CCHC_Q3_2023_Ngoc_Ky.xlsx"
    assert seen[(path, SHA_A)].isoformat() == "2023-09-12T08:30:00"
    assert seen[(path, SHA_B)].isoformat() == "2023-09-21T09:00:00"
    # recorded twice at the same path: one entry, at its last position
    assert [(e.sha256, e.run_id) for e in read_manifest(tmp_path)] == [(SHA_A, "r2"), (SHA_B, "r3")]


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path):
    append_entry(tmp_path, entry())
    with open(tmp_path / MANIFEST, "a", encoding="utf-8") as fh:
        fh.write('{"sha256": "' + SHA_B + '", "ext": ".xl')  # killed while appending
    with open(tmp_path / MANIFEST, "a", encoding="utf-8") as fh:
        fh.write("\n" + json.dumps({"sha256": SHA_B, "unexpected": 1}) + "\n")  # not an entry
    assert read_manifest(tmp_path) == [entry()]
    assert list(first_seen(tmp_path)) == [("2023-Q3/BC_CCHC_Q3_2023_Ngoc_Ky.xlsx", SHA_A)]


def test_no_manifest_yet(tmp_path):
    assert read_manifest(tmp_path / "archive") == []
    assert first_seen(tmp_path / "archive") == {}


def test_archived_copy_is_named_by_content(tmp_path):
    assert archived_copy(tmp_path, SHA_A, ".XLSX") == tmp_path / f"{SHA_A}.xlsx"
    assert dataclasses.replace(entry(), ext=".xls").ext == ".xls"
