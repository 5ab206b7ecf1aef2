"""REST channel that never stays silent (channel name stays ``rest``).

``POST /webhooks/rest/webhook`` with ``{"sender": ..., "message": ..., "metadata": {...}}``. Same as
Rasa's ``RestInput``, plus:

- when a non-empty message produced no bot message (Rasa 3.6 is silent when the action server is
  down), the resident gets the apology ``utter_action_server_down`` (:mod:`channels.silence`);
- the optional ``metadata`` object of the request is passed on to the tracker (e.g. the portal's
  ``auth_token``, see docs/authentication.md);
- (issue 13) a body that is not a JSON object, a missing or malformed ``sender`` (no shared
  "default" conversation, no other channel's ``wa:``/``web:`` ids) or a non-text ``message`` get
  HTTP 400; ``input_channel`` in the body is ignored (always ``rest``); the text goes through
  :mod:`channels.guard` (size cap, typed system intents). The production profile has no REST channel.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from channels.guard import guarded
from channels.silence import OnNewMessage, response_text, with_apology

#: A REST conversation id: letters, digits, ``-``, ``_``, ``.``; no ``:`` (channel prefixes).
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def _body(request: Request) -> dict[str, Any]:
    body = request.json  # malformed JSON: Sanic answers 400 itself
    if not isinstance(body, dict):
        raise InvalidUsage("the body must be a JSON object")
    return body


class ApologeticRestInput(RestInput):
    """Rasa's REST input channel with an apology instead of silence."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The REST webhook with ``on_new_message`` wrapped by :func:`channels.silence.with_apology`.

        The apology is read from the domain here, when Rasa mounts the channel, so a broken domain
        fails at start-up instead of at the moment an apology is needed.
        """
        return super().blueprint(with_apology(guarded(on_new_message, self.name()), response_text()))

    async def _extract_sender(self, req: Request) -> str | None:
        sender = _body(req).get("sender")
        if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
            raise InvalidUsage("sender must be 1-128 letters, digits, '-', '_' or '.'")
        return sender

    def _extract_message(self, req: Request) -> str | None:
        message = _body(req).get("message")
        if not isinstance(message, str):
            raise InvalidUsage("message must be text")
        return message

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()  # never what the body says

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """The ``metadata`` object of the request body, if any."""
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None
