"""Employee side of the handoff: list open tickets and answer them.

    python -m actions.employee [--gemeente proefdorp] list
    python -m actions.employee [--gemeente proefdorp] show T-2026-000123
    python -m actions.employee [--gemeente proefdorp] answer T-2026-000123 "Uw aanvraag is in behandeling."

One municipality's employees see and answer only their municipality's tickets (issue 18):
``--gemeente`` (or ``EMPLOYEE_MUNICIPALITY``; default: the default municipality) limits every
command; a ticket of another municipality is "not found".

Answering stores the answer (status ``answered``) and, in the same transaction, two outbox entries:
``klantinteracties.complete_task`` (mark the internetaak ``verwerkt``) and ``rasa.deliver_reply``
(trigger the external intent ``human_reply`` in the resident's own conversation through Rasa's HTTP
API, ``POST /conversations/{sender_id}/trigger_intent?output_channel=latest``). Both are tried at
once; what fails stays pending and the outbox worker retries it.

Rasa authentication: ``RASA_TOKEN`` (``?token=``) and/or ``RASA_JWT_SECRET`` (``Authorization:
Bearer`` HS256 JWT with ``{"user": {"username": "employee-tool", "role": "admin"}}``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import jwt
import sqlalchemy as sa

from actions import outbox, tickets
from actions.clients.errors import BackendUnavailable
from actions.config import Settings, get_settings
from actions.db import get_engine, run_db
from actions.municipality import get_deployment

COMPLETE_KIND = "klantinteracties.complete_task"
REPLY_KIND = "rasa.deliver_reply"
REPLY_INTENT = "human_reply"
JWT_USER = {"username": "employee-tool", "role": "admin"}
JWT_LIFETIME_SECONDS = 300
ANSWER_MAX = 4000


class TicketError(Exception):
    """The ticket does not exist or cannot be answered (message is for the employee)."""


@dataclass(frozen=True)
class AnswerResult:
    """What happened when a ticket was answered."""

    reference: str
    task_status: str
    reply_status: str


# ---------------------------------------------------------------------------- Rasa HTTP API
def rasa_auth(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """Query parameters and headers that authenticate the employee tool to Rasa."""
    params: dict[str, str] = {}
    headers: dict[str, str] = {}
    if settings.rasa_token:
        params["token"] = settings.rasa_token
    if settings.rasa_jwt_secret:
        now = int(time.time())
        token = jwt.encode(
            {"user": JWT_USER, "iat": now, "exp": now + JWT_LIFETIME_SECONDS},
            settings.rasa_jwt_secret,
            algorithm="HS256",
        )
        headers["Authorization"] = f"Bearer {token}"
    return params, headers


def make_rasa_http(settings: Settings) -> httpx.AsyncClient:
    """The HTTP client for Rasa (tests replace this to inject an ``httpx.MockTransport``)."""
    return httpx.AsyncClient(base_url=settings.rasa_url.rstrip("/"), timeout=settings.backend_timeout)


async def trigger_human_reply(sender_id: str, reference: str, settings: Settings | None = None) -> None:
    """Trigger ``human_reply`` in conversation ``sender_id``.

    Raises:
        BackendUnavailable: Rasa is unreachable or answered 5xx/401/403/404 (retry later).
        outbox.PermanentDeliveryError: Rasa rejected the request (400/422).
    """
    s = settings or get_settings()
    params, headers = rasa_auth(s)
    params["output_channel"] = "latest"
    body = {"name": REPLY_INTENT, "entities": {"ticket_reference": reference}}
    url = f"/conversations/{quote(sender_id, safe='')}/trigger_intent"
    try:
        async with make_rasa_http(s) as http:
            response = await http.post(url, params=params, headers=headers, json=body)
    except httpx.HTTPError as exc:
        raise BackendUnavailable("rasa", f"transport error: {type(exc).__name__}") from exc
    if response.status_code in (400, 422):
        raise outbox.PermanentDeliveryError(f"rasa rejected trigger_intent: {response.status_code}")
    if response.status_code >= 300:
        raise BackendUnavailable("rasa", f"trigger_intent -> {response.status_code}", response.status_code)


# ---------------------------------------------------------------------------- outbox handlers
@outbox.register_handler(REPLY_KIND)
async def deliver_reply(payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    """Deliver a stored answer into the resident's conversation."""
    reference = payload["ticket_reference"]
    await trigger_human_reply(payload["sender_id"], reference)
    await run_db(lambda: tickets.update_ticket(reference, answer_delivered_at=outbox.utcnow()))
    return {"delivered": reference}


@outbox.register_handler(COMPLETE_KIND)
async def complete_task(payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    """Mark the ticket's internetaak ``verwerkt`` (waits until the handoff itself is registered)."""
    from actions.clients.klantinteracties import KlantinteractiesClient

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
            .values(answer=answer, answered_at=outbox.utcnow(), status=tickets.ANSWERED)
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
    return AnswerResult(reference, task_status, reply_status)


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


# ---------------------------------------------------------------------------- CLI
def _print_ticket(ticket: tickets.Ticket, full: bool = False) -> None:
    contact = f"{ticket.contact_preference} {ticket.contact_value or ''}".strip()
    created = f"{ticket.created_at:%Y-%m-%d %H:%M}"
    print(f"{ticket.reference}  {created}  {ticket.status:<8}  {contact}  {ticket.topic or '-'}")
    print(f"    vraag: {ticket.summary}")
    if full:
        for message in ticket.transcript:
            print(f"    {message['from']:>9}: {message['text']}")
        if ticket.answer:
            print(f"    antwoord: {ticket.answer}")


def main(argv: list[str] | None = None) -> int:
    """Command line of the employee tool."""
    parser = argparse.ArgumentParser(prog="python -m actions.employee", description="Handoff tickets")
    parser.add_argument(
        "--gemeente",
        default=os.environ.get("EMPLOYEE_MUNICIPALITY") or None,
        help="municipality whose tickets you handle (default: EMPLOYEE_MUNICIPALITY or the default one)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="open tickets")
    show = sub.add_parser("show", help="one ticket with its transcript")
    show.add_argument("reference")
    answer = sub.add_parser("answer", help="answer a ticket (delivered into the resident's chat)")
    answer.add_argument("reference")
    answer.add_argument("text")
    close = sub.add_parser("close", help="close a ticket")
    close.add_argument("reference")
    args = parser.parse_args(argv)
    deployment = get_deployment()
    mine = args.gemeente or deployment.default
    if not deployment.knows(mine):
        parser.print_usage(sys.stderr)
        print(f"error: unknown municipality {mine!r} (known: {', '.join(deployment.names)})", file=sys.stderr)
        return 2
    try:
        if args.command == "list":
            open_tickets = tickets.list_tickets(tickets.OPEN, municipality=mine)
            for ticket in open_tickets:
                _print_ticket(ticket)
            print(f"{len(open_tickets)} open ticket(s)")
        elif args.command == "show":
            ticket = tickets.get_ticket(args.reference, municipality=mine)
            if ticket is None:
                raise TicketError(f"ticket {args.reference} not found")
            _print_ticket(ticket, full=True)
        elif args.command == "answer":
            result = asyncio.run(answer_ticket(args.reference, args.text, municipality=mine))
            print(f"{result.reference}: answer stored")
            print(f"  Klantinteracties task: {result.task_status}")
            print(f"  delivery into the conversation: {result.reply_status}")
            if outbox.PENDING in (result.task_status, result.reply_status):
                print("  (pending parts are retried by the outbox worker: python -m actions.outbox)")
        else:
            close_ticket(args.reference, municipality=mine)
            print(f"{args.reference}: closed")
    except TicketError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
