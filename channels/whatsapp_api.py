"""Sender for the WhatsApp Cloud API (Meta Graph API): ``POST {graph_url}/{phone_number_id}/messages``.

Sends are retried with exponential backoff and jitter on 429, 5xx and connection failures, with a
bounded number of attempts; a ``Retry-After`` header is honoured. Other 4xx answers are logged and
given up on (they will not succeed on a retry). A send never raises: it returns None on failure, so
a broken send cannot crash the conversation.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from foundation.clock import utcnow

logger = logging.getLogger(__name__)

#: Timeout of one call to the Graph API (connect is short: failing fast lets the retry kick in).
GRAPH_API_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BASE_DELAY = 0.5
#: Upper bound of one wait between attempts; a longer ``Retry-After`` makes the sender give up.
DEFAULT_MAX_DELAY = 30.0

#: Exceptions after which the request certainly did not reach Meta, so a retry cannot duplicate it.
RETRYABLE_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _retry_after_seconds(value: str | None) -> float | None:
    """Parse a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - utcnow()).total_seconds())


class GraphApiClient:
    """Async client that posts message payloads to the WhatsApp Cloud API."""

    def __init__(
        self,
        graph_url: str,
        phone_number_id: str,
        access_token: str,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        base_delay: float = DEFAULT_BASE_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
        timeout: httpx.Timeout = GRAPH_API_TIMEOUT,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Create the client (no connection is opened until the first send).

        Args:
            graph_url: Base URL including the API version, e.g. ``https://graph.facebook.com/v19.0``.
            phone_number_id: The id of the business phone number that sends.
            access_token: A (system user) access token with ``whatsapp_business_messaging``.
            max_attempts: Attempts per message, the first one included.
            base_delay: First backoff delay in seconds; doubles per attempt.
            max_delay: Cap of one backoff delay in seconds.
            timeout: httpx timeout of one attempt.
            sleep: Coroutine used to wait between attempts (tests pass a recorder).
            transport: Optional httpx transport (tests).
        """
        self.messages_url = f"{graph_url.rstrip('/')}/{phone_number_id}/messages"
        self._access_token = access_token
        self.max_attempts = max(1, max_attempts)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._timeout = timeout
        self._sleep = sleep
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(
                timeout=self._timeout,
                transport=self._transport,
                headers={"Authorization": f"Bearer {self._access_token}"},
            )
        return self._client

    async def aclose(self) -> None:
        """Close the underlying HTTP connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _backoff(self, attempt: int) -> float:
        """Delay before attempt ``attempt + 1``: exponential with "equal jitter"."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    async def send(self, to: str, message: dict[str, Any]) -> dict[str, Any] | None:
        """Send one message.

        Args:
            to: The recipient's ``wa_id``.
            message: The type-specific part of the payload, e.g. ``{"type": "text", "text": {...}}``.

        Returns:
            The Graph API answer (contains ``messages[0].id``) or None when the send failed.
        """
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        kind = message.get("type", "?")
        for attempt in range(1, self.max_attempts + 1):
            retry_after: float | None = None
            try:
                response = await self._get_client().post(self.messages_url, json=payload)
            except RETRYABLE_ERRORS as exc:
                reason = f"{type(exc).__name__}"
            except httpx.HTTPError as exc:
                # e.g. a read timeout: Meta may have accepted the message; a retry could duplicate it
                logger.error("WhatsApp send (%s) failed without retry: %s", kind, type(exc).__name__)
                return None
            else:
                if response.is_success:
                    try:
                        return response.json()
                    except ValueError:
                        return {}
                status = response.status_code
                if status != 429 and status < 500:
                    logger.error(
                        "WhatsApp send (%s) rejected with HTTP %s: %s", kind, status, response.text[:500]
                    )
                    return None
                reason = f"HTTP {status}"
                retry_after = _retry_after_seconds(response.headers.get("Retry-After"))

            if attempt == self.max_attempts:
                logger.error("WhatsApp send (%s) gave up after %s attempts (%s)", kind, attempt, reason)
                return None
            if retry_after is not None and retry_after > self.max_delay:
                logger.error(
                    "WhatsApp send (%s) gave up: Retry-After %.0f s exceeds %.0f s",
                    kind,
                    retry_after,
                    self.max_delay,
                )
                return None
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            logger.warning(
                "WhatsApp send (%s) attempt %s failed (%s); retrying in %.2f s", kind, attempt, reason, delay
            )
            await self._sleep(delay)
        return None  # pragma: no cover - the loop always returns
