"""Handoff tickets: what a resident asked a human, stored with a masked transcript.

A ticket is created together with its outbox entry (``klantinteracties.handoff``) in one database
transaction (:func:`create_handoff_ticket`). The outbox handler registers a klantcontact and an
internetaak in Klantinteracties and stores their ids on the ticket. The employee tool
(:mod:`actions.employee`) answers tickets.

Reference format: ``T-<year>-<six digits>``, e.g. ``T-2026-000123`` (the number is the row id).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from foundation import clock, outbox
from foundation.db import get_engine, metadata, run_db
from foundation.municipality import current, get_deployment
from integrations.klantinteracties import KlantinteractiesClient
from privacy.detect import mask
from privacy.forget import ForgetRequest

logger = logging.getLogger(__name__)

OPEN = "open"
ANSWERED = "answered"
CLOSED = "closed"
STATUSES = (OPEN, ANSWERED, CLOSED)
TRANSCRIPT_MESSAGES = 20
TEXT_MAX = 2000
HANDOFF_KIND = "klantinteracties.handoff"
REFERENCE_RE = re.compile(r"^T-\d{4}-\d{6,}$")
#: ``sender_id`` of a ticket whose conversation was erased ("vergeet mij").
FORGOTTEN_SENDER = "vergeten"

#: Channel names of Rasa input channels -> Klantinteracties ``kanaal``.
KANAAL_BY_CHANNEL = {"rest": "chat", "socketio": "chat", "whatsapp": "whatsapp"}
#: What staff must do, per contact preference (Klantinteracties ``gevraagdeHandeling``, for staff).
HANDELING_BY_PREFERENCE = {
    "chat": "Beantwoorden in de chat",
    "telefoon": "Terugbellen",
    "e-mail": "Beantwoorden per e-mail",
}

handoff_tickets = sa.Table(
    "handoff_tickets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(20), nullable=True, unique=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    # the conversation's municipality (issue 18): each municipality's employees see only theirs
    sa.Column("municipality", sa.String(40), nullable=True, index=True),
    sa.Column("channel", sa.String(50), nullable=False, default=""),
    sa.Column("topic", sa.String(100), nullable=True),
    sa.Column("summary", sa.Text, nullable=False, default=""),
    sa.Column("transcript", sa.JSON, nullable=False),
    sa.Column("contact_preference", sa.String(20), nullable=False),
    sa.Column("contact_value", sa.String(254), nullable=True),
    sa.Column("status", sa.String(20), nullable=False, default=OPEN, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("answer", sa.Text, nullable=True),
    sa.Column("answer_delivered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("klantcontact_uuid", sa.String(36), nullable=True),
    sa.Column("klantcontact_nummer", sa.String(20), nullable=True),
    sa.Column("internetaak_uuid", sa.String(36), nullable=True),
    keep_existing=True,
)


@dataclass(frozen=True)
class Ticket:
    """One handoff ticket."""

    reference: str
    sender_id: str
    channel: str
    topic: str | None
    summary: str
    transcript: list[dict[str, Any]]
    contact_preference: str
    contact_value: str | None
    status: str
    created_at: datetime
    answered_at: datetime | None = None
    answer: str | None = None
    answer_delivered_at: datetime | None = None
    klantcontact_uuid: str | None = None
    klantcontact_nummer: str | None = None
    internetaak_uuid: str | None = None
    municipality: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Ticket:
        """Build from a ``handoff_tickets`` row."""
        return cls(
            reference=row["reference"],
            sender_id=row["sender_id"],
            channel=row["channel"],
            topic=row["topic"],
            summary=row["summary"],
            transcript=list(row["transcript"] or []),
            contact_preference=row["contact_preference"],
            contact_value=row["contact_value"],
            status=row["status"],
            created_at=clock.as_utc(row["created_at"]),  # type: ignore[arg-type]
            answered_at=clock.as_utc(row["answered_at"]),
            answer=row["answer"],
            answer_delivered_at=clock.as_utc(row["answer_delivered_at"]),
            klantcontact_uuid=row["klantcontact_uuid"],
            klantcontact_nummer=row["klantcontact_nummer"],
            internetaak_uuid=row["internetaak_uuid"],
            municipality=row.get("municipality"),
        )


@dataclass(frozen=True)
class NewTicket:
    """What the handoff flow knows when it creates a ticket."""

    sender_id: str
    channel: str
    summary: str
    contact_preference: str
    contact_value: str | None = None
    topic: str | None = None
    transcript: list[dict[str, Any]] = field(default_factory=list)
    #: Default: the municipality of the conversation being handled (actions/municipality.py).
    municipality: str | None = None

    def municipality_name(self) -> str:
        """The ticket's municipality: the given one, else the current conversation's."""
        return self.municipality or current()


# ---------------------------------------------------------------------------- helpers
def _mask(text: str) -> str:
    """Mask personal numbers (BSN, IBAN, phone, e-mail, document numbers) with privacy.detect."""
    return mask(text or "")


def transcript_from_events(
    events: Iterable[Mapping[str, Any]], limit: int = TRANSCRIPT_MESSAGES
) -> list[dict[str, Any]]:
    """The last ``limit`` user and bot messages of the conversation, personal numbers masked.

    Args:
        events: Tracker events (dicts, as rasa-sdk passes them).
        limit: How many messages to keep.

    Returns:
        ``[{"from": "resident" | "assistant", "text": ..., "timestamp": ...}, ...]``, oldest first.
    """
    messages: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        text = event.get("text")
        if kind not in ("user", "bot") or not text:
            continue
        if kind == "user" and str(text).startswith("/"):
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            text = f"[knop: {intent}]" if intent else "[knop]"
        messages.append(
            {
                "from": "resident" if kind == "user" else "assistant",
                "text": _mask(str(text))[:TEXT_MAX],
                "timestamp": event.get("timestamp"),
            }
        )
    return messages[-limit:]


def klantinteracties_kanaal(channel: str) -> str:
    """Klantinteracties ``kanaal`` of a Rasa input channel name."""
    return KANAAL_BY_CHANNEL.get(channel, channel or "chat")


def format_reference(row_id: int, created: datetime) -> str:
    """``T-<year>-<000123>`` for a row id."""
    return f"T-{created.year}-{row_id:06d}"


def handoff_payload(reference: str, ticket: NewTicket) -> dict[str, Any]:
    """Outbox payload of the Klantinteracties registration (for staff; already masked)."""
    contact = (
        f"{ticket.contact_preference}: {ticket.contact_value}"
        if ticket.contact_value
        else ticket.contact_preference
    )
    lines = [f"{m['from']}: {m['text']}" for m in ticket.transcript[-10:]]
    return {
        "ticket_reference": reference,
        "municipality": ticket.municipality_name(),
        "kanaal": klantinteracties_kanaal(ticket.channel),
        "onderwerp": f"{reference} {ticket.topic or 'vraag via de digitale assistent'}",
        "inhoud": "\n".join([ticket.summary, "", *lines]),
        "toelichting": f"Ticket {reference}. Contact via {contact}. Vraag: {ticket.summary}",
        "gevraagde_handeling": HANDELING_BY_PREFERENCE.get(ticket.contact_preference, "Beantwoorden"),
    }


# ---------------------------------------------------------------------------- database work
def insert_ticket(conn: Connection, ticket: NewTicket, now: datetime | None = None) -> str:
    """Insert a ticket inside the caller's transaction and return its reference."""
    created = now or clock.utcnow()
    row_id = conn.execute(
        handoff_tickets.insert().values(
            sender_id=ticket.sender_id,
            municipality=ticket.municipality_name(),
            channel=ticket.channel,
            topic=ticket.topic,
            summary=_mask(ticket.summary)[:TEXT_MAX],
            transcript=ticket.transcript,
            contact_preference=ticket.contact_preference,
            contact_value=ticket.contact_value,
            status=OPEN,
            created_at=created,
        )
    ).inserted_primary_key[0]
    reference = format_reference(int(row_id), created)
    conn.execute(handoff_tickets.update().where(handoff_tickets.c.id == row_id).values(reference=reference))
    return reference


def create_handoff_ticket(ticket: NewTicket, now: datetime | None = None) -> tuple[str, int]:
    """Store a ticket and its Klantinteracties outbox entry in one transaction.

    Returns:
        ``(reference, outbox entry id)``.
    """
    with get_engine().begin() as conn:
        reference = insert_ticket(conn, ticket, now)
        masked = NewTicket(**{**ticket.__dict__, "summary": _mask(ticket.summary)})
        entry_id = outbox.enqueue(
            conn,
            HANDOFF_KIND,
            handoff_payload(reference, masked),
            idempotency_key=f"handoff:{reference}",
            now=now,
        )
    return reference, entry_id


def of_municipality(query: Any, municipality: str | None) -> Any:
    """``query`` limited to the tickets of ``municipality`` (``None``: no limit).

    Tickets stored before issue 18 have no municipality; they belong to the default one.
    """
    if municipality is None:
        return query
    column = handoff_tickets.c.municipality
    if municipality == get_deployment().default:
        return query.where(sa.or_(column == municipality, column.is_(None)))
    return query.where(column == municipality)


def get_ticket(reference: str, municipality: str | None = None) -> Ticket | None:
    """The ticket with this reference (of ``municipality`` when given), or ``None``."""
    query = handoff_tickets.select().where(handoff_tickets.c.reference == reference)
    query = of_municipality(query, municipality)
    with get_engine().connect() as conn:
        row = conn.execute(query).mappings().first()
    return Ticket.from_row(row) if row else None


def list_tickets(status: str | None = OPEN, municipality: str | None = None) -> list[Ticket]:
    """Tickets with ``status`` (all when ``None``) of ``municipality`` (all when ``None``), oldest first."""
    query = of_municipality(handoff_tickets.select().order_by(handoff_tickets.c.id), municipality)
    if status:
        query = query.where(handoff_tickets.c.status == status)
    with get_engine().connect() as conn:
        return [Ticket.from_row(row) for row in conn.execute(query).mappings()]


def update_ticket(reference: str, **values: Any) -> None:
    """Set columns of one ticket."""
    with get_engine().begin() as conn:
        conn.execute(
            handoff_tickets.update().where(handoff_tickets.c.reference == reference).values(**values)
        )


# ---------------------------------------------------------------------------- "forget me"
def forget_tickets(request: ForgetRequest) -> int:
    """Erase what the conversation's tickets hold about the resident ("vergeet mij").

    The question, transcript and contact details are cleared and the ticket is closed, so no
    employee calls back or answers into a chat that no longer exists. A handoff not yet delivered
    to Klantinteracties is withdrawn (its pending outbox entry is deleted); one already delivered
    lives in the municipality's contact system, which the privacy statement explains.

    Returns:
        The number of tickets erased.
    """
    with get_engine().begin() as conn:
        references = [
            row.reference
            for row in conn.execute(
                sa.select(handoff_tickets.c.reference).where(handoff_tickets.c.sender_id == request.sender_id)
            )
        ]
        if not references:
            return 0
        conn.execute(
            outbox.outbox.delete().where(
                outbox.outbox.c.status == outbox.PENDING,
                outbox.outbox.c.idempotency_key.in_([f"handoff:{ref}" for ref in references]),
            )
        )
        conn.execute(
            handoff_tickets.update()
            .where(handoff_tickets.c.sender_id == request.sender_id)
            .values(sender_id=FORGOTTEN_SENDER, summary="", transcript=[], contact_value=None, status=CLOSED)
        )
    return len(references)


# ---------------------------------------------------------------------------- outbox handler
async def deliver_handoff(payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    """Register the klantcontact and internetaak in Klantinteracties (idempotent)."""
    async with KlantinteractiesClient.from_settings() as client:
        handoff = await client.register_handoff(
            kanaal=payload["kanaal"],
            onderwerp=payload["onderwerp"],
            inhoud=payload["inhoud"],
            toelichting=payload["toelichting"],
            gevraagde_handeling=payload["gevraagde_handeling"],
            idempotency_key=idempotency_key,
        )
    ids = {
        "klantcontact_uuid": handoff.klantcontact_uuid,
        "klantcontact_nummer": handoff.klantcontact_nummer,
        "internetaak_uuid": handoff.internetaak.uuid,
    }
    await run_db(lambda: update_ticket(payload["ticket_reference"], **ids))
    return ids


def purge_tickets(days: int, now: datetime | None = None, municipality: str | None = None) -> int:
    """Retention hook: delete answered or closed tickets finished more than ``days`` ago (open ones stay).

    ``municipality``: only that municipality's tickets (issue 18: each its own period; ``None``: all).
    """
    cutoff = (now or clock.utcnow()) - timedelta(days=days)
    t = handoff_tickets.c
    finished = sa.func.coalesce(t.answer_delivered_at, t.answered_at, t.created_at)
    with get_engine().begin() as conn:
        query = handoff_tickets.delete().where(t.status.in_((ANSWERED, CLOSED)), finished < cutoff)
        return int(conn.execute(of_municipality(query, municipality)).rowcount or 0)
