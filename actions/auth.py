"""Verified identity of the resident (contract in docs/authentication.md).

Personal data (BRP, the resident's own zaken) is only shown when the channel provides a verified
identity. For the web chat, the municipality portal issues a short-lived HS256 JWT after DigiD login
(secret ``PORTAL_TOKEN_SECRET``; claims ``sub`` = BSN, ``iat``, ``exp``, ``aud`` =
``gemeente-assistent``, ``acr`` = assurance level); the widget sends it as message metadata
``{"auth_token": "..."}``. A ``cid`` claim binds the token to one conversation id (required when
``PORTAL_TOKEN_REQUIRE_CONVERSATION=1``). :func:`verified_bsn` checks it on every use. The BSN is
never stored in a slot: call :func:`verified_bsn` where it is needed and pass the value straight to
the client.

Dev helper: ``python -m actions.auth issue --bsn 999993653`` prints a token for local testing.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Mapping
from typing import Any

import jwt
from stdnum.nl import bsn as stdnum_bsn

from foundation.settings import get_settings

logger = logging.getLogger(__name__)

AUDIENCE = "gemeente-assistent"
ALGORITHM = "HS256"
METADATA_KEY = "auth_token"
#: Claim that binds a token to one conversation id.
CONVERSATION_CLAIM = "cid"
LEEWAY_SECONDS = 30
#: Assurance levels (DigiD / eIDAS) from low to high; several spellings per level.
LEVELS: dict[str, int] = {
    "basis": 1,
    "urn:etoegang:core:assurance-class:loa2": 1,
    "low": 1,
    "midden": 2,
    "urn:etoegang:core:assurance-class:loa2plus": 2,
    "substantieel": 3,
    "urn:etoegang:core:assurance-class:loa3": 3,
    "substantial": 3,
    "hoog": 4,
    "urn:etoegang:core:assurance-class:loa4": 4,
    "high": 4,
}
#: Minimum level for personal data (DigiD Midden: password + SMS/app).
DEFAULT_MIN_LEVEL = "midden"


def _level(claims: Mapping[str, Any]) -> int:
    value = claims.get("acr", claims.get("loa"))
    return LEVELS.get(str(value).lower(), 0) if value is not None else 0


def verify_token(
    token: str,
    secret: str | None = None,
    min_level: str = DEFAULT_MIN_LEVEL,
    conversation_id: str | None = None,
) -> str | None:
    """Return the BSN of a valid portal token, else ``None`` (the reason is logged, never the BSN).

    Checks: HS256 signature, ``exp`` and ``iat`` present and valid, lifetime at most
    ``PORTAL_TOKEN_MAX_LIFETIME_SECONDS``, ``aud`` = ``gemeente-assistent``, assurance level at
    least ``min_level``, ``sub`` passes the BSN 11-check, and a ``cid`` claim (if present, or
    required by the settings) equal to ``conversation_id``.
    """
    settings = get_settings()
    key = secret if secret is not None else settings.portal_token_secret
    if not token or not key:
        return None
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "sub", "aud"]},
        )
    except jwt.PyJWTError as exc:
        logger.info("portal token refused: %s", type(exc).__name__)
        return None
    if int(claims["exp"]) - int(claims["iat"]) > settings.portal_token_max_lifetime_seconds:
        logger.info("portal token refused: lifetime too long")
        return None
    bound = claims.get(CONVERSATION_CLAIM)
    if bound is None and settings.portal_token_require_conversation:
        logger.info("portal token refused: not bound to a conversation")
        return None
    if bound is not None and bound != conversation_id:
        logger.info("portal token refused: bound to another conversation")
        return None
    if _level(claims) < LEVELS[min_level]:
        logger.info("portal token refused: assurance level too low")
        return None
    subject = str(claims["sub"])
    if not stdnum_bsn.is_valid(subject):
        logger.info("portal token refused: subject is not a valid BSN")
        return None
    return stdnum_bsn.compact(subject)


def token_from_tracker(tracker: Any) -> str | None:
    """The ``auth_token`` of the latest user message's metadata (the widget sends it every time)."""
    metadata = (getattr(tracker, "latest_message", None) or {}).get("metadata") or {}
    if isinstance(metadata, Mapping) and metadata.get(METADATA_KEY):
        return str(metadata[METADATA_KEY])
    for event in reversed(getattr(tracker, "events", None) or []):
        if event.get("event") == "session_started":
            break
        if event.get("event") != "user":
            continue
        meta = event.get("metadata") or (event.get("parse_data") or {}).get("metadata") or {}
        if isinstance(meta, Mapping) and meta.get(METADATA_KEY):
            return str(meta[METADATA_KEY])
    return None


def verified_bsn(tracker: Any, min_level: str = DEFAULT_MIN_LEVEL) -> str | None:
    """The resident's BSN when the channel provided a valid portal token, else ``None``.

    WhatsApp (and any other channel without a portal token) gives ``None``: linking a WhatsApp number
    to a DigiD identity is out of scope. Callers answer ``utter_auth_needed`` when this is ``None``.
    """
    token = token_from_tracker(tracker)
    if not token:
        return None
    return verify_token(token, min_level=min_level, conversation_id=getattr(tracker, "sender_id", None))


def issue_token(
    bsn: str,
    secret: str | None = None,
    minutes: int = 15,
    level: str = "midden",
    now: int | None = None,
    conversation_id: str | None = None,
) -> str:
    """Issue a portal token (development and tests only; production tokens come from the portal)."""
    issued = int(time.time()) if now is None else now
    claims = {"sub": bsn, "aud": AUDIENCE, "iat": issued, "exp": issued + minutes * 60, "acr": level}
    if conversation_id is not None:
        claims[CONVERSATION_CLAIM] = conversation_id
    return jwt.encode(
        claims, secret if secret is not None else get_settings().portal_token_secret, algorithm=ALGORITHM
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m actions.auth issue --bsn 999993653 [--minutes 15] [--level midden]``."""
    parser = argparse.ArgumentParser(
        prog="python -m actions.auth", description="Portal token helper (development)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    issue = sub.add_parser("issue", help="print a token signed with PORTAL_TOKEN_SECRET")
    issue.add_argument("--bsn", required=True)
    issue.add_argument("--minutes", type=int, default=15)
    issue.add_argument("--level", default="midden", choices=sorted(LEVELS))
    issue.add_argument("--conversation", default=None, help="bind the token to this conversation id")
    args = parser.parse_args(argv)
    if not stdnum_bsn.is_valid(args.bsn):
        parser.error("--bsn does not pass the 11-check")
    print(issue_token(args.bsn, minutes=args.minutes, level=args.level, conversation_id=args.conversation))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
