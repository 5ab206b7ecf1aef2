"""The one client of Rasa's HTTP API (``trigger_intent`` into a resident's conversation).

Used by the employee tool (an employee's answer, ``human_reply``) and the signal engine
(``proactive_signal``). Authentication: ``RASA_TOKEN`` as ``?token=`` and/or, when
``RASA_JWT_SECRET`` is set, an HS256 JWT ``{"user": {"username": <caller>, "role": "admin"}}`` as
``Authorization: Bearer``. Callers decide what a status code means for them (retry or give up).

System intents (:data:`SYSTEM_INTENTS`) are the ones only these callers trigger, never a resident by
typing ``/intent{...}``: Rasa records the text of a triggered intent as ``EXTERNAL: <intent>``,
while a resident who types ``/proactive_signal{...}`` gets a message with the text they typed. The
channels turn such typed commands into plain text (:mod:`channels.guard`); the actions check again
with :func:`is_system_message`.

The conversation id goes into the path as it is (:func:`conversation_path`): Rasa 3.6's routes
(``/conversations/<conversation_id:path>/...``, Sanic 21.12) take the id from the raw request path
and never percent-decode it, so ``web%3A<hex>`` would be another conversation than ``web:<hex>``,
one without events. An id that would need percent-encoding (space, ``%``, ``?``, ``#``, ``/``,
non-ASCII) cannot be addressed at all (:class:`UnaddressableConversation`).
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import httpx
import jwt

from foundation.settings import Settings

JWT_LIFETIME_SECONDS = 300
#: Intents only the system triggers.
SYSTEM_INTENTS: frozenset[str] = frozenset({"proactive_signal", "human_reply"})
#: How Rasa 3.6 writes the text of an externally triggered intent (``rasa.shared.core.constants``).
EXTERNAL_PREFIX = "EXTERNAL: "
#: Characters allowed unencoded in a path segment (RFC 3986 ``pchar``), i.e. what Rasa receives as is.
_PATH_SEGMENT_SAFE = ":@!$&'()*+,;=-._~"


class UnaddressableConversation(ValueError):
    """The conversation id cannot be written into Rasa's HTTP API path without changing it."""


def conversation_path(sender_id: str, endpoint: str) -> str:
    """``/conversations/<sender_id>/<endpoint>`` with the id exactly as Rasa stores it.

    Raises:
        UnaddressableConversation: The id holds characters that would have to be percent-encoded
            (Rasa 3.6 would then look up the encoded text as the id).
    """
    if not sender_id or quote(sender_id, safe=_PATH_SEGMENT_SAFE) != sender_id:
        raise UnaddressableConversation(
            f"conversation id {sender_id!r} cannot be addressed in Rasa's HTTP API"
        )
    return f"/conversations/{sender_id}/{endpoint}"


def rasa_auth(
    settings: Settings, username: str, now: int | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Query parameters and headers that authenticate ``username`` to Rasa's HTTP API."""
    params: dict[str, str] = {}
    headers: dict[str, str] = {}
    if settings.rasa_token:
        params["token"] = settings.rasa_token
    if settings.rasa_jwt_secret:
        issued = int(time.time()) if now is None else now
        token = jwt.encode(
            {
                "user": {"username": username, "role": "admin"},
                "iat": issued,
                "exp": issued + JWT_LIFETIME_SECONDS,
            },
            settings.rasa_jwt_secret,
            algorithm="HS256",
        )
        headers["Authorization"] = f"Bearer {token}"
    return params, headers


def make_rasa_http(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """An HTTP client for Rasa at ``RASA_URL``."""
    return httpx.AsyncClient(
        base_url=settings.rasa_url.rstrip("/"), timeout=settings.backend_timeout, transport=transport
    )


async def trigger_intent(
    http: httpx.AsyncClient,
    settings: Settings,
    username: str,
    sender_id: str,
    body: dict[str, Any],
    output_channel: str = "latest",
) -> httpx.Response:
    """``POST /conversations/{sender_id}/trigger_intent?output_channel=...`` with ``body``.

    Raises:
        UnaddressableConversation: ``sender_id`` cannot be put into the path unchanged.
        httpx.HTTPError: Rasa could not be reached (the caller maps it to its own error).
    """
    url = conversation_path(sender_id, "trigger_intent")
    params, headers = rasa_auth(settings, username)
    params["output_channel"] = output_channel
    return await http.post(url, params=params, headers=headers, json=body)


def is_system_message(tracker: Any) -> bool:
    """Whether the latest message was triggered through the HTTP API, not typed in a channel."""
    text = (getattr(tracker, "latest_message", None) or {}).get("text") or ""
    return isinstance(text, str) and text.startswith(EXTERNAL_PREFIX)
