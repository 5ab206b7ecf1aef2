"""Race two OS processes for the locks of the same conversations and count the overlaps.

For each of N conversations both processes wait at a barrier, then take the conversation's lock at
the same moment. Inside the lock each process increments a Redis counter for the conversation,
holds the lock briefly and decrements it; a counter above 1 means both processes held the lock at
once (an *overlap*: Rasa would process two messages of one conversation at the same time).

    python -m scaling.lock_race --store ours --conversations 500
    python -m scaling.lock_race --store stock --conversations 500   # Rasa 3.6's RedisLockStore

Prints one JSON line per store: ``{"store", "conversations", "overlaps", "lock_errors", "stuck"}``;
``lock_errors`` counts ``LockError`` (Rasa answers the message with an error), ``stuck`` counts
turns that were still waiting for the lock after ``STUCK_AFTER_S``.
Uses its own random key prefix in the given Redis database and deletes its keys afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from scaling.lock_store import AtomicRedisLockStore

STORES = ("ours", "stock")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
#: Ticket lifetime in the race (short, so a ticket that Rasa's stock store leaves behind ends soon).
LOCK_LIFETIME_S = 2.0
#: A process that has not had its turn after this long counts as ``stuck`` and moves on.
STUCK_AFTER_S = 5.0


@dataclass(frozen=True)
class RaceResult:
    """Outcome of one race."""

    store: str
    conversations: int
    overlaps: int
    lock_errors: int
    stuck: int


def make_store(kind: str, redis_url: str, prefix: str) -> Any:
    """The lock store under test: ``ours`` (AtomicRedisLockStore) or ``stock`` (RedisLockStore)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    if kind == "ours":
        return AtomicRedisLockStore(redis_client=client, key_prefix=prefix)
    from rasa.core.lock_store import RedisLockStore

    kwargs = client.connection_pool.connection_kwargs
    return RedisLockStore(
        host=kwargs.get("host", "localhost"),
        port=kwargs.get("port", 6379),
        db=kwargs.get("db", 0),
        password=kwargs.get("password"),
        key_prefix=prefix,
    )


async def _race(
    kind: str, redis_url: str, prefix: str, conversations: int, barrier: Any, hold_s: float
) -> tuple[int, int]:
    import redis
    from rasa.core.lock_store import LockError

    store = make_store(kind, redis_url, prefix)
    red = redis.Redis.from_url(redis_url)

    async def hold(i: int) -> None:
        async with store.lock(
            f"{prefix}-conversation-{i}", lock_lifetime=LOCK_LIFETIME_S, wait_time_in_seconds=0.005
        ):
            if red.incr(f"{prefix}:inside:{i}") > 1:
                red.sadd(f"{prefix}:overlaps", i)
            await asyncio.sleep(hold_s)
            red.decr(f"{prefix}:inside:{i}")

    errors = stuck = 0
    for i in range(conversations):
        barrier.wait()
        try:
            await asyncio.wait_for(hold(i), timeout=STUCK_AFTER_S)
        except LockError:
            errors += 1
        except asyncio.TimeoutError:
            stuck += 1
    return errors, stuck


def _worker(
    kind: str, redis_url: str, prefix: str, conversations: int, barrier: Any, hold_s: float, counts: Any
) -> None:
    counts[0], counts[1] = asyncio.run(_race(kind, redis_url, prefix, conversations, barrier, hold_s))


def run_race(
    kind: str, conversations: int = 500, redis_url: str = DEFAULT_REDIS_URL, hold_s: float = 0.002
) -> RaceResult:
    """Race two processes over ``conversations`` conversations with lock store ``kind``."""
    import redis

    if kind not in STORES:
        raise ValueError(f"unknown store {kind!r}")
    prefix = f"race{uuid.uuid4().hex[:12]}"
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2, timeout=120)
    counts = [context.Array("i", 2) for _ in range(2)]
    workers = [
        context.Process(target=_worker, args=(kind, redis_url, prefix, conversations, barrier, hold_s, c))
        for c in counts
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    red = redis.Redis.from_url(redis_url)
    try:
        if any(worker.exitcode != 0 for worker in workers):
            raise RuntimeError(f"a race worker failed: exit codes {[w.exitcode for w in workers]}")
        overlaps = int(red.scard(f"{prefix}:overlaps"))
    finally:
        keys = list(red.scan_iter(f"{prefix}*"))
        if keys:
            red.delete(*keys)
    return RaceResult(kind, conversations, overlaps, sum(c[0] for c in counts), sum(c[1] for c in counts))


def main(argv: list[str] | None = None) -> int:
    """Command line: run one race per ``--store`` and print the results as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=STORES, action="append")
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args(argv)
    for kind in args.store or list(STORES):
        print(json.dumps(asdict(run_race(kind, args.conversations, args.redis_url))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
