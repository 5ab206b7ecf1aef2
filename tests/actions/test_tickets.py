"""Handoff tickets: reference, masked transcript, one transaction with the outbox (SQLite + PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from actions import tickets
from foundation import outbox
from foundation.db import get_engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    """Run each test on SQLite and on the local PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_db")


def new_ticket(**overrides: Any) -> tickets.NewTicket:
    values: dict[str, Any] = {
        "sender_id": "resident-1",
        "channel": "socketio",
        "summary": "Mijn paspoort is verlopen, bel 06-12345678",
        "contact_preference": "telefoon",
        "contact_value": "+31612345678",
        "topic": "paspoort",
        "transcript": [{"from": "resident", "text": "hallo", "timestamp": 1.0}],
    }
    values.update(overrides)
    return tickets.NewTicket(**values)


def test_transcript_keeps_last_messages_masks_numbers_and_skips_other_events() -> None:
    events: list[dict[str, Any]] = [{"event": "slot", "name": "x", "value": 1}]
    for i in range(15):
        events.append({"event": "user", "text": f"vraag {i}", "timestamp": float(i)})
        events.append({"event": "bot", "text": f"antwoord {i}", "timestamp": float(i)})
    events.append(
        {"event": "user", "text": "mijn BSN is 999993653 en mail jan@example.nl", "timestamp": 99.0}
    )
    events.append(
        {"event": "user", "text": "/request_human", "parse_data": {"intent": {"name": "request_human"}}}
    )

    transcript = tickets.transcript_from_events(events)

    assert len(transcript) == 20
    assert transcript[-2]["from"] == "resident"
    assert "999993653" not in transcript[-2]["text"] and "[BSN]" in transcript[-2]["text"]
    assert "jan@example.nl" not in transcript[-2]["text"]
    assert transcript[-1]["text"] == "[knop: request_human]"
    assert transcript[-3] == {"from": "assistant", "text": "antwoord 14", "timestamp": 14.0}


def test_reference_format() -> None:
    assert tickets.format_reference(123, datetime(2026, 3, 1, tzinfo=timezone.utc)) == "T-2026-000123"
    assert tickets.REFERENCE_RE.match("T-2026-000123")


def test_create_ticket_stores_masked_summary_and_outbox_entry_together(database: str) -> None:
    reference, entry_id = tickets.create_handoff_ticket(new_ticket())

    ticket = tickets.get_ticket(reference)
    assert ticket is not None and tickets.REFERENCE_RE.match(reference)
    assert ticket.status == tickets.OPEN and ticket.channel == "socketio"
    assert "06-12345678" not in ticket.summary and "[TELEFOON]" in ticket.summary
    assert ticket.contact_value == "+31612345678"  # the staff needs it to call back
    assert ticket.transcript == [{"from": "resident", "text": "hallo", "timestamp": 1.0}]
    assert ticket.created_at.tzinfo is not None
    entry = outbox.get_entry(entry_id)
    assert entry is not None
    assert entry["kind"] == tickets.HANDOFF_KIND and entry["status"] == outbox.PENDING
    assert entry["idempotency_key"] == f"handoff:{reference}"
    assert entry["payload"]["ticket_reference"] == reference
    assert entry["payload"]["kanaal"] == "chat"
    assert entry["payload"]["gevraagde_handeling"] == "Terugbellen"
    assert "+31612345678" in entry["payload"]["toelichting"]
    assert "06-12345678" not in entry["payload"]["inhoud"]


def test_references_are_unique_and_listing_shows_only_open(database: str) -> None:
    first, _ = tickets.create_handoff_ticket(new_ticket())
    second, _ = tickets.create_handoff_ticket(new_ticket(sender_id="resident-2"))
    assert first != second
    tickets.update_ticket(first, status=tickets.CLOSED)
    assert [t.reference for t in tickets.list_tickets()] == [second]
    assert {t.reference for t in tickets.list_tickets(None)} == {first, second}


def test_ticket_is_not_stored_when_the_outbox_write_fails(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_enqueue(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk full")

    get_engine()  # tables exist
    monkeypatch.setattr(outbox, "enqueue", broken_enqueue)
    with pytest.raises(RuntimeError):
        tickets.create_handoff_ticket(new_ticket())
    with get_engine().connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tickets.handoff_tickets)).scalar() == 0


def test_forget_me_erases_the_conversations_tickets_and_withdraws_undelivered_handoffs(database: str) -> None:
    from privacy.forget import ForgetRequest, registered_hooks

    pending, pending_entry = tickets.create_handoff_ticket(new_ticket())
    delivered, delivered_entry = tickets.create_handoff_ticket(new_ticket())
    with get_engine().begin() as conn:
        table = outbox.outbox
        conn.execute(table.update().where(table.c.id == delivered_entry).values(status=outbox.DELIVERED))
    other, other_entry = tickets.create_handoff_ticket(new_ticket(sender_id="resident-2"))

    hook = registered_hooks()["handoff_tickets"]
    assert hook(ForgetRequest(sender_id="resident-1")) == 2

    for reference in (pending, delivered):
        ticket = tickets.get_ticket(reference)
        assert ticket is not None
        assert ticket.sender_id == tickets.FORGOTTEN_SENDER and ticket.status == tickets.CLOSED
        assert ticket.summary == "" and ticket.transcript == [] and ticket.contact_value is None
    assert outbox.get_entry(pending_entry) is None  # never sent to Klantinteracties
    assert outbox.get_entry(delivered_entry) is not None
    kept = tickets.get_ticket(other)
    assert kept is not None and kept.contact_value == "+31612345678" and kept.status == tickets.OPEN
    assert outbox.get_entry(other_entry) is not None
    assert hook(ForgetRequest(sender_id="resident-1")) == 0
