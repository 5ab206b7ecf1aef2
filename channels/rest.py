"""REST channel that never stays silent (channel name stays ``rest``).

``POST /webhooks/rest/webhook`` with ``{"sender": ..., "message": ..., "metadata": {...}}``. Same as
Rasa's ``RestInput``, plus:

- when a non-empty message produced no bot message (Rasa 3.6 is silent when the action server is
  down), the resident gets the apology ``utter_action_server_down`` (:mod:`channels.silence`);
- the optional ``metadata`` object of the request is passed on to the tracker (e.g. the portal's
  ``auth_token``, see docs/authentication.md).
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.request import Request

from channels.silence import OnNewMessage, response_text, with_apology


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
        return super().blueprint(with_apology(on_new_message, response_text()))

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """The ``metadata`` object of the request body, if any."""
        body = request.json if request.json is not None else {}
        metadata = body.get("metadata") if isinstance(body, dict) else None
        return metadata if isinstance(metadata, dict) else None
