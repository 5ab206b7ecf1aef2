"""Intents that only the system may trigger (never a resident by typing ``/intent{...}``).

The signal engine and the employee tool trigger ``proactive_signal`` and ``human_reply`` through
Rasa's HTTP API (``POST /conversations/{id}/trigger_intent``); Rasa then records the message text as
``EXTERNAL: <intent>``. A resident who types ``/proactive_signal{...}`` gets a message with the text
they typed. The channels already turn such typed commands into plain text
(:mod:`channels.guard`); the actions check again here.

:func:`conversation_path` builds the URL path of such a call. Rasa 3.6's routes
(``/conversations/<conversation_id:path>/...``, Sanic 21.12) take the conversation id from the
raw request path and never percent-decode it: ``web%3A<hex>`` is another conversation than
``web:<hex>``, one without events. The id therefore goes into the path as it is; an id that would
need percent-encoding (space, ``%``, ``?``, ``#``, ``/``, non-ASCII) cannot be addressed at all.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

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


def is_system_message(tracker: Any) -> bool:
    """Whether the latest message was triggered through the HTTP API, not typed in a channel."""
    text = (getattr(tracker, "latest_message", None) or {}).get("text") or ""
    return isinstance(text, str) and text.startswith(EXTERNAL_PREFIX)
