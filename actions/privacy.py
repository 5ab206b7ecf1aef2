"""Privacy notice: ask kindly not to share health or criminal-record information in the chat.

``components.privacy_guard.PrivacyGuard`` adds ``privacy.categories`` to the parse data of each
message. When the latest message holds health or criminal-record information, the resident is told
(``utter_privacy_special_category``) that this chat is not the place for it and where it can be
shared safely: the wijkteam, by phone. Then the conversation simply continues.

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

logger = logging.getLogger(__name__)

PRIVACY_KEY = "privacy"
SPECIAL_CATEGORIES = frozenset({"health", "criminal"})
NOTICE_GIVEN_SLOT = "privacy_notice_given"


def special_categories(tracker: Tracker) -> set[str]:
    """The special categories (``health``, ``criminal``) found in the latest message."""
    privacy = (tracker.latest_message or {}).get(PRIVACY_KEY) or {}
    return set(privacy.get("categories") or []) & SPECIAL_CATEGORIES


def wijkteam_values() -> dict[str, Any]:
    """Name, phone and hours of the wijkteam from the municipality content (empty if unavailable)."""
    try:
        from actions.content import get_content

        wijkteam = get_content().wijkteam
        return {
            "wijkteam_name": wijkteam["name"],
            "wijkteam_phone": wijkteam["phone"],
            "wijkteam_hours": wijkteam["hours"],
        }
    except Exception:  # content problems must never silence the assistant
        logger.exception("wijkteam contact details could not be loaded")
        return {}


def privacy_notice(dispatcher: CollectingDispatcher, tracker: Tracker, once: bool = True) -> list[EventType]:
    """Utter the notice if the latest message holds special-category data.

    Args:
        dispatcher: the action's dispatcher.
        tracker: the conversation.
        once: give the notice only once per session.

    Returns:
        The events to return from the calling action (empty when no notice was given).
    """
    if not special_categories(tracker):
        return []
    if once and tracker.get_slot(NOTICE_GIVEN_SLOT):
        return []
    values = wijkteam_values()
    if values:
        dispatcher.utter_message(response="utter_privacy_special_category", **values)
    else:
        dispatcher.utter_message(response="utter_privacy_special_category_no_contact")
    return [SlotSet(NOTICE_GIVEN_SLOT, True)]


class ActionPrivacyNotice(Action):
    """Gives the privacy notice when the latest message holds health or criminal-record data."""

    def name(self) -> str:
        return "action_privacy_notice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return privacy_notice(dispatcher, tracker)
