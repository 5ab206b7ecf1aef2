"""Reusable fixture: the stand-in backend running as a real process on a loopback port.

Usage (any test directory; import the fixtures into that directory's ``conftest.py`` with
``from tests.backend.conftest import backend_server, backend_faults  # noqa: F401`` or copy the
pattern)::

    async def test_something(backend_server):
        async with ZakenClient.from_settings(backend_server.settings) as client:
            ...

    async def test_outbox_when_down(backend_server, backend_faults):
        backend_faults("down")                  # every API call now gets 503
        backend_faults("slow:3@/zaken/api/v1")  # or: delay only the Zaken API by 3 s
        # reset to healthy automatically after the test

``backend_server`` is session scoped: one ``python -m backend`` process with its own SQLite file
under pytest's tmp dir, ``BACKEND_ALLOW_FAULTS=1`` and a free port; its settings point every client
URL at it. Tests share its data, so they must create their own objects (unique idempotency keys)
instead of relying on counts. The server log is at ``backend_server.log_path``.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from foundation.settings import Settings, stand_in_urls

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_LIMIT_SECONDS = 60.0


@dataclass(frozen=True)
class BackendServer:
    """A running stand-in backend."""

    base_url: str
    settings: Settings
    log_path: Path
    process: subprocess.Popen[bytes]

    def set_faults(self, spec: str) -> None:
        """Set the fault spec (see ``backend/faults.py``), e.g. ``"down"``, ``"slow:2"`` or ``"none"``."""
        response = httpx.put(f"{self.base_url}/_admin/faults", json={"spec": spec}, timeout=5.0)
        response.raise_for_status()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_ready(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"backend exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"backend did not become ready:\n{log_path.read_text()[-3000:]}")


def settings_for(base_url: str, base: Settings | None = None) -> Settings:
    """Return ``base`` (default: the environment's settings) with every backend URL at ``base_url``."""
    return dataclasses.replace(base or Settings.from_env(), **stand_in_urls(base_url))


@contextmanager
def running_backend(database_url: str, workdir: Path) -> Iterator[BackendServer]:
    """Run ``python -m backend`` on a free loopback port with ``database_url`` until the block ends."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = workdir / "backend.log"
    env = {
        **os.environ,
        "BACKEND_DATABASE_URL": database_url,
        "BACKEND_ALLOW_FAULTS": "1",
        "BACKEND_FAULTS": "",
        "PYTHONUNBUFFERED": "1",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_ready(base_url, process, log_path)
        yield BackendServer(base_url, settings_for(base_url), log_path, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def backend_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendServer]:
    """Start ``python -m backend`` on a free loopback port with a fresh SQLite database."""
    workdir = tmp_path_factory.mktemp("backend")
    with running_backend(f"sqlite:///{workdir / 'backend.db'}", workdir) as server:
        yield server


@pytest.fixture
def backend_faults(backend_server: BackendServer) -> Iterator[Callable[[str], None]]:
    """Return a setter for the backend's faults; resets to healthy after the test."""
    yield backend_server.set_faults
    backend_server.set_faults("none")
