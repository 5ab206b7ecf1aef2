"""The one form validation base: :class:`FormValidation` (contract in :mod:`actions.forms`)."""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.forms.slots import (
    BOOKKEEPING_SLOTS,
    CHANGE_SLOT,
    HANDOFF_SLOT,
    INVALID_COUNT_SLOT,
    INVALID_KEY,
    INVALID_SLOT_SLOT,
    MAX_INVALID_ANSWERS,
    STOP_SLOT,
    invalid,
    is_invalid,
)
from actions.parsing import NO, UNKNOWN, YES, yes_no

logger = logging.getLogger(__name__)

#: Intents whose message is read as an answer to the requested question.
ANSWER_INTENTS = frozenset({"inform", "affirm", "deny", "dont_know", "nlu_fallback", "out_of_scope"})
#: Intents that are never a free-text answer (the rules or the form handle them).
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
        "crisis",
    }
)
#: Intents whose message is never an answer, not even partly, and never an invalid answer: the safety
#: layer (``data/rules/safety.yml``, ``actions/safety.py``) answers them and pauses the form.
NEVER_ANSWER_INTENTS = frozenset({"crisis"})
#: The action that continues a form paused by the safety layer (its answers stay).
RESUME_ACTION = "action_resume_form"
#: Small talk the form answers itself, then returns to its question: intent -> response.
SMALL_TALK = {"thank": "utter_form_thanks", "greet": "utter_form_greet"}
#: Responses that already lead back to the question (a rule said them before the form resumed).
RETURN_RESPONSES = frozenset({"utter_form_return", "utter_resume_form", "utter_resume_flow"})
#: Answers to "wat wilt u veranderen?" that mean "nothing".
_NOTHING = re.compile(r"^\s*(niets|niks|nee|het klopt|klopt wel|toch goed|laat maar)\b")
_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")


class FormValidation(FormValidationAction, ABC):
    """Base of every form's validation action (abstract: not registered as an action).

    Subclasses set :attr:`slots` (the questions, in order), :attr:`trigger_intents`,
    :attr:`response_prefix` and implement :meth:`parse` and one ``validate_<slot>`` per slot that
    calls :meth:`accept` or :meth:`reject`. Optional: :meth:`questions` (questions that still matter),
    :attr:`free_text_slots`, :attr:`confirm_slot` with :attr:`change_words`, :attr:`unknown_slots`,
    :meth:`prefill`.
    """

    #: All question slots, in the order they are asked.
    slots: tuple[str, ...] = ()
    #: Intents that start this form; inside the form such a message is an answer, not a restart.
    trigger_intents: frozenset[str] = frozenset()
    #: Prefix of this form's responses (``utter_<prefix>_invalid_<code>``, ``..._dont_know_<slot>``).
    response_prefix: str = ""
    #: Questions whose answer is the message itself (a description, a place, a name).
    free_text_slots: frozenset[str] = frozenset()
    #: Questions that accept "weet ik niet" as an answer (:data:`UNKNOWN`); others explain what to do.
    unknown_slots: frozenset[str] = frozenset()
    #: The summary question ("Klopt dit?"); "nee" to it asks what to change.
    confirm_slot: str | None = None
    #: Words naming an answer in "wat wilt u veranderen?" -> the slots asked again.
    change_words: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Slots besides :attr:`slots` that belong to this form and are cleared when it starts.
    extra_slots: tuple[str, ...] = ()
    #: Said when the form gives up after :data:`MAX_INVALID_ANSWERS` invalid answers in a row.
    offer_human_response: str = "utter_form_offer_human"

    @abstractmethod
    def name(self) -> str:
        """The validation action's name, ``validate_<form>``."""

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
        return None

    def questions(self, answers: dict[str, Any]) -> list[str]:
        """Return the question slots that still matter for these answers (default: all)."""
        return list(self.slots)

    def prefill(
        self, text: str, intent: str | None, entities: list[dict], tracker: Tracker
    ) -> dict[str, Any]:
        """Answers already given in the message that starts the form (default: clear keywords)."""
        values = {}
        for slot in self.slots:
            value = self.parse(slot, text, intent, False, entities)
            if value is not None and not is_invalid(value):
                values[slot] = value
        return values

    def offer_human_values(self) -> dict[str, Any]:
        """Template values of :attr:`offer_human_response`."""
        return {}

    # ------------------------------------------------------------------ rasa-sdk hooks
    def starting(self, tracker: Tracker) -> bool:
        """Whether this call activates the form.

        Rasa activates a form in the turn of the message that starts it: the form is not the active
        loop yet, or its ``active_loop`` event comes after the latest user message.
        """
        if (tracker.active_loop or {}).get("name") != self.form_name():
            return True
        return any(
            e.get("event") == "active_loop" and e.get("name") == self.form_name()
            for e in _since_latest_user(tracker)
        )

    def resuming(self, tracker: Tracker) -> bool:
        """Whether this call continues the form after the safety layer paused it (answers stay)."""
        return any(
            e.get("event") == "action" and e.get("name") == RESUME_ACTION for e in _since_latest_user(tracker)
        )

    def after_digression(self, tracker: Tracker) -> str | None:
        """The last action other than this form between the resident's message and now, if any.

        ``None``: the form reads the resident's answer directly. Otherwise a rule answered a side
        question first (e.g. ``action_answer_topic``) and the form now returns to its question.
        """
        actions = [
            e.get("name")
            for e in _since_latest_user(tracker)
            if e.get("event") == "action" and e.get("name") not in ("action_listen", self.form_name())
        ]
        return actions[-1] if actions else None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Start clean, answer small talk and "weet ik niet", handle "what to change", then validate."""
        before: list[EventType] = []
        if self.resuming(tracker):
            pass  # the resident's "nee, verder" answered the safety layer, not this form
        elif self.starting(tracker):
            before = self._start_clean(tracker)
        else:
            handled = await self._intercept(dispatcher, tracker, domain)
            if handled is not None:
                return handled
            digression = self.after_digression(tracker)
            if digression and digression not in RETURN_RESPONSES:
                dispatcher.utter_message(response="utter_form_return")
        return [*before, *await super().run(dispatcher, tracker, domain)]

    def _start_clean(self, tracker: Tracker) -> list[EventType]:
        """Forget everything an earlier run of this form (or a form left without "stop") left behind."""
        own = tuple(dict.fromkeys((*self.slots, *self.extra_slots, *BOOKKEEPING_SLOTS)))
        while tracker.events and tracker.events[-1].get("event") == "slot":
            tracker.events.pop()  # Rasa's pre-filled candidates: stale answers of an earlier run
        for slot in own:
            tracker.slots[slot] = None
        tracker.slots["requested_slot"] = None  # a question of a form left without "stop"
        return [SlotSet(slot, None) for slot in own]

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The questions that still matter; none after the form gave up or stopped."""
        if tracker.get_slot(HANDOFF_SLOT) or tracker.get_slot(STOP_SLOT):
            return []
        answers = {slot: tracker.get_slot(slot) for slot in self.slots}
        questions = self.questions({slot: None if is_invalid(v) else v for slot, v in answers.items()})
        # Answers given in this message are validated even if they make their own question moot.
        pending = tracker.slots_to_validate()
        return [slot for slot in self.slots if slot in questions or slot in pending]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        """Always name the next question (``None`` when done); "what to change" after "nee"."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = next((slot for slot in required if tracker.slots.get(slot) is None), None)
        if tracker.get_slot(CHANGE_SLOT) and missing == self.confirm_slot:
            return SlotSet("requested_slot", CHANGE_SLOT)
        return SlotSet("requested_slot", missing)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Read the latest message: the requested answer, corrections and other recognisable answers."""
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        text = (message.get("text") or "").strip()
        entities = message.get("entities") or []
        payload = text.startswith("/")
        if intent in NEVER_ANSWER_INTENTS or self.resuming(tracker):
            return []  # the safety layer answers it; the form reads nothing and counts nothing
        if self.starting(tracker):
            if payload and not entities:
                return []
            values = self.prefill(text, intent, entities, tracker)
            return self._ordered([SlotSet(slot, value) for slot, value in values.items()])
        requested = tracker.get_slot("requested_slot")
        if requested == CHANGE_SLOT:
            requested = None
        elif requested not in self.slots:
            requested = None
        changing = tracker.get_slot("requested_slot") == CHANGE_SLOT
        is_answer = intent in ANSWER_INTENTS or intent in self.trigger_intents or payload or changing
        values: dict[str, Any] = {}
        if is_answer:
            for slot in self.slots:
                if slot == requested:
                    continue
                value = self.parse(slot, text, intent, False, entities)
                if value is not None and not is_invalid(value) and value != tracker.get_slot(slot):
                    values[slot] = value
        corrected = [slot for slot in values if tracker.get_slot(slot) is not None]
        if requested:
            value = UNKNOWN if intent == "dont_know" else self.parse(requested, text, intent, True, entities)
            if not is_answer and (value is None or is_invalid(value)):
                value = None  # a side question or cancel: let the form reject and the rules answer
            elif corrected and (
                value is None or is_invalid(value) or self._bare_answer(requested, text, intent, entities)
            ):
                value = None  # "nee, de dakkapel komt aan de voorkant" corrects another answer
            if (
                value is None
                and not corrected
                and requested in self.free_text_slots
                and intent not in CONTROL_INTENTS
                and text
                and not payload
            ):
                value = text
            if value is not None:
                values[requested] = value
        if corrected:
            dispatcher.utter_message(response="utter_form_answer_changed")
        return self._ordered([SlotSet(slot, value) for slot, value in values.items()])

    def _ordered(self, events: list[EventType]) -> list[EventType]:
        order = {slot: index for index, slot in enumerate(self.slots)}
        return sorted(events, key=lambda e: order.get(e.get("name"), len(order)))

    def _bare_answer(self, slot: str, text: str, intent: str | None, entities: list[dict]) -> bool:
        """Whether the answer to ``slot`` is only a plain "ja"/"nee" (not one of its own keywords)."""
        return yes_no(text, intent) is not None and self.parse(slot, text, intent, False, entities) is None

    # ------------------------------------------------------------------ turns the form handles itself
    async def _intercept(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType] | None:
        """Small talk, "weet ik niet" and "what to change" in an active form, or ``None`` to validate."""
        requested = tracker.get_slot("requested_slot")
        if self.after_digression(tracker) or not requested:
            return None
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        if intent in NEVER_ANSWER_INTENTS:
            return None
        text = (message.get("text") or "").strip()
        entities = message.get("entities") or []
        answer = self.parse(requested, text, intent, True, entities) if requested in self.slots else None
        if intent in SMALL_TALK and (answer is None or is_invalid(answer)):  # "morgen" is no greeting
            dispatcher.utter_message(response=SMALL_TALK[intent])
            dispatcher.utter_message(response="utter_form_return")
            return [SlotSet(requested, None), SlotSet("requested_slot", requested)]
        if requested == CHANGE_SLOT:
            return self._what_to_change(text, intent, entities, dispatcher, tracker)
        if intent == "dont_know" and requested in self.slots and requested not in self.unknown_slots:
            specific = f"utter_{self.response_prefix}_dont_know_{requested}"
            known = specific in (domain.get("responses") or {})
            return self._counted(
                requested, specific if known else "utter_form_dont_know", dispatcher, tracker
            )
        return None

    def _counted(
        self, slot: str, response: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        """Say ``response`` and ask ``slot`` again, counted as an invalid answer (at the limit: give up)."""
        counts = self.reject_counts(slot, tracker)
        if counts.get(HANDOFF_SLOT):
            dispatcher.utter_message(response=self.offer_human_response, **self.offer_human_values())
            return [SlotSet(key, value) for key, value in counts.items()] + [SlotSet("requested_slot", None)]
        dispatcher.utter_message(response=response)
        return [SlotSet(key, value) for key, value in counts.items()] + [SlotSet("requested_slot", slot)]

    def _what_to_change(
        self,
        text: str,
        intent: str | None,
        entities: list[dict],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> list[EventType] | None:
        """The answer to "wat wilt u veranderen?": a new value, the name of an answer, or "niets"."""
        lowered = text.lower()
        if intent in ("cancel", "request_human"):
            return None  # the rules stop the form or start the handoff
        for slot in self.slots:
            if slot == self.confirm_slot:
                continue
            value = self.parse(slot, text, intent, False, entities)
            if value is not None and not is_invalid(value):
                return None  # a new value: validated as a correction (accept() leaves change mode)
        for pattern, named in self.change_words:
            slots = tuple(slot for slot in named if slot in self.slots)
            if slots and re.search(pattern, lowered):
                first = next((s for s in self.slots if s in slots), slots[0])
                return [
                    *(SlotSet(slot, None) for slot in slots),
                    SlotSet(CHANGE_SLOT, None),
                    SlotSet("requested_slot", first),
                ]
        if _NOTHING.search(lowered) or yes_no(text, intent) == YES:
            return [SlotSet(CHANGE_SLOT, None), SlotSet("requested_slot", self.confirm_slot)]
        events = self._counted(CHANGE_SLOT, "utter_form_invalid_change", dispatcher, tracker)
        # CHANGE_SLOT itself is the counted "question": keep the form in "what to change" mode
        return [e for e in events if e.get("name") != CHANGE_SLOT] if events[-1]["value"] else events

    # ------------------------------------------------------------------ validation helpers
    def accept(self, slot: str, value: Any, tracker: Tracker) -> dict[str, Any]:
        """Accept a value, reset the invalid-answer counter and leave "what to change"."""
        result: dict[str, Any] = {slot: value}
        if tracker.get_slot(INVALID_COUNT_SLOT):
            result.update({INVALID_COUNT_SLOT: None, INVALID_SLOT_SLOT: None})
        if tracker.get_slot(CHANGE_SLOT) and slot != self.confirm_slot:
            result[CHANGE_SLOT] = None
        return result

    def reject_counts(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        """Count one more invalid answer to ``slot``; at the limit, give up (:data:`HANDOFF_SLOT`)."""
        previous = tracker.get_slot(INVALID_COUNT_SLOT) if tracker.get_slot(INVALID_SLOT_SLOT) == slot else 0
        count = int(previous or 0) + 1
        if count >= MAX_INVALID_ANSWERS:
            return {slot: None, INVALID_COUNT_SLOT: None, INVALID_SLOT_SLOT: None, HANDOFF_SLOT: True}
        return {slot: None, INVALID_COUNT_SLOT: float(count), INVALID_SLOT_SLOT: slot}

    def reject(
        self, slot: str, code: str, dispatcher: CollectingDispatcher, tracker: Tracker, **values: Any
    ) -> dict[str, Any]:
        """Reject an answer: explain why, count it, and give up after three in a row."""
        result = self.reject_counts(slot, tracker)
        if result.get(HANDOFF_SLOT):
            dispatcher.utter_message(
                response=self.offer_human_response, **self.offer_human_values(), **values
            )
        else:
            dispatcher.utter_message(response=f"utter_{self.response_prefix}_invalid_{code}", **values)
        return result

    def stop(
        self, slot: str, response: str, dispatcher: CollectingDispatcher, **values: Any
    ) -> dict[str, Any]:
        """A backend read failed: say what to do now and end the form without submitting."""
        dispatcher.utter_message(response=response, **values)
        return {slot: None, STOP_SLOT: True}

    def validate_choice(
        self,
        slot: str,
        value: Any,
        allowed: tuple[str, ...],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> dict[str, Any]:
        """Validate a fixed-choice answer ("weet ik niet" counts where the form allows it)."""
        if value == UNKNOWN or value in allowed:
            return self.accept(slot, value, tracker)
        code = value[INVALID_KEY] if is_invalid(value) else "choice"
        return self.reject(slot, code, dispatcher, tracker)

    def validate_confirmation(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """ "ja" to the summary is final; "nee" asks what to change (only that is asked again)."""
        if value == YES:
            return self.accept(slot, value, tracker) | {CHANGE_SLOT: None}
        if value == NO and self.confirm_slot != slot:
            return self.accept(slot, value, tracker)  # a decision ("annuleren?"), not a summary
        if value == NO:
            return self.accept(slot, None, tracker) | {CHANGE_SLOT: True}
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
        """Accept a free-text answer of a sensible length with real words.

        "Weet ik niet", a bare "ja"/"nee" and too short answers are rejected with
        ``utter_<prefix>_invalid_<code>``.
        """
        text = str(value).strip() if isinstance(value, str) and value != UNKNOWN else ""
        words = re.findall(r"[A-Za-zÀ-ÿ]+", text)
        bare = yes_no(text) is not None and len(words) <= 2
        if len(text) < min_chars or not _LETTER.search(text) or bare:
            return self.reject(slot, code, dispatcher, tracker)
        return self.accept(slot, text[:max_chars], tracker)


def _since_latest_user(tracker: Tracker) -> list[dict[str, Any]]:
    """The events after the resident's latest message."""
    events = tracker.events or []
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    return events[last_user + 1 :]


def parse_confirmation(text: str, intent: str | None, requested: bool) -> Any:
    """Read the answer to a "Klopt dit?" question: ``ja``, ``nee`` or an invalid marker."""
    if not requested:
        return None
    return yes_no(text, intent) or invalid("confirm")
