"""Pseudonymous WhatsApp conversation ids (issue 13).

A WhatsApp conversation is ``wa:`` + the first 32 hex digits of HMAC-SHA256(``PSEUDONYM_KEY``,
``"whatsapp:" + wa_id``): the same number always gives the same conversation, but the tracker store,
the logs, signal consents and tickets only ever see the pseudonym. The number itself is kept in one
place, ``whatsapp_recipients``, because delivery needs it (a reply, an employee's answer, a signal);
that row is deleted by "vergeet mij" (``channels.whatsapp_store.forget_contact``) and by the
retention purge (:func:`purge`, registered in ``app/registry.py``) (``RETENTION_DAYS`` after the
resident's last message).

Several municipalities (issue 18): the same number writing to two municipalities' business numbers
has two conversations, each with its own municipality. The pseudonym of a conversation with the
default municipality is the one above (so conversations from before issue 18 keep their ids); with
another municipality it is keyed on ``"whatsapp:" + municipality + ":" + wa_id``.
:func:`municipality_of` finds a conversation's municipality back (answers later go out from that
municipality's number).

Conversations from before pseudonyms (``wa:<digits>``) still resolve to their number.

All functions here are blocking; call them from async code through :func:`foundation.db.run_db`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from foundation.clock import as_utc
from foundation.db import get_engine, metadata
from foundation.municipality import get_deployment
from foundation.settings import get_settings

PREFIX = "wa:"
_LEGACY = re.compile(r"^wa:([0-9]{6,20})$")

recipients = sa.Table(
    "whatsapp_recipients",
    metadata,
    sa.Column("conversation_id", sa.String(64), primary_key=True),
    sa.Column("wa_id", sa.String(32), nullable=False),
    sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=False, index=True),
)


def conversation_id(wa_id: str, key: str | None = None, municipality: str | None = None) -> str:
    """The Rasa conversation id of a WhatsApp number: a keyed pseudonym, never the number.

    Args:
        wa_id: The resident's WhatsApp id.
        key: The pseudonym key (default: ``PSEUDONYM_KEY``).
        municipality: The municipality whose number the resident wrote to (default: the default
            municipality, whose ids are those from before issue 18).
    """
    secret = (key if key is not None else get_settings().pseudonym_key).encode("utf-8")
    scope = "" if not municipality or municipality == get_deployment().default else f"{municipality}:"
    digest = hmac.new(secret, f"whatsapp:{scope}{wa_id}".encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:32]


def municipality_of(conversation: str, wa_id: str) -> str | None:
    """The municipality of a conversation of ``wa_id`` (by its pseudonym), or ``None`` (a legacy id)."""
    for name in get_deployment().names:
        if conversation_id(wa_id, municipality=name) == conversation:
            return name
    return None


def business_number(conversation: str, wa_id: str, last_number: str | None) -> str | None:
    """The business number that answers in ``conversation`` when the resident has not just written.

    Args:
        conversation: The conversation id (``wa:`` + pseudonym).
        wa_id: The resident's WhatsApp id behind it.
        last_number: The business number the resident last wrote to (any municipality), if known.

    Returns:
        ``last_number`` when it belongs to the conversation's municipality (or the conversation is
        from before pseudonyms), else that municipality's first number; ``None``: the channel's own.
    """
    municipality = municipality_of(conversation, wa_id)
    if municipality is None:
        return last_number
    deployment = get_deployment()
    if last_number and (deployment.for_whatsapp_number(last_number) or deployment.default) == municipality:
        return last_number
    numbers = deployment.numbers_of(municipality)
    return numbers[0] if numbers else None


def remember(wa_id: str, at: datetime | None = None, municipality: str | None = None) -> str:
    """Keep the number of a conversation for delivery (refreshes its retention); returns the id.

    ``municipality``: the municipality whose number received the message (default: the default one).
    """
    at = at or datetime.now(timezone.utc)
    conversation = conversation_id(wa_id, municipality=municipality)
    engine = get_engine()
    with engine.begin() as conn:
        updated = conn.execute(
            recipients.update()
            .where(recipients.c.conversation_id == conversation)
            .values(wa_id=wa_id, last_inbound_at=at)
        ).rowcount
    if not updated:
        try:
            with engine.begin() as conn:
                conn.execute(
                    recipients.insert().values(conversation_id=conversation, wa_id=wa_id, last_inbound_at=at)
                )
        except IntegrityError:  # a concurrent first message of the same resident
            pass
    return conversation


def is_legacy(conversation: str) -> bool:
    """Whether ``conversation`` is an id from before pseudonyms (``wa:<number>``)."""
    return _LEGACY.match(conversation) is not None


def last_inbound_at(conversation: str) -> datetime | None:
    """When the resident last wrote in this conversation, or ``None`` when it is not known."""
    with get_engine().connect() as conn:
        value = conn.execute(
            sa.select(recipients.c.last_inbound_at).where(recipients.c.conversation_id == conversation)
        ).scalar_one_or_none()
    return as_utc(value)


def recipient(conversation: str) -> str | None:
    """The number to deliver to for a conversation id, or ``None`` when it is not (or no longer) known."""
    legacy = _LEGACY.match(conversation)
    if legacy:
        return legacy[1]
    if not conversation.startswith(PREFIX):
        return None
    with get_engine().connect() as conn:
        return conn.execute(
            sa.select(recipients.c.wa_id).where(recipients.c.conversation_id == conversation)
        ).scalar_one_or_none()


def forget(conversation: str) -> int:
    """Delete the number of a conversation ("vergeet mij"); returns the rows deleted."""
    with get_engine().begin() as conn:
        return int(
            conn.execute(recipients.delete().where(recipients.c.conversation_id == conversation)).rowcount
            or 0
        )


def purge(days: int, now: datetime | None = None, municipality: str | None = None) -> int:
    """Delete numbers whose resident wrote last more than ``days`` ago.

    ``municipality``: only the numbers of that municipality's conversations (issue 18: each its own
    period; conversations from before pseudonyms count as the default's; ``None``: all).
    """
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    old = recipients.c.last_inbound_at < cutoff
    with get_engine().begin() as conn:
        if municipality is None:
            return int(conn.execute(recipients.delete().where(old)).rowcount or 0)
        default = get_deployment().default
        rows = conn.execute(sa.select(recipients.c.conversation_id, recipients.c.wa_id).where(old)).all()
        mine = [
            conversation
            for conversation, wa_id in rows
            if (municipality_of(conversation, wa_id) or default) == municipality
        ]
        deleted = 0
        for index in range(0, len(mine), 500):
            chunk = recipients.c.conversation_id.in_(mine[index : index + 500])
            deleted += int(conn.execute(recipients.delete().where(chunk)).rowcount or 0)
        return deleted
