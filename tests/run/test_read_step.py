"""The read step: archived copies staged under their originals' names, files read while the next are archived."""

from __future__ import annotations

import os
import shutil
import threading
import time
import unicodedata

import duckdb
import pytest

from pipeline.inbox import Archiving, archive_originals
from pipeline.inbox.files import InboxFile, sha256_of
from pipeline.read import workers
from pipeline.read.submission import parse_submission
from pipeline.run import _Staging, run_steps


def test_staging_links_each_copy_under_its_name_in_as_few_folders_as_names_allow(tmp_path):
    copies = []
    for i in range(5):
        p = tmp_path / f"copy{i}"
        p.write_bytes(bytes([i]) * 10)
        copies.append(p)
    stage = tmp_path / "stage"
    stage.mkdir()
    staging = _Staging(stage)
    nfd = unicodedata.normalize("NFD", "Báo cáo.xlsx")
    names = ["Báo cáo.xlsx", "Báo cáo.xlsx", "BÁO CÁO.xlsx", nfd, "khac.xlsx"]
    got = [staging.named(c, n) for c, n in zip(copies, names)]
    assert [p.name for p in got] == names  # the reader sees each original's exact name
    assert len(set(got)) == 5 and all(p.read_bytes() == c.read_bytes() for p, c in zip(got, copies))
    assert [p.parent.name for p in got] == ["0", "1", "2", "3", "0"]  # names one system may take as one: apart
    assert sorted(os.listdir(stage)) == ["0", "1", "2", "3"]  # a folder per repeat of a name, not per file


def test_staging_moves_on_when_a_name_is_taken_anyway(tmp_path):
    copy = tmp_path / "copy"
    copy.write_bytes(b"x")
    stage = tmp_path / "stage"
    (stage / "0").mkdir(parents=True)
    (stage / "0" / "a.xlsx").write_bytes(b"other")
    staging = _Staging(stage)
    assert staging.named(copy, "a.xlsx") == stage / "1" / "a.xlsx"
    assert (stage / "0" / "a.xlsx").read_bytes() == b"other"


def test_same_name_in_two_folders_both_read_under_their_own_names(demo_settings):
    s = demo_settings
    books = sorted(s.inbox.iterdir())
    for p in books[2:]:
        p.unlink()
    for folder, p in zip(["a", "b"], books[:2]):
        (s.inbox / folder).mkdir()
        shutil.move(p, s.inbox / folder / "Bao_cao.xlsx")
    summary = run_steps(s)
    assert sorted((f.file, f.status) for f in summary.files) == [("a/Bao_cao.xlsx", "loaded"), ("b/Bao_cao.xlsx", "loaded")]
    assert len({f.unit_code for f in summary.files}) == 2  # each file's own values, not one file read twice
    con = duckdb.connect(str(s.warehouse), read_only=True)
    try:
        assert con.execute("select file_name from v_submissions").fetchall() == [("Bao_cao.xlsx",)] * 2
    finally:
        con.close()


def _inbox_files(folder, n: int) -> list:
    """n small files xa_0.xlsx … in `folder`, as (InboxFile, sha256) pairs for archiving."""
    folder.mkdir()
    files = []
    for i in range(n):
        p = folder / f"xa_{i}.xlsx"
        p.write_bytes(b"book %d" % i)
        st = p.stat()
        files.append((InboxFile(p, p.name, st.st_size, st.st_mtime_ns, None), sha256_of(p)))
    return files


def test_archiving_gives_each_result_in_order_as_soon_as_it_is_made(tmp_path):
    archive = tmp_path / "archive"
    files = _inbox_files(tmp_path / "inbox", 12)
    gate = threading.Event()

    def slow_last(f, sha, folder):
        from pipeline.inbox import archive_original
        if f.path.name == "xa_11.xlsx":
            gate.wait(10)
        return archive_original(f, sha, folder)

    with Archiving(files, archive, threads=4, copy=slow_last) as copies:
        it = iter(copies)
        first = [next(it) for _ in range(11)]  # given while the last copy is still held back
        assert not gate.is_set()
        gate.set()
        last = next(it)
    assert first + [last] == archive_originals(files, archive, threads=1)
    assert all(c.read_bytes() == f.path.read_bytes() for (f, _), c in zip(files, first + [last]))


def test_archiving_raises_a_fault_and_stops_the_copies_not_begun(tmp_path):
    archive = tmp_path / "archive"
    files = _inbox_files(tmp_path / "inbox", 6)

    def broken(f, sha, folder):
        if f.path.name == "xa_2.xlsx":
            raise ValueError("lỗi chương trình")
        from pipeline.inbox import archive_original
        return archive_original(f, sha, folder)

    with pytest.raises(ValueError):
        with Archiving(files, archive, threads=2, copy=broken) as copies:
            list(copies)


def test_pool_reads_jobs_from_an_iterable_as_they_come_in_order(tmp_path, demo_files, registry, catalog):
    paths = sorted(demo_files)[:6]
    taken = []

    def slowly():
        for p in paths:
            time.sleep(0.02)  # a copy being archived
            taken.append(p)
            yield p, None

    subs = workers.parse_files(slowly(), registry, catalog, workers=2)
    assert taken == paths
    assert [s.path for s in subs] == paths
    alone = [parse_submission(p, registry, catalog) for p in paths]
    assert [(s.unit_code, len(s.issues), s.observations.shape) for s in subs] == \
        [(s.unit_code, len(s.issues), s.observations.shape) for s in alone]
    assert workers.parse_files(iter([]), registry, catalog, workers=2) == []


def test_pool_stops_when_the_jobs_iterable_fails_and_reads_again_after(demo_files, registry, catalog):
    paths = sorted(demo_files)[:3]

    def failing():
        yield paths[0], None
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        workers.parse_files(failing(), registry, catalog, workers=2)
    subs = workers.parse_files([(p, None) for p in paths], registry, catalog, workers=2)
    assert [s.path for s in subs] == paths
