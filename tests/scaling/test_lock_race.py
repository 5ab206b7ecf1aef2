"""Two OS processes race for the locks of the same 500 conversations (scaling/lock_race.py).

The stock case documents why the project has its own lock store: Rasa 3.6's ``RedisLockStore``
lets both processes in (measured: 490-500 of 500 conversations here). The assertion for it is
``overlaps > 0`` only; it is an expected demonstration of the defect, not a property of our code.
"""

from __future__ import annotations

import pytest

from scaling.cluster import redis_reachable
from scaling.lock_race import run_race
from tests.scaling.conftest import REDIS_URL

pytestmark = pytest.mark.redis


@pytest.fixture(autouse=True)
def _needs_redis() -> None:
    if not redis_reachable():
        pytest.skip("Redis is not running on 127.0.0.1:6379")


def test_our_lock_store_never_lets_two_processes_into_one_conversation() -> None:
    result = run_race("ours", conversations=500, redis_url=REDIS_URL)
    assert (result.overlaps, result.lock_errors, result.stuck) == (0, 0, 0)


def test_demonstration_rasas_stock_redis_lock_store_lets_both_in() -> None:
    result = run_race("stock", conversations=500, redis_url=REDIS_URL)
    assert result.overlaps > 0, "Rasa's RedisLockStore was expected to fail this race (see module doc)"
