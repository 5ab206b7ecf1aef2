"""Where an employee's answer "hier in de chat" can reach the resident later (issue 13).

The handoff only offers the chat as a way to get the answer when the answer can arrive hours or days
later:

* **Web chat** (``socketio``): only a server-issued conversation id (``web:`` + 32 hex,
  :mod:`channels.socketio_input`), which the widget keeps with its secret in localStorage; a returning
  resident gets the stored conversation, the answer included. A widget that cannot store (no
  localStorage, e.g. some private windows) says ``"durable": false`` in its message metadata: the
  conversation ends with the tab, so the chat is not offered.
* **WhatsApp**: inside the 24-hour window the answer is a normal message; outside it only an approved
  template may be sent, so the chat is offered only when ``WHATSAPP_REPLY_TEMPLATE`` names one (the
  template gives the ticket number; the resident then asks for it in the chat).
* **REST** (development only): a REST client cannot receive a later message, so never.

The channel is the one Rasa recorded for the latest message (``input_channel``), never the message
metadata, which a web chat client can write.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from foundation.settings import get_settings

_SERVER_ISSUED_WEB_ID = re.compile(r"^web:[0-9a-f]{32}$")


def chat_answer_reaches(tracker: Tracker) -> bool:
    """Whether an answer sent into this conversation later will reach the resident."""
    channel = tracker.get_latest_input_channel()
    sender = str(tracker.sender_id or "")
    if channel == "socketio":
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        durable = not (isinstance(metadata, dict) and metadata.get("durable") is False)
        return bool(_SERVER_ISSUED_WEB_ID.match(sender)) and durable
    if channel == "whatsapp":
        return sender.startswith("wa:") and bool(get_settings().whatsapp_reply_template)
    return False
