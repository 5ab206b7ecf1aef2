"""Output channel that answers residents on WhatsApp (Meta WhatsApp Cloud API).

Rasa responses are mapped onto WhatsApp message types:

* text: one or more ``text`` messages, split under 4096 characters at paragraph, line or
  sentence boundaries;
* buttons: ``interactive`` reply buttons (at most 3, titles at most 20 characters), else an
  ``interactive`` list (at most 10 rows, titles at most 24 characters), else a numbered text whose
  options are remembered, so the resident's next message "2" means the second option;
* image / attachment: the link in a text message (with link preview);
* custom: passed through when it is a WhatsApp message object (``{"type": ...}``) or sits under
  a ``whatsapp`` key; other custom payloads (meant for other channels) are skipped;
* templates (business-initiated messages outside the 24-hour window): :meth:`send_template`.

The label of the list button is resident-facing text: set it per response with
``metadata: {whatsapp_list_button: "..."}`` in domain/, or per channel with the credentials key
``list_button_label``; without either a neutral symbol is shown.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import OutputChannel

from channels import whatsapp_ids, whatsapp_store
from channels.whatsapp_api import GraphApiClient
from foundation.db import run_db

logger = logging.getLogger(__name__)

#: Prefix of Rasa sender ids of WhatsApp conversations ("wa:<pseudonym>", channels/whatsapp_ids.py).
SENDER_PREFIX = whatsapp_store.SENDER_PREFIX

MAX_TEXT = 4096
MAX_BUTTON_BODY = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_ID = 200
MAX_LIST_BUTTON = 20
#: Language-neutral default label of the list button (no resident-facing words in code).
DEFAULT_LIST_BUTTON = "☰"

_SENTENCE_END = re.compile(r"[.!?…](?=\s)")


def to_sender_id(wa_id: str) -> str:
    """Rasa sender id of a WhatsApp user: a keyed pseudonym (:mod:`channels.whatsapp_ids`)."""
    return whatsapp_ids.conversation_id(wa_id)


def to_wa_id(recipient_id: str) -> str | None:
    """WhatsApp id to deliver to for a Rasa sender id (blocking: a database read), or ``None``.

    A bare number (no ``wa:`` prefix) is returned as it is.
    """
    if not recipient_id.startswith(SENDER_PREFIX):
        return recipient_id
    return whatsapp_ids.recipient(recipient_id)


def _cut_position(window: str) -> int:
    """Best position to cut ``window`` (the first ``limit`` characters of a too long text)."""
    half = len(window) // 2
    candidates = [
        window.rfind("\n\n"),
        window.rfind("\n"),
        max((m.end() for m in _SENTENCE_END.finditer(window)), default=-1),
        max(window.rfind(" "), window.rfind("\t")),
    ]
    for position in candidates:  # prefer the strongest boundary in the second half of the window
        if position >= half:
            return position
    for position in candidates:
        if position > 0:
            return position
    return len(window)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters at natural boundaries.

    Args:
        text: The text to send.
        limit: Maximum length of one part.

    Returns:
        The non-empty parts in order (an empty list for blank text).
    """
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut_position(rest[:limit])
        part = rest[:cut].rstrip()
        if part:
            parts.append(part)
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def reply_text(reply_id: Any, title: Any) -> str:
    """Text for Rasa of a chosen option: the id when it is an intent payload, else the title."""
    if isinstance(reply_id, str) and reply_id.startswith("/"):
        return reply_id
    return str(title or reply_id or "")


def numbered_choices(messages: list[dict[str, Any]], buttons: list[dict[str, Any]]) -> list[str]:
    """The texts for Rasa per number when ``messages`` offer ``buttons`` as a numbered text, else []."""
    if any(message.get("type") == "interactive" for message in messages):
        return []
    return [reply_text(reply_id, title) for title, reply_id in _options(buttons)]


def _options(buttons: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(title, reply id) of Rasa buttons; the id is the payload (or the title without one)."""
    options = []
    for button in buttons:
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or title).strip()
        if title:
            options.append((title, payload))
    return options


def _fits(options: list[tuple[str, str]], count: int, title_len: int, id_len: int) -> bool:
    ids = [reply_id for _, reply_id in options]
    return (
        0 < len(options) <= count
        and all(len(title) <= title_len and 0 < len(reply_id) <= id_len for title, reply_id in options)
        and len(set(ids)) == len(ids)
    )


def button_messages(
    text: str, buttons: list[dict[str, Any]], list_button: str = DEFAULT_LIST_BUTTON
) -> list[dict[str, Any]]:
    """WhatsApp message objects for a text with Rasa buttons (see the module docstring).

    Args:
        text: The response text (the body of the interactive message).
        buttons: Rasa buttons (``title``, ``payload``).
        list_button: Label of the button that opens a list.

    Returns:
        The message objects to send in order (text parts that do not fit the body come first).
    """
    options = _options(buttons)
    parts = split_text(text or "")
    if parts and _fits(options, MAX_BUTTONS, MAX_BUTTON_TITLE, MAX_BUTTON_ID):
        body_parts = split_text(parts[-1], MAX_BUTTON_BODY)
        leading = parts[:-1] + body_parts[:-1]
        interactive = {
            "type": "button",
            "body": {"text": body_parts[-1]},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": reply_id, "title": title}}
                    for title, reply_id in options
                ]
            },
        }
    elif parts and _fits(options, MAX_LIST_ROWS, MAX_ROW_TITLE, MAX_ROW_ID):
        leading = parts[:-1]
        interactive = {
            "type": "list",
            "body": {"text": parts[-1]},
            "action": {
                "button": (list_button or DEFAULT_LIST_BUTTON)[:MAX_LIST_BUTTON],
                "sections": [{"rows": [{"id": reply_id, "title": title} for title, reply_id in options]}],
            },
        }
    else:
        numbered = "\n".join(f"{index}. {title}" for index, (title, _) in enumerate(options, start=1))
        combined = "\n\n".join(piece for piece in (text.strip() if text else "", numbered) if piece)
        return [text_message(part) for part in split_text(combined)]
    return [text_message(part) for part in leading] + [{"type": "interactive", "interactive": interactive}]


def text_message(text: str) -> dict[str, Any]:
    """A WhatsApp text message object (link preview on when the text holds a link)."""
    return {"type": "text", "text": {"body": text, "preview_url": "http" in text}}


def _link_of(attachment: Any) -> str:
    """The URL of a Rasa attachment (a string or a mapping with ``url``/``src``/``payload``)."""
    if isinstance(attachment, str):
        return attachment
    if isinstance(attachment, dict):
        for key in ("url", "src", "link"):
            if isinstance(attachment.get(key), str):
                return attachment[key]
        payload = attachment.get("payload")
        if payload is not None:
            return _link_of(payload)
    return json.dumps(attachment, ensure_ascii=False)


class WhatsAppOutput(OutputChannel):
    """Sends Rasa responses to a resident on WhatsApp through a :class:`GraphApiClient`."""

    @classmethod
    def name(cls) -> str:
        """Name of the channel (same as the input channel)."""
        return "whatsapp"

    def __init__(
        self,
        api: GraphApiClient,
        list_button_label: str = DEFAULT_LIST_BUTTON,
        api_for: Callable[[str], Awaitable[GraphApiClient]] | None = None,
    ) -> None:
        """Create the output channel.

        Args:
            api: The Graph API sender (shared with the input channel).
            list_button_label: Default label of the button that opens a list.
            api_for: Picks the sender per recipient (issue 18: the number the resident wrote to).
        """
        self.api = api
        self.list_button_label = list_button_label or DEFAULT_LIST_BUTTON
        self._api_for = api_for

    async def sender(self, recipient_id: str) -> GraphApiClient:
        """The Graph API sender for this recipient."""
        return await self._api_for(recipient_id) if self._api_for else self.api

    async def _send_all(self, recipient_id: str, messages: list[dict[str, Any]]) -> None:
        wa_id = await run_db(to_wa_id, recipient_id)
        if wa_id is None:
            logger.warning("WhatsApp message not sent: the conversation's number is not known (any more)")
            return
        api = await self.sender(recipient_id)
        for message in messages:
            await api.send(wa_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send a text, split into parts of at most 4096 characters."""
        await self._send_all(recipient_id, [text_message(part) for part in split_text(text or "")])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send reply buttons, a list or a numbered text, whichever WhatsApp's limits allow."""
        response_metadata = kwargs.get("metadata")
        label = self.list_button_label
        if isinstance(response_metadata, dict) and response_metadata.get("whatsapp_list_button"):
            label = str(response_metadata["whatsapp_list_button"])
        messages = button_messages(text, buttons, label)
        await run_db(whatsapp_store.remember_choices, recipient_id, numbered_choices(messages, buttons))
        await self._send_all(recipient_id, messages)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image as a link (the assistant's images live on the municipality's website)."""
        await self.send_text_message(recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """Send an attachment as a link."""
        await self.send_text_message(recipient_id, _link_of(attachment))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Pass a WhatsApp message object through; skip custom payloads of other channels."""
        message = json_message.get("whatsapp") if isinstance(json_message.get("whatsapp"), dict) else None
        if message is None and "type" in json_message:
            message = json_message
        if message is None:
            logger.debug("Custom payload without a WhatsApp message object skipped: %s", list(json_message))
            return
        message = {k: v for k, v in message.items() if k not in ("messaging_product", "to", "recipient_type")}
        await self._send_all(recipient_id, [message])

    async def send_template(
        self,
        recipient_id: str,
        template_name: str,
        language: str = "nl",
        components: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any] | None:
        """Send an approved template message (allowed outside the 24-hour window, opted-in users).

        Args:
            recipient_id: Rasa sender id (``wa:<wa_id>``) or the bare ``wa_id``.
            template_name: Name of the template approved in WhatsApp Manager.
            language: Language code of the template.
            components: Template parameters (header/body/button components), if any.

        Returns:
            The Graph API answer, or None when the send failed.
        """
        template: dict[str, Any] = {"name": template_name, "language": {"code": language}}
        if components:
            template["components"] = components
        wa_id = await run_db(to_wa_id, recipient_id)
        if wa_id is None:
            logger.warning("WhatsApp template not sent: the conversation's number is not known (any more)")
            return None
        api = await self.sender(recipient_id)
        return await api.send(wa_id, {"type": "template", "template": template})
