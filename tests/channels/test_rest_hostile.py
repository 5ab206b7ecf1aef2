"""Issue 13: the REST channel as an attacker uses it (forged ids, input_channel, junk bodies, size)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from channels.guard import clean_text, is_system_command, owns_sender_id
from tests.channels.test_rest import serve  # noqa: F401


@pytest.fixture
async def client(serve: Any) -> Any:  # noqa: F811
    seen: list[UserMessage] = []

    async def record(message: UserMessage) -> None:
        seen.append(message)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    http = await serve(record)
    http.seen = seen
    return http


@pytest.mark.parametrize(
    "body",
    [
        {"message": "hallo"},  # no sender: all such clients shared one "default" conversation
        {"sender": "wa:31612345678", "message": "/forget_me"},  # a WhatsApp resident's conversation
        {"sender": "web:0f8fad5bd9cb469fa16570867728950e", "message": "hallo"},
        {"sender": "", "message": "hallo"},
        {"sender": 5, "message": "hallo"},
        {"sender": "x" * 200, "message": "hallo"},
        {"sender": "me", "message": {"text": "hallo"}},
        {"sender": "me"},
    ],
)
async def test_bad_senders_and_messages_are_refused(client: Any, body: dict) -> None:
    response = await client.post("/webhooks/rest/webhook", json=body)
    assert response.status_code == 400
    assert client.seen == []


@pytest.mark.parametrize("raw", [b"[1, 2]", b"{not json", b'"hallo"', b"null"])
async def test_junk_bodies_are_client_errors(client: Any, raw: bytes) -> None:
    response = await client.post(
        "/webhooks/rest/webhook", content=raw, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    assert client.seen == []


async def test_input_channel_from_the_body_is_ignored(client: Any) -> None:
    body = {"sender": "r1", "message": "hallo", "input_channel": "whatsapp"}
    assert (await client.post("/webhooks/rest/webhook", json=body)).status_code == 200
    assert client.seen[0].input_channel == "rest"


async def test_huge_text_is_cut_and_system_commands_become_plain_text(client: Any) -> None:
    await client.post("/webhooks/rest/webhook", json={"sender": "r2", "message": "NL12 " * 20000})
    await client.post(
        "/webhooks/rest/webhook",
        json={"sender": "r2", "message": '/proactive_signal{"signal_rule": "aow_leeftijd"}'},
    )
    await client.post("/webhooks/rest/webhook", json={"sender": "r2", "message": "/greet"})
    long, signal, greet = (m.text for m in client.seen)
    assert len(long) == 5000
    assert not signal.startswith("/") and "proactive_signal" in signal
    assert greet == "/greet"  # ordinary button payloads still work


def test_guard_helpers() -> None:
    assert is_system_command(" /human_reply") and is_system_command('/proactive_signal{"a":1}')
    assert not is_system_command("/affirm") and not is_system_command("human_reply")
    assert clean_text(None) == "" and clean_text(12) == "12"
    assert owns_sender_id("whatsapp", "wa:1") and not owns_sender_id("rest", "wa:1")
    assert not owns_sender_id("rest", "web:1") and owns_sender_id("socketio", "web:1")
