"""End-to-end conversations over the REST channel against the running assistant."""

from __future__ import annotations

import uuid

import httpx
import pytest

pytestmark = pytest.mark.model


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_fresh_conversation_gets_the_introduction(say) -> None:
    reply = texts(say("hallo"))
    assert "digitale assistent" in reply
    assert "computerprogramma" in reply  # EU AI Act art. 50: says it is not a human
    assert "medewerker" in reply  # a way to a human from the start
    assert "Waarmee kan ik u helpen?" in reply


def test_introduction_only_once_per_session(say) -> None:
    sender = uuid.uuid4().hex
    say("hallo", sender)
    again = texts(say("goedemiddag", sender))
    assert "digitale assistent" not in again


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("", "geen tekst"),
        ("   ", "geen tekst"),
        ("😀😀😀", "emoji"),
        ("paspoort " * 1250, "erg lang"),
        ("Hello, how can I renew my passport please?", "Nederlands"),
    ],
)
def test_bad_input_gets_a_dutch_answer_and_conversation_continues(say, message, expected) -> None:
    sender = uuid.uuid4().hex
    say("hallo", sender)
    reply = texts(say(message, sender))
    assert expected in reply
    after = texts(say("dank je wel", sender))
    assert "Graag gedaan" in after


def test_html_is_not_executed_and_gets_an_answer(say) -> None:
    sender = uuid.uuid4().hex
    say("hallo", sender)
    reply = say("<script>alert('x')</script>", sender)
    assert reply, "the assistant must answer"
    assert "<script>" not in texts(reply)


def test_senders_are_separate_conversations(assistant, say) -> None:
    a, b = uuid.uuid4().hex, uuid.uuid4().hex
    say("hallo", a)
    say("wat kost een paspoort?", a)
    tracker_b = httpx.get(f"{assistant['rasa']}/conversations/{b}/tracker", timeout=30).json()
    assert not [e for e in tracker_b.get("events", []) if e.get("event") == "user"]
    tracker_a = httpx.get(f"{assistant['rasa']}/conversations/{a}/tracker", timeout=30).json()
    assert tracker_a["slots"].get("current_topic")
    say("hallo", b)
    tracker_b = httpx.get(f"{assistant['rasa']}/conversations/{b}/tracker", timeout=30).json()
    assert not tracker_b["slots"].get("current_topic")


def test_server_stays_up_after_bad_input(assistant, say) -> None:
    say("\x00\x01\x02", uuid.uuid4().hex)
    assert httpx.get(assistant["rasa"], timeout=10).status_code == 200
