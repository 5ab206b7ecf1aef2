"""The one Rasa HTTP API client (integrations/rasa_api.py)."""

from __future__ import annotations

import jwt
import pytest

from foundation.settings import Settings, get_settings
from integrations.rasa_api import rasa_auth


def test_rasa_auth_without_settings_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    monkeypatch.delenv("RASA_JWT_SECRET", raising=False)
    get_settings.cache_clear()
    assert rasa_auth(get_settings(), "employee-tool") == ({}, {})
    get_settings.cache_clear()


def test_rasa_auth_names_the_caller_in_the_jwt() -> None:
    settings = Settings(rasa_token="tok", rasa_jwt_secret="jwt-secret-for-tests-32-bytes-long")
    params, headers = rasa_auth(settings, "signal-engine", now=1000)
    assert params == {"token": "tok"}
    claims = jwt.decode(
        headers["Authorization"].removeprefix("Bearer "),
        "jwt-secret-for-tests-32-bytes-long",
        algorithms=["HS256"],
        options={"verify_exp": False},
    )
    assert claims == {"user": {"username": "signal-engine", "role": "admin"}, "iat": 1000, "exp": 1300}


@pytest.mark.parametrize("sender_id", ["web:" + "ab" * 16, "wa:" + "cd" * 16, "4f0c2a"])
async def test_trigger_intent_reaches_the_conversation_rasa_stores(sender_id: str) -> None:
    """Rasa's route is ``/conversations/<conversation_id:path>/trigger_intent`` and Sanic does not
    unquote a ``path`` parameter: a quoted ``web%3A...`` was a new, empty conversation, so an
    employee's answer or a signal never reached a web chat or WhatsApp resident."""
    import socket
    import uuid

    import httpx
    from sanic import Sanic, response

    from integrations.rasa_api import trigger_intent

    Sanic.test_mode = True
    app = Sanic(f"rasa_{uuid.uuid4().hex}", configure_logging=False)
    seen: list[str] = []

    @app.post("/conversations/<conversation_id:path>/trigger_intent")
    async def trigger(_: object, conversation_id: str) -> response.HTTPResponse:
        seen.append(conversation_id)
        return response.json({})

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await server.startup()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}") as http:
            await trigger_intent(http, Settings(), "test", sender_id, {"name": "human_reply"})
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
    assert seen == [sender_id]
