"""Direct access to Rasa's tracker database (the ``events`` table of ``SQLTrackerStore``).

Rasa 3.6 has no API to delete conversations, so deletion ("forget me") and the retention purge work
on the table directly. This module does not import Rasa: the action server and the ``make purge``
job use it with only SQLAlchemy, through ``TRACKER_DB_URL`` (default ``sqlite:///var/tracker.db``,
the same file ``endpoints.yml`` configures).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from foundation.db import cached_engine
from foundation.settings import get_settings

EVENTS_TABLE = "events"
SECONDS_PER_DAY = 86400
#: Ids per ``IN (...)``: some databases limit the number of bound parameters.
CHUNK = 500

# The columns of Rasa's ``SQLTrackerStore.SQLEvent`` this module needs. Never created from here:
# Rasa (or MaskingTrackerStore) creates the table.
_metadata = sa.MetaData()
events = sa.Table(
    EVENTS_TABLE,
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class PurgeResult:
    """What a purge deleted (or would delete, in a dry run)."""

    conversations: int
    events: int


def get_tracker_engine(url: str | None = None) -> Engine:
    """Return a cached engine for the tracker database (default: ``TRACKER_DB_URL``)."""
    return cached_engine(url or get_settings().tracker_db_url, _engines, _lock)


def dispose_tracker_engines() -> None:
    """Close all cached tracker engines (tests)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def has_events_table(engine: Engine) -> bool:
    """Whether the tracker table exists (it does not before Rasa stored its first conversation)."""
    return sa.inspect(engine).has_table(EVENTS_TABLE)


def delete_conversation(engine: Engine, sender_id: str) -> int:
    """Delete every stored event of one conversation (all sessions).

    Args:
        engine: engine of the tracker database.
        sender_id: the conversation id.

    Returns:
        The number of deleted events.
    """
    if not has_events_table(engine):
        return 0
    with engine.begin() as connection:
        result = connection.execute(sa.delete(events).where(events.c.sender_id == sender_id))
        return int(result.rowcount or 0)


def stale_conversations(engine: Engine, days: float, now: float | None = None) -> list[str]:
    """Conversation ids whose LAST event is older than ``days`` days."""
    if not has_events_table(engine):
        return []
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    query = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < cutoff)
        .order_by(events.c.sender_id)
    )
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(query)]


def _chunks(items: list[str]) -> Iterator[list[str]]:
    """``items`` in chunks: some databases limit the number of bound parameters."""
    for index in range(0, len(items), CHUNK):
        yield items[index : index + CHUNK]


def delete_conversations(engine: Engine, senders: list[str], dry_run: bool = False) -> int:
    """Delete (or count) every event of the conversations ``senders``; returns the number of events."""
    deleted = 0
    with engine.begin() as connection:
        for chunk in _chunks(senders):
            condition = events.c.sender_id.in_(chunk)
            if dry_run:
                counted = connection.execute(sa.select(sa.func.count()).select_from(events).where(condition))
                deleted += int(counted.scalar() or 0)
            else:
                deleted += int(connection.execute(sa.delete(events).where(condition)).rowcount or 0)
    return deleted


def purge_sessions_before(
    engine: Engine, cutoff: float, senders: list[str] | None = None, dry_run: bool = False
) -> int:
    """Delete (or count) the events before ``cutoff`` of earlier sessions (before the latest start).

    ``senders``: only these conversations (default: every conversation).
    """
    outer, inner = events.alias("outer_events"), events.alias("inner_events")
    latest_start = (
        sa.select(sa.func.max(inner.c.timestamp))
        .where(inner.c.type_name == "session_started", inner.c.sender_id == outer.c.sender_id)
        .scalar_subquery()
    )
    old = sa.and_(outer.c.timestamp < cutoff, outer.c.timestamp < latest_start)
    if senders is None:
        conditions = [old]
    else:
        conditions = [sa.and_(outer.c.sender_id.in_(chunk), old) for chunk in _chunks(senders)]
    deleted = 0
    with engine.begin() as connection:
        for condition in conditions:
            if dry_run:
                counted = connection.execute(sa.select(sa.func.count()).select_from(outer).where(condition))
                deleted += int(counted.scalar() or 0)
                continue
            ids = [row[0] for row in connection.execute(sa.select(outer.c.id).where(condition))]
            for chunk in _chunks(ids):
                removed = connection.execute(sa.delete(events).where(events.c.id.in_(chunk)))
                deleted += int(removed.rowcount or 0)
    return deleted


def purge_old_sessions(engine: Engine, days: float, now: float | None = None, dry_run: bool = False) -> int:
    """Delete the events older than ``days`` of the earlier sessions of conversations still in use.

    A conversation that stays active (a resident who comes back every week) is never deleted as a
    whole; its earlier sessions (before its latest ``session_started``) are, once older than the
    retention. Returns the number of events deleted (or that would be).
    """
    if days <= 0:
        raise ValueError("days must be positive")
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    return purge_sessions_before(engine, cutoff, dry_run=dry_run)


def purge_older_than(
    engine: Engine, days: float, now: float | None = None, dry_run: bool = False
) -> PurgeResult:
    """Delete the conversations whose last event is older than ``days`` days.

    A conversation that is still active keeps all its events, also the old ones: a conversation is
    deleted as a whole.

    Args:
        engine: engine of the tracker database.
        days: retention period in days (must be positive).
        now: the current time as a UNIX timestamp (tests); default: now.
        dry_run: only count what would be deleted.

    Returns:
        How many conversations and events were (or would be) deleted.
    """
    if days <= 0:
        raise ValueError("days must be positive")
    stale = stale_conversations(engine, days, now)
    if not stale:
        return PurgeResult(0, 0)
    deleted = delete_conversations(engine, stale, dry_run)
    return PurgeResult(len(stale), deleted)
