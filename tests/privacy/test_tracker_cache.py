"""A cached retrieve returns exactly what the database holds (privacy/tracker_cache.py).

Each test runs a conversation through a caching store and compares every retrieve with a store
on the same database that has no cache (``cache_size=0``): the full state, events included.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from privacy.tracker_store import MaskingTrackerStore

PHONE = "0612345678"
DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [inform]
slots:
  answer: {type: text, influence_conversation: false, mappings: [{type: custom}]}
forms:
  some_form: {required_slots: [answer]}
responses:
  utter_ask_answer: [{text: "Wat is uw antwoord?"}]
"""
)


def stores(tmp_path: Path) -> tuple[MaskingTrackerStore, MaskingTrackerStore]:
    db = str(tmp_path / "tracker.db")
    return MaskingTrackerStore(domain=DOMAIN, db=db), MaskingTrackerStore(domain=DOMAIN, db=db, cache_size=0)


def turn(tracker: DialogueStateTracker, n: int) -> None:
    tracker.update(UserUttered(f"bericht {n}, bel mij op {PHONE}", {"name": "inform", "confidence": 0.9}))
    tracker.update(ActionExecuted("some_form"))
    tracker.update(ActiveLoop("some_form"))
    tracker.update(SlotSet("requested_slot", f"slot_{n}"))
    tracker.update(BotUttered(f"antwoord {n}"))
    tracker.update(ActionExecuted("action_listen"))


def state(tracker: DialogueStateTracker | None) -> dict:
    assert tracker is not None
    return tracker.current_state(EventVerbosity.ALL)


@pytest.fixture
def db_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The conversations read from the database the slow way (Rasa's own retrieve)."""
    reads: list[str] = []
    original = SQLTrackerStore.retrieve

    async def counting(self: SQLTrackerStore, sender_id: str) -> DialogueStateTracker | None:
        reads.append(sender_id)
        return await original(self, sender_id)

    monkeypatch.setattr(SQLTrackerStore, "retrieve", counting)
    return reads


async def test_a_long_conversation_is_read_from_the_database_once(
    tmp_path: Path, db_reads: list[str]
) -> None:
    cached, plain = stores(tmp_path)
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    tracker.update(SessionStarted())
    await cached.save(tracker)
    for n in range(12):
        tracker = await cached.retrieve("c1")
        assert tracker is not None
        turn(tracker, n)
        await cached.save(tracker)
        cached_state, db_reads_before = state(await cached.retrieve("c1")), len(db_reads)
        assert cached_state == state(await plain.retrieve("c1"))
        assert len(db_reads) == db_reads_before + 1  # only the plain store read the database
    assert db_reads.count("c1") == 1 + 12  # the caching store's first read, and the plain store's
    assert PHONE not in str(cached_state)  # what is cached is what is stored: masked


async def test_the_returned_tracker_can_be_changed_without_touching_the_cache(tmp_path: Path) -> None:
    cached, plain = stores(tmp_path)
    tracker = DialogueStateTracker("c2", DOMAIN.slots)
    turn(tracker, 0)
    await cached.save(tracker)
    first = await cached.retrieve("c2")
    assert first is not None
    first.update(SlotSet("requested_slot", "changed but never saved"))
    first.update(UserUttered("nooit opgeslagen"))
    assert state(await cached.retrieve("c2")) == state(await plain.retrieve("c2"))


async def test_a_write_by_another_instance_is_seen(tmp_path: Path) -> None:
    cached, other = stores(tmp_path)  # "other" stands for a second Rasa instance on the same database
    tracker = DialogueStateTracker("c3", DOMAIN.slots)
    turn(tracker, 0)
    await cached.save(tracker)
    assert await cached.retrieve("c3") is not None
    elsewhere = await other.retrieve("c3")
    assert elsewhere is not None
    turn(elsewhere, 1)
    await other.save(elsewhere)
    assert state(await cached.retrieve("c3")) == state(await other.retrieve("c3"))
    assert state(await cached.retrieve("c3"))["slots"]["requested_slot"] == "slot_1"


async def test_erasure_and_a_new_session_drop_the_snapshot(tmp_path: Path) -> None:
    cached, plain = stores(tmp_path)
    tracker = DialogueStateTracker("c4", DOMAIN.slots)
    turn(tracker, 0)
    await cached.save(tracker)
    tracker = await cached.retrieve("c4")
    assert tracker is not None
    tracker.update(SessionStarted())
    turn(tracker, 1)
    await cached.save(tracker)
    assert state(await cached.retrieve("c4")) == state(await plain.retrieve("c4"))

    tracker = await cached.retrieve("c4")
    assert tracker is not None
    tracker.update(ActionExecuted("action_forget_me"))
    tracker.update(Restarted())
    await cached.save(tracker)  # "vergeet mij": the store deletes the conversation
    assert await plain.retrieve("c4") is None
    assert await cached.retrieve("c4") is None

    tracker = DialogueStateTracker("c5", DOMAIN.slots)
    turn(tracker, 0)
    await cached.save(tracker)
    assert await cached.retrieve("c5") is not None
    plain.delete_conversation("c5")  # e.g. the retention purge, in another process
    assert await cached.retrieve("c5") is None
