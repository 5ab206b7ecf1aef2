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
        httpx.HTTPError: Rasa could not be reached (the caller maps it to its own error).
    """
    params, headers = rasa_auth(settings, username)
    params["output_channel"] = output_channel
    url = f"/conversations/{quote(sender_id, safe='')}/trigger_intent"
    return await http.post(url, params=params, headers=headers, json=body)


def is_system_message(tracker: Any) -> bool:
    """Whether the latest message was triggered through the HTTP API, not typed in a channel."""
    text = (getattr(tracker, "latest_message", None) or {}).get("text") or ""
    return isinstance(text, str) and text.startswith(EXTERNAL_PREFIX)
