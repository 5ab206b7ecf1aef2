"""Retrieve a conversation without replaying its whole history every message.

Rasa's ``SQLTrackerStore.retrieve`` reads every event of the conversation's session, parses its
JSON and replays it into a new tracker, at every message: the cost grows with the length of the
conversation. :class:`CachedRetrieval` keeps, per conversation, a *snapshot* of the tracker exactly
as ``retrieve`` would rebuild it from the database (the masked events, as stored), and after each
``save`` moves the snapshot on by the events just written, so a retrieve costs one small indexed
query plus a shallow copy.

Exactness rules (a snapshot is only used when it must equal what the database holds):

- every retrieve first reads ``(count, max id)`` of the conversation's stored events; a snapshot
  is used only when that marker is the one it was taken at. Another Rasa instance writing to the
  same conversation, the retention purge, or "vergeet mij" all change the marker;
- a snapshot is advanced only with the masked event dicts the store itself wrote, after a JSON
  round trip (the same deserialisation as ``retrieve``);
- a save that starts a new session or erases the conversation drops the snapshot (the next
  retrieve reads the database).

The snapshot is never handed out: ``retrieve`` returns a fresh tracker restored from it, which Rasa
may change freely.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

#: Conversations kept per process (least recently used dropped first).
DEFAULT_CACHE_SIZE = 1000

Marker = tuple[int, Any]


@dataclass(frozen=True)
class Snapshot:
    """The state of a tracker, detached from the tracker object it was taken from."""

    marker: Marker
    state: dict[str, Any]

    @classmethod
    def take(cls, tracker: DialogueStateTracker, marker: Marker) -> Snapshot:
        """Copy what a tracker's state consists of; events are shared (Rasa never changes them)."""
        state = dict(vars(tracker))
        state["events"] = list(tracker.events)
        state["slots"] = {name: copy.copy(slot) for name, slot in tracker.slots.items()}
        for key in ("latest_message", "latest_bot_utterance", "latest_action", "active_loop"):
            state[key] = copy.deepcopy(state.get(key))
        return cls(marker, state)

    def restore(self) -> DialogueStateTracker:
        """A new tracker in the snapshot's state."""
        tracker = DialogueStateTracker.__new__(DialogueStateTracker)
        state = dict(self.state)
        events = state.pop("events")
        state["slots"] = {name: copy.copy(slot) for name, slot in state["slots"].items()}
        for key in ("latest_message", "latest_bot_utterance", "latest_action", "active_loop"):
            state[key] = copy.deepcopy(state.get(key))
        vars(tracker).update(state)
        tracker.events = tracker._create_events(events)
        return tracker


class CachedRetrieval:
    """Mixin for a ``SQLTrackerStore`` subclass: snapshot-based ``retrieve`` (see module docstring).

    The subclass calls :meth:`_init_cache` in its constructor and :meth:`_written` from its
    ``_additional_events`` with the event dicts it is about to store.
    """

    SQLEvent: Any
    session_scope: Any
    engine: Any

    def _init_cache(self, size: int = DEFAULT_CACHE_SIZE) -> None:
        self._cache_size = size
        self._snapshots: OrderedDict[str, Snapshot] = OrderedDict()
        self._pending: dict[str, tuple[list[dict[str, Any]], bool]] = {}
        self._cache_lock = threading.Lock()

    def _marker(self, sender_id: str) -> Marker:
        """``(count, max id)`` of the conversation's stored events: one indexed query, no ORM session."""
        table = self.SQLEvent.__table__
        query = sa.select(sa.func.count(table.c.id), sa.func.max(table.c.id))
        query = query.where(table.c.sender_id == sender_id)
        with self.engine.connect() as connection:
            count, last_id = connection.execute(query).one()
        return int(count), last_id

    def _remember(self, sender_id: str, snapshot: Snapshot | None) -> None:
        with self._cache_lock:
            if snapshot is None:
                self._snapshots.pop(sender_id, None)
                return
            self._snapshots[sender_id] = snapshot
            self._snapshots.move_to_end(sender_id)
            while len(self._snapshots) > self._cache_size:
                self._snapshots.popitem(last=False)

    def _written(self, sender_id: str, event_dicts: list[dict[str, Any]], erased: bool) -> None:
        """Note what this save writes (called while the save's transaction is open)."""
        self._pending[sender_id] = (event_dicts, erased)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's latest session, from the snapshot when it is current."""
        if self._cache_size <= 0:
            return await super().retrieve(sender_id)  # type: ignore[misc]
        marker = self._marker(sender_id)
        with self._cache_lock:
            snapshot = self._snapshots.get(sender_id)
        if snapshot is not None and snapshot.marker == marker:
            return snapshot.restore()
        tracker = await super().retrieve(sender_id)  # type: ignore[misc]
        self._remember(sender_id, Snapshot.take(tracker, marker) if tracker is not None else None)
        return tracker

    async def _write(self, tracker: DialogueStateTracker) -> None:
        """Write the tracker's new events (the store's own save; subclasses may override)."""
        await super().save(tracker)  # type: ignore[misc]

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events, then move the snapshot on by exactly what was stored."""
        sender_id = tracker.sender_id
        if self._cache_size <= 0:
            await self._write(tracker)
            return
        with self._cache_lock:
            before = self._snapshots.get(sender_id)
        try:
            await self._write(tracker)
        except Exception:
            self._remember(sender_id, None)
            raise
        written, erased = self._pending.pop(sender_id, ([], True))
        new_session = any(event.get("event") == SessionStarted.type_name for event in written)
        if before is None or erased or new_session:
            self._remember(sender_id, None)
            return
        marker = self._marker(sender_id)
        if marker[0] != before.marker[0] + len(written):
            self._remember(sender_id, None)  # someone else wrote in between
            return
        advanced = before.restore()
        for data in written:
            advanced.update(Event.from_parameters(json.loads(json.dumps(data))))
        self._remember(sender_id, Snapshot.take(advanced, marker))
