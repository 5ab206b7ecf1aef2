"""Privacy notice: ask kindly not to share health or criminal-record information in the chat.

``components.privacy_guard.PrivacyGuard`` adds ``privacy.categories`` to the parse data of each
message. When the latest message holds health or criminal-record information, the resident is told, in the
variant that fits (``utter_privacy_health`` / ``utter_privacy_criminal``), that they need not tell it
to be helped; for health, where to talk about it (the wijkteam). When health is the subject asked
about (Wmo, jeugd, mantelzorg) only one short line is said. Then the conversation simply continues.

Use :func:`privacy_notice` inside other actions (e.g. the topic answer and the fallback) or run
``action_privacy_notice`` as a step. The notice is given once per session
(slot ``privacy_notice_given``).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.content import Content, content_or

logger = logging.getLogger(__name__)

PRIVACY_KEY = "privacy"
HEALTH, CRIMINAL = "health", "criminal"
SPECIAL_CATEGORIES = frozenset({HEALTH, CRIMINAL})
#: Topics about health itself: a health mention there gets one short line, nothing more.
HEALTH_SUBJECT_INTENTS = frozenset({"wmo_support", "youth_care", "informal_care"})
NOTICE_GIVEN_SLOT = "privacy_notice_given"


def special_categories(tracker: Tracker) -> set[str]:
    """The special categories (``health``, ``criminal``) found in the latest message."""
    privacy = (tracker.latest_message or {}).get(PRIVACY_KEY) or {}
    return set(privacy.get("categories") or []) & SPECIAL_CATEGORIES


def wijkteam_values() -> dict[str, Any]:
    """Name, phone and hours of the wijkteam from the municipality content (empty if unavailable)."""

    def read(content: Content) -> dict[str, Any]:
        wijkteam = content.wijkteam
        return {
            "wijkteam_name": wijkteam["name"],
            "wijkteam_phone": wijkteam["phone"],
            "wijkteam_hours": wijkteam["hours"],
        }

    return content_or(read, {}, "wijkteam contact details")


def privacy_notice(dispatcher: CollectingDispatcher, tracker: Tracker, once: bool = True) -> list[EventType]:
    """Utter the notice that fits what the latest message holds (health and/or criminal record).

    * criminal-record information: ``utter_privacy_criminal`` (never said for health alone);
    * health information: ``utter_privacy_health`` (with where to talk about it: the wijkteam), or,
      when health *is* the subject asked about (Wmo, jeugd, mantelzorg), only the one short line
      ``utter_privacy_health_short``.

    Args:
        dispatcher: the action's dispatcher.
        tracker: the conversation.
        once: give the notice only once per session.

    Returns:
        The events to return from the calling action (empty when no notice was given).
    """
    categories = special_categories(tracker)
    if not categories:
        return []
    if once and tracker.get_slot(NOTICE_GIVEN_SLOT):
        return []
    if CRIMINAL in categories:
        dispatcher.utter_message(response="utter_privacy_criminal")
    if HEALTH in categories:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent in HEALTH_SUBJECT_INTENTS:
            dispatcher.utter_message(response="utter_privacy_health_short")
        else:
            values = wijkteam_values()
            if values:
                dispatcher.utter_message(response="utter_privacy_health", **values)
            else:
                dispatcher.utter_message(response="utter_privacy_health_no_contact")
    return [SlotSet(NOTICE_GIVEN_SLOT, True)]


class ActionPrivacyNotice(Action):
    """Gives the privacy notice when the latest message holds health or criminal-record data."""

    def name(self) -> str:
        return "action_privacy_notice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return privacy_notice(dispatcher, tracker)
