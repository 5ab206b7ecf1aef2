"""Contact details survive between turns in the running assistant (masking tracker store).

The tracker store masks phone numbers and e-mail addresses before it writes, and Rasa reads the
tracker back at every message. Flows that need a contact detail in a later turn (a booking's
confirmation address, a call-back number) only work when the store keeps those slots; these tests
go through the REST channel and read what reached the backend stand-in and the ticket database.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import httpx
import pytest
import sqlalchemy as sa

from actions.parsing.dates import is_working_day
from foundation.settings import Settings

pytestmark = pytest.mark.model


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def working_day(n: int) -> date:
    day, found = date.today(), 0
    while found < n:
        day += timedelta(days=1)
        found += is_working_day(day)
    return day


def booking(assistant: dict[str, str], reference: str) -> dict:
    response = httpx.get(
        f"{assistant['backend']}/afspraken/api/v1/afspraken/{reference}",
        headers={"X-API-KEY": Settings().appointments_api_key},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def test_booking_keeps_the_real_email_and_cancelling_needs_it(say, assistant) -> None:
    sender = uuid.uuid4().hex
    say("hallo", sender)
    say("ik wil een afspraak maken voor een paspoort", sender)
    times = say(working_day(6).strftime("%d-%m-%Y"), sender)
    assert any(m.get("buttons") for m in times), times
    say("de eerste", sender)
    say("Anna Voorbeeld", sender)
    summary = texts(say("anna.e2e@example.org", sender))
    assert "anna.e2e@example.org" in summary, summary
    done = texts(say("/affirm", sender))
    found = re.search(r"A-\d{4}-\d{5}", done)
    assert found, done
    reference = found.group(0)
    assert booking(assistant, reference)["email"] == "anna.e2e@example.org"

    other = uuid.uuid4().hex
    say("hallo", other)
    asked = texts(say(f"ik wil mijn afspraak {reference} afzeggen", other))
    assert "paspoort" not in asked.lower()  # nothing about the appointment yet
    wrong = texts(say("iemand@anders.nl", other))
    assert reference in wrong and "paspoort" not in wrong.lower(), wrong
    shown = texts(say("anna.e2e@example.org", other))
    assert reference in shown, shown
    say("/affirm", other)
    assert booking(assistant, reference)["status"] == "geannuleerd"


def test_call_back_ticket_gets_the_real_phone_number(say, assistant) -> None:
    sender = uuid.uuid4().hex
    say("hallo", sender)
    say("ik wil een medewerker spreken", sender)
    say('/inform{"contact_preference": "telefoon"}', sender)
    say("06 12345678", sender)
    say("Mijn grofvuil is twee keer niet opgehaald, wat nu?", sender)
    done = texts(say("/affirm", sender))
    found = re.search(r"T-\d{4}-\d{6}", done)
    assert found, done
    engine = sa.create_engine(assistant["database_url"])
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.text("SELECT contact_preference, contact_value FROM handoff_tickets WHERE reference = :r"),
                {"r": found.group(0)},
            ).one()
    finally:
        engine.dispose()
    assert row.contact_value == "+31612345678", row
