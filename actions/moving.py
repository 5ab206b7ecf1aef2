"""Moving notice (verhuizing doorgeven): ``move_form`` and its start and submit actions.

Flow: identity check (a notice needs a DigiD-verified resident) -> new postcode and house number
(format via ``stdnum.nl.postcode``, existence via the address register) -> moving date (a notice may
be given from 4 weeks before until 5 days after the move) -> who moves along -> summary and
confirmation -> a zaak through the outbox (``case_reference``).
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.auth import verified_bsn
from actions.content import content_or
from actions.conversation import content_values
from actions.forms import (
    FormValidation,
    ended_early,
    idempotency_key,
    invalid,
    is_invalid,
    parse_confirmation,
    reset_events,
)
from actions.parsing import (
    YES,
    ImpossibleDateError,
    entity_value,
    find_house_number,
    find_postcode,
    format_house_number,
    normalise_postcode,
    number_word,
    parse_date,
    split_house_number,
)
from actions.parsing.dates import format_date
from actions.zaak_submission import DELIVERED, PENDING, ZAKEN_CREATE, submit_zaak
from integrations.addresses import AddressesClient
from integrations.errors import BackendError

logger = logging.getLogger(__name__)

MOVE_SLOTS = (
    "move_postcode",
    "move_house_number",
    "move_date",
    "move_household",
    "move_people",
    "move_confirm",
)
AUX_SLOTS = ("move_address",)
IDENTITY_SLOT = "move_identity_verified"
#: Zaaktype (Catalogi identificatie) of a moving notice.
MOVE_ZAAKTYPE = "VERHUIZING"
#: A notice may be given from this many days before the move ...
NOTICE_DAYS_BEFORE = 28
#: ... until this many days after it.
NOTICE_DAYS_AFTER = 5
MAX_PEOPLE = 15

_ALONE = re.compile(r"\b(alleen|ikzelf|mijzelf|in mijn eentje|alleen ik|niemand)\b")
_PARTNER = re.compile(r"\b(partner|vrouw|man|vriend|vriendin|echtgeno\w*|samen)\b")
_FAMILY = re.compile(r"\b(gezin|kind\w*|zoon|zonen|dochter\w*|baby|familie|met z(ijn|'n) \w+)\b")
_COUNT = re.compile(
    r"\b(?:met\s+)?(?:z(?:ijn|'n)\s+)?(\d{1,2}|twee\w*|drie\w*|vier\w*|vijf\w*|zes\w*|zeven\w*|acht\w*)\b"
)


def parse_house_number(text: str, requested: bool, entities: list[dict]) -> Any:
    """The house number after a postcode or a label ("nummer 12a"), or (when asked) on its own."""
    value = find_house_number(text, requested, entity_value(entities, "house_number"))
    return invalid("house_number") if value == "" else value


def parse_household(text: str) -> str | None:
    """``alleen``, ``partner`` or ``gezin`` from the answer "who moves along?"."""
    lowered = text.lower()
    if _FAMILY.search(lowered):
        return "gezin"
    if _PARTNER.search(lowered):
        return "partner"
    if _ALONE.search(lowered):
        return "alleen"
    return None


def parse_people(text: str) -> int | None:
    """A number of people ("4", "met z'n vieren", "wij zijn met vijf personen")."""
    for match in _COUNT.finditer(text.lower()):
        word = match[1]
        if word.isdigit():
            return int(word)
        value = number_word(word, prefix=True)
        if value is not None:
            return value
    return None


def parse_move_answer(slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]) -> Any:
    """Read one answer of ``move_form`` (see :meth:`FormValidation.parse`)."""
    if slot == "move_postcode":
        value = entity_value(entities, "postcode")
        if value and normalise_postcode(str(value)):
            return normalise_postcode(str(value))
        found = find_postcode(text, strict=not requested)
        if found:
            return found[0]
        return invalid("postcode") if requested else None
    if slot == "move_house_number":
        return parse_house_number(text, requested, entities)
    if slot == "move_date":
        try:
            day = parse_date(text, prefer="nearest")
        except ImpossibleDateError:
            return invalid("impossible_date")
        if day is not None:
            return day.isoformat()
        return invalid("no_date") if requested else None
    if slot == "move_household":
        value = parse_household(text)
        if value is None and requested:
            people = parse_people(text)
            value = {1: "alleen", 2: "partner"}.get(people or 0, "gezin" if people else None)
        return value if value or not requested else invalid("household")
    if slot == "move_people":
        if not requested and not re.search(r"\b(personen|mensen|z(ijn|'n))\b", text.lower()):
            return None
        people = parse_people(text)
        return people if people is not None else (invalid("people") if requested else None)
    if slot == "move_confirm":
        return parse_confirmation(text, intent, requested)
    return None


def notice_window(today: date) -> tuple[date, date]:
    """The moving dates that can be reported today: (earliest, latest)."""
    return today - timedelta(days=NOTICE_DAYS_AFTER), today + timedelta(days=NOTICE_DAYS_BEFORE)


class ValidateMoveForm(FormValidation):
    """Validates ``move_form``."""

    slots = MOVE_SLOTS
    trigger_intents = frozenset({"report_move"})
    response_prefix = "move"
    confirm_slot = "move_confirm"
    extra_slots = AUX_SLOTS
    change_words = (
        (r"\b(adres|postcode|straat|huisnummer|nummer)\b", ("move_postcode", "move_house_number")),
        (r"\b(datum|dag|wanneer|verhuisdatum)\b", ("move_date",)),
        (r"\b(personen|mensen|wie|gezin|aantal|partner)\b", ("move_household", "move_people")),
    )

    def name(self) -> str:
        return "validate_move_form"

    def parse(self, slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]) -> Any:
        return parse_move_answer(slot, text, intent, requested, entities)

    async def _check_address(
        self, slot: str, postcode: str, house_number: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Look the address up in the register; unknown -> ask again, register down -> accept as typed."""
        number, addition = split_house_number(house_number)
        try:
            async with AddressesClient.from_settings() as client:
                found = await client.find(postcode, number)
        except BackendError:
            logger.warning("address register unavailable, move address accepted unchecked")
            dispatcher.utter_message(response="utter_move_address_unchecked")
            return self.accept(slot, tracker.get_slot(slot), tracker) | {
                "move_address": f"{postcode} {house_number}"
            }
        matches = [
            a
            for a in found
            if (a.huisletter + a.huisnummertoevoeging).upper() == addition.replace("-", "").upper()
        ]
        if not matches:
            code = "addition" if found else "address_not_found"
            options = ", ".join(
                format_house_number(str(a.huisnummer), a.huisletter or a.huisnummertoevoeging) for a in found
            )
            return self.reject(
                slot, code, dispatcher, tracker, postcode=postcode, house_number=house_number, options=options
            )
        adres = matches[0]
        label = f"{adres.straat} {house_number}, {postcode} {adres.woonplaats}".strip()
        return self.accept(slot, tracker.get_slot(slot), tracker) | {"move_address": label}

    async def validate_move_postcode(self, value: Any, dispatcher, tracker, domain) -> dict:
        if is_invalid(value) or not isinstance(value, str) or not normalise_postcode(value):
            return self.reject("move_postcode", "postcode", dispatcher, tracker)
        result = self.accept("move_postcode", value, tracker)
        house_number = tracker.get_slot("move_house_number")
        if house_number and "move_house_number" not in tracker.slots_to_validate():
            tracker.slots["move_postcode"] = value
            checked = await self._check_address("move_postcode", value, house_number, dispatcher, tracker)
            return result | checked
        return result

    async def validate_move_house_number(self, value: Any, dispatcher, tracker, domain) -> dict:
        if is_invalid(value) or not isinstance(value, str):
            return self.reject("move_house_number", "house_number", dispatcher, tracker)
        postcode = tracker.get_slot("move_postcode")
        if not postcode:
            return self.accept("move_house_number", value, tracker)
        return await self._check_address("move_house_number", postcode, value, dispatcher, tracker)

    async def validate_move_date(self, value: Any, dispatcher, tracker, domain) -> dict:
        if is_invalid(value):
            return self.reject("move_date", value["invalid"], dispatcher, tracker)
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return self.reject("move_date", "no_date", dispatcher, tracker)
        earliest, latest = notice_window(date.today())
        if day > latest:
            return self.reject(
                "move_date",
                "too_early",
                dispatcher,
                tracker,
                date=format_date(day),
                first_day=format_date(day - timedelta(days=NOTICE_DAYS_BEFORE)),
            )
        if day < earliest:
            return self.reject(
                "move_date", "too_late", dispatcher, tracker, date=format_date(day), **_content()
            )
        return self.accept("move_date", day.isoformat(), tracker)

    async def validate_move_household(self, value: Any, dispatcher, tracker, domain) -> dict:
        if value not in ("alleen", "partner", "gezin"):
            return self.reject("move_household", "household", dispatcher, tracker)
        result = self.accept("move_household", value, tracker)
        if value == "gezin":
            given = "move_people" in tracker.slots_to_validate()
            people = tracker.get_slot("move_people")
            result["move_people"] = (
                people if given or (isinstance(people, (int, float)) and people > 2) else None
            )
        else:
            result["move_people"] = 1 if value == "alleen" else 2
        return result

    async def validate_move_people(self, value: Any, dispatcher, tracker, domain) -> dict:
        if is_invalid(value) or not isinstance(value, (int, float)) or not 2 <= value <= MAX_PEOPLE:
            return self.reject("move_people", "people", dispatcher, tracker)
        result = self.accept("move_people", int(value), tracker)
        if tracker.get_slot("move_household") in ("alleen", "partner") and value > 2:
            result["move_household"] = "gezin"
        return result

    async def validate_move_confirm(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_confirmation("move_confirm", value, dispatcher, tracker)


def _content() -> dict[str, Any]:
    values = content_values()
    product = content_or(lambda content: content.product_for_intent("report_move"), None, "moving content")
    values.update({"link": product.link, "processing_time": product.processing_time} if product else {})
    values.setdefault("link", values.get("website", ""))
    values.setdefault("processing_time", "")
    return values


class ActionMoveStart(Action):
    """Starts a moving notice: only with a verified identity (DigiD); otherwise explain how."""

    def name(self) -> str:
        return "action_move_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        verified = verified_bsn(tracker) is not None
        dispatcher.utter_message(
            response="utter_move_intro" if verified else "utter_move_login_needed", **_content()
        )
        return reset_events(MOVE_SLOTS + AUX_SLOTS) + [SlotSet(IDENTITY_SLOT, verified)]


class ActionAskMoveConfirm(Action):
    """The summary of the notice, and "shall I send it?"."""

    def name(self) -> str:
        return "action_ask_move_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        day = date.fromisoformat(tracker.get_slot("move_date"))
        dispatcher.utter_message(
            response="utter_ask_move_confirm",
            address=tracker.get_slot("move_address") or "",
            date=format_date(day),
            people=int(tracker.get_slot("move_people") or 1),
        )
        return []


class ActionMoveSubmit(Action):
    """Ends ``move_form``: sends the notice as a zaak (via the outbox) or says nothing was sent."""

    def name(self) -> str:
        return "action_move_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = reset_events(MOVE_SLOTS + AUX_SLOTS)
        if ended_early(tracker.get_slot):
            return reset
        values = _content()
        if tracker.get_slot("move_confirm") != YES:
            dispatcher.utter_message(response="utter_move_not_sent")
            return reset
        bsn = verified_bsn(tracker)
        if bsn is None:
            dispatcher.utter_message(response="utter_move_login_needed", **values)
            return reset
        day = date.fromisoformat(tracker.get_slot("move_date"))
        people = int(tracker.get_slot("move_people") or 1)
        address = tracker.get_slot("move_address") or ""
        payload = {
            "zaaktype": MOVE_ZAAKTYPE,
            "omschrijving": "Verhuizing doorgegeven via de digitale assistent",
            "toelichting": (
                f"Nieuw adres: {address}. Verhuisdatum: {day.isoformat()}. Aantal personen: {people}."
            ),
            "bsn": bsn,
        }
        result = await submit_zaak(payload, idempotency_key(ZAKEN_CREATE, tracker, payload))
        values.update(date=format_date(day), address=address)
        if result.status == DELIVERED:
            dispatcher.utter_message(
                response="utter_move_submitted", reference=result.identificatie, **values
            )
            return reset + [SlotSet("case_reference", result.identificatie)]
        if result.status == PENDING:
            dispatcher.utter_message(response="utter_move_saved_offline", **values)
        else:
            dispatcher.utter_message(response="utter_flow_submit_failed", **values)
        return reset + [SlotSet("case_reference", None)]
