"""Follow-ups right after a self-check verdict (actions/permit_followup.py, actions/answers.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerFollowup
from actions.permit_followup import ActionPermitReopen
from foundation.domain import read_domain
from tests.actions.test_permit_rules import FREE_DORMER

DOMAIN = read_domain()


def _slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def _reopen(make_tracker, text: str, last: dict[str, Any], intent: str = "deny"):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent=intent, text=text, slots={"permit_last_answers": last})
    events = await ActionPermitReopen().run(dispatcher, tracker, DOMAIN)
    return events, [m["response"] for m in dispatcher.messages]


async def test_it_is_a_monument_after_all_gives_the_new_verdict_at_once(make_tracker) -> None:
    events, responses = await _reopen(
        make_tracker, "nee wacht, het is toch een monument", {"check": "dormer", "answers": FREE_DORMER}
    )
    slots = _slots(events)
    assert slots["dormer_verdict"] == "permit_required"
    assert responses[0] == "utter_form_answer_changed"
    assert "utter_dormer_reason_monument" in responses
    assert slots["permit_last_answers"]["answers"]["dormer_monument"] == "ja"


async def test_a_change_that_needs_more_answers_continues_the_form(make_tracker) -> None:
    last = {"check": "dormer", "answers": {"dormer_building_type": "woonwagen"}}
    events, responses = await _reopen(make_tracker, "sorry, het is gewoon een rijtjeshuis", last, "inform")
    assert responses == ["utter_form_answer_changed"]
    assert _slots(events)["dormer_building_type"] == "woning"
    assert {"event": "followup", "name": "dormer_form"} in [
        {"event": e["event"], "name": e.get("name")} for e in events if e["event"] == "followup"
    ]


async def test_the_neighbours_tree_after_all(make_tracker) -> None:
    last = {
        "check": "tree",
        "answers": {"tree_location": "eigen_tuin", "tree_protected": "nee", "tree_trunk_circumference": 80.0},
    }
    events, responses = await _reopen(make_tracker, "nee wacht, het is de boom van de buren", last)
    assert _slots(events)["tree_verdict"] == "not_owner"
    assert "utter_tree_reason_neighbour_tree" in responses


async def test_a_plain_no_changes_nothing(make_tracker) -> None:
    events, responses = await _reopen(make_tracker, "nee", {"check": "dormer", "answers": FREE_DORMER})
    assert events == []
    assert responses == ["utter_dormer_reopen_nothing"]


async def test_what_does_the_permit_cost_after_a_check(make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        intent="ask_costs", text="en wat kost die vergunning?", slots={"current_topic": "dakkapel"}
    )
    await ActionAnswerFollowup().run(dispatcher, tracker, DOMAIN)
    responses = [m["response"] for m in dispatcher.messages]
    assert responses == ["utter_followup_costs", "utter_followup_duration"]
    assert "€" in dispatcher.messages[0]["costs"]
    assert "weken" in dispatcher.messages[1]["processing_time"]
