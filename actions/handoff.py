"""Handoff to a human ("blended" service): the handoff form and the ticket it creates.

``handoff_form`` asks how the resident wants an answer (chat, telefoon, e-mail), the phone number or
e-mail address when needed, a short summary of the question (skipped when ``current_topic`` tells it)
and a confirmation. On "ja" :class:`ActionHandoffSubmit` stores a ticket plus its outbox entry in one
transaction and tries to register it in Klantinteracties at once; when that backend is down the
resident hears that the question is saved and will be passed on. Three invalid answers in a row stop
the form with the phone number of the municipality.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import outbox, tickets
from actions.core import content_values
from actions.db import run_db

logger = logging.getLogger(__name__)

FORM = "handoff_form"
PREFERENCE = "contact_preference"
PHONE = "handoff_phone"
EMAIL = "handoff_email"
SUMMARY = "handoff_summary"
CONFIRM = "handoff_confirm"
TICKET = "handoff_ticket_id"
INVALID_COUNT = "handoff_invalid_count"
GAVE_UP = "handoff_gave_up"
FORM_SLOTS = (PREFERENCE, PHONE, EMAIL, SUMMARY, CONFIRM)
MAX_INVALID_ANSWERS = 3
SUMMARY_MIN = 3
SUMMARY_MAX = 500
INVALID = "__invalid__"

CHAT, TELEFOON, EMAIL_CHOICE = "chat", "telefoon", "e-mail"
_PREFERENCE_WORDS = (
    (EMAIL_CHOICE, re.compile(r"\b(e-?mail|mail|mailen|email)\b")),
    (TELEFOON, re.compile(r"\b(telefoon|telefonisch|bellen|bel|terugbellen|mobiel|nummer)\b")),
    (CHAT, re.compile(r"\b(chat|chatten|hier|app|whatsapp|bericht)\b")),
)
_YES = re.compile(r"^\s*(ja|jawel|jazeker|klopt|zeker|graag|prima|goed|oke|ok|doe maar|doorsturen)\b")
_NO = re.compile(r"^\s*(nee|neen|niet|liever niet|nope)\b")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = re.compile(
    rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]{{1,64}}@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,24}}$"
)
_EMAIL_FIND = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+")
_PHONE_CHARS = re.compile(r"^[\d\s().+-]+$")


# ---------------------------------------------------------------------------- parsing
def parse_preference(text: str, entities: list[dict[str, Any]]) -> str | None:
    """Read chat / telefoon / e-mail from a button entity or typed words."""
    for entity in entities:
        if entity.get("entity") == PREFERENCE and entity.get("value") in (CHAT, TELEFOON, EMAIL_CHOICE):
            return str(entity["value"])
    lowered = text.lower()
    found = [choice for choice, pattern in _PREFERENCE_WORDS if pattern.search(lowered)]
    return found[0] if len(found) == 1 else None


def normalize_phone(text: str) -> str | None:
    """Validate a Dutch phone number and return it as ``+31XXXXXXXXX``, else ``None``.

    Accepts ``06-12345678``, ``06 1234 5678``, ``020 123 4567``, ``(020) 1234567``, ``+31 6 12345678``,
    ``+31 (0)6 12345678`` and ``0031 6 12345678``. Rejects numbers of the wrong length, service
    numbers (0800/0900/090x), machine numbers (097) and anything with letters.
    """
    candidate = text.strip().rstrip(".")
    if not candidate or not _PHONE_CHARS.match(candidate):
        return None
    compact = candidate.replace("(0)", "")
    digits = re.sub(r"\D", "", compact)
    if compact.lstrip().startswith("+"):
        if not digits.startswith("31"):
            return None
        national = digits[2:]
    elif digits.startswith("0031"):
        national = digits[4:]
    elif digits.startswith("0") and not digits.startswith("00"):
        national = digits[1:]
    else:
        return None
    if len(national) != 9 or national[0] == "0":
        return None
    if national.startswith(("800", "900", "906", "909", "97")):
        return None
    return "+31" + national


def display_phone(e164: str) -> str:
    """``+31612345678`` -> ``06 12345678`` (how residents write it)."""
    national = "0" + e164[3:]
    return f"{national[:2]} {national[2:]}" if national.startswith("06") else f"{national[:3]} {national[3:]}"


def normalize_email(text: str) -> str | None:
    """Validate an e-mail address (lower-cases the domain part), else ``None``."""
    match = _EMAIL_FIND.search(text.strip())
    if not match:
        return None
    address = match.group(0).rstrip(".")
    if not _EMAIL_RE.match(address) or ".." in address:
        return None
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def yes_no(text: str, intent: str | None) -> bool | None:
    """``True`` for yes, ``False`` for no, ``None`` when unclear."""
    lowered = text.lower()
    if intent == "deny" or _NO.search(lowered):
        return False
    if intent == "affirm" or _YES.search(lowered):
        return True
    return None


def topic_summary(topic: str | None) -> str | None:
    """Resident-facing title of ``current_topic`` (a product key or an intent), if known."""
    if not topic:
        return None
    try:
        from actions.content import get_content

        content = get_content()
        product = content.product(topic) or content.product_for_intent(topic)
    except Exception:
        logger.exception("municipality content could not be loaded")
        return None
    return product.title if product else None


# ---------------------------------------------------------------------------- the form
class ValidateHandoffForm(FormValidationAction):
    """Reads and validates the answers of ``handoff_form``."""

    def name(self) -> str:
        return "validate_handoff_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The questions that apply; none after three invalid answers."""
        if tracker.get_slot(GAVE_UP):
            return []
        slots = [PREFERENCE]
        preference = tracker.get_slot(PREFERENCE)
        if preference == TELEFOON:
            slots.append(PHONE)
        elif preference == EMAIL_CHOICE:
            slots.append(EMAIL)
        if not topic_summary(tracker.get_slot("current_topic")):
            slots.append(SUMMARY)
        slots.append(CONFIRM)
        return slots

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validate as usual; a new form forgets an invalid-answer count left by a cancelled one."""
        events = await super().run(dispatcher, tracker, domain)
        if tracker.get_slot("requested_slot") is None and tracker.get_slot(INVALID_COUNT):
            events = [SlotSet(INVALID_COUNT, None), *events]
        return events

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Read the answer to the requested question (``cancel`` is left to the rules)."""
        requested = tracker.get_slot("requested_slot")
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        text = (message.get("text") or "").strip()
        if requested not in FORM_SLOTS or intent in ("cancel", "crisis"):
            return []
        if requested == PREFERENCE:
            value: Any = parse_preference(text, message.get("entities") or [])
        elif requested == PHONE:
            value = normalize_phone(text)
        elif requested == EMAIL:
            value = normalize_email(text)
        elif requested == SUMMARY:
            value = text[:SUMMARY_MAX] if len(text) >= SUMMARY_MIN and not text.startswith("/") else None
        else:
            value = yes_no(text, intent)
        return [SlotSet(requested, INVALID if value is None else value)]

    async def validate_contact_preference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._check(PREFERENCE, value, "contact_preference", dispatcher, tracker)

    async def validate_handoff_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._check(PHONE, value, "phone", dispatcher, tracker)

    async def validate_handoff_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._check(EMAIL, value, "email", dispatcher, tracker)

    async def validate_handoff_summary(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value != INVALID:
            from privacy.detect import mask

            value = mask(str(value))
        return self._check(SUMMARY, value, "summary", dispatcher, tracker)

    async def validate_handoff_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._check(CONFIRM, value, "confirm", dispatcher, tracker)

    def _check(
        self, slot: str, value: Any, code: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Accept a value (resetting the counter) or explain, count, and give up at three."""
        if value != INVALID and value is not None:
            return {slot: value, INVALID_COUNT: None}
        count = int(tracker.get_slot(INVALID_COUNT) or 0) + 1
        if count >= MAX_INVALID_ANSWERS:
            dispatcher.utter_message(response="utter_handoff_give_up", **content_values())
            return {slot: None, INVALID_COUNT: None, GAVE_UP: True}
        dispatcher.utter_message(response=f"utter_handoff_invalid_{code}")
        return {slot: None, INVALID_COUNT: float(count)}


class ActionAskHandoffConfirm(Action):
    """Asks for confirmation, repeating the question and how the answer will come."""

    def name(self) -> str:
        return "action_ask_handoff_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        preference = tracker.get_slot(PREFERENCE) or CHAT
        summary = tracker.get_slot(SUMMARY) or topic_summary(tracker.get_slot("current_topic")) or ""
        if preference == TELEFOON and tracker.get_slot(PHONE):
            response, contact = "utter_ask_handoff_confirm_telefoon", display_phone(tracker.get_slot(PHONE))
        elif preference == EMAIL_CHOICE and tracker.get_slot(EMAIL):
            response, contact = "utter_ask_handoff_confirm_email", tracker.get_slot(EMAIL)
        else:
            response, contact = "utter_ask_handoff_confirm_chat", ""
        dispatcher.utter_message(response=response, summary=summary, contact_value=contact)
        return []


# ---------------------------------------------------------------------------- submit
def now_utc() -> datetime:
    """The current time (tests replace this)."""
    return datetime.now(timezone.utc)


def input_channel(tracker: Tracker) -> str:
    """The resident's channel: the latest message's metadata, else the latest input channel."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    return str(channel or tracker.get_latest_input_channel() or "rest")


def response_time_text(now: datetime) -> str:
    """The honest response-time promise from content for ``now`` (office hours aware)."""
    try:
        from actions.content import get_content

        return get_content().handoff_response(now)
    except Exception:
        logger.exception("municipality content could not be loaded")
        return ""


class ActionHandoffSubmit(Action):
    """Creates the ticket after "ja", says nothing is sent after "nee", and resets the form."""

    def name(self) -> str:
        return "action_handoff_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reset: list[EventType] = [SlotSet(slot, None) for slot in (*FORM_SLOTS, INVALID_COUNT, GAVE_UP)]
        if tracker.get_slot(GAVE_UP):
            return reset  # the form already gave the phone number
        if tracker.get_slot(CONFIRM) is not True:
            dispatcher.utter_message(response="utter_handoff_not_sent")
            return reset
        preference = tracker.get_slot(PREFERENCE) or CHAT
        topic = tracker.get_slot("current_topic")
        summary = tracker.get_slot(SUMMARY) or topic_summary(topic) or ""
        contact = {TELEFOON: tracker.get_slot(PHONE), EMAIL_CHOICE: tracker.get_slot(EMAIL)}.get(preference)
        new = tickets.NewTicket(
            sender_id=tracker.sender_id,
            channel=input_channel(tracker),
            summary=summary,
            contact_preference=preference,
            contact_value=contact,
            topic=topic,
            transcript=tickets.transcript_from_events(tracker.events),
        )
        values = content_values()
        try:
            reference, entry_id = await run_db(tickets.create_handoff_ticket, new)
        except Exception:
            logger.exception("handoff ticket could not be stored")
            dispatcher.utter_message(response="utter_handoff_failed")
            dispatcher.utter_message(response="utter_request_human", **values)
            return reset
        status = await outbox.deliver(entry_id)
        if status == outbox.DELIVERED:
            dispatcher.utter_message(
                response="utter_handoff_ticket_created",
                ticket_reference=reference,
                response_time_text=response_time_text(now_utc()),
            )
        else:
            dispatcher.utter_message(
                response="utter_handoff_saved_offline", ticket_reference=reference, **values
            )
        return [*reset, SlotSet(TICKET, reference)]


class ActionDeliverHumanReply(Action):
    """Says the employee's answer to a ticket (triggered by the external intent ``human_reply``)."""

    def name(self) -> str:
        return "action_deliver_human_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reference = next(tracker.get_latest_entity_values("ticket_reference"), None)
        if not reference:
            logger.warning("human_reply without ticket_reference")
            return []
        ticket = await run_db(tickets.get_ticket, str(reference))
        if ticket is None or ticket.sender_id != tracker.sender_id or not ticket.answer:
            logger.warning("human_reply for unknown, foreign or unanswered ticket %s", reference)
            return []
        dispatcher.utter_message(response="utter_human_reply", answer=ticket.answer)
        return []
