""" "Mijn gegevens" (``request_my_data``): what the assistant holds about this conversation.

Ownership is proven by the channel, never by anything the resident types:

* **Web chat** (``socketio``): the conversation id is server-issued (``web:`` + 32 hex) and every
  message of a socket goes to the id accepted at ``session_request`` with its secret
  (:mod:`webchat.channel`): whoever writes here holds the secret of this conversation.
* **WhatsApp**: the conversation is the pseudonym of the number that sent the Meta-signed webhook
  (:mod:`channels.whatsapp_ids`): only the phone's owner writes here.
* **REST** (development only, not in the production profile) and anything else: the client chooses
  the sender id, so nothing is proven and nothing is shown (``utter_my_data_not_here``).

The resident sees the stored (masked) conversation (the last :data:`SHOWN_MESSAGES` messages),
their consents for signals and their questions to an employee, and gets a link to download all of
it as a JSON file from the web chat server (single use, ``MY_DATA_LINK_MINUTES``, see
:mod:`privacy.my_data` and :mod:`webchat.my_data`).
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.config import get_settings
from actions.db import run_db
from actions.parsing.dates import format_date

logger = logging.getLogger(__name__)

SHOWN_MESSAGES = 20
LINE_MAX = 200
_WEB_ID = re.compile(r"^web:[0-9a-f]{32}$")


def ownership_proven(tracker: Tracker) -> bool:
    """Whether the channel of the latest message proves this conversation is the sender's."""
    channel = tracker.get_latest_input_channel()
    sender = str(tracker.sender_id or "")
    if channel == "socketio":
        return bool(_WEB_ID.match(sender))
    if channel == "whatsapp":
        return sender.startswith("wa:")
    return False


def label(domain: dict[str, Any], name: str) -> str:
    """The text of a one-line label response (resident-facing words live in domain.yml)."""
    variants = (domain.get("responses") or {}).get(name) or [{}]
    return str(variants[0].get("text") or "")


def transcript_text(messages: list[dict[str, Any]], domain: dict[str, Any]) -> str:
    """The last messages as lines "U: ..." / "Assistent: ..."."""
    names = {
        "inwoner": label(domain, "utter_my_data_label_resident"),
        "assistent": label(domain, "utter_my_data_label_assistant"),
    }
    lines = []
    for message in messages[-SHOWN_MESSAGES:]:
        text = " ".join(str(message["text"]).split())
        if len(text) > LINE_MAX:
            text = text[: LINE_MAX - 1] + "…"
        lines.append(f"{names.get(message['van'], '')}: {text}")
    return "\n".join(lines)


def tickets_text(found: list[dict[str, Any]], domain: dict[str, Any]) -> str:
    """One line per question to an employee: number, state, question."""
    return "\n".join(
        f"{t['reference']} ({label(domain, 'utter_my_data_status_' + str(t['status']))}): {t['summary']}"
        for t in found
    )


class ActionMyData(Action):
    """Shows what is stored about this conversation and gives a one-time download link."""

    def name(self) -> str:
        return "action_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        from actions.core import content_values
        from privacy import my_data

        if not ownership_proven(tracker):
            dispatcher.utter_message(response="utter_my_data_not_here", **content_values())
            return []
        try:
            export = await run_db(my_data.collect, tracker.sender_id)
            token = await run_db(my_data.create_export, tracker.sender_id, export)
        except Exception:  # never show internals; operators see the log
            logger.exception("mijn gegevens could not be collected")
            dispatcher.utter_message(response="utter_my_data_failed", **content_values())
            return []
        dispatcher.utter_message(response="utter_my_data_intro")
        messages = export["gesprek"]
        if messages:
            dispatcher.utter_message(
                response="utter_my_data_transcript",
                count=str(len(messages)),
                shown=str(min(len(messages), SHOWN_MESSAGES)),
                transcript=transcript_text(messages, domain),
            )
        else:
            dispatcher.utter_message(response="utter_my_data_no_transcript")
        active = [c for c in export["aanmeldingen_berichten"] if c["actief"]]
        if active:
            given = str(active[-1]["gegeven_op"] or "")[:10]
            since = format_date(date.fromisoformat(given)) if given else ""
            dispatcher.utter_message(response="utter_my_data_consents", since=since)
        else:
            dispatcher.utter_message(response="utter_my_data_no_consents")
        if export["vragen_aan_medewerker"]:
            dispatcher.utter_message(
                response="utter_my_data_tickets",
                tickets=tickets_text(export["vragen_aan_medewerker"], domain),
            )
        else:
            dispatcher.utter_message(response="utter_my_data_no_tickets")
        settings = get_settings()
        url = f"{settings.webchat_public_url.rstrip('/')}/mijn-gegevens/{token}"
        dispatcher.utter_message(
            response="utter_my_data_download", url=url, minutes=str(settings.my_data_link_minutes)
        )
        return []
