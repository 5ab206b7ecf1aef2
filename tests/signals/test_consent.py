"""Consent in the conversation (actions/signals.py) and the consent store (signals/store.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from rasa_sdk import Tracker

from actions.auth import issue_token
from actions.signals import (
    ActionDeliverSignal,
    ActionSignalsOffer,
    ActionSignalsSubscribe,
    ActionSignalsUnsubscribe,
)
from foundation import db
from privacy.forget import ForgetRequest, forget
from privacy.processing_log import pseudonymise_bsn
from signals import store
from tests.signals.conftest import PORTAL_SECRET

BSN = "999990007"


def tracker(
    intent: str,
    sender_id: str = "web-1",
    bsn: str | None = None,
    channel: str = "socketio",
    entities: list[dict[str, Any]] | None = None,
    text: str | None = None,
) -> Tracker:
    """A tracker whose latest message came over ``channel``, with a portal token when ``bsn`` is given."""
    metadata = {"auth_token": issue_token(bsn, secret=PORTAL_SECRET)} if bsn else {}
    if text is None:  # what Rasa records: typed "/intent", or "EXTERNAL: intent" when triggered
        text = f"EXTERNAL: {intent}" if intent == "proactive_signal" else f"/{intent}"
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "metadata": metadata,
    }
    user = {"event": "user", "text": message["text"], "parse_data": message, "input_channel": channel}
    if metadata:
        user["metadata"] = metadata
    return Tracker(sender_id, {}, message, [user], False, None, {}, "action_listen")


def responses(dispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


def consent_rows() -> list[dict[str, Any]]:
    with db.get_engine().connect() as conn:
        return [dict(r._mapping) for r in conn.execute(store.consents.select().order_by(store.consents.c.id))]


# ---------------------------------------------------------------------------- opt-in
async def test_offer_needs_a_verified_identity(dispatcher):
    await ActionSignalsOffer().run(dispatcher, tracker("subscribe_signals"), {})
    assert responses(dispatcher) == ["utter_signals_need_login"]


async def test_offer_explains_with_yes_no_buttons(dispatcher):
    await ActionSignalsOffer().run(dispatcher, tracker("subscribe_signals", bsn=BSN), {})
    assert responses(dispatcher) == [
        "utter_signals_explain_what", "utter_signals_explain_data", "utter_signals_explain"
    ]
    assert consent_rows() == []  # explaining records nothing


async def test_yes_records_the_consent(dispatcher, rules):
    await ActionSignalsSubscribe().run(dispatcher, tracker("affirm", sender_id="web-7", bsn=BSN), {})
    assert responses(dispatcher) == ["utter_signals_subscribed"]
    [row] = consent_rows()
    assert row["resident_key"] == pseudonymise_bsn(BSN) == store.resident_key(BSN)
    assert row["bsn"] == BSN  # needed to ask the BRP while the resident is away
    assert (row["channel"], row["sender_id"]) == ("socketio", "web-7")
    assert row["consent_version"] == rules.consent_text_version == "2026-12"
    assert row["given_at"] is not None and row["revoked_at"] is None


async def test_no_consent_without_yes_or_without_login(dispatcher):
    await ActionSignalsSubscribe().run(dispatcher, tracker("deny", bsn=BSN), {})
    await ActionSignalsSubscribe().run(dispatcher, tracker("affirm"), {})
    expired = issue_token(BSN, secret=PORTAL_SECRET, now=1_000_000)
    old = tracker("affirm")
    old.latest_message["metadata"] = {"auth_token": expired}
    await ActionSignalsSubscribe().run(dispatcher, old, {})
    assert responses(dispatcher) == [
        "utter_signals_not_subscribed",
        "utter_signals_need_login",
        "utter_signals_need_login",
    ]
    assert consent_rows() == []


async def test_subscribing_again_replaces_the_earlier_consent(dispatcher):
    await ActionSignalsSubscribe().run(dispatcher, tracker("affirm", sender_id="web-1", bsn=BSN), {})
    await ActionSignalsSubscribe().run(dispatcher, tracker("affirm", sender_id="web-2", bsn=BSN), {})
    active = store.active_consents()
    assert [(c.sender_id, c.bsn) for c in active] == [("web-2", BSN)]
    assert len(consent_rows()) == 2


# ---------------------------------------------------------------------------- opt-out
async def test_opt_out_is_immediate_and_clears_the_bsn(dispatcher):
    store.record_consent(BSN, "socketio", "web-1", "2026-11")
    key = store.resident_key(BSN)
    store.add_to_ledger(key, "aow_leeftijd", "once", {"date": "20-12-2026"}, date(2026, 12, 19))
    await ActionSignalsUnsubscribe().run(dispatcher, tracker("unsubscribe_signals", sender_id="web-1"), {})
    assert responses(dispatcher) == ["utter_signals_unsubscribed"]
    assert store.active_consents() == []
    assert store.active_consent(key) is None
    [row] = consent_rows()
    assert row["revoked_at"] is not None
    assert (row["bsn"], row["sender_id"], row["channel"]) == (None, None, None)
    assert row["resident_key"] == key and row["consent_version"] == "2026-11"  # proof of consent stays
    assert store.ledger_entries(key) == []  # the pending signal is gone


async def test_verified_resident_can_stop_from_another_conversation(dispatcher):
    store.record_consent(BSN, "socketio", "web-1", "2026-11")
    await ActionSignalsUnsubscribe().run(dispatcher, tracker("unsubscribe_signals", "web-9", bsn=BSN), {})
    assert responses(dispatcher) == ["utter_signals_unsubscribed"]
    assert store.active_consents() == []


async def test_opt_out_without_a_consent(dispatcher):
    store.record_consent(BSN, "socketio", "web-1", "2026-11")
    await ActionSignalsUnsubscribe().run(dispatcher, tracker("unsubscribe_signals", "web-9"), {})
    await ActionSignalsUnsubscribe().run(
        dispatcher, tracker("unsubscribe_signals", "web-9", bsn="999990019"), {}
    )
    assert responses(dispatcher) == ["utter_signals_not_found_login", "utter_signals_not_found"]
    assert len(store.active_consents()) == 1  # someone else's consent is untouched


# ---------------------------------------------------------------------------- delivery action
async def test_deliver_signal_utters_the_rules_message_with_buttons(dispatcher):
    entities = [
        {"entity": "signal_rule", "value": "paspoort_verloopt"},
        {"entity": "signal_date", "value": "12-01-2027"},
    ]
    await ActionDeliverSignal().run(dispatcher, tracker("proactive_signal", entities=entities), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_signal_passport_expiry"
    assert message["signal_date"] == "12-01-2027"
    assert [b["payload"] for b in message["buttons"]] == [
        "/make_appointment",
        "/passport_id_card",
        "/unsubscribe_signals",
    ]


async def test_deliver_signal_ignores_unknown_rules(dispatcher):
    entities = [{"entity": "signal_rule", "value": "horoscoop"}]
    await ActionDeliverSignal().run(dispatcher, tracker("proactive_signal", entities=entities), {})
    await ActionDeliverSignal().run(dispatcher, tracker("proactive_signal"), {})
    assert dispatcher.messages == []


async def test_a_typed_proactive_signal_is_refused(dispatcher):
    """Issue 13: ``/proactive_signal{...}`` typed by a resident rendered an official-looking signal."""
    entities = [{"entity": "signal_rule", "value": "paspoort_verloopt"}]
    typed = tracker(
        "proactive_signal", entities=entities, text='/proactive_signal{"signal_rule": "paspoort_verloopt"}'
    )
    await ActionDeliverSignal().run(dispatcher, typed, {})
    assert responses(dispatcher) == ["utter_system_intent_refused"]


# ---------------------------------------------------------------------------- "vergeet mij"
def test_forget_hook_deletes_consents_and_ledger_of_the_conversation():
    store.record_consent(BSN, "socketio", "web-1", "2026-11")
    store.record_consent("999990019", "socketio", "web-2", "2026-11")
    key = store.resident_key(BSN)
    store.add_to_ledger(key, "aow_leeftijd", "once", {}, date(2026, 12, 19))
    report = forget(ForgetRequest("web-1"))
    assert report.complete and report.deleted[store.FORGET_HOOK_NAME] == 2
    assert [c.sender_id for c in store.active_consents()] == ["web-2"]
    assert store.ledger_entries(key) == []
    with db.get_engine().connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.consents)).scalar() == 1


def test_forget_by_bsn_reaches_a_revoked_consent_too():
    store.record_consent(BSN, "socketio", "web-1", "2026-11")
    store.revoke_consents(sender_id="web-1")
    assert store.forget_consents("other-conversation", BSN) == 1
    assert consent_rows() == []


async def test_a_signal_is_sent_in_the_name_of_the_conversations_municipality(dispatcher):
    """Issue 18: 'Bericht van de gemeente Lindeoord', not the default municipality."""
    from actions import municipality

    entities = [
        {"entity": "signal_rule", "value": "paspoort_verloopt"},
        {"entity": "signal_date", "value": "12-01-2027"},
    ]
    with municipality.use("lindeoord"):
        await ActionDeliverSignal().run(dispatcher, tracker("proactive_signal", entities=entities), {})
    [message] = dispatcher.messages
    assert message["municipality_name"] == "gemeente Lindeoord"
