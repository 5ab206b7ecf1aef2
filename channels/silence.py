"""Never leave a resident without an answer: apologise when a message produced no bot message.

Rasa 3.6 stays silent when the action server is unreachable: ``MessageProcessor._run_action`` logs
"Encountered an exception while running action ..." and continues without the action's events, so
the resident gets no answer at all. :func:`with_apology` wraps a channel's ``on_new_message``: it
counts what the bot sends for each resident message and, when a non-empty message produced nothing
(also when processing raised), sends the apology from the domain response
``utter_action_server_down``. The text lives in ``domain/channels.yml`` and is read once.

Reusable by every input channel (REST, socket.io, WhatsApp)::

    def blueprint(self, on_new_message):
        return super().blueprint(with_apology(on_new_message))
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from foundation.domain import DOMAIN_DIR, read_domain

logger = logging.getLogger(__name__)

APOLOGY_RESPONSE = "utter_action_server_down"
DOMAIN_PATH = DOMAIN_DIR
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@lru_cache(maxsize=8)
def response_text(name: str = APOLOGY_RESPONSE, domain_path: str = str(DOMAIN_PATH)) -> str:
    """The text of the first variation of domain response ``name`` (read once per domain directory).

    Raises:
        KeyError: The response does not exist or has no text.
    """
    domain = read_domain(Path(domain_path))
    variations = (domain.get("responses") or {}).get(name) or []
    for variation in variations:
        if isinstance(variation, dict) and variation.get("text"):
            return str(variation["text"])
    raise KeyError(f"response {name!r} has no text in {domain_path}")


class CountingOutputChannel(OutputChannel):
    """Wraps an output channel and counts the bot messages sent through it (every send method)."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    def name(self) -> str:  # type: ignore[override]
        """The wrapped channel's name (Rasa may record it for the turn)."""
        return self.inner.name()

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Count, then pass on to the wrapped channel."""
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_text_message(recipient_id, text, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_image_url(recipient_id, image, **kwargs)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_attachment(recipient_id, attachment, **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self.sent += 1
        await self.inner.send_text_with_buttons(recipient_id, text, buttons, **kwargs)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self.sent += 1
        await self.inner.send_quick_replies(recipient_id, text, quick_replies, **kwargs)

    async def send_elements(self, recipient_id: str, elements: Any, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_elements(recipient_id, elements, **kwargs)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_custom_json(recipient_id, json_message, **kwargs)


#: Messages a client sends on its own, which may rightly get no answer.
SILENT_PAYLOADS = ("/session_start",)


def is_resident_message(message: UserMessage) -> bool:
    """Whether the message holds text typed (or clicked) by the resident."""
    text = (message.text or "").strip()
    return bool(text) and not text.startswith(SILENT_PAYLOADS)


def with_apology(on_new_message: OnNewMessage, text: str | None = None) -> OnNewMessage:
    """Wrap ``on_new_message`` so a resident message never goes unanswered.

    Args:
        on_new_message: The handler Rasa passes to the channel's blueprint.
        text: The apology (default: the domain response ``utter_action_server_down``).
    """

    async def handler(message: UserMessage) -> Any:
        original = message.output_channel
        counter = CountingOutputChannel(original)
        message.output_channel = counter
        try:
            return await on_new_message(message)
        finally:
            message.output_channel = original
            if counter.sent == 0 and is_resident_message(message):
                logger.warning("no answer to a resident message (action server down?): sending apology")
                try:
                    await original.send_text_message(message.sender_id, text or response_text())
                except Exception:
                    logger.exception("apology could not be sent")

    return handler
