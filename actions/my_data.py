"""Mijn gegevens (``request_my_data``): what the assistant holds about this conversation.

Ownership is proven by the channel, never by anything the resident types:

* **Web chat** (``socketio``): the conversation id is server-issued (``web:`` + 32 hex) and every
  message of a socket goes to the id accepted at ``session_request`` with its secret
  (:mod:`channels.socketio_input`): whoever writes here holds the secret of this conversation.
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
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import tickets
from actions.conversation import content_values
from actions.municipality import settings_for
from actions.parsing.dates import format_date
from foundation.db import get_engine, metadata, run_db
from foundation.settings import get_settings
from privacy import my_data
from signals import store as signal_store

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
    """The text of a one-line label response (resident-facing words live in domain/privacy.yml)."""
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


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if value else None


def consents(sender_id: str) -> list[dict[str, Any]]:
    """The conversation's consents for signals (active and revoked), without the BSN."""
    table = signal_store.consents
    with get_engine().connect() as connection:
        rows = connection.execute(
            sa.select(table).where(table.c.sender_id == sender_id).order_by(table.c.given_at)
        ).mappings()
        return [
            {
                "kanaal": row["channel"],
                "versie_tekst": row["consent_version"],
                "gegeven_op": _iso(row["given_at"]),
                "ingetrokken_op": _iso(row["revoked_at"]),
                "actief": row["revoked_at"] is None,
                "burgerservicenummer_bekend": bool(row["bsn"]),
            }
            for row in rows
        ]


def handoff_tickets(sender_id: str) -> list[dict[str, Any]]:
    """The conversation's questions to an employee (contact detail and answer are the resident's own)."""
    table = tickets.handoff_tickets
    with get_engine().connect() as connection:
        metadata.create_all(connection, tables=[table])
        rows = connection.execute(
            sa.select(table).where(table.c.sender_id == sender_id).order_by(table.c.created_at)
        ).mappings()
        return [
            {
                "reference": row["reference"],
                "status": row["status"],
                "summary": row["summary"],
                "contact_preference": row["contact_preference"],
                "contact_value": row["contact_value"],
                "created_at": _iso(row["created_at"]),
                "answer": row["answer"],
                "answered_at": _iso(row["answered_at"]),
            }
            for row in rows
        ]


def collect(sender_id: str) -> dict[str, Any]:
    """Everything "mijn gegevens" shows for one conversation (blocking)."""
    return {
        "gesprek": my_data.stored_messages(sender_id),
        "aanmeldingen_berichten": consents(sender_id),
        "vragen_aan_medewerker": handoff_tickets(sender_id),
        "bewaartermijn_dagen": settings_for().retention_days,  # the conversation's municipality's (issue 18)
    }


class ActionMyData(Action):
    """Shows what is stored about this conversation and gives a one-time download link."""

    def name(self) -> str:
        return "action_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not ownership_proven(tracker):
            dispatcher.utter_message(response="utter_my_data_not_here", **content_values())
            return []
        try:
            export = await run_db(collect, tracker.sender_id)
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
