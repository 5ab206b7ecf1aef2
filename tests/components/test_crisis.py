"""Tests of the crisis detector (components/crisis.py) on its own test set, and of its NLU component."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from components.crisis import ACUTE_DANGER, DOMESTIC_VIOLENCE, SUICIDE, detect_crisis, normalise
from components.crisis_detector import CRISIS_ENTITY, CRISIS_INTENT, CrisisDetector

CASES = yaml.safe_load((Path(__file__).with_name("crisis_cases.yml")).read_text(encoding="utf-8"))
POSITIVES = [(kind, text) for kind, texts in CASES["positives"].items() for text in texts]


@pytest.mark.parametrize(("kind", "text"), POSITIVES)
def test_every_crisis_message_of_the_test_set_is_found(kind: str, text: str) -> None:
    assert kind in detect_crisis(text)


@pytest.mark.parametrize("text", CASES["negatives"])
def test_no_false_alarm_on_the_hard_negatives(text: str) -> None:
    assert detect_crisis(text) == []


def test_the_test_set_is_large_enough() -> None:
    assert len(POSITIVES) >= 90
    assert len(CASES["negatives"]) >= 60
    assert {kind for kind, _ in POSITIVES} == {SUICIDE, DOMESTIC_VIOLENCE, ACUTE_DANGER}


def test_most_urgent_kind_first() -> None:
    assert detect_crisis("mijn man slaat mij en hij heeft een mes") == [ACUTE_DANGER, DOMESTIC_VIOLENCE]


def test_normalise_reads_whatsapp_spelling() -> None:
    assert normalise("Ik wil DOOOOD!!! 😢") == "ik wil dood\n"
    assert normalise("beëindigen") == "beeindigen"


def test_empty_and_huge_messages() -> None:
    assert detect_crisis("") == []
    assert detect_crisis(None) == []
    assert detect_crisis("paspoort " * 100_000) == []


def _process(text: str, intent: str = "inform", entities: list | None = None) -> Message:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9}})
    message.set("entities", entities or [])
    CrisisDetector().process([message])
    return message


def test_component_overrides_intent_and_adds_the_kind() -> None:
    message = _process(
        "ik wil er een einde aan maken",
        intent="nlu_fallback",
        entities=[{"entity": "input_problem", "value": "english"}],
    )
    assert message.get("intent")["name"] == CRISIS_INTENT
    assert message.get("intent")["confidence"] == 1.0
    assert [e["value"] for e in message.get("entities") if e["entity"] == CRISIS_ENTITY] == [SUICIDE]
    assert all(e["entity"] != "input_problem" for e in message.get("entities"))


def test_component_leaves_ordinary_messages_alone() -> None:
    message = _process("de boom moet dood", intent="permit_check_tree")
    assert message.get("intent")["name"] == "permit_check_tree"
    assert message.get("entities") == []
