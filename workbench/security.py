"""Sessions, CSRF tokens and security headers of the workbench.

A session is a random token in an HttpOnly, SameSite=Strict cookie (Secure in production), signed
with ``WORKBENCH_SECRET``; the database keeps only its SHA-256, with the user and the session's
CSRF token. Every POST must carry that CSRF token in the form field ``csrf``; the sign-in form,
which has no session yet, carries a token bound to a short-lived pre-session cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.store import sessions

SESSION_COOKIE = "wb_session"
LOGIN_COOKIE = "wb_login"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cache-Control": "no-store",
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign(secret: str, value: str) -> str:
    """``value.signature`` (HMAC-SHA256 with ``secret``)."""
    signature = hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()
    return f"{value}.{signature}"


def unsign(secret: str, signed: str | None) -> str | None:
    """The value of a :func:`sign` result, or None when the signature does not match."""
    if not signed or "." not in signed:
        return None
    value, _signature = signed.rsplit(".", 1)
    return value if hmac.compare_digest(sign(secret, value), signed) else None


def create_session(engine: Engine, username: str, hours: float) -> tuple[str, str]:
    """Start a session; returns the (unsigned) token and its CSRF token."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        connection.execute(sessions.delete().where(sessions.c.expires_at < time.time()))
        connection.execute(
            sessions.insert().values(
                token_hash=_hash(token), username=username, csrf=csrf, expires_at=time.time() + hours * 3600
            )
        )
    return token, csrf


def load_session(engine: Engine, token: str | None) -> dict[str, Any] | None:
    """The live session of ``token`` (username, csrf), or None."""
    if not token:
        return None
    with engine.connect() as connection:
        row = (
            connection.execute(sa.select(sessions).where(sessions.c.token_hash == _hash(token)))
            .mappings()
            .first()
        )
    if row is None or row["expires_at"] < time.time():
        return None
    return dict(row)


def end_session(engine: Engine, token: str | None) -> None:
    """Delete a session."""
    if token:
        with engine.begin() as connection:
            connection.execute(sessions.delete().where(sessions.c.token_hash == _hash(token)))


def login_csrf(secret: str, pre_session: str) -> str:
    """The CSRF token of the sign-in form, bound to the pre-session cookie."""
    return hmac.new(secret.encode(), f"login:{pre_session}".encode(), hashlib.sha256).hexdigest()


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of CSRF tokens (False when either is missing)."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
