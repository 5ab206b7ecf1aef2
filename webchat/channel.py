"""Socket.io input channel for the web chat with an origin allow-list.

Rasa 3.6's ``SocketIOInput`` creates ``AsyncServer(cors_allowed_origins=[])``: python-engineio
then neither checks the ``Origin`` header nor sends CORS headers, so any web page can open a
WebSocket to the bot (browsers apply no CORS to WebSockets; ``rasa run --cors`` only covers
HTTP long-polling). This subclass sets the engine.io allow-list to the configured origins, so
connections from browsers on other sites are refused (HTTP 400) on both transports.

With ``SOCKETIO_REDIS_URL`` set (see :mod:`actions.config`), the server's client manager is
python-socketio's ``AsyncRedisManager``: every emit is also published on a Redis channel, so a bot
message produced by one Rasa instance (e.g. an employee's answer through
``trigger_intent?output_channel=latest``) reaches the resident's socket on another instance. Rasa 3.6
creates its ``AsyncServer`` without a ``client_manager``; the manager is installed right after,
before the server handles its first connection.

It also accepts only random UUIDs as ``session_id`` in ``session_request``: with
``session_persistence`` a client joins the room of the id it sends, so a guessable id would
let a stranger read along. Other ids are replaced by a new random id.

Use in ``credentials.yml``::

    webchat.channel.RestrictedSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true
      # cors_allowed_origins: ["https://www.voorbeeldstad.nl"]  (else WEBCHAT_ALLOWED_ORIGINS)
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint
from socketio import AsyncRedisManager, AsyncServer

from actions.config import get_settings
from channels.silence import response_text, with_apology

#: A UUID in canonical (8-4-4-4-12) or plain 32-hex form.
SESSION_ID_PATTERN = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$"
)


def is_valid_session_id(value: Any) -> bool:
    """Return whether ``value`` looks like a random UUID (lower-case hex)."""
    return isinstance(value, str) and bool(SESSION_ID_PATTERN.match(value))


class RestrictedSocketIOInput(SocketIOInput):
    """``SocketIOInput`` that only accepts browsers from allowed origins and UUID sessions."""

    def __init__(self, *args: Any, cors_allowed_origins: list[str] | None = None, **kwargs: Any) -> None:
        """Create the channel.

        Args:
            *args: Positional arguments of :class:`SocketIOInput`.
            cors_allowed_origins: Origins that may connect; ``None`` means
                ``WEBCHAT_ALLOWED_ORIGINS`` from the settings.
            **kwargs: Keyword arguments of :class:`SocketIOInput`.
        """
        super().__init__(*args, **kwargs)
        if cors_allowed_origins is None:
            cors_allowed_origins = list(get_settings().webchat_allowed_origins)
        self.cors_allowed_origins = [o.rstrip("/") for o in cors_allowed_origins]

    @classmethod
    def name(cls) -> str:
        """Keep the channel name ``socketio`` (trackers, output channel, privacy rules)."""
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Create the channel from its ``credentials.yml`` block."""
        credentials = credentials or {}
        origins = credentials.get("cors_allowed_origins")
        if isinstance(origins, str):
            origins = [o.strip() for o in origins.split(",") if o.strip()]
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
            cors_allowed_origins=origins,
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Build Rasa's socket.io blueprint, then restrict origins and session ids."""
        # a resident never goes unanswered, also when the action server is down
        socketio_webhook = super().blueprint(with_apology(on_new_message, response_text()))
        sio = self.sio
        assert sio is not None  # set by super().blueprint()
        # engine.io checks the Origin header of polling and WebSocket requests against this
        # list (requests without Origin, i.e. non-browser clients, are not affected).
        sio.eio.cors_allowed_origins = list(self.cors_allowed_origins)
        settings = get_settings()
        if settings.socketio_redis_url:
            use_redis_manager(sio, settings.socketio_redis_url, settings.socketio_redis_channel)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            data = dict(data) if isinstance(data, dict) else {}
            if not is_valid_session_id(data.get("session_id")):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, data["session_id"])
            await sio.emit("session_confirm", data["session_id"], room=sid)

        return socketio_webhook


def use_redis_manager(sio: AsyncServer, url: str, channel: str) -> AsyncRedisManager:
    """Make ``sio`` share its emits with the other instances through Redis.

    Must run before ``sio`` handles its first connection (the manager is initialised lazily then).

    Args:
        sio: The channel's socket.io server.
        url: Redis URL (``redis://[:password@]host:port/db``).
        channel: Redis pub/sub channel, the same for all instances of one deployment.
    """
    if sio.manager_initialized:
        raise RuntimeError("the socket.io server is already running with its own manager")
    manager = AsyncRedisManager(url, channel=channel)
    manager.set_server(sio)
    sio.manager = manager
    return manager
