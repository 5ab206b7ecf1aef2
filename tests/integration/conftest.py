"""Starts the whole assistant (backend, action server, Rasa, web chat) once for the model tests.

Uses scripts/run.sh --background on ports that do not clash with a running `make run`, with a
fresh SQLite tracker store in a temporary folder. Needs a trained model (``make train``).
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.conversation import Conversation

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models/gemeente.tar.gz"
WHATSAPP_APP_SECRET = "integration-test-app-secret"
WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
# Several checkouts on one machine can run the suite at once: TEST_PORT_OFFSET moves every port.
PORT_OFFSET = int(os.environ.get("TEST_PORT_OFFSET", "0"))
BACKEND_PORT, ACTIONS_PORT, RASA_PORT, WEBCHAT_PORT = (p + PORT_OFFSET for p in (18001, 15055, 15005, 18000))


class _FakeGraphApi(http.server.BaseHTTPRequestHandler):
    """Accepts every WhatsApp send, like Meta's Graph API, and remembers the bodies."""

    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        self.received.append(json.loads(self.rfile.read(length) or b"{}"))
        body = json.dumps({"messaging_product": "whatsapp", "messages": [{"id": "wamid.fake"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture(scope="session")
def fake_graph_api() -> Iterator[str]:
    """A loopback stand-in for the WhatsApp Cloud API; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeGraphApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v19.0"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory, fake_graph_api: str) -> Iterator[dict[str, str]]:
    """Run the assistant; yields the base URLs."""
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` first (make test does)")
    tmp = tmp_path_factory.mktemp("assistant")
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        (ROOT / "endpoints.yml")
        .read_text()
        .replace("var/tracker.db", str(tmp / "tracker.db"))
        .replace("localhost:5055", f"localhost:{ACTIONS_PORT}")
    )
    env = dict(
        os.environ,
        BACKEND_PORT=str(BACKEND_PORT),
        ACTIONS_PORT=str(ACTIONS_PORT),
        RASA_PORT=str(RASA_PORT),
        WEBCHAT_PORT=str(WEBCHAT_PORT),
        RUN_DIR=str(tmp / "run"),
        LOG_DIR=str(tmp / "log"),
        ENDPOINTS=str(endpoints),
        DATABASE_URL=f"sqlite:///{tmp / 'assistant.db'}",
        TRACKER_DB_URL=f"sqlite:///{tmp / 'tracker.db'}",
        BACKEND_DATABASE_URL=f"sqlite:///{tmp / 'backend.db'}",
        WEBCHAT_ALLOWED_ORIGINS=f"http://localhost:{WEBCHAT_PORT}",
        WEBCHAT_PUBLIC_URL=f"http://localhost:{WEBCHAT_PORT}",
        WHATSAPP_APP_SECRET=WHATSAPP_APP_SECRET,
        WHATSAPP_GRAPH_URL=fake_graph_api,
        WHATSAPP_PHONE_NUMBER_ID=WHATSAPP_PHONE_NUMBER_ID,
        # a shared, loaded machine may need long for the model to load
        RASA_START_SECONDS=os.environ.get("RASA_START_SECONDS", "900"),
    )
    started = subprocess.run(
        ["scripts/run.sh", "--background"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if started.returncode != 0:
        pytest.fail(f"the assistant did not start:\n{started.stdout}\n{started.stderr}")
    urls = {
        "rasa": f"http://localhost:{RASA_PORT}",
        "actions": f"http://localhost:{ACTIONS_PORT}",
        "backend": f"http://localhost:{BACKEND_PORT}",
        "webchat": f"http://localhost:{WEBCHAT_PORT}",
        "log_dir": str(tmp / "log"),
        "tracker_db": str(tmp / "tracker.db"),
        "database_url": env["DATABASE_URL"],
    }
    try:
        yield urls
    finally:
        subprocess.run(["scripts/run.sh", "--stop"], cwd=ROOT, env=env, capture_output=True)


@pytest.fixture
def say(assistant: dict[str, str]):
    """Send a message over the REST channel; returns the bot messages."""

    def _say(message: str, sender: str | None = None) -> list[dict]:
        response = httpx.post(
            f"{assistant['rasa']}/webhooks/rest/webhook",
            json={"sender": sender or uuid.uuid4().hex, "message": message},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    return _say


@pytest.fixture
def conversation(assistant: dict[str, str]):
    """A factory of fresh resident conversations over REST (see ``tests/integration/conversation.py``)."""
    return lambda: Conversation(assistant["rasa"])
