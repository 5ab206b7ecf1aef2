"""Tests of the restricted socket.io channel (channels/socketio_input.py)."""

from __future__ import annotations

from typing import Any
from unittest.mock import AsyncMock

import pytest

from channels.socketio_input import (
    RestrictedSocketIOInput,
    history_from_events,
    is_valid_session_id,
    new_conversation,
    session_secret,
)

UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


async def _ignore(_message: object) -> None:
    return None


@pytest.mark.parametrize(
    "value, valid",
    [
        (UUID, True),
        ("0f8fad5bd9cb469fa16570867728950e", True),
        ("1", False),
        ("alice", False),
        (UUID.upper(), False),
        (UUID + "x", False),
        (None, False),
        (123, False),
    ],
)
def test_is_valid_session_id(value: object, valid: bool) -> None:
    assert is_valid_session_id(value) is valid


def test_origins_from_credentials_or_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from foundation.settings import get_settings

    channel = RestrictedSocketIOInput.from_credentials(
        {"cors_allowed_origins": "https://a.example/, https://b.example"}
    )
    assert channel.cors_allowed_origins == ["https://a.example", "https://b.example"]
    assert channel.name() == "socketio"

    monkeypatch.setenv("WEBCHAT_ALLOWED_ORIGINS", "https://c.example")
    get_settings.cache_clear()
    try:
        channel = RestrictedSocketIOInput.from_credentials({"session_persistence": True})
    finally:
        get_settings.cache_clear()
    assert channel.cors_allowed_origins == ["https://c.example"]
    assert channel.session_persistence is True


def test_blueprint_sets_engineio_origin_allow_list() -> None:
    channel = RestrictedSocketIOInput(cors_allowed_origins=["http://localhost:8000"])
    channel.blueprint(_ignore)
    assert channel.sio is not None
    assert channel.sio.eio.cors_allowed_origins == ["http://localhost:8000"]


def _session_handler(channel: RestrictedSocketIOInput, on_new_message: Any = _ignore):
    channel.blueprint(on_new_message)
    sio = channel.sio
    sio.enter_room = AsyncMock()
    sio.emit = AsyncMock()
    return sio, sio.handlers["/"]["session_request"]


def _confirmed(sio: Any) -> dict[str, str]:
    event, payload = sio.emit.await_args_list[0].args[:2]
    assert event == "session_confirm"
    return payload


async def test_the_server_issues_the_id_and_its_secret() -> None:
    channel = RestrictedSocketIOInput(session_persistence=True, cors_allowed_origins=[])
    sio, handler = _session_handler(channel)
    await handler("sid1", {"session_id": UUID})  # a client-chosen id is not taken
    issued = _confirmed(sio)
    assert issued["session_id"].startswith("web:") and issued["session_id"] != UUID
    assert issued["session_secret"] == session_secret(issued["session_id"])
    sio.enter_room.assert_awaited_once_with("sid1", issued["session_id"])


async def test_a_returning_resident_with_the_secret_keeps_the_conversation() -> None:
    channel = RestrictedSocketIOInput(session_persistence=True, cors_allowed_origins=[])
    channel.stored_history = AsyncMock(return_value=[{"from": "bot", "text": "Uw pas ligt klaar."}])
    sio, handler = _session_handler(channel)
    conversation_id, secret = new_conversation()
    await handler("sid2", {"session_id": conversation_id, "session_secret": secret})
    assert _confirmed(sio)["session_id"] == conversation_id
    event, payload = sio.emit.await_args_list[1].args[:2]
    assert event == "session_history" and payload["messages"][0]["text"] == "Uw pas ligt klaar."


@pytest.mark.parametrize(
    "data",
    [{"session_id": "web:" + "0" * 32}, {"session_id": "web:" + "0" * 32, "session_secret": "x"}, {}, None],
)
async def test_without_the_secret_a_new_conversation(data: object) -> None:
    channel = RestrictedSocketIOInput(session_persistence=True, cors_allowed_origins=[])
    sio, handler = _session_handler(channel)
    await handler("sid1", data)
    issued = _confirmed(sio)["session_id"]
    assert issued != "web:" + "0" * 32
    assert sio.emit.await_count == 1  # no history of someone else's conversation


async def test_every_message_goes_to_the_conversation_accepted_for_the_socket() -> None:
    """Issue 13: user_uttered used the session_id the client sent (only session_request was checked)."""
    seen: list[Any] = []

    async def record(message: Any) -> None:
        seen.append(message.sender_id)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    channel = RestrictedSocketIOInput(session_persistence=True, cors_allowed_origins=[])
    sio, handler = _session_handler(channel, record)
    message_handler = sio.handlers["/"]["user_uttered"]
    await message_handler("sid9", {"message": "hallo", "session_id": "victim"})  # no session_request
    assert seen == []
    await handler("sid9", {})
    own = _confirmed(sio)["session_id"]
    victim, _ = new_conversation()
    await message_handler("sid9", {"message": "/forget_me", "session_id": victim})
    assert seen == [own]


async def test_no_room_without_session_persistence() -> None:
    channel = RestrictedSocketIOInput(session_persistence=False, cors_allowed_origins=[])
    sio, handler = _session_handler(channel)
    await handler("sid1", {"session_id": UUID})
    sio.enter_room.assert_not_awaited()
    assert _confirmed(sio)["session_id"].startswith("web:")


def test_history_shows_what_was_stored_without_commands() -> None:
    events = [
        {"event": "user", "text": "/session_start"},
        {"event": "bot", "text": "Goedendag!"},
        {"event": "user", "text": "mijn BSN is [BSN]"},
        {"event": "user", "text": "EXTERNAL: human_reply"},
        {"event": "bot", "text": "Antwoord van de medewerker"},
        {"event": "slot", "name": "x", "value": 1},
    ]
    assert history_from_events(events) == [
        {"from": "bot", "text": "Goedendag!"},
        {"from": "user", "text": "mijn BSN is [BSN]"},
        {"from": "bot", "text": "Antwoord van de medewerker"},
    ]


def test_packets_are_capped() -> None:
    channel = RestrictedSocketIOInput(cors_allowed_origins=[])
    channel.blueprint(_ignore)
    assert channel.sio.eio.max_http_buffer_size == 65536


def test_without_a_redis_url_each_process_keeps_its_own_socketio_manager(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from socketio import AsyncRedisManager

    from foundation.settings import get_settings

    monkeypatch.delenv("SOCKETIO_REDIS_URL", raising=False)
    get_settings.cache_clear()
    try:
        channel = RestrictedSocketIOInput(cors_allowed_origins=["http://localhost:8000"])
        channel.blueprint(_ignore)
    finally:
        get_settings.cache_clear()
    assert not isinstance(channel.sio.manager, AsyncRedisManager)


def test_socketio_redis_url_makes_emits_reach_other_instances(monkeypatch: pytest.MonkeyPatch) -> None:
    from socketio import AsyncRedisManager

    from foundation.settings import get_settings

    monkeypatch.setenv("SOCKETIO_REDIS_URL", "redis://127.0.0.1:6379/2")
    monkeypatch.setenv("SOCKETIO_REDIS_CHANNEL", "voorbeeldstad-socketio")
    get_settings.cache_clear()
    try:
        channel = RestrictedSocketIOInput(cors_allowed_origins=["http://localhost:8000"])
        channel.blueprint(_ignore)
    finally:
        get_settings.cache_clear()
    manager = channel.sio.manager
    assert isinstance(manager, AsyncRedisManager)
    assert manager.redis_url == "redis://127.0.0.1:6379/2"
    assert manager.channel == "voorbeeldstad-socketio"
    assert manager.server is channel.sio
    # the output channel Rasa builds for trigger_intent?output_channel=latest emits through it
    assert channel.get_output_channel().sio.manager is manager


def test_the_redis_manager_cannot_replace_a_running_manager() -> None:
    from channels.socketio_input import use_redis_manager

    channel = RestrictedSocketIOInput(cors_allowed_origins=["http://localhost:8000"])
    channel.blueprint(_ignore)
    channel.sio.manager_initialized = True  # the server has handled a connection
    with pytest.raises(RuntimeError):
        use_redis_manager(channel.sio, "redis://127.0.0.1:6379/2", "c")
