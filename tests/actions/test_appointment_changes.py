"""Moving and cancelling an appointment (actions/appointment_changes.py), against the backend stand-in."""

from __future__ import annotations

import pytest

from actions.appointment_changes import (
    ActionAppointmentCancelSubmit,
    ActionAppointmentChangeSubmit,
    ValidateAppointmentCancelForm,
    ValidateAppointmentChangeForm,
)
from actions.appointments import ActionAppointmentSubmit, ActionAskApptConfirm
from integrations.appointments import AppointmentsClient
from tests.actions.flows_support import (  # noqa: F401
    Conversation,
    backend_server,
    flow_backend,
)
from tests.actions.test_appointments import book, conversation, dutch, working_day

pytestmark = pytest.mark.usefixtures("flow_backend")


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
    assert await conv.say("06 12345678") == ["utter_form_offer_human"]  # third wrong answer in a row
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
