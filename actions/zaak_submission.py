"""Submitting a case (zaak) through the outbox, so nothing is lost when the Zaken API is down.

A flow calls :func:`submit_zaak`: the submission is stored as an outbox entry of kind
:data:`ZAKEN_CREATE` and delivered at once when the backend answers; otherwise the outbox worker
(``python -m app.outbox_worker``) retries it with the same idempotency key until the zaak exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from foundation import outbox
from foundation.db import get_engine, run_db
from integrations.zaken import ZakenClient
from privacy.processing_log import alog_processing

logger = logging.getLogger(__name__)

ZAKEN_CREATE = "zaken.create"
DELIVERED = "delivered"
PENDING = "pending"
FAILED = "failed"


async def deliver_zaak(payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    """Outbox handler: create the zaak (and link the resident when a BSN is given).

    Every creation is written to the processing log (with the resident's pseudonym when a BSN is
    given), also a retry that finds the zaak the first attempt created.

    Args:
        payload: ``zaaktype`` (identificatie or URL), ``omschrijving``, ``toelichting``, optional ``bsn``.
        idempotency_key: Passed on, so a retry returns the same zaak.

    Returns:
        ``{"identificatie", "url"}`` of the zaak.
    """
    async with ZakenClient.from_settings() as client:
        zaak = await client.create_zaak(
            payload["omschrijving"],
            payload["zaaktype"],
            payload.get("toelichting") or "",
            bsn=payload.get("bsn"),
            idempotency_key=idempotency_key,
        )
    await _log_creation(payload.get("bsn"))
    return {"identificatie": zaak.identificatie, "url": zaak.url}


async def _log_creation(bsn: str | None) -> None:
    """Processing-log entry of a zaak creation (issue 13); a log failure never fails the delivery."""
    try:
        await alog_processing(
            "zaak aanmaken",
            "aanvraag of melding indienen",
            ["zaakgegevens", *(["burgerservicenummer"] if bsn else [])],
            "AVG art. 6 lid 1 sub e",
            resident_bsn=bsn or None,
            system="ZGW Zaken API",
        )
    except Exception:  # operators see this; the zaak itself exists
        logger.exception("processing log entry for a zaak creation could not be written")


@dataclass(frozen=True)
class Submission:
    """Outcome of :func:`submit_zaak`.

    Attributes:
        status: ``delivered`` (the zaak exists), ``pending`` (saved, the outbox sends it later) or
            ``failed`` (not even saved: tell the resident nothing was sent).
        identificatie: The zaak's identificatie when delivered.
    """

    status: str
    identificatie: str | None = None


def _enqueue(payload: dict[str, Any], key: str) -> int:
    with get_engine().begin() as conn:
        return outbox.enqueue(conn, ZAKEN_CREATE, payload, idempotency_key=key)


async def submit_zaak(payload: dict[str, Any], key: str) -> Submission:
    """Store the submission in the outbox and try to deliver it now.

    Args:
        payload: See :func:`deliver_zaak`.
        key: Idempotency key of this submission (same key -> same entry, same zaak).
    """
    try:
        entry_id = await run_db(_enqueue, payload, key)
    except Exception:  # the database itself failed: nothing was saved
        logger.exception("zaak submission could not be stored in the outbox")
        return Submission(FAILED)
    status = await outbox.deliver(entry_id)
    entry = await run_db(outbox.get_entry, entry_id) or {}
    if entry.get("status") == outbox.DELIVERED:
        return Submission(DELIVERED, (entry.get("result") or {}).get("identificatie"))
    if status == outbox.DEAD or entry.get("status") == outbox.DEAD:
        # The backend refused the data itself; the entry is kept (dead) for staff to look at.
        return Submission(FAILED)
    return Submission(PENDING)
