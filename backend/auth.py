"""Credential checks of the stand-in, one per API family (missing -> 401, wrong -> 403).

The expected credentials come from the stand-in's own settings (``backend/settings.py``), whose
local defaults are what the assistant's local profile sends, so both match without configuration.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

import jwt
from sanic import Request
from sanic.response import HTTPResponse

from backend.common import problem
from backend.settings import BackendSettings

Check = Callable[[Request], "HTTPResponse | None"]

JWT_CLAIMS = ("iss", "iat", "client_id", "user_id", "user_representation")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _unauthenticated(code: str = "not_authenticated") -> HTTPResponse:
    return problem(401, code, "Authenticatiegegevens zijn niet opgegeven.")


def _forbidden(code: str = "permission_denied") -> HTTPResponse:
    return problem(403, code, "Authenticatiegegevens zijn ongeldig.")


def zgw_jwt(settings: BackendSettings) -> Check:
    """Check ``Authorization: Bearer <JWT>``: HS256, signed with the client's secret, ZGW claims."""

    def check(request: Request) -> HTTPResponse | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return _unauthenticated()
        token = header[len("Bearer ") :]
        try:
            claims = jwt.decode(
                token,
                settings.zgw_client_secret,
                algorithms=["HS256"],
                options={"require": list(JWT_CLAIMS), "verify_iat": True},
            )
        except jwt.PyJWTError:
            return _forbidden()
        if claims.get("client_id") != settings.zgw_client_id or claims.get("iss") != settings.zgw_client_id:
            return _forbidden()
        return None

    return check


def token(settings: BackendSettings) -> Check:
    """Check ``Authorization: Token <key>`` (Open Klant)."""

    def check(request: Request) -> HTTPResponse | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Token "):
            return _unauthenticated()
        return None if _same(header[len("Token ") :], settings.klantinteracties_token) else _forbidden()

    return check


def api_key(expected: str) -> Check:
    """Check the ``X-API-KEY`` header (case-insensitive name) against ``expected``.

    The error codes are Haal Centraal's (``authentication``, ``unauthorized``: letters only, as the
    BRP APIs' ``Foutbericht.code`` pattern demands); the ZGW and Open Klant checks keep Open Zaak's.
    """

    def check(request: Request) -> HTTPResponse | None:
        given = request.headers.get("x-api-key")
        if not given:
            return _unauthenticated("authentication")
        return None if _same(given, expected) else _forbidden("unauthorized")

    return check
