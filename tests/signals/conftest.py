"""Fixtures of the signal tests: a fresh database, a fake Rasa on loopback, the BRP stand-in.

The fake Rasa is a tiny aiohttp app that records every ``trigger_intent`` call and can be told to
fail the next N calls (HTTP 500) or to run a callback while a call is handled.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from foundation import db
from foundation.settings import Settings, get_settings
from privacy import tracker_db
from signals.rules import RuleSet, load_rules
from tests.backend.conftest import backend_faults, backend_server  # noqa: F401 - the BRP stand-in

PORTAL_SECRET = "test-portal-secret-for-signals-32-bytes"


@pytest.fixture(autouse=True)
def database(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite database per test, and a known portal-token secret and pseudonym key."""
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PORTAL_TOKEN_SECRET", PORTAL_SECRET)
    monkeypatch.setenv("PSEUDONYM_KEY", "test-pseudonym-key")
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    get_settings.cache_clear()
    db.dispose_engines()
    yield url
    db.dispose_engines()
    tracker_db.dispose_tracker_engines()
    get_settings.cache_clear()


@dataclass
class FakeRasa:
    """State of the fake Rasa HTTP API."""

    url: str = ""
    attempts: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)
    failures: int = 0
    on_call: Callable[[dict[str, Any]], None] | None = None

    def fail(self, times: int) -> None:
        """Answer the next ``times`` calls with HTTP 500 (nothing is delivered)."""
        self.failures += times


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    """A fake Rasa server on loopback."""
    state = FakeRasa()

    async def trigger(request: web.Request) -> web.Response:
        # like Rasa 3.6 (Sanic 21.12): the id is the raw path segment, never percent-decoded
        raw = request.raw_path.split("?")[0]
        call = {
            "sender_id": raw.removeprefix("/conversations/").removesuffix("/trigger_intent"),
            "query": dict(request.query),
            "authorization": request.headers.get("Authorization"),
            "json": await request.json(),
        }
        state.attempts.append(call)
        if state.on_call is not None:
            state.on_call(call)
        if state.failures:
            state.failures -= 1
            return web.json_response({"status": "failure"}, status=500)
        state.delivered.append(call)
        return web.json_response({"tracker": {"sender_id": call["sender_id"]}, "messages": []})

    app = web.Application()
    app.router.add_post("/conversations/{sender_id}/trigger_intent", trigger)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    state.url = str(server.make_url("")).rstrip("/")
    yield state
    await server.close()


@pytest.fixture
def settings(backend_server: Any, fake_rasa: FakeRasa) -> Settings:  # noqa: F811
    """Settings pointing at the BRP stand-in and the fake Rasa (database from the environment)."""
    return dataclasses.replace(
        backend_server.settings,
        database_url=get_settings().database_url,
        rasa_url=fake_rasa.url,
        rasa_token="",
        rasa_jwt_secret="",
    )


def only(rules: RuleSet, *ids: str) -> RuleSet:
    """The rule set with only the rules ``ids``."""
    return dataclasses.replace(rules, rules=tuple(rule for rule in rules.rules if rule.id in ids))


@pytest.fixture
def rules() -> RuleSet:
    """The real rules of signals/rules.yml."""
    load_rules.cache_clear()
    return load_rules()
