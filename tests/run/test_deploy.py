"""The nightly deployment, the flow's plain parameters, transient-fault retries and the Dask option (no Prefect server)."""

import json

import pytest
from prefect.states import Failed

from flows.cli import DEFAULTS
from flows.consolidate import consolidation_flow, is_transient, retry_when_transient
from flows.deploy import build_deployment
from flows.params import PATH_DEFAULTS, absolute_parameters, build_settings, flow_parameters
from flows.scale import MISSING_DASK, DaskUnavailable, chunks, dask_available, dask_runner
from tests.conftest import SCHEMAS


def test_deployment_cron_timezone_concurrency():
    """The acceptance check: 23:00 Asia/Ho_Chi_Minh, one run at a time, built without starting a server."""
    dep = build_deployment({"inbox": "/srv/tonghop/inbox", "period": None})
    assert len(dep.schedules) == 1
    schedule = dep.schedules[0].schedule
    assert schedule.cron == "0 23 * * *"
    assert schedule.timezone == "Asia/Ho_Chi_Minh"
    assert dep.schedules[0].active
    assert dep.concurrency_limit == 1
    assert dep.name == "hang-dem" and dep.flow_name == "tonghop-run"
    assert dep.entrypoint == "flows.consolidate.consolidation_flow"  # importable wherever tonghop is installed
    assert dep.parameters["inbox"] == "/srv/tonghop/inbox"


def test_flow_parameters_are_plain_json_with_contract_defaults():
    dep = build_deployment()
    schema = dep._parameter_openapi_schema.model_dump()["properties"]
    assert {"period", "unit", "rebuild", "inbox", "warehouse", "out", "units", "dask"} <= set(schema)
    for name in ("inbox", "warehouse", "out", "units"):
        assert schema[name]["default"] == DEFAULTS[name] == PATH_DEFAULTS[name]
    assert schema["rebuild"]["default"] is False and schema["rebuild"]["type"] == "boolean"
    assert "kỳ" in schema["period"]["description"]  # described for the officer in the UI, in Vietnamese
    json.dumps({k: v["default"] for k, v in schema.items()})


def test_cli_and_flow_defaults_agree():
    assert {k: DEFAULTS[k] for k in PATH_DEFAULTS} == PATH_DEFAULTS


def test_settings_round_trip_through_parameters(tmp_path):
    s = build_settings(inbox=str(tmp_path / "in"), units=str(SCHEMAS / "units.csv"), period="2023-H1", unit="ha_ky", wait=5)
    params = flow_parameters(s)
    json.dumps(params)
    again = build_settings(**params)
    assert again == s
    assert again.lock_timeout == 5 and again.period == "2023-H1" and again.unit == "ha_ky"


def test_bad_period_and_unit_are_refused_in_vietnamese():
    with pytest.raises(ValueError, match="Mã kỳ không hợp lệ"):
        build_settings(period="2023-Q5")
    with pytest.raises(ValueError, match="Mã đơn vị không có trong danh sách"):
        build_settings(units=str(SCHEMAS / "units.csv"), unit="khong_co")


def test_absolute_parameters(tmp_path):
    params = absolute_parameters({"inbox": "inbox", "deadlines": None, "period": "2023-H1"}, tmp_path)
    assert params == {"inbox": str(tmp_path / "inbox"), "deadlines": None, "period": "2023-H1"}


def test_only_transient_faults_are_retried():
    assert is_transient(PermissionError(13, "Permission denied"))  # a workbook held open by Excel on Windows
    assert is_transient(OSError(16, "Device or resource busy"))
    assert not is_transient(FileNotFoundError(2, "No such file"))
    assert not is_transient(ValueError("bug"))
    assert retry_when_transient(None, None, Failed(data=PermissionError(13, "Permission denied")))
    assert not retry_when_transient(None, None, Failed(data=KeyError("bug")))


def test_reading_tasks_retry_but_loading_does_not():
    from flows import consolidate as c

    retried = [c.TASKS[n] for n in ("tim-tep-moi", "doc-tep", "tong-hop", "lap-bao-cao", "phieu-phan-hoi")] + [c.read_part]
    for t in retried:
        assert t.retries == 3 and t.retry_condition_fn is retry_when_transient
    assert c.TASKS["nap-kho"].retries == 0  # recording files one by one is not safe to repeat


def test_dask_missing_gives_vietnamese_message():
    if dask_available():
        pytest.skip("prefect-dask is installed")
    with pytest.raises(DaskUnavailable, match="prefect-dask"):
        dask_runner("local")
    assert "pip install" in MISSING_DASK and "Dask" in MISSING_DASK


def test_dask_flow_refuses_early_without_prefect_dask():
    """The flow checks before it takes the lock or reads anything (called through .fn: no Prefect run)."""
    if dask_available():
        pytest.skip("prefect-dask is installed")
    with pytest.raises(DaskUnavailable):
        consolidation_flow.fn(units=str(SCHEMAS / "units.csv"), dask="local")


def test_chunks():
    assert chunks(list(range(5)), 2) == [[0, 1], [2, 3], [4]]
    assert chunks([], 16) == []



def test_serve_refuses_without_reference_files(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from flows.cli import main

    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["serve"])
    assert res.exit_code == 2 and "Không tìm thấy tệp schemas/units.csv" in res.stderr
