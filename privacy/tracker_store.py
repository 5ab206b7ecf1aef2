"""A Rasa SQL tracker store that masks personal data before it is written.

Configure it in ``endpoints.yml`` with the same keys as Rasa's ``SQL`` store::

    tracker_store:
      type: privacy.tracker_store.MaskingTrackerStore
      dialect: "sqlite"            # or "postgresql" (then url, port, db, username, password, login_db)
      db: "var/tracker.db"
      keep_slots: [handoff_phone, handoff_email, ps_contact, appt_contact]   # optional, the default

What is masked (with :func:`privacy.detect.mask`, e.g. ``"[BSN]"``) in every persisted event:
the resident's text, the parse data (text, entity values, ...), channel metadata, bot messages
(text and data), entities of ``EntitiesAdded`` events and slot values, except the slots in
``keep_slots`` that flows need later (e.g. the contact phone number for a call-back).

Only what is WRITTEN is masked; the in-memory tracker of the running turn is not touched. Rasa
reads the tracker back from the store at the next message, so policies and actions then see the
masked text (acceptable: only the kept slots carry values across turns).

"Forget me": when a turn contains one of ``forget_actions`` (default ``action_forget_me``)
followed by a ``Restarted`` event, the store deletes every stored event of the conversation and
only writes what comes after the restart. Without this, Rasa would write the current session
back right after the action server deleted it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, Restarted
from rasa.shared.core.trackers import DialogueStateTracker

from foundation import sqlite
from privacy import compaction
from privacy.detect import mask_data
from privacy.tracker_cache import DEFAULT_CACHE_SIZE, CachedRetrieval
from privacy.tracker_db import PurgeResult
from privacy.tracker_db import delete_conversation as _delete_conversation
from privacy.tracker_db import purge_older_than as _purge_older_than

logger = logging.getLogger(__name__)

DEFAULT_DB = "var/tracker.db"
#: Slots of the domain (domain/) whose values flows need in a later turn (the call-back phone number or e-mail
#: of a handoff ticket, the contact of a public-space report, the address for an appointment
#: confirmation); kept unmasked unless configured otherwise. Every other slot is masked.
DEFAULT_KEEP_SLOTS: tuple[str, ...] = ("handoff_phone", "handoff_email", "ps_contact", "appt_contact")
DEFAULT_FORGET_ACTIONS: tuple[str, ...] = ("action_forget_me",)

#: Keys whose values must never be persisted, at any depth of an event (identity tokens, secrets).
SECRET_METADATA_KEYS: tuple[str, ...] = (
    "auth_token",
    "token",
    "access_token",
    "id_token",
    "refresh_token",
    "session_secret",
    "secret",
    "password",
    "authorization",
    "jwt",
)
_SECRET_KEYS = frozenset(SECRET_METADATA_KEYS)


def drop_secrets(value: Any) -> Any:
    """A copy of ``value`` without the keys of :data:`SECRET_METADATA_KEYS`, at every depth."""
    if isinstance(value, dict):
        return {
            key: drop_secrets(item)
            for key, item in value.items()
            if not (isinstance(key, str) and key.lower() in _SECRET_KEYS)
        }
    if isinstance(value, (list, tuple)):
        return [drop_secrets(item) for item in value]
    return value

# Keys of an event dict that hold free text or data from the resident or the channel.
_MASKED_KEYS = ("text", "parse_data", "metadata", "data", "entities", "action_text")


def _as_names(value: Any, default: Iterable[str]) -> frozenset[str]:
    """Accept a list or a comma-separated string (environment variables in endpoints.yml)."""
    if value is None:
        return frozenset(default)
    if isinstance(value, str):
        return frozenset(name.strip() for name in value.split(",") if name.strip())
    return frozenset(str(name) for name in value)


def mask_event_dict(data: dict[str, Any], keep_slots: Iterable[str] = DEFAULT_KEEP_SLOTS) -> dict[str, Any]:
    """Return a masked copy of a serialised event (``Event.as_dict()``).

    Args:
        data: the event as Rasa serialises it.
        keep_slots: slots whose value is stored unmasked.
    """
    # the portal's identity token carries the BSN: it is checked per message, never stored (also
    # not in parse_data.metadata or the session_started_metadata slot)
    masked = drop_secrets(data)
    for key in _MASKED_KEYS:
        if key in masked:
            masked[key] = mask_data(masked[key])
    if masked.get("event") == "slot" and masked.get("name") not in set(keep_slots):
        masked["value"] = mask_data(masked.get("value"))
    return masked


class _PersistedEvent:
    """What ``SQLTrackerStore.save`` needs of an event (``type_name``, ``as_dict``), masked."""

    def __init__(self, event: Event, data: dict[str, Any]) -> None:
        self.type_name = event.type_name
        self._data = data

    def as_dict(self) -> dict[str, Any]:
        return self._data


class MaskingTrackerStore(CachedRetrieval, SQLTrackerStore):
    """``SQLTrackerStore`` that masks personal data before persisting (see module docstring).

    Retrieval goes through :class:`privacy.tracker_cache.CachedRetrieval`: the conversation as
    stored is kept per process and moved on by what each save writes, so a message does not replay
    the whole session (``cache_size: 0`` in endpoints.yml turns that off).
    """

    def __init__(
        self,
        domain: Domain | None = None,
        dialect: str = "sqlite",
        host: str | None = None,
        port: int | None = None,
        db: str = DEFAULT_DB,
        username: str | None = None,
        password: str | None = None,
        event_broker: EventBroker | None = None,
        login_db: str | None = None,
        query: dict | None = None,
        keep_slots: Iterable[str] | str | None = None,
        forget_actions: Iterable[str] | str | None = None,
        cache_size: int | str = DEFAULT_CACHE_SIZE,
        compact_after: int | str = compaction.DEFAULT_COMPACT_AFTER,
        **kwargs: Any,
    ) -> None:
        """Create the store; arguments as Rasa's ``SQLTrackerStore`` plus the two below.

        Args:
            keep_slots: slots stored unmasked (default :data:`DEFAULT_KEEP_SLOTS`).
            forget_actions: actions after which a ``Restarted`` event erases the conversation.
            cache_size: conversations whose stored state is kept in this process (0: none).
            compact_after: events in a session after which a resting conversation is compacted
                (:mod:`privacy.compaction`; 0: never).
        """
        self._init_cache(int(cache_size))
        self.compact_after = int(compact_after)
        self.keep_slots = _as_names(keep_slots, DEFAULT_KEEP_SLOTS)
        self.forget_actions = _as_names(forget_actions, DEFAULT_FORGET_ACTIONS)
        if dialect == "sqlite" and db and db != ":memory:" and not (host and "://" in host):
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            domain=domain,
            dialect=dialect,
            host=host,
            port=port,
            db=db,
            username=username,
            password=password,
            event_broker=event_broker,
            login_db=login_db,
            query=query,
            **kwargs,
        )
        if self.engine.dialect.name == "sqlite":
            self._pool_sqlite_connections()

    def _pool_sqlite_connections(self) -> None:
        """Keep SQLite connections open between messages, in write-ahead-log mode.

        Rasa's engine opens and closes a SQLite connection for every query (SQLAlchemy's default
        for a file database), several times per message; the retrieve marker alone took 10% of the
        server's main thread under load (issue 16). The replacement engine pools connections
        across the event loop and the save thread.
        """
        url = self.engine.url
        self.engine.dispose()
        self.engine = sqlite.enable_wal(
            sa.create_engine(
                url, poolclass=sa.pool.QueuePool, pool_size=4, connect_args={"check_same_thread": False}
            )
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # ------------------------------------------------------------------ masking
    def mask_event(self, event: Event) -> dict[str, Any]:
        """The masked serialised form of ``event``, as it will be stored."""
        return mask_event_dict(event.as_dict(), self.keep_slots)

    def _forget_restart_index(self, tracker: DialogueStateTracker) -> int | None:
        """Index of the ``Restarted`` that follows the last forget action, if any."""
        forget_seen = False
        restart_index = None
        for index, event in enumerate(tracker.events):
            if isinstance(event, ActionExecuted) and event.action_name in self.forget_actions:
                forget_seen = True
                restart_index = None
            elif forget_seen and isinstance(event, Restarted):
                restart_index = index
                forget_seen = False
        return restart_index

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events ``save`` writes, masked; after "forget me" only what follows the restart.

        A long session at rest also gets a compaction written after its new events
        (:mod:`privacy.compaction`); a later save of the same tracker object then writes only
        what was added since.
        """
        restart_index = self._forget_restart_index(tracker)
        already_compacted = compaction.compacted_at(tracker)
        if restart_index is not None:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == tracker.sender_id)
                .delete(synchronize_session=False)
            )
            logger.info("Forgot conversation (%d stored events deleted).", deleted)
            events: Iterable[Event] = itertools.islice(tracker.events, restart_index + 1, None)
        elif already_compacted is not None:
            events = itertools.islice(tracker.events, already_compacted, None)
        else:
            events = super()._additional_events(session, tracker)
        new_events = list(events)
        if restart_index is None and compaction.should_compact(tracker, self.compact_after):
            new_events += compaction.compaction_events(tracker)
            compaction.mark_compacted(tracker)
        elif already_compacted is not None:
            compaction.mark_compacted(tracker)
        persisted = [_PersistedEvent(event, self.mask_event(event)) for event in new_events]
        self._written(tracker.sender_id, [p.as_dict() for p in persisted], erased=restart_index is not None)
        return iter(persisted)

    async def _stream_new_events(
        self, event_broker: EventBroker, new_events: list[Event], sender_id: str
    ) -> None:
        """Publish masked events to the event broker too."""
        for event in new_events:
            body = {"sender_id": sender_id}
            body.update(self.mask_event(event))
            event_broker.publish(body)

    async def _write(self, tracker: DialogueStateTracker) -> None:
        """Mask and write the new events in a worker thread, never on the event loop.

        Called by :meth:`privacy.tracker_cache.CachedRetrieval.save`, which keeps the snapshot.

        Masking a long message and the blocking database write would otherwise stall every other
        conversation of this Rasa process for as long as they take (issue 13).
        """
        await self.stream_events(tracker)
        await asyncio.to_thread(self._save_blocking, tracker)

    def _save_blocking(self, tracker: DialogueStateTracker) -> None:
        """``SQLTrackerStore.save`` without the event broker (Rasa 3.6's body, unchanged)."""
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                intent = ((data.get("parse_data") or {}).get("intent") or {}).get("name")
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()

    # ------------------------------------------------------------------ deletion
    def delete_conversation(self, sender_id: str) -> int:
        """Delete every stored event of one conversation; returns the number of events."""
        return _delete_conversation(self.engine, sender_id)

    def purge_older_than(self, days: float, now: float | None = None, dry_run: bool = False) -> PurgeResult:
        """Delete conversations whose last event is older than ``days`` days."""
        return _purge_older_than(self.engine, days, now=now, dry_run=dry_run)
