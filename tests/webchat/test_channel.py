"""Tests of the restricted socket.io channel (webchat/channel.py)."""

from __future__ import annotations

from unittest.mock import AsyncMock

import pytest

from webchat.channel import RestrictedSocketIOInput, is_valid_session_id

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
    from actions.config import get_settings

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


def _session_handler(channel: RestrictedSocketIOInput):
    channel.blueprint(_ignore)
    sio = channel.sio
    sio.enter_room = AsyncMock()
    sio.emit = AsyncMock()
    return sio, sio.handlers["/"]["session_request"]


async def test_session_request_joins_room_of_a_valid_uuid() -> None:
    channel = RestrictedSocketIOInput(session_persistence=True, cors_allowed_origins=[])
    sio, handler = _session_handler(channel)
    await handler("sid1", {"session_id": UUID})
    sio.enter_room.assert_awaited_once_with("sid1", UUID)
    sio.emit.assert_awaited_once_with("session_confirm", UUID, room="sid1")


@pytest.mark.parametrize("data", [{"session_id": "1"}, {"session_id": None}, {}, None, "x"])
async def test_session_request_replaces_guessable_ids(data: object) -> None:
    channel = RestrictedSocketIOInput(session_persistence=True, cors_allowed_origins=[])
    sio, handler = _session_handler(channel)
    await handler("sid1", data)
    new_id = sio.emit.await_args.args[1]
    assert is_valid_session_id(new_id)
    sio.enter_room.assert_awaited_once_with("sid1", new_id)


async def test_no_room_without_session_persistence() -> None:
    channel = RestrictedSocketIOInput(session_persistence=False, cors_allowed_origins=[])
    sio, handler = _session_handler(channel)
    await handler("sid1", {"session_id": UUID})
    sio.enter_room.assert_not_awaited()
    sio.emit.assert_awaited_once_with("session_confirm", UUID, room="sid1")


def test_without_a_redis_url_each_process_keeps_its_own_socketio_manager(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from socketio import AsyncRedisManager

    from actions.config import get_settings

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

    from actions.config import get_settings

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
    from webchat.channel import use_redis_manager

    channel = RestrictedSocketIOInput(cors_allowed_origins=["http://localhost:8000"])
    channel.blueprint(_ignore)
    channel.sio.manager_initialized = True  # the server has handled a connection
    with pytest.raises(RuntimeError):
        use_redis_manager(channel.sio, "redis://127.0.0.1:6379/2", "c")
