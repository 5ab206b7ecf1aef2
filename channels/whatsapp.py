"""WhatsApp (Meta WhatsApp Cloud API) input channel for Rasa 3.6.

Registered in ``credentials.yml`` as ``channels.whatsapp.WhatsAppInput``; Rasa serves it under
``/webhooks/whatsapp/``:

* ``GET  /webhooks/whatsapp/webhook``: Meta's verification (``hub.mode``, ``hub.verify_token``,
  ``hub.challenge``).
* ``POST /webhooks/whatsapp/webhook``: notifications. The ``X-Hub-Signature-256`` header (HMAC-SHA256
  of the raw body with the app secret) is checked before anything else; the request is then
  acknowledged at once and processed in a background task.

Processing: every message id (``wamid...``) is claimed in the database first, so a redelivered
webhook never makes the assistant answer twice (also across restarts and workers sharing the
database). The time of the resident's last message is stored for the 24-hour window. The Rasa
conversation id is a keyed pseudonym of the number (:mod:`channels.whatsapp_ids`), so the tracker
store and the logs never hold the number. Text and
reply buttons/list rows go to Rasa; media and locations become the intent ``/unsupported_media``
(the answer text lives in domain/channels.yml); delivery statuses and reactions are ignored.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import whatsapp_ids, whatsapp_store
from channels.guard import guarded
from channels.silence import response_text, with_apology
from channels.whatsapp_api import GraphApiClient
from channels.whatsapp_output import DEFAULT_LIST_BUTTON, WhatsAppOutput, reply_text, to_wa_id
from foundation.clock import utcnow
from foundation.db import run_db
from foundation.municipality import get_deployment
from foundation.settings import Settings, get_settings

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
#: Intent payload sent to Rasa for messages the assistant cannot read (photos, voice, ...).
UNSUPPORTED_MEDIA_PAYLOAD = "/unsupported_media"
UNSUPPORTED_TYPES = frozenset(
    {
        "image",
        "audio",
        "voice",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "order",
        "unsupported",
    }
)
#: Seconds the server waits for running message tasks when it stops.
SHUTDOWN_GRACE = 10.0

_CREDENTIAL_SETTINGS = {
    "verify_token": "whatsapp_verify_token",
    "app_secret": "whatsapp_app_secret",
    "access_token": "whatsapp_access_token",
    "phone_number_id": "whatsapp_phone_number_id",
    "graph_url": "whatsapp_graph_url",
}

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """Check ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`` in constant time."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    provided = header[len("sha256=") :].strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected.encode("ascii"), provided)


def message_text(message: dict[str, Any]) -> str | None:
    """The text to hand to Rasa for one inbound WhatsApp message, or None to ignore it."""
    kind = message.get("type")
    if kind == "text":
        return str((message.get("text") or {}).get("body") or "")
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply")
        return reply_text(reply.get("id"), reply.get("title")) if reply else None
    if kind == "button":  # quick reply button of a template message
        button = message.get("button") or {}
        return reply_text(button.get("payload"), button.get("text"))
    if kind in UNSUPPORTED_TYPES:
        return UNSUPPORTED_MEDIA_PAYLOAD
    return None  # reactions, system messages, ...


_CHOICE_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def chosen_option(text: str, choices: list[str]) -> str:
    """``text``, or the option it picks when it is just a number of the numbered ``choices``."""
    match = _CHOICE_NUMBER.match(text)
    if match and choices and 1 <= int(match.group(1)) <= len(choices):
        return choices[int(match.group(1)) - 1]
    return text


def _timestamp(message: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(int(message["timestamp"]), tz=timezone.utc)
    except (KeyError, TypeError, ValueError, OverflowError):
        return utcnow()


class WhatsAppInput(InputChannel):
    """Rasa input channel for the WhatsApp Cloud API."""

    @classmethod
    def name(cls) -> str:
        """Name of the channel; also the URL prefix ``/webhooks/whatsapp``."""
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppInput:
        """Build the channel from ``credentials.yml``; missing or empty keys come from the settings.

        Args:
            credentials: The mapping under ``channels.whatsapp.WhatsAppInput`` (may be None).
        """
        credentials = credentials or {}
        settings = get_settings()
        values: dict[str, str] = {}
        for key, setting in _CREDENTIAL_SETTINGS.items():
            value = credentials.get(key)
            values[key] = str(value) if value not in (None, "") else getattr(settings, setting)
        if values["app_secret"] == Settings().whatsapp_app_secret:
            logger.warning("WhatsApp channel uses the local development app secret; set WHATSAPP_APP_SECRET.")
        return cls(
            verify_token=values["verify_token"],
            app_secret=values["app_secret"],
            access_token=values["access_token"],
            phone_number_id=values["phone_number_id"],
            graph_url=values["graph_url"],
            list_button_label=str(credentials.get("list_button_label") or DEFAULT_LIST_BUTTON),
        )

    def __init__(
        self,
        verify_token: str,
        app_secret: str,
        access_token: str,
        phone_number_id: str,
        graph_url: str,
        list_button_label: str = DEFAULT_LIST_BUTTON,
        api: GraphApiClient | None = None,
    ) -> None:
        """Create the channel.

        Args:
            verify_token: Token Meta sends back when verifying the webhook URL.
            app_secret: Secret of the Meta app; signs every notification.
            access_token: Token to send messages with.
            phone_number_id: Id of the business phone number.
            graph_url: Graph API base URL with version.
            list_button_label: Default label of the button that opens a list.
            api: Graph API sender (default: one built from the arguments above).
        """
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.phone_number_id = phone_number_id
        self.list_button_label = list_button_label
        self.api = api or GraphApiClient(graph_url, phone_number_id, access_token)
        self._graph_url, self._access_token = graph_url, access_token
        #: Senders of the other municipalities' numbers (issue 18), built on first use.
        self._apis: dict[str, GraphApiClient] = {phone_number_id: self.api}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._locks: dict[str, list[Any]] = {}

    def api_for(self, phone_number_id: str | None) -> GraphApiClient:
        """The sender of the business number that received a message (same app, same token)."""
        if not phone_number_id or phone_number_id not in self._apis:
            if not phone_number_id:
                return self.api
            self._apis[phone_number_id] = GraphApiClient(self._graph_url, phone_number_id, self._access_token)
        return self._apis[phone_number_id]

    async def api_of_recipient(self, recipient_id: str) -> GraphApiClient:
        """The sender of the number of the conversation's municipality (else the channel's own number)."""
        wa_id = await run_db(to_wa_id, recipient_id)  # the number behind the pseudonym (a database read)
        number = await run_db(whatsapp_store.contact_number, wa_id) if wa_id else None
        if wa_id:
            # issue 18: the number of this conversation's municipality, not just the last one written to
            number = whatsapp_ids.business_number(recipient_id, wa_id, number)
        return self.api_for(number)

    def get_output_channel(self) -> OutputChannel:
        """Output channel for messages Rasa sends on its own (e.g. ``trigger_intent``).

        An employee's answer or a signal goes out from the number the resident wrote to (issue 18).
        """
        return WhatsAppOutput(self.api, self.list_button_label, api_for=self.api_of_recipient)

    # ----- background tasks -----

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)  # keep a reference: the loop holds tasks only weakly
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("WhatsApp webhook processing failed", exc_info=task.exception())

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until all running background tasks are finished (shutdown, tests)."""
        while self._tasks:
            done, _ = await asyncio.wait(set(self._tasks), timeout=timeout)
            if not done:
                return

    @asynccontextmanager
    async def _sender_lock(self, wa_id: str) -> AsyncIterator[None]:
        """Handle one resident's messages one at a time, in arrival order."""
        entry = self._locks.setdefault(wa_id, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._locks.pop(wa_id, None)

    # ----- processing -----

    async def process_notification(self, payload: dict[str, Any], on_new_message: OnNewMessage) -> None:
        """Handle every message in a (signature-checked) webhook notification."""
        for entry in payload.get("entry") or []:
            for change in entry.get("changes") or []:
                if change.get("field") != "messages":
                    continue
                value = change.get("value") or {}
                number_id = (value.get("metadata") or {}).get("phone_number_id")
                number_id = str(number_id) if number_id else None
                # issue 18: a number of content/municipalities.yml brings its municipality
                municipality = get_deployment().for_whatsapp_number(number_id)
                own = not number_id or not self.phone_number_id or number_id == self.phone_number_id
                if not own and municipality is None:
                    logger.warning("WhatsApp notification for another phone number id ignored")
                    continue
                if own and number_id == self.phone_number_id:
                    municipality = None  # the channel's own number: the default municipality
                for status in value.get("statuses") or []:
                    if status.get("status") == "failed":
                        logger.warning("WhatsApp message delivery failed: %s", status.get("errors"))
                for message in value.get("messages") or []:
                    try:
                        await self._handle_message(message, on_new_message, number_id, municipality)
                    except Exception:
                        logger.exception("WhatsApp message %s could not be handled", message.get("id"))

    async def _handle_message(
        self,
        message: dict[str, Any],
        on_new_message: OnNewMessage,
        number_id: str | None = None,
        municipality: str | None = None,
    ) -> None:
        message_id, wa_id = message.get("id"), message.get("from")
        text = message_text(message)
        if not message_id or not wa_id or text is None:
            logger.debug("WhatsApp message of type %s ignored", message.get("type"))
            return
        async with self._sender_lock(str(wa_id)):
            if not await run_db(whatsapp_store.claim_message, str(message_id)):
                logger.info("WhatsApp message %s was delivered before; skipped", message_id)
                return
            await run_db(whatsapp_store.touch_contact, str(wa_id), _timestamp(message), number_id)
            # the conversation is a pseudonym; the number stays here, for delivery only (issue 13)
            # issue 18: one conversation per municipality the resident writes to
            conversation = await run_db(whatsapp_ids.remember, str(wa_id), _timestamp(message), municipality)
            choices = await run_db(whatsapp_store.take_choices, conversation)
            if message.get("type") == "text":
                text = chosen_option(text, choices)
            metadata = {"channel": "whatsapp", "message_id": str(message_id)}  # no number (issue 13)
            if municipality:
                metadata["municipality"] = municipality
            user_message = UserMessage(
                text,
                WhatsAppOutput(self.api_for(number_id), self.list_button_label),
                conversation,
                input_channel=self.name(),
                message_id=str(message_id),
                metadata=metadata,
            )
            await on_new_message(user_message)

    # ----- HTTP -----

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Sanic blueprint with the webhook routes."""
        # a resident never goes unanswered, also when the action server is down
        # texts are capped and typed system intents become plain text first (channels/guard.py)
        on_new_message = with_apology(guarded(on_new_message, self.name()), response_text())
        webhook = Blueprint("whatsapp_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if (
                request.args.get("hub.mode") == "subscribe"
                and self.verify_token
                and hmac.compare_digest(token.encode("utf-8"), self.verify_token.encode("utf-8"))
            ):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("WhatsApp webhook verification refused (wrong mode or verify token)")
            return response.text("forbidden", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            header = request.headers.get(SIGNATURE_HEADER)
            if not header:
                logger.warning("WhatsApp webhook without %s refused", SIGNATURE_HEADER)
                return response.text("missing signature", status=401)
            if not signature_valid(self.app_secret, request.body or b"", header):
                logger.warning("WhatsApp webhook with a wrong signature refused")
                return response.text("invalid signature", status=403)
            try:
                payload = json.loads(request.body)
            except ValueError:
                return response.text("invalid json", status=400)
            if isinstance(payload, dict) and payload.get("object") == "whatsapp_business_account":
                self._spawn(self.process_notification(payload, on_new_message))
            return response.text("ok")

        @webhook.listener("before_server_stop")
        async def stop(*_: Any) -> None:
            await self.drain(timeout=SHUTDOWN_GRACE)
            for api in {id(a): a for a in [self.api, *self._apis.values()]}.values():
                await api.aclose()

        return webhook
