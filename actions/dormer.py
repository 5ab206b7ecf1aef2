"""Dormer (dakkapel) permit self-check: validation of ``dormer_form`` and the verdict action.

The rules themselves are in :mod:`actions.permit_rules`; this module reads answers and talks.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import BOOKKEEPING_SLOTS, HANDOFF_SLOT, FormValidation, invalid, is_invalid
from actions.measurements import Length, MeasurementError, find_lengths, pick_length, to_metres
from actions.parsing import format_number, keyword_yes_no, yes_no
from actions.permit_rules import (
    DORMER_MEASUREMENT_SLOTS,
    DORMER_SLOTS,
    MUNICIPALITY_DECIDES,
    PERMIT_FREE,
    PERMIT_REQUIRED,
    UNKNOWN,
    dormer_questions,
    dormer_verdict,
)

ROOF_SIDES = ("achter", "zijkant_niet_openbaar", "zijkant_openbaar", "voor")
BUILDING_TYPES = ("woning", "tijdelijk", "woonwagen", "recreatiewoning")
YES_NO = ("ja", "nee")

#: Plausible range of any dormer measurement, in metres.
PLAUSIBLE_M = (0.01, 10.0)

_MONUMENT = re.compile(r"\b(rijks|gemeentelijk\w*\s+)?monument\w*")
_TOWNSCAPE = re.compile(r"\b(stads|dorps)gezicht|\bbeschermd(e)?\s+(gezicht|gebied)")
_FLAT_YES = re.compile(r"\bplat(te)?\b")
_FLAT_NO = re.compile(
    r"\b(schuin\w*|punt\w*|zadeldak|lessenaarsdak|rond\w*|gebogen|niet plat|geen plat\w*)\b"
)
_FRONT = re.compile(r"\b(voorkant|voorzijde|voorgevel|straatkant|voordakvlak)\b")
_BACK = re.compile(r"\b(achterkant|achterzijde|achtergevel|achterdakvlak|achter)\b")
_SIDE = re.compile(r"\b(zijkant|zijzijde|zijgevel|zijdakvlak|opzij)\b")
_PUBLIC = re.compile(r"\b(openbaar\w*|straat|weg|stoep|fietspad|water|plein|park|parkeer\w*)\b")
_NOT_PUBLIC = re.compile(
    r"\b(niet|geen)\b.*\b(openbaar\w*|straat|weg)|\b(tuin|buren|buurman|buurvrouw|erf)\b"
)
_SPECIAL_BUILDINGS = (
    ("recreatiewoning", re.compile(r"\b(recreatie\w*|vakantie\w*|zomerhuis\w*|chalet)\b")),
    ("woonwagen", re.compile(r"\b(woonwagen\w*|stacaravan\w*|caravan\w*)\b")),
    ("tijdelijk", re.compile(r"\b(tijdelijk\w*|noodwoning\w*|keet)\b")),
)
_DWELLING = re.compile(
    r"\b(woning\w*|woonhuis|huis|rijtjeshuis|hoekhuis|twee-?onder-?een-?kap|vrijstaand\w*)\b"
)
#: Words naming which measurement a length in a clause is.
_MEASUREMENT_LABELS = {
    "dormer_height": re.compile(r"\b(hoog|hoogte)\b"),
    "dormer_eaves_distance": re.compile(r"\b(dakvoet|dakrand|goot|rand|onderkant)\b"),
    "dormer_ridge_distance": re.compile(r"\b(nok|daknok|bovenkant)\b"),
    "dormer_side_distance": re.compile(r"\b(zijkant\w*|opzij|zijrand\w*|kanten)\b"),
}


def _entity(entities: list[dict], name: str) -> Any:
    return next((e.get("value") for e in entities if e.get("entity") == name), None)


def parse_roof_side(text: str) -> str | None:
    """Read the roof side from keywords; an unspecified "zijkant" is ``None`` (ask again)."""
    clauses = [c for c in re.split(r"[,;.]|\bmaar\b", text.lower()) if not re.search(r"\d", c)]
    for clause in clauses:
        if _FRONT.search(clause):
            return "voor"
        if _SIDE.search(clause):
            if _NOT_PUBLIC.search(clause):
                return "zijkant_niet_openbaar"
            if _PUBLIC.search(clause):
                return "zijkant_openbaar"
            return None
        if _BACK.search(clause):
            return "achter"
    return None


def parse_measurements(text: str) -> dict[str, Length | None]:
    """Split the lengths of a message by the words next to them ("1,50 m hoog, 60 cm onder de nok").

    Returns:
        Slot name -> length; key ``None`` for lengths without a label word.
    """
    found: dict[Any, Length] = {}
    for length in find_lengths(text):
        slot = next((s for s, label in _MEASUREMENT_LABELS.items() if label.search(length.clause)), None)
        found.setdefault(slot, length)
    return found


def _measurement(slot: str, text: str, requested: bool) -> Any:
    lengths = parse_measurements(text)
    length = lengths.get(slot) or (lengths.get(None) if requested else None)
    if length is None:
        if not requested:
            return None
        try:
            length = pick_length(find_lengths(text))
        except MeasurementError as error:
            return invalid(error.code)
    try:
        return round(to_metres(length, unitless_metres_below=5.0, unitless_cm_from=10.0), 4)
    except MeasurementError as error:
        return invalid(error.code) if requested else None


def parse_dormer_answer(
    slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]
) -> Any:
    """Read one dormer answer from a message (see :meth:`FormValidation.parse`)."""
    from_button = _entity(entities, slot)
    if from_button is not None:
        return from_button
    lowered = text.lower()
    if slot in DORMER_MEASUREMENT_SLOTS:
        return _measurement(slot, text, requested)
    if slot == "dormer_roof_side":
        value = parse_roof_side(lowered)
        if value is None and requested:
            return invalid("side_which" if _SIDE.search(lowered) else "choice")
        return value
    if slot == "dormer_building_type":
        value = next((name for name, pattern in _SPECIAL_BUILDINGS if pattern.search(lowered)), None)
        if value is None and requested and _DWELLING.search(lowered):
            value = "woning"
        return invalid("choice") if value is None and requested else value
    if slot == "dormer_flat_roof":
        if _FLAT_NO.search(lowered):
            value: str | None = "nee"
        elif _FLAT_YES.search(lowered):
            value = "ja"
        else:
            value = None
    else:
        pattern = _MONUMENT if slot == "dormer_monument" else _TOWNSCAPE
        value = keyword_yes_no(lowered, pattern)
    if value is None and requested:
        value = yes_no(lowered, intent) or invalid("yes_no")
    return value


class ValidateDormerForm(FormValidation):
    """Validates the answers of ``dormer_form`` and skips questions that no longer matter."""

    slots = DORMER_SLOTS
    trigger_intents = frozenset({"permit_check_dormer"})
    unknown_slots = frozenset(DORMER_SLOTS)
    offer_human_response = "utter_permit_offer_human"
    response_prefix = "dormer"

    def name(self) -> str:
        return "validate_dormer_form"

    def questions(self, answers: dict[str, Any]) -> list[str]:
        return dormer_questions(answers)

    def parse(self, slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]) -> Any:
        return parse_dormer_answer(slot, text, intent, requested, entities)

    def _measure(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict:
        if value == UNKNOWN:
            return self.accept(slot, value, tracker)
        if is_invalid(value):
            return self.reject(slot, value["invalid"], dispatcher, tracker)
        try:
            metres = float(value)
        except (TypeError, ValueError):
            return self.reject(slot, "no_number", dispatcher, tracker)
        if not PLAUSIBLE_M[0] <= metres <= PLAUSIBLE_M[1]:
            return self.reject(slot, "implausible", dispatcher, tracker, value=format_number(metres))
        return self.accept(slot, metres, tracker)

    async def validate_dormer_roof_side(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("dormer_roof_side", value, ROOF_SIDES, dispatcher, tracker)

    async def validate_dormer_monument(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("dormer_monument", value, YES_NO, dispatcher, tracker)

    async def validate_dormer_townscape(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("dormer_townscape", value, YES_NO, dispatcher, tracker)

    async def validate_dormer_flat_roof(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("dormer_flat_roof", value, YES_NO, dispatcher, tracker)

    async def validate_dormer_building_type(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("dormer_building_type", value, BUILDING_TYPES, dispatcher, tracker)

    async def validate_dormer_height(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self._measure("dormer_height", value, dispatcher, tracker)

    async def validate_dormer_eaves_distance(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self._measure("dormer_eaves_distance", value, dispatcher, tracker)

    async def validate_dormer_ridge_distance(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self._measure("dormer_ridge_distance", value, dispatcher, tracker)

    async def validate_dormer_side_distance(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self._measure("dormer_side_distance", value, dispatcher, tracker)


def _content_values() -> dict[str, str]:
    from actions.core import content_values

    values = content_values()
    try:
        from actions.content import get_content

        values["omgevingsplan_note"] = get_content().dormer.get("omgevingsplan_note", "")
    except Exception:  # content problems must never silence the assistant
        values["omgevingsplan_note"] = ""
    return values


class ActionDormerVerdict(Action):
    """Ends ``dormer_form``: the verdict, its reasons and the next step (or the handoff offer)."""

    def name(self) -> str:
        return "action_dormer_verdict"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in DORMER_SLOTS + BOOKKEEPING_SLOTS]
        if tracker.get_slot(HANDOFF_SLOT):
            return reset + [SlotSet("dormer_verdict", None)]
        answers = {slot: tracker.get_slot(slot) for slot in DORMER_SLOTS}
        result = dormer_verdict(answers)
        values = _content_values()
        values.update(
            {
                slot.removeprefix("dormer_"): format_number(float(answers[slot]))
                for slot in DORMER_MEASUREMENT_SLOTS
                if isinstance(answers.get(slot), (int, float))
            }
        )
        dispatcher.utter_message(response=f"utter_dormer_verdict_{result.verdict}", **values)
        for reason in result.reasons:
            dispatcher.utter_message(response=f"utter_dormer_reason_{reason}", **values)
        next_step = {
            PERMIT_FREE: "utter_dormer_next_permit_free",
            PERMIT_REQUIRED: "utter_dormer_next_permit_required",
            MUNICIPALITY_DECIDES: "utter_dormer_next_municipality_decides",
        }[result.verdict]
        dispatcher.utter_message(response=next_step, **values)
        return reset + [
            SlotSet("dormer_verdict", result.verdict),
            SlotSet("current_topic", "permit_check_dormer"),
        ]
