"""Delivery of one signal into the resident's conversation.

* Default: Rasa's external events API, ``POST {RASA_URL}/conversations/{sender_id}/trigger_intent
  ?output_channel=<channel>`` with ``{"name": "proactive_signal", "entities": {"signal_rule": ...,
  "signal_date": ...}}``; the rule ``proactive_signal -> action_deliver_signal`` then utters the
  rule's message with its follow-up buttons in that conversation.
* WhatsApp outside the 24-hour customer service window: free-form messages are not allowed, so the
  rule's approved template (``whatsapp_template`` in rules.yml) is sent through the WhatsApp sender.

Authentication to Rasa: ``RASA_TOKEN`` as ``?token=`` and/or, when ``RASA_JWT_SECRET`` is set, an
HS256 JWT ``{"user": {"username": "signal-engine", "role": "admin"}}`` as ``Authorization: Bearer``.
Any failure raises :class:`DeliveryError`; the caller keeps the signal pending.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from channels import whatsapp_ids
from channels.whatsapp_api import GraphApiClient
from channels.whatsapp_output import WhatsAppOutput, to_wa_id
from channels.whatsapp_store import contact_number, conversation_in_service_window
from foundation.db import run_db
from foundation.settings import Settings, get_settings
from integrations import rasa_api
from signals.rules import Rule

INTENT = "proactive_signal"
RULE_ENTITY = "signal_rule"
DATE_ENTITY = "signal_date"
WHATSAPP_CHANNEL = "whatsapp"
JWT_USERNAME = "signal-engine"
#: Send free-form only when the window stays open at least this long (delivery takes a moment).
WINDOW_MARGIN = timedelta(minutes=15)


class DeliveryError(Exception):
    """The signal could not be delivered now; try again on the next run."""


def trigger_body(rule: Rule, details: dict[str, Any]) -> dict[str, Any]:
    """The ``trigger_intent`` body of a signal."""
    entities = {RULE_ENTITY: rule.id}
    if details.get("date"):
        entities[DATE_ENTITY] = str(details["date"])
    return {"name": INTENT, "entities": entities}


def template_components(rule: Rule, details: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Body parameters of the rule's WhatsApp template, in the order rules.yml lists them."""
    if rule.whatsapp_template is None or not rule.whatsapp_template.body_parameters:
        return None
    parameters = [
        {"type": "text", "text": str(details.get(name, ""))}
        for name in rule.whatsapp_template.body_parameters
    ]
    return [{"type": "body", "parameters": parameters}]


class Deliverer:
    """Sends signals; one instance per engine run (holds the HTTP clients).

    Args:
        settings: Settings (Rasa URL and auth, WhatsApp credentials).
        rasa_transport: Optional httpx transport for the Rasa client (tests).
        whatsapp_api: Optional WhatsApp sender (``channels.whatsapp_api.GraphApiClient``; tests).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        rasa_transport: httpx.AsyncBaseTransport | None = None,
        whatsapp_api: Any | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self._rasa = rasa_api.make_rasa_http(self.settings, rasa_transport)
        self._whatsapp_api = whatsapp_api
        self._own_whatsapp_api = whatsapp_api is None
        self._other_apis: dict[str, Any] = {}  # other municipalities' numbers (issue 18)

    async def aclose(self) -> None:
        """Close the HTTP clients."""
        await self._rasa.aclose()
        if self._whatsapp_api is not None and self._own_whatsapp_api:
            await self._whatsapp_api.aclose()
        for api in self._other_apis.values():
            await api.aclose()

    async def __aenter__(self) -> Deliverer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def deliver(
        self, rule: Rule, details: dict[str, Any], channel: str, sender_id: str, now: datetime
    ) -> str:
        """Deliver one signal; returns how (``rasa:<channel>`` or ``whatsapp_template``).

        Raises:
            DeliveryError: Rasa or WhatsApp failed or refused; nothing was (knowingly) delivered.
        """
        if channel == WHATSAPP_CHANNEL and not await self._in_window(sender_id, now):
            await self._send_template(rule, details, sender_id)
            return "whatsapp_template"
        await self.trigger(rule, details, channel, sender_id)
        return f"rasa:{channel or 'latest'}"

    async def trigger(self, rule: Rule, details: dict[str, Any], channel: str, sender_id: str) -> None:
        """Trigger ``proactive_signal`` in conversation ``sender_id`` through Rasa's HTTP API."""
        try:
            response = await rasa_api.trigger_intent(
                self._rasa,
                self.settings,
                JWT_USERNAME,
                sender_id,
                trigger_body(rule, details),
                output_channel=channel or "latest",
            )
        except rasa_api.UnaddressableConversation as exc:
            raise DeliveryError(str(exc)) from exc
        except httpx.HTTPError as exc:
            raise DeliveryError(f"rasa unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 300:
            raise DeliveryError(f"rasa trigger_intent -> HTTP {response.status_code}")

    async def _in_window(self, sender_id: str, now: datetime) -> bool:
        # WhatsApp's window is per resident and business number: per conversation (issue 18)
        return await run_db(conversation_in_service_window, sender_id, now + WINDOW_MARGIN)

    def _api(self) -> Any:
        if self._whatsapp_api is None:
            s = self.settings
            self._whatsapp_api = GraphApiClient(
                s.whatsapp_graph_url, s.whatsapp_phone_number_id, s.whatsapp_access_token
            )
        return self._whatsapp_api

    async def _api_of_recipient(self, sender_id: str) -> Any:
        """The sender of the conversation's municipality's number (issue 18), else the configured one."""
        wa_id = await run_db(to_wa_id, sender_id)  # the number behind the pseudonym (a database read)
        number = await run_db(contact_number, wa_id) if wa_id else None
        if wa_id:  # issue 18: the number of this conversation's municipality
            number = whatsapp_ids.business_number(sender_id, wa_id, number)
        s = self.settings
        if not number or number == s.whatsapp_phone_number_id or not self._own_whatsapp_api:
            return self._api()
        if number not in self._other_apis:
            self._other_apis[number] = GraphApiClient(s.whatsapp_graph_url, number, s.whatsapp_access_token)
        return self._other_apis[number]

    async def _send_template(self, rule: Rule, details: dict[str, Any], sender_id: str) -> None:
        if rule.whatsapp_template is None:
            raise DeliveryError(f"rule {rule.id} has no WhatsApp template and the 24-hour window is closed")
        output = WhatsAppOutput(self._api(), api_for=self._api_of_recipient)
        answer = await output.send_template(
            sender_id,
            rule.whatsapp_template.name,
            language=rule.whatsapp_template.language,
            components=template_components(rule, details),
        )
        if answer is None:
            raise DeliveryError("whatsapp template send failed")
