"""Shared test fixtures: rasa-sdk trackers, a collecting dispatcher and the one domain loader.

Keep this file small and generic; topic-specific fixtures belong in the topic's test module. The
suite runs like a process of the assistant: the composition root registers everything first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from app import registry
from foundation.domain import DOMAIN_DIR, read_domain

registry.register()

TrackerFactory = Callable[..., Tracker]


def _user_event(text: str, parse_data: dict[str, Any]) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": parse_data}


@pytest.fixture
def make_tracker() -> TrackerFactory:
    """Factory for rasa-sdk trackers.

    Call ``make_tracker(intent="passport_id_card", slots={...}, entities=[...], text="...")``.
    ``intent`` may also be a list of ``(name, confidence)`` pairs: the intent ranking, best first.
    ``entities`` are dicts (``{"entity": "product", "value": "paspoort"}``) or ``(entity, value)`` pairs.
    Pass ``latest_message`` to use a parse result as is; ``events`` are prepended to the user event
    built from the other arguments; ``active_loop`` is the form name or ``None``.
    """

    def factory(
        intent: str | list[tuple[str, float]] | None = None,
        slots: dict[str, Any] | None = None,
        entities: list[dict[str, Any] | tuple[str, Any]] | None = None,
        text: str = "...",
        events: list[dict[str, Any]] | None = None,
        latest_message: dict[str, Any] | None = None,
        active_loop: str | None = None,
        sender_id: str = "test-user",
    ) -> Tracker:
        if latest_message is None:
            ranking = [(intent, 1.0)] if isinstance(intent, str) else list(intent or [])
            latest_message = {
                "text": text,
                "intent": {"name": ranking[0][0], "confidence": ranking[0][1]} if ranking else {},
                "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
                "entities": [
                    e if isinstance(e, dict) else {"entity": e[0], "value": e[1]} for e in entities or []
                ],
            }
        all_events = list(events or [])
        if intent is not None or entities or latest_message.get("text"):
            all_events.append(_user_event(latest_message.get("text", text), latest_message))
        return Tracker(
            sender_id=sender_id,
            slots=dict(slots or {}),
            latest_message=latest_message,
            events=all_events,
            paused=False,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name="action_listen",
        )

    return factory


@pytest.fixture(scope="session")
def domain_dict() -> dict[str, Any]:
    """The domain directory merged into one mapping (what the action server receives).

    Module-level constants that need the domain at import time call
    :func:`foundation.domain.read_domain` themselves, the same loader.
    """
    return read_domain()


@pytest.fixture(scope="session")
def rasa_domain() -> Any:
    """The domain directory as Rasa loads it for ``rasa train --domain domain``."""
    from rasa.shared.core.domain import Domain  # Rasa's import is slow: only for the tests that need it

    return Domain.load(str(DOMAIN_DIR))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    """A fresh dispatcher that collects the bot's messages."""
    return CollectingDispatcher()


# ---------------------------------------------------------------- databases (foundation.db)
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    from foundation import db
    from foundation.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    db.dispose_engines()


@pytest.fixture
def sqlite_db(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``DATABASE_URL`` pointing at a fresh SQLite file for this test; yields the URL."""
    from foundation import db
    from foundation.settings import get_settings

    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    _use_database(monkeypatch, url)
    yield url
    db.dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def postgres_db(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``DATABASE_URL`` pointing at a fresh schema in the local PostgreSQL (dropped afterwards).

    Skips (with the reason) when the server at 127.0.0.1:5432 is not reachable.
    """
    import uuid

    import sqlalchemy as sa

    from foundation import db
    from foundation.settings import get_settings

    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, future=True)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any connection problem means: not available here
        admin.dispose()
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 not reachable: {type(exc).__name__}")
    _use_database(monkeypatch, f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    try:
        yield get_settings().database_url
    finally:
        db.dispose_engines()
        get_settings.cache_clear()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
