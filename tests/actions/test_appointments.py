"""Appointments (actions/appointments.py): make, move and cancel, against the backend stand-in."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from actions.appointments import (
    ActionAppointmentCancelSubmit,
    ActionAppointmentChangeSubmit,
    ActionAppointmentSubmit,
    ActionAskApptConfirm,
    ActionAskApptSlot,
    ValidateAppointmentCancelForm,
    ValidateAppointmentChangeForm,
    ValidateAppointmentForm,
    normalise_reference,
    parse_slot_choice,
    parse_time,
)
from actions.clients.appointments import AppointmentsClient
from actions.dates import is_working_day
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


# ------------------------------------------------------------------ parsing
@pytest.mark.parametrize(
    ("text", "expected"),
    [("9:30", "09:30"), ("10.30", "10:30"), ("om 11 uur", "11:00"), ("half 3", "14:30"), ("2 uur", "14:00")],
)
def test_parse_time(text: str, expected: str) -> None:
    assert parse_time(text) == expected


def test_parse_slot_choice_and_reference() -> None:
    assert parse_slot_choice("de tweede", True) == "#1"
    assert parse_slot_choice("3", True) == "#2"
    assert parse_slot_choice("maakt niet uit", True) == {"invalid": "slot"}
    assert parse_slot_choice("15.03.2026", False) is None
    assert normalise_reference("ik wil a202600012 verzetten") == "A-2026-00012"


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
    assert await conv.say(f"nee, liever {dutch(second)}", intent="deny") == ["utter_permit_answer_changed"]
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
    assert await conv.say("geen idee") == ["utter_flow_offer_human"]
    assert conv.requested is None
    messages, _ = await conv.run(ActionAppointmentSubmit())
    assert messages == []


async def test_system_down_while_choosing_a_day(backend_faults: Any) -> None:  # noqa: F811
    conv = conversation(appt_product="paspoort", requested_slot="appt_date")
    backend_faults("down@/afspraken")
    assert await conv.say(dutch(working_day(2))) == ["utter_appt_unavailable"]
    assert conv.slots["flow_stopped"] is True
    assert conv.requested is None
    messages, _ = await conv.run(ActionAppointmentSubmit())
    assert messages == []
    assert conv.slots["flow_stopped"] is None


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


# ------------------------------------------------------------------ move and cancel
async def test_move_an_appointment() -> None:
    booked = await book(working_day(8))
    reference = booked.slots["appointment_reference"]
    new_day = working_day(9)
    conv = Conversation(ValidateAppointmentChangeForm())
    responses = await conv.say(
        f"ik wil mijn afspraak {reference} verzetten",
        intent="change_appointment",
        entities=[("appointment_reference", reference)],
    )
    assert responses == []  # nothing about the appointment before the contact details match
    assert conv.requested == "appt_verify"
    assert await conv.say("Anna@Example.org") == ["utter_appt_current"]
    assert conv.slots["appt_verify"] == "ok"
    assert conv.slots["appt_product"] == "rijbewijs"
    assert conv.requested == "appt_date"
    await conv.say(dutch(new_day))
    await conv.say("de eerste")
    messages, _ = await conv.run(ActionAskApptConfirm())
    assert messages[0]["response"] == "utter_ask_appt_confirm_change"
    await conv.say("ja", intent="affirm")
    messages, _ = await conv.run(ActionAppointmentChangeSubmit())
    assert [m["response"] for m in messages] == ["utter_appt_changed"]
    async with AppointmentsClient.from_settings() as client:
        booking = await client.get(reference)
    assert booking.slot.begin.date() == new_day


async def test_cancel_an_appointment() -> None:
    booked = await book(working_day(10))
    reference = booked.slots["appointment_reference"]
    conv = Conversation(ValidateAppointmentCancelForm(), slots={"requested_slot": "appt_reference"})
    await conv.say(reference.replace("-", "").lower())
    assert conv.requested == "appt_verify"
    assert await conv.say("mijn mail is anna@example.org") == ["utter_appt_current"]
    assert conv.requested == "appt_confirm"
    messages, _ = await conv.run(ActionAskApptConfirm())
    assert messages[0]["response"] == "utter_ask_appt_confirm_cancel"
    await conv.say("ja", intent="affirm")
    messages, _ = await conv.run(ActionAppointmentCancelSubmit())
    assert [m["response"] for m in messages] == ["utter_appt_cancelled_done"]
    async with AppointmentsClient.from_settings() as client:
        assert (await client.get(reference)).cancelled
    again = Conversation(ValidateAppointmentCancelForm(), slots={"requested_slot": "appt_reference"})
    assert await again.say(reference) == []
    assert await again.say("anna@example.org") == ["utter_appt_already_cancelled"]


async def test_unknown_reference() -> None:
    conv = Conversation(ValidateAppointmentCancelForm(), slots={"requested_slot": "appt_reference"})
    assert await conv.say("A-2026-99999") == ["utter_appt_invalid_not_found"]
    assert await conv.say("mijn afspraak") == ["utter_appt_invalid_reference"]
    assert conv.requested == "appt_reference"


async def test_cancel_denied_changes_nothing() -> None:
    booked = await book(working_day(11))
    reference = booked.slots["appointment_reference"]
    conv = Conversation(ValidateAppointmentCancelForm(), slots={"requested_slot": "appt_reference"})
    await conv.say(reference)
    await conv.say("anna@example.org")
    await conv.say("nee", intent="deny")
    messages, _ = await conv.run(ActionAppointmentCancelSubmit())
    assert [m["response"] for m in messages] == ["utter_appt_nothing_done"]
    async with AppointmentsClient.from_settings() as client:
        assert not (await client.get(reference)).cancelled


async def test_wrong_contact_details_show_and_change_nothing() -> None:
    booked = await book(working_day(12))
    reference = booked.slots["appointment_reference"]
    conv = Conversation(ValidateAppointmentCancelForm(), slots={"requested_slot": "appt_reference"})
    await conv.say(reference)
    assert await conv.say("iemand@anders.nl") == ["utter_appt_invalid_verify_mismatch"]
    assert await conv.say("geen idee") == ["utter_appt_invalid_verify"]
    assert conv.requested == "appt_verify"
    assert conv.slots.get("appt_current") is None
    assert await conv.say("06 12345678") == ["utter_flow_offer_human"]  # third wrong answer in a row
    assert conv.slots["appt_verify"] is None
    async with AppointmentsClient.from_settings() as client:
        assert not (await client.get(reference)).cancelled


async def test_phone_number_verifies_in_any_notation() -> None:
    day = working_day(13)
    conv = conversation()
    await conv.say("", entities=[("product", "paspoort")])
    await conv.say(dutch(day))
    await conv.say("de eerste")
    await conv.say("Bram Voorbeeld")
    await conv.say("06-12345678")
    await conv.say("ja", intent="affirm")
    await conv.run(ActionAppointmentSubmit())
    reference = conv.slots["appointment_reference"]
    change = Conversation(ValidateAppointmentChangeForm())
    responses = await change.say(
        f"afspraak {reference} verzetten, mijn nummer is +31 6 1234 5678",
        intent="change_appointment",
        entities=[("appointment_reference", reference)],
    )
    assert responses == ["utter_appt_current"]
    assert change.requested == "appt_date"


async def test_unknown_reference_with_contact_details_asks_only_for_the_number() -> None:
    conv = Conversation(ValidateAppointmentCancelForm(), slots={"requested_slot": "appt_reference"})
    assert await conv.say("A-2026-99999, anna@example.org") == ["utter_appt_invalid_not_found"]
    assert conv.requested == "appt_reference"
