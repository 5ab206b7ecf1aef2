"""What the submit actions of transaction forms share."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from rasa_sdk import Tracker


def idempotency_key(kind: str, tracker: Tracker, payload: dict[str, Any]) -> str:
    """A key that is the same when the same submission is sent twice (a retried action call)."""
    latest = next((e for e in reversed(tracker.events) if e.get("event") == "user"), {}) or {}
    moment = str(latest.get("timestamp") or (tracker.latest_message or {}).get("message_id") or "")
    digest = hashlib.sha256(
        json.dumps([tracker.sender_id, moment, payload], sort_keys=True, default=str).encode()
    ).hexdigest()[:32]
    return f"{kind}:{digest}"
