"""Making an appointment (actions/appointments.py), against the backend stand-in."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from actions.appointments import (
    ActionAppointmentSubmit,
    ActionAskApptConfirm,
    ActionAskApptSlot,
    ValidateAppointmentForm,
)
from actions.parsing.dates import is_working_day
from integrations.appointments import AppointmentsClient
from tests.actions.flows_support import (  # noqa: F401
    Conversation,
    backend_faults,
    backend_server,
    flow_backend,
)

pytestmark = pytest.mark.usefixtures("flow_backend")


def working_day(n: int) -> date:
    """The n-th working day after today (the stand-in has free slots on the next 30)."""
    day, found = date.today(), 0
    while found < n:
        day += timedelta(days=1)
        found += is_working_day(day)
    return day


def weekend_day() -> date:
    day = date.today() + timedelta(days=1)
    while day.weekday() < 5:
        day += timedelta(days=1)
    return day


def dutch(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def conversation(**slots: Any) -> Conversation:
    return Conversation(ValidateAppointmentForm(), slots={"requested_slot": "appt_product", **slots})


async def book(day: date, product: str = "rijbewijs", choice: str = "de laatste") -> Conversation:
    conv = conversation()
    await conv.say("", entities=[("product", product)])
    await conv.say(dutch(day))
    await conv.say(choice)
    await conv.say("Anna Voorbeeld")
    await conv.say("anna@example.org")
    await conv.say("ja", intent="affirm")
    await conv.run(ActionAppointmentSubmit())
    return conv


# ------------------------------------------------------------------ make
async def test_happy_path_books_an_appointment() -> None:
    day = working_day(3)
    conv = Conversation(ValidateAppointmentForm())
    await conv.say(
        "ik wil een afspraak maken voor een paspoort",
        intent="make_appointment",
        entities=[("product", "paspoort")],
    )
    assert conv.slots["appt_product"] == "paspoort"
    assert conv.requested == "appt_date"
    await conv.say(dutch(day))
    options = conv.slots["appt_options"]
    assert 1 <= len(options) <= 5
    assert conv.requested == "appt_slot"
    messages, _ = await conv.run(ActionAskApptSlot())
    assert [b["title"] for b in messages[0]["buttons"]] == [o["label"] for o in options]
    await conv.say(options[1]["label"])
    assert conv.slots["appt_slot"] == options[1]["id"]
    await conv.say("Anna de Vries")
    await conv.say("06 12345678")
    assert conv.slots["appt_contact"] == "+31612345678"
    messages, _ = await conv.run(ActionAskApptConfirm())
    assert messages[0]["response"] == "utter_ask_appt_confirm"
    assert messages[0]["time"] == options[1]["label"]
    await conv.say("ja", intent="affirm")
    assert conv.requested is None

    messages, _ = await conv.run(ActionAppointmentSubmit())
    assert [m["response"] for m in messages] == ["utter_appt_booked", "utter_appt_bring"]
    reference = conv.slots["appointment_reference"]
    async with AppointmentsClient.from_settings() as client:
        booking = await client.get(reference)
    assert (booking.status, booking.slot.id, booking.naam) == ("gepland", options[1]["id"], "Anna de Vries")
    assert conv.slots["appt_product"] is None


async def test_product_from_current_topic() -> None:
    conv = Conversation(ValidateAppointmentForm(), slots={"current_topic": "identiteitskaart"})
    await conv.say("ik wil een afspraak maken", intent="make_appointment")
    assert conv.slots["appt_product"] == "identiteitskaart"
    assert conv.requested == "appt_date"


async def test_product_typed_and_unknown_product() -> None:
    conv = conversation()
    assert await conv.say("voor trouwen", entities=[("product", "trouwen")]) == ["utter_appt_invalid_product"]
    await conv.say("een uittreksel graag")
    assert conv.slots["appt_product"] == "uittreksel-brp"


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("31 februari", "utter_appt_invalid_impossible_date"),
        ("ergens volgend jaar", "utter_appt_invalid_no_date"),
        (dutch(date.today() - timedelta(days=3)), "utter_appt_invalid_past"),
        (dutch(weekend_day()), "utter_appt_invalid_not_working_day"),
        (dutch(date.today() + timedelta(days=200)), "utter_appt_invalid_too_far"),
    ],
)
async def test_bad_days_are_explained(text: str, response: str) -> None:
    conv = conversation(appt_product="paspoort", requested_slot="appt_date")
    assert await conv.say(text) == [response]
    assert conv.requested == "appt_date"


async def test_day_without_free_slots() -> None:
    conv = conversation(appt_product="paspoort", requested_slot="appt_date")
    assert await conv.say(dutch(working_day(40))) == ["utter_appt_invalid_no_slots"]


async def test_several_answers_and_a_correction_of_the_day() -> None:
    first, second = working_day(4), working_day(5)
    conv = Conversation(ValidateAppointmentForm())
    await conv.say(
        f"afspraak voor mijn rijbewijs op {dutch(first)}",
        intent="make_appointment",
        entities=[("product", "rijbewijs")],
    )
    assert conv.slots["appt_date"] == first.isoformat()
    assert conv.requested == "appt_slot"
    assert await conv.say(f"nee, liever {dutch(second)}", intent="deny") == ["utter_form_answer_changed"]
    assert conv.slots["appt_date"] == second.isoformat()
    assert all(o["id"].startswith(f"rijbewijs-{second:%Y%m%d}") for o in conv.slots["appt_options"])
    assert conv.requested == "appt_slot"


async def test_side_question_then_three_wrong_times_offer_a_human() -> None:
    conv = conversation()
    await conv.say("", entities=[("product", "paspoort")])
    await conv.say(dutch(working_day(6)))
    assert await conv.say("hoe laat zijn jullie open?", intent="opening_hours") == []
    assert conv.requested == "appt_slot"
    assert await conv.say("maakt niet uit") == ["utter_appt_invalid_slot"]
    assert await conv.say("23:00") == ["utter_appt_invalid_slot"]
    assert await conv.say("geen idee") == ["utter_form_offer_human"]
    assert conv.requested is None
    messages, _ = await conv.run(ActionAppointmentSubmit())
    assert messages == []


async def test_system_down_while_choosing_a_day(backend_faults: Any) -> None:  # noqa: F811
    conv = conversation(appt_product="paspoort", requested_slot="appt_date")
    backend_faults("down@/afspraken")
    assert await conv.say(dutch(working_day(2))) == ["utter_appt_unavailable"]
    assert conv.slots["form_stopped"] is True
    assert conv.requested is None
    messages, _ = await conv.run(ActionAppointmentSubmit())
    assert messages == []
    assert conv.slots["form_stopped"] is None


async def test_system_down_when_booking_books_nothing(backend_faults: Any) -> None:  # noqa: F811
    conv = conversation()
    await conv.say("", entities=[("product", "paspoort")])
    await conv.say(dutch(working_day(7)))
    await conv.say("de eerste")
    slot_id = conv.slots["appt_slot"]
    await conv.say("Anna Voorbeeld")
    await conv.say("anna@example.org")
    await conv.say("ja", intent="affirm")
    backend_faults("down@/afspraken")
    messages, _ = await conv.run(ActionAppointmentSubmit())
    assert [m["response"] for m in messages] == ["utter_appt_failed"]
    assert conv.slots.get("appointment_reference") is None
    backend_faults("none")
    async with AppointmentsClient.from_settings() as client:
        free = await client.free_slots("paspoort", working_day(7))
    assert slot_id in {s.id for s in free}
