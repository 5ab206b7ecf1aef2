"""Full handoff round trip: resident asks for a human -> ticket -> employee answers -> chat."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[2]


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def employee(assistant: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        DATABASE_URL=assistant["database_url"],
        RASA_URL=assistant["rasa"],
        KLANTINTERACTIES_API_URL=f"{assistant['backend']}/klantinteracties/api/v1",
    )
    return subprocess.run(
        [sys.executable, "-m", "app.employee", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


class WebChat:
    """A resident in the web chat (socket.io) with the server-issued conversation id."""

    def __init__(self, assistant: dict[str, str]) -> None:
        import socketio

        self.assistant = assistant
        self.client = socketio.AsyncClient()
        self.received: list[str] = []
        self.session_id = ""
        self.client.on("bot_uttered", self._bot_uttered)

    def _bot_uttered(self, data: dict | None) -> None:
        data = data or {}
        buttons = data.get("quick_replies") or data.get("buttons") or []
        payloads = " ".join(str(b.get("payload", "")) for b in buttons if isinstance(b, dict))
        self.received.append(f"{data.get('text') or ''}\n{payloads}".strip())

    async def open(self) -> None:
        from tests.integration.conftest import WEBCHAT_PORT

        confirmed = asyncio.get_running_loop().create_future()
        self.client.on("session_confirm", lambda data: confirmed.done() or confirmed.set_result(data))
        origin = {"Origin": f"http://localhost:{WEBCHAT_PORT}"}
        await self.client.connect(self.assistant["rasa"], headers=origin, transports=["polling"])
        await self.client.emit("session_request", {"session_id": None})
        self.session_id = (await asyncio.wait_for(confirmed, 60))["session_id"]

    async def say(self, text: str, expect: str) -> str:
        """Send ``text`` and wait until a bot message containing ``expect`` arrived; returns all since."""
        start = len(self.received)
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})
        return await self.wait_for(expect, start)

    async def wait_for(self, expect: str, start: int = 0) -> str:
        for _ in range(240):  # the machine may be slow: no timed assertion, only a generous bound
            said = "\n".join(self.received[start:])
            if expect.lower() in said.lower():
                return said
            await asyncio.sleep(0.5)
        raise AssertionError(f"no bot message with {expect!r}: {self.received[start:]}")


async def test_resident_reads_the_employees_answer_in_the_same_web_chat(assistant) -> None:
    chat = WebChat(assistant)
    await chat.open()
    try:
        await chat.say("hallo", "assistent")
        offered = await chat.say("ik wil een medewerker spreken", "antwoord")
        assert '"contact_preference": "chat"' in offered, offered  # the button is offered here
        await chat.say('/inform{"contact_preference": "chat"}', "vraag")
        await chat.say("Mijn grofvuil is twee keer niet opgehaald, wat nu?", "doorsturen")
        done = await chat.say("/affirm", "T-")
        reference = re.search(r"T-\d{4}-\d{6}", done)
        assert reference, done

        listed = employee(assistant, "list")
        assert listed.returncode == 0, listed.stderr
        assert reference.group(0) in listed.stdout

        answered = employee(assistant, "answer", reference.group(0), "Wij halen uw grofvuil morgen op.")
        assert answered.returncode == 0, answered.stderr
        await chat.wait_for("Wij halen uw grofvuil morgen op.")  # pushed into the open web chat

        later = await chat.say(f"wat is de stand van mijn vraag {reference.group(0)}?", reference.group(0))
        assert "grofvuil" in later.lower()
    finally:
        await chat.client.disconnect()
    async with httpx.AsyncClient(timeout=30) as http:
        tracker = (await http.get(f"{assistant['rasa']}/conversations/{chat.session_id}/tracker")).json()
    assert tracker["slots"].get("handoff_ticket_id") == reference.group(0)


def test_over_rest_the_chat_is_not_offered(assistant, say) -> None:
    sender = uuid.uuid4().hex
    offered = say("ik wil een medewerker spreken", sender)
    payloads = [b.get("payload", "") for m in offered for b in m.get("buttons") or []]
    assert payloads and not any('"chat"' in p for p in payloads), offered
    refused = texts(say('/inform{"contact_preference": "chat"}', sender))
    assert "kan u later niet bereiken" in refused
