"""Safety layer: the answer to a person in danger (intent ``crisis``), before anything else.

``components.crisis_detector.CrisisDetector`` sets intent ``crisis`` with one ``crisis_type`` entity per
kind found (``acute_danger``, ``suicide``, ``domestic_violence``). :class:`ActionCrisisSupport`
answers with the national help lines from ``content/national/safety_lines.yml`` (validated against
``content/schema.json#/$defs/safety_lines``; the numbers are never written in Python) and offers a
human. An active form is paused, not cancelled and not counted as an invalid answer: its answers
stay, ``paused_form`` remembers it, and :class:`ActionResumeForm` continues it when the resident
wants ("nee, verder met mijn vraag"); "stop" ends it (``action_cancel``).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.content import DEFAULT_SCHEMA_PATH, PROJECT_ROOT, ContentError

logger = logging.getLogger(__name__)

SAFETY_LINES_PATH = PROJECT_ROOT / "content" / "national" / "safety_lines.yml"
CRISIS_ENTITY = "crisis_type"
PAUSED_FORM_SLOT = "paused_form"
ACUTE_DANGER, SUICIDE, DOMESTIC_VIOLENCE = "acute_danger", "suicide", "domestic_violence"
#: Answer order: the most urgent first.
KINDS = (ACUTE_DANGER, SUICIDE, DOMESTIC_VIOLENCE)


def validate_safety_lines(
    data: Any, schema: dict[str, Any] | None = None, source: str = "safety lines"
) -> None:
    """Validate the national help lines against ``$defs/safety_lines`` of the content schema.

    Raises:
        ContentError: With one line per problem.
    """
    schema = schema or yaml.safe_load(DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = Draft202012Validator({"$ref": "#/$defs/safety_lines", "$defs": schema["$defs"]})
    problems = [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(top level)'}: {error.message}"
        for error in validator.iter_errors(data)
    ]
    if problems:
        raise ContentError(f"{source} is not valid:\n  - " + "\n  - ".join(problems))


@lru_cache(maxsize=2)
def load_safety_lines(path: str = str(SAFETY_LINES_PATH)) -> dict[str, Any]:
    """Read and validate the national help lines (cached).

    Raises:
        ContentError: When the file is missing, not YAML or not valid.
    """
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"safety lines could not be read from {path}: {exc}") from exc
    validate_safety_lines(data, source=path)
    return data


def safety_values(data: dict[str, Any]) -> dict[str, str]:
    """Template values of the crisis responses: ``suicide_phone``, ``emergency_phone``, ..."""
    values: dict[str, str] = {}
    for key, line in data["lines"].items():
        prefix = "emergency" if key == "emergency" else key
        for field in ("name", "phone", "phone_alt", "chat", "hours"):
            if field in line:
                values[f"{prefix}_{field}"] = str(line[field])
    return values


def crisis_kinds(tracker: Tracker) -> list[str]:
    """The kinds of danger in the latest message (all kinds when none was named, e.g. a button)."""
    entities = (tracker.latest_message or {}).get("entities") or []
    found = {e.get("value") for e in entities if e.get("entity") == CRISIS_ENTITY}
    kinds = [kind for kind in KINDS if kind in found]
    return kinds or list(KINDS)


class ActionCrisisSupport(Action):
    """Gives the help lines for the danger named, offers a human, and pauses an active form."""

    def name(self) -> str:
        return "action_crisis_support"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            values = safety_values(load_safety_lines())
        except ContentError:
            logger.exception("national safety lines could not be loaded")
            values = {}
        form = (tracker.active_loop or {}).get("name") or tracker.get_slot(PAUSED_FORM_SLOT)
        if values:
            for kind in crisis_kinds(tracker):
                dispatcher.utter_message(response=f"utter_crisis_{kind}", **values)
        else:
            dispatcher.utter_message(response="utter_crisis_no_content")
        offer = "utter_crisis_offer_human_paused" if form else "utter_crisis_offer_human"
        dispatcher.utter_message(response=offer, **values)
        if not (tracker.active_loop or {}).get("name"):
            return [ActiveLoop(None)]  # harmless without a form; the rules expect the same events
        # Pause: the answers stay; the form continues from its next question after action_resume_form.
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(PAUSED_FORM_SLOT, form)]


class ActionResumeForm(Action):
    """Continues the form paused by the safety layer, or asks how to help when none was paused."""

    def name(self) -> str:
        return "action_resume_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = tracker.get_slot(PAUSED_FORM_SLOT)
        if not form or form not in (domain.get("forms") or {}):
            dispatcher.utter_message(response="utter_how_can_i_help")
            return [SlotSet(PAUSED_FORM_SLOT, None)]
        dispatcher.utter_message(response="utter_crisis_resume_form")
        return [SlotSet(PAUSED_FORM_SLOT, None), FollowupAction(form)]
