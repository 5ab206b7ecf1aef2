"""Case status (stand van zaken): ``case_status_form`` and its answer.

The resident names a zaak (``Z-2026-000123``; entity ``case_reference``). Zaak numbers can be
guessed, so without a verified identity (DigiD through the portal) nothing about a zaak is said
(not its date, not what it is about, not even whether it exists) unless the resident also gives a
second factor, the postcode of their home address (``status_postcode``,
:mod:`actions.case_status_check`); then only its phase (ontvangen / in behandeling / afgehandeld) is
shown. Failed checks are limited per reference and per conversation (:mod:`actions.verification`);
beyond the limit the resident is asked to log in. With a verified identity no postcode is asked; with
no number, the resident's own zaken are offered as buttons; only for their own zaak do they see
the status, what it is about and the planned end date. Someone else's zaak and an unknown number
get the same answer. Every BSN look-up is in the processing log.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import case_status_check
from actions.auth import verified_bsn
from actions.conversation import content_values
from actions.forms import FormValidation, ended_early, invalid, is_invalid, reset_events
from actions.parsing import entity_value, find_postcode
from actions.parsing.dates import format_date
from actions.verification import is_blocked, record_attempt
from integrations.errors import BackendError
from integrations.zaken import Zaak, ZakenClient
from privacy.processing_log import alog_processing

logger = logging.getLogger(__name__)

STATUS_SLOTS = ("status_reference", "status_postcode")
RESULT_SLOT = "status_result"
#: The value of ``status_postcode`` once the postcode matched (the postcode itself is not kept).
CHECKED = "checked"
MAX_BUTTONS = 5
_REFERENCE = re.compile(r"\b[zZ][- ]?(20[0-9]{2})[- ]?([0-9]{6})\b")
#: Statustype omschrijving (lower case) -> response key ``utter_case_status_<key>``.
STATUS_KEYS = {
    "ontvangen": "received",
    "aanvraag ontvangen": "received",
    "melding ontvangen": "received",
    "in behandeling": "in_progress",
    "in behandeling genomen": "in_progress",
    "wacht op gegevens": "waiting",
    "aanvullende gegevens nodig": "waiting",
    "besluit genomen": "decided",
    "afgehandeld": "done",
    "afgerond": "done",
    "gesloten": "done",
}


def normalise_case_reference(value: str) -> str | None:
    """``Z-2026-000123`` from "z2026000123", "Z 2026 000123", ..., else ``None``."""
    match = _REFERENCE.search(value)
    return f"Z-{match[1]}-{match[2]}" if match else None


def status_key(omschrijving: str, is_end: bool) -> str:
    """The response key of a statustype; unknown end statuses are ``done``, others ``other``."""
    key = STATUS_KEYS.get(omschrijving.strip().lower())
    return key or ("done" if is_end else "other")


class ValidateCaseStatusForm(FormValidation):
    """Validates ``case_status_form``: the zaak must exist; its status is looked up here."""

    slots = STATUS_SLOTS
    trigger_intents = frozenset({"case_status"})
    extra_slots = (RESULT_SLOT,)
    response_prefix = "status"

    def name(self) -> str:
        return "validate_case_status_form"

    def parse(self, slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]) -> Any:
        if slot == "status_postcode":
            found = find_postcode(text, strict=not requested)
            return found[0] if found else (invalid("postcode") if requested else None)
        value = normalise_case_reference(str(entity_value(entities, "case_reference") or text))
        return value or (invalid("reference") if requested else None)

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        """With DigiD no postcode is asked: the resident's own zaken are looked up by BSN."""
        required = await super().required_slots(domain_slots, dispatcher, tracker, domain)
        if verified_bsn(tracker):
            return [slot for slot in required if slot != "status_postcode"]
        return required

    async def validate_status_reference(self, value: Any, dispatcher, tracker, domain) -> dict:
        if is_invalid(value) or not isinstance(value, str):
            return self.reject("status_reference", "reference", dispatcher, tracker)
        bsn = verified_bsn(tracker)
        if not bsn:  # no look-up yet: a guessed number must not tell anything; the postcode is next
            result = self.accept("status_reference", value, tracker) | {RESULT_SLOT: None}
            if value != tracker.get_slot("status_reference") and "status_postcode" not in (
                tracker.slots_to_validate()
            ):
                result["status_postcode"] = None  # a check of another number does not carry over
            return result
        try:
            async with ZakenClient.from_settings() as client:
                own_zaken = await client.list_zaken_for_bsn(bsn)
                await log_zaken_lookup(bsn)
                zaak = next((z for z in own_zaken if z.identificatie == value), None)
                if zaak is None:
                    return self.accept("status_reference", value, tracker) | {RESULT_SLOT: {"key": "not_own"}}
                status = await client.get_status(zaak)
        except BackendError:
            logger.warning("zaken API unavailable for a status question")
            return self.stop(
                "status_reference", "utter_case_status_unavailable", dispatcher, **content_values()
            )
        result: dict[str, Any] = {"reference": value, "own": True, "logged_in": True}
        if status is None:
            result.update(key="received", date=format_date(zaak.startdatum) if zaak.startdatum else "")
        else:
            moment = status.datum_status_gezet
            result.update(
                key=status_key(status.omschrijving, status.is_eindstatus), status=status.omschrijving
            )
            result["date"] = format_date(moment.date()) if moment else ""
        result.update(_own_details(zaak))
        return self.accept("status_reference", value, tracker) | {RESULT_SLOT: result}

    async def validate_status_postcode(self, value: Any, dispatcher, tracker, domain) -> dict:
        """Without DigiD: the postcode of the initiator's home address must match (limited tries)."""

        reference = tracker.get_slot("status_reference")
        if not reference or verified_bsn(tracker):
            return {"status_postcode": None}
        if is_invalid(value) or not isinstance(value, str):
            return self.reject("status_postcode", "postcode", dispatcher, tracker)
        kind = case_status_check.KIND
        if await is_blocked(tracker.sender_id, kind, reference):
            return self.stop(
                "status_postcode", "utter_case_status_check_blocked", dispatcher, **content_values()
            )
        try:
            zaak, matched = await case_status_check.postcode_matches(reference, value)
            status = None
            if matched and zaak is not None:
                async with ZakenClient.from_settings() as client:
                    status = await client.get_status(zaak)
        except BackendError:
            logger.warning("zaken or BRP API unavailable for a status check by postcode")
            return self.stop(
                "status_postcode", "utter_case_status_unavailable", dispatcher, **content_values()
            )
        await record_attempt(tracker.sender_id, kind, reference, success=matched)
        if not matched:
            return self.reject(
                "status_postcode", "postcode_mismatch", dispatcher, tracker, reference=reference
            )
        key = status_key(status.omschrijving, status.is_eindstatus) if status else "received"
        result = {"key": f"basic_{case_status_check.phase(key)}", "reference": reference, "basic": True}
        return self.accept("status_postcode", CHECKED, tracker) | {RESULT_SLOT: result}


async def log_zaken_lookup(bsn: str, purpose: str = "stand van zaken opvragen") -> None:
    """Processing-log entry for a look-up of a resident's zaken by BSN (never fails the flow)."""
    try:
        await alog_processing(
            "zaken van inwoner opzoeken",
            purpose,
            ["zaakgegevens"],
            "AVG art. 6 lid 1 sub e",
            resident_bsn=bsn,
            system="ZGW Zaken API",
        )
    except Exception:  # the log must never stop a resident's answer; operators see this
        logger.exception("processing log entry for a zaken look-up could not be written")


def _own_details(zaak: Zaak) -> dict[str, str]:
    planned = zaak.einddatum_gepland or zaak.uiterlijke_einddatum_afdoening
    return {"subject": zaak.omschrijving, "planned": format_date(planned) if planned else ""}


class ActionAskStatusReference(Action):
    """Asks for the zaak number; a logged-in resident gets their own zaken as buttons."""

    def name(self) -> str:
        return "action_ask_status_reference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        bsn = verified_bsn(tracker)
        zaken: list[Zaak] = []
        if bsn:
            try:
                async with ZakenClient.from_settings() as client:
                    zaken = await client.list_zaken_for_bsn(bsn)
                await log_zaken_lookup(bsn)
            except BackendError:
                logger.warning("zaken API unavailable while listing a resident's zaken")
        if not zaken:
            dispatcher.utter_message(response="utter_ask_status_reference")
            return []
        newest = sorted(zaken, key=lambda z: (z.einddatum is None, z.startdatum or z.einddatum), reverse=True)
        buttons = [
            {
                "title": f"{z.identificatie}: {z.omschrijving}"[:80],
                "payload": f'/inform{{"case_reference": "{z.identificatie}"}}',
            }
            for z in newest[:MAX_BUTTONS]
        ]
        dispatcher.utter_message(response="utter_ask_status_reference_own", buttons=buttons)
        return []


class ActionCaseStatusAnswer(Action):
    """Ends ``case_status_form``: the status in plain Dutch and what the resident can do."""

    def name(self) -> str:
        return "action_case_status_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = reset_events((*STATUS_SLOTS, RESULT_SLOT))
        result = tracker.get_slot(RESULT_SLOT)
        if ended_early(tracker.get_slot) or not isinstance(result, dict):
            return reset
        if result.get("key") in ("login_needed", "not_own"):
            dispatcher.utter_message(response=f"utter_case_status_{result['key']}", **content_values())
            return reset
        if result.get("basic"):  # checked by postcode: the phase only, and how to see more
            dispatcher.utter_message(
                response=f"utter_case_status_{result['key']}", reference=result["reference"]
            )
            dispatcher.utter_message(response="utter_case_status_login_for_more")
            return reset
        values = {**content_values(), **{k: v for k, v in result.items() if isinstance(v, str)}}
        dispatcher.utter_message(response=f"utter_case_status_{result.get('key', 'other')}", **values)
        if result.get("own"):
            dispatcher.utter_message(response="utter_case_status_own_details", **values)
            if result.get("planned") and result.get("key") != "done":
                dispatcher.utter_message(response="utter_case_status_planned", **values)
        dispatcher.utter_message(response="utter_case_status_next", **values)
        return reset
