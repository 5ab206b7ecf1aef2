"""Conversation basics: session start with the introduction, fallback, cancel, human contact."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import municipality as m
from actions.content import content_or
from actions.privacy_notice import privacy_notice

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
INPUT_PROBLEM_ENTITY = "input_problem"
#: Answer per input problem detected by components/input_guard.py.
INPUT_PROBLEM_RESPONSES = {
    "empty": "utter_empty_message",
    "only_emoji": "utter_only_emoji",
    "too_long": "utter_message_too_long",
    "english": "utter_english",
}
#: Intents never offered as "did you mean" suggestions.
NOT_SUGGESTED = frozenset(
    {
        FALLBACK_INTENT,
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "inform",
        "dont_know",
        "cancel",
        "out_of_scope",
        "ask_costs",
        "ask_duration",
        "ask_documents",
        "answer_not_helpful",
    }
)
SUGGESTIONS = 2


def content_values() -> dict[str, Any]:
    """Template values of the current municipality (name, phone, ...), empty if unavailable."""
    return content_or(lambda content: dict(content.template_values()), {})


def topic_title(intent: str) -> str | None:
    """Return the resident-facing title of a topic intent from the content file, if any."""
    product = content_or(lambda content: content.product_for_intent(intent), None)
    return (getattr(product, "button_title", None) or getattr(product, "title", None)) if product else None


def introduced_without_reply(tracker: Tracker) -> bool:
    """True when this session already showed the introduction and the resident said nothing yet."""
    bot_spoke = False
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        kind = event.get("event")
        if kind == "session_started":
            # Rasa records the session start action's own messages just BEFORE session_started
            return bot_spoke or (index > 0 and events[index - 1].get("event") == "bot")
        if kind == "bot":
            bot_spoke = True
        if kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent != "session_start":
                return False
    return False


class ActionSessionStart(Action):
    """Starts a session and introduces the assistant (EU AI Act art. 50: it says it is a machine)."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # The channel decides once (issue 18): a municipality already stored is kept, so a later
        # session of the same conversation cannot switch; else the first message's metadata.
        stored = tracker.get_slot(m.SLOT)
        if m.get_deployment().knows(stored):
            name, refused = stored, False
        else:
            name, refused = m.resolve(m.requested(tracker.get_slot("session_started_metadata")))
        keep = [SlotSet(m.SLOT, name)]
        if introduced_without_reply(tracker):
            # e.g. the web chat's hidden /session_start right after Rasa started the session
            return [SessionStarted(), *keep, ActionExecuted("action_listen")]
        with m.use(name):
            values = content_values()
        if refused:
            dispatcher.utter_message(response="utter_municipality_unknown", **values)
        dispatcher.utter_message(response="utter_greet", **values)
        dispatcher.utter_message(response="utter_privacy_short", **values)
        # responses Rasa utters itself (utter_default) read the number from this slot
        phone = [SlotSet("municipality_phone", values["phone"])] if values.get("phone") else []
        return [SessionStarted(), *keep, *phone, ActionExecuted("action_listen")]


class ActionRequestHuman(Action):
    """Tells the resident how to reach a person (phone, hours, e-mail) from the content file."""

    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_request_human", **content_values())
        return []


def consecutive_fallbacks(tracker: Tracker) -> int:
    """Count the resident's latest messages in a row that were not understood (this one included)."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") != FALLBACK_INTENT:
            break
        count += 1
    return max(count, 1)


def suggested_intents(tracker: Tracker, limit: int = SUGGESTIONS) -> list[str]:
    """The most likely topic intents of the latest message that have a title to show."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    result: list[str] = []
    for item in ranking:
        name = item.get("name")
        if not name or name in NOT_SUGGESTED or name in result:
            continue
        if topic_title(name):
            result.append(name)
        if len(result) >= limit:
            break
    return result


class ActionFallback(Action):
    """Two-step fallback: first suggest the two likeliest topics, then offer a human.

    Bad input (empty, only emoji, too long, English) gets its own explanation first.
    """

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        notice = privacy_notice(dispatcher, tracker)
        problem = next(tracker.get_latest_entity_values(INPUT_PROBLEM_ENTITY), None)
        step = consecutive_fallbacks(tracker)
        if step >= 2:
            if problem in INPUT_PROBLEM_RESPONSES:
                dispatcher.utter_message(response=INPUT_PROBLEM_RESPONSES[problem], **content_values())
            dispatcher.utter_message(response="utter_fallback_human")
            return notice
        if problem in INPUT_PROBLEM_RESPONSES:
            dispatcher.utter_message(response=INPUT_PROBLEM_RESPONSES[problem], **content_values())
            return notice
        suggestions = suggested_intents(tracker)
        if suggestions:
            buttons = [{"title": topic_title(intent), "payload": f"/{intent}"} for intent in suggestions]
            dispatcher.utter_message(response="utter_fallback_clarify", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_fallback_rephrase")
        return notice


class ActionCancel(Action):
    """Stops the active form (if any), forgets what it asked, and says so."""

    def name(self) -> str:
        return "action_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # A form paused by the safety layer (actions/safety.py) is stopped the same way.
        loop = (tracker.active_loop or {}).get("name") or tracker.get_slot("paused_form")
        if not loop:
            dispatcher.utter_message(response="utter_nothing_to_cancel")
            return []
        form = (domain.get("forms") or {}).get(loop) or {}
        slots = form.get("required_slots") or []
        events: list[EventType] = [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("paused_form", None),
        ]
        events += [SlotSet(slot, None) for slot in slots]
        dispatcher.utter_message(response="utter_cancelled")
        return events
