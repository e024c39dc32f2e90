"""Prefect's temporary API server, started first so that it boots while tonghop loads and checks its inputs.

Without an API URL, Prefect 3 starts a temporary server itself on the first flow call
(`prefect.server.api.server.SubprocessASGIServer`): this process first imports the whole server package (about 2 s),
then starts `uvicorn … prefect.server.api.server:create_app` in a subprocess and waits for it (3–4 s here), all of it
after tonghop has loaded pandas and checked the reference files. `TemporaryServer` starts the same subprocess, with the
environment Prefect gives it, before that work; the flow then runs with the API URL set to it through Prefect's own
settings context (`prefect.settings.temporary_settings`), so the boot overlaps the work and this process never imports
the server package. A Prefect server the office configured (PREFECT_API_URL in the environment or the active profile)
is always used instead, and when the temporary one does not come up, Prefect starts its own as before: nothing is
lost but the time.

    server = TemporaryServer.start()   # first thing; None when PREFECT_API_URL is set in the environment
    ... load, check ...
    with TemporaryServer.used(server):
        consolidation_flow(...)
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Iterator

# What Prefect's SubprocessASGIServer puts in its server's environment (prefect/server/api/server.py, 3.8).
SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 never through a proxy
READY_SECONDS = 20.0
_SERVER: "TemporaryServer | None" = None  # Prefect's own default, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TemporaryServer:
    """A Prefect API server subprocess for this command only."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.process: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
            env={**os.environ, **SERVER_ENV}, stdin=subprocess.DEVNULL)

    @classmethod
    def start(cls) -> "TemporaryServer | None":
        """This process's server, started on the first call unless the environment names one (PREFECT_API_URL).

        One per process, like Prefect's own: later commands in the same process (tests) use it again. It is stopped at
        exit; registered before Prefect's exit handlers, it runs after them, once Prefect has sent its queued logs and
        events. A failure to start is no error (None: Prefect starts its own).
        """
        global _SERVER
        if os.environ.get("PREFECT_API_URL"):
            return None
        if _SERVER is not None and _SERVER.process is not None and _SERVER.process.poll() is None:
            return _SERVER
        try:
            _SERVER = cls()
        except OSError:
            return None
        atexit.register(_SERVER.stop)
        return _SERVER

    @staticmethod
    @contextlib.contextmanager
    def used(server: "TemporaryServer | None") -> Iterator[str | None]:
        """Run the block with Prefect's API URL set to the server when Prefect would start a temporary one; yield the URL
        used (None: Prefect's own choice, a configured server or its own temporary one)."""
        from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL, get_current_settings, temporary_settings

        settings = get_current_settings()
        wanted = not settings.api.url and bool(settings.server.ephemeral.enabled)
        if server is None or not wanted or not server.wait_ready():
            yield None
            return
        # Heartbeats let a lasting server mark a crashed run; a temporary server ends with this process, so they only
        # cost the up-to-1-s join of their thread at the end of every flow run (prefect/flow_engine.py _send_heartbeats).
        # No UI URL: the server has no UI and is gone when the command ends, so Prefect logs no "View at http://…" link
        # (an empty PREFECT_UI_URL makes prefect.utilities.urls.url_for give none).
        with temporary_settings(updates={PREFECT_API_URL: server.api_url, PREFECT_UI_URL: "",
                                         "flows.heartbeat_frequency": None}):
            yield server.api_url

    def wait_ready(self, timeout: float = READY_SECONDS) -> bool:
        """Wait until the server answers /health; False when it exits or does not answer in time."""
        deadline = time.monotonic() + timeout
        while self.process is not None and time.monotonic() < deadline:
            if self.process.poll() is not None:  # exited: a port taken meanwhile, a broken installation
                return False
            try:
                with _DIRECT.open(f"{self.api_url}/health", timeout=1) as resp:
                    if resp.status == 200:
                        return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Send the logs and events still queued for it, then stop the server as Prefect stops its own (terminate, then
        kill after 5 s)."""
        proc, self.process = self.process, None
        if proc is None:
            return
        for module, worker in (("prefect.logging.handlers", "APILogWorker"), ("prefect.events.worker", "EventsWorker")):
            if module in sys.modules and proc.poll() is None:
                try:
                    getattr(sys.modules[module], worker).drain_all(timeout=5)
                except Exception:  # a queue that cannot be sent now is lost with the temporary server anyway
                    pass
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
