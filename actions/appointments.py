"""Appointments at the desk: make (``appointment_form``), move (``appointment_change_form``) and
cancel (``appointment_cancel_form``) an appointment through the appointment system.

This module holds what the three forms share and the make flow; moving and cancelling live in
:mod:`actions.appointment_changes`, reading answers in :mod:`actions.appointment_parsing`.

Make: product (buttons; prefilled from the message or ``current_topic``) -> preferred day (a working
day, not in the past) -> a free time (at most :data:`MAX_OPTIONS` buttons) -> name -> e-mail or phone
-> summary and confirmation -> booking (``appointment_reference``). Move: reference -> the e-mail
address or phone number given when booking -> day -> time -> confirmation. Cancel: reference -> that
e-mail address or phone number -> confirmation. Reference numbers follow each other, so only someone
who also knows the booking's contact details sees or changes an appointment. A booking is made at
once (a time slot cannot wait in an outbox); when the system is down the resident hears that nothing
was booked and what to do now.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from datetime import date, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.appointment_parsing import PRODUCT_WORDS, parse_appointment_answer, product_key
from actions.content import content_or
from actions.conversation import content_values
from actions.forms import FormValidation, ended_early, idempotency_key, is_invalid, reset_events
from actions.parsing import YES
from actions.parsing.dates import format_date, is_working_day
from integrations.appointments import AppointmentsClient, BookableProduct, Booking
from integrations.errors import BackendError, BackendRejected

logger = logging.getLogger(__name__)

MAKE_SLOTS = ("appt_product", "appt_date", "appt_slot", "appt_name", "appt_contact", "appt_confirm")
CHANGE_SLOTS = ("appt_reference", "appt_verify", "appt_date", "appt_slot", "appt_confirm")
CANCEL_SLOTS = ("appt_reference", "appt_verify", "appt_confirm")
#: Value of ``appt_verify`` once the contact details matched (the details themselves are not kept).
VERIFIED = "ok"
AUX_SLOTS = ("appt_options", "appt_current")
ALL_SLOTS = tuple(dict.fromkeys(MAKE_SLOTS + CHANGE_SLOTS + AUX_SLOTS))
MAX_OPTIONS = 5
#: How far ahead the resident may pick a day.
MAX_DAYS_AHEAD = 60


def _slot_label(begin: Any) -> str:
    return f"{begin:%H:%M}"


def booking_values(booking: Booking, name: str | None = None) -> dict[str, str]:
    """Template values of a booking: product (``name`` when known), date, time, location."""
    return {
        "product": name or booking.product,
        "date": format_date(booking.slot.begin.date()),
        "time": _slot_label(booking.slot.begin),
        "location": booking.slot.locatie,
    }


async def product_name(code: str | None) -> str:
    """The product's name in the appointment system ("Paspoort aanvragen"); the code if unknown."""
    if not code:
        return ""
    try:
        async with AppointmentsClient.from_settings() as client:
            products = await client.list_products()
    except BackendError:
        return code
    return next((p.naam for p in products if p.code == code), code)


def bring_text(code: str | None) -> str:
    """What to bring for this product, from the municipality content (empty when unknown)."""
    product = content_or(
        lambda content: content.product((code or "").replace("-", "_")) or content.find_product(code),
        None,
    )
    return product.bring_text() if product else ""


class AppointmentValidation(FormValidation):
    """Validation shared by the three appointment forms."""

    response_prefix = "appt"
    free_text_slots = frozenset({"appt_name"})
    confirm_slot = "appt_confirm"
    extra_slots = AUX_SLOTS
    change_words = (
        (
            r"\b(product|paspoort|id-?kaart|identiteitskaart|rijbewijs|uittreksel|waarvoor)\b",
            ("appt_product",),
        ),
        (r"\b(dag|datum)\b", ("appt_date", "appt_slot")),
        (r"\b(tijd|tijdstip|uur|laat)\b", ("appt_slot",)),
        (r"\b(naam)\b", ("appt_name",)),
        (r"\b(contact|e-?mail|mail|telefoon\w*|nummer)\b", ("appt_contact",)),
    )

    def parse(self, slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]) -> Any:
        return parse_appointment_answer(slot, text, intent, requested, entities)

    async def _products(self) -> list[BookableProduct]:
        async with AppointmentsClient.from_settings() as client:
            return await client.list_products()

    async def _options(self, slot: str, product: str, day: date, dispatcher, tracker) -> dict[str, Any]:
        """Load the free times of ``product`` on ``day`` (or reject the day when none are free)."""
        try:
            async with AppointmentsClient.from_settings() as client:
                free = await client.free_slots(product, day)
        except BackendError:
            logger.warning("appointment system unavailable while loading free slots")
            return self.stop(slot, "utter_appt_unavailable", dispatcher, **contact_values())
        if not free:
            return self.reject(slot, "no_slots", dispatcher, tracker, date=format_date(day))
        options = [
            {"id": s.id, "label": _slot_label(s.begin), "location": s.locatie} for s in free[:MAX_OPTIONS]
        ]
        return {"appt_options": options, "appt_slot": None}

    async def validate_appt_product(self, value: Any, dispatcher, tracker, domain) -> dict:
        if is_invalid(value) or not value:
            return self.reject("appt_product", "product", dispatcher, tracker)
        try:
            products = await self._products()
        except BackendError:
            return self.stop("appt_product", "utter_appt_unavailable", dispatcher, **contact_values())
        code = next(
            (p.code for p in products if value in (p.code, p.naam.lower()) or p.code.startswith(str(value))),
            None,
        )
        if code is None:
            return self.reject("appt_product", "product", dispatcher, tracker)
        result = self.accept("appt_product", code, tracker)
        day = tracker.get_slot("appt_date")
        if day and "appt_date" not in tracker.slots_to_validate():
            result |= await self._options("appt_date", code, date.fromisoformat(day), dispatcher, tracker)
        return result

    async def validate_appt_date(self, value: Any, dispatcher, tracker, domain) -> dict:
        if is_invalid(value):
            return self.reject("appt_date", value["invalid"], dispatcher, tracker)
        day = date.fromisoformat(str(value))
        today = date.today()
        if day < today:
            return self.reject("appt_date", "past", dispatcher, tracker, date=format_date(day))
        if day > today + timedelta(days=MAX_DAYS_AHEAD):
            return self.reject("appt_date", "too_far", dispatcher, tracker, date=format_date(day))
        if not is_working_day(day):
            return self.reject("appt_date", "not_working_day", dispatcher, tracker, date=format_date(day))
        result = self.accept("appt_date", day.isoformat(), tracker)
        product = tracker.get_slot("appt_product")
        if product:
            result |= await self._options("appt_date", product, day, dispatcher, tracker)
        return result

    async def validate_appt_slot(self, value: Any, dispatcher, tracker, domain) -> dict:
        options = tracker.get_slot("appt_options") or []
        if not options:
            return {"appt_slot": None}  # no day chosen yet: the time is asked after the day
        if is_invalid(value) or not isinstance(value, str):
            return self.reject("appt_slot", "slot", dispatcher, tracker)
        if value.startswith("#"):
            index = int(value[1:])
            chosen = options[index] if -len(options) <= index < len(options) else None
        else:
            chosen = next((o for o in options if o["label"] == value), None)
        if chosen is None:
            return self.reject("appt_slot", "slot", dispatcher, tracker)
        return self.accept("appt_slot", chosen["id"], tracker)

    async def validate_appt_name(self, value: Any, dispatcher, tracker, domain) -> dict:
        if isinstance(value, str) and re.search(r"\d", value):
            return self.reject("appt_name", "name", dispatcher, tracker)
        return self.validate_text("appt_name", value, dispatcher, tracker, "name", min_chars=2, max_chars=100)

    async def validate_appt_contact(self, value: Any, dispatcher, tracker, domain) -> dict:
        if is_invalid(value) or not isinstance(value, str):
            return self.reject("appt_contact", "contact", dispatcher, tracker)
        return self.accept("appt_contact", value, tracker)

    async def validate_appt_confirm(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_confirmation("appt_confirm", value, dispatcher, tracker)


class ValidateAppointmentForm(AppointmentValidation):
    """Validates ``appointment_form``; the product may come from ``current_topic``."""

    slots = MAKE_SLOTS
    trigger_intents = frozenset({"make_appointment"})

    def name(self) -> str:
        return "validate_appointment_form"

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        starting = tracker.get_slot("requested_slot") is None and tracker.get_slot("appt_product") is None
        topic = product_key(tracker.get_slot("current_topic"))
        if (
            starting
            and topic in PRODUCT_WORDS.values()
            and not any(e.get("name") == "appt_product" for e in events)
        ):
            events.insert(0, SlotSet("appt_product", topic))
        return events


def contact_values() -> dict[str, Any]:
    """The municipality's contact details for responses that point to the desk or phone."""
    return content_values()


def _chosen(tracker: Tracker) -> dict[str, str]:
    option = next(
        (o for o in tracker.get_slot("appt_options") or [] if o["id"] == tracker.get_slot("appt_slot")), {}
    )
    day = tracker.get_slot("appt_date")
    return {
        "date": format_date(date.fromisoformat(day)) if day else "",
        "time": option.get("label", ""),
        "location": option.get("location", ""),
    }


class ActionAskApptSlot(Action):
    """Offers the free times of the chosen day as buttons."""

    def name(self) -> str:
        return "action_ask_appt_slot"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        options = tracker.get_slot("appt_options") or []
        buttons = [{"title": o["label"], "payload": o["label"]} for o in options]
        dispatcher.utter_message(response="utter_ask_appt_slot", buttons=buttons, **_chosen(tracker))
        return []


class ActionAskApptConfirm(Action):
    """The summary of the booking, move or cancellation, and "shall I do it?"."""

    def name(self) -> str:
        return "action_ask_appt_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = (tracker.active_loop or {}).get("name")
        current = tracker.get_slot("appt_current") or {}
        if form == "appointment_cancel_form":
            dispatcher.utter_message(response="utter_ask_appt_confirm_cancel", **current)
        elif form == "appointment_change_form":
            old = {f"old_{key}": value for key, value in current.items()}
            dispatcher.utter_message(response="utter_ask_appt_confirm_change", **old, **_chosen(tracker))
        else:
            dispatcher.utter_message(
                response="utter_ask_appt_confirm",
                product=await product_name(tracker.get_slot("appt_product")),
                name=tracker.get_slot("appt_name") or "",
                contact=tracker.get_slot("appt_contact") or "",
                **_chosen(tracker),
            )
        return []


class AppointmentSubmit(Action, ABC):
    """Common start of the three submit actions (abstract: not registered as an action)."""

    @abstractmethod
    def name(self) -> str:
        """The submit action's name."""

    slots: tuple[str, ...] = ()

    def finished(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
        """Events that end the flow without doing anything, or ``None`` to go on."""
        reset = reset_events(ALL_SLOTS)
        if ended_early(tracker.get_slot):
            return reset
        if tracker.get_slot("appt_confirm") != YES:
            dispatcher.utter_message(response="utter_appt_nothing_done")
            return reset
        return None

    def failed(self, error: BackendError, dispatcher: CollectingDispatcher) -> list[EventType]:
        """Tell the resident plainly that nothing changed and what to do now."""
        logger.warning("appointment action failed: %s", error)
        taken = isinstance(error, BackendRejected) and error.status_code == 409
        dispatcher.utter_message(
            response="utter_appt_slot_taken" if taken else "utter_appt_failed", **contact_values()
        )
        return reset_events(ALL_SLOTS)


class ActionAppointmentSubmit(AppointmentSubmit):
    """Ends ``appointment_form``: books the chosen time."""

    def name(self) -> str:
        return "action_appointment_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        done = self.finished(dispatcher, tracker)
        if done is not None:
            return done
        request = {
            "slot_id": tracker.get_slot("appt_slot"),
            "product": tracker.get_slot("appt_product"),
            "name": tracker.get_slot("appt_name"),
            "contact": tracker.get_slot("appt_contact"),
        }
        try:
            async with AppointmentsClient.from_settings() as client:
                booking = await client.book(
                    **request, idempotency_key=idempotency_key("appointments.book", tracker, request)
                )
        except BackendError as error:
            return self.failed(error, dispatcher)
        values = booking_values(booking, await product_name(booking.product))
        dispatcher.utter_message(response="utter_appt_booked", reference=booking.referentie, **values)
        bring = bring_text(booking.product)
        if bring:
            dispatcher.utter_message(response="utter_appt_bring", bring=bring)
        return reset_events(ALL_SLOTS) + [SlotSet("appointment_reference", booking.referentie)]
