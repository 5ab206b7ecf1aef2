"""Consents and the signal ledger (tables on the shared :data:`foundation.db.metadata`).

``signal_consents``: one row per opt-in. What is stored, and why:

* ``resident_key``: HMAC-SHA256 of the BSN with ``PSEUDONYM_KEY`` (same pseudonym as the processing
  log), used for every lookup and in the ledger.
* ``bsn``: the BSN itself. It is needed: the engine runs without the resident (daily) and must ask
  the BRP about exactly this person, and the HMAC cannot be reversed. It is kept only while the
  consent is active: opting out clears it (and the address) at once; "vergeet mij" deletes the row.
  Production should put ``DATABASE_URL`` on an encrypted volume / use column encryption of the
  database; the assistant itself stores no other copy.
* ``channel`` and ``sender_id``: where the signals go (the conversation id; on WhatsApp ``wa:<pseudonym>``).
* ``municipality``: the municipality of the conversation in which the resident subscribed (issue 18):
  the engine evaluates the resident's signals with that municipality's rules and backends (none
  stored, from before issue 18: the default municipality).
* ``given_at``, ``consent_version`` (``consent.text_version`` of rules.yml when the resident said
  "ja"), ``revoked_at``: the proof of consent. A revoked row keeps only key, times and version.

``signal_ledger``: one row per (resident_key, rule_id, period), UNIQUE, so evaluating twice never
creates a second signal. ``status`` is ``pending`` until delivered (``sent``) or no longer useful
(``expired``). Pending rows of a resident who opts out are deleted at once.

All functions are blocking; call them from async code through :func:`foundation.db.run_db`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from foundation.claim import claim_row, unlocked
from foundation.clock import as_utc, utcnow
from foundation.db import get_engine, metadata
from foundation.municipality import current, get_deployment
from foundation.settings import get_settings
from privacy.forget import ForgetRequest

logger = logging.getLogger(__name__)

PENDING = "pending"
SENT = "sent"
EXPIRED = "expired"
#: How long one delivery attempt owns a ledger row (protects against two engines sending at once).
LOCK_TIME = timedelta(minutes=5)
ERROR_MAX = 1000

consents = sa.Table(
    "signal_consents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("resident_key", sa.String(64), nullable=False, index=True),
    sa.Column("bsn", sa.String(9), nullable=True),
    sa.Column("channel", sa.String(64), nullable=True),
    sa.Column("sender_id", sa.String(255), nullable=True, index=True),
    sa.Column("consent_version", sa.String(32), nullable=False),
    sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True, index=True),
    # the municipality of the conversation the resident subscribed in (issue 18)
    sa.Column("municipality", sa.String(40), nullable=True),
)

ledger = sa.Table(
    "signal_ledger",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("resident_key", sa.String(64), nullable=False),
    sa.Column("rule_id", sa.String(64), nullable=False),
    sa.Column("period", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    # values for the message, e.g. {"date": "14-10-2028"} (no identifying data)
    sa.Column("details", sa.JSON, nullable=False),
    sa.Column("expires_on", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    # how it went out: "rasa:<channel>" or "whatsapp_template"
    sa.Column("sent_via", sa.String(64), nullable=True),
    sa.UniqueConstraint("resident_key", "rule_id", "period", name="uq_signal_ledger_resident_rule_period"),
)

def resident_key(bsn: str, key: str | None = None) -> str:
    """Pseudonym of a resident: hex HMAC-SHA256 of the BSN (same as ``privacy.processing_log``)."""
    compact = "".join(ch for ch in str(bsn) if ch.isdigit())
    secret = (key if key is not None else get_settings().pseudonym_key).encode("utf-8")
    return hmac.new(secret, compact.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Consent:
    """An active consent."""

    id: int
    resident_key: str
    bsn: str
    channel: str
    sender_id: str
    consent_version: str
    given_at: datetime
    #: The municipality whose rules and backends apply (issue 18).
    municipality: str = ""


def _consent(row: Any) -> Consent:
    return Consent(
        id=row.id,
        resident_key=row.resident_key,
        bsn=row.bsn,
        channel=row.channel or "",
        sender_id=row.sender_id or "",
        consent_version=row.consent_version,
        given_at=as_utc(row.given_at) or utcnow(),
        municipality=row.municipality or get_deployment().default,
    )


# ---------------------------------------------------------------------------- consents
def record_consent(
    bsn: str,
    channel: str,
    sender_id: str,
    consent_version: str,
    now: datetime | None = None,
    municipality: str | None = None,
) -> Consent:
    """Record an opt-in; an earlier active consent of the same resident is replaced (revoked).

    Args:
        bsn: The verified BSN.
        channel: Rasa input channel of the conversation (``socketio``, ``whatsapp``, ``rest``, ...).
        sender_id: The conversation id signals are delivered into.
        consent_version: ``consent.text_version`` of rules.yml, i.e. the text the resident agreed to.
        now: Time of the opt-in.
        municipality: The conversation's municipality (default: the current one, issue 18).
    """
    moment = now or utcnow()
    key = resident_key(bsn)
    municipality = municipality or current()
    with get_engine().begin() as conn:
        _revoke(conn, consents.c.resident_key == key, moment, drop_pending=False)
        new_id = conn.execute(
            consents.insert().values(
                resident_key=key,
                bsn=bsn,
                channel=channel,
                sender_id=sender_id,
                consent_version=consent_version,
                given_at=moment,
                municipality=municipality,
            )
        ).inserted_primary_key[0]
    return Consent(int(new_id), key, bsn, channel, sender_id, consent_version, moment, municipality)


def _revoke(conn: sa.engine.Connection, condition: Any, now: datetime, drop_pending: bool = True) -> int:
    keys = list(
        conn.execute(
            sa.select(consents.c.resident_key).where(condition, consents.c.revoked_at.is_(None))
        ).scalars()
    )
    if not keys:
        return 0
    count = conn.execute(
        consents.update()
        .where(consents.c.resident_key.in_(keys), consents.c.revoked_at.is_(None))
        .values(revoked_at=now, bsn=None, sender_id=None, channel=None)
    ).rowcount
    if drop_pending:
        conn.execute(ledger.delete().where(ledger.c.resident_key.in_(keys), ledger.c.status == PENDING))
    return int(count or 0)


def revoke_consents(sender_id: str | None = None, bsn: str | None = None, now: datetime | None = None) -> int:
    """Opt out at once: revoke every active consent of this conversation and/or this resident.

    The BSN and address of the revoked consents are cleared and their pending signals deleted.

    Returns:
        The number of consents revoked.
    """
    conditions = []
    if sender_id:
        conditions.append(consents.c.sender_id == sender_id)
    if bsn:
        conditions.append(consents.c.resident_key == resident_key(bsn))
    if not conditions:
        return 0
    with get_engine().begin() as conn:
        return _revoke(conn, sa.or_(*conditions), now or utcnow())


def active_consents() -> list[Consent]:
    """Every active consent, oldest first."""
    with get_engine().connect() as conn:
        rows = conn.execute(
            consents.select().where(consents.c.revoked_at.is_(None)).order_by(consents.c.id)
        ).all()
    return [_consent(row) for row in rows]


def active_consent(key: str) -> Consent | None:
    """The active consent of the resident with pseudonym ``key``, or None."""
    with get_engine().connect() as conn:
        row = conn.execute(
            consents.select()
            .where(consents.c.resident_key == key, consents.c.revoked_at.is_(None))
            .order_by(consents.c.id.desc())
        ).first()
    return _consent(row) if row else None


def has_active_consent(sender_id: str | None = None, bsn: str | None = None) -> bool:
    """Whether this conversation or resident has an active consent."""
    conditions = []
    if sender_id:
        conditions.append(consents.c.sender_id == sender_id)
    if bsn:
        conditions.append(consents.c.resident_key == resident_key(bsn))
    if not conditions:
        return False
    with get_engine().connect() as conn:
        return (
            conn.execute(
                sa.select(consents.c.id).where(sa.or_(*conditions), consents.c.revoked_at.is_(None))
            ).first()
            is not None
        )


def forget_consents(sender_id: str, bsn: str | None = None) -> int:
    """Delete (not revoke) consents and ledger rows of a conversation/resident ("vergeet mij").

    Returns:
        The number of deleted rows (consents and ledger rows).
    """
    conditions = [consents.c.sender_id == sender_id]
    if bsn:
        conditions.append(consents.c.resident_key == resident_key(bsn))
    with get_engine().begin() as conn:
        keys = list(conn.execute(sa.select(consents.c.resident_key).where(sa.or_(*conditions))).scalars())
        if bsn:
            keys.append(resident_key(bsn))
        if not keys:
            return 0
        deleted = conn.execute(consents.delete().where(consents.c.resident_key.in_(keys))).rowcount or 0
        deleted += conn.execute(ledger.delete().where(ledger.c.resident_key.in_(keys))).rowcount or 0
    return int(deleted)


# ---------------------------------------------------------------------------- ledger
@dataclass(frozen=True)
class LedgerEntry:
    """One ledger row."""

    id: int
    resident_key: str
    rule_id: str
    period: str
    status: str
    details: dict[str, Any]
    expires_on: date
    attempts: int
    last_error: str | None
    sent_via: str | None


def _entry(row: Any) -> LedgerEntry:
    return LedgerEntry(
        id=row.id,
        resident_key=row.resident_key,
        rule_id=row.rule_id,
        period=row.period,
        status=row.status,
        details=dict(row.details or {}),
        expires_on=row.expires_on,
        attempts=int(row.attempts or 0),
        last_error=row.last_error,
        sent_via=row.sent_via,
    )


def add_to_ledger(
    key: str,
    rule_id: str,
    period: str,
    details: dict[str, Any],
    expires_on: date,
    now: datetime | None = None,
) -> bool:
    """Record a due signal as ``pending``; False when it is already in the ledger (any status)."""
    try:
        with get_engine().begin() as conn:
            conn.execute(
                ledger.insert().values(
                    resident_key=key,
                    rule_id=rule_id,
                    period=period,
                    status=PENDING,
                    details=details,
                    expires_on=expires_on,
                    created_at=now or utcnow(),
                    attempts=0,
                )
            )
    except IntegrityError:
        return False
    return True


def ledger_entries(key: str | None = None) -> list[LedgerEntry]:
    """Ledger rows (of one resident), oldest first."""
    query = ledger.select().order_by(ledger.c.id)
    if key:
        query = query.where(ledger.c.resident_key == key)
    with get_engine().connect() as conn:
        return [_entry(row) for row in conn.execute(query).all()]


def pending_ids(now: datetime | None = None) -> list[int]:
    """Ids of pending rows not locked by another delivery, oldest first."""
    moment = now or utcnow()
    with get_engine().connect() as conn:
        return [
            int(i)
            for i in conn.execute(
                sa.select(ledger.c.id)
                .where(
                    ledger.c.status == PENDING,
                    unlocked(ledger, moment),
                )
                .order_by(ledger.c.id)
            ).scalars()
        ]


def claim(entry_id: int, now: datetime | None = None) -> LedgerEntry | None:
    """Lock a pending row for one delivery attempt; None when it is not pending or already locked."""
    row = claim_row(get_engine(), ledger, entry_id, now or utcnow(), LOCK_TIME, PENDING)
    return _entry(row) if row is not None else None


def mark_sent(entry_id: int, via: str, now: datetime | None = None) -> None:
    """The signal was delivered."""
    with get_engine().begin() as conn:
        conn.execute(
            ledger.update()
            .where(ledger.c.id == entry_id)
            .values(
                status=SENT,
                sent_at=now or utcnow(),
                sent_via=via,
                locked_until=None,
                last_error=None,
                attempts=ledger.c.attempts + 1,
            )
        )


def mark_failed(entry_id: int, error: str) -> None:
    """A delivery attempt failed; the row stays pending for the next run."""
    with get_engine().begin() as conn:
        conn.execute(
            ledger.update()
            .where(ledger.c.id == entry_id)
            .values(locked_until=None, last_error=error[:ERROR_MAX], attempts=ledger.c.attempts + 1)
        )


def mark_expired(entry_id: int) -> None:
    """The signal is no longer useful (its window has passed); it will not be sent."""
    with get_engine().begin() as conn:
        conn.execute(ledger.update().where(ledger.c.id == entry_id).values(status=EXPIRED, locked_until=None))


def drop_entry(entry_id: int) -> None:
    """Delete a pending row (the resident has no consent any more)."""
    with get_engine().begin() as conn:
        conn.execute(ledger.delete().where(ledger.c.id == entry_id, ledger.c.status == PENDING))


# ---------------------------------------------------------------------------- "vergeet mij"
#: The name of the forget hook (``app/registry.py`` registers :func:`forget_signal_data` under it).
FORGET_HOOK_NAME = "signal_consents"


def forget_signal_data(request: ForgetRequest) -> int:
    """Forget hook: delete the consents and ledger rows of the conversation (and resident, if known)."""
    return forget_consents(request.sender_id, request.resident_bsn)
