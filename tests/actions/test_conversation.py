"""Tests for actions/conversation.py: session start, fallback steps, cancel, human contact."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import conversation


def user_event(intent: str, entities: list[dict[str, Any]] | None = None, ranking=None) -> dict:
    return {
        "event": "user",
        "text": "...",
        "parse_data": {
            "intent": {"name": intent, "confidence": 0.9},
            "entities": entities or [],
            "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
        },
    }


def tracker_for(events: list[dict], slots: dict | None = None, active_loop: dict | None = None) -> Tracker:
    latest = next((e["parse_data"] for e in reversed(events) if e["event"] == "user"), {})
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop=active_loop or {},
        latest_action_name="action_listen",
    )


async def test_session_start_introduces_assistant_as_digital() -> None:
    dispatcher = CollectingDispatcher()
    events = await conversation.ActionSessionStart().run(dispatcher, tracker_for([]), {})
    assert isinstance(events[0], dict) and events[0] == SessionStarted()
    responses = [m["response"] for m in dispatcher.messages]
    assert responses[0] == "utter_greet"
    assert "utter_privacy_short" in responses
    # the municipality's name comes from the content file, not from the code
    assert dispatcher.messages[0].get("municipality_name")


async def test_first_fallback_suggests_two_topics_as_buttons() -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "greet", "confidence": 0.2},
        {"name": "passport_id_card", "confidence": 0.3},
        {"name": "drivers_license", "confidence": 0.2},
        {"name": "waste_collection", "confidence": 0.1},
    ]
    dispatcher = CollectingDispatcher()
    await conversation.ActionFallback().run(
        dispatcher, tracker_for([user_event("greet"), user_event("nlu_fallback", ranking=ranking)]), {}
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_fallback_clarify"
    assert [b["payload"] for b in message["buttons"]] == ["/passport_id_card", "/drivers_license"]
    assert all(b["title"] for b in message["buttons"])


async def test_fallback_without_candidates_asks_to_rephrase() -> None:
    dispatcher = CollectingDispatcher()
    await conversation.ActionFallback().run(dispatcher, tracker_for([user_event("nlu_fallback")]), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_fallback_rephrase"]


async def test_second_fallback_in_a_row_offers_a_human() -> None:
    dispatcher = CollectingDispatcher()
    events = [user_event("nlu_fallback"), {"event": "bot", "text": "?"}, user_event("nlu_fallback")]
    await conversation.ActionFallback().run(dispatcher, tracker_for(events), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_fallback_human"]


async def test_fallback_count_resets_after_an_understood_message() -> None:
    events = [user_event("nlu_fallback"), user_event("greet"), user_event("nlu_fallback")]
    assert conversation.consecutive_fallbacks(tracker_for(events)) == 1


@pytest.mark.parametrize(
    ("problem", "response"),
    [
        ("empty", "utter_empty_message"),
        ("only_emoji", "utter_only_emoji"),
        ("too_long", "utter_message_too_long"),
        ("english", "utter_english"),
    ],
)
async def test_bad_input_gets_its_own_answer(problem: str, response: str) -> None:
    entity = {"entity": "input_problem", "value": problem}
    dispatcher = CollectingDispatcher()
    tracker = tracker_for([user_event("nlu_fallback", [entity])])
    await conversation.ActionFallback().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == [response]


async def test_cancel_stops_active_form_and_clears_its_slots() -> None:
    domain = {"forms": {"tree_form": {"required_slots": ["tree_protected", "tree_size_cm"]}}}
    dispatcher = CollectingDispatcher()
    tracker = tracker_for([user_event("cancel")], active_loop={"name": "tree_form"})
    events = await conversation.ActionCancel().run(dispatcher, tracker, domain)
    assert ActiveLoop(None) in events
    assert SlotSet("tree_protected", None) in events and SlotSet("tree_size_cm", None) in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_cancelled"]


async def test_cancel_without_form_changes_nothing() -> None:
    dispatcher = CollectingDispatcher()
    events = await conversation.ActionCancel().run(dispatcher, tracker_for([user_event("cancel")]), {})
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_nothing_to_cancel"]


async def test_request_human_gives_phone_and_hours_from_content() -> None:
    dispatcher = CollectingDispatcher()
    await conversation.ActionRequestHuman().run(dispatcher, tracker_for([user_event("request_human")]), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_request_human"
    assert message["phone"] and message["phone_hours"] and message["email"]


async def test_session_start_does_not_repeat_an_unanswered_introduction() -> None:
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "bot", "text": "Goedendag! Ik ben de digitale assistent"},
        {"event": "action", "name": "action_listen"},
        user_event("session_start"),
    ]
    dispatcher = CollectingDispatcher()
    result = await conversation.ActionSessionStart().run(dispatcher, tracker_for(events), {})
    assert dispatcher.messages == []
    assert result[0] == SessionStarted()


async def test_no_second_introduction_in_the_order_rasa_records_it() -> None:
    """Issue 13: the web chat showed the introduction and privacy note twice on first load.

    Rasa 3.6 puts a remote action's bot messages BEFORE the events it returns, so the first
    introduction comes before ``session_started``; then the widget's hidden ``/session_start``.
    """
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "bot", "text": "Goedendag! Ik ben de digitale assistent"},
        {"event": "bot", "text": "Deel geen medische gegevens"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        user_event("session_start"),
    ]
    dispatcher = CollectingDispatcher()
    await conversation.ActionSessionStart().run(dispatcher, tracker_for(events), {})
    assert dispatcher.messages == []


async def test_session_start_after_a_conversation_introduces_again() -> None:
    events = [
        {"event": "session_started"},
        {"event": "bot", "text": "Goedendag!"},
        user_event("passport_id_card"),
        {"event": "bot", "text": "..."},
    ]
    dispatcher = CollectingDispatcher()
    await conversation.ActionSessionStart().run(dispatcher, tracker_for(events), {})
    assert dispatcher.messages[0]["response"] == "utter_greet"
