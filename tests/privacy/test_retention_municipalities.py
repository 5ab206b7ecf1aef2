"""Retention per municipality (issue 18): each municipality's own periods apply to its data.

``content/lindeoord.yml`` keeps conversations 14 days and the processing log 730 days; Proefdorp and
Voorbeeldstad declare nothing and get the national 28 and 365 days. A record of an age between the
two periods is purged for the one and kept for the other.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from actions import tickets
from actions.content import clear_content_cache
from channels import whatsapp_ids
from foundation.db import get_engine
from privacy import purge, tracker_db
from privacy.processing_log import log_processing, query
from privacy.retention import retention_periods, run_retention

DAY = 86400


@pytest.fixture(autouse=True)
def _content() -> None:
    clear_content_cache()


def _conversation(
    engine: sa.engine.Engine, sender: str, municipality: str | None, age_days: float, now: float
) -> None:
    """A conversation as Rasa stores it: the session start sets the municipality slot."""
    at = now - age_days * DAY
    rows = [("action", {"event": "action", "name": "action_session_start"})]
    if municipality:
        rows.append(("slot", {"event": "slot", "name": "municipality", "value": municipality}))
    rows.append(("user", {"event": "user", "text": "hallo"}))
    with engine.begin() as conn:
        for offset, (kind, data) in enumerate(rows):
            data = {**data, "timestamp": at + offset}
            conn.execute(
                sa.insert(tracker_db.events).values(
                    sender_id=sender, type_name=kind, timestamp=at + offset, data=json.dumps(data)
                )
            )


def _senders(engine: sa.engine.Engine) -> set[str]:
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(sa.select(tracker_db.events.c.sender_id).distinct())}


@pytest.fixture
def tracker(privacy_env) -> sa.engine.Engine:
    engine = sa.create_engine(privacy_env["TRACKER_DB_URL"], future=True)
    tracker_db._metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_each_municipality_has_its_own_periods_with_the_national_default() -> None:
    periods = retention_periods()
    assert periods["lindeoord"] == (14, 730)
    assert periods["proefdorp"] == (28, 365) and periods["voorbeeldstad"] == (28, 365)


def test_a_conversation_of_20_days_is_purged_in_lindeoord_and_kept_in_proefdorp(tracker) -> None:
    now = time.time()
    _conversation(tracker, "web-lindeoord", "lindeoord", 20, now)
    _conversation(tracker, "web-proefdorp", "proefdorp", 20, now)
    _conversation(tracker, "web-default", None, 20, now)  # no slot: the default municipality
    _conversation(tracker, "web-lindeoord-fresh", "lindeoord", 10, now)
    _conversation(tracker, "web-proefdorp-old", "proefdorp", 30, now)

    dry = run_retention(now=now, dry_run=True)
    assert (dry.conversations, len(_senders(tracker))) == (2, 5)
    report = run_retention(now=now)
    assert report.conversations == 2
    assert _senders(tracker) == {"web-proefdorp", "web-default", "web-lindeoord-fresh"}
    by_name = {m.municipality: m for m in report.municipalities}
    assert (by_name["lindeoord"].days, by_name["lindeoord"].conversations) == (14, 1)
    assert (by_name["proefdorp"].days, by_name["proefdorp"].conversations) == (28, 1)


def test_earlier_sessions_follow_the_municipalitys_period(tracker) -> None:
    """An active conversation keeps its current session; older sessions go after its own period."""
    now = time.time()
    for sender, name in (("weekly-lindeoord", "lindeoord"), ("weekly-proefdorp", "proefdorp")):
        _conversation(tracker, sender, name, 20, now)
        with tracker.begin() as conn:
            for kind in ("session_started", "user"):
                conn.execute(
                    sa.insert(tracker_db.events).values(
                        sender_id=sender, type_name=kind, timestamp=now - DAY, data=json.dumps({"x": kind})
                    )
                )
    run_retention(now=now)
    with tracker.connect() as conn:
        column = tracker_db.events.c.sender_id
        counts = dict(conn.execute(sa.select(column, sa.func.count()).group_by(column)).all())
    assert counts == {"weekly-lindeoord": 2, "weekly-proefdorp": 5}


def test_a_ticket_of_20_days_is_purged_in_lindeoord_and_kept_in_proefdorp(tracker) -> None:
    finished = datetime.now(timezone.utc) - timedelta(days=20)
    with get_engine().begin() as conn:
        for municipality in ("lindeoord", "proefdorp", None):
            conn.execute(
                tickets.handoff_tickets.insert().values(
                    reference=f"T-{municipality}",
                    sender_id="web-x",
                    municipality=municipality,
                    channel="socketio",
                    summary="",
                    transcript=[],
                    contact_preference="e-mail",
                    status=tickets.CLOSED,
                    created_at=finished,
                )
            )
    run_retention()
    with get_engine().connect() as conn:
        left = {row[0] for row in conn.execute(sa.select(tickets.handoff_tickets.c.reference))}
    assert left == {"T-proefdorp", "T-None"}


def test_a_whatsapp_number_of_20_days_is_purged_in_lindeoord_and_kept_in_proefdorp(tracker) -> None:
    written = datetime.now(timezone.utc) - timedelta(days=20)
    lindeoord = whatsapp_ids.remember("31611111111", written, "lindeoord")
    proefdorp = whatsapp_ids.remember("31611111111", written, "proefdorp")
    run_retention()
    assert whatsapp_ids.recipient(lindeoord) is None
    assert whatsapp_ids.recipient(proefdorp) == "31611111111"


def test_a_processing_log_entry_of_400_days_is_purged_in_proefdorp_and_kept_in_lindeoord(tracker) -> None:
    old = datetime.now(timezone.utc) - timedelta(days=400)
    for municipality in ("lindeoord", "proefdorp"):
        log_processing("BRP raadplegen", "signalering", ["geboortedatum"], "toestemming", now=old,
                       municipality=municipality)
    report = run_retention()
    assert report.log_entries == 1
    assert [entry.municipality for entry in query()] == ["lindeoord"]


def test_the_command_line_days_override_every_municipality(tracker, capsys) -> None:
    now = time.time()
    _conversation(tracker, "web-lindeoord", "lindeoord", 20, now)
    _conversation(tracker, "web-proefdorp", "proefdorp", 20, now)
    assert purge.main(["--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would delete 1 conversations" in out and "lindeoord: 14 days" in out
    assert purge.main(["--days", "60"]) == 0
    assert _senders(tracker) == {"web-lindeoord", "web-proefdorp"}
