"""What every input channel does to a message before Rasa sees or stores it (issue 13).

* **Size cap**: the text is cut to ``MAX_MESSAGE_CHARS`` characters (the request itself is capped
  earlier: Sanic's ``REQUEST_MAX_SIZE``, engine.io's ``max_http_buffer_size``), so masking, NLU and
  the tracker store never handle megabytes.
* **System intents**: ``/proactive_signal{...}`` or ``/human_reply{...}`` typed by a resident are
  passed on as plain text (without the leading slash), so Rasa does not read them as an intent.
  Only the HTTP API (``trigger_intent``) can trigger them; the actions check again.
* **Conversation ids**: each channel owns a prefix (``wa:`` WhatsApp, ``web:`` web chat); a message
  of one channel that names a conversation id with another channel's prefix is refused.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from foundation.settings import get_settings
from integrations.rasa_api import SYSTEM_INTENTS

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
#: Conversation id prefix of each channel; no other channel may use it.
CHANNEL_PREFIXES: dict[str, str] = {"whatsapp": "wa:", "socketio": "web:"}
_COMMAND = re.compile(r"^\s*/\s*([A-Za-z0-9_]+)")


def is_system_command(text: str) -> bool:
    """Whether ``text`` is a typed ``/intent`` command naming an intent only the system may trigger."""
    match = _COMMAND.match(text)
    return bool(match) and match[1] in SYSTEM_INTENTS


def clean_text(text: Any, limit: int | None = None) -> str:
    """The text as the channel passes it on: a string, at most ``limit`` characters, no system command."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    limit = limit if limit is not None else get_settings().max_message_chars
    text = text[:limit]
    if is_system_command(text):
        text = text.lstrip().lstrip("/")
    return text


def owns_sender_id(channel: str, sender_id: str) -> bool:
    """Whether ``channel`` may write into conversation ``sender_id`` (no other channel's prefix)."""
    return not any(
        sender_id.startswith(prefix) for owner, prefix in CHANNEL_PREFIXES.items() if owner != channel
    )


def guarded(on_new_message: OnNewMessage, channel: str) -> OnNewMessage:
    """Wrap ``on_new_message``: clean the text and refuse foreign conversation ids."""

    async def handler(message: UserMessage) -> Any:
        if not owns_sender_id(channel, str(message.sender_id)):
            raise PermissionError(f"{channel} may not write into another channel's conversation")
        message.text = clean_text(message.text)
        return await on_new_message(message)

    return handler
