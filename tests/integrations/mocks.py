"""Helpers for client tests: recording ``httpx.MockTransport`` s and failure handlers (no network)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from integrations.errors import BackendAuthError, BackendNotFound, BackendRejected, BackendUnavailable


class Recorder:
    """A mock transport that answers via ``handler`` and records every request."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []
        self._handler = handler
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._handler(request)


def _timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def _connect_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


#: Failure transports and the exception each must map to.
FAILURES: dict[str, tuple[Callable[[httpx.Request], httpx.Response], type[Exception]]] = {
    "500": (lambda r: httpx.Response(500, json={"detail": "boom"}), BackendUnavailable),
    "503": (lambda r: httpx.Response(503, text="down"), BackendUnavailable),
    "timeout": (_timeout, BackendUnavailable),
    "connect": (_connect_error, BackendUnavailable),
    "404": (lambda r: httpx.Response(404, json={"detail": "not found"}), BackendNotFound),
    "401": (lambda r: httpx.Response(401, json={"detail": "no"}), BackendAuthError),
    "403": (lambda r: httpx.Response(403, json={"detail": "no"}), BackendAuthError),
    "400": (lambda r: httpx.Response(400, json={"invalidParams": [{"name": "x"}]}), BackendRejected),
}


def json_of(request: httpx.Request) -> Any:
    """Decode a recorded request's JSON body."""
    return json.loads(request.content)
