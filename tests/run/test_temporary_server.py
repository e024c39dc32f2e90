"""Prefect's temporary server started first by `tonghop run` (flows/server.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from flows import server as srv
from flows.server import TemporaryServer


def test_an_api_url_in_the_environment_is_used_as_it_is(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://10.0.0.5:4200/api")
    assert TemporaryServer.start() is None


def test_a_flow_runs_on_the_started_server_without_heartbeats(monkeypatch):
    """…and without a "View at http://127.0.0.1:…" link to a UI the temporary server does not have (and that is gone
    once the command ends)."""
    import logging

    from prefect import flow
    from prefect.settings import get_current_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    server = TemporaryServer.start()
    assert server is not None and TemporaryServer.start() is server  # one per process

    seen = {}

    @flow(name="tonghop-thu-may-chu")
    def probe():
        s = get_current_settings()
        seen.update(url=s.api.url, heartbeat=s.flows.heartbeat_frequency)
        return 23378

    lines: list[str] = []

    class Heard(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    heard = Heard(logging.INFO)
    runs = logging.getLogger("prefect.flow_runs")  # the flow engine's logger (it does not propagate)
    runs.addHandler(heard)
    try:
        with TemporaryServer.used(server) as url:
            assert url == server.api_url
            assert probe() == 23378
    finally:
        runs.removeHandler(heard)
    assert seen == {"url": server.api_url, "heartbeat": None}
    assert any(line.startswith("Beginning flow run") for line in lines)  # the engine's own lines are heard here
    assert not any(line.startswith("View at") for line in lines)
    assert get_current_settings().api.url != server.api_url  # only inside the block


def test_a_server_that_exits_leaves_prefect_its_own(monkeypatch):
    dead = TemporaryServer.__new__(TemporaryServer)
    dead.port, dead.api_url = 1, "http://127.0.0.1:1/api"
    dead.process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    dead.process.wait()
    assert dead.wait_ready(timeout=2) is False
    with TemporaryServer.used(dead) as url:
        assert url is None


@pytest.mark.parametrize("env", [{}, {"PREFECT_UI_ENABLED": "1"}])
def test_the_server_gets_prefects_own_environment(monkeypatch, env):
    captured = {}

    class FakePopen:
        def __init__(self, args, env, stdin):
            captured.update(args=args, env=env)

    monkeypatch.setattr(srv.subprocess, "Popen", FakePopen)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    s = TemporaryServer()
    assert captured["args"][1:5] == ["-m", "uvicorn", "--factory", "prefect.server.api.server:create_app"]
    assert str(s.port) in captured["args"]
    assert {k: captured["env"][k] for k in srv.SERVER_ENV} == srv.SERVER_ENV


def test_reference_checked_once_while_nothing_changed(tmp_path, demo_settings, monkeypatch):
    """The command line's check before Prefect starts and the run's first step check the same bytes only once."""
    import dataclasses
    import shutil

    from pipeline import run as ingest

    units = shutil.copy(demo_settings.units, tmp_path / "units.csv")  # edited below: never the project's own file
    demo_settings = dataclasses.replace(demo_settings, units=units)
    calls = []
    real = ingest.check_warehouse
    monkeypatch.setattr(ingest, "check_warehouse", lambda s: calls.append(1) or real(s))
    ingest._last_check.clear()
    ingest.run_steps(demo_settings)  # creates the warehouse
    calls.clear()
    first = ingest.check_reference(demo_settings)
    assert ingest.check_reference(demo_settings) is first and calls == [1]
    demo_settings.units.write_text(demo_settings.units.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    ingest.check_reference(demo_settings)  # a reference file changed: checked again
    assert calls == [1, 1]
    st = demo_settings.warehouse.stat()  # the warehouse changed (another run wrote it): checked again
    os.utime(demo_settings.warehouse, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    ingest.check_reference(demo_settings)
    assert calls == [1, 1, 1]
