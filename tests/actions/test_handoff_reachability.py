"""Issue 13: "Hier in de chat" is offered only where an employee's answer can reach the resident."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff, reachability
from tests.actions.test_handoff import domain, responses, slot_events
from tests.conftest import TrackerFactory

WEB_ID = "web:" + "a1" * 16


def tracker_on(
    make_tracker: TrackerFactory,
    channel: str,
    sender_id: str,
    metadata: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    tracker = make_tracker(sender_id=sender_id, **kwargs)
    tracker.latest_message["metadata"] = {"channel": channel, **(metadata or {})}
    for event in tracker.events:
        if event.get("event") == "user":
            event["input_channel"] = channel
    return tracker


@pytest.mark.parametrize(
    ("channel", "sender_id", "metadata", "template", "reachable"),
    [
        ("socketio", WEB_ID, {}, "", True),  # a server-issued id the widget keeps with its secret
        ("socketio", WEB_ID, {"durable": False}, "", False),  # no localStorage: gone with the tab
        ("socketio", "3f2a", {}, "", False),  # not a server-issued id
        ("whatsapp", "wa:" + "b2" * 16, {}, "antwoord_klaar", True),  # template outside the 24 h
        ("whatsapp", "wa:" + "b2" * 16, {}, "", False),  # no template: an answer after 24 h is lost
        ("rest", "dev-user", {}, "antwoord_klaar", False),  # REST cannot receive a later answer
    ],
)
def test_where_an_answer_in_the_chat_can_arrive(
    make_tracker: TrackerFactory,
    monkeypatch: pytest.MonkeyPatch,
    channel: str,
    sender_id: str,
    metadata: dict[str, Any],
    template: str,
    reachable: bool,
) -> None:
    from foundation.settings import get_settings

    monkeypatch.setenv("WHATSAPP_REPLY_TEMPLATE", template)
    get_settings.cache_clear()
    tracker = tracker_on(make_tracker, channel, sender_id, metadata)
    assert reachability.chat_answer_reaches(tracker) is reachable
    get_settings.cache_clear()


async def test_rest_gets_no_chat_button(make_tracker: TrackerFactory) -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_on(make_tracker, "rest", "dev-user", slots={"requested_slot": "contact_preference"})
    await handoff.ActionAskContactPreference().run(dispatcher, tracker, domain())
    assert responses(dispatcher) == ["utter_ask_contact_preference_no_chat"]
    buttons = domain()["responses"]["utter_ask_contact_preference_no_chat"][0]["buttons"]
    assert all("chat" not in button["payload"] for button in buttons)


async def test_the_web_chat_gets_the_chat_button(make_tracker: TrackerFactory) -> None:
    dispatcher = CollectingDispatcher()
    tracker = tracker_on(make_tracker, "socketio", WEB_ID, slots={"requested_slot": "contact_preference"})
    await handoff.ActionAskContactPreference().run(dispatcher, tracker, domain())
    assert responses(dispatcher) == ["utter_ask_contact_preference"]


@pytest.mark.parametrize("text", ["hier in de chat", '/inform{"contact_preference": "chat"}'])
async def test_chat_typed_or_forged_on_rest_is_refused(make_tracker: TrackerFactory, text: str) -> None:
    entities = [("contact_preference", "chat")] if text.startswith("/") else []
    tracker = tracker_on(
        make_tracker,
        "rest",
        "dev-user",
        intent="inform",
        text=text,
        entities=entities,
        slots={"requested_slot": "contact_preference"},
        active_loop="handoff_form",
    )
    dispatcher = CollectingDispatcher()
    events = await handoff.ValidateHandoffForm().run(dispatcher, tracker, domain())
    assert slot_events(events).get("contact_preference") is None
    assert responses(dispatcher) == ["utter_handoff_invalid_chat_unavailable"]


async def test_chat_in_the_opening_message_is_not_taken_where_it_cannot_arrive(
    make_tracker: TrackerFactory,
) -> None:
    tracker = tracker_on(
        make_tracker, "rest", "dev-user", intent="request_human", text="medewerker via de chat"
    )
    values = handoff.ValidateHandoffForm().prefill("medewerker via chat", "request_human", [], tracker)
    assert "contact_preference" not in values
