"""Shared form base of the transaction flows (moving, public space, appointments, case status).

It reuses :class:`actions.permit_form.PermitFormValidation` (several answers in one message,
corrections, "weet ik niet", side questions left to the rules, three invalid answers in a row ->
offer a human) and adds what transactions need:

    * free-text questions (a description, a location, a name): the whole message is the answer unless
      it is clearly something else (``cancel``, a request for a human, a side question about the
      assistant or the opening hours);
    * a plain yes/no confirmation question after the summary;
    * a stop switch (:data:`STOP_SLOT`): when a backend read fails, the form ends at once and the
      submit action only tidies up (the validator already told the resident what to do now);
    * its own "offer a human" answer (the permit one talks about a self-check).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.permit_form import (
    BOOKKEEPING_SLOTS,
    HANDOFF_SLOT,
    INVALID_COUNT_SLOT,
    INVALID_SLOT_SLOT,
    MAX_INVALID_ANSWERS,
    PermitFormValidation,
    invalid,
    yes_no,
)
from actions.permit_rules import UNKNOWN

#: Set (True) when a backend read failed inside a form: the form stops, nothing is submitted.
STOP_SLOT = "flow_stopped"
#: Every slot a flow resets when it ends (besides its own).
FLOW_BOOKKEEPING = (*BOOKKEEPING_SLOTS, STOP_SLOT)
#: Intents that are never a free-text answer (the rules handle them).
CONTROL_INTENTS = frozenset(
    {
        "cancel",
        "request_human",
        "answer_not_helpful",
        "bot_challenge",
        "ask_capabilities",
        "opening_hours",
        "contact_info",
        "forget_me",
        "greet",
        "goodbye",
        "thank",
        "dont_know",
        "crisis",  # the safety layer answers it (actions/safety.py); never a form answer
    }
)
YES, NO = "ja", "nee"
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_PHONE = re.compile(r"(?:\+31|\b0031|\b0)[ -]?[1-9](?:[ -]?[0-9]){8}\b")


def entity_value(entities: list[dict], *names: str) -> Any:
    """The value of the first entity with one of ``names`` (button payloads set these directly)."""
    return next((e.get("value") for e in entities if e.get("entity") in names), None)


def parse_confirmation(text: str, intent: str | None, requested: bool) -> Any:
    """Read the answer to a "shall I send it?" question: ``ja``, ``nee`` or an invalid marker."""
    if not requested:
        return None
    return yes_no(text, intent) or invalid("confirm")


def find_email(text: str) -> str | None:
    """The first e-mail address in ``text`` (lower case), or ``None``."""
    match = _EMAIL.search(text)
    return match[0].lower() if match else None


def find_phone(text: str) -> str | None:
    """The first Dutch phone number in ``text`` as ``+31...``, or ``None``."""
    match = _PHONE.search(text)
    if not match:
        return None
    digits = re.sub(r"\D", "", match[0])
    if digits.startswith("0031"):
        digits = digits[4:]
    elif digits.startswith("31") and match[0].startswith("+"):
        digits = digits[2:]
    else:
        digits = digits[1:]
    return "+31" + digits


def idempotency_key(kind: str, tracker: Tracker, payload: dict[str, Any]) -> str:
    """A key that is the same when the same submission is sent twice (a retried action call)."""
    latest = next((e for e in reversed(tracker.events) if e.get("event") == "user"), {}) or {}
    moment = str(latest.get("timestamp") or (tracker.latest_message or {}).get("message_id") or "")
    digest = hashlib.sha256(
        json.dumps([tracker.sender_id, moment, payload], sort_keys=True, default=str).encode()
    ).hexdigest()[:32]
    return f"{kind}:{digest}"


def reset_events(slots: tuple[str, ...]) -> list[EventType]:
    """``SlotSet(None)`` for the flow's slots and the shared bookkeeping."""
    return [SlotSet(slot, None) for slot in (*slots, *FLOW_BOOKKEEPING)]


class FlowFormValidation(PermitFormValidation):
    """Base of the transaction form validators.

    Subclasses set :attr:`slots`, :attr:`trigger_intent`, :attr:`response_prefix`,
    :attr:`free_text_slots`, implement :meth:`parse` and optionally :meth:`questions`.
    Invalid answers use ``utter_<prefix>_invalid_<code>``.
    """

    free_text_slots: frozenset[str] = frozenset()

    def questions(self, answers: dict[str, Any]) -> list[str]:
        """All questions, unless a subclass skips some."""
        return list(self.slots)

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """No questions once the form gave up or a backend failed."""
        if tracker.get_slot(STOP_SLOT):
            return []
        return await super().required_slots(domain_slots, dispatcher, tracker, domain)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The permit extraction, plus free-text answers; validated in question order."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        requested = tracker.get_slot("requested_slot")
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        text = (message.get("text") or "").strip()
        filled = {e["name"] for e in events if e.get("event") == "slot"}
        if (
            requested in self.free_text_slots
            and requested not in filled
            and intent not in CONTROL_INTENTS
            and intent != self.trigger_intent
            and text
            and not text.startswith("/")
        ):
            events.append(SlotSet(requested, text))
        order = {slot: index for index, slot in enumerate(self.slots)}
        return sorted(events, key=lambda e: order.get(e.get("name"), len(order)))

    def reject(
        self, slot: str, code: str, dispatcher: CollectingDispatcher, tracker: Tracker, **values: Any
    ) -> dict[str, Any]:
        """Explain why an answer cannot be used; after three in a row, stop and offer a human."""
        previous = tracker.get_slot(INVALID_COUNT_SLOT) if tracker.get_slot(INVALID_SLOT_SLOT) == slot else 0
        count = int(previous or 0) + 1
        if count >= MAX_INVALID_ANSWERS:
            dispatcher.utter_message(response="utter_flow_offer_human", **values)
            return {slot: None, INVALID_COUNT_SLOT: None, INVALID_SLOT_SLOT: None, HANDOFF_SLOT: True}
        dispatcher.utter_message(response=f"utter_{self.response_prefix}_invalid_{code}", **values)
        return {slot: None, INVALID_COUNT_SLOT: float(count), INVALID_SLOT_SLOT: slot}

    def stop(
        self, slot: str, response: str, dispatcher: CollectingDispatcher, **values: Any
    ) -> dict[str, Any]:
        """A backend read failed: say what to do now and end the form without submitting."""
        dispatcher.utter_message(response=response, **values)
        return {slot: None, STOP_SLOT: True}

    def validate_confirmation(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Accept ``ja``/``nee`` to the summary question."""
        if value in (YES, NO):
            return self.accept(slot, value, tracker)
        return self.reject(slot, "confirm", dispatcher, tracker)

    def validate_text(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        code: str,
        min_chars: int = 3,
        max_chars: int = 500,
    ) -> dict[str, Any]:
        """Accept a free-text answer of a sensible length (with at least one letter).

        "Weet ik niet" and too short answers are rejected with ``utter_<prefix>_invalid_<code>``.
        """
        text = str(value).strip() if isinstance(value, str) and value != UNKNOWN else ""
        if len(text) < min_chars or not re.search(r"[A-Za-zÀ-ÿ]", text):
            return self.reject(slot, code, dispatcher, tracker)
        return self.accept(slot, text[:max_chars], tracker)
