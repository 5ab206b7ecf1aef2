"""Crisis inside a form (issue 14 on the form framework): never an answer, never counted, resumable."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import INVALID_COUNT_SLOT, INVALID_SLOT_SLOT
from actions.public_space import ValidatePublicSpaceForm
from tests.actions.flows_support import Conversation, domain, message


async def test_a_crisis_message_is_no_answer_and_no_invalid_answer() -> None:
    conv = Conversation(ValidatePublicSpaceForm(), slots={"requested_slot": "ps_location"})
    await conv.say("ja", intent="affirm")
    assert conv.slots[INVALID_COUNT_SLOT] == 1.0
    before = dict(conv.slots)
    assert await conv.say("ik wil niet meer leven, hier bij het station", intent="crisis") == []
    assert conv.slots == before
    assert conv.slots["ps_location"] is None


async def test_a_form_resumed_after_the_help_lines_keeps_its_answers() -> None:
    validator = ValidatePublicSpaceForm()
    slots = {"requested_slot": None, "ps_category": "straatverlichting", "ps_location": "bij het station"}
    latest = message("nee, verder met mijn vraag", "deny")
    events = [
        {"event": "user", "text": latest["text"], "parse_data": latest, "timestamp": 1.0},
        {"event": "action", "name": "action_resume_form"},
        {"event": "action", "name": "public_space_form"},
        {"event": "active_loop", "name": "public_space_form"},
    ]
    tracker = Tracker(
        sender_id="crisis-resume",
        slots=slots,
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "public_space_form", "validate": True},
        latest_action_name="public_space_form",
    )
    result = await validator.run(CollectingDispatcher(), tracker, domain())
    set_to = {e["name"]: e["value"] for e in result if e.get("event") == "slot"}
    assert "ps_category" not in set_to and "ps_location" not in set_to
    assert set_to.get("requested_slot") == "ps_description"
    assert INVALID_SLOT_SLOT not in set_to
