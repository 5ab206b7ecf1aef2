"""Issue 13, finding 4: production refuses to start with a missing, default or short secret."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from actions.production import SECRETS, problems

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_CREDENTIALS = ROOT / "credentials.production.yml"


def strong_env() -> dict[str, str]:
    env = {variable: f"{variable.lower()}-{'x' * 40}" for variable in SECRETS.values()}
    env.update(
        TRACKER_DB_URL="postgresql://rasa@db/tracker",
        DATABASE_URL="postgresql://assistent@db/assistent",
        ACTION_SERVER_HOST="10.0.0.5",
    )
    return env


def test_a_complete_strong_environment_passes() -> None:
    assert problems(strong_env(), PRODUCTION_CREDENTIALS) == []


@pytest.mark.parametrize("variable", sorted(SECRETS.values()))
@pytest.mark.parametrize("kind", ["missing", "default", "short"])
def test_every_weak_secret_is_refused(variable: str, kind: str) -> None:
    from foundation.settings import Settings

    env = strong_env()
    field = next(f for f, v in SECRETS.items() if v == variable)
    if kind == "missing":
        env.pop(variable)
    elif kind == "default":
        default = getattr(Settings(), field)
        if not default:
            pytest.skip("no development default (empty)")
        env[variable] = default
    else:
        env[variable] = "k" * 31
    found = problems(env, PRODUCTION_CREDENTIALS)
    assert found and all(variable in problem for problem in found), found


def test_the_api_without_jwt_sqlite_and_the_rest_channel_are_refused() -> None:
    env = strong_env()
    env["RASA_JWT_SECRET"] = ""
    env.pop("TRACKER_DB_URL")
    env["ACTION_SERVER_HOST"] = "0.0.0.0"
    found = " | ".join(problems(env, ROOT / "credentials.yml"))
    for expected in ("RASA_JWT_SECRET", "TRACKER_DB_URL", "ACTION_SERVER_HOST", "REST channel"):
        assert expected in found


def test_the_documented_production_command_does_not_start_rasa_with_defaults(tmp_path: Path) -> None:
    marker = tmp_path / "rasa-started"
    fake_rasa = tmp_path / "rasa"
    fake_rasa.write_text(f"#!/bin/sh\necho \"$@\" > {marker}\n")
    fake_rasa.chmod(0o755)
    base = {k: v for k, v in os.environ.items() if k not in SECRETS.values()}
    run = subprocess.run(
        ["scripts/run-production.sh"],
        cwd=ROOT,
        env={**base, "RASA": str(fake_rasa), "PY": sys.executable, "RASA_CORS": "https://x.example"},
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0 and not marker.exists()
    assert "not starting" in run.stderr and "RASA_JWT_SECRET is not set" in run.stderr
    run = subprocess.run(
        ["scripts/run-production.sh"],
        cwd=ROOT,
        env={**base, **strong_env(), "RASA": str(fake_rasa), "PY": sys.executable, "RASA_CORS": "https://x"},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    started = marker.read_text()
    assert "--jwt-secret" in started and "credentials.production.yml" in started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def action_server() -> str:
    port = _free_port()
    env = {**os.environ, "ACTION_SERVER_TOKEN": "t" * 40, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.action_server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                httpx.get(f"{url}/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_action_server_wants_the_shared_secret_and_json(action_server: str) -> None:
    body = {"next_action": "action_forget_me", "tracker": {"sender_id": "x"}, "domain": {}}
    assert httpx.get(f"{action_server}/health").status_code == 200
    assert httpx.get(f"{action_server}/actions").status_code == 401
    assert httpx.post(f"{action_server}/webhook", json=body).status_code == 401
    wrong = {"X-Action-Token": "t" * 39 + "u"}
    assert httpx.post(f"{action_server}/webhook", json=body, headers=wrong).status_code == 401
    token = {"X-Action-Token": "t" * 40}
    assert httpx.get(f"{action_server}/actions", headers=token).status_code == 200
    form = httpx.post(f"{action_server}/webhook", data={"a": "b"}, headers=token)
    assert form.status_code == 415
