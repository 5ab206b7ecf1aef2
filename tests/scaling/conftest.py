"""Fixtures of the scaling tests: the local Redis (skips with the reason when it is not running)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from scaling.cluster import redis_reachable

REDIS_URL = "redis://127.0.0.1:6379/1"


@pytest.fixture
def redis_client() -> Iterator[object]:
    """A client of the local Redis (database 1)."""
    if not redis_reachable():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def key_prefix(redis_client: object) -> Iterator[str]:
    """A fresh alphanumeric key prefix; its keys are deleted afterwards."""
    prefix = f"test{uuid.uuid4().hex[:12]}"
    yield prefix
    keys = list(redis_client.scan_iter(f"{prefix}*"))  # type: ignore[attr-defined]
    if keys:
        redis_client.delete(*keys)  # type: ignore[attr-defined]
