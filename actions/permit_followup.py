"""Follow-ups right after a self-check verdict: "nee wacht, het is toch een monument".

The verdict actions keep the answers of the last check in ``permit_last_answers``. When the next
message changes one of them, :class:`ActionPermitReopen` re-opens the check with that answer changed:
the verdict is given again at once when no question is missing, otherwise the form continues with the
questions that now matter.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.dormer import LAST_ANSWERS_SLOT, dormer_content, parse_dormer_answer, utter_dormer_verdict
from actions.permit_form import is_invalid
from actions.permit_rules import DORMER_SLOTS, TREE_SLOTS, FrontDormerRule, dormer_questions, tree_questions
from actions.tree import _ordinance, parse_tree_answer, utter_tree_verdict


def changed_answers(
    check: str, answers: dict[str, Any], text: str, intent: str | None, entities: list
) -> dict:
    """The answers of the last check that this message changes (keywords only, never a bare ja/nee)."""
    if check == "dormer":
        areas = tuple(dormer_content().get("protected_townscape_areas") or ())

        def parse(slot: str) -> Any:
            return parse_dormer_answer(slot, text, intent, False, entities, areas)

        slots = DORMER_SLOTS
    else:
        ordinance = _ordinance()

        def parse(slot: str) -> Any:
            return parse_tree_answer(slot, text, intent, False, entities, ordinance)

        slots = TREE_SLOTS
    changes = {}
    for slot in slots:
        value = parse(slot)
        if value is None or is_invalid(value) or (isinstance(value, dict) and "pending" in value):
            continue
        if value != answers.get(slot):
            changes[slot] = value
    return changes


class ActionPermitReopen(Action):
    """Re-opens the last self-check with the answer the resident just corrected."""

    def name(self) -> str:
        return "action_permit_reopen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        last = tracker.get_slot(LAST_ANSWERS_SLOT) or {}
        check = last.get("check")
        if check not in ("dormer", "tree"):
            dispatcher.utter_message(response="utter_how_can_i_help")
            return []
        message = tracker.latest_message or {}
        answers = dict(last.get("answers") or {})
        changes = changed_answers(
            check,
            answers,
            message.get("text") or "",
            (message.get("intent") or {}).get("name"),
            message.get("entities") or [],
        )
        if not changes:
            dispatcher.utter_message(response=f"utter_{check}_reopen_nothing")
            return []
        merged = {**answers, **changes}
        dispatcher.utter_message(response="utter_permit_answer_changed")
        if check == "dormer":
            questions = dormer_questions(merged, FrontDormerRule.from_content(dormer_content()))
        else:
            questions = tree_questions(merged)
        merged = {slot: value for slot, value in merged.items() if slot in questions}
        if all(merged.get(slot) is not None for slot in questions):
            if check == "dormer":
                return utter_dormer_verdict(dispatcher, merged, domain)
            return utter_tree_verdict(dispatcher, merged, domain)
        return [
            *(SlotSet(slot, value) for slot, value in merged.items()),
            SlotSet(LAST_ANSWERS_SLOT, None),
            FollowupAction(f"{check}_form"),
        ]
