"""Topic answers from municipality content: products, follow-ups, opening hours and contact.

All Dutch text lives in domain responses (section "answers") and in ``content/<municipality>.yml``;
these actions only choose responses and fill them with content values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.content import Content, ContentError, Product, get_content
from actions.privacy_notice import privacy_notice
from foundation.clock import utcnow

logger = logging.getLogger(__name__)

#: A second topic intent at or above this confidence is offered after the main answer.
MIXED_TOPIC_THRESHOLD = 0.3
#: Entities whose value may name a product ("ID-kaart", "paspoort").
PRODUCT_ENTITIES = ("product", "document_type")
FOLLOWUP_RESPONSES = {
    "ask_costs": "utter_followup_costs",
    "ask_duration": "utter_followup_duration",
    "ask_documents": "utter_followup_documents",
}
NLU_FALLBACK = "nlu_fallback"
CURRENT_TOPIC_SLOT = "current_topic"
#: "<product key>:<n>": the same topic asked n times in a row (n = 0: the first answer).
TOPIC_DEPTH_SLOT = "topic_depth"
#: Self-check topics: a question about the costs also gets the processing time of the permit.
PERMIT_CHECK_INTENTS = frozenset({"permit_check_dormer", "permit_check_tree"})


def latest_intent(tracker: Tracker) -> str | None:
    """Intent of the latest user message, skipping ``nlu_fallback`` in favour of the runner-up."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent and intent != NLU_FALLBACK:
        return intent
    return tracker.get_intent_of_latest_message(skip_fallback_intent=True)


def product_hint(tracker: Tracker) -> str | None:
    """First ``product``/``document_type`` entity value of the latest message, if any."""
    for entity in PRODUCT_ENTITIES:
        value = next(tracker.get_latest_entity_values(entity), None)
        if isinstance(value, str) and value.strip():
            return value
    return None


def load_content_safely() -> Content | None:
    """The configured content, or ``None`` (logged) when it cannot be loaded."""
    try:
        return get_content()
    except ContentError:
        logger.exception("municipality content could not be loaded")
        return None


def product_values(content: Content, product: Product) -> dict[str, str]:
    """Values for product responses: general values, product fields and its social contact."""
    contact = content.social_contact(product.contact)
    return {
        **content.template_values(),
        **product.template_values(),
        "contact_name": contact["name"],
        "contact_phone": contact["phone"],
        "contact_hours": contact["hours"],
        "contact_email": contact["email"],
    }


def second_topic(tracker: Tracker, content: Content, main_intent: str) -> Product | None:
    """A second topic the resident also asked about (DIET ranking), or ``None``."""
    for ranked in tracker.latest_message.get("intent_ranking") or []:
        name, confidence = ranked.get("name"), ranked.get("confidence") or 0.0
        if name in (main_intent, NLU_FALLBACK) or confidence < MIXED_TOPIC_THRESHOLD:
            continue
        product = content.product_for_intent(name)
        if product is not None:
            return product
    return None


def utter_unknown(dispatcher: CollectingDispatcher, content: Content | None) -> None:
    """Say honestly that the assistant does not know, with a way to a human.

    Without content (file missing or invalid) a response without contact details is used.
    """
    if content is None:
        dispatcher.utter_message(response="utter_content_unavailable")
    else:
        dispatcher.utter_message(response="utter_topic_unknown", **content.template_values())


def repeat_count(tracker: Tracker, product: Product) -> int:
    """How often ``product`` was answered in a row before this question (0: it is new)."""
    if tracker.get_slot(CURRENT_TOPIC_SLOT) != product.key:
        return 0
    key, _, count = str(tracker.get_slot(TOPIC_DEPTH_SLOT) or "").partition(":")
    return int(count) + 1 if key == product.key and count.isdigit() else 1


def utter_product(
    dispatcher: CollectingDispatcher,
    content: Content,
    product: Product,
    tracker: Tracker,
    offer_signal: bool = True,
) -> list[EventType]:
    """Answer one product; asked again in a row: the next deeper answer, then a human.

    Args:
        dispatcher: Where the answer goes.
        content: The municipality content.
        product: The product to answer.
        tracker: The conversation (``current_topic``/``topic_depth`` tell a repeat).
        offer_signal: Offer the product's signal (``signal_offer``) after the answer.

    Returns:
        The slot events that remember the topic and how often it was asked.
    """
    values = product_values(content, product)
    repeat = repeat_count(tracker, product)
    events: list[EventType] = [
        SlotSet(CURRENT_TOPIC_SLOT, product.key),
        SlotSet(TOPIC_DEPTH_SLOT, f"{product.key}:{repeat}"),
    ]
    if repeat:
        if repeat <= len(product.more):
            dispatcher.utter_message(response="utter_topic_more", more=product.more[repeat - 1], **values)
        elif product.social:
            dispatcher.utter_message(response="utter_topic_repeat_human_social", **values)
        else:
            dispatcher.utter_message(response="utter_topic_repeat_human", **values)
        return events

    if product.other_body:
        dispatcher.utter_message(response="utter_other_body", **values)
        dispatcher.utter_message(response="utter_other_body_next", **values)
        if product.social:
            dispatcher.utter_message(response="utter_social_contact", **values)
    elif product.social:
        dispatcher.utter_message(response="utter_social_answer", **values)
        dispatcher.utter_message(response="utter_social_next", **values)
        dispatcher.utter_message(response="utter_social_contact", **values)
    else:
        dispatcher.utter_message(response="utter_product_answer", **values)
        dispatcher.utter_message(response="utter_product_next", **values)
        if product.bring:
            dispatcher.utter_message(response="utter_product_bring", **values)
        if product.appointment_needed and product.appointment_in_chat:
            dispatcher.utter_message(response="utter_product_appointment", **values)
        elif product.appointment_needed:
            dispatcher.utter_message(response="utter_product_appointment_elsewhere", **values)
        else:
            dispatcher.utter_message(response="utter_product_more_help", **values)
    if offer_signal and product.signal_offer:
        dispatcher.utter_message(response=f"utter_signals_offer_{product.signal_offer}", **values)
    return events


class ActionAnswerTopic(Action):
    """Answer a topic intent with the matching product from the municipality content."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the product answer, offer an appointment/human/second topic, remember the topic."""
        notice = privacy_notice(dispatcher, tracker)
        content = load_content_safely()
        intent = latest_intent(tracker)
        product = (
            content.product_for_intent(intent, product_hint(tracker), tracker.latest_message.get("text"))
            if content
            else None
        )
        if content is None or product is None:
            logger.info("no content product for intent %s", intent)
            utter_unknown(dispatcher, content)
            return notice

        events = utter_product(dispatcher, content, product, tracker)
        other = second_topic(tracker, content, product.intent)
        if other is not None:
            dispatcher.utter_message(
                response="utter_offer_other_topic",
                other_title=other.title,
                buttons=[{"title": other.button_title, "payload": f"/{other.intent}"}],
            )
        return [*notice, *events]


class ActionAnswerFollowup(Action):
    """Answer "wat kost dat?", "hoe lang duurt het?" or "wat moet ik meenemen?" about the topic."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_answer_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Answer about the named product or ``current_topic``; ask which product when unknown."""
        content = load_content_safely()
        if content is None:
            utter_unknown(dispatcher, None)
            return []
        product = content.find_product(product_hint(tracker)) or content.product(
            tracker.get_slot(CURRENT_TOPIC_SLOT)
        )
        if product is None:
            dispatcher.utter_message(response="utter_followup_which_product")
            return []

        response = FOLLOWUP_RESPONSES.get(latest_intent(tracker) or "", "utter_followup_costs")
        if response == "utter_followup_documents" and not product.bring:
            response = "utter_followup_documents_none"
        values = product_values(content, product)
        dispatcher.utter_message(response=response, **values)
        if response == "utter_followup_costs" and product.intent in PERMIT_CHECK_INTENTS:
            # "en wat kost die vergunning?" after a self-check: the fee and how long a decision takes
            dispatcher.utter_message(response="utter_followup_duration", **values)
        return [SlotSet(CURRENT_TOPIC_SLOT, product.key)]


class ActionOpeningHours(Action):
    """Tell whether the town hall desk is open now, when it opens next, and the weekly hours."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        """Create the action.

        Args:
            clock: Returns the current time (tests pass a fixed one).
        """
        self.clock = clock

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_opening_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the opening status and the summary of the opening hours."""
        content = load_content_safely()
        if content is None:
            utter_unknown(dispatcher, None)
            return []
        status = content.opening_status(self.clock())
        values: dict[str, Any] = {
            **content.template_values(),
            **status.template_values(content.weekday_names),
            "desk_name": content.opening_hours["desk_name"],
            "summary": content.opening_hours["summary"],
            "appointment_note": content.opening_hours.get("appointment_note", ""),
        }
        if status.holiday_name and not status.is_open:
            dispatcher.utter_message(response="utter_closed_holiday", **values)
        dispatcher.utter_message(response=status.response, **values)
        dispatcher.utter_message(response="utter_opening_hours_summary", **values)
        if values["appointment_note"]:
            dispatcher.utter_message(response="utter_opening_hours_appointment", **values)
        return []


class ActionContactInfo(Action):
    """Give the address, phone number, e-mail and website of the municipality."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_contact_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Utter the contact details from content."""
        content = load_content_safely()
        if content is None:
            utter_unknown(dispatcher, None)
            return []
        dispatcher.utter_message(response="utter_contact_info", **content.template_values())
        return []
