"""Checks on stored trackers: every user message followed by its own answer, nothing lost or spliced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from privacy.detect import mask

PROBE_KEY = "scale_probe"


@dataclass
class Sent:
    """One message as the client sent it and what the accepting instance answered."""

    probe: str
    text: str
    answer: list[str | None] = field(default_factory=list)
    attempts: int = 0
    accepted: bool = False


def turns(events: list[dict[str, Any]]) -> list[tuple[str | None, list[str | None]]]:
    """The tracker's turns: ``(probe of the user message, bot texts until the next user message)``."""
    result: list[tuple[str | None, list[str | None]]] = []
    for event in events:
        if event.get("event") == "user":
            probe = (event.get("metadata") or {}).get(PROBE_KEY)
            result.append((probe, []))
        elif event.get("event") == "bot" and result:
            result[-1][1].append(event.get("text"))
    return result


def _masked(texts: list[str | None]) -> list[str | None]:
    """Bot texts as stored (masked), with the parts Rasa's REST channel splits off at blank lines."""
    parts: list[str | None] = []
    for text in texts:
        parts += [None] if text is None else [mask(part) for part in text.strip().split("\n\n")]
    return parts


def problems(events: list[dict[str, Any]], sent: list[Sent]) -> list[str]:
    """What is wrong with one conversation's stored events, given the messages sent to it.

    A message that was accepted on the first attempt must be stored exactly once, followed by
    exactly the answer its instance returned. A message that had to be sent again (its instance
    died while handling it) may be stored twice (at least once delivery), and one of its
    occurrences must be followed by the answer that was returned.
    """
    stored = turns(events)
    found: list[str] = []
    for message in sent:
        if not message.accepted:
            found.append(f"{message.probe}: never accepted")
            continue
        occurrences = [bot for probe, bot in stored if probe == message.probe]
        if not occurrences:
            found.append(f"{message.probe}: lost (not in the stored tracker)")
            continue
        if message.attempts == 1 and len(occurrences) != 1:
            found.append(f"{message.probe}: stored {len(occurrences)} times")
        if _masked(message.answer) not in [_masked(bot) for bot in occurrences]:
            found.append(f"{message.probe}: stored answer {occurrences} != returned {message.answer}")
    return found
