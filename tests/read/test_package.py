"""One parse opens a workbook's zip once and inflates each member once (pipeline.read.package)."""

from __future__ import annotations

import zipfile

from pipeline.read import package
from pipeline.read.submission import parse_submission


def _counting(monkeypatch):
    opened, inflated = [], []
    real_init, real_open = zipfile.ZipFile.__init__, zipfile.ZipFile.open

    def init(self, file, *a, **k):
        opened.append(file)
        return real_init(self, file, *a, **k)

    def open_(self, name, mode="r", *a, **k):
        if mode == "r":
            inflated.append(name if isinstance(name, str) else name.filename)
        return real_open(self, name, mode, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", init)
    monkeypatch.setattr(zipfile.ZipFile, "open", open_)
    return opened, inflated


def _key(sub):
    return (sub.file_name, sub.unit_code, sub.period_code, sub.issues, sub.observations.to_csv())


def test_a_parse_opens_the_zip_once_and_reads_each_member_once(monkeypatch, demo_files, registry, catalog):
    path = sorted(demo_files)[0]
    before = parse_submission(path, registry, catalog)
    opened, inflated = _counting(monkeypatch)
    sub = parse_submission(path, registry, catalog)
    assert len(opened) == 1
    assert len(inflated) == len(set(inflated))
    assert _key(sub) == _key(before)


def test_members_past_the_keep_limit_are_read_again_the_same(monkeypatch, demo_files, registry, catalog):
    path = sorted(demo_files)[1]
    before = parse_submission(path, registry, catalog)
    monkeypatch.setattr(package, "KEEP_BYTES", 0)
    assert _key(parse_submission(path, registry, catalog)) == _key(before)


def test_outside_a_parse_each_reader_opens_its_own_zip(demo_files):
    path = sorted(demo_files)[0]
    assert package.current(path) is None
    with package.zip_of(path) as z:
        assert package.read(z, "xl/workbook.xml") == z.read("xl/workbook.xml")
    assert z.fp is None  # closed after
    with package.shared(path):
        with package.zip_of(path) as a:
            first = package.read(a, "xl/workbook.xml")
        with package.zip_of(path) as b:
            assert b is a and package.read(b, "xl/workbook.xml") is first
        assert package.current(str(path)) is not None
    assert package.current(path) is None
