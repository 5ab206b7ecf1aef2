"""Pseudonymous WhatsApp conversation ids (issue 13).

A WhatsApp conversation is ``wa:`` + the first 32 hex digits of HMAC-SHA256(``PSEUDONYM_KEY``,
``"whatsapp:" + wa_id``): the same number always gives the same conversation, but the tracker store,
the logs, signal consents and tickets only ever see the pseudonym. The number itself is kept in one
place, ``whatsapp_recipients``, because delivery needs it (a reply, an employee's answer, a signal);
that row is deleted by "vergeet mij" (``channels.whatsapp_store.forget_contact``) and by the
retention purge (:func:`purge`, registered in ``app/registry.py``) (``RETENTION_DAYS`` after the
resident's last message).

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

from foundation.db import get_engine, metadata
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


def conversation_id(wa_id: str, key: str | None = None) -> str:
    """The Rasa conversation id of a WhatsApp number: a keyed pseudonym, never the number."""
    secret = (key if key is not None else get_settings().pseudonym_key).encode("utf-8")
    digest = hmac.new(secret, f"whatsapp:{wa_id}".encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:32]


def remember(wa_id: str, at: datetime | None = None) -> str:
    """Keep the number of a conversation for delivery (refreshes its retention); returns the id."""
    at = at or datetime.now(timezone.utc)
    conversation = conversation_id(wa_id)
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


def purge(days: int, now: datetime | None = None) -> int:
    """Delete numbers whose resident wrote last more than ``days`` ago."""
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    with get_engine().begin() as conn:
        return int(
            conn.execute(recipients.delete().where(recipients.c.last_inbound_at < cutoff)).rowcount or 0
        )
