"""Fixtures of the channel tests: a temporary database, a fake Graph API and a webhook server.

Everything runs on loopback: the fake Graph API is a tiny aiohttp app on a free port that records
requests and can be told to fail; the WhatsApp channel is mounted in a Sanic app exactly as Rasa
mounts channels (``rasa.core.channels.channel.register`` under ``/webhooks/``) with a fake agent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from channels.whatsapp import WhatsAppInput
from channels.whatsapp_api import GraphApiClient
from foundation import db
from foundation.settings import get_settings

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
ACCESS_TOKEN = "test-access-token"
PHONE_NUMBER_ID = "106540352242922"


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    """The ``X-Hub-Signature-256`` header value Meta would send."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture(autouse=True)
def database(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite database per test (``DATABASE_URL`` in ``tmp_path``)."""
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    db.dispose_engines()
    yield url
    db.dispose_engines()
    get_settings.cache_clear()


@dataclass
class FakeGraph:
    """State of the fake Graph API."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def fail(self, status: int, times: int = 1, headers: dict[str, str] | None = None) -> None:
        """Answer the next ``times`` requests with ``status``."""
        self.failures.extend([(status, headers or {})] * times)

    def bodies(self) -> list[dict[str, Any]]:
        """JSON bodies of the requests received so far."""
        return [request["json"] for request in self.requests]


@pytest.fixture
async def fake_graph() -> AsyncIterator[FakeGraph]:
    """A fake WhatsApp Cloud API on loopback."""
    state = FakeGraph()

    async def messages(request: web.Request) -> web.Response:
        state.requests.append(
            {
                "path": request.path,
                "authorization": request.headers.get("Authorization"),
                "json": await request.json(),
            }
        )
        if state.failures:
            status, headers = state.failures.pop(0)
            return web.json_response({"error": {"code": status}}, status=status, headers=headers)
        return web.json_response(
            {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.OUT{len(state.requests)}"}]}
        )

    app = web.Application()
    app.router.add_post("/v19.0/{phone_number_id}/messages", messages)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    state.url = str(server.make_url("/v19.0"))
    yield state
    await server.close()


class Sleeps(list):
    """Records the backoff delays instead of sleeping."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    """Recorder used as the sender's sleep function."""
    return Sleeps()


@pytest.fixture
async def make_api(fake_graph: FakeGraph, sleeps: Sleeps) -> AsyncIterator[Any]:
    """Factory of Graph API senders pointed at the fake Graph API (closed after the test)."""
    made: list[GraphApiClient] = []

    def make(max_attempts: int = 4, graph_url: str | None = None) -> GraphApiClient:
        made.append(
            GraphApiClient(
                graph_url or fake_graph.url,
                PHONE_NUMBER_ID,
                ACCESS_TOKEN,
                max_attempts=max_attempts,
                sleep=sleeps,
            )
        )
        return made[-1]

    yield make
    for api in made:
        await api.aclose()


@pytest.fixture
def make_channel(fake_graph: FakeGraph, make_api: Any) -> Any:
    """Factory of WhatsApp input channels pointed at the fake Graph API."""

    def make() -> WhatsAppInput:
        return WhatsAppInput(
            verify_token=VERIFY_TOKEN,
            app_secret=APP_SECRET,
            access_token=ACCESS_TOKEN,
            phone_number_id=PHONE_NUMBER_ID,
            graph_url=fake_graph.url,
            api=make_api(),
        )

    return make


class FakeAgent:
    """Stands in for ``rasa.core.agent.Agent``: records messages and answers through the channel."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []
        self.fail_on: set[str] = set()

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        if message.text in self.fail_on:
            raise RuntimeError("boom")
        await message.output_channel.send_text_message(message.sender_id, f"echo: {message.text}")


@dataclass
class Webhook:
    """A running Sanic app with the channel mounted."""

    channel: WhatsAppInput
    agent: FakeAgent
    client: httpx.AsyncClient
    url: str = "/webhooks/whatsapp/webhook"

    async def post(self, payload: dict[str, Any] | bytes, signature: str | None = "valid") -> httpx.Response:
        """POST a notification (signed correctly unless ``signature`` says otherwise)."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
        if signature == "valid":
            headers["X-Hub-Signature-256"] = sign(body)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature.encode("latin-1")  # raw bytes, as on the wire
        return await self.client.post(self.url, content=body, headers=headers)

    async def post_and_wait(self, payload: dict[str, Any] | bytes, **kwargs: Any) -> httpx.Response:
        """POST and wait until the background processing is done."""
        result = await self.post(payload, **kwargs)
        await self.channel.drain()
        return result


@pytest.fixture
async def start_webhook(make_channel: Any, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    """Factory that serves a (new) channel on loopback, as ``rasa run`` would mount it."""
    # test mode lets Sanic start several apps in one process (it keeps the untouched protocol code)
    monkeypatch.setattr(Sanic, "test_mode", True)
    servers: list[Any] = []
    clients: list[httpx.AsyncClient] = []

    async def start(channel: WhatsAppInput | None = None) -> Webhook:
        channel = channel or make_channel()
        app = Sanic(f"whatsapp_test_{uuid.uuid4().hex}", configure_logging=False)
        app.ctx.agent = FakeAgent()
        register([channel], app, "/webhooks/")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()
        servers.append(server)
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}")
        clients.append(client)
        return Webhook(channel=channel, agent=app.ctx.agent, client=client)

    yield start
    for client in clients:
        await client.aclose()
    for server in servers:
        await server.before_stop()
        server.close()
        await server.wait_closed()
