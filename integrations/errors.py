"""One exception tree for all backend clients.

These exceptions are for logs and control flow only. Their text may contain backend details and
must never be shown to residents: actions catch them and answer with a domain response.
"""

from __future__ import annotations

from typing import Any


class BackendError(Exception):
    """Base class of every backend failure.

    Attributes:
        system: Short name of the backend system, e.g. ``"zaken"`` or ``"brp"``.
        status_code: HTTP status code when the backend answered, else ``None``.
    """

    def __init__(self, system: str, message: str = "", status_code: int | None = None) -> None:
        self.system = system
        self.status_code = status_code
        super().__init__(f"[{system}] {message}" if message else f"[{system}] backend error")


class BackendUnavailable(BackendError):
    """The backend could not be reached, timed out or answered with a 5xx status."""


class BackendNotFound(BackendError):
    """The requested object does not exist (HTTP 404, or an empty result where one was required)."""


class BackendRejected(BackendError):
    """The backend rejected the request (4xx validation error).

    Attributes:
        response_json: The decoded error body, kept for logs only (may contain personal data).
    """

    def __init__(
        self,
        system: str,
        message: str = "",
        status_code: int | None = None,
        response_json: Any = None,
    ) -> None:
        super().__init__(system, message, status_code)
        self.response_json = response_json


class BackendAuthError(BackendError):
    """The backend refused our credentials (HTTP 401 or 403)."""
