"""Issue 13, finding 7: retention and erasure reach every table; the purge fails loudly."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from foundation import clock, outbox
from foundation.db import get_engine
from privacy import purge, tracker_db
from privacy.retention import run_retention

DAY = 86400


def _events(url: str, rows: list[tuple[str, str, float]]) -> sa.engine.Engine:
    engine = sa.create_engine(url, future=True)
    tracker_db._metadata.create_all(engine)
    with engine.begin() as conn:
        for sender, kind, ts in rows:
            row = {"sender_id": sender, "type_name": kind, "timestamp": ts, "data": "{}"}
            conn.execute(sa.insert(tracker_db.events).values(**row))
    return engine


def test_earlier_sessions_of_an_active_conversation_are_purged(privacy_env):
    now = time.time()
    engine = _events(
        privacy_env["TRACKER_DB_URL"],
        [
            ("weekly", "session_started", now - 90 * DAY),
            ("weekly", "user", now - 90 * DAY + 5),
            ("weekly", "session_started", now - 2 * DAY),
            ("weekly", "user", now - 2 * DAY + 5),
        ],
    )
    run_retention(days=28, now=now)
    with engine.connect() as conn:
        left = sorted(r[0] for r in conn.execute(sa.select(tracker_db.events.c.timestamp)))
    assert left == [now - 2 * DAY, now - 2 * DAY + 5]
    engine.dispose()


def test_purge_fails_loudly_without_a_tracker_table_or_url(privacy_env, monkeypatch, capsys):
    with pytest.raises(RuntimeError, match="events"):
        run_retention(days=28)  # an empty SQLite file: the wrong database, not "nothing to do"
    monkeypatch.delenv("TRACKER_DB_URL")
    from foundation.settings import get_settings

    get_settings.cache_clear()
    assert purge.main(["--days", "28"]) != 0
    assert "TRACKER_DB_URL" in capsys.readouterr().err


def test_outbox_payloads_are_scrubbed_on_delivery_and_purged(privacy_env):
    engine = get_engine()
    with engine.begin() as conn:
        entry = outbox.enqueue(conn, "test.kind", {"bsn": "999993653", "adres": "Voorbeeldstraat 1"})
    outbox._finish(entry, {"status": outbox.DELIVERED, "delivered_at": clock.utcnow()})
    assert outbox.get_entry(entry)["payload"] == {}
    with engine.begin() as conn:
        conn.execute(
            outbox.outbox.update().values(delivered_at=clock.utcnow() - timedelta(days=40))
        )
    _events(privacy_env["TRACKER_DB_URL"], [])
    run_retention(days=28)
    assert outbox.get_entry(entry) is None


async def test_forget_me_reaches_the_verification_attempts(privacy_env):
    from actions import verification
    from privacy.forget import ForgetRequest, forget

    await verification.record_attempt("web:me", "appointment", "A-2026-00001", success=False)
    _events(privacy_env["TRACKER_DB_URL"], [])
    report = forget(ForgetRequest("web:me"))
    assert report.deleted.get("verification_attempts") == 1
