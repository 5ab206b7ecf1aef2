"""REST channel: an apology instead of silence when a message produced no bot message."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage, register
from sanic import Sanic

from channels import silence
from channels.rest import ApologeticRestInput

Handler = Callable[[UserMessage], Awaitable[Any]]


@pytest.fixture
async def serve(
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Callable[[Handler], Awaitable[httpx.AsyncClient]]]:
    """Mount ApologeticRestInput on a loopback Sanic app with a fake ``on_new_message``."""
    monkeypatch.setattr(Sanic, "test_mode", True)
    servers: list[Any] = []
    clients: list[httpx.AsyncClient] = []

    async def start(on_new_message: Handler) -> httpx.AsyncClient:
        app = Sanic(f"rest_test_{uuid.uuid4().hex}", configure_logging=False)
        channel = ApologeticRestInput()

        # register() mounts the channel as `rasa run` does, handing it app.ctx.agent.handle_message
        class Agent:
            async def handle_message(self, message: UserMessage) -> Any:
                return await on_new_message(message)

        app.ctx.agent = Agent()
        register([channel], app, "/webhooks/")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()
        servers.append(server)
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10)
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.aclose()
    for server in servers:
        await server.before_stop()
        server.close()
        await server.wait_closed()


APOLOGY = silence.response_text()


def test_apology_text_comes_from_the_domain(domain_dict: dict) -> None:
    assert APOLOGY == domain_dict["responses"]["utter_action_server_down"][0]["text"]
    assert ApologeticRestInput.name() == "rest"


async def test_silent_bot_gets_an_apology(serve: Any) -> None:
    received: list[UserMessage] = []

    async def silent(message: UserMessage) -> None:
        received.append(message)

    client = await serve(silent)
    response = await client.post("/webhooks/rest/webhook", json={"sender": "r1", "message": "paspoort"})
    assert response.status_code == 200
    assert response.json() == [{"recipient_id": "r1", "text": APOLOGY}]
    assert received[0].input_channel == "rest"


async def test_crashing_processing_gets_an_apology(serve: Any) -> None:
    async def crash(message: UserMessage) -> None:
        raise RuntimeError("action server unreachable")

    client = await serve(crash)
    response = await client.post("/webhooks/rest/webhook", json={"sender": "r2", "message": "hallo"})
    assert response.json() == [{"recipient_id": "r2", "text": APOLOGY}]


async def test_normal_answers_pass_unchanged(serve: Any) -> None:
    async def answer(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Goedendag!")

    client = await serve(answer)
    response = await client.post("/webhooks/rest/webhook", json={"sender": "r3", "message": "hallo"})
    assert response.json() == [{"recipient_id": "r3", "text": "Goedendag!"}]


async def test_empty_message_gets_no_apology(serve: Any) -> None:
    async def silent(message: UserMessage) -> None:
        return None

    client = await serve(silent)
    response = await client.post("/webhooks/rest/webhook", json={"sender": "r4", "message": "   "})
    assert response.json() == []


async def test_metadata_is_passed_on(serve: Any) -> None:
    seen: list[Any] = []

    async def record(message: UserMessage) -> None:
        seen.append(message.metadata)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    client = await serve(record)
    await client.post(
        "/webhooks/rest/webhook", json={"sender": "r5", "message": "hoi", "metadata": {"auth_token": "abc"}}
    )
    assert seen == [{"auth_token": "abc"}]


async def test_with_apology_counts_per_message_for_other_channels() -> None:
    collector = CollectingOutputChannel()

    async def silent(message: UserMessage) -> None:
        return None

    handler = silence.with_apology(silent, text="Sorry!")
    message = UserMessage("hallo", collector, "r6")
    await handler(message)
    assert collector.messages == [{"recipient_id": "r6", "text": "Sorry!"}]
    assert message.output_channel is collector


def test_client_session_start_is_not_a_resident_message() -> None:
    from rasa.core.channels.channel import UserMessage

    from channels.silence import is_resident_message

    assert not is_resident_message(UserMessage("/session_start", sender_id="x"))
    assert not is_resident_message(UserMessage("   ", sender_id="x"))
    assert is_resident_message(UserMessage("hallo", sender_id="x"))
