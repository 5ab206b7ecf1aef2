"""Retention: delete conversations and processing-log entries that are kept too long.

Conversations (Rasa's tracker database, ``TRACKER_DB_URL``) are deleted as a whole when their last
event is older than the retention period (earlier sessions of a conversation still in use too).
Processing-log entries (``DATABASE_URL``) are deleted after the processing-log period. Run daily:
``make purge`` (``python -m app.purge``).

Each municipality its own periods (issue 18): the ``retention`` section of its content file
(``conversation_days``, ``processing_log_days``), merged on the national base; what neither declares
is the national default ``RETENTION_DAYS`` (28) / ``PROCESSING_LOG_RETENTION_DAYS`` (365). They reach
this module through :func:`foundation.municipality.settings` (``actions.municipality.settings_for``).
A conversation belongs to the municipality its ``municipality`` slot names (set once at the start,
``action_session_start``); one without the slot belongs to the default municipality. Tickets,
WhatsApp numbers and processing-log entries carry their municipality too: their retention hooks are
registered ``per_municipality`` and run once per municipality with its period. Rows that belong to
no municipality (delivered outbox entries, WhatsApp message ids and contact times) are purged after
the shortest conversation period of the deployment: they must not outlive any municipality's.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from foundation.municipality import SLOT, get_deployment, use
from foundation.municipality import settings as municipal_settings
from foundation.outbox import purge_finished
from privacy.processing_log import purge_processing_log
from privacy.tracker_db import (
    EVENTS_TABLE,
    SECONDS_PER_DAY,
    delete_conversations,
    events,
    get_tracker_engine,
    has_events_table,
    purge_sessions_before,
)

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class MunicipalityRetention:
    """What one retention run did for one municipality."""

    municipality: str
    days: int
    log_days: int
    conversations: int = 0
    events: int = 0
    log_entries: int = 0
    other_rows: int = 0


@dataclass(frozen=True)
class RetentionReport:
    """What one retention run deleted (or would delete, in a dry run)."""

    #: The default municipality's periods (the national ones unless its content says otherwise).
    days: int
    log_days: int
    conversations: int
    events: int
    log_entries: int
    dry_run: bool
    #: Rows deleted from the assistant's other tables (outbox, tickets, WhatsApp, verification).
    other_rows: int = 0
    #: Per municipality of the deployment, in the order of ``content/municipalities.yml``.
    municipalities: tuple[MunicipalityRetention, ...] = ()


def retention_periods(
    days: int | None = None, log_days: int | None = None
) -> dict[str, tuple[int, int]]:
    """Each municipality's ``(conversation days, processing-log days)``; given values override all."""
    periods: dict[str, tuple[int, int]] = {}
    for name in get_deployment().names:
        with use(name):
            own = municipal_settings()
        periods[name] = (
            own.retention_days if days is None else days,
            own.processing_log_retention_days if log_days is None else log_days,
        )
    return periods


def run_retention(
    days: int | None = None,
    log_days: int | None = None,
    *,
    dry_run: bool = False,
    tracker_engine: Engine | None = None,
    log_engine: Engine | None = None,
    now: float | None = None,
) -> RetentionReport:
    """Purge old conversations and old processing-log entries, each municipality with its periods.

    Args:
        days: conversation retention in days for every municipality (default: each its own).
        log_days: processing-log retention in days for every municipality (default: each its own).
        dry_run: only count.
        tracker_engine: engine of the tracker database (default: ``TRACKER_DB_URL``).
        log_engine: engine of the assistant database (default: ``DATABASE_URL``).
        now: current time as a UNIX timestamp (tests).
    """
    periods = retention_periods(days, log_days)
    if any(d <= 0 or ld <= 0 for d, ld in periods.values()):
        raise ValueError("days must be positive")
    engine = tracker_engine or get_tracker_engine()
    if not has_events_table(engine):
        # an empty file (e.g. TRACKER_DB_URL pointing elsewhere) must not look like "nothing to do"
        raise RuntimeError(f"the tracker database has no {EVENTS_TABLE!r} table: check TRACKER_DB_URL")
    moment = time.time() if now is None else now
    log_now = datetime.fromtimestamp(moment, timezone.utc)
    senders = conversations_by_municipality(engine)
    results: list[MunicipalityRetention] = []
    for name, (own_days, own_log_days) in periods.items():
        cutoff = moment - own_days * SECONDS_PER_DAY
        mine = senders.get(name, {})
        stale = sorted(sender for sender, last in mine.items() if last < cutoff)
        conversations = len(stale)
        deleted = delete_conversations(engine, stale, dry_run)
        deleted += purge_sessions_before(engine, cutoff, sorted(set(mine) - set(stale)), dry_run)
        other = 0 if dry_run else _purge_municipal_tables(name, own_days, log_now)
        log_entries = purge_processing_log(
            own_log_days, engine=log_engine, now=log_now, dry_run=dry_run, municipality=name
        )
        results.append(
            MunicipalityRetention(name, own_days, own_log_days, conversations, deleted, log_entries, other)
        )
    shortest = min(d for d, _ in periods.values())
    shared = 0 if dry_run else _purge_other_tables(shortest, log_now)
    default_days, default_log_days = periods[get_deployment().default]
    report = RetentionReport(
        default_days,
        default_log_days,
        sum(r.conversations for r in results),
        sum(r.events for r in results),
        sum(r.log_entries for r in results),
        dry_run,
        shared + sum(r.other_rows for r in results),
        tuple(results),
    )
    logger.info("retention run: %s", report)
    return report


# ---------------------------------------------------------------------------- conversations
def conversation_municipalities(engine: Engine) -> dict[str, str]:
    """The municipality each conversation's ``municipality`` slot names (conversations with one)."""
    query = (
        sa.select(events.c.sender_id, events.c.data)
        .where(events.c.type_name == "slot", events.c.data.like(f'%"{SLOT}"%'))
        .order_by(events.c.id)
    )
    found: dict[str, str] = {}
    with engine.connect() as connection:
        for sender, data in connection.execute(query):
            try:
                event = json.loads(data or "{}")
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("name") == SLOT and isinstance(event.get("value"), str):
                found[sender] = event["value"]
    return found


def conversations_by_municipality(engine: Engine) -> dict[str, dict[str, float]]:
    """Municipality -> {conversation id: time of its last event}; unknown or none: the default one."""
    deployment = get_deployment()
    named = conversation_municipalities(engine)
    query = sa.select(events.c.sender_id, sa.func.max(events.c.timestamp)).group_by(events.c.sender_id)
    grouped: dict[str, dict[str, float]] = {}
    with engine.connect() as connection:
        for sender, last in connection.execute(query):
            name = named.get(sender)
            owner = name if deployment.knows(name) else deployment.default
            grouped.setdefault(owner, {})[sender] = float(last or 0.0)
    return grouped


# ---------------------------------------------------------------------------- other tables
def _purge_municipal_tables(municipality: str, days: int, now: datetime) -> int:
    """The per-municipality retention hooks, for one municipality."""
    deleted = 0
    for name, hook in retention_hooks().items():
        if name not in _PER_MUNICIPALITY:
            continue
        try:
            deleted += int(hook(days, now, municipality=municipality) or 0)  # type: ignore[call-arg]
        except Exception:
            logger.exception("retention hook %s failed for %s", name, municipality)
            raise
    return deleted


def _purge_other_tables(days: int, now: datetime | None) -> int:
    """Finished outbox entries and the tables whose rows belong to no municipality."""
    deleted = purge_finished(days, now=now)
    for name, hook in retention_hooks().items():
        if name in _PER_MUNICIPALITY:
            continue
        try:
            deleted += int(hook(days, now) or 0)
        except Exception:
            logger.exception("retention hook %s failed", name)
            raise
    return deleted


#: A retention hook deletes its module's rows older than ``days`` and returns how many. A hook
#: registered ``per_municipality`` also takes ``municipality=`` (``None``: every municipality's rows).
RetentionHook = Callable[..., int]
_RETENTION_HOOKS: dict[str, RetentionHook] = {}
_PER_MUNICIPALITY: set[str] = set()


def register_retention_hook(name: str, hook: RetentionHook, per_municipality: bool = False) -> None:
    """Register ``hook(days, now) -> rows deleted`` under ``name`` (``app/registry.py`` does this).

    ``per_municipality``: the hook's rows carry their municipality; it is called once per
    municipality as ``hook(days, now, municipality=name)`` with that municipality's period.
    """
    _RETENTION_HOOKS[name] = hook
    if per_municipality:
        _PER_MUNICIPALITY.add(name)
    else:
        _PER_MUNICIPALITY.discard(name)


def retention_hooks() -> dict[str, RetentionHook]:
    """The registered retention hooks."""
    return dict(_RETENTION_HOOKS)


def municipal_retention_hooks() -> frozenset[str]:
    """The names of the hooks registered ``per_municipality``."""
    return frozenset(_PER_MUNICIPALITY)
