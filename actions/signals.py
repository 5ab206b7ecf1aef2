"""Proactive signals in the conversation: opt-in, opt-out and delivery (package ``signals/``).

* ``action_signals_offer`` (intent ``subscribe_signals``): needs a verified identity (portal token,
  :func:`actions.auth.verified_bsn`); without it ``utter_signals_need_login``. With it
  ``utter_signals_explain``: what is sent, how often, from which data, how to stop; buttons Ja/Nee.
* ``action_signals_subscribe`` (rule: after the offer, ``affirm``): checks the identity again and
  records the consent with the version of the consent text (``consent.text_version`` in
  signals/rules.yml). Only this action ever creates a consent.
* ``action_signals_unsubscribe`` (intent ``unsubscribe_signals``): no login needed and no question
  asked; it takes effect at once for this conversation, and for the resident when verified.
* ``action_deliver_signal`` (external intent ``proactive_signal`` triggered by the signal engine):
  utters the rule's message with its follow-up buttons and the stop button.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.auth import verified_bsn
from actions.conversation import content_values
from actions.municipality import current
from foundation.db import run_db
from integrations.rasa_api import is_system_message
from signals import store
from signals.delivery import DATE_ENTITY, RULE_ENTITY
from signals.rules import RulesError, load_rules, rules_for

logger = logging.getLogger(__name__)

AFFIRM_INTENT = "affirm"
DENY_INTENT = "deny"
#: A typed (un)subscribe below this NLU confidence is checked with a yes/no question first, so an
#: off-topic command ("herinner me aan de tandarts") never starts or stops the signals by mistake.
#: Buttons (payload "/unsubscribe_signals") have confidence 1.0 and act at once.
GUARD_MIN_CONFIDENCE = 0.7
EXPLAIN = "utter_signals_explain"
SUBSCRIBE_CHECK = "utter_signals_subscribe_check"
UNSUBSCRIBE_CHECK = "utter_signals_unsubscribe_check"


def needs_check(tracker: Tracker) -> bool:
    """True when the latest message is typed text whose intent confidence is below the guard."""
    message = tracker.latest_message or {}
    if str(message.get("text") or "").startswith("/"):
        return False
    confidence = float((message.get("intent") or {}).get("confidence") or 0.0)
    return confidence < GUARD_MIN_CONFIDENCE


def last_bot_response(tracker: Tracker) -> str | None:
    """The response name (``utter_action``) of the bot's last message before the latest user message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            return (event.get("metadata") or {}).get("utter_action")
    return None


def utter_explanation(dispatcher: CollectingDispatcher) -> None:
    """What is sent; which data and where it arrives; how to stop plus the question (Ja/Nee)."""
    dispatcher.utter_message(response="utter_signals_explain_what")
    dispatcher.utter_message(response="utter_signals_explain_data")
    dispatcher.utter_message(response=EXPLAIN)


def _intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def _entity(tracker: Tracker, name: str) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value") not in (None, ""):
            return str(entity["value"])
    return None


class ActionSignalsOffer(Action):
    """Explains the signals and asks for consent (or asks to log in first)."""

    def name(self) -> str:
        return "action_signals_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if _intent(tracker) == "subscribe_signals" and needs_check(tracker):
            dispatcher.utter_message(response=SUBSCRIBE_CHECK)
            return []
        if verified_bsn(tracker) is None:
            dispatcher.utter_message(response="utter_signals_need_login")
            return []
        utter_explanation(dispatcher)
        return []


class ActionSignalsSubscribe(Action):
    """Records the consent after an explicit "ja" to the explanation."""

    def name(self) -> str:
        return "action_signals_subscribe"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asked = last_bot_response(tracker)
        if _intent(tracker) != AFFIRM_INTENT:
            # Never record consent without an explicit "ja" (e.g. when predicted outside the rule).
            in_context = asked in (EXPLAIN, SUBSCRIBE_CHECK, None)
            answer = "utter_signals_not_subscribed" if in_context else "utter_deny_no_context"
            dispatcher.utter_message(response=answer)
            return []
        if asked == SUBSCRIBE_CHECK:
            # "ja" to "do you mean the signals?": now the explanation; consent needs a second "ja"
            if verified_bsn(tracker) is None:
                dispatcher.utter_message(response="utter_signals_need_login")
            else:
                utter_explanation(dispatcher)
            return []
        if asked not in (EXPLAIN, None):
            dispatcher.utter_message(response="utter_affirm_no_context")
            return []
        bsn = verified_bsn(tracker)
        if bsn is None:
            dispatcher.utter_message(response="utter_signals_need_login")
            return []
        try:
            version = load_rules().consent_text_version
            await run_db(
                functools.partial(
                    store.record_consent,
                    bsn,
                    tracker.get_latest_input_channel() or "",
                    tracker.sender_id,
                    version,
                )
            )
        except Exception:  # noqa: BLE001 - the resident gets an answer, the log the reason
            logger.exception("recording the signal consent failed")
            dispatcher.utter_message(response="utter_signals_failed")
            return []
        dispatcher.utter_message(response="utter_signals_subscribed")
        return []


class ActionSignalsUnsubscribe(Action):
    """Opt-out, effective at once: no more signals for this conversation (and resident, if known)."""

    def name(self) -> str:
        return "action_signals_unsubscribe"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = _intent(tracker)
        asked = last_bot_response(tracker)
        if intent in (AFFIRM_INTENT, DENY_INTENT):
            # the answer to the check question (rule: action_signals_unsubscribe -> affirm/deny)
            if asked != UNSUBSCRIBE_CHECK:
                no_context = "utter_affirm_no_context" if intent == AFFIRM_INTENT else "utter_deny_no_context"
                dispatcher.utter_message(response=no_context)
                return []
            if intent == DENY_INTENT:
                dispatcher.utter_message(response="utter_signals_unsubscribe_kept")
                return []
        elif needs_check(tracker):
            dispatcher.utter_message(response=UNSUBSCRIBE_CHECK)
            return []
        bsn = verified_bsn(tracker)
        try:
            revoked = await run_db(functools.partial(store.revoke_consents, tracker.sender_id, bsn))
        except Exception:  # noqa: BLE001
            logger.exception("revoking signal consents failed")
            dispatcher.utter_message(response="utter_signals_unsubscribe_failed")
            return []
        if revoked:
            dispatcher.utter_message(response="utter_signals_unsubscribed")
        elif bsn is None:
            dispatcher.utter_message(response="utter_signals_not_found_login")
        else:
            dispatcher.utter_message(response="utter_signals_not_found")
        return []


def _own_text(text: str | None, values: dict[str, str]) -> str | None:
    """A municipality's own signal text with its values filled in (``None``: use the response)."""
    if not text:
        return None
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):  # scripts/validate_content.py refuses such a text
        logger.error("signal text of the municipality has an unknown placeholder; the response is used")
        return None


class ActionDeliverSignal(Action):
    """Utters the message of the signal rule named by the ``signal_rule`` entity, with buttons."""

    def name(self) -> str:
        return "action_deliver_signal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not is_system_message(tracker):
            logger.warning("typed proactive_signal refused")
            dispatcher.utter_message(response="utter_system_intent_refused")
            return []
        rule_id = _entity(tracker, RULE_ENTITY)
        try:
            rules = rules_for(current())  # the conversation's municipality's rules (issue 18)
        except RulesError:
            logger.exception("signal rules invalid; signal %s not shown", rule_id)
            return []
        rule = rules.get(rule_id) if rule_id else None
        if rule is None or not rule.enabled:
            logger.warning("proactive_signal with unknown or disabled rule %r ignored", rule_id)
            return []
        values = {
            "signal_date": _entity(tracker, DATE_ENTITY) or "",
            # the sender is the conversation's own municipality (issue 18)
            "municipality_name": content_values().get("municipality_name", "gemeente"),
        }
        text = _own_text(rule.text, values)  # the municipality's own text, from its content (issue 18)
        if text:
            dispatcher.utter_message(text=text, buttons=rules.buttons(rule))
        else:
            dispatcher.utter_message(response=rule.message, buttons=rules.buttons(rule), **values)
        return []
