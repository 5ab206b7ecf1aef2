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

from actions.content import content_or
from actions.conversation import content_values
from actions.dormer import LAST_ANSWERS_SLOT, answers_summary, product_key_for
from actions.forms import BOOKKEEPING_SLOTS, HANDOFF_SLOT, FormValidation, invalid, is_invalid
from actions.measurements import DIAMETER, MeasurementError
from actions.parsing import format_number
from actions.permit_parsing import (
    keyword_yes_no,
    parse_tree_location,
    parse_trunk_kind,
    parse_trunk_reading,
    yes_no_answer,
)
from actions.permit_rules import (
    MUNICIPALITY_DECIDES,
    NOT_OWNER,
    PERMIT_FREE,
    PERMIT_REQUIRED,
    TREE_LOCATIONS,
    TREE_SLOTS,
    UNKNOWN,
    TreeOrdinance,
    estimate,
    measured,
    tree_questions,
    tree_verdict,
)

logger = logging.getLogger(__name__)

YES_NO = ("ja", "nee")
#: Plausible trunk circumference at 1.30 m, in cm (the thickest trees in the Netherlands are ~10 m).
PLAUSIBLE_CIRCUMFERENCE_CM = (1.0, 1500.0)
#: A bare trunk size ("35 cm") waiting for "omtrek of doorsnede?": ``{"size_cm": 35, "estimate": false}``.
TRUNK_PENDING_SLOT = "tree_trunk_pending"

_PROTECTED = re.compile(r"\b(monumenta\w*|beschermd\w*|bomenlijst|boomlijst|lijst)\b")
_TRUNK_HINT = re.compile(r"\b(omtrek|omvang|rondom|doorsnede|doorsnee|diameter|dik|rond|om|stam\w*)\b")


def _entity(entities: list[dict], name: str) -> Any:
    return next((e.get("value") for e in entities if e.get("entity") == name), None)


def tree_ordinance_content() -> dict[str, Any]:
    """The municipality's ``tree_ordinance`` content (empty when it cannot be loaded)."""
    return content_or(lambda content: dict(content.tree_ordinance), {}, "tree ordinance")


def _circumference_value(circumference: float, is_estimate: bool) -> Any:
    value = round(circumference, 1)
    return estimate(value) if is_estimate else value


def parse_trunk_answer(text: str, requested: bool, ordinance: TreeOrdinance | None) -> Any:
    """The trunk answer: circumference in cm (or estimate), a pending bare size, or an invalid marker.

    A bare size ("35 cm") is stored as circumference only when both readings give the same verdict;
    otherwise the form asks whether it is the circumference or the diameter.
    """
    if not requested and not (_TRUNK_HINT.search(text.lower()) and re.search(r"\d", text)):
        return None
    try:
        reading = parse_trunk_reading(text, ordinance.measured_at_height_cm if ordinance else 130.0)
    except MeasurementError as error:
        return invalid(error.code) if requested else None
    if reading.kind is None:
        if ordinance is None or ordinance.needs_permit(reading.size_cm) != ordinance.needs_permit(
            3.141592653589793 * reading.size_cm
        ):
            return {"pending": {"size_cm": reading.size_cm, "estimate": reading.estimate}}
    return _circumference_value(reading.circumference_cm, reading.estimate)


def parse_tree_answer(
    slot: str,
    text: str,
    intent: str | None,
    requested: bool,
    entities: list[dict],
    ordinance: TreeOrdinance | None = None,
) -> Any:
    """Read one tree answer from a message (see :meth:`FormValidation.parse`)."""
    from_button = _entity(entities, slot)
    if from_button is not None:
        return from_button
    if slot == "tree_trunk_circumference":
        return parse_trunk_answer(text, requested, ordinance)
    if slot == "tree_location":
        value = parse_tree_location(text)
        return invalid("location") if value is None and requested else value
    value = keyword_yes_no(text, _PROTECTED)
    if value is None and requested:
        value = yes_no_answer(text, intent) or invalid("yes_no")
    return value


def _ordinance() -> TreeOrdinance | None:
    content = tree_ordinance_content()
    try:
        return TreeOrdinance.from_content(content) if content else None
    except ValueError:
        return None


class ValidateTreeForm(FormValidation):
    """Validates the answers of ``tree_form`` and skips questions that no longer matter."""

    slots = TREE_SLOTS
    trigger_intents = frozenset({"permit_check_tree"})
    unknown_slots = frozenset(TREE_SLOTS)
    offer_human_response = "utter_permit_offer_human"
    response_prefix = "tree"
    extra_slots = (TRUNK_PENDING_SLOT,)

    def name(self) -> str:
        return "validate_tree_form"

    def questions(self, answers: dict[str, Any]) -> list[str]:
        return tree_questions(answers)

    def parse(self, slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]) -> Any:
        return parse_tree_answer(slot, text, intent, requested, entities, _ordinance())

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """As the base class; after a bare "35 cm" the answer "omtrek"/"doorsnede" completes it."""
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        pending = tracker.get_slot(TRUNK_PENDING_SLOT)
        if (
            isinstance(pending, dict)
            and tracker.get_slot("requested_slot") == "tree_trunk_circumference"
            and intent not in ("crisis", "cancel", "dont_know")
        ):
            text = message.get("text") or ""
            kind = _entity(message.get("entities") or [], "tree_trunk_kind") or parse_trunk_kind(text)
            has_number = any(ch.isdigit() for ch in text)
            if kind in ("circumference", "diameter") and not has_number:
                size = float(pending["size_cm"])
                circumference = 3.141592653589793 * size if kind == DIAMETER else size
                value = _circumference_value(circumference, bool(pending.get("estimate")))
                return [SlotSet("tree_trunk_circumference", value), SlotSet(TRUNK_PENDING_SLOT, None)]
        return await super().get_extraction_events(dispatcher, tracker, domain)

    async def validate_tree_protected(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("tree_protected", value, YES_NO, dispatcher, tracker)

    async def validate_tree_location(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_choice("tree_location", value, TREE_LOCATIONS, dispatcher, tracker)

    async def validate_tree_trunk_circumference(self, value: Any, dispatcher, tracker, domain) -> dict:
        slot = "tree_trunk_circumference"
        if value == UNKNOWN:
            return self.accept(slot, value, tracker)
        if isinstance(value, dict) and "pending" in value:
            # Not an invalid answer: the ask action now asks "omtrek of doorsnede?".
            return {slot: None, TRUNK_PENDING_SLOT: value["pending"]}
        if is_invalid(value):
            return self.reject(slot, value["invalid"], dispatcher, tracker)
        reading = measured(value)
        if reading is None:
            return self.reject(slot, "no_number", dispatcher, tracker)
        low, high = PLAUSIBLE_CIRCUMFERENCE_CM
        if not low <= reading[0] <= high:
            return self.reject(slot, "implausible", dispatcher, tracker, value=format_number(reading[0], 0))
        result = self.accept(slot, value, tracker)
        if tracker.get_slot(TRUNK_PENDING_SLOT):
            result[TRUNK_PENDING_SLOT] = None
        return result


def tree_template_values(tree_ordinance: dict[str, Any]) -> dict[str, str]:
    """Values of the tree responses taken from the content's ``tree_ordinance``."""
    ordinance = TreeOrdinance.from_content(tree_ordinance)
    threshold = ordinance.threshold_circumference_cm
    diameter = tree_ordinance.get("min_diameter_cm")
    values = {
        "tree_threshold_circumference": format_number(threshold, 0),
        "tree_threshold_diameter": format_number(diameter if diameter else threshold / math.pi, 0),
        "tree_ordinance_source": str(tree_ordinance.get("source", "")),
        "tree_protected_list_url": str(tree_ordinance.get("protected_list_url", "")),
        "measured_height": f"{ordinance.measured_at_height_cm / 100:.2f}".replace(".", ","),
        "multi_stem_rule": str(tree_ordinance.get("multi_stem_rule", "")),
        "crown_pruning_percent": format_number(float(tree_ordinance.get("crown_pruning_percent") or 0), 0),
    }
    if ordinance.monumental_min_diameter_cm:
        values["monumental_min_diameter"] = format_number(float(ordinance.monumental_min_diameter_cm), 0)
    return values


class ActionAskTreeTrunk(Action):
    """Asks the trunk question at the ordinance's measuring height, with its multi-stem rule (content)."""

    def name(self) -> str:
        return "action_ask_tree_trunk_circumference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        pending = tracker.get_slot(TRUNK_PENDING_SLOT)
        if isinstance(pending, dict) and pending.get("size_cm") is not None:
            size = format_number(float(pending["size_cm"]), 0)
            dispatcher.utter_message(response="utter_tree_ask_trunk_kind", value=size)
            return []
        content = tree_ordinance_content()
        if not content:
            dispatcher.utter_message(response="utter_ask_tree_trunk_circumference")
            return []
        dispatcher.utter_message(response="utter_ask_tree_trunk_at_height", **tree_template_values(content))
        return []


def utter_tree_verdict(
    dispatcher: CollectingDispatcher, answers: dict[str, Any], domain: DomainDict
) -> list[EventType]:
    """Say the verdict, the answers it rests on, its reasons and the next step."""
    tree_ordinance = tree_ordinance_content()
    if not tree_ordinance:
        dispatcher.utter_message(response="utter_tree_no_ordinance", **content_values())
        return [SlotSet("tree_verdict", None)]
    result = tree_verdict(answers, TreeOrdinance.from_content(tree_ordinance))
    values = {**content_values(), **tree_template_values(tree_ordinance)}
    reading = measured(answers.get("tree_trunk_circumference"))
    if reading is not None:
        values["tree_circumference"] = format_number(reading[0], 0)
    dispatcher.utter_message(response=f"utter_tree_verdict_{result.verdict}", **values)
    summary = answers_summary("tree", answers, TREE_SLOTS, domain)
    if summary:
        dispatcher.utter_message(response="utter_permit_summary", summary=summary)
    for reason in result.reasons:
        dispatcher.utter_message(response=f"utter_tree_reason_{reason}", **values)
    next_step = {
        PERMIT_FREE: "utter_tree_next_permit_free",
        PERMIT_REQUIRED: "utter_tree_next_permit_required",
        MUNICIPALITY_DECIDES: "utter_tree_next_municipality_decides",
        NOT_OWNER: "utter_tree_next_not_owner",
    }[result.verdict]
    dispatcher.utter_message(response=next_step, **values)
    if result.verdict == PERMIT_FREE and tree_ordinance.get("crown_pruning_percent"):
        dispatcher.utter_message(response="utter_tree_note_crown_pruning", **values)
    return [
        SlotSet("tree_verdict", result.verdict),
        SlotSet("current_topic", product_key_for("permit_check_tree")),
        SlotSet(LAST_ANSWERS_SLOT, {"check": "tree", "answers": answers}),
    ]


class ActionTreeVerdict(Action):
    """Ends ``tree_form``: the verdict, its reasons and the next step (or the handoff offer)."""

    def name(self) -> str:
        return "action_tree_verdict"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in (*TREE_SLOTS, *BOOKKEEPING_SLOTS, TRUNK_PENDING_SLOT)]
        if tracker.get_slot(HANDOFF_SLOT):
            return reset + [SlotSet("tree_verdict", None)]
        answers = {slot: tracker.get_slot(slot) for slot in TREE_SLOTS}
        answers = {slot: value for slot, value in answers.items() if value is not None}
        return reset + utter_tree_verdict(dispatcher, answers, domain)
