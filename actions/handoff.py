"""Handoff to a human ("blended" service): the handoff form and the ticket it creates.

``handoff_form`` asks how the resident wants an answer (chat, telefoon, e-mail), the phone number or
e-mail address when needed, the resident's question in their own words (taken from the request
itself when it holds one: "ik wil een medewerker, mijn rijbewijs is gestolen") and a confirmation;
"nee" to the confirmation asks what to change. "Hier in de chat" is offered (and accepted) only
where an answer can reach the resident later (:mod:`actions.reachability`). On "ja"
:class:`ActionHandoffSubmit` stores a ticket plus its outbox entry in one transaction and tries to
register it in Klantinteracties at once; when that backend is down the resident hears that the
question is saved and will be passed on. Three invalid answers in a row stop the form with the phone
number of the municipality.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import reachability, tickets
from actions.content import content_or
from actions.conversation import content_values
from actions.forms import HANDOFF_SLOT, FormValidation, invalid, is_invalid, parse_confirmation, reset_events
from actions.parsing import YES, display_phone, find_email, find_phone, normalise_phone
from foundation import clock, outbox
from foundation.db import run_db
from integrations.rasa_api import is_system_message
from privacy.detect import mask

logger = logging.getLogger(__name__)

FORM = "handoff_form"
PREFERENCE = "contact_preference"
PHONE = "handoff_phone"
EMAIL = "handoff_email"
SUMMARY = "handoff_summary"
CONFIRM = "handoff_confirm"
TICKET = "handoff_ticket_id"
FORM_SLOTS = (PREFERENCE, PHONE, EMAIL, SUMMARY, CONFIRM)
SUMMARY_MIN = 3
SUMMARY_MAX = 500
#: Words of a request for a human; what remains of the opening message is the resident's question.
_HUMAN_WORDS = re.compile(
    r"\b(ik\s+)?(wil|zou|wil\s+graag|graag|kan\s+ik|mag\s+ik)?\s*(toch\s+)?(graag\s+)?(een\s+)?"
    r"(medewerker|mens|persoon|iemand)(\s+(spreken|hebben|aan de lijn|bellen))?\b",
    re.IGNORECASE,
)
#: Fewer words than this left after the request: no question in the opening message.
_QUESTION_MIN_WORDS = 3

CHAT, TELEFOON, EMAIL_CHOICE = "chat", "telefoon", "e-mail"
_PREFERENCE_WORDS = (
    (EMAIL_CHOICE, re.compile(r"\b(e-?mail|mail|mailen|email)\b")),
    (TELEFOON, re.compile(r"\b(telefoon|telefonisch|bellen|bel|terugbellen|mobiel|nummer)\b")),
    (CHAT, re.compile(r"\b(chat|chatten|hier|app|whatsapp|bericht)\b")),
)


# ---------------------------------------------------------------------------- parsing
def parse_preference(text: str, entities: list[dict[str, Any]]) -> str | None:
    """Read chat / telefoon / e-mail from a button entity or typed words."""
    for entity in entities:
        if entity.get("entity") == PREFERENCE and entity.get("value") in (CHAT, TELEFOON, EMAIL_CHOICE):
            return str(entity["value"])
    lowered = text.lower()
    found = [choice for choice, pattern in _PREFERENCE_WORDS if pattern.search(lowered)]
    return found[0] if len(found) == 1 else None


def question_in_request(text: str) -> str | None:
    """The resident's own question in a request for a human ("ik wil een medewerker, mijn ...")."""
    if text.startswith("/"):
        return None
    rest = _HUMAN_WORDS.sub(" ", text)
    words = re.findall(r"[A-Za-zÀ-ÿ0-9]+", rest)
    if len(words) < _QUESTION_MIN_WORDS:
        return None
    return text.strip()[:SUMMARY_MAX]


def topic_summary(topic: str | None) -> str | None:
    """Resident-facing title of ``current_topic`` (a product key or an intent), if known."""
    if not topic:
        return None
    product = content_or(lambda content: content.product(topic) or content.product_for_intent(topic), None)
    return product.title if product else None


# ---------------------------------------------------------------------------- the form
class ValidateHandoffForm(FormValidation):
    """Reads and validates the answers of ``handoff_form`` (the question is always the resident's)."""

    slots = FORM_SLOTS
    trigger_intents = frozenset({"request_human", "answer_not_helpful"})
    response_prefix = "handoff"
    free_text_slots = frozenset({SUMMARY})
    confirm_slot = CONFIRM
    offer_human_response = "utter_handoff_give_up"
    change_words = (
        (r"\b(telefoonnummer|nummer)\b", (PHONE,)),
        (r"\b(e-?mail\w*|mailadres)\b", (EMAIL,)),
        (r"\b(vraag|tekst|omschrijving)\b", (SUMMARY,)),
        (r"\b(manier|contact|chat|bellen|antwoord)\b", (PREFERENCE, PHONE, EMAIL)),
    )

    def name(self) -> str:
        return "validate_handoff_form"

    def offer_human_values(self) -> dict[str, Any]:
        return content_values()

    def questions(self, answers: dict[str, Any]) -> list[str]:
        slots = [PREFERENCE]
        if answers.get(PREFERENCE) == TELEFOON:
            slots.append(PHONE)
        elif answers.get(PREFERENCE) == EMAIL_CHOICE:
            slots.append(EMAIL)
        return [*slots, SUMMARY, CONFIRM]

    def prefill(
        self, text: str, intent: str | None, entities: list[dict], tracker: Tracker
    ) -> dict[str, Any]:
        """The question from the request itself; a preference given with it ("bel mij")."""
        values: dict[str, Any] = {}
        question = question_in_request(text)
        if question:
            values[SUMMARY] = question
        if intent == "request_human" and not text.startswith("/"):
            preference = parse_preference(text, entities) if question is None else None
            if preference == CHAT and not reachability.chat_answer_reaches(tracker):
                preference = None  # the chat is not offered here; the question explains the choice
            if preference:
                values[PREFERENCE] = preference
        return values

    def parse(self, slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]) -> Any:
        if not requested:
            return None  # the handoff reads only the answer to its question
        if slot == PREFERENCE:
            return parse_preference(text, entities) or invalid("contact_preference")
        if slot == PHONE:
            return normalise_phone(text) or find_phone(text) or invalid("phone")
        if slot == EMAIL:
            return find_email(text) or invalid("email")
        if slot == CONFIRM:
            return parse_confirmation(text, intent, requested)
        return None  # the summary: free text

    async def validate_contact_preference(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if value not in (CHAT, TELEFOON, EMAIL_CHOICE):
            return self.reject(PREFERENCE, "contact_preference", dispatcher, tracker)
        if value == CHAT and not reachability.chat_answer_reaches(tracker):
            return self.reject(PREFERENCE, "chat_unavailable", dispatcher, tracker)
        return self.accept(PREFERENCE, value, tracker)

    async def validate_handoff_phone(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if is_invalid(value) or not isinstance(value, str):
            return self.reject(PHONE, "phone", dispatcher, tracker)
        return self.accept(PHONE, value, tracker)

    async def validate_handoff_email(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if is_invalid(value) or not isinstance(value, str):
            return self.reject(EMAIL, "email", dispatcher, tracker)
        return self.accept(EMAIL, value, tracker)

    async def validate_handoff_summary(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        result = self.validate_text(
            SUMMARY, value, dispatcher, tracker, "summary", min_chars=SUMMARY_MIN, max_chars=SUMMARY_MAX
        )
        if result.get(SUMMARY):
            result[SUMMARY] = mask(str(result[SUMMARY]))
        return result

    async def validate_handoff_confirm(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.validate_confirmation(CONFIRM, value, dispatcher, tracker)


class ActionAskContactPreference(Action):
    """Asks how the answer should come; "Hier in de chat" only where it can arrive later."""

    def name(self) -> str:
        return "action_ask_contact_preference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if reachability.chat_answer_reaches(tracker):
            dispatcher.utter_message(response="utter_ask_contact_preference")
        else:
            dispatcher.utter_message(response="utter_ask_contact_preference_no_chat")
        return []


class ActionAskHandoffConfirm(Action):
    """Asks for confirmation, repeating the question and how the answer will come."""

    def name(self) -> str:
        return "action_ask_handoff_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        preference = tracker.get_slot(PREFERENCE) or CHAT
        summary = tracker.get_slot(SUMMARY) or ""
        if preference == TELEFOON and tracker.get_slot(PHONE):
            response, contact = "utter_ask_handoff_confirm_telefoon", display_phone(tracker.get_slot(PHONE))
        elif preference == EMAIL_CHOICE and tracker.get_slot(EMAIL):
            response, contact = "utter_ask_handoff_confirm_email", tracker.get_slot(EMAIL)
        else:
            response, contact = "utter_ask_handoff_confirm_chat", ""
        dispatcher.utter_message(response=response, summary=summary, contact_value=contact)
        return []


# ---------------------------------------------------------------------------- submit
def input_channel(tracker: Tracker) -> str:
    """The resident's channel: the latest message's metadata, else the latest input channel."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    return str(channel or tracker.get_latest_input_channel() or "rest")


def response_time_text(now: datetime) -> str:
    """The honest response-time promise from content for ``now`` (office hours aware)."""
    return content_or(lambda content: content.handoff_response(now), "")


class ActionHandoffSubmit(Action):
    """Creates the ticket after "ja", says nothing is sent after "nee", and resets the form."""

    def name(self) -> str:
        return "action_handoff_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reset = reset_events(FORM_SLOTS)
        if tracker.get_slot(HANDOFF_SLOT):
            return reset  # the form already gave the phone number
        if tracker.get_slot(CONFIRM) != YES:
            dispatcher.utter_message(response="utter_handoff_not_sent")
            return reset
        preference = tracker.get_slot(PREFERENCE) or CHAT
        topic = tracker.get_slot("current_topic")
        summary = tracker.get_slot(SUMMARY) or topic_summary(topic) or ""  # the resident's own words
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
                response_time_text=response_time_text(clock.utcnow()),
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
        if not is_system_message(tracker):
            logger.warning("typed human_reply refused")
            dispatcher.utter_message(response="utter_system_intent_refused")
            return []
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


# ---------------------------------------------------------------------------- looking a ticket up
_TICKET_REFERENCE = re.compile(r"\b[tT][- ]?(20[0-9]{2})[- ]?([0-9]{6})\b")


def find_ticket_reference(text: str) -> str | None:
    """``T-2026-000123`` from "t2026000123", "T 2026 000123", ..., else ``None``."""
    match = _TICKET_REFERENCE.search(text)
    return f"T-{match[1]}-{match[2]}" if match else None


class ActionTicketStatus(Action):
    """Tells the resident the number and state of their question to an employee, later in the chat.

    Only tickets of this conversation are shown: another resident's number gets the same answer as
    an unknown one, so numbers cannot be tried out.
    """

    def name(self) -> str:
        return "action_ticket_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        reference = find_ticket_reference(text) or tracker.get_slot(TICKET)
        if not reference:
            dispatcher.utter_message(response="utter_ticket_none", **content_values())
            return []
        try:
            ticket = await run_db(tickets.get_ticket, reference)
        except Exception:
            logger.exception("ticket lookup failed")
            dispatcher.utter_message(response="utter_ticket_lookup_failed", **content_values())
            return []
        if ticket is None or ticket.sender_id != tracker.sender_id:
            dispatcher.utter_message(response="utter_ticket_unknown", ticket_reference=reference)
            return []
        if ticket.answer:
            dispatcher.utter_message(
                response="utter_ticket_answered", ticket_reference=reference, answer=ticket.answer
            )
        else:
            dispatcher.utter_message(
                response="utter_ticket_open",
                ticket_reference=reference,
                summary=ticket.summary,
                response_time_text=response_time_text(clock.utcnow()),
            )
        return [SlotSet(TICKET, reference)]
