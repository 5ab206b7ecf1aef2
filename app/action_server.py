"""The action server, guarded: shared-secret header, JSON only, an internal address by default.

Rasa's ``action_endpoint`` sends the header from ``endpoints.yml``::

    action_endpoint:
      url: ${ACTION_SERVER_URL}
      headers:
        X-Action-Token: ${ACTION_SERVER_TOKEN}

Run with ``python -m app.action_server [--host 127.0.0.1] [--port 5055]``. Every request except
``GET /health`` needs the header (compared in constant time); ``POST /webhook`` also needs
``Content-Type: application/json``. The rest is rasa-sdk's own app (``rasa_sdk.endpoint``).
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk.endpoint import create_app as sdk_app
from sanic import Sanic, response
from sanic.request import Request

from app import registry
from foundation.municipality import of_slots, set_current
from foundation.settings import get_settings

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = frozenset({"/health"})


def set_conversation_municipality(request: Request) -> None:
    """Make the conversation's ``municipality`` slot current for this action call (issue 18).

    Sanic runs request middleware and the handler in the same task, so the context variable of
    :mod:`actions.municipality` holds for the action and the database work it starts.
    """
    try:
        slots = ((request.json or {}).get("tracker") or {}).get("slots")
    except Exception:  # a body that is not JSON: rasa-sdk answers it
        slots = None
    set_current(of_slots(slots if isinstance(slots, dict) else None))


def create_app(token: str | None = None, action_package: str = "actions") -> Sanic:
    """rasa-sdk's action server app with the token and content-type checks in front."""
    registry.register()
    expected = (token if token is not None else get_settings().action_server_token).encode()
    app = sdk_app(action_package, cors_origins=[])

    @app.on_request
    async def guard(request: Request) -> response.HTTPResponse | None:
        if request.path in OPEN_PATHS and request.method == "GET":
            return None
        given = (request.headers.get(TOKEN_HEADER) or "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            return response.json({"error": "unauthorized"}, status=401)
        if request.method == "POST":
            content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
            if content_type != "application/json":
                return response.json({"error": "JSON only"}, status=415)
            if request.path == "/webhook":
                set_conversation_municipality(request)
        return None

    @app.on_response
    async def forget_municipality(request: Request, resp: response.HTTPResponse) -> None:
        # requests of one keep-alive connection share a task: nothing carries over to the next
        set_current(None)

    return app


def main(argv: list[str] | None = None) -> None:
    """Start the guarded action server."""
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m app.action_server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=settings.action_server_host)
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    app = create_app()
    logger.info("action server on http://%s:%s", args.host, args.port)
    app.run(args.host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
