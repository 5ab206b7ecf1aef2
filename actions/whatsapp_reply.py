"""An employee's answer to a WhatsApp resident outside the 24-hour window (issue 13).

Inside the window the answer goes into the conversation as a normal message (Rasa's
``trigger_intent``, :mod:`actions.employee`). Outside it WhatsApp only allows an approved template:
``WHATSAPP_REPLY_TEMPLATE`` with the ticket number as its one body parameter ("Er is een antwoord op
uw vraag {{1}}. Stuur ons een bericht om het te lezen."). The resident's next message opens the
window again, and "wat is de stand van mijn vraag T-..." (``ask_ticket_status``) shows the answer.
The answer itself is never put in a template.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from channels.whatsapp_api import GraphApiClient
from channels.whatsapp_output import WhatsAppOutput
from channels.whatsapp_store import conversation_in_service_window
from foundation.db import run_db
from foundation.outbox import PermanentDeliveryError
from foundation.settings import Settings, get_settings

#: Minutes of margin: an answer that would arrive just before the window closes goes as the template.
WINDOW_MARGIN_MINUTES = 5


class TemplateNotSent(RuntimeError):
    """The template send failed (retried by the outbox)."""


def make_output(settings: Settings) -> Any:
    """The WhatsApp output channel (tests replace this)."""
    api = GraphApiClient(
        settings.whatsapp_graph_url, settings.whatsapp_phone_number_id, settings.whatsapp_access_token
    )
    return WhatsAppOutput(api)


def _window_open(sender_id: str) -> bool:
    later = datetime.now(timezone.utc) + timedelta(minutes=WINDOW_MARGIN_MINUTES)
    return conversation_in_service_window(sender_id, later)


async def needs_template(channel: str, sender_id: str) -> bool:
    """Whether an answer to this conversation must go as the reply template (WhatsApp, window closed)."""
    return channel == "whatsapp" and not await run_db(_window_open, sender_id)


async def send_reply_template(sender_id: str, reference: str, settings: Settings | None = None) -> None:
    """Tell the resident there is an answer to ``reference`` with the approved template.

    Raises:
        PermanentDeliveryError: No template is configured: a retry cannot help (staff see it dead).
        TemplateNotSent: WhatsApp refused or could not be reached (the outbox retries).
    """
    s = settings or get_settings()
    if not s.whatsapp_reply_template:
        raise PermanentDeliveryError("WHATSAPP_REPLY_TEMPLATE is not set and the 24-hour window is closed")
    output = make_output(s)
    components = [{"type": "body", "parameters": [{"type": "text", "text": reference}]}]
    try:
        answer = await output.send_template(sender_id, s.whatsapp_reply_template, "nl", components)
    finally:
        api = getattr(output, "api", None)
        if api is not None:
            await api.aclose()
    if answer is None:
        raise TemplateNotSent("WhatsApp did not accept the reply template")
