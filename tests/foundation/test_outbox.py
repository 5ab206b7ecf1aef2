"""Outbox: retries with backoff, exactly-once delivery through idempotency keys, the worker."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from actions import tickets
from foundation import clock, outbox
from foundation.db import get_engine
from foundation.settings import get_settings
from integrations.errors import BackendRejected, BackendUnavailable
from tests.backend.conftest import BackendServer, backend_faults, backend_server  # noqa: F401

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


def add(kind: str, payload: dict[str, Any] | None = None, key: str | None = None) -> int:
    with get_engine().begin() as conn:
        return outbox.enqueue(conn, kind, payload or {}, idempotency_key=key, now=T0)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dict[str, Any], str]]:
    """Register test handlers: ``test.ok`` succeeds, ``test.flaky`` fails twice, ``test.rejected`` 4xx."""
    seen: list[tuple[dict[str, Any], str]] = []
    failures = {"left": 2}

    async def ok(payload: dict[str, Any], key: str) -> dict[str, Any]:
        seen.append((payload, key))
        return {"ok": True}

    async def flaky(payload: dict[str, Any], key: str) -> None:
        seen.append((payload, key))
        if failures["left"]:
            failures["left"] -= 1
            raise BackendUnavailable("test", "down")

    async def rejected(payload: dict[str, Any], key: str) -> None:
        raise BackendRejected("test", "bad request", 400)

    handlers = dict(outbox._HANDLERS)
    outbox.register_handler("test.ok")(ok)
    outbox.register_handler("test.flaky")(flaky)
    outbox.register_handler("test.rejected")(rejected)
    yield seen
    outbox._HANDLERS.clear()
    outbox._HANDLERS.update(handlers)


def test_backoff_doubles_and_is_capped() -> None:
    delays = [outbox.backoff_delay(n) for n in (1, 2, 3, 4)]
    assert delays == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(seconds=240),
    ]
    assert outbox.backoff_delay(50) == outbox.MAX_DELAY


def test_enqueue_with_the_same_key_returns_the_first_entry(sqlite_db: str) -> None:
    first = add("test.ok", {"n": 1}, key="same")
    assert add("test.ok", {"n": 2}, key="same") == first
    assert len(outbox.entries("test.ok")) == 1


async def test_delivery_passes_payload_and_key_and_is_not_repeated(sqlite_db: str, calls: list[Any]) -> None:
    entry_id = add("test.ok", {"n": 1}, key="k-1")
    assert await outbox.deliver(entry_id) == outbox.DELIVERED
    assert await outbox.deliver(entry_id) == "busy"
    assert await outbox.deliver_due(now=T0 + timedelta(days=1)) == {}
    assert calls == [({"municipality": "voorbeeldstad", "n": 1}, "k-1")]  # issue 18: it rides along
    entry = outbox.get_entry(entry_id)
    assert entry["status"] == outbox.DELIVERED and entry["attempts"] == 1 and entry["result"] == {"ok": True}


async def test_failed_delivery_is_retried_after_backoff_until_it_succeeds(
    sqlite_db: str, calls: list[Any]
) -> None:
    entry_id = add("test.flaky", key="k-2")
    assert await outbox.deliver(entry_id, now=T0) == outbox.PENDING
    entry = outbox.get_entry(entry_id)
    assert clock.as_utc(entry["next_attempt_at"]) == T0 + timedelta(seconds=30)
    assert "down" in entry["last_error"]

    assert await outbox.deliver_due(now=T0 + timedelta(seconds=29)) == {}  # not due yet
    assert await outbox.deliver_due(now=T0 + timedelta(seconds=30)) == {outbox.PENDING: 1}
    assert clock.as_utc(outbox.get_entry(entry_id)["next_attempt_at"]) == T0 + timedelta(seconds=90)
    assert await outbox.deliver_due(now=T0 + timedelta(seconds=90)) == {outbox.DELIVERED: 1}
    assert [key for _, key in calls] == ["k-2", "k-2", "k-2"]  # every retry carries the same key
    assert outbox.get_entry(entry_id)["attempts"] == 3


@pytest.mark.postgres
async def test_claim_retry_and_delivery_on_postgres(postgres_db: str, calls: list[Any]) -> None:
    entry_id = add("test.flaky", key="pg-1")
    assert await outbox.deliver(entry_id, now=T0) == outbox.PENDING
    assert await outbox.deliver_due(now=T0 + timedelta(seconds=29)) == {}
    assert await outbox.deliver_due(now=T0 + timedelta(seconds=30)) == {outbox.PENDING: 1}
    assert await outbox.deliver_due(now=T0 + timedelta(seconds=90)) == {outbox.DELIVERED: 1}
    assert await outbox.deliver(entry_id) == "busy"
    assert outbox.get_entry(entry_id)["attempts"] == 3


async def test_rejected_request_is_not_retried(sqlite_db: str, calls: list[Any]) -> None:
    entry_id = add("test.rejected")
    assert await outbox.deliver(entry_id) == outbox.DEAD
    assert await outbox.deliver_due(now=T0 + timedelta(days=1)) == {}


async def test_unknown_kind_stays_pending(sqlite_db: str) -> None:
    entry_id = add("nobody.handles.this")
    assert await outbox.deliver(entry_id, now=T0) == outbox.PENDING
    assert "no handler" in outbox.get_entry(entry_id)["last_error"]


async def test_worker_once_delivers_due_entries(sqlite_db: str, calls: list[Any]) -> None:
    add("test.ok", {"n": 1})
    add("test.ok", {"n": 2})
    await outbox.run_worker(once=True)
    assert sorted(p["n"] for p, _ in calls) == [1, 2]


# ------------------------------------------------------------------ against the stand-in backend
def count_tasks(server: BackendServer, marker: str) -> int:
    """Internetaken in the stand-in whose toelichting holds ``marker`` (tests share the stand-in)."""
    found, url = 0, f"{server.base_url}/klantinteracties/api/v1/internetaken"
    headers = {"Authorization": f"Token {server.settings.klantinteracties_token}"}
    while url:
        page = httpx.get(url, headers=headers, timeout=10).json()
        found += sum(marker in task["toelichting"] for task in page["results"])
        url = page.get("next")
    return found


@pytest.fixture
def backend_env(backend_server: BackendServer, monkeypatch: pytest.MonkeyPatch) -> BackendServer:  # noqa: F811
    monkeypatch.setenv("KLANTINTERACTIES_API_URL", backend_server.settings.klantinteracties_api_url)
    monkeypatch.setenv("BACKEND_TIMEOUT_SECONDS", "3")
    get_settings.cache_clear()
    yield backend_server
    get_settings.cache_clear()


async def test_backend_down_then_up_delivers_the_handoff_exactly_once(
    sqlite_db: str,
    backend_env: BackendServer,
    backend_faults: Any,  # noqa: F811
) -> None:
    backend_faults("down")
    marker = f"afval-{uuid.uuid4().hex}"
    ticket = tickets.NewTicket(
        sender_id="resident-outbox", channel="rest", summary=f"Vraag over {marker}", contact_preference="chat"
    )
    reference, entry_id = tickets.create_handoff_ticket(ticket)
    payload = outbox.get_entry(entry_id)["payload"]
    assert await outbox.deliver(entry_id, now=T0) == outbox.PENDING
    assert tickets.get_ticket(reference).internetaak_uuid is None

    backend_faults("none")
    assert count_tasks(backend_env, marker) == 0
    assert await outbox.deliver_due(now=T0 + timedelta(minutes=5)) == {outbox.DELIVERED: 1}
    stored = tickets.get_ticket(reference)
    assert stored.internetaak_uuid and stored.klantcontact_uuid
    assert count_tasks(backend_env, marker) == 1

    assert outbox.get_entry(entry_id)["payload"] == {}  # scrubbed once delivered (issue 13)

    # A retry after success (e.g. the worker crashed before marking it delivered, so the payload is
    # still there) creates nothing new.
    with get_engine().begin() as conn:
        conn.execute(
            outbox.outbox.update()
            .where(outbox.outbox.c.id == entry_id)
            .values(status=outbox.PENDING, payload=payload)
        )
    assert await outbox.deliver(entry_id) == outbox.DELIVERED
    assert count_tasks(backend_env, marker) == 1
    assert tickets.get_ticket(reference).internetaak_uuid == stored.internetaak_uuid
