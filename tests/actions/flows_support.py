"""Test support for the transaction flows: a form conversation driver and the backend environment.

Import the fixtures into a test module with
``from tests.actions.flows_support import flow_backend  # noqa: F401`` (it pulls in ``backend_server``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.auth import METADATA_KEY, issue_token
from foundation.domain import read_domain
from foundation.settings import get_settings
from tests.backend.conftest import BackendServer, backend_faults, backend_server  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
#: Seed resident of the stand-in (backend/seed.py) with zaken Z-2026-000001 and Z-2026-000003.
ANNA_BSN = "999990007"
#: Another seed resident (zaak Z-2026-000002).
BERT_BSN = "999990019"


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    """The assistant's domain as a dict (what the action server receives)."""
    return read_domain()


def token_metadata(bsn: str = ANNA_BSN) -> dict[str, str]:
    """Message metadata as the web chat sends it after a DigiD login on the portal."""
    return {METADATA_KEY: issue_token(bsn)}


def _ensure_move_zaaktype(server: BackendServer) -> None:
    """Add the moving-notice zaaktype to the stand-in if its seed lacks it (see the flows report)."""
    from backend import db as backend_db
    from backend.seed import STATUSTYPEN, seed_uuid

    engine = sa.create_engine(f"sqlite:///{server.log_path.parent / 'backend.db'}")
    try:
        with engine.begin() as conn:
            found = conn.execute(
                sa.select(backend_db.zaaktypen.c.uuid).where(
                    backend_db.zaaktypen.c.identificatie == "VERHUIZING"
                )
            ).first()
            if found:
                return
            zaaktype = seed_uuid("zaaktype-VERHUIZING")
            conn.execute(
                backend_db.zaaktypen.insert().values(
                    uuid=zaaktype,
                    identificatie="VERHUIZING",
                    omschrijving="Verhuizing binnen de gemeente",
                    doorlooptijd_dagen=5,
                    vertrouwelijkheidaanduiding="zaakvertrouwelijk",
                )
            )
            for volgnummer, oms, generiek, tekst, eind in STATUSTYPEN:
                conn.execute(
                    backend_db.statustypen.insert().values(
                        uuid=seed_uuid(f"statustype-VERHUIZING-{volgnummer}"),
                        zaaktype_uuid=zaaktype,
                        omschrijving=oms,
                        omschrijving_generiek=generiek,
                        statustekst=tekst,
                        volgnummer=volgnummer,
                        is_eindstatus=eind,
                    )
                )
            conn.execute(
                backend_db.roltypen.insert().values(
                    uuid=seed_uuid("roltype-VERHUIZING-initiator"),
                    zaaktype_uuid=zaaktype,
                    omschrijving="Aanvrager",
                    omschrijving_generiek="initiator",
                )
            )
    finally:
        engine.dispose()


@pytest.fixture
def flow_backend(
    backend_server: BackendServer,  # noqa: F811
    sqlite_db: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[BackendServer]:
    """Every client URL at the stand-in, a fresh outbox database, short timeouts."""
    settings = backend_server.settings
    for name, value in {
        "ZAKEN_API_URL": settings.zaken_api_url,
        "ADDRESSES_API_URL": settings.addresses_api_url,
        "APPOINTMENTS_API_URL": settings.appointments_api_url,
        "BRP_API_URL": settings.brp_api_url,
        "BACKEND_TIMEOUT_SECONDS": "3",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    _ensure_move_zaaktype(backend_server)
    yield backend_server
    get_settings.cache_clear()


def message(
    text: str,
    intent: str = "inform",
    entities: list[tuple[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A parsed user message as Rasa sends it to the action server."""
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": [{"name": intent, "confidence": 1.0}],
        "entities": [{"entity": name, "value": value} for name, value in entities or []],
        "metadata": metadata or {},
        "message_id": uuid.uuid4().hex,
    }


class Conversation:
    """Drives one form turn by turn: runs its validation action and keeps the slots.

    Args:
        validator: The form's validation action.
        slots: Slots before the first message (e.g. ``current_topic``).
        metadata: Metadata of every message (e.g. :func:`token_metadata`).
    """

    def __init__(
        self,
        validator: FormValidationAction,
        slots: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.validator = validator
        self.form = validator.form_name()
        self.slots: dict[str, Any] = {"requested_slot": None, **(slots or {})}
        self.metadata = metadata or {}
        self.messages: list[dict[str, Any]] = []
        self.sender_id = f"flow-test-{uuid.uuid4().hex[:8]}"
        self._turn = 0
        self._active = True

    def tracker(self, latest: dict[str, Any] | None = None) -> Tracker:
        """A tracker with the current slots and ``latest`` as the latest message."""
        latest = latest or message("", metadata=self.metadata)
        self._turn += 1
        event = {
            "event": "user",
            "text": latest["text"],
            "parse_data": latest,
            "timestamp": float(self._turn),
        }
        event["metadata"] = latest.get("metadata") or {}
        return Tracker(
            sender_id=self.sender_id,
            slots=dict(self.slots),
            latest_message=latest,
            events=[event],
            paused=False,
            followup_action=None,
            active_loop={"name": self.form, "validate": True} if self._active else {},
            latest_action_name="action_listen",
        )

    async def start(
        self, text: str, intent: str, entities: list[tuple[str, Any]] | None = None
    ) -> list[str]:
        """The message that starts the form (not active yet: Rasa activates it with this message)."""
        self._active = False
        try:
            return await self.say(text, intent, entities)
        finally:
            self._active = True

    async def say(
        self, text: str, intent: str = "inform", entities: list[tuple[str, Any]] | None = None
    ) -> list[str]:
        """One user turn; returns the names of the responses the validator sent."""
        tracker = self.tracker(message(text, intent, entities, self.metadata))
        dispatcher = CollectingDispatcher()
        for event in await self.validator.run(dispatcher, tracker, domain()):
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        self.messages = dispatcher.messages
        return [m.get("response") for m in dispatcher.messages]

    @property
    def requested(self) -> str | None:
        """The question the form asks next (``None``: the form is done)."""
        return self.slots.get("requested_slot")

    async def run(self, action: Action) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Run an ask or submit action on the current state; returns (messages, events)."""
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, self.tracker(message("", metadata=self.metadata)), domain())
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        return dispatcher.messages, events
