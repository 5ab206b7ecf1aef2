"""The shared error mapping of :mod:`integrations.base`."""

from __future__ import annotations

import httpx
import pytest

from foundation.settings import DEFAULT_BACKEND_TIMEOUT
from integrations.base import BackendClient
from integrations.errors import BackendError, BackendRejected


async def test_failures_map_onto_the_tree(failure) -> None:
    name, transport, expected = failure
    async with BackendClient("http://backend.test/api", transport=transport) as client:
        with pytest.raises(expected) as info:
            await client.request("GET", "things")
    assert isinstance(info.value, BackendError)
    assert info.value.system == "backend"
    if name.isdigit():
        assert info.value.status_code == int(name)


async def test_rejected_keeps_body_and_message_has_no_query() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(400, json={"code": "invalid"}))
    async with BackendClient("http://backend.test/api", transport=transport) as client:
        with pytest.raises(BackendRejected) as info:
            await client.request("GET", "zaken", params={"bsn": "999990007"})
    assert info.value.response_json == {"code": "invalid"}
    assert "999990007" not in str(info.value)


async def test_relative_paths_join_the_base_url_and_default_timeout() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    async with BackendClient("http://backend.test/api/v1/", transport=httpx.MockTransport(handler)) as client:
        await client.request("GET", "zaken", idempotency_key="abc")
        assert client._http.timeout.read == DEFAULT_BACKEND_TIMEOUT
    assert str(seen[0].url) == "http://backend.test/api/v1/zaken"
    assert seen[0].headers["Idempotency-Key"] == "abc"


async def test_invalid_json_is_a_backend_error() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, text="<html>"))
    async with BackendClient("http://backend.test", transport=transport) as client:
        with pytest.raises(BackendError):
            await client.request_json("GET", "x")
