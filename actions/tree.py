"""Tree felling (kapvergunning) self-check: validation of ``tree_form`` and the verdict action.

The threshold comes from the municipality's tree ordinance in ``content/<municipality>.yml``
(``tree_ordinance``); the rules are in :mod:`actions.permit_rules`.
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import BOOKKEEPING_SLOTS, HANDOFF_SLOT, FormValidation, invalid, is_invalid
from actions.measurements import MeasurementError, parse_trunk
from actions.parsing import format_number, keyword_yes_no, yes_no
from actions.permit_rules import (
    MUNICIPALITY_DECIDES,
    PERMIT_FREE,
    PERMIT_REQUIRED,
    TREE_SLOTS,
    UNKNOWN,
    TreeOrdinance,
    tree_questions,
    tree_verdict,
)

logger = logging.getLogger(__name__)

LOCATIONS = ("eigen_tuin", "openbaar")
YES_NO = ("ja", "nee")
#: Plausible trunk circumference at 1.30 m, in cm (the thickest trees in the Netherlands are ~10 m).
PLAUSIBLE_CIRCUMFERENCE_CM = (1.0, 1500.0)

_PROTECTED = re.compile(r"\b(monumenta\w*|beschermd\w*|bomenlijst|boomlijst|lijst)\b")
_PUBLIC = re.compile(
    r"\b(openbaar\w*|straat|stoep|trottoir|park|plantsoen|berm|gemeente\w*|parkeerplaats|speeltuin|plein)\b"
)
_OWN = re.compile(r"\b(tuin|achtertuin|voortuin|erf|eigen\s+grond|perceel|eigen\s+terrein)\b")
_TRUNK_KIND = re.compile(r"\b(omtrek|omvang|rondom|doorsnede|doorsnee|diameter|dik|rond|om)\b")


def _entity(entities: list[dict], name: str) -> Any:
    return next((e.get("value") for e in entities if e.get("entity") == name), None)


def parse_location(text: str) -> str | None:
    """Read where the tree stands: ``eigen_tuin`` or ``openbaar`` (public space)."""
    lowered = text.lower()
    if _PUBLIC.search(lowered) and not re.search(r"\bniet\b.*\b(openbaar|straat|gemeente)", lowered):
        return "openbaar"
    if _OWN.search(lowered):
        return "eigen_tuin"
    return None


def parse_tree_answer(slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]) -> Any:
    """Read one tree answer from a message (see :meth:`FormValidation.parse`)."""
    from_button = _entity(entities, slot)
    if from_button is not None:
        return from_button
    lowered = text.lower()
    if slot == "tree_trunk_circumference":
        if not requested and not (_TRUNK_KIND.search(lowered) and re.search(r"\d|meter|halve", lowered)):
            return None
        try:
            return round(parse_trunk(text).circumference_cm, 1)
        except MeasurementError as error:
            return invalid(error.code) if requested else None
    if slot == "tree_location":
        value = parse_location(lowered)
        return invalid("location") if value is None and requested else value
    value = keyword_yes_no(lowered, _PROTECTED)
    if value is None and requested:
        value = yes_no(lowered, intent) or invalid("yes_no")
    return value


class ValidateTreeForm(FormValidation):
    """Validates the answers of ``tree_form`` and skips questions that no longer matter."""

    slots = TREE_SLOTS
    trigger_intents = frozenset({"permit_check_tree"})
    unknown_slots = frozenset(TREE_SLOTS)
    offer_human_response = "utter_permit_offer_human"
    response_prefix = "tree"

    def name(self) -> str:
        return "validate_tree_form"

    def questions(self, answers: dict[str, Any]) -> list[str]:
        return tree_questions(answers)

    def parse(self, slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]) -> Any:
        return parse_tree_answer(slot, text, intent, requested, entities)

    async def validate_tree_protected(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("tree_protected", value, YES_NO, dispatcher, tracker)

    async def validate_tree_location(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("tree_location", value, LOCATIONS, dispatcher, tracker)

    async def validate_tree_trunk_circumference(self, value: Any, dispatcher, tracker, domain) -> dict:
        slot = "tree_trunk_circumference"
        if value == UNKNOWN:
            return self.accept(slot, value, tracker)
        if is_invalid(value):
            return self.reject(slot, value["invalid"], dispatcher, tracker)
        try:
            circumference = float(value)
        except (TypeError, ValueError):
            return self.reject(slot, "no_number", dispatcher, tracker)
        low, high = PLAUSIBLE_CIRCUMFERENCE_CM
        if not low <= circumference <= high:
            return self.reject(
                slot, "implausible", dispatcher, tracker, value=format_number(circumference, 0)
            )
        return self.accept(slot, circumference, tracker)


def tree_template_values(tree_ordinance: dict[str, Any]) -> dict[str, str]:
    """Values of the tree responses taken from the content's ``tree_ordinance``."""
    ordinance = TreeOrdinance.from_content(tree_ordinance)
    threshold = ordinance.threshold_circumference_cm
    diameter = tree_ordinance.get("min_diameter_cm")
    return {
        "tree_threshold_circumference": format_number(threshold, 0),
        "tree_threshold_diameter": format_number(diameter if diameter else threshold / math.pi, 0),
        "tree_ordinance_source": str(tree_ordinance.get("source", "")),
        "tree_protected_list_url": str(tree_ordinance.get("protected_list_url", "")),
    }


class ActionTreeVerdict(Action):
    """Ends ``tree_form``: the verdict, its reasons and the next step (or the handoff offer)."""

    def name(self) -> str:
        return "action_tree_verdict"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        from actions.content import get_content
        from actions.core import content_values

        reset = [SlotSet(slot, None) for slot in TREE_SLOTS + BOOKKEEPING_SLOTS]
        if tracker.get_slot(HANDOFF_SLOT):
            return reset + [SlotSet("tree_verdict", None)]
        try:
            tree_ordinance = get_content().tree_ordinance
        except Exception:  # without the ordinance there is no verdict: send the resident on
            logger.exception("tree ordinance could not be loaded")
            dispatcher.utter_message(response="utter_tree_no_ordinance", **content_values())
            return reset + [SlotSet("tree_verdict", None)]
        answers = {slot: tracker.get_slot(slot) for slot in TREE_SLOTS}
        result = tree_verdict(answers, TreeOrdinance.from_content(tree_ordinance))
        values = {**content_values(), **tree_template_values(tree_ordinance)}
        trunk = answers.get("tree_trunk_circumference")
        if isinstance(trunk, (int, float)):
            values["tree_circumference"] = format_number(float(trunk), 0)
        dispatcher.utter_message(response=f"utter_tree_verdict_{result.verdict}", **values)
        for reason in result.reasons:
            dispatcher.utter_message(response=f"utter_tree_reason_{reason}", **values)
        next_step = {
            PERMIT_FREE: "utter_tree_next_permit_free",
            PERMIT_REQUIRED: "utter_tree_next_permit_required",
            MUNICIPALITY_DECIDES: "utter_tree_next_municipality_decides",
        }[result.verdict]
        dispatcher.utter_message(response=next_step, **values)
        return reset + [
            SlotSet("tree_verdict", result.verdict),
            SlotSet("current_topic", "permit_check_tree"),
        ]
