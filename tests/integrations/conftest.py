"""Fixtures for client tests (helpers live in ``tests/integrations/mocks.py``)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.integrations.mocks import FAILURES, Recorder


@pytest.fixture
def recorder() -> Callable[[Callable[[httpx.Request], httpx.Response]], Recorder]:
    """Return a factory: ``recorder(handler)`` -> :class:`Recorder` (records every request)."""
    return Recorder


@pytest.fixture(params=sorted(FAILURES))
def failure(request: pytest.FixtureRequest) -> tuple[str, httpx.MockTransport, type[Exception]]:
    """Parametrised: ``(name, transport, expected exception)`` for each failure kind."""
    handler, expected = FAILURES[request.param]
    return request.param, httpx.MockTransport(handler), expected
