"""Retention purge of conversations and processing-log entries (privacy/retention.py, privacy/purge.py)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from privacy import purge, tracker_db
from privacy.processing_log import log_processing, query
from privacy.retention import run_retention

DAY = 86400


def _create_events(url: str, rows: list[tuple[str, float]]) -> sa.engine.Engine:
    """Write events as Rasa's SQLTrackerStore would (same table), without starting Rasa."""
    engine = sa.create_engine(url, future=True)
    tracker_db._metadata.create_all(engine)
    with engine.begin() as connection:
        for sender_id, timestamp in rows:
            connection.execute(
                sa.insert(tracker_db.events).values(
                    sender_id=sender_id, type_name="user", timestamp=timestamp, data='{"event": "user"}'
                )
            )
    return engine


def _senders(engine: sa.engine.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(tracker_db.events.c.sender_id, sa.func.count()).group_by(tracker_db.events.c.sender_id)
        )
        return {sender: count for sender, count in rows}


def _fixture_rows(now: float) -> list[tuple[str, float]]:
    return [
        ("idle-1", now - 40 * DAY),
        ("idle-1", now - 35 * DAY),
        ("idle-2", now - 29 * DAY),
        ("active", now - 90 * DAY),
        ("active", now - 2 * DAY),
        ("fresh", now - 60),
    ]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def tracker_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return request.getfixturevalue("pg_database")["url"]


def test_purge_deletes_idle_conversations_as_a_whole(tracker_url):
    now = time.time()
    engine = _create_events(tracker_url, _fixture_rows(now))
    result = tracker_db.purge_older_than(engine, 28, now=now)
    assert (result.conversations, result.events) == (2, 3)
    assert _senders(engine) == {"active": 2, "fresh": 1}
    engine.dispose()


def test_dry_run_deletes_nothing(tracker_url):
    now = time.time()
    engine = _create_events(tracker_url, _fixture_rows(now))
    result = tracker_db.purge_older_than(engine, 28, now=now, dry_run=True)
    assert (result.conversations, result.events) == (2, 3)
    assert len(_senders(engine)) == 4
    engine.dispose()


def test_delete_conversation_on_the_table(tracker_url):
    now = time.time()
    engine = _create_events(tracker_url, _fixture_rows(now))
    assert tracker_db.delete_conversation(engine, "active") == 2
    assert "active" not in _senders(engine)
    assert tracker_db.delete_conversation(engine, "unknown") == 0
    engine.dispose()


def test_no_events_table_yet_means_nothing_to_delete(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert tracker_db.delete_conversation(engine, "x") == 0
    assert tracker_db.purge_older_than(engine, 28).conversations == 0


def test_run_retention_uses_the_settings_and_purges_both_stores(privacy_env, monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", "30")
    from foundation.settings import get_settings

    get_settings.cache_clear()
    now = time.time()
    engine = _create_events(privacy_env["TRACKER_DB_URL"], _fixture_rows(now))
    log_now = datetime.fromtimestamp(now, timezone.utc)
    log_processing(
        "BRP raadplegen", "paspoort aanvragen", ["adres"], "Paspoortwet", now=log_now - timedelta(days=366)
    )
    log_processing(
        "BRP raadplegen", "paspoort aanvragen", ["adres"], "Paspoortwet", now=log_now - timedelta(days=10)
    )

    report = run_retention(now=now)
    assert (report.days, report.log_days) == (30, 365)
    assert (report.conversations, report.events, report.log_entries) == (1, 2, 1)
    assert set(_senders(engine)) == {"idle-2", "active", "fresh"}
    assert len(query()) == 1
    engine.dispose()


def test_purge_command(privacy_env, capsys):
    now = time.time()
    engine = _create_events(privacy_env["TRACKER_DB_URL"], _fixture_rows(now))
    assert purge.main(["--days", "28", "--dry-run"]) == 0
    assert "would delete 2 conversations (3 events)" in capsys.readouterr().out
    assert len(_senders(engine)) == 4
    assert purge.main(["--days", "28"]) == 0
    assert "deleted 2 conversations (3 events)" in capsys.readouterr().out
    assert set(_senders(engine)) == {"active", "fresh"}
    with pytest.raises(SystemExit):
        purge.main(["--days", "0"])
    engine.dispose()
