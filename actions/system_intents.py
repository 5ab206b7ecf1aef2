"""Intents that only the system may trigger (never a resident by typing ``/intent{...}``).

The signal engine and the employee tool trigger ``proactive_signal`` and ``human_reply`` through
Rasa's HTTP API (``POST /conversations/{id}/trigger_intent``); Rasa then records the message text as
``EXTERNAL: <intent>``. A resident who types ``/proactive_signal{...}`` gets a message with the text
they typed. The channels already turn such typed commands into plain text
(:mod:`channels.guard`); the actions check again here.
"""

from __future__ import annotations

from typing import Any

#: Intents only the system triggers.
SYSTEM_INTENTS: frozenset[str] = frozenset({"proactive_signal", "human_reply"})
#: How Rasa 3.6 writes the text of an externally triggered intent (``rasa.shared.core.constants``).
EXTERNAL_PREFIX = "EXTERNAL: "


def is_system_message(tracker: Any) -> bool:
    """Whether the latest message was triggered through the HTTP API, not typed in a channel."""
    text = (getattr(tracker, "latest_message", None) or {}).get("text") or ""
    return isinstance(text, str) and text.startswith(EXTERNAL_PREFIX)
