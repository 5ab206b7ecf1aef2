"""Processing log in the spirit of the VNG standard "Verwerkingenlogging".

Every time the assistant looks up or sends personal data (e.g. "BRP raadplegen" for a passport
flow) an action calls :func:`log_processing` (or :func:`alog_processing` from async code). A log
entry says WHAT was done (activity), WHY (purpose, legal basis), WHICH KINDS of data (categories
such as ``"adres"``), BY WHOM (actor) and ABOUT WHOM, as a pseudonym: the HMAC-SHA256 of the BSN
with ``PSEUDONYM_KEY``. The BSN itself and data values are never stored, so a resident's request
"who looked at my data?" can be answered (:func:`query`, ``python -m privacy.audit``) without the
log becoming a second copy of the data.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from stdnum.nl import bsn as stdnum_bsn

from foundation.clock import as_utc, utcnow
from foundation.db import get_engine, metadata, run_db
from foundation.municipality import current as current_municipality
from foundation.municipality import get_deployment
from foundation.settings import get_settings
from privacy.detect import scan

DEFAULT_ACTOR = "digitale assistent"
#: Separator of data categories in the ``data_categories`` column.
CATEGORY_SEPARATOR = ","

processing_log = sa.Table(
    "processing_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("time", sa.DateTime(timezone=True), nullable=False, index=True),
    # "verwerkingsactiviteit", e.g. "BRP raadplegen"
    sa.Column("activity", sa.String(200), nullable=False),
    # "doel": the flow / purpose, e.g. "paspoort aanvragen"
    sa.Column("purpose", sa.String(200), nullable=False, index=True),
    # "verwerkte soorten gegevens", e.g. "geboortedatum,adres"
    sa.Column("data_categories", sa.String(1000), nullable=False),
    # "grondslag", e.g. "AVG art. 6 lid 1 sub e; Paspoortwet"
    sa.Column("legal_basis", sa.Text, nullable=False),
    # HMAC-SHA256 of the BSN (never the BSN itself); NULL when no resident is identified.
    sa.Column("subject_pseudonym", sa.String(64), index=True),
    # "uitgevoerd door"
    sa.Column("actor", sa.String(200), nullable=False),
    # The system that was consulted, e.g. "BRP" (optional).
    sa.Column("system", sa.String(100)),
    # The municipality responsible for the processing (issue 18): the conversation's municipality.
    sa.Column("municipality", sa.String(40), index=True),
)


@dataclass(frozen=True)
class ProcessingRecord:
    """One entry of the processing log."""

    id: int
    time: datetime
    activity: str
    purpose: str
    data_categories: tuple[str, ...]
    legal_basis: str
    subject_pseudonym: str | None
    actor: str
    system: str | None
    municipality: str | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (ISO time)."""
        return {
            "id": self.id,
            "time": self.time.isoformat(),
            "activity": self.activity,
            "purpose": self.purpose,
            "data_categories": list(self.data_categories),
            "legal_basis": self.legal_basis,
            "subject_pseudonym": self.subject_pseudonym,
            "actor": self.actor,
            "system": self.system,
            "municipality": self.municipality,
        }


def pseudonymise_bsn(bsn: str, key: str | None = None) -> str:
    """The pseudonym of a resident: hex HMAC-SHA256 of the compacted BSN with ``PSEUDONYM_KEY``.

    The same BSN always gives the same pseudonym (so audits can find a resident's entries); without
    the key the BSN cannot be recovered from it.
    """
    compact = stdnum_bsn.compact(str(bsn))
    secret = (key if key is not None else get_settings().pseudonym_key).encode("utf-8")
    return hmac.new(secret, compact.encode("ascii", "ignore"), hashlib.sha256).hexdigest()


def _check_no_values(**fields: str) -> None:
    """Refuse text that contains personal data: the log holds descriptions, never values."""
    for name, value in fields.items():
        if not value or not value.strip():
            raise ValueError(f"{name} must not be empty")
        found = scan(value).categories
        if found:
            raise ValueError(f"{name} looks like it contains personal data ({', '.join(sorted(found))})")


def log_processing(
    activity: str,
    purpose: str,
    data_categories: Iterable[str],
    legal_basis: str,
    resident_bsn: str | None = None,
    actor: str = DEFAULT_ACTOR,
    system: str | None = None,
    *,
    engine: Engine | None = None,
    now: datetime | None = None,
    municipality: str | None = None,
) -> int:
    """Write one processing-log entry (blocking; use :func:`alog_processing` from async code).

    Args:
        activity: what was done, e.g. ``"BRP raadplegen"``.
        purpose: why: the flow, e.g. ``"paspoort aanvragen"``.
        data_categories: kinds of data, e.g. ``["geboortedatum", "reisdocument"]`` (never values).
        legal_basis: the legal basis, e.g. ``"AVG art. 6 lid 1 sub e; Paspoortwet"``.
        resident_bsn: the BSN of the resident concerned; only its pseudonym is stored.
        actor: who did it.
        system: the system consulted, e.g. ``"BRP"``.
        engine: database engine (default: ``DATABASE_URL``).
        now: time of the processing (default: now).
        municipality: the municipality responsible (default: the conversation's, actions/municipality.py).

    Returns:
        The id of the new entry.

    Raises:
        ValueError: a field is empty or contains personal data such as a BSN or e-mail address.
    """
    categories = [str(category).strip() for category in data_categories]
    if not categories:
        raise ValueError("data_categories must not be empty")
    for category in categories:
        if CATEGORY_SEPARATOR in category:
            raise ValueError(f"a data category must not contain {CATEGORY_SEPARATOR!r}")
    _check_no_values(activity=activity, purpose=purpose, legal_basis=legal_basis, actor=actor)
    _check_no_values(**{f"data_categories[{i}]": c for i, c in enumerate(categories)})
    if system is not None:
        _check_no_values(system=system)
    row = {
        "time": as_utc(now or utcnow()),
        "activity": activity.strip(),
        "purpose": purpose.strip(),
        "data_categories": CATEGORY_SEPARATOR.join(categories),
        "legal_basis": legal_basis.strip(),
        "subject_pseudonym": pseudonymise_bsn(resident_bsn) if resident_bsn else None,
        "actor": actor.strip(),
        "system": system,
        "municipality": municipality or current_municipality(),
    }
    with (engine or get_engine()).begin() as connection:
        result = connection.execute(sa.insert(processing_log).values(**row))
        return int(result.inserted_primary_key[0])


async def alog_processing(
    activity: str,
    purpose: str,
    data_categories: Iterable[str],
    legal_basis: str,
    resident_bsn: str | None = None,
    actor: str = DEFAULT_ACTOR,
    system: str | None = None,
    *,
    engine: Engine | None = None,
    now: datetime | None = None,
) -> int:
    """Async form of :func:`log_processing` (runs in a worker thread via ``foundation.db.run_db``)."""
    call = functools.partial(
        log_processing,
        activity,
        purpose,
        list(data_categories),
        legal_basis,
        resident_bsn,
        actor,
        system,
        engine=engine,
        now=now,
    )
    return await run_db(call)


def _record(row: sa.engine.Row) -> ProcessingRecord:
    return ProcessingRecord(
        id=row.id,
        time=as_utc(row.time),
        activity=row.activity,
        purpose=row.purpose,
        data_categories=tuple(c for c in row.data_categories.split(CATEGORY_SEPARATOR) if c),
        legal_basis=row.legal_basis,
        subject_pseudonym=row.subject_pseudonym,
        actor=row.actor,
        system=row.system,
        municipality=row.municipality,
    )


def query(
    resident_bsn: str | None = None,
    since: datetime | None = None,
    purpose: str | None = None,
    *,
    engine: Engine | None = None,
    municipality: str | None = None,
) -> list[ProcessingRecord]:
    """Entries for an audit, oldest first.

    Args:
        resident_bsn: only entries about this resident (matched by pseudonym).
        since: only entries at or after this time (naive times are taken as UTC).
        purpose: only entries with exactly this purpose.
        engine: database engine (default: ``DATABASE_URL``).
        municipality: only entries of this municipality (an audit is done per municipality).
    """
    statement = sa.select(processing_log).order_by(processing_log.c.time, processing_log.c.id)
    if resident_bsn:
        statement = statement.where(processing_log.c.subject_pseudonym == pseudonymise_bsn(resident_bsn))
    if since is not None:
        statement = statement.where(processing_log.c.time >= as_utc(since))
    if purpose:
        statement = statement.where(processing_log.c.purpose == purpose)
    if municipality:
        statement = statement.where(processing_log.c.municipality == municipality)
    with (engine or get_engine()).connect() as connection:
        return [_record(row) for row in connection.execute(statement)]


def purge_processing_log(
    days: int | None = None,
    *,
    engine: Engine | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    municipality: str | None = None,
) -> int:
    """Delete entries older than ``days`` (default: ``PROCESSING_LOG_RETENTION_DAYS``, 365).

    ``municipality``: only that municipality's entries (issue 18: each its own period; entries
    without one belong to the default municipality; ``None``: all).

    Returns:
        The number of entries deleted (or that would be deleted, in a dry run).
    """
    days = get_settings().processing_log_retention_days if days is None else days
    if days <= 0:
        raise ValueError("days must be positive")
    cutoff = as_utc(now or utcnow()) - timedelta(days=days)
    condition = processing_log.c.time < cutoff
    if municipality is not None:
        column = processing_log.c.municipality
        own = column == municipality
        if municipality == get_deployment().default:
            own = sa.or_(own, column.is_(None))
        condition = sa.and_(condition, own)
    with (engine or get_engine()).begin() as connection:
        if dry_run:
            counted = connection.execute(
                sa.select(sa.func.count()).select_from(processing_log).where(condition)
            )
            return int(counted.scalar() or 0)
        return int(connection.execute(sa.delete(processing_log).where(condition)).rowcount or 0)
