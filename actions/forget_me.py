""" "Forget me": the resident asks to erase the conversation (AVG art. 17).

``action_forget_me_confirm`` asks for confirmation (``utter_ask_forget_me``, buttons Ja/Nee).
On "ja" (rule in data/rules/privacy.yml) ``action_forget_me`` deletes the conversation from the
tracker database and everything registered in ``privacy.forget`` (signal consents, contact details
in tickets, ...), says so (``utter_forgotten``) and restarts the conversation. The masking tracker
store then also drops what Rasa would otherwise write back of this session.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher

from actions.auth import verified_bsn
from actions.content import content_or
from foundation.db import run_db
from privacy.forget import ForgetRequest, forget

logger = logging.getLogger(__name__)

AFFIRM_INTENT = "affirm"


class ActionForgetMeConfirm(Action):
    """Asks whether the resident really wants the conversation erased."""

    def name(self) -> str:
        return "action_forget_me_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_forget_me")
        return []


class ActionForgetMe(Action):
    """Erases the conversation and linked data after confirmation, then restarts."""

    def name(self) -> str:
        return "action_forget_me"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent != AFFIRM_INTENT:
            # Never erase without an explicit "ja" (e.g. when predicted outside the rule).
            dispatcher.utter_message(response="utter_forget_me_cancelled")
            return []
        # with a verified identity, data kept under the BSN (e.g. signal consents given in
        # another conversation) is deleted too
        request = ForgetRequest(sender_id=tracker.sender_id, resident_bsn=verified_bsn(tracker))
        report = await run_db(functools.partial(forget, request))
        if report.complete:
            dispatcher.utter_message(response="utter_forgotten")
        else:
            logger.error("forget me incomplete; failed sources: %s", report.failed)
            dispatcher.utter_message(response="utter_forget_me_failed", **_contact_values())
        return [Restarted()]


def _contact_values() -> dict[str, Any]:
    return content_or(
        lambda content: {"phone": content.contact["phone"], "email": content.contact["email"]}, {}
    )
