"""Mijn gegevens: the stored conversation of one conversation id, and the one-time download.

:func:`stored_messages` reads the conversation as stored in the tracker database (already masked by
the masking tracker store; commands such as ``/inform{...}`` and ``EXTERNAL:`` system messages left
out); :mod:`actions.my_data` adds the consents and tickets and calls :func:`create_export`.

:func:`create_export` stores that collection for ``MY_DATA_LINK_MINUTES`` under the SHA-256 of a
random token (``secrets.token_urlsafe(32)``, 256 bits); the token itself is only in the link the
resident gets. :func:`take` hands the export out once and deletes it; :func:`peek` only says whether
a link still works (a link preview must not use it up). Expired exports are deleted when asked for,
by the retention purge, and all of a conversation's exports by "vergeet mij" (hooks registered in
``app/registry.py``).

Whether the conversation is the resident's is decided before, by the channel
(:mod:`actions.my_data`). All functions here are blocking (use :func:`foundation.db.run_db`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from foundation.db import get_engine, metadata
from foundation.settings import get_settings
from privacy import tracker_db
from privacy.compaction import is_copy
from privacy.forget import ForgetRequest

#: A token as :func:`create_export` makes it (URL-safe base64 of 32 random bytes).
TOKEN_PATTERN = r"[A-Za-z0-9_-]{43}"
#: At most this many stored messages go into one export.
MAX_MESSAGES = 2000

exports = sa.Table(
    "my_data_exports",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    # keyed pseudonym of the conversation id (for "vergeet mij"), never the id itself
    sa.Column("conversation", sa.String(64), nullable=False, index=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
)


def _conversation_key(sender_id: str) -> str:
    key = get_settings().pseudonym_key.encode()
    return hmac.new(key, f"my-data:{sender_id}".encode(), hashlib.sha256).hexdigest()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


# ---------------------------------------------------------------- what is held
def stored_messages(sender_id: str) -> list[dict[str, Any]]:
    """The conversation's user and bot messages as stored (masked), oldest first."""
    engine = tracker_db.get_tracker_engine()
    if not tracker_db.has_events_table(engine):
        return []
    events = tracker_db.events
    query = (
        sa.select(events.c.type_name, events.c.timestamp, events.c.data)
        .where(events.c.sender_id == sender_id, events.c.type_name.in_(("user", "bot")))
        .order_by(events.c.timestamp, events.c.id)
        .limit(MAX_MESSAGES)
    )
    messages: list[dict[str, Any]] = []
    with engine.connect() as connection:
        for kind, timestamp, data in connection.execute(query):
            try:
                event = json.loads(data or "{}") or {}
            except ValueError:
                continue
            if is_copy(event):  # a long conversation's compaction repeats its last turn
                continue
            text = event.get("text")
            if not isinstance(text, str) or not text or text.startswith(("/", "EXTERNAL: ")):
                continue
            moment = datetime.fromtimestamp(timestamp).astimezone().isoformat() if timestamp else None
            messages.append(
                {"van": "inwoner" if kind == "user" else "assistent", "tijd": moment, "text": text}
            )
    return messages


# ---------------------------------------------------------------- the one-time link
def create_export(sender_id: str, payload: dict[str, Any], now: float | None = None) -> str:
    """Store ``payload`` for one download; returns the token (only its hash is stored)."""
    moment = time.time() if now is None else now
    token = secrets.token_urlsafe(32)
    engine = get_engine()
    metadata.create_all(engine, tables=[exports])
    with engine.begin() as connection:
        connection.execute(
            exports.insert().values(
                token_hash=_hash(token),
                conversation=_conversation_key(sender_id),
                payload=payload,
                created_at=moment,
                expires_at=moment + get_settings().my_data_link_minutes * 60,
            )
        )
    return token


def _valid_token(token: str) -> bool:
    import re

    return bool(re.fullmatch(TOKEN_PATTERN, token or ""))


def peek(token: str, now: float | None = None) -> bool:
    """Whether the link still works (does not use it up)."""
    if not _valid_token(token):
        return False
    engine = get_engine()
    metadata.create_all(engine, tables=[exports])
    with engine.connect() as connection:
        expires = connection.execute(
            sa.select(exports.c.expires_at).where(exports.c.token_hash == _hash(token))
        ).scalar_one_or_none()
    return expires is not None and expires > (time.time() if now is None else now)


def take(token: str, now: float | None = None) -> dict[str, Any] | None:
    """The export of a working link, deleted in the same transaction (single use), else ``None``."""
    if not _valid_token(token):
        return None
    moment = time.time() if now is None else now
    engine = get_engine()
    metadata.create_all(engine, tables=[exports])
    with engine.begin() as connection:
        row = connection.execute(
            sa.select(exports.c.payload, exports.c.expires_at).where(exports.c.token_hash == _hash(token))
        ).first()
        if row is None:
            return None
        deleted = connection.execute(exports.delete().where(exports.c.token_hash == _hash(token))).rowcount
    if not deleted or row.expires_at <= moment:  # another request took it first, or too late
        return None
    return dict(row.payload)


def count_exports() -> int:
    """Number of stored exports (tests, operators)."""
    engine = get_engine()
    metadata.create_all(engine, tables=[exports])
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(exports)).scalar_one())


def purge_expired(now: float | None = None) -> int:
    """Delete expired exports; returns the number deleted."""
    engine = get_engine()
    metadata.create_all(engine, tables=[exports])
    with engine.begin() as connection:
        moment = time.time() if now is None else now
        return int(connection.execute(exports.delete().where(exports.c.expires_at <= moment)).rowcount or 0)


def forget_exports(request: ForgetRequest) -> int:
    """Forget hook: delete every export of the conversation ("vergeet mij")."""
    engine = get_engine()
    metadata.create_all(engine, tables=[exports])
    with engine.begin() as connection:
        condition = exports.c.conversation == _conversation_key(request.sender_id)
        return int(connection.execute(exports.delete().where(condition)).rowcount or 0)


def purge_exports(days: int, now: datetime | None = None) -> int:
    """Retention hook: delete expired exports (they live minutes, not ``days``)."""
    return purge_expired(now.timestamp() if now else None)
