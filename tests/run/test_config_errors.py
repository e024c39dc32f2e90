"""The run's options written once (pipeline.config.OPTIONS) and the one error root (pipeline.errors)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.params import build_settings
from pipeline import errors
from pipeline.config import OPTIONS, PATH_OPTIONS, Settings
from pipeline.reference.rubric import RubricError
from pipeline.validate.rules import RuleError
from pipeline.warehouse.lock import busy


def test_every_option_is_on_the_command_line_with_its_default_and_help():
    run = main.commands["run"]
    by_name = {p.name: p for p in run.params}
    for name, option in OPTIONS.items():
        assert name in by_name, name
        assert by_name[name].default == option.default and by_name[name].help == option.help


def test_build_settings_fills_every_default_and_gives_each_stage_its_part():
    s = build_settings(workers=1)
    assert isinstance(s, Settings)
    for name in PATH_OPTIONS:
        if name != "deadlines":
            assert getattr(s, name) == Path(OPTIONS[name].default)
    assert s.lock_timeout == OPTIONS["wait"].default and s.backups == OPTIONS["backups"].default
    assert s.reference.units == s.units and s.reference.rubric_file == Path("schemas/rubric.toml")
    assert s.reading.workers == 1 and s.store.path == s.warehouse
    assert s.store.archive == s.warehouse.parent / "archive" and s.archive == s.store.archive
    with pytest.raises(TypeError):
        build_settings(no_such_option=1)


def test_errors_share_one_root_with_their_exit_codes():
    assert issubclass(RuleError, errors.ReferenceDataError) and issubclass(RubricError, errors.ReferenceDataError)
    assert errors.ReferenceDataError("x").exit_code == errors.EXIT_USAGE == 2
    assert errors.UsageError("x").exit_code == 2 and errors.RebuildError("x").exit_code == errors.EXIT_FAILED == 1
    exc = busy(Path("warehouse/tonghop.duckdb"), 60)
    assert isinstance(exc, errors.TonghopError) and exc.exit_code == errors.EXIT_BUSY == 75
    assert errors.TonghopError("x", exit_code=3).exit_code == 3


def test_the_cli_prints_one_vietnamese_line_and_the_exit_code():
    res = CliRunner().invoke(main, ["run", "--period", "2023-Q5"])
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == ["Mã kỳ không hợp lệ: 2023-Q5 (ví dụ: 2023-Q3, 2023-H1, 2023-9M, 2023-Y)"]
    assert "Traceback" not in res.output


def test_debug_shows_the_traceback():
    res = CliRunner().invoke(main, ["--debug", "run", "--period", "2023-Q5"])
    assert res.exit_code != 0 and isinstance(res.exception, errors.UsageError)
