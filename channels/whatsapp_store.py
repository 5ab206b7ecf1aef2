"""Database state of the WhatsApp channel.

Two tables on the shared :data:`foundation.db.metadata`:

* ``whatsapp_seen_messages``: ids (``wamid...``) of inbound messages already taken on. WhatsApp
  delivers webhooks at least once and retries for days, so a message id is claimed with an
  atomic insert before it is processed; the primary key makes a second claim fail.
* ``whatsapp_contacts``: per ``wa_id`` the time of the resident's last message, which opens the
  24-hour customer service window for free-form messages.
* ``whatsapp_offered_choices``: per conversation the options of the last question that had to be sent
  as a numbered text (too many or too long for WhatsApp's buttons and lists), so the resident can
  answer with the number. They hold for the resident's next message only.

All functions here are blocking; call them from async code through :func:`foundation.db.run_db`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from channels import whatsapp_ids
from foundation.clock import as_utc, utcnow
from foundation.db import get_engine, metadata
from privacy.forget import ForgetRequest

#: Prefix of Rasa sender ids of WhatsApp conversations (``wa:<pseudonym>``, channels/whatsapp_ids.py).
SENDER_PREFIX = whatsapp_ids.PREFIX
#: WhatsApp allows free-form messages only this long after the resident's last message.
SERVICE_WINDOW = timedelta(hours=24)

seen_messages = sa.Table(
    "whatsapp_seen_messages",
    metadata,
    sa.Column("message_id", sa.String(255), primary_key=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

contacts = sa.Table(
    "whatsapp_contacts",
    metadata,
    sa.Column("wa_id", sa.String(32), primary_key=True),
    sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=False),
    # the business number the resident last wrote to (issue 18: one number per municipality)
    sa.Column("phone_number_id", sa.String(64), nullable=True),
)


numbered_choices = sa.Table(
    "whatsapp_offered_choices",
    metadata,
    # the conversation the options were offered in: one resident writing to two municipalities'
    # numbers has two conversations, each with its own pending options (issue 18)
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("choices", sa.JSON, nullable=False),  # list of the texts to hand to Rasa
    sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
)


def claim_message(message_id: str, now: datetime | None = None) -> bool:
    """Record ``message_id`` as seen, atomically.

    Args:
        message_id: The WhatsApp message id (``wamid...``).
        now: Time of receipt (default: now, UTC).

    Returns:
        True when this call recorded the id (process the message), False when the id was seen
        before (a redelivery: skip it).
    """
    engine = get_engine()
    try:
        with engine.begin() as conn:
            conn.execute(seen_messages.insert().values(message_id=message_id, received_at=now or utcnow()))
    except IntegrityError:
        return False
    return True


def touch_contact(wa_id: str, at: datetime | None = None, phone_number_id: str | None = None) -> None:
    """Store ``at`` (default now) as the time of the resident's last message.

    Args:
        wa_id: The resident's WhatsApp id (phone number in international format, no "+").
        at: Time of the resident's message.
        phone_number_id: The business number the message was sent to (answers later go out from it).
    """
    at = at or utcnow()
    engine = get_engine()
    number = {"phone_number_id": phone_number_id} if phone_number_id else {}
    with engine.begin() as conn:
        updated = conn.execute(
            contacts.update()
            .where(contacts.c.wa_id == wa_id)
            .where(contacts.c.last_inbound_at < at)
            .values(last_inbound_at=at, **number)
        ).rowcount
        if updated:
            return
        exists = conn.execute(sa.select(contacts.c.wa_id).where(contacts.c.wa_id == wa_id)).first()
    if exists:
        return  # stored time is already newer
    try:
        with engine.begin() as conn:
            conn.execute(contacts.insert().values(wa_id=wa_id, last_inbound_at=at, **number))
    except IntegrityError:  # a concurrent first message of the same resident won the insert
        touch_contact(wa_id, at, phone_number_id)


def contact_number(wa_id: str) -> str | None:
    """The business number the resident last wrote to, or ``None``."""
    with get_engine().connect() as conn:
        return conn.execute(sa.select(contacts.c.phone_number_id).where(contacts.c.wa_id == wa_id)).scalar()


def last_inbound_at(wa_id: str) -> datetime | None:
    """Return the time of the resident's last message, or None when unknown."""
    with get_engine().connect() as conn:
        value = conn.execute(
            sa.select(contacts.c.last_inbound_at).where(contacts.c.wa_id == wa_id)
        ).scalar_one_or_none()
    return as_utc(value) if value is not None else None


def _window_open(last: datetime | None, now: datetime | None) -> bool:
    return last is not None and (now or utcnow()) - last < SERVICE_WINDOW


def in_service_window(wa_id: str, now: datetime | None = None) -> bool:
    """Whether a free-form (non-template) message may be sent to ``wa_id`` now."""
    return _window_open(last_inbound_at(wa_id), now)


def conversation_in_service_window(conversation: str, now: datetime | None = None) -> bool:
    """Whether a free-form message may be sent in a conversation now.

    WhatsApp's window is per resident *and* business number, and each municipality's number has
    its own conversation (issue 18), so the window counts from the resident's last message in this
    conversation. A conversation id from before pseudonyms (``wa:<number>``) uses the number's.
    """
    if whatsapp_ids.is_legacy(conversation):
        wa_id = whatsapp_ids.recipient(conversation)
        last = last_inbound_at(wa_id) if wa_id is not None else None
    else:
        last = whatsapp_ids.last_inbound_at(conversation)
    return _window_open(last, now)


def purge_seen_messages(older_than: timedelta = timedelta(days=8)) -> int:
    """Delete seen ids older than ``older_than`` (WhatsApp stops retrying after 7 days).

    Returns:
        The number of deleted rows.
    """
    cutoff = utcnow() - older_than
    with get_engine().begin() as conn:
        return conn.execute(seen_messages.delete().where(seen_messages.c.received_at < cutoff)).rowcount


def remember_choices(conversation_id: str, choices: list[str], now: datetime | None = None) -> None:
    """Store the options of a numbered question sent in a conversation (an empty list forgets them).

    Args:
        conversation_id: The conversation (Rasa sender id) the question was sent in.
        choices: Per number (1 first) the text to hand to Rasa when the resident answers it.
        now: Time the question was sent (default: now, UTC).
    """
    with get_engine().begin() as conn:
        conn.execute(numbered_choices.delete().where(numbered_choices.c.conversation_id == conversation_id))
        if choices:
            conn.execute(
                numbered_choices.insert().values(
                    conversation_id=conversation_id, choices=list(choices), offered_at=now or utcnow()
                )
            )


def take_choices(conversation_id: str, now: datetime | None = None) -> list[str]:
    """Return and forget the numbered options offered in a conversation (empty when none or expired).

    Options answer only the resident's next message and only inside the service window.
    """
    with get_engine().begin() as conn:
        row = conn.execute(
            sa.select(numbered_choices.c.choices, numbered_choices.c.offered_at).where(
                numbered_choices.c.conversation_id == conversation_id
            )
        ).first()
        if row is None:
            return []
        conn.execute(numbered_choices.delete().where(numbered_choices.c.conversation_id == conversation_id))
    if (now or utcnow()) - as_utc(row.offered_at) >= SERVICE_WINDOW:
        return []
    return [str(choice) for choice in row.choices]


def forget_contact(request: ForgetRequest) -> int:
    """Delete what the channel keeps about a WhatsApp conversation ("vergeet mij").

    Returns:
        The number of deleted rows (contact time and pending numbered options).
    """
    if not request.sender_id.startswith(SENDER_PREFIX):
        return 0
    wa_id = whatsapp_ids.recipient(request.sender_id)
    deleted = whatsapp_ids.forget(request.sender_id)  # the number itself (channels/whatsapp_ids.py)
    with get_engine().begin() as conn:
        where = numbered_choices.c.conversation_id == request.sender_id
        deleted += conn.execute(numbered_choices.delete().where(where)).rowcount or 0
        if wa_id is not None:
            deleted += conn.execute(contacts.delete().where(contacts.c.wa_id == wa_id)).rowcount or 0
    return deleted


def purge_whatsapp(days: int, now: datetime | None = None) -> int:
    """Retention hook: delete dedup entries, contacts and offered choices older than ``days``."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    deleted = 0
    with get_engine().begin() as conn:
        for table, column in (
            (seen_messages, seen_messages.c.received_at),
            (contacts, contacts.c.last_inbound_at),
            (numbered_choices, numbered_choices.c.offered_at),
        ):
            deleted += int(conn.execute(table.delete().where(column < cutoff)).rowcount or 0)
    return deleted
