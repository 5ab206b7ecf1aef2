"""Retention: delete conversations and processing-log entries that are kept too long.

Conversations (Rasa's tracker database, ``TRACKER_DB_URL``) are deleted as a whole when their last
event is older than ``RETENTION_DAYS`` (default 28). Processing-log entries (``DATABASE_URL``) are
deleted after ``PROCESSING_LOG_RETENTION_DAYS`` (default 365). Run daily: ``make purge``
(``python -m privacy.purge``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.engine import Engine

from actions.config import get_settings
from privacy.processing_log import purge_processing_log
from privacy.tracker_db import PurgeResult, get_tracker_engine, purge_older_than

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
    result: PurgeResult = purge_older_than(
        tracker_engine or get_tracker_engine(), days, now=now, dry_run=dry_run
    )
    log_now = datetime.fromtimestamp(now, timezone.utc) if now is not None else None
    log_entries = purge_processing_log(log_days, engine=log_engine, now=log_now, dry_run=dry_run)
    report = RetentionReport(days, log_days, result.conversations, result.events, log_entries, dry_run)
    logger.info("retention run: %s", report)
    return report
