"""Shared plumbing of the backend clients: the httpx client and the error mapping.

Every client subclasses :class:`BackendClient`. It builds one ``httpx.AsyncClient`` (timeout default
:data:`foundation.settings.DEFAULT_BACKEND_TIMEOUT`, optional injected ``transport`` for tests) and maps
httpx exceptions and HTTP status codes onto :mod:`integrations.errors`. Use a client as
``async with Client.from_settings() as client: ...`` or call :meth:`BackendClient.aclose`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Any, ClassVar, TypeVar

import httpx

from foundation.municipality import settings as municipal_settings
from foundation.settings import DEFAULT_BACKEND_TIMEOUT, Settings
from integrations.errors import (
    BackendAuthError,
    BackendError,
    BackendNotFound,
    BackendRejected,
    BackendUnavailable,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
C = TypeVar("C", bound="BackendClient")
K = TypeVar("K", bound="ApiKeyClient")

IDEMPOTENCY_HEADER = "Idempotency-Key"
#: Every request names the municipality it is made for in this header (issue 18): its RSIN
#: (``zgw_rsin``), so that a backend shared by several municipalities keeps their data apart. A
#: municipality's own backend may ignore it. The ZGW Zaken client also sends it as ``bronorganisatie``.
MUNICIPALITY_HEADER = "X-Gemeente"


def build_http_client(
    base_url: str,
    *,
    timeout: float = DEFAULT_BACKEND_TIMEOUT,
    headers: dict[str, str] | None = None,
    auth: httpx.Auth | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """Build the ``httpx.AsyncClient`` used by a backend client.

    Args:
        base_url: Root URL of the API; relative request paths are joined to it.
        timeout: Timeout in seconds for connect, read, write and pool.
        headers: Headers sent with every request.
        auth: Optional httpx auth flow (e.g. a per-request JWT).
        transport: Optional transport, e.g. ``httpx.MockTransport`` in tests.

    Returns:
        A new client; the caller closes it.
    """
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/") + "/",
        timeout=httpx.Timeout(timeout),
        headers={"Accept": "application/json", **(headers or {})},
        auth=auth,
        transport=transport,
        follow_redirects=False,
    )


def raise_for_status(system: str, response: httpx.Response) -> None:
    """Raise the matching :class:`BackendError` for an unsuccessful response.

    Args:
        system: Name of the backend system for the exception.
        response: The received response.

    Raises:
        BackendAuthError: On 401 and 403.
        BackendNotFound: On 404 and 410.
        BackendUnavailable: On 5xx (and 429, the backend is overloaded).
        BackendRejected: On any other 4xx, with the decoded body for logs.
    """
    status = response.status_code
    if status < 400:
        return
    request = response.request
    where = f"{request.method} {request.url.path}"  # never the query: it may hold a BSN
    if status in (401, 403):
        raise BackendAuthError(system, f"{where} -> {status}", status)
    if status in (404, 410):
        raise BackendNotFound(system, f"{where} -> {status}", status)
    if status >= 500 or status == 429:
        raise BackendUnavailable(system, f"{where} -> {status}", status)
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    raise BackendRejected(system, f"{where} -> {status}", status, response_json=body)


class BackendClient:
    """Base class of the async backend clients.

    Subclasses set :attr:`system` and pass their auth headers or auth flow to ``__init__``.

    Args:
        base_url: Root URL of the API.
        timeout: Timeout in seconds for each request.
        headers: Headers sent with every request (e.g. an API key).
        auth: Optional httpx auth flow.
        transport: Optional transport for tests (``httpx.MockTransport``).
    """

    system: ClassVar[str] = "backend"

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_BACKEND_TIMEOUT,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = build_http_client(
            self.base_url, timeout=timeout, headers=headers, auth=auth, transport=transport
        )

    async def __aenter__(self: C) -> C:
        return self

    def for_municipality(self: C, identifier: str) -> C:
        """Name the municipality in :data:`MUNICIPALITY_HEADER` of every request (returns ``self``)."""
        if identifier:
            self._http.headers[MUNICIPALITY_HEADER] = identifier
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the underlying HTTP connections."""
        await self._http.aclose()

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """Send one request and map failures onto the exception tree.

        Args:
            method: HTTP method.
            url: Path relative to the base URL (no leading slash) or an absolute URL.
            params: Query parameters.
            json: JSON body.
            headers: Extra headers for this request.
            idempotency_key: Sent as ``Idempotency-Key`` so a retried POST creates nothing twice.

        Returns:
            The successful response.

        Raises:
            BackendError: A subclass matching the failure.
        """
        extra = dict(headers or {})
        if idempotency_key:
            extra[IDEMPOTENCY_HEADER] = idempotency_key
        try:
            response = await self._http.request(method, url, params=params, json=json, headers=extra)
        except httpx.TimeoutException as exc:
            logger.warning("%s: timeout on %s %s", self.system, method, _path(url))
            raise BackendUnavailable(self.system, f"timeout: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            logger.warning("%s: transport error on %s %s", self.system, method, _path(url))
            raise BackendUnavailable(self.system, f"transport error: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            logger.warning("%s: %s %s -> %s", self.system, method, _path(url), response.status_code)
        raise_for_status(self.system, response)
        return response

    async def request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        """Like :meth:`request`, returning the decoded JSON body.

        Raises:
            BackendError: On failures, or when the body is not valid JSON.
        """
        response = await self.request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise BackendError(self.system, "response is not valid JSON", response.status_code) from exc

    def parse(self, fn: Callable[[Any], T], data: Any) -> T:
        """Turn backend JSON into a dataclass, mapping malformed data onto :class:`BackendError`.

        Args:
            fn: Parser, e.g. ``Zaak.from_json``.
            data: Decoded JSON.

        Returns:
            The parsed object.
        """
        try:
            return fn(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackendError(self.system, f"unexpected response shape: {exc!r}") from exc


def _path(url: str) -> str:
    """Return ``url`` without query string (queries may hold personal data such as a BSN)."""
    return httpx.URL(url).path


class ApiKeyClient(BackendClient):
    """A backend client that authenticates with an API key header.

    Subclasses set :attr:`system`, :attr:`api_key_header` and :meth:`location` (which settings hold
    the API root and the key).

    Args:
        base_url: Root URL of the API.
        api_key: Sent in :attr:`api_key_header`.
        timeout: Timeout in seconds for each request.
        transport: Optional transport for tests.
    """

    api_key_header: ClassVar[str] = "X-Api-Key"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_BACKEND_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {self.api_key_header: api_key}
        super().__init__(base_url, timeout=timeout, headers=headers, transport=transport)

    @classmethod
    def location(cls, settings: Settings) -> tuple[str, str]:
        """The API root and the API key of this system in ``settings``."""
        raise NotImplementedError

    @classmethod
    def from_settings(
        cls: type[K], settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
    ) -> K:
        """Build from the conversation's municipality's settings (or the given settings)."""
        s = settings or municipal_settings()  # the conversation's municipality (issue 18)
        base_url, api_key = cls.location(s)
        client = cls(base_url, api_key, timeout=s.backend_timeout, transport=transport)
        return client.for_municipality(s.zgw_rsin)


def compact_postcode(value: str) -> str:
    """A postcode as the address register and its APIs write it: four digits and two capitals, no space."""
    return "".join(value.split()).upper()
