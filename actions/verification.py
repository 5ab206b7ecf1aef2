"""Server-side proof that a conversation may act on a record (an appointment, a zaak).

A reference number alone proves nothing (appointment numbers follow each other), so a conversation
may only change or cancel a record after the resident gave the contact detail of *that* record.
The proof is kept here, in the database, never in a slot: slots can be set by anyone who types
``/inform{...}``. Submit actions call :func:`is_verified` again just before they act.

Failed checks are counted per reference (over all conversations) and per conversation (over all
references) within ``VERIFY_WINDOW_MINUTES``; beyond the limits no further check is even tried.
References and conversation ids are stored as keyed pseudonyms (``PSEUDONYM_KEY``).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime

import sqlalchemy as sa

from foundation.db import get_engine, metadata, run_db
from foundation.settings import Settings, get_settings
from privacy.forget import ForgetRequest

verification_attempts = sa.Table(
    "verification_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation", sa.String(64), nullable=False, index=True),
    sa.Column("record", sa.String(64), nullable=False, index=True),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Column("at", sa.Float, nullable=False, index=True),
)


def _key(value: str, settings: Settings) -> str:
    return hmac.new(settings.pseudonym_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def _record_key(kind: str, reference: str, settings: Settings) -> str:
    return _key(f"{kind}:{reference.strip().upper()}", settings)


def _blocked(conversation_id: str, kind: str, reference: str, now: float | None = None) -> bool:
    settings = get_settings()
    since = (now or time.time()) - settings.verify_window_minutes * 60
    table = verification_attempts
    failures = sa.select(sa.func.count()).where(table.c.success.is_(False), table.c.at >= since)
    with get_engine().connect() as conn:
        per_record = conn.execute(
            failures.where(table.c.record == _record_key(kind, reference, settings))
        ).scalar_one()
        per_conversation = conn.execute(
            failures.where(table.c.conversation == _key(conversation_id, settings))
        ).scalar_one()
    return (
        per_record >= settings.verify_max_failures_per_reference
        or per_conversation >= settings.verify_max_failures_per_conversation
    )


def _record(conversation_id: str, kind: str, reference: str, success: bool, now: float | None) -> None:
    settings = get_settings()
    with get_engine().begin() as conn:
        conn.execute(
            verification_attempts.insert().values(
                conversation=_key(conversation_id, settings),
                record=_record_key(kind, reference, settings),
                success=success,
                at=now or time.time(),
            )
        )


def _verified(conversation_id: str, kind: str, reference: str, now: float | None) -> bool:
    settings = get_settings()
    since = (now or time.time()) - settings.verified_ttl_minutes * 60
    table = verification_attempts
    with get_engine().connect() as conn:
        found = conn.execute(
            sa.select(table.c.id)
            .where(
                table.c.conversation == _key(conversation_id, settings),
                table.c.record == _record_key(kind, reference, settings),
                table.c.success.is_(True),
                table.c.at >= since,
            )
            .limit(1)
        ).first()
    return found is not None


def _forget(conversation_id: str) -> int:
    settings = get_settings()
    with get_engine().begin() as conn:
        return conn.execute(
            verification_attempts.delete().where(
                verification_attempts.c.conversation == _key(conversation_id, settings)
            )
        ).rowcount


def purge_verifications(now: float | None = None) -> int:
    """Delete attempts older than the longest window they matter for; returns the number deleted."""
    settings = get_settings()
    keep = max(settings.verify_window_minutes, settings.verified_ttl_minutes) * 60
    with get_engine().begin() as conn:
        return conn.execute(
            verification_attempts.delete().where(verification_attempts.c.at < (now or time.time()) - keep)
        ).rowcount


async def is_blocked(conversation_id: str, kind: str, reference: str, now: float | None = None) -> bool:
    """Whether the failure limit for this reference or this conversation is reached."""
    return await run_db(_blocked, conversation_id, kind, reference, now)


async def record_attempt(
    conversation_id: str, kind: str, reference: str, success: bool, now: float | None = None
) -> None:
    """Store the outcome of one contact-detail check."""
    await run_db(_record, conversation_id, kind, reference, success, now)


async def is_verified(conversation_id: str, kind: str, reference: str, now: float | None = None) -> bool:
    """Whether this conversation passed the check for exactly this reference, recently."""
    if not reference:
        return False
    return await run_db(_verified, conversation_id, kind, reference, now)


async def forget_conversation(conversation_id: str) -> int:
    """Delete the conversation's attempts ("vergeet mij")."""
    return await run_db(_forget, conversation_id)


def forget_attempts(request: ForgetRequest) -> int:
    """Forget hook (registered in app/registry.py): delete the conversation's attempts."""
    return _forget(request.sender_id)


def purge_old_attempts(days: int, now: datetime | None = None) -> int:
    """Retention hook (app/registry.py): attempts outlive their windows, not ``days``."""
    return purge_verifications(now=now.timestamp() if now is not None else None)
