"""Employee side of the handoff: list open tickets and answer them.

    python -m app.employee list
    python -m app.employee show T-2026-000123
    python -m app.employee answer T-2026-000123 "Uw aanvraag is in behandeling."

One municipality's employees see and answer only their municipality's tickets (issue 18): every
function takes ``municipality`` (``app.employee --gemeente``); a ticket of another municipality is
"not found".

Answering stores the answer (status ``answered``) and, in the same transaction, two outbox entries:
``klantinteracties.complete_task`` (mark the internetaak ``verwerkt``) and ``rasa.deliver_reply``
(trigger the external intent ``human_reply`` in the resident's own conversation through Rasa's HTTP
API, ``POST /conversations/{sender_id}/trigger_intent?output_channel=latest``). Both are tried at
once; what fails stays pending and the outbox worker retries it.

The reply counts as delivered only when Rasa's answer shows it: the conversation already had a
message from the resident, the assistant said the answer after the triggered intent, and Rasa sent
it through the conversation's own channel (``output_channel=latest`` found a channel that can send
by itself, e.g. socket.io or WhatsApp; otherwise Rasa collects the messages into its HTTP answer,
where nobody reads them). Anything else is a permanent failure (retrying would say the answer
twice) with the reason in the outbox entry. Whether a web chat tab was open at that moment is not
known (socket.io emits have no receipt); a closed tab shows the answer from the stored history.

Rasa authentication: ``RASA_TOKEN`` (``?token=``) and/or ``RASA_JWT_SECRET`` (``Authorization:
Bearer`` HS256 JWT with ``{"user": {"username": "employee-tool", "role": "admin"}}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa

from actions import tickets, whatsapp_reply
from foundation import clock, outbox
from foundation.db import get_engine, run_db
from foundation.municipality import get_deployment
from foundation.settings import Settings, get_settings
from integrations import rasa_api
from integrations.errors import BackendUnavailable
from integrations.klantinteracties import KlantinteractiesClient

COMPLETE_KIND = "klantinteracties.complete_task"
REPLY_KIND = "rasa.deliver_reply"
REPLY_INTENT = "human_reply"
JWT_USERNAME = "employee-tool"
ANSWER_MAX = 4000


class TicketError(Exception):
    """The ticket does not exist or cannot be answered (message is for the employee)."""


@dataclass(frozen=True)
class AnswerResult:
    """What happened when a ticket was answered."""

    reference: str
    task_status: str
    reply_status: str
    #: Why the reply was not delivered (the outbox entry's last error), when it was not.
    reply_error: str | None = None


# ---------------------------------------------------------------------------- Rasa HTTP API
def make_rasa_http(settings: Settings) -> httpx.AsyncClient:
    """The HTTP client for Rasa (tests replace this to inject an ``httpx.MockTransport``)."""
    return rasa_api.make_rasa_http(settings)


async def trigger_human_reply(sender_id: str, reference: str, settings: Settings | None = None) -> None:
    """Trigger ``human_reply`` in conversation ``sender_id``.

    Raises:
        BackendUnavailable: Rasa is unreachable or answered 5xx/401/403/404 (retry later).
        outbox.PermanentDeliveryError: Rasa rejected the request (400/422), the id cannot be
            addressed, or Rasa's answer shows the reply did not reach the resident
            (:func:`undelivered_reason`).
    """
    s = settings or get_settings()
    body = {"name": REPLY_INTENT, "entities": {"ticket_reference": reference}}
    try:
        async with make_rasa_http(s) as http:
            response = await rasa_api.trigger_intent(http, s, JWT_USERNAME, sender_id, body)
    except rasa_api.UnaddressableConversation as exc:
        raise outbox.PermanentDeliveryError(str(exc)) from exc
    except httpx.HTTPError as exc:
        raise BackendUnavailable("rasa", f"transport error: {type(exc).__name__}") from exc
    if response.status_code in (400, 422):
        raise outbox.PermanentDeliveryError(f"rasa rejected trigger_intent: {response.status_code}")
    if response.status_code >= 300:
        raise BackendUnavailable("rasa", f"trigger_intent -> {response.status_code}", response.status_code)
    try:
        answer = response.json()
    except ValueError:
        answer = None
    reason = undelivered_reason(answer if isinstance(answer, dict) else {})
    if reason:
        raise outbox.PermanentDeliveryError(f"not delivered: {reason}")


def _intent(event: dict[str, Any]) -> str | None:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def undelivered_reason(answer: dict[str, Any]) -> str | None:
    """Why Rasa's ``trigger_intent`` answer shows the reply did not reach the resident, else None.

    Args:
        answer: The JSON body of ``POST /conversations/{id}/trigger_intent?output_channel=latest``
            (``tracker``: the conversation state after the turn; ``messages``: present only when
            Rasa collected the messages instead of sending them through a channel).
    """
    tracker = answer.get("tracker") if isinstance(answer.get("tracker"), dict) else {}
    events = [e for e in tracker.get("events") or [] if isinstance(e, dict)]
    triggered = [i for i, e in enumerate(events) if e.get("event") == "user" and _intent(e) == REPLY_INTENT]
    if not triggered:
        return "the triggered intent is not in the conversation"
    at = triggered[-1]
    if not any(e.get("event") == "user" and _intent(e) != REPLY_INTENT for e in events[:at]):
        return "the conversation is unknown to Rasa (no earlier message from the resident)"
    if not any(e.get("event") == "bot" for e in events[at + 1 :]):
        return "the assistant did not say the answer (unknown, foreign or unanswered ticket)"
    if "messages" in answer:
        channel = tracker.get("latest_input_channel")
        return f"Rasa found no channel that can send by itself (latest input channel: {channel})"
    return None


# ---------------------------------------------------------------------------- outbox handlers
async def deliver_reply(payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    """Deliver a stored answer into the resident's conversation (WhatsApp outside 24 h: a template)."""
    reference = payload["ticket_reference"]
    ticket = await run_db(tickets.get_ticket, reference)
    if ticket is not None and await whatsapp_reply.needs_template(ticket.channel, payload["sender_id"]):
        await whatsapp_reply.send_reply_template(payload["sender_id"], reference)
    else:
        await trigger_human_reply(payload["sender_id"], reference)
    await run_db(lambda: tickets.update_ticket(reference, answer_delivered_at=clock.utcnow()))
    return {"delivered": reference}


async def complete_task(payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    """Mark the ticket's internetaak ``verwerkt`` (waits until the handoff itself is registered)."""
    ticket = await run_db(tickets.get_ticket, payload["ticket_reference"])
    if ticket is None:
        raise outbox.PermanentDeliveryError(f"unknown ticket {payload['ticket_reference']}")
    if not ticket.internetaak_uuid:
        raise RuntimeError("the handoff is not registered in Klantinteracties yet")
    async with KlantinteractiesClient.from_settings() as client:
        task = await client.complete_internetaak(ticket.internetaak_uuid)
    return {"internetaak": task.uuid, "status": task.status}


# ---------------------------------------------------------------------------- answering
def _store_answer(reference: str, answer: str, municipality: str | None = None) -> tuple[int, int]:
    with get_engine().begin() as conn:
        table = tickets.handoff_tickets
        query = tickets.of_municipality(table.select().where(table.c.reference == reference), municipality)
        row = conn.execute(query).mappings().first()
        if row is None:
            raise TicketError(f"ticket {reference} not found")
        if row["status"] != tickets.OPEN:
            raise TicketError(f"ticket {reference} is {row['status']}, not open")
        conn.execute(
            table.update()
            .where(table.c.reference == reference, table.c.status == tickets.OPEN)
            .values(answer=answer, answered_at=clock.utcnow(), status=tickets.ANSWERED)
        )
        payload = {
            "ticket_reference": reference,
            "sender_id": row["sender_id"],
            "municipality": row["municipality"] or get_deployment().default,
        }
        task_id = outbox.enqueue(conn, COMPLETE_KIND, payload, idempotency_key=f"complete:{reference}")
        reply_id = outbox.enqueue(conn, REPLY_KIND, payload, idempotency_key=f"reply:{reference}")
    return task_id, reply_id


async def answer_ticket(reference: str, answer: str, municipality: str | None = None) -> AnswerResult:
    """Store the answer and deliver it (Klantinteracties task + the resident's conversation).

    With ``municipality``, only a ticket of that municipality can be answered.

    Raises:
        TicketError: Unknown ticket, not open, or an empty answer.
    """
    text = answer.strip()
    if not text:
        raise TicketError("the answer is empty")
    task_id, reply_id = await run_db(_store_answer, reference, text[:ANSWER_MAX], municipality)
    task_status = await outbox.deliver(task_id)
    reply_status = await outbox.deliver(reply_id)
    reply_error = None
    if reply_status != outbox.DELIVERED:
        entry = await run_db(outbox.get_entry, reply_id)
        reply_error = (entry or {}).get("last_error")
    return AnswerResult(reference, task_status, reply_status, reply_error)


def close_ticket(reference: str, municipality: str | None = None) -> None:
    """Mark a ticket closed (of ``municipality`` only, when given)."""
    with get_engine().begin() as conn:
        table = tickets.handoff_tickets
        query = tickets.of_municipality(table.update().where(table.c.reference == reference), municipality)
        done = conn.execute(query.values(status=tickets.CLOSED))
        if done.rowcount != 1:
            raise TicketError(f"ticket {reference} not found")


def open_count(municipality: str | None = None) -> int:
    """Number of open tickets (of ``municipality``, when given)."""
    with get_engine().connect() as conn:
        table = tickets.handoff_tickets
        query = sa.select(sa.func.count()).select_from(table).where(table.c.status == tickets.OPEN)
        return int(conn.execute(tickets.of_municipality(query, municipality)).scalar() or 0)
