"""Drive the running assistant the way a resident does: read the question asked, type an answer.

A resident answers the question on the screen, not a script. ``Conversation.answer`` reads
``requested_slot`` (and the active form) from ``GET /conversations/{id}/tracker`` after every turn
and picks the typed Dutch answer for that slot, so a test states *what the resident would say to each
question* and the assistant decides the order. A form that asks the same question again, or loops,
ends the conversation with a clear assertion message instead of hanging.

Usage (with the ``assistant`` fixture of ``tests/integration/conftest.py``)::

    talk = Conversation(assistant["rasa"])
    talk.say("mag ik een dakkapel plaatsen?")
    talk.answer({"dormer_side": "aan de achterkant", "dormer_height": "ongeveer 1,50 m"})
    assert "zonder vergunning" in talk.last_text
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

Answer = str | Callable[["Conversation"], str]


@dataclass
class Conversation:
    """One resident's conversation over the REST channel.

    Attributes:
        rasa_url: Base URL of the Rasa server (``http://localhost:15005``).
        sender: The conversation id; a fresh random one by default.
        timeout: Seconds to wait for one answer (generous: the machine is shared).
        transcript: Every turn as ``("user"|"bot", text)``, for assertion messages.
    """

    rasa_url: str
    sender: str = field(default_factory=lambda: uuid.uuid4().hex)
    timeout: float = 120.0
    transcript: list[tuple[str, str]] = field(default_factory=list)
    last: list[dict[str, Any]] = field(default_factory=list)

    def say(self, text: str, metadata: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Send one typed message; returns the bot messages of this turn."""
        body: dict[str, Any] = {"sender": self.sender, "message": text}
        if metadata:
            body["metadata"] = dict(metadata)
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=self.timeout)
        response.raise_for_status()
        self.last = response.json()
        self.transcript.append(("user", text))
        self.transcript.extend(("bot", m.get("text", "")) for m in self.last)
        return self.last

    @property
    def last_text(self) -> str:
        """The text of the bot messages of the last turn, one per line."""
        return "\n".join(m.get("text", "") for m in self.last)

    def tracker(self) -> dict[str, Any]:
        """The stored tracker (``GET /conversations/{id}/tracker``)."""
        response = httpx.get(f"{self.rasa_url}/conversations/{self.sender}/tracker", timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    @property
    def slots(self) -> dict[str, Any]:
        """The conversation's current slot values."""
        return self.tracker().get("slots", {})

    @property
    def requested_slot(self) -> str | None:
        """The slot the active form asks for now, or None when no form asks anything."""
        tracker = self.tracker()
        if not (tracker.get("active_loop") or {}).get("name"):
            return None
        return tracker.get("slots", {}).get("requested_slot")

    def history(self) -> str:
        """The transcript so far, for assertion messages."""
        return "\n".join(f"{who:>4}: {text}" for who, text in self.transcript)

    def answer(self, answers: Mapping[str, Answer], max_turns: int = 20) -> list[str]:
        """Answer whatever the form asks, from ``answers`` (slot name -> typed text), until it stops.

        An answer may also be a callable that gets the conversation and returns the text, e.g. to
        give a wrong answer first: ``lambda talk: next(texts)``.

        Args:
            answers: The typed answer for each slot the form may ask.
            max_turns: Upper bound on questions; more means the form loops.

        Returns:
            The slots asked, in order.

        Raises:
            AssertionError: When the form asks a slot with no answer given, or loops.
        """
        asked: list[str] = []
        for _ in range(max_turns):
            slot = self.requested_slot
            if slot is None:
                return asked
            if slot not in answers:
                raise AssertionError(f"the form asks {slot!r}, with no answer given\n{self.history()}")
            asked.append(slot)
            if asked.count(slot) > 3:
                raise AssertionError(f"the form keeps asking {slot!r}\n{self.history()}")
            reply = answers[slot]
            self.say(reply(self) if callable(reply) else reply)
        raise AssertionError(f"the form did not finish within {max_turns} questions\n{self.history()}")
