"""Retention: delete conversations and processing-log entries that are kept too long.

Conversations (Rasa's tracker database, ``TRACKER_DB_URL``) are deleted as a whole when their last
event is older than ``RETENTION_DAYS`` (default 28). Processing-log entries (``DATABASE_URL``) are
deleted after ``PROCESSING_LOG_RETENTION_DAYS`` (default 365). Run daily: ``make purge``
(``python -m app.purge``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.engine import Engine

from foundation.outbox import purge_finished
from foundation.settings import get_settings
from privacy.processing_log import purge_processing_log
from privacy.tracker_db import (
    EVENTS_TABLE,
    PurgeResult,
    get_tracker_engine,
    has_events_table,
    purge_old_sessions,
    purge_older_than,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionReport:
    """What one retention run deleted (or would delete, in a dry run)."""

    days: int
    log_days: int
    conversations: int
    events: int
    log_entries: int
    dry_run: bool
    #: Rows deleted from the assistant's other tables (outbox, tickets, WhatsApp, verification).
    other_rows: int = 0


def run_retention(
    days: int | None = None,
    log_days: int | None = None,
    *,
    dry_run: bool = False,
    tracker_engine: Engine | None = None,
    log_engine: Engine | None = None,
    now: float | None = None,
) -> RetentionReport:
    """Purge old conversations and old processing-log entries.

    Args:
        days: conversation retention in days (default: ``RETENTION_DAYS``).
        log_days: processing-log retention in days (default: ``PROCESSING_LOG_RETENTION_DAYS``).
        dry_run: only count.
        tracker_engine: engine of the tracker database (default: ``TRACKER_DB_URL``).
        log_engine: engine of the assistant database (default: ``DATABASE_URL``).
        now: current time as a UNIX timestamp (tests).
    """
    settings = get_settings()
    days = settings.retention_days if days is None else days
    log_days = settings.processing_log_retention_days if log_days is None else log_days
    engine = tracker_engine or get_tracker_engine()
    if not has_events_table(engine):
        # an empty file (e.g. TRACKER_DB_URL pointing elsewhere) must not look like "nothing to do"
        raise RuntimeError(f"the tracker database has no {EVENTS_TABLE!r} table: check TRACKER_DB_URL")
    result: PurgeResult = purge_older_than(engine, days, now=now, dry_run=dry_run)
    session_events = purge_old_sessions(engine, days, now=now, dry_run=dry_run)
    other = 0 if dry_run else _purge_other_tables(days, now)
    log_now = datetime.fromtimestamp(now, timezone.utc) if now is not None else None
    log_entries = purge_processing_log(log_days, engine=log_engine, now=log_now, dry_run=dry_run)
    report = RetentionReport(
        days, log_days, result.conversations, result.events + session_events, log_entries, dry_run, other
    )
    logger.info("retention run: %s", report)
    return report


def _purge_other_tables(days: int, now: float | None) -> int:
    """Finished outbox entries and the tables with their own retention hook."""
    moment = datetime.fromtimestamp(now, timezone.utc) if now is not None else None
    deleted = purge_finished(days, now=moment)
    for name, hook in retention_hooks().items():
        try:
            deleted += int(hook(days, moment) or 0)
        except Exception:
            logger.exception("retention hook %s failed", name)
            raise
    return deleted


#: A retention hook deletes its module's rows older than ``days`` and returns how many.
RetentionHook = Callable[[int, "datetime | None"], int]
_RETENTION_HOOKS: dict[str, RetentionHook] = {}


def register_retention_hook(name: str, hook: RetentionHook) -> None:
    """Register ``hook(days, now) -> rows deleted`` under ``name`` (``app/registry.py`` does this)."""
    _RETENTION_HOOKS[name] = hook


def retention_hooks() -> dict[str, RetentionHook]:
    """The registered retention hooks."""
    return dict(_RETENTION_HOOKS)
