"""Tests for components/input_guard.py (bad input becomes a specific fallback)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.input_guard import (
    InputGuard,
    InputSanitizer,
    classify_problem,
    strip_markup,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("???", "empty"),
        ("😀😀👍", "only_emoji"),
        ("🙈 🙉 🙊 !!", "only_emoji"),
        ("x" * 10_000, "too_long"),
        ("Hello, how can I renew my passport please?", "english"),
        ("What are the opening hours of the town hall?", "english"),
        ("Ik wil mijn paspoort verlengen", None),
        ("hoi, wat kost een id kaart?", None),
        ("Wanneer is het gemeentehuis open?", None),
        ("paspoort", None),
        ("<b>paspoort</b> aanvragen", None),
        ("postcode 1234 AB", None),
    ],
)
def test_classify_problem(text: str, expected: str | None) -> None:
    assert classify_problem(text) == expected


def test_strip_markup_removes_tags_and_scripts_markup() -> None:
    assert strip_markup("<script>alert(1)</script> paspoort") == "alert(1) paspoort"
    assert strip_markup("<img src=x onerror=alert(1)>") == ""


def _run(text: str) -> Message:
    message = Message(data={"text": text})
    InputSanitizer({"max_chars": 1000}).process([message])
    # a classifier would run here; simulate one that predicted a municipal intent
    message.set("intent", {"name": "passport_id_card", "confidence": 0.9}, add_to_output=True)
    InputGuard().process([message])
    return message


def test_long_message_is_cut_and_flagged() -> None:
    message = _run("paspoort " * 2000)
    assert len(message.get("text")) <= 1000
    assert message.get("intent")["name"] == "nlu_fallback"
    assert {"entity": "input_problem", "value": "too_long"}.items() <= message.get("entities")[0].items()


def test_html_is_removed_before_nlu() -> None:
    message = _run("<script>x()</script><b>paspoort</b> verlengen")
    assert "<" not in message.get("text")
    assert message.get("intent")["name"] == "passport_id_card"


def test_normal_message_keeps_its_intent() -> None:
    message = _run("ik wil mijn paspoort verlengen")
    assert message.get("intent")["name"] == "passport_id_card"
    assert not [e for e in message.get("entities") or [] if e["entity"] == "input_problem"]


@pytest.mark.parametrize("text", ["", "👍👍", "Where can I find the town hall please?"])
def test_unusable_input_becomes_fallback_with_problem(text: str) -> None:
    message = _run(text)
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("intent_ranking")[0]["name"] == "nlu_fallback"
    assert [e["entity"] for e in message.get("entities")] == ["input_problem"]


def test_empty_message_keeps_a_token_for_the_classifiers() -> None:
    message = Message(data={"text": "   "})
    InputSanitizer({"max_chars": 1000}).process([message])
    assert message.get("text").strip()
