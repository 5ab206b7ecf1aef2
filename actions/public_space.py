"""Public-space report (melding openbare ruimte): ``public_space_form`` and its actions.

Flow: category (buttons) -> location -> description -> optional contact (e-mail, phone or "nee")
-> summary and confirmation -> a zaak through the outbox (``case_reference``). No identity needed;
with a verified identity the resident is linked to the zaak as initiator.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.auth import verified_bsn
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
from actions.parsing import YES, entity_value, find_email, find_phone
from actions.zaak_submission import DELIVERED, PENDING, ZAKEN_CREATE, submit_zaak

logger = logging.getLogger(__name__)

PS_SLOTS = ("ps_category", "ps_location", "ps_description", "ps_contact", "ps_confirm")
PS_ZAAKTYPE = "MELDING-OPENBARE-RUIMTE"
NO_CONTACT = "geen"
#: Entity values of public_space_category (data/nlu/lookups_wonen.yml), with the word used in answers.
CATEGORIES = {
    "straatverlichting": "straatverlichting",
    "wegdek": "de weg",
    "stoep": "de stoep",
    "zwerfvuil": "zwerfvuil",
    "groen": "bomen en groen",
    "riolering": "het riool",
    "speeltoestel": "een speeltoestel",
    "verkeersbord": "een verkeersbord",
    "overlast_dieren": "overlast van dieren",
    "overig": "iets anders",
}
#: Words that name a category when the resident types instead of using a button.
_KEYWORDS = (
    ("straatverlichting", r"lantaarn\w*|lantaren\w*|straatlamp\w*|lamp\w*|verlichting|licht\w*"),
    ("wegdek", r"weg|wegdek|asfalt|kuil\w*|gat(en)? in|verzakk\w*|fietspad"),
    ("stoep", r"stoep\w*|tegel\w*|trottoir|voetpad"),
    ("zwerfvuil", r"zwerf\w*|afval|vuil\w*|rommel|gedumpt|dumping|hondenpoep|prullenbak\w*"),
    ("groen", r"boom|bomen|tak(ken)?|gras|struik\w*|heg|plantsoen|onkruid|groen"),
    ("riolering", r"riool\w*|riolering|put(ten)?|putdeksel|kolk\w*|wateroverlast"),
    ("speeltoestel", r"speel\w*|schommel\w*|glijbaan\w*|wip|klimrek\w*|zandbak\w*"),
    ("verkeersbord", r"verkeersbord\w*|bord(en)?|paaltje\w*|stopbord"),
    ("overlast_dieren", r"rat(ten)?|muizen|duiven|meeuwen|dier\w*|wesp\w*|processierups\w*"),
    ("overig", r"anders|overig\w*|iets anders|graffiti|bankje|hek|bushokje"),
)
#: A place in a sentence: a preposition and a name, a number or a recognisable place.
_PLACE = re.compile(
    r"\b(?:bij|op|aan|in|voor|naast|tegenover|achter|langs|onder)\s+(?:de|het|een)?\s*"
    r"(?:[A-Z][\w'-]+(?:\s+\d+\w?)?|[\w-]+(?:straat|laan|weg|plein|park|singel|kade|gracht|dijk)\w*(?:\s+\d+\w?)?|"
    r"station|school|kerk|markt|winkel\w*|supermarkt|bushalte|halte|speeltuin|brug|rotonde|kruising|"
    r"bibliotheek|gemeentehuis|sportpark|haven|ingang|parkeerplaats|flat)\b"
)
#: Words that say what is wrong: with a category and a place, the opening message is the description.
_PROBLEM = re.compile(
    r"\b(kapot|stuk|defect|brandt niet|branden niet|doet het niet|los|lekt|verstopt|vol|gevaarlijk|"
    r"beschadigd|omgevallen|scheef|gedumpt|ligt|liggen|staat|knippert|uit)\b"
)
_NO_CONTACT = re.compile(r"^\s*(nee|neen|geen|liever niet|hoeft niet|niet nodig|nee dank\w*|nee hoor)\b")


def parse_category(text: str, entities: list[dict], requested: bool) -> Any:
    """The category from a button/NLU entity, or (when asked) from keywords."""
    value = entity_value(entities, "public_space_category")
    if value in CATEGORIES:
        return value
    if not requested:
        return None
    lowered = text.lower()
    named = next((key for key in CATEGORIES if re.search(rf"\b{key}\b", lowered)), None)
    if named:
        return named
    for category, pattern in _KEYWORDS:
        if re.search(rf"\b({pattern})\b", lowered):
            return category
    return invalid("category")


def find_place(text: str) -> str | None:
    """A place named in a sentence ("bij het station", "in de Kerkstraat 12"), else ``None``."""
    match = _PLACE.search(text)
    return match[0] if match else None


def parse_contact(text: str, intent: str | None, entities: list[dict], requested: bool) -> Any:
    """An e-mail address or phone number, or ``geen`` ("nee"); only when asked (or clearly given)."""
    email = entity_value(entities, "email") or find_email(text)
    if email:
        return str(email).lower()
    phone = find_phone(text)
    if phone:
        return phone
    if not requested:
        return None
    if intent == "deny" or _NO_CONTACT.search(text.lower()):
        return NO_CONTACT
    return invalid("contact")


class ValidatePublicSpaceForm(FormValidation):
    """Validates ``public_space_form``."""

    slots = PS_SLOTS
    trigger_intents = frozenset({"report_public_space"})
    response_prefix = "ps"
    free_text_slots = frozenset({"ps_location", "ps_description"})
    confirm_slot = "ps_confirm"
    change_words = (
        (r"\b(categorie|soort|onderwerp|wat voor)\b", ("ps_category",)),
        (r"\b(plek|plaats|locatie|adres|waar|straat)\b", ("ps_location",)),
        (r"\b(omschrijving|beschrijving|wat er (is|aan de hand))\b", ("ps_description",)),
        (r"\b(contact|e-?mail|mail|telefoon\w*|nummer)\b", ("ps_contact",)),
    )

    def name(self) -> str:
        return "validate_public_space_form"

    def prefill(
        self, text: str, intent: str | None, entities: list[dict], tracker: Tracker
    ) -> dict[str, Any]:
        """What the opening message says: the category, the place and (with both) the description."""
        values = super().prefill(text, intent, entities, tracker)
        if text.startswith("/"):
            return values
        category = parse_category(text, entities, requested=True)
        if isinstance(category, str):
            values["ps_category"] = category
        place = find_place(text)
        if place:
            values["ps_location"] = place
        if "ps_category" in values and place and _PROBLEM.search(text.lower()):
            values["ps_description"] = text
        return values

    def parse(self, slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]) -> Any:
        if slot == "ps_category":
            return parse_category(text, entities, requested)
        if slot == "ps_contact":
            return parse_contact(text, intent, entities, requested)
        if slot == "ps_confirm":
            return parse_confirmation(text, intent, requested)
        return None  # free text: FormValidation takes the whole message when it is asked

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """A category word inside a later answer ("de lamp is kapot") does not change the category."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        keep_category = tracker.get_slot("ps_category") is not None and tracker.get_slot(
            "requested_slot"
        ) not in (
            None,
            "ps_category",
        )
        return [e for e in events if not (keep_category and e.get("name") == "ps_category")]

    async def validate_ps_category(self, value: Any, dispatcher, tracker, domain) -> dict:
        if not isinstance(value, str) or value not in CATEGORIES:
            return self.reject("ps_category", "category", dispatcher, tracker)
        return self.accept("ps_category", value, tracker)

    async def validate_ps_location(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_text(
            "ps_location", value, dispatcher, tracker, "location", min_chars=3, max_chars=200
        )

    async def validate_ps_description(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_text(
            "ps_description", value, dispatcher, tracker, "description", min_chars=8, max_chars=800
        )

    async def validate_ps_contact(self, value: Any, dispatcher, tracker, domain) -> dict:
        if is_invalid(value) or not isinstance(value, str):
            return self.reject("ps_contact", "contact", dispatcher, tracker)
        return self.accept("ps_contact", value, tracker)

    async def validate_ps_confirm(self, value: Any, dispatcher, tracker, domain) -> dict:
        return self.validate_confirmation("ps_confirm", value, dispatcher, tracker)


def _summary_values(tracker: Tracker) -> dict[str, str]:
    contact = tracker.get_slot("ps_contact")
    return {
        "category": CATEGORIES.get(tracker.get_slot("ps_category") or "", "iets anders"),
        "location": tracker.get_slot("ps_location") or "",
        "description": tracker.get_slot("ps_description") or "",
        "contact": "geen" if contact in (None, NO_CONTACT) else contact,
    }


class ActionAskPsConfirm(Action):
    """The summary of the report, and "shall I send it?"."""

    def name(self) -> str:
        return "action_ask_ps_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_ps_confirm", **_summary_values(tracker))
        return []


class ActionPublicSpaceSubmit(Action):
    """Ends ``public_space_form``: sends the report as a zaak (via the outbox) or not."""

    def name(self) -> str:
        return "action_public_space_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = reset_events(PS_SLOTS)
        if ended_early(tracker.get_slot):
            return reset
        if tracker.get_slot("ps_confirm") != YES:
            dispatcher.utter_message(response="utter_ps_not_sent")
            return reset
        summary = _summary_values(tracker)
        contact = tracker.get_slot("ps_contact")
        payload: dict[str, Any] = {
            "zaaktype": PS_ZAAKTYPE,
            "omschrijving": f"Melding openbare ruimte: {tracker.get_slot('ps_category')}",
            "toelichting": (
                f"Categorie: {tracker.get_slot('ps_category')}. Locatie: {summary['location']}. "
                f"Omschrijving: {summary['description']}. Contact: {contact or NO_CONTACT}."
            ),
        }
        bsn = verified_bsn(tracker)
        if bsn:
            payload["bsn"] = bsn
        result = await submit_zaak(payload, idempotency_key(ZAKEN_CREATE, tracker, payload))
        values = content_values()
        feedback = (
            "utter_ps_feedback_contact" if contact and contact != NO_CONTACT else "utter_ps_feedback_none"
        )
        if result.status == DELIVERED:
            dispatcher.utter_message(response="utter_ps_submitted", reference=result.identificatie, **values)
            dispatcher.utter_message(response=feedback, **values)
            return reset + [SlotSet("case_reference", result.identificatie)]
        if result.status == PENDING:
            dispatcher.utter_message(response="utter_ps_saved_offline", **values)
        else:
            dispatcher.utter_message(response="utter_flow_submit_failed", **values)
        return reset + [SlotSet("case_reference", None)]
