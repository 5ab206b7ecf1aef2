"""Shared machinery of the permit self-check forms (dormer_form, tree_form).

What every self-check form does here:
    * reads the latest message itself (custom slot mappings): the answer to the requested question,
      plus answers to other questions recognised by keywords (several answers in one message, and
      corrections such as "nee, de dakkapel komt aan de voorkant");
    * "weet ik niet" (intent ``dont_know``) fills the requested slot with ``weet_ik_niet``;
    * a message with another intent (a side question, ``cancel``) fills nothing, so the form rejects
      and the rules answer it (then ``utter_resume_form`` and the form asks its question again);
    * an answer that cannot be used gets a Dutch explanation (``utter_<form>_invalid_<code>``) and the
      question again; after three invalid answers in a row to the same question the form stops and
      offers a human (``permit_handoff`` is set, the submit action sees it).
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.permit_rules import NO, UNKNOWN, YES

logger = logging.getLogger(__name__)

#: Intents whose message is read as an answer to the requested question.
ANSWER_INTENTS = frozenset({"inform", "affirm", "deny", "dont_know", "nlu_fallback", "out_of_scope"})
#: Intents whose message is never read as an answer, not even partly (the safety layer answers them).
NEVER_ANSWER_INTENTS = frozenset({"crisis"})
MAX_INVALID_ANSWERS = 3
INVALID_COUNT_SLOT = "permit_invalid_count"
INVALID_SLOT_SLOT = "permit_invalid_slot"
HANDOFF_SLOT = "permit_handoff"
BOOKKEEPING_SLOTS = (INVALID_COUNT_SLOT, INVALID_SLOT_SLOT, HANDOFF_SLOT)

#: Slot value produced by extraction when the answer to the requested question cannot be used.
INVALID_KEY = "invalid"

_NEGATION = re.compile(r"\b(geen|niet|nee|nope)\b")
_YES_WORDS = re.compile(r"^\s*(ja|jawel|jazeker|klopt|zeker|inderdaad|yes|jep|ja hoor)\b")
_NO_WORDS = re.compile(r"^\s*(nee|neen|nope|welnee|nee hoor|niet)\b")


def invalid(code: str) -> dict[str, str]:
    """Return the extraction marker of an unusable answer with its reason code."""
    return {INVALID_KEY: code}


def is_invalid(value: Any) -> bool:
    """Whether a slot value is the marker of an unusable answer."""
    return isinstance(value, dict) and INVALID_KEY in value


def yes_no(text: str, intent: str | None) -> str | None:
    """Read a plain yes/no answer ("ja", "nee", or the affirm/deny intent)."""
    lowered = text.lower()
    if _NO_WORDS.search(lowered) or intent == "deny":
        return NO
    if _YES_WORDS.search(lowered) or intent == "affirm":
        return YES
    return None


def keyword_yes_no(text: str, pattern: re.Pattern[str]) -> str | None:
    """Yes/no from a keyword ("het is een monument" -> ja, "geen monument" -> nee), else ``None``.

    The keyword is negated when "geen"/"niet"/"nee" occurs in the same clause before it.
    """
    for clause in re.split(r"[,;.]|\ben\b|\bmaar\b", text.lower()):
        match = pattern.search(clause)
        if match:
            return NO if _NEGATION.search(clause[: match.start()]) else YES
    return None


def format_number(value: float, decimals: int = 2) -> str:
    """Write a number the Dutch way: "1,50", "94"."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return text.replace(".", ",")


Parser = Callable[[str, str | None, bool], Any]


class PermitFormValidation(FormValidationAction, ABC):
    """Base class of the self-check validation actions (abstract: not registered as an action).

    Subclasses set :attr:`slots` (all question slots, in order), :attr:`trigger_intent`, implement
    :meth:`questions` (the questions that still matter) and :meth:`parse` (read one slot's answer).
    """

    slots: tuple[str, ...] = ()
    trigger_intent: str = ""

    @abstractmethod
    def name(self) -> str:
        """The validation action's name, ``validate_<form>``."""

    #: Prefix of this form's responses, e.g. "dormer" -> utter_dormer_invalid_<code>.
    response_prefix: str = ""

    def questions(self, answers: dict[str, Any]) -> list[str]:
        """Return the question slots that still matter for these answers."""
        raise NotImplementedError

    def parse(self, slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]) -> Any:
        """Read the answer to ``slot`` from a message.

        Args:
            slot: The question slot.
            text: The message text.
            intent: The message intent.
            requested: Whether this is the question that was asked (plain "ja"/"nee"/numbers count);
                otherwise only unambiguous keywords count.
            entities: The message entities.

        Returns:
            The canonical value, an :func:`invalid` marker (only when requested), or ``None``.
        """
        raise NotImplementedError

    # ------------------------------------------------------------------ rasa-sdk hooks
    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The questions that still matter; none after the form gave up (handoff)."""
        if tracker.get_slot(HANDOFF_SLOT):
            return []
        answers = {slot: tracker.get_slot(slot) for slot in self.slots}
        questions = self.questions({slot: None if is_invalid(v) else v for slot, v in answers.items()})
        # Answers given in this message are validated even if they make their own question moot.
        pending = tracker.slots_to_validate()
        return [slot for slot in self.slots if slot in questions or slot in pending]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        """Always name the next question (``None`` when done), also when no question is skipped."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = next((slot for slot in required if tracker.slots.get(slot) is None), None)
        return SlotSet("requested_slot", missing)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Read the latest message: the requested answer and recognisable other answers."""
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        text = message.get("text") or ""
        entities = message.get("entities") or []
        if intent in NEVER_ANSWER_INTENTS:
            return []
        requested = tracker.get_slot("requested_slot")
        if requested not in self.slots:
            requested = None
        is_answer = intent in ANSWER_INTENTS or intent == self.trigger_intent
        values: dict[str, Any] = {}
        if is_answer and not text.startswith("/" + self.trigger_intent):
            for slot in self.slots:
                if slot == requested:
                    continue
                value = self.parse(slot, text, intent, False, entities)
                if value is not None and value != tracker.get_slot(slot):
                    values[slot] = value
        if requested and intent != self.trigger_intent:
            value = UNKNOWN if intent == "dont_know" else self.parse(requested, text, intent, True, entities)
            if not is_answer and (value is None or is_invalid(value)):
                value = None  # a side question or cancel: let the form reject and the rules answer
            elif values and (is_invalid(value) or self._bare_answer(requested, text, intent, entities)):
                value = None  # "nee, de dakkapel komt aan de voorkant" corrects another answer
            if value is not None:
                values[requested] = value
        changed = [slot for slot in values if slot != requested and tracker.get_slot(slot) is not None]
        if changed:
            dispatcher.utter_message(response="utter_permit_answer_changed")
        return [SlotSet(slot, value) for slot, value in values.items()]

    def _bare_answer(self, slot: str, text: str, intent: str | None, entities: list[dict]) -> bool:
        """Whether the answer to ``slot`` is only a plain "ja"/"nee" (not one of its own keywords)."""
        return yes_no(text, intent) is not None and self.parse(slot, text, intent, False, entities) is None

    # ------------------------------------------------------------------ validation helpers
    def accept(self, slot: str, value: Any, tracker: Tracker) -> dict[str, Any]:
        """Accept a value and reset the invalid-answer counter."""
        result: dict[str, Any] = {slot: value}
        if tracker.get_slot(INVALID_COUNT_SLOT):
            result.update({INVALID_COUNT_SLOT: None, INVALID_SLOT_SLOT: None})
        return result

    def reject(
        self, slot: str, code: str, dispatcher: CollectingDispatcher, tracker: Tracker, **values: Any
    ) -> dict[str, Any]:
        """Reject an answer: explain why, count it, and give up after three in a row."""
        previous = tracker.get_slot(INVALID_COUNT_SLOT) if tracker.get_slot(INVALID_SLOT_SLOT) == slot else 0
        count = int(previous or 0) + 1
        if count >= MAX_INVALID_ANSWERS:
            dispatcher.utter_message(response="utter_permit_offer_human")
            return {slot: None, INVALID_COUNT_SLOT: None, INVALID_SLOT_SLOT: None, HANDOFF_SLOT: True}
        dispatcher.utter_message(response=f"utter_{self.response_prefix}_invalid_{code}", **values)
        return {slot: None, INVALID_COUNT_SLOT: float(count), INVALID_SLOT_SLOT: slot}

    def validate_choice(
        self,
        slot: str,
        value: Any,
        allowed: tuple[str, ...],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> dict[str, Any]:
        """Validate a fixed-choice answer."""
        if value == UNKNOWN or value in allowed:
            return self.accept(slot, value, tracker)
        code = value[INVALID_KEY] if is_invalid(value) else "choice"
        return self.reject(slot, code, dispatcher, tracker)
