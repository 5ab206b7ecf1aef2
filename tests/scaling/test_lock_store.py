"""The atomic Redis lock store (scaling/lock_store.py) against the local Redis."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.lock_store import LockError

from scaling.lock_store import AtomicRedisLockStore

pytestmark = pytest.mark.redis


@pytest.fixture
def store(redis_client: object, key_prefix: str) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(redis_client=redis_client, key_prefix=key_prefix, lock_lifetime=5)


def test_tickets_are_served_in_the_order_they_were_issued(store: AtomicRedisLockStore) -> None:
    first = store.issue_ticket("c1")
    second = store.issue_ticket("c1")
    assert second == first + 1
    assert store.try_acquire("c1", first) == 1
    assert store.try_acquire("c1", second) == 0
    store.finish_serving("c1", first)
    assert store.try_acquire("c1", second) == 1
    store.cleanup("c1", second)
    assert store.get_lock("c1") is None
    assert not store.is_someone_waiting("c1")


def test_conversations_do_not_share_a_lock(store: AtomicRedisLockStore) -> None:
    a = store.issue_ticket("a")
    b = store.issue_ticket("b")
    assert store.try_acquire("a", a) == 1
    assert store.try_acquire("b", b) == 1


def test_get_lock_is_a_rasa_ticket_lock(store: AtomicRedisLockStore) -> None:
    first = store.issue_ticket("c1")
    store.issue_ticket("c1")
    lock = store.get_lock("c1")
    assert lock is not None
    assert lock.now_serving == first
    assert lock.is_someone_waiting()
    assert not lock.is_locked(first)


def test_an_expired_ticket_lets_the_next_one_go_and_cannot_be_served(
    store: AtomicRedisLockStore, redis_client: object
) -> None:
    crashed = store.issue_ticket("c1", lock_lifetime=0.05)  # an instance that died holding the lock
    waiting = store.issue_ticket("c1", lock_lifetime=5)
    assert store.try_acquire("c1", waiting) == 0
    asyncio.run(asyncio.sleep(0.1))
    assert store.try_acquire("c1", waiting) == 1
    assert store.try_acquire("c1", crashed) == -1
    assert not store.renew("c1", crashed)


def test_the_lock_key_expires_in_redis_with_its_last_ticket(
    store: AtomicRedisLockStore, redis_client: object
) -> None:
    store.issue_ticket("c1", lock_lifetime=5)
    ttl = redis_client.pttl(store.key_prefix + "c1")  # type: ignore[attr-defined]
    assert 0 < ttl <= 5000


async def test_lock_waits_for_the_holder_and_then_enters(store: AtomicRedisLockStore) -> None:
    order: list[str] = []

    async def turn(name: str, hold: float) -> None:
        async with store.lock("c1", wait_time_in_seconds=0.01):
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    first = asyncio.create_task(turn("first", 0.2))
    await asyncio.sleep(0.05)
    await turn("second", 0)
    await first
    assert order == ["first in", "first out", "second in", "second out"]
    assert store.get_lock("c1") is None


async def test_a_turn_longer_than_the_lifetime_keeps_its_ticket(store: AtomicRedisLockStore) -> None:
    async with store.lock("c1", lock_lifetime=0.3, wait_time_in_seconds=0.01):
        await asyncio.sleep(0.9)  # three lifetimes: renewed every 0.1 s
        lock = store.get_lock("c1")
        assert lock is not None and lock.is_someone_waiting()
        other = store.issue_ticket("c1")
        assert store.try_acquire("c1", other) == 0  # still ours
    assert store.try_acquire("c1", other) == 1


async def test_a_waiting_turn_whose_ticket_expired_gets_a_lock_error(store: AtomicRedisLockStore) -> None:
    holder = store.issue_ticket("c1", lock_lifetime=5)
    store._keep_alive = _no_renewal  # type: ignore[method-assign]  # as if this instance's loop stalled
    with pytest.raises(LockError):
        async with store.lock("c1", lock_lifetime=0.05, wait_time_in_seconds=0.1):
            pass
    assert store.try_acquire("c1", holder) == 1


async def _no_renewal(*_args: object) -> None:
    await asyncio.sleep(3600)


def test_save_lock_replaces_the_stored_lock(store: AtomicRedisLockStore) -> None:
    store.issue_ticket("c1")
    second = store.issue_ticket("c1")
    lock = store.get_lock("c1")
    assert lock is not None
    lock.remove_ticket_for(lock.now_serving)
    store.save_lock(lock)
    assert store.try_acquire("c1", second) == 1
