"""Transactional outbox: everything that must reach a backend survives outages and restarts.

A feature writes an outbox entry with :func:`enqueue` in the *same* database transaction as its own
record (e.g. a handoff ticket), then calls :func:`deliver` to try it at once. When the backend is
down, the entry stays ``pending`` and the worker (``python -m foundation.outbox``) retries it with
exponential backoff (``next_attempt_at``) until it is delivered. Every entry carries an idempotency
key that handlers pass on (``Idempotency-Key`` header), so a retry never creates a duplicate.

Handlers are registered per kind (``"klantinteracties.handoff"``, ``"zaken.create"``, ...)::

    @register_handler("zaken.create")
    async def create_zaak(payload: dict, idempotency_key: str) -> dict | None: ...

or, as the composition root does, ``register_handler("zaken.create")(create_zaak)``: every process
that delivers (the action server's "try now", the worker ``python -m app.outbox_worker``) imports
``app/registry.py``, which registers every handler explicitly. A handler raises
:class:`PermanentDeliveryError` (or an exception type given to :func:`register_permanent_error`,
e.g. ``BackendRejected``) when retrying cannot help; the entry is then marked ``dead`` and logged.
Any other exception means "try again later".
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from foundation.claim import claim_row, unlocked
from foundation.clock import utcnow
from foundation.db import get_engine, metadata, run_db
from foundation.municipality import current, use

logger = logging.getLogger(__name__)

PENDING = "pending"
DELIVERED = "delivered"
DEAD = "dead"
#: First retry delay; doubles per failed attempt up to :data:`MAX_DELAY`.
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
#: How long a delivery attempt owns an entry (protects against two workers sending at once).
LOCK_TIME = timedelta(minutes=2)
DEFAULT_INTERVAL_SECONDS = 5.0
ERROR_MAX = 1000

Handler = Callable[[dict[str, Any], str], Awaitable[dict[str, Any] | None]]
_HANDLERS: dict[str, Handler] = {}
#: Exception types that mean "retrying cannot help" (see :func:`register_permanent_error`).
_PERMANENT: list[type[BaseException]] = []

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(100), nullable=False, index=True),
    sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, default=PENDING, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("result", sa.JSON, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
)


class PermanentDeliveryError(Exception):
    """Raised by a handler when retrying cannot help (the entry becomes ``dead``)."""


# ---------------------------------------------------------------------------- handlers
def register_handler(kind: str) -> Callable[[Handler], Handler]:
    """Decorator: register ``fn(payload, idempotency_key)`` as the handler of ``kind``."""

    def decorate(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return decorate


def get_handler(kind: str) -> Handler | None:
    """The handler registered for ``kind``, or ``None``."""
    return _HANDLERS.get(kind)


def register_permanent_error(exc_type: type[BaseException]) -> None:
    """Treat ``exc_type`` raised by a handler like :class:`PermanentDeliveryError` (entry ``dead``)."""
    if exc_type not in _PERMANENT:
        _PERMANENT.append(exc_type)


# ---------------------------------------------------------------------------- writing
def backoff_delay(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed attempts (30 s, 1 min, 2 min, ... 1 h)."""
    factor = 2 ** max(0, min(attempts - 1, 20))
    return min(BASE_DELAY * factor, MAX_DELAY)


def enqueue(
    conn: Connection,
    kind: str,
    payload: dict[str, Any],
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> int:
    """Add an entry inside the caller's transaction and return its id.

    Args:
        conn: A connection inside the caller's transaction (``engine.begin()``).
        kind: Handler kind, e.g. ``"klantinteracties.handoff"``.
        payload: JSON-serialisable data for the handler.
        idempotency_key: Unique key; a second enqueue with the same key returns the first entry.
        now: Creation time (default: now).
    """
    # issue 18: a retry by the worker runs in the municipality of the conversation that enqueued
    payload = {"municipality": current(), **payload}
    key = idempotency_key or f"{kind}:{uuid.uuid4()}"
    existing = conn.execute(sa.select(outbox.c.id).where(outbox.c.idempotency_key == key)).scalar()
    if existing is not None:
        return int(existing)
    moment = now or utcnow()
    result = conn.execute(
        outbox.insert().values(
            kind=kind,
            idempotency_key=key,
            payload=payload,
            status=PENDING,
            attempts=0,
            next_attempt_at=moment,
            created_at=moment,
        )
    )
    return int(result.inserted_primary_key[0])


def get_entry(entry_id: int) -> dict[str, Any] | None:
    """One outbox entry as a dict (tests, the employee tool), or ``None``."""
    with get_engine().connect() as conn:
        row = conn.execute(outbox.select().where(outbox.c.id == entry_id)).mappings().first()
    return dict(row) if row else None


def entries(kind: str | None = None) -> list[dict[str, Any]]:
    """All outbox entries (optionally of one kind), oldest first."""
    query = outbox.select().order_by(outbox.c.id)
    if kind:
        query = query.where(outbox.c.kind == kind)
    with get_engine().connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def purge_finished(days: int, now: datetime | None = None) -> int:
    """Delete delivered and dead entries finished more than ``days`` ago; returns the number."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    finished = sa.func.coalesce(outbox.c.delivered_at, outbox.c.next_attempt_at)
    with get_engine().begin() as conn:
        return int(
            conn.execute(
                outbox.delete().where(outbox.c.status.in_((DELIVERED, DEAD)), finished < cutoff)
            ).rowcount
            or 0
        )


# ---------------------------------------------------------------------------- delivery
def _claim(entry_id: int, now: datetime) -> dict[str, Any] | None:
    """Lock a pending entry for one attempt; ``None`` when delivered, dead or being sent."""
    row = claim_row(get_engine(), outbox, entry_id, now, LOCK_TIME, PENDING)
    return dict(row._mapping) if row is not None else None


def _finish(entry_id: int, values: dict[str, Any]) -> None:
    if values.get("status") == DELIVERED:
        values = {**values, "payload": {}}  # delivered: what the resident typed is not kept here
    with get_engine().begin() as conn:
        conn.execute(outbox.update().where(outbox.c.id == entry_id).values(locked_until=None, **values))


async def deliver(entry_id: int, now: datetime | None = None) -> str:
    """Try to deliver one entry now (whatever its ``next_attempt_at``).

    Returns:
        The entry's status afterwards (``delivered``, ``pending``, ``dead``) or ``"busy"`` when it
        was not pending or another process is sending it.
    """
    moment = now or utcnow()
    entry = await run_db(_claim, entry_id, moment)
    if entry is None:
        return "busy"
    handler = get_handler(entry["kind"])
    attempts = int(entry["attempts"] or 0) + 1
    if handler is None:
        error = f"no handler registered for kind {entry['kind']!r}"
        logger.error("outbox %s: %s", entry_id, error)
        await run_db(_finish, entry_id, _retry_values(attempts, moment, error))
        return PENDING
    try:
        payload = dict(entry["payload"])
        with use(payload.get("municipality")):
            result = await handler(payload, entry["idempotency_key"])
    except PermanentDeliveryError as exc:
        return await _dead(entry_id, attempts, exc)
    except Exception as exc:  # noqa: BLE001 - every failure is retried, the reason is logged
        if isinstance(exc, tuple(_PERMANENT)):
            return await _dead(entry_id, attempts, exc)
        logger.warning("outbox %s (%s) attempt %s failed: %r", entry_id, entry["kind"], attempts, exc)
        await run_db(_finish, entry_id, _retry_values(attempts, moment, repr(exc)))
        return PENDING
    await run_db(
        _finish,
        entry_id,
        {
            "status": DELIVERED,
            "attempts": attempts,
            "delivered_at": utcnow(),
            "result": result,
            "last_error": None,
        },
    )
    logger.info("outbox %s (%s) delivered after %s attempt(s)", entry_id, entry["kind"], attempts)
    return DELIVERED


def _retry_values(attempts: int, now: datetime, error: str) -> dict[str, Any]:
    return {
        "attempts": attempts,
        "next_attempt_at": now + backoff_delay(attempts),
        "last_error": error[:ERROR_MAX],
    }


async def _dead(entry_id: int, attempts: int, exc: Exception) -> str:
    logger.error("outbox %s gave up (will not retry): %r", entry_id, exc)
    await run_db(
        _finish, entry_id, {"status": DEAD, "attempts": attempts, "last_error": repr(exc)[:ERROR_MAX]}
    )
    return DEAD


def _due_ids(now: datetime, limit: int) -> list[int]:
    with get_engine().connect() as conn:
        rows = conn.execute(
            sa.select(outbox.c.id)
            .where(
                outbox.c.status == PENDING,
                outbox.c.next_attempt_at <= now,
                unlocked(outbox, now),
            )
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
        ).scalars()
        return [int(i) for i in rows]


async def deliver_due(now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """Try every entry whose ``next_attempt_at`` has come; return counts per resulting status."""
    moment = now or utcnow()
    counts: dict[str, int] = {}
    for entry_id in await run_db(_due_ids, moment, limit):
        status = await deliver(entry_id, now=moment)
        counts[status] = counts.get(status, 0) + 1
    return counts


async def run_worker(once: bool = False, interval: float = DEFAULT_INTERVAL_SECONDS) -> None:
    """Deliver due entries; with ``once`` a single pass, else forever every ``interval`` seconds."""
    while True:
        try:
            counts = await deliver_due()
            if counts:
                logger.info("outbox pass: %s", counts)
        except Exception:  # the worker must survive a database hiccup
            logger.exception("outbox pass failed")
        if once:
            return
        await asyncio.sleep(interval)
