"""The production profile (endpoints.production.yml) works against real PostgreSQL and Redis.

Uses the local servers the project's machines run (started by scripts/services.sh); skips with
the reason when one is not reachable.
"""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        "ACTION_SERVER_URL": "http://actions.internal:5055/webhook",
        "ACTION_SERVER_TOKEN": "a-production-action-server-token-of-40-bytes",
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": "5432",
        "POSTGRES_DB": "test",
        "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "REDIS_PASSWORD": "",
        "REDIS_DB": "1",
        "TICKET_LOCK_LIFETIME_S": "12",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)


def load_endpoints():
    from rasa.utils.endpoints import read_endpoint_config

    path = str(ROOT / "endpoints.production.yml")
    return (
        read_endpoint_config(path, "tracker_store"),
        read_endpoint_config(path, "lock_store"),
        read_endpoint_config(path, "action_endpoint"),
    )


@pytest.mark.postgres
def test_tracker_store_persists_in_postgresql(production_env: None) -> None:
    if not reachable(5432):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker_cfg, _, action_cfg = load_endpoints()
    assert action_cfg.url == "http://actions.internal:5055/webhook"
    domain = Domain.load(str(ROOT / "domain"))
    store = TrackerStore.create(tracker_cfg, domain)
    assert type(store).__name__.endswith("SQLTrackerStore") or "postgres" in str(store.engine.url)
    assert store.engine.url.get_backend_name() == "postgresql"

    sender = f"prod-profile-{uuid.uuid4().hex}"
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(UserUttered("hallo", {"name": "greet", "confidence": 1.0}))
    import asyncio

    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve(sender))
    assert again is not None
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hallo"]


@pytest.mark.redis
def test_lock_store_is_our_atomic_redis_store(production_env: None) -> None:
    if not reachable(6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from rasa.core.lock_store import LockStore

    from scaling.lock_store import AtomicRedisLockStore

    _, lock_cfg, _ = load_endpoints()
    store = LockStore.create(lock_cfg)
    assert isinstance(store, AtomicRedisLockStore)  # not Rasa's non-atomic RedisLockStore
    assert store.lock_lifetime == 12
    assert store.key_prefix == "gemeente:ticketlock:"
    conversation = f"prod-profile-{uuid.uuid4().hex}"
    first = store.issue_ticket(conversation)
    second = store.issue_ticket(conversation)
    assert second == first + 1  # tickets are counted in Redis, shared by all Rasa instances
    assert store.is_someone_waiting(conversation)
    assert store.get_lock(conversation) is not None
    store.delete_lock(conversation)
    assert store.get_lock(conversation) is None
