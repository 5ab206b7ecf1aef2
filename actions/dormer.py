"""Dormer (dakkapel) permit self-check: validation of ``dormer_form`` and the verdict action.

The rules themselves are in :mod:`actions.permit_rules`; this module reads answers and talks.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.content import content_or
from actions.conversation import content_values
from actions.forms import BOOKKEEPING_SLOTS, HANDOFF_SLOT, FormValidation, invalid, is_invalid
from actions.measurements import MeasurementError
from actions.parsing import format_number
from actions.permit_parsing import (
    BUILDING_TYPES,
    keyword_yes_no,
    measurement_for,
    parse_building_type,
    parse_flat_roof,
    parse_roof_side,
    parse_townscape,
    parse_width_fraction,
    read_measurements,
    side_follow_up,
    yes_no_answer,
)
from actions.permit_rules import (
    DORMER_MEASUREMENT_SLOTS,
    DORMER_SLOTS,
    MUNICIPALITY_DECIDES,
    PERMIT_FREE,
    PERMIT_REQUIRED,
    UNKNOWN,
    FrontDormerRule,
    dormer_questions,
    dormer_verdict,
    measured,
)

logger = logging.getLogger(__name__)

ROOF_SIDES = ("achter", "zijkant_niet_openbaar", "zijkant_openbaar", "voor")
YES_NO = ("ja", "nee")
#: Set while the form asks whether a side roof slope faces public area (the answer may be ja/nee).
SIDE_PENDING_SLOT = "dormer_side_pending"
#: The last check's answers, kept after the verdict so "nee wacht, het is toch een monument" can re-open it.
LAST_ANSWERS_SLOT = "permit_last_answers"

#: Plausible range of any dormer measurement, in metres (0 is a real distance: "tot de nok").
PLAUSIBLE_M = (0.0, 10.0)
_MONUMENT = re.compile(r"\b(rijks|gemeentelijk\w*\s+)?monument\w*")


def _entity(entities: list[dict], name: str) -> Any:
    return next((e.get("value") for e in entities if e.get("entity") == name), None)


def dormer_content() -> dict[str, Any]:
    """The municipality's ``dormer`` content section (empty when it cannot be loaded)."""
    return content_or(lambda content: dict(content.dormer), {}, "dormer content")


def _measurement(slot: str, text: str, requested: bool) -> Any:
    try:
        readings = read_measurements(text, slot if requested else None)
    except MeasurementError as error:
        return invalid(error.code) if requested else None
    reading = measurement_for(slot, readings)
    if reading is not None:
        return reading.slot_value()
    if requested and not readings:
        return invalid("no_number")
    return None  # only lengths about other questions: a correction, not this answer


def parse_dormer_answer(
    slot: str,
    text: str,
    intent: str | None,
    requested: bool,
    entities: list[dict],
    areas: tuple[str, ...] = (),
) -> Any:
    """Read one dormer answer from a message (see :meth:`FormValidation.parse`)."""
    from_button = _entity(entities, slot)
    if from_button is not None:
        return from_button
    if slot in DORMER_MEASUREMENT_SLOTS:
        return _measurement(slot, text, requested)
    if slot == "dormer_front_width":
        value = parse_width_fraction(text) if requested or re.search(r"breed|breedte", text.lower()) else None
        return invalid("width") if value is None and requested else value
    if slot == "dormer_roof_side":
        value = parse_roof_side(text)
        if value == "zijkant":
            return invalid("side_which") if requested else None
        return invalid("choice") if value is None and requested else value
    if slot == "dormer_building_type":
        value = parse_building_type(text)
        return invalid("building_type") if value is None and requested else value
    if slot == "dormer_flat_roof":
        value = parse_flat_roof(text)
    elif slot == "dormer_monument":
        value = keyword_yes_no(text, _MONUMENT)
    else:
        value = parse_townscape(text, areas)
    if value is None and requested:
        value = yes_no_answer(text, intent) or invalid("yes_no")
    return value


class ValidateDormerForm(FormValidation):
    """Validates the answers of ``dormer_form`` and skips questions that no longer matter."""

    slots = DORMER_SLOTS
    trigger_intents = frozenset({"permit_check_dormer"})
    unknown_slots = frozenset(DORMER_SLOTS)
    offer_human_response = "utter_permit_offer_human"
    response_prefix = "dormer"
    extra_slots = (SIDE_PENDING_SLOT,)

    def name(self) -> str:
        return "validate_dormer_form"

    def questions(self, answers: dict[str, Any]) -> list[str]:
        return dormer_questions(answers, FrontDormerRule.from_content(dormer_content()))

    def parse(self, slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]) -> Any:
        areas = tuple(dormer_content().get("protected_townscape_areas") or ())
        return parse_dormer_answer(slot, text, intent, requested, entities, areas)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """As the base class; after "zijkant" the follow-up accepts ja/nee (side faces public area?)."""
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        if (
            tracker.get_slot("requested_slot") == "dormer_roof_side"
            and tracker.get_slot(SIDE_PENDING_SLOT)
            and intent not in ("crisis", "cancel", "dont_know")
        ):
            value = side_follow_up(message.get("text") or "", intent)
            if value is not None:
                return [SlotSet("dormer_roof_side", value), SlotSet(SIDE_PENDING_SLOT, None)]
        return await super().get_extraction_events(dispatcher, tracker, domain)

    def _measure(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict:
        if value == UNKNOWN:
            return self.accept(slot, value, tracker)
        if is_invalid(value):
            return self.reject(slot, value["invalid"], dispatcher, tracker)
        reading = measured(value)
        if reading is None:
            return self.reject(slot, "no_number", dispatcher, tracker)
        metres = reading[0]
        if slot == "dormer_height" and metres == 0:
            return self.reject(slot, "zero", dispatcher, tracker)
        if not PLAUSIBLE_M[0] <= metres <= PLAUSIBLE_M[1]:
            return self.reject(slot, "implausible", dispatcher, tracker, value=format_number(metres))
        return self.accept(slot, value, tracker)

    async def validate_dormer_roof_side(self, value: Any, dispatcher, tracker, domain) -> dict:
        if is_invalid(value) and value.get("invalid") == "side_which":
            # Not an invalid answer: the ask action now asks whether the side faces public area.
            return {"dormer_roof_side": None, SIDE_PENDING_SLOT: True}
        result = self.validate_choice("dormer_roof_side", value, ROOF_SIDES, dispatcher, tracker)
        if tracker.get_slot(SIDE_PENDING_SLOT) and result.get("dormer_roof_side") is not None:
            result[SIDE_PENDING_SLOT] = None
        return result

    async def validate_dormer_monument(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("dormer_monument", value, YES_NO, dispatcher, tracker)

    async def validate_dormer_townscape(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("dormer_townscape", value, YES_NO, dispatcher, tracker)

    async def validate_dormer_flat_roof(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("dormer_flat_roof", value, YES_NO, dispatcher, tracker)

    async def validate_dormer_building_type(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("dormer_building_type", value, BUILDING_TYPES, dispatcher, tracker)

    async def validate_dormer_front_width(self, value: Any, dispatcher, tracker, domain) -> dict:
        slot = "dormer_front_width"
        if value == UNKNOWN:
            return self.accept(slot, value, tracker)
        reading = measured(value)
        if reading is None or not 0 < reading[0] <= 1:
            return self.reject(slot, "width", dispatcher, tracker)
        return self.accept(slot, value, tracker)

    async def validate_dormer_height(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self._measure("dormer_height", value, dispatcher, tracker)

    async def validate_dormer_eaves_distance(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self._measure("dormer_eaves_distance", value, dispatcher, tracker)

    async def validate_dormer_ridge_distance(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self._measure("dormer_ridge_distance", value, dispatcher, tracker)

    async def validate_dormer_side_distance(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self._measure("dormer_side_distance", value, dispatcher, tracker)


class ActionAskDormerRoofSide(Action):
    """Asks the roof side; after "zijkant", asks whether that side faces public area (ja/nee)."""

    def name(self) -> str:
        return "action_ask_dormer_roof_side"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        pending = tracker.get_slot(SIDE_PENDING_SLOT)
        dispatcher.utter_message(
            response="utter_dormer_ask_side_public" if pending else "utter_ask_dormer_roof_side"
        )
        return []


class ActionAskDormerTownscape(Action):
    """Asks the townscape question naming the municipality's protected areas (content)."""

    def name(self) -> str:
        return "action_ask_dormer_townscape"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        areas = [str(a) for a in dormer_content().get("protected_townscape_areas") or ()]
        if areas:
            dispatcher.utter_message(response="utter_ask_dormer_townscape_areas", areas=", ".join(areas))
        else:
            dispatcher.utter_message(response="utter_ask_dormer_townscape")
        return []


def _content_values() -> dict[str, str]:
    values = content_values()
    dormer = dormer_content()
    values["omgevingsplan_note"] = str(dormer.get("omgevingsplan_note", ""))
    front = FrontDormerRule.from_content(dormer)
    if front is not None:
        values["front_max_width"] = format_number(front.max_width_fraction * 100, 0)
        values["front_rule_source"] = front.source
    return values


def _value_text(slot: str, value: Any, domain: DomainDict) -> str:
    """The Dutch text of one answer, from the domain's ``utter_permit_value_*`` responses."""
    reading = measured(value)
    if reading is not None:
        number, is_estimate = reading
        if slot == "dormer_front_width":
            key, shown = "utter_permit_value_width", format_number(number * 100, 0)
        elif slot == "tree_trunk_circumference":
            key, shown = "utter_permit_value_cm", format_number(number, 0)
        else:
            key, shown = "utter_permit_value_metres", format_number(number)
        key += "_estimate" if is_estimate else ""
        return response_text(domain, key).format(value=shown)
    return response_text(domain, f"utter_permit_value_{value}") or str(value)


def response_text(domain: DomainDict, name: str) -> str:
    """The first text variant of a domain response ('' when missing)."""
    variants = (domain.get("responses") or {}).get(name) or []
    return str(variants[0].get("text", "")) if variants else ""


def answers_summary(prefix: str, answers: dict[str, Any], slots: tuple[str, ...], domain: DomainDict) -> str:
    """The answers a verdict rests on, one line each, worded by the domain responses."""
    lines = []
    for slot in slots:
        value = answers.get(slot)
        if value is None:
            continue
        label = response_text(domain, f"utter_{prefix}_summary_{slot}")
        if label:
            lines.append(label.format(answer=_value_text(slot, value, domain)))
    return "\n".join(lines)


def product_key_for(intent: str) -> str | None:
    """The content product that answers a permit check intent (for follow-up questions)."""
    product = content_or(lambda content: content.product_for_intent(intent), None)
    return product.key if product else None


def utter_dormer_verdict(
    dispatcher: CollectingDispatcher, answers: dict[str, Any], domain: DomainDict
) -> list[EventType]:
    """Say the verdict, the answers it rests on, its reasons, notes and the next step."""
    values = _content_values()
    front = FrontDormerRule.from_content(dormer_content())
    result = dormer_verdict(answers, front)
    for slot in DORMER_MEASUREMENT_SLOTS:
        reading = measured(answers.get(slot))
        if reading is not None:
            values[slot.removeprefix("dormer_")] = format_number(reading[0])
    dispatcher.utter_message(response=f"utter_dormer_verdict_{result.verdict}", **values)
    summary = answers_summary("dormer", answers, DORMER_SLOTS, domain)
    if summary:
        dispatcher.utter_message(response="utter_permit_summary", summary=summary)
    for reason in result.reasons:
        dispatcher.utter_message(response=f"utter_dormer_reason_{reason}", **values)
    for note in result.notes:
        dispatcher.utter_message(response=f"utter_dormer_note_{note}", **values)
    if result.verdict != MUNICIPALITY_DECIDES:
        dispatcher.utter_message(response="utter_dormer_knip", **values)
    next_step = {
        PERMIT_FREE: "utter_dormer_next_permit_free",
        PERMIT_REQUIRED: "utter_dormer_next_permit_required",
        MUNICIPALITY_DECIDES: "utter_dormer_next_municipality_decides",
    }[result.verdict]
    dispatcher.utter_message(response=next_step, **values)
    return [
        SlotSet("dormer_verdict", result.verdict),
        SlotSet("current_topic", product_key_for("permit_check_dormer")),
        SlotSet(LAST_ANSWERS_SLOT, {"check": "dormer", "answers": answers}),
    ]


class ActionDormerVerdict(Action):
    """Ends ``dormer_form``: the verdict, its reasons and the next step (or the handoff offer)."""

    def name(self) -> str:
        return "action_dormer_verdict"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in (*DORMER_SLOTS, *BOOKKEEPING_SLOTS, SIDE_PENDING_SLOT)]
        if tracker.get_slot(HANDOFF_SLOT):
            return reset + [SlotSet("dormer_verdict", None)]
        answers = {slot: tracker.get_slot(slot) for slot in DORMER_SLOTS}
        answers = {slot: value for slot, value in answers.items() if value is not None}
        return reset + utter_dormer_verdict(dispatcher, answers, domain)
