"""Full handoff round trip: resident asks for a human -> ticket -> employee answers -> chat."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
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


def test_resident_reads_the_employees_answer_in_the_same_chat(assistant, say) -> None:
    sender = uuid.uuid4().hex
    say("hallo", sender)
    assert "antwoord" in texts(say("ik wil een medewerker spreken", sender)).lower()
    asked = texts(say('/inform{"contact_preference": "chat"}', sender))
    assert "vraag" in asked.lower()
    confirm = texts(say("Mijn grofvuil is twee keer niet opgehaald, wat nu?", sender))
    assert "doorsturen" in confirm.lower()
    done = texts(say("/affirm", sender))
    reference = re.search(r"T-\d{4}-\d{6}", done)
    assert reference, done

    listed = employee(assistant, "list")
    assert listed.returncode == 0, listed.stderr
    assert reference.group(0) in listed.stdout

    answered = employee(assistant, "answer", reference.group(0), "Wij halen uw grofvuil morgen op.")
    assert answered.returncode == 0, answered.stderr

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        tracker = httpx.get(f"{assistant['rasa']}/conversations/{sender}/tracker", timeout=30).json()
        bot = [e.get("text") or "" for e in tracker["events"] if e.get("event") == "bot"]
        if any("Wij halen uw grofvuil morgen op." in text for text in bot):
            break
        time.sleep(1)
    else:
        raise AssertionError("the employee's answer did not reach the resident's conversation")
    assert tracker["slots"].get("handoff_ticket_id") == reference.group(0)
