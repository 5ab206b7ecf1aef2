"""Socket.io input channel for the web chat with an origin allow-list.

Rasa 3.6's ``SocketIOInput`` creates ``AsyncServer(cors_allowed_origins=[])``: python-engineio
then neither checks the ``Origin`` header nor sends CORS headers, so any web page can open a
WebSocket to the bot (browsers apply no CORS to WebSockets; ``rasa run --cors`` only covers
HTTP long-polling). This subclass sets the engine.io allow-list to the configured origins, so
connections from browsers on other sites are refused (HTTP 400) on both transports.

Conversation ownership (issue 13): the server issues the conversation id (``web:`` + 32 random hex
digits) together with a secret (an HMAC of the id with ``WEBCHAT_SESSION_KEY``); the widget keeps
both in localStorage. ``session_request`` only accepts an id when the secret matches; otherwise a
new conversation starts. Every ``user_uttered`` of a socket goes to the id accepted for that socket
at ``session_request``; a ``session_id`` in the event itself is ignored, and a socket that made no
``session_request`` cannot send. A returning resident gets the stored conversation
(``session_history``), e.g. an employee's answer that arrived while the tab was closed. Packets are
capped at ``WEBCHAT_MAX_PACKET_BYTES`` and texts by :mod:`channels.guard`.

With ``SOCKETIO_REDIS_URL`` set (see :mod:`foundation.settings`), the server's client manager is
python-socketio's ``AsyncRedisManager``: every emit is also published on a Redis channel, so a bot
message produced by one Rasa instance (e.g. an employee's answer through
``trigger_intent?output_channel=latest``) reaches the resident's socket on another instance. Rasa 3.6
creates its ``AsyncServer`` without a ``client_manager``; the manager is installed right after,
before the server handles its first connection.

Use in ``credentials.yml``::

    channels.socketio_input.RestrictedSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true
      # cors_allowed_origins: ["https://www.voorbeeldstad.nl"]  (else WEBCHAT_ALLOWED_ORIGINS)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import AsyncRedisManager, AsyncServer

from channels.guard import CHANNEL_PREFIXES, guarded
from channels.silence import response_text, with_apology
from foundation.settings import get_settings
from privacy.compaction import is_copy

logger = logging.getLogger(__name__)
PREFIX = CHANNEL_PREFIXES["socketio"]
#: A server-issued conversation id.
CONVERSATION_ID_PATTERN = re.compile(r"^web:[0-9a-f]{32}$")
#: How many stored messages a returning resident gets back.
MAX_HISTORY = 200

#: A UUID in canonical (8-4-4-4-12) or plain 32-hex form.
SESSION_ID_PATTERN = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$"
)


def is_valid_session_id(value: Any) -> bool:
    """Return whether ``value`` looks like a random UUID (lower-case hex)."""
    return isinstance(value, str) and bool(SESSION_ID_PATTERN.match(value))


def session_secret(conversation_id: str, key: str | None = None) -> str:
    """The secret of a server-issued conversation id (HMAC-SHA256 with ``WEBCHAT_SESSION_KEY``)."""
    secret = (key if key is not None else get_settings().webchat_session_key).encode()
    return hmac.new(secret, conversation_id.encode(), hashlib.sha256).hexdigest()


def new_conversation() -> tuple[str, str]:
    """A new unguessable conversation id and its secret."""
    conversation_id = PREFIX + uuid.uuid4().hex
    return conversation_id, session_secret(conversation_id)


def accepted_conversation(data: Any) -> str | None:
    """The conversation id of a ``session_request`` when its secret proves ownership, else None."""
    if not isinstance(data, dict):
        return None
    conversation_id, secret = data.get("session_id"), data.get("session_secret")
    if not (isinstance(conversation_id, str) and CONVERSATION_ID_PATTERN.match(conversation_id)):
        return None
    if not isinstance(secret, str) or not hmac.compare_digest(secret, session_secret(conversation_id)):
        return None
    return conversation_id


def history_from_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored conversation as the widget shows it: ``{"from": "user"|"bot", "text": ...}``."""
    history: list[dict[str, Any]] = []
    for event in events:
        if is_copy(event):  # a long conversation's compaction repeats its last turn
            continue
        kind = event.get("event")
        text = event.get("text")
        if kind == "user" and isinstance(text, str) and text and not text.startswith(("/", "EXTERNAL: ")):
            history.append({"from": "user", "text": text})
        elif kind == "bot" and isinstance(text, str) and text:
            history.append({"from": "bot", "text": text})
    return history[-MAX_HISTORY:]


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

    async def stored_history(self, conversation_id: str) -> list[dict[str, Any]]:
        """The stored (masked) messages of a conversation, from the Rasa server's tracker store."""
        try:
            from sanic import Sanic

            agent = getattr(Sanic.get_app().ctx, "agent", None)
            store = getattr(agent, "tracker_store", None)
            # every session: the introduction is stored before the session's own start event
            tracker = await store.retrieve_full_tracker(conversation_id) if store is not None else None
        except Exception:  # no history is better than no conversation
            logger.exception("stored conversation could not be read for session_history")
            return []
        if tracker is None:
            return []
        return history_from_events([event.as_dict() for event in tracker.events])

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Build Rasa's socket.io blueprint, then restrict origins and bind messages to sessions."""
        # Rasa's own handlers are replaced below; a resident never goes unanswered (with_apology)
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by super().blueprint()
        # engine.io checks the Origin header of polling and WebSocket requests against this
        # list (requests without Origin, i.e. non-browser clients, are not affected).
        sio.eio.cors_allowed_origins = list(self.cors_allowed_origins)
        settings = get_settings()
        if settings.socketio_redis_url:
            use_redis_manager(sio, settings.socketio_redis_url, settings.socketio_redis_channel)

        sio.eio.max_http_buffer_size = get_settings().webchat_max_packet_bytes
        owners: dict[str, str] = {}  # socket id -> the conversation accepted at session_request
        handle = with_apology(guarded(on_new_message, self.name()), response_text())

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            conversation_id = accepted_conversation(data)
            returning = conversation_id is not None
            if conversation_id is None:
                conversation_id, _ = new_conversation()
            owners[sid] = conversation_id
            if self.session_persistence:
                await sio.enter_room(sid, conversation_id)
            await sio.emit(
                "session_confirm",
                {"session_id": conversation_id, "session_secret": session_secret(conversation_id)},
                room=sid,
            )
            if returning:
                history = await self.stored_history(conversation_id)
                await sio.emit("session_history", {"messages": history}, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            conversation_id = owners.get(sid)
            if conversation_id is None or not isinstance(data, dict):
                logger.info("socket.io message without an accepted session ignored")
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            text = data.get("message", "")
            message = UserMessage(
                text if isinstance(text, str) else "",
                SocketIOOutput(sio, self.bot_message_evt),
                conversation_id,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else {},
            )
            await handle(message)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            owners.pop(sid, None)

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
