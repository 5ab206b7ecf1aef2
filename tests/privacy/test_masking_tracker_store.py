"""The masking tracker store persists no personal data (privacy/tracker_store.py).

Every test reads the database DIRECTLY (SQLAlchemy on the same URL) and checks the raw rows, on
SQLite and on the local PostgreSQL server.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    EntitiesAdded,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from privacy.tracker_store import DEFAULT_KEEP_SLOTS, MaskingTrackerStore, mask_event_dict

ROOT = Path(__file__).resolve().parents[2]

BSN = "123456782"
IBAN = "NL91ABNA0417164300"
PHONE = "0612345678"
EMAIL = "jan.jansen@example.nl"
DOCUMENT = "NW92K45L1"
RAW_VALUES = [
    BSN,
    IBAN,
    PHONE,
    EMAIL,
    DOCUMENT,
    "oxazepam",
    "metformine",
    "diabetes",
    "strafblad",
    "enkelband",
]
DAY = 86400

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [inform, greet, forget_me, affirm]
entities: [phone, email]
slots:
  bsn: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  iban: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  handoff_phone: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  handoff_email: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  notes: {type: any, influence_conversation: false, mappings: [{type: custom}]}
responses:
  utter_greet:
    - text: "Hallo"
"""
)


def _user(text: str, intent: str = "inform", entities=None, timestamp=None, metadata=None) -> UserUttered:
    parse_data = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "privacy": {"categories": ["bsn"], "special_category": False},
    }
    return UserUttered(
        text,
        intent={"name": intent, "confidence": 1.0},
        entities=entities or [],
        parse_data=parse_data,
        timestamp=timestamp,
        metadata=metadata,
    )


def _sensitive_turns() -> list:
    return [
        _user(f"mijn bsn is {BSN} en mijn rekening {IBAN}", metadata={"from": PHONE}),
        SlotSet("bsn", BSN),
        SlotSet("iban", IBAN),
        BotUttered(f"Ik heb uw bsn {BSN} genoteerd.", data={"custom": {"echo": EMAIL}}),
        _user(
            f"bel mij op {PHONE} of mail {EMAIL}",
            entities=[
                {"entity": "phone", "value": PHONE, "start": 11, "end": 21},
                {"entity": "email", "value": EMAIL, "start": 30, "end": 51},
            ],
        ),
        SlotSet("handoff_phone", PHONE),
        SlotSet("handoff_email", EMAIL),
        EntitiesAdded([{"entity": "phone", "value": PHONE}]),
        _user(f"ik gebruik oxazepam en metformine voor mijn diabetes; paspoort {DOCUMENT}"),
        SlotSet("notes", {"text": "ik heb een strafblad", "items": [f"enkelband {BSN}"]}),
        _user("ik heb een strafblad en een enkelband"),
        ActionExecuted("action_listen"),
    ]


def _all_row_text(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT * FROM events")).fetchall()
    finally:
        engine.dispose()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def _count_rows(url: str, sender_id: str | None = None) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if sender_id is None:
                return connection.execute(sa.text("SELECT COUNT(*) FROM events")).scalar()
            return connection.execute(
                sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender_id}
            ).scalar()
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_and_url(request, tmp_path) -> Iterator[tuple[MaskingTrackerStore, str]]:
    """A MaskingTrackerStore on SQLite or PostgreSQL, and the URL to read its database directly."""
    if request.param == "sqlite":
        db = str(tmp_path / "var" / "tracker.db")
        store = MaskingTrackerStore(domain=DOMAIN, dialect="sqlite", db=db)
        url = f"sqlite:///{db}"
    else:
        pg = request.getfixturevalue("pg_database")
        store = MaskingTrackerStore(
            domain=DOMAIN, dialect="postgresql", host="127.0.0.1", port=5432, db=pg["db"], username=pg["user"]
        )
        url = pg["url"]
    yield store, url
    store.engine.dispose()


async def _new_tracker(store: MaskingTrackerStore, sender_id: str, events: list) -> DialogueStateTracker:
    tracker = await store.get_or_create_tracker(sender_id)
    for event in events:
        tracker.update(event)
    return tracker


async def test_no_raw_value_reaches_the_database(store_and_url):
    store, url = store_and_url
    tracker = await _new_tracker(store, "resident-1", _sensitive_turns())
    await store.save(tracker)

    stored = _all_row_text(url)
    assert "[BSN]" in stored and "[IBAN]" in stored and "[GEZONDHEID]" in stored and "[STRAFRECHT]" in stored
    kept = {PHONE, EMAIL}  # only as values of the kept slots handoff_phone / handoff_email
    for value in RAW_VALUES:
        if value in kept:
            continue
        assert value not in stored, value
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT type_name, action_name, data FROM events")).fetchall()
    engine.dispose()
    for type_name, action_name, data in rows:
        slot_kept = type_name == "slot" and action_name in ("handoff_phone", "handoff_email")
        if not slot_kept:
            assert PHONE not in data and EMAIL not in data, data


async def test_in_memory_tracker_is_unchanged_and_retrieve_gives_the_masked_version(store_and_url):
    store, _ = store_and_url
    tracker = await _new_tracker(store, "resident-2", _sensitive_turns())
    events_before = [event.as_dict() for event in tracker.events]
    await store.save(tracker)

    assert [event.as_dict() for event in tracker.events] == events_before
    assert tracker.get_slot("bsn") == BSN

    restored = await store.retrieve("resident-2")
    assert len(restored.events) == len(tracker.events)
    assert restored.get_slot("bsn") == "[BSN]"
    assert restored.get_slot("iban") == "[IBAN]"
    assert restored.get_slot("handoff_phone") == PHONE
    assert restored.get_slot("handoff_email") == EMAIL
    assert restored.latest_message.text == "ik heb een [STRAFRECHT] en een [STRAFRECHT]"


async def test_later_saves_append_only_the_new_events_masked(store_and_url):
    store, url = store_and_url
    tracker = await _new_tracker(store, "resident-3", [_user("hallo", intent="greet")])
    await store.save(tracker)
    rows_after_first = _count_rows(url, "resident-3")

    tracker = await store.retrieve("resident-3")
    tracker.update(_user(f"mijn bsn is {BSN}"))
    tracker.update(BotUttered("Dank u"))
    await store.save(tracker)

    assert _count_rows(url, "resident-3") == rows_after_first + 2
    assert BSN not in _all_row_text(url)
    assert len((await store.retrieve("resident-3")).events) == rows_after_first + 2


async def test_forget_action_followed_by_restart_erases_the_stored_conversation(store_and_url):
    store, url = store_and_url
    other = await _new_tracker(store, "someone-else", [_user("hallo", intent="greet")])
    await store.save(other)
    tracker = await _new_tracker(store, "resident-4", _sensitive_turns())
    await store.save(tracker)
    assert _count_rows(url, "resident-4") > 5

    tracker = await store.retrieve("resident-4")
    tracker.update(_user("vergeet mij", intent="forget_me"))
    tracker.update(ActionExecuted("action_forget_me_confirm"))
    tracker.update(_user("ja", intent="affirm"))
    tracker.update(ActionExecuted("action_forget_me"))
    tracker.update(BotUttered("Klaar."))
    tracker.update(Restarted())
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT type_name, action_name FROM events WHERE sender_id = 'resident-4' ORDER BY id")
        ).fetchall()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("action", "action_listen")]
    assert _count_rows(url, "someone-else") == len(other.events)

    # The next turn continues from the restart as usual.
    tracker = await store.retrieve("resident-4")
    tracker.update(_user("hallo", intent="greet"))
    await store.save(tracker)
    assert _count_rows(url, "resident-4") == 2


async def test_restart_without_forget_keeps_the_history(store_and_url):
    store, url = store_and_url
    tracker = await _new_tracker(store, "resident-5", [_user("hallo", intent="greet")])
    await store.save(tracker)
    tracker = await store.retrieve("resident-5")
    tracker.update(Restarted())
    await store.save(tracker)
    assert _count_rows(url, "resident-5") == 3


async def test_delete_conversation_deletes_all_sessions_of_one_sender(store_and_url):
    store, url = store_and_url
    tracker = await _new_tracker(store, "resident-6", [_user("eerste sessie")])
    await store.save(tracker)
    tracker = await store.retrieve("resident-6")
    tracker.update(SessionStarted())
    tracker.update(_user("tweede sessie"))
    await store.save(tracker)
    other = await _new_tracker(store, "resident-7", [_user("hallo")])
    await store.save(other)

    stored = _count_rows(url, "resident-6")
    assert stored == len(tracker.events)
    assert store.delete_conversation("resident-6") == stored
    assert _count_rows(url, "resident-6") == 0
    assert _count_rows(url, "resident-7") == len(other.events)
    assert await store.retrieve("resident-6") is None
    assert store.delete_conversation("resident-6") == 0


async def test_purge_deletes_only_conversations_idle_longer_than_the_retention(store_and_url):
    store, url = store_and_url
    now = time.time()
    old = await _new_tracker(store, "idle", [_user(f"bsn {BSN}", timestamp=now - 40 * DAY)])
    await store.save(old)
    active = await _new_tracker(
        store,
        "active",
        [_user("lang geleden", timestamp=now - 60 * DAY), _user("gisteren", timestamp=now - DAY)],
    )
    await store.save(active)
    # get_or_create_tracker adds an action_listen "now"; make the idle conversation entirely old.
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE events SET timestamp = :t WHERE sender_id = 'idle'"), {"t": now - 40 * DAY}
        )
    engine.dispose()
    active_rows = _count_rows(url, "active")

    dry = store.purge_older_than(28, now=now, dry_run=True)
    assert (dry.conversations, dry.events) == (1, _count_rows(url, "idle"))
    assert _count_rows(url, "idle") > 0

    result = store.purge_older_than(28, now=now)
    assert result.conversations == 1
    assert _count_rows(url, "idle") == 0
    assert _count_rows(url, "active") == active_rows  # old events of an active conversation stay

    with pytest.raises(ValueError):
        store.purge_older_than(0)


class _CollectingBroker(EventBroker):
    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


async def test_events_published_to_the_event_broker_are_masked(tmp_path):
    broker = _CollectingBroker()
    store = MaskingTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"), event_broker=broker)
    tracker = await _new_tracker(store, "resident-8", [_user(f"mijn bsn is {BSN}")])
    await store.save(tracker)
    assert broker.published
    assert BSN not in repr(broker.published)
    assert any(body.get("text") == "mijn bsn is [BSN]" for body in broker.published)
    store.engine.dispose()


def test_store_is_created_from_an_endpoints_config(tmp_path):
    db = tmp_path / "var" / "tracker.db"
    config = EndpointConfig(
        type="privacy.tracker_store.MaskingTrackerStore",
        dialect="sqlite",
        db=str(db),
        keep_slots=["handoff_phone"],
    )
    store = TrackerStore.create(config, DOMAIN)
    assert isinstance(store, MaskingTrackerStore)  # async: not wrapped by Rasa
    assert store.keep_slots == {"handoff_phone"}
    assert db.exists()
    store.engine.dispose()


def test_keep_slots_default_and_comma_separated():
    assert set(DEFAULT_KEEP_SLOTS) == {"handoff_phone", "handoff_email", "ps_contact", "appt_contact"}
    event = {"event": "slot", "name": "handoff_phone", "value": PHONE, "timestamp": 1.0}
    assert mask_event_dict(event)["value"] == PHONE
    assert mask_event_dict(event, keep_slots=())["value"] == "[TELEFOON]"
    assert mask_event_dict({"event": "action", "name": "action_listen"}) == {
        "event": "action",
        "name": "action_listen",
    }


def test_kept_slots_are_the_domains_contact_slots(domain_dict: dict):
    """The store keeps exactly the slots flows read in a later turn, by their names in domain/."""
    domain = domain_dict
    assert set(DEFAULT_KEEP_SLOTS) <= set(domain["slots"])
    for name in ("endpoints.yml", "endpoints.production.yml"):
        config = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))["tracker_store"]
        assert set(config["keep_slots"]) == set(DEFAULT_KEEP_SLOTS), name


async def test_sqlite_connections_are_pooled_in_wal_mode_and_reads_see_every_save(tmp_path):
    """Issue 16: one open connection serves many messages; a save is visible to the next retrieve."""
    db = str(tmp_path / "var" / "tracker.db")
    store = MaskingTrackerStore(domain=DOMAIN, dialect="sqlite", db=db)
    opened: list[object] = []
    sa.event.listen(store.engine, "connect", lambda *_: opened.append(1))
    try:
        for turn in range(5):
            tracker = await store.get_or_create_tracker("pooled")
            tracker.update(_user(f"bericht {turn}"))
            await store.save(tracker)
        again = await store.retrieve("pooled")
        texts = [e.text for e in again.events if isinstance(e, UserUttered)]
        assert texts == [f"bericht {n}" for n in range(5)]
        assert len(opened) <= 2  # the event loop's and the save thread's connection, kept open
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        store.engine.dispose()
