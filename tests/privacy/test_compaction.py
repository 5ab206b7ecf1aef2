"""Long conversations are compacted, losing nothing the dialogue needs (privacy/compaction.py, issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered

from channels.socketio_input import history_from_events
from privacy import compaction
from privacy.tracker_store import MaskingTrackerStore

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [ask_fee, affirm, inform]
slots:
  municipality: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  permit_topic: {type: text, influence_conversation: true, mappings: [{type: custom}]}
  handoff_email: {type: text, influence_conversation: false, mappings: [{type: custom}]}
forms:
  tree_form: {required_slots: [permit_topic]}
responses:
  utter_fee: [{text: "Een paspoort kost 80 euro."}]
  utter_offer_appointment: [{text: "Wilt u een afspraak maken?"}]
"""
)
LIMIT = 40


def _turn(number: int, intent: str = "ask_fee", answer: str = "utter_fee") -> list:
    return [
        UserUttered(f"vraag {number}", {"name": intent, "confidence": 0.9}),
        ActionExecuted(answer),
        BotUttered(f"antwoord {number}"),
        ActionExecuted("action_listen"),
    ]


@pytest.fixture()
def store(tmp_path: Path):
    store = MaskingTrackerStore(
        domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"), compact_after=LIMIT
    )
    yield store
    store.engine.dispose()


async def _talk(store: MaskingTrackerStore, sender: str, turns: int, first: int = 0, **last_turn) -> None:
    for number in range(first, first + turns):
        tracker = await store.get_or_create_tracker(sender)
        if number == first and first == 0:
            tracker.update(SlotSet("municipality", "proefdorp"))
            tracker.update(SlotSet("handoff_email", "inwoner@example.nl"))
        events = _turn(number, **last_turn) if number == first + turns - 1 else _turn(number)
        for event in events:
            tracker.update(event)
        await store.save(tracker)


def _rows(store: MaskingTrackerStore, sender: str) -> list[dict]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        )
        return [json.loads(row[0]) for row in rows]


async def test_a_long_conversation_continues_from_a_compact_session(store) -> None:
    await _talk(store, "lang", 30)
    tracker = await store.retrieve("lang")
    assert len(tracker.events) <= LIMIT + 10  # bounded, not 30 turns' worth
    assert tracker.get_slot("municipality") == "proefdorp"
    assert tracker.get_slot("handoff_email") == "inwoner@example.nl"
    assert tracker.latest_message.text == "vraag 29"  # the last turn is there
    assert tracker.latest_action_name == "action_listen"
    full = await store.retrieve_full_tracker("lang")
    originals = [
        e.text for e in full.events if isinstance(e, UserUttered) and not compaction.is_copy(e.as_dict())
    ]
    assert originals == [f"vraag {n}" for n in range(30)]  # every original event stays stored


async def test_the_previous_answer_survives_a_compaction(store) -> None:
    """A rule reacting to "ja" after "Wilt u een afspraak maken?" needs the last answer."""
    await _talk(store, "afspraak", 12, answer="utter_offer_appointment")
    tracker = await store.retrieve("afspraak")
    assert any(e.metadata.get(compaction.COPY_FLAG) for e in tracker.events)
    actions = [e.action_name for e in tracker.events if isinstance(e, ActionExecuted)]
    assert actions[-2:] == ["utter_offer_appointment", "action_listen"]


async def test_no_compaction_while_a_form_is_active(store) -> None:
    tracker = await store.get_or_create_tracker("formulier")
    tracker.update(ActiveLoop("tree_form"))
    for number in range(15):
        for event in _turn(number):
            tracker.update(event)
    await store.save(tracker)
    again = await store.retrieve("formulier")
    assert len(again.events) == len(tracker.events)
    assert again.active_loop_name == "tree_form"


async def test_saving_the_same_tracker_again_after_a_compaction_stores_each_event_once(store) -> None:
    tracker = await store.get_or_create_tracker("tweemaal")
    for number in range(12):
        for event in _turn(number):
            tracker.update(event)
    await store.save(tracker)
    assert compaction.compacted_at(tracker) == len(tracker.events)
    for event in _turn(99):
        tracker.update(event)
    await store.save(tracker)
    stored = [
        e["text"] for e in _rows(store, "tweemaal") if e["event"] == "user" and not compaction.is_copy(e)
    ]
    assert stored == [f"vraag {n}" for n in range(12)] + ["vraag 99"]
    session = await store.retrieve("tweemaal")
    assert [e.text for e in session.events if isinstance(e, UserUttered)] == ["vraag 11", "vraag 99"]


async def test_readers_of_the_whole_history_skip_the_copies(store) -> None:
    await _talk(store, "geschiedenis", 14)
    rows = _rows(store, "geschiedenis")
    assert any(compaction.is_copy(row) for row in rows)
    history = history_from_events(rows)
    user_texts = [item["text"] for item in history if item["from"] == "user"]
    assert len(user_texts) == len(set(user_texts))


async def test_copies_are_masked_like_every_stored_event(store) -> None:
    await _talk(store, "masker", 12)
    copies = [row for row in _rows(store, "masker") if compaction.is_copy(row)]
    assert copies
    assert "inwoner@example.nl" not in json.dumps(copies) or "handoff_email" in store.keep_slots


def test_disabled_with_zero() -> None:
    assert not compaction.should_compact(object(), 0)  # type: ignore[arg-type]
