"""The employee tool: ``python -m app.employee [--gemeente X] list|show|answer|close``.

See ``actions/employee.py``. Issue 18: one municipality's employees see and answer only their
municipality's tickets: ``--gemeente`` (or ``EMPLOYEE_MUNICIPALITY``; default: the default
municipality) limits every command; a ticket of another municipality is "not found".
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from actions import employee, tickets
from app import registry
from foundation import outbox
from foundation.municipality import get_deployment
from foundation.settings import get_settings


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
    parser = argparse.ArgumentParser(prog="python -m app.employee", description="Handoff tickets")
    parser.add_argument(
        "--gemeente",
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
    registry.register()
    deployment = get_deployment()
    mine = args.gemeente or get_settings().employee_municipality or deployment.default
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
                raise employee.TicketError(f"ticket {args.reference} not found")
            _print_ticket(ticket, full=True)
        elif args.command == "answer":
            result = asyncio.run(employee.answer_ticket(args.reference, args.text, municipality=mine))
            print(f"{result.reference}: answer stored")
            print(f"  Klantinteracties task: {result.task_status}")
            print(f"  delivery into the conversation: {result.reply_status}")
            if result.reply_status == outbox.DEAD:
                print(f"  the answer was NOT delivered to the resident: {result.reply_error}")
                print("  contact the resident another way (phone, e-mail or letter)")
            if outbox.PENDING in (result.task_status, result.reply_status):
                print("  (pending parts are retried by the outbox worker: python -m foundation.outbox)")
        else:
            employee.close_ticket(args.reference, municipality=mine)
            print(f"{args.reference}: closed")
    except employee.TicketError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
