"""Guard on consent intents (actions/signals.py): an uncertain typed (un)subscribe is checked first.

Off-topic commands ("herinner me aan de tandarts", "verwijder mijn herinnering") used to land on
subscribe_signals / unsubscribe_signals / forget_me. Stopping the signals acted at once, so one
misunderstood sentence withdrew a consent. Now a typed request below GUARD_MIN_CONFIDENCE gets a
yes/no question first; a button (payload, confidence 1.0) or a clear request still acts at once.
"""

from __future__ import annotations

from typing import Any

import yaml
from rasa_sdk import Tracker

from actions.auth import issue_token
from actions.content import PROJECT_ROOT
from actions.signals import (
    GUARD_MIN_CONFIDENCE,
    ActionSignalsOffer,
    ActionSignalsSubscribe,
    ActionSignalsUnsubscribe,
)
from signals import store
from tests.signals.conftest import PORTAL_SECRET

BSN = "999990007"


def tracker(
    intent: str,
    text: str,
    confidence: float,
    asked: str | None = None,
    sender_id: str = "web-1",
    bsn: str | None = None,
) -> Tracker:
    """A tracker: optionally the bot's last question (``asked``), then the resident's message."""
    metadata = {"auth_token": issue_token(bsn, secret=PORTAL_SECRET)} if bsn else {}
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": [],
               "metadata": metadata}
    events: list[dict[str, Any]] = [{"event": "user", "text": "hoi", "parse_data": {}}]
    if asked:
        events.append({"event": "bot", "text": "...", "metadata": {"utter_action": asked}})
    events.append({"event": "user", "text": text, "parse_data": message, "input_channel": "socketio",
                   "metadata": metadata})
    return Tracker(sender_id, {}, message, events, False, None, {}, "action_listen")


def responses(dispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


async def test_uncertain_typed_stop_asks_first_and_keeps_the_consent(dispatcher) -> None:
    store.record_consent(BSN, "socketio", "web-1", "2026-12")
    low = GUARD_MIN_CONFIDENCE - 0.2
    message = tracker("unsubscribe_signals", "verwijder mijn herinnering", low)
    await ActionSignalsUnsubscribe().run(dispatcher, message, {})
    assert responses(dispatcher) == ["utter_signals_unsubscribe_check"]
    assert len(store.active_consents()) == 1


async def test_no_to_the_check_keeps_the_consent(dispatcher) -> None:
    store.record_consent(BSN, "socketio", "web-1", "2026-12")
    await ActionSignalsUnsubscribe().run(
        dispatcher, tracker("deny", "nee hoor", 0.9, asked="utter_signals_unsubscribe_check"), {}
    )
    assert responses(dispatcher) == ["utter_signals_unsubscribe_kept"]
    assert len(store.active_consents()) == 1


async def test_yes_to_the_check_stops_at_once(dispatcher) -> None:
    store.record_consent(BSN, "socketio", "web-1", "2026-12")
    await ActionSignalsUnsubscribe().run(
        dispatcher, tracker("affirm", "ja", 0.95, asked="utter_signals_unsubscribe_check"), {}
    )
    assert responses(dispatcher) == ["utter_signals_unsubscribed"]
    assert store.active_consents() == []


async def test_a_yes_without_the_check_question_stops_nothing(dispatcher) -> None:
    store.record_consent(BSN, "socketio", "web-1", "2026-12")
    await ActionSignalsUnsubscribe().run(
        dispatcher, tracker("affirm", "ja", 0.95, asked="utter_signals_unsubscribed"), {}
    )
    assert responses(dispatcher) == ["utter_affirm_no_context"]
    assert len(store.active_consents()) == 1


async def test_a_clear_request_or_the_button_stops_at_once(dispatcher) -> None:
    store.record_consent(BSN, "socketio", "web-1", "2026-12")
    await ActionSignalsUnsubscribe().run(
        dispatcher, tracker("unsubscribe_signals", "ik wil geen berichten meer", 0.93), {}
    )
    assert responses(dispatcher) == ["utter_signals_unsubscribed"]
    store.record_consent(BSN, "socketio", "web-1", "2026-12")
    button = tracker("unsubscribe_signals", "/unsubscribe_signals", 0.4)
    await ActionSignalsUnsubscribe().run(dispatcher, button, {})
    assert responses(dispatcher)[-1] == "utter_signals_unsubscribed"


async def test_uncertain_subscribe_asks_before_the_long_explanation(dispatcher) -> None:
    await ActionSignalsOffer().run(
        dispatcher, tracker("subscribe_signals", "herinner me morgen aan de tandarts", 0.45, bsn=BSN), {}
    )
    assert responses(dispatcher) == ["utter_signals_subscribe_check"]


async def test_yes_to_the_subscribe_check_explains_and_records_nothing(dispatcher) -> None:
    await ActionSignalsSubscribe().run(
        dispatcher, tracker("affirm", "ja", 0.9, asked="utter_signals_subscribe_check", bsn=BSN), {}
    )
    assert responses(dispatcher) == [
        "utter_signals_explain_what", "utter_signals_explain_data", "utter_signals_explain"
    ]
    assert store.active_consents() == []
    await ActionSignalsSubscribe().run(
        dispatcher, tracker("affirm", "ja graag", 0.9, asked="utter_signals_explain", bsn=BSN), {}
    )
    assert responses(dispatcher)[-1] == "utter_signals_subscribed"
    assert len(store.active_consents()) == 1


def test_forget_me_always_asks_for_confirmation_first() -> None:
    rules = yaml.safe_load((PROJECT_ROOT / "data/rules/privacy.yml").read_text(encoding="utf-8"))
    first = next(r for r in rules["rules"] if r["steps"][0] == {"intent": "forget_me"})
    assert first["steps"][1] == {"action": "action_forget_me_confirm"}
    erase = next(r for r in rules["rules"] if {"action": "action_forget_me"} in r["steps"])
    assert erase["steps"][:2] == [{"action": "action_forget_me_confirm"}, {"intent": "affirm"}]


def test_check_questions_have_yes_no_buttons(domain_dict: dict) -> None:
    domain = domain_dict
    for name, payload in (("utter_signals_unsubscribe_check", "/unsubscribe_signals"),
                          ("utter_signals_subscribe_check", "/subscribe_signals")):
        buttons = [b["payload"] for b in domain["responses"][name][0]["buttons"]]
        assert buttons == [payload, "/deny"]
