"""Reading ahead (pipeline.run.read_ahead): `tonghop run` parses the inbox's new files while Prefect's temporary
server boots; the read step takes a file's Submission only when the copy it archived holds the same bytes."""

from __future__ import annotations

import dataclasses
import os
import shutil
import time

import pytest

from pipeline import run as run_module
from pipeline import warehouse as wh
from pipeline.inbox import sha256_of
from pipeline.read.safety import Limits
from pipeline.read.workers import parse_job
from pipeline.run import read_ahead, run_steps
from tests.conftest import make_settings, query_file

VALUES = "select unit_code, period_code, indicator_code, value, source_ref from v_values order by all"
ISSUES = "select file_name, severity, code, message, source_ref, indicator_code from v_issues order by all"


@pytest.fixture
def parsed_jobs(monkeypatch) -> list:
    """Every job the read step hands to the reader itself (not read ahead)."""
    seen: list = []
    real = run_module.read_files

    def reader(jobs, *args, **kwargs):  # the read step hands its jobs out one by one, as each copy is archived
        jobs = list(jobs)
        seen.extend(jobs)
        return real(jobs, *args, **kwargs)

    monkeypatch.setattr(run_module, "read_files", reader)
    return seen


def _plain_run(tmp_path, demo_files):
    s = make_settings(tmp_path / "plain")
    s.inbox.mkdir(parents=True)
    for f in demo_files:
        shutil.copy2(f, s.inbox / f.name)
    run_steps(s)
    return s


def test_the_read_step_takes_the_files_read_ahead_and_loads_the_same(demo_settings, demo_files, tmp_path, parsed_jobs):
    assert read_ahead(demo_settings)
    summary = run_steps(demo_settings)
    assert summary.count("loaded") == 23 and parsed_jobs == []  # nothing parsed twice
    plain = _plain_run(tmp_path, demo_files)
    for sql in (VALUES, ISSUES):
        assert query_file(demo_settings.warehouse, sql) == query_file(plain.warehouse, sql)


def test_a_file_changed_after_reading_ahead_is_read_again(demo_settings, demo_files, parsed_jobs, registry, catalog):
    assert read_ahead(demo_settings)
    run_module._read_ahead[run_module._inbox_key(demo_settings)].parsed.result()  # read ahead: done
    changed = demo_settings.inbox / demo_files[0].name
    shutil.copy2(demo_files[1], changed)  # another unit's bytes under the first one's name
    summary = run_steps(demo_settings)
    assert [p.name for p, _ in parsed_jobs] == [changed.name]  # the only file parsed by the read step itself
    other = parse_job((demo_files[1], None), registry, catalog, Limits()).unit_code
    stored = query_file(demo_settings.warehouse, "select unit_code, status from v_submissions where file_name = ?",
                        changed.name)
    assert stored == [(other, "loaded")]  # the new bytes were read, not the ones read ahead
    assert summary.count("loaded") == 22 and summary.count("duplicate") == 1  # the other unit's own file: the same bytes


def test_no_reading_ahead_while_a_run_writes(demo_settings):
    with wh.writer_lock(demo_settings.warehouse, 1):
        assert not read_ahead(demo_settings)
    assert run_module._inbox_key(demo_settings) not in run_module._read_ahead


def test_a_dry_run_reads_nothing_ahead(tmp_path, demo_files):
    s = make_settings(tmp_path, dry_run=True)
    s.inbox.mkdir(parents=True)
    shutil.copy2(demo_files[0], s.inbox / demo_files[0].name)
    assert not read_ahead(s)


def test_a_verified_job_parses_only_the_bytes_named(demo_files, registry, catalog, tmp_path):
    f = tmp_path / demo_files[0].name
    shutil.copy2(demo_files[0], f)
    sha = sha256_of(f)
    sub = parse_job((f, None, sha), registry, catalog, Limits())
    assert sub is not None and sub.unit_code and sub.records()
    assert parse_job((f, None, "0" * 64), registry, catalog, Limits()) is None


def _just_copied(demo_settings, demo_files):
    """The demo inbox as a clerk's copy a moment ago (files dated now), with a copy window long enough to last the
    test: the run itself would leave these files waiting; the reading ahead must not wait for them."""
    s = dataclasses.replace(demo_settings, limits=Limits(stable_seconds=60, restat_seconds=0))
    for f in demo_files:
        shutil.copy(f, s.inbox / f.name)  # dated now
    return s


def _age(inbox):
    old = time.time() - 3600
    for f in inbox.iterdir():
        os.utime(f, (old, old))  # settled: the same bytes, dated an hour ago


def test_files_just_copied_are_read_ahead_at_once(demo_settings, demo_files, parsed_jobs, monkeypatch):
    s = _just_copied(demo_settings, demo_files)
    slept: list[float] = []
    monkeypatch.setattr(run_module.time, "sleep", slept.append)
    assert read_ahead(s)
    ahead = run_module._read_ahead[run_module._inbox_key(s)].parsed.result()
    assert len(ahead) == 23 and slept == []  # parsed in the first look, no wait for the copy window
    _age(s.inbox)
    summary = run_steps(dataclasses.replace(s, limits=demo_settings.limits))
    assert summary.count("loaded") == 23 and parsed_jobs == []  # the run took them: nothing parsed twice


def test_a_file_whose_bytes_change_under_its_parse_ahead_gets_a_second_look(demo_settings, demo_files, parsed_jobs,
                                                                             monkeypatch):
    s = _just_copied(demo_settings, demo_files)
    slept: list[float] = []
    monkeypatch.setattr(run_module.time, "sleep", slept.append)
    growing = s.inbox / demo_files[0].name
    real = run_module.sha256_or_none
    looks: list[str] = []

    def first_bytes_then_whole(path):  # the first look hashes the bytes of a copy still under way
        if path == growing:
            looks.append(path.name)
            if len(looks) == 1:
                return "0" * 64
        return real(path)

    monkeypatch.setattr(run_module, "sha256_or_none", first_bytes_then_whole)
    assert read_ahead(s)
    ahead = run_module._read_ahead[run_module._inbox_key(s)].parsed.result()
    assert len(looks) == 2 and len(slept) == 1  # looked at again once the copy window may have passed
    assert (growing.name, sha256_of(growing)) in ahead and len(ahead) == 23
    _age(s.inbox)
    summary = run_steps(dataclasses.replace(s, limits=demo_settings.limits))
    assert summary.count("loaded") == 23 and parsed_jobs == []
