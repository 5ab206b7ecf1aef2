"""Moving (``appointment_change_form``) and cancelling (``appointment_cancel_form``) an appointment.

Reference numbers follow each other (``A-2026-00012``), so a number alone proves nothing: the
resident also gives the e-mail address or phone number used when booking (``appt_verify``). Only
when it matches does the assistant show the appointment and offer to move or cancel it; three
wrong answers in a row end the form with the offer of a human. The contact details are compared
and dropped: ``appt_verify`` only holds :data:`VERIFIED`.

Ownership (issue 13): the check is stored server-side for this conversation and *this* reference
(:mod:`actions.verification`); any other reference typed later resets the check, the submit actions
ask the store again (a slot proves nothing), and failed checks are limited per reference and per
conversation.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.appointments import (
    ALL_SLOTS,
    CANCEL_SLOTS,
    CHANGE_SLOTS,
    VERIFIED,
    AppointmentSubmit,
    AppointmentValidation,
    booking_values,
    contact_values,
    product_name,
)
from actions.forms import is_invalid, reset_events
from actions.parsing import find_phone
from actions.verification import is_blocked, is_verified, record_attempt
from integrations.appointments import AppointmentsClient, Booking
from integrations.errors import BackendError, BackendNotFound

logger = logging.getLogger(__name__)

#: Record kind of appointments in :mod:`actions.verification`.
KIND = "appointment"
#: Slots that describe the verified appointment; they go when the reference changes.
VERIFIED_SLOTS = ("appt_verify", "appt_current", "appt_product", "appt_date", "appt_slot", "appt_options")


def contact_matches(booking: Booking, value: str) -> bool:
    """Whether ``value`` (as parsed: lower-case e-mail or ``+31`` phone) is the booking's contact."""
    known = {booking.email.strip().lower()} if booking.email else set()
    phone = find_phone(booking.telefoon) if booking.telefoon else None
    if phone:
        known.add(phone)
    return value.strip().lower() in known


class ExistingAppointmentValidation(AppointmentValidation):
    """Validation of the forms about an existing appointment: its reference and the booker's contact."""

    async def validate_appt_reference(self, value: Any, dispatcher, tracker, domain) -> dict:
        if is_invalid(value) or not isinstance(value, str):
            return self.reject("appt_reference", "reference", dispatcher, tracker)
        try:
            async with AppointmentsClient.from_settings() as client:
                await client.get(value)
        except BackendNotFound:
            return self.reject("appt_reference", "not_found", dispatcher, tracker, reference=value)
        except BackendError:
            return self.stop("appt_reference", "utter_appt_unavailable", dispatcher, **contact_values())
        result = self.accept("appt_reference", value, tracker)
        if not await is_verified(tracker.sender_id, KIND, value):
            # a reference this conversation has not verified (e.g. another number typed after the
            # check): nothing verified or chosen for an earlier one carries over
            given_now = tracker.slots_to_validate()
            result |= {slot: None for slot in (*VERIFIED_SLOTS, "appt_confirm") if slot not in given_now}
        return result

    async def validate_appt_verify(self, value: Any, dispatcher, tracker, domain) -> dict:
        """Check the e-mail address or phone number against the booking; only then show it."""
        reference = tracker.get_slot("appt_reference")
        if not reference:  # the reference in the same message was not accepted: ask that first
            return {"appt_verify": None}
        if is_invalid(value) or not isinstance(value, str):
            return self.reject("appt_verify", "verify", dispatcher, tracker)
        if await is_blocked(tracker.sender_id, KIND, reference):
            return self.stop("appt_verify", "utter_appt_verify_blocked", dispatcher, **contact_values())
        try:
            async with AppointmentsClient.from_settings() as client:
                booking = await client.get(reference)
        except BackendError:
            return self.stop("appt_verify", "utter_appt_unavailable", dispatcher, **contact_values())
        if not contact_matches(booking, value):
            await record_attempt(tracker.sender_id, KIND, reference, success=False)
            return self.reject("appt_verify", "verify_mismatch", dispatcher, tracker, reference=reference)
        await record_attempt(tracker.sender_id, KIND, reference, success=True)
        if booking.cancelled:
            return self.stop("appt_verify", "utter_appt_already_cancelled", dispatcher, reference=reference)
        current = booking_values(booking, await product_name(booking.product))
        dispatcher.utter_message(response="utter_appt_current", reference=reference, **current)
        return self.accept("appt_verify", VERIFIED, tracker) | {
            "appt_product": booking.product,
            "appt_current": current,
        }


class ValidateAppointmentChangeForm(ExistingAppointmentValidation):
    """Validates ``appointment_change_form``."""

    slots = CHANGE_SLOTS
    trigger_intents = frozenset({"change_appointment"})

    def name(self) -> str:
        return "validate_appointment_change_form"


class ValidateAppointmentCancelForm(ExistingAppointmentValidation):
    """Validates ``appointment_cancel_form``."""

    slots = CANCEL_SLOTS
    trigger_intents = frozenset({"cancel_appointment"})
    confirm_slot = None  # "Wilt u deze afspraak annuleren?" is a decision: "nee" changes nothing

    def name(self) -> str:
        return "validate_appointment_cancel_form"


class ExistingAppointmentSubmit(AppointmentSubmit):
    """Ends a form about an existing appointment: one call on it, then say what was done."""

    #: Response that tells the resident what was done.
    done_response = ""

    @abstractmethod
    async def apply(self, client: AppointmentsClient, reference: str, tracker: Tracker) -> Booking:
        """Do the change in the appointment system and return the appointment as it is now."""

    def next_reference(self, reference: str) -> str | None:
        """The ``appointment_reference`` after the change (the appointment the resident still has)."""
        return reference

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        done = self.finished(dispatcher, tracker)
        if done is not None:
            return done
        reference = tracker.get_slot("appt_reference")
        if not isinstance(reference, str) or not await is_verified(tracker.sender_id, KIND, reference):
            logger.warning("appointment change refused: not verified for this reference")
            dispatcher.utter_message(response="utter_appt_not_verified", **contact_values())
            return reset_events(ALL_SLOTS)
        try:
            async with AppointmentsClient.from_settings() as client:
                booking = await self.apply(client, reference, tracker)
        except BackendError as error:
            return self.failed(error, dispatcher)
        values = booking_values(booking, await product_name(booking.product))
        dispatcher.utter_message(response=self.done_response, reference=reference, **values)
        return reset_events(ALL_SLOTS) + [SlotSet("appointment_reference", self.next_reference(reference))]


class ActionAppointmentChangeSubmit(ExistingAppointmentSubmit):
    """Ends ``appointment_change_form``: moves the appointment to the chosen time."""

    done_response = "utter_appt_changed"

    def name(self) -> str:
        return "action_appointment_change_submit"

    async def apply(self, client: AppointmentsClient, reference: str, tracker: Tracker) -> Booking:
        return await client.reschedule(reference, tracker.get_slot("appt_slot"))


class ActionAppointmentCancelSubmit(ExistingAppointmentSubmit):
    """Ends ``appointment_cancel_form``: cancels the appointment."""

    done_response = "utter_appt_cancelled_done"

    def name(self) -> str:
        return "action_appointment_cancel_submit"

    async def apply(self, client: AppointmentsClient, reference: str, tracker: Tracker) -> Booking:
        return await client.cancel(reference)

    def next_reference(self, reference: str) -> str | None:
        return None  # nothing left to refer to
