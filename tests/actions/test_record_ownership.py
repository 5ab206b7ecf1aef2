"""Issue 13, finding 1: a conversation acts only on the appointment whose contact detail it gave."""

from __future__ import annotations

import pytest

from actions.appointment_changes import (
    ActionAppointmentCancelSubmit,
    ActionAppointmentChangeSubmit,
    ValidateAppointmentCancelForm,
    ValidateAppointmentChangeForm,
)
from foundation.settings import get_settings
from integrations.appointments import AppointmentsClient
from tests.actions.flows_support import (  # noqa: F401
    Conversation,
    backend_server,
    flow_backend,
)
from tests.actions.test_appointments import book, working_day

pytestmark = pytest.mark.usefixtures("flow_backend")


async def book_for(contact: str, day_number: int) -> str:
    """Book directly in the stand-in for someone else; returns the reference."""
    day = working_day(day_number)
    async with AppointmentsClient.from_settings() as client:
        slot = (await client.free_slots("paspoort", day))[-1]
        booking = await client.book(slot.id, "paspoort", "Iemand Anders", contact)
    return booking.referentie


async def is_cancelled(reference: str) -> bool:
    async with AppointmentsClient.from_settings() as client:
        return (await client.get(reference)).cancelled


async def test_changing_the_reference_after_verification_resets_it() -> None:
    own = (await book(working_day(14))).slots["appointment_reference"]
    victim = await book_for("slachtoffer@example.org", 15)
    conv = Conversation(ValidateAppointmentCancelForm(), slots={"requested_slot": "appt_reference"})
    await conv.say(own)
    assert await conv.say("anna@example.org") == ["utter_appt_current"]
    assert conv.requested == "appt_confirm"
    # the attack: another number, typed as a correction of the earlier answer
    responses = await conv.say(
        f'/inform{{"appointment_reference": "{victim}"}}',
        entities=[("appointment_reference", victim)],
    )
    assert "utter_appt_current" not in responses
    assert conv.slots["appt_reference"] == victim
    assert conv.slots["appt_verify"] is None
    assert conv.slots.get("appt_current") is None
    assert conv.requested == "appt_verify"
    await conv.say("ja", intent="affirm")
    conv.slots.update(appt_verify="ok", appt_confirm="ja")  # even with the slots forged
    messages, _ = await conv.run(ActionAppointmentCancelSubmit())
    assert [m["response"] for m in messages] == ["utter_appt_not_verified"]
    assert not await is_cancelled(victim)
    assert not await is_cancelled(own)


async def test_submit_re_verifies_and_never_trusts_slots() -> None:
    victim = await book_for("slachtoffer@example.org", 16)
    for action, form in (
        (ActionAppointmentCancelSubmit(), ValidateAppointmentCancelForm()),
        (ActionAppointmentChangeSubmit(), ValidateAppointmentChangeForm()),
    ):
        conv = Conversation(
            form,
            slots={"appt_reference": victim, "appt_verify": "ok", "appt_confirm": "ja", "appt_slot": "x"},
        )
        messages, _ = await conv.run(action)
        assert [m["response"] for m in messages] == ["utter_appt_not_verified"]
    assert not await is_cancelled(victim)


async def test_verification_of_one_reference_does_not_cover_another() -> None:
    own = (await book(working_day(17))).slots["appointment_reference"]
    victim = await book_for("slachtoffer@example.org", 18)
    conv = Conversation(ValidateAppointmentCancelForm(), slots={"requested_slot": "appt_reference"})
    await conv.say(own)
    await conv.say("anna@example.org")
    conv.slots.update(appt_reference=victim, appt_confirm="ja")  # slot changed behind the form's back
    messages, _ = await conv.run(ActionAppointmentCancelSubmit())
    assert [m["response"] for m in messages] == ["utter_appt_not_verified"]
    assert not await is_cancelled(victim)
    assert not await is_cancelled(own)


async def test_failed_checks_are_limited_per_reference_over_conversations() -> None:
    victim = await book_for("slachtoffer@example.org", 19)
    limit = get_settings().verify_max_failures_per_reference
    for attempt in range(limit):
        conv = Conversation(ValidateAppointmentCancelForm(), slots={"requested_slot": "appt_reference"})
        await conv.say(victim)
        assert await conv.say(f"gok{attempt}@example.org") == ["utter_appt_invalid_verify_mismatch"]
    fresh = Conversation(ValidateAppointmentCancelForm(), slots={"requested_slot": "appt_reference"})
    await fresh.say(victim)
    # even the right answer is not checked any more: the guesser learns nothing
    assert await fresh.say("slachtoffer@example.org") == ["utter_appt_verify_blocked"]
    assert fresh.slots.get("appt_current") is None
    assert fresh.slots["appt_verify"] is None


async def test_failed_checks_are_limited_per_conversation_over_references() -> None:
    references = [await book_for(f"iemand{n}@example.org", 20 + n % 3) for n in range(6)]
    limit = get_settings().verify_max_failures_per_conversation
    conv = Conversation(ValidateAppointmentCancelForm(), slots={"requested_slot": "appt_reference"})
    for reference in references[:limit]:
        conv.slots.update(requested_slot="appt_reference", appt_reference=None, appt_verify=None)
        conv.slots.update(form_invalid_count=None, form_invalid_slot=None)
        await conv.say(reference)
        await conv.say("gok@example.org")
    conv.slots.update(requested_slot="appt_reference", appt_reference=None, appt_verify=None)
    await conv.say(references[limit])
    assert await conv.say(f"iemand{limit}@example.org") == ["utter_appt_verify_blocked"]
