"""An explicit request for a human wins over a topic in the same message (components/human_request.py)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.human_request import HumanRequestOverride, asks_for_a_human


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ik wil toch een medewerker, mijn rijbewijs is gestolen", True),
        ("medewerker", True),
        ("kan ik iemand van de gemeente spreken over mijn paspoort", True),
        ("ik wil een mens spreken", True),
        ("ben jij een mens?", False),
        ("ik hoef geen medewerker", False),
        ("heeft de medewerker al geantwoord?", False),
        ("wat kost een paspoort", False),
    ],
)
def test_asks_for_a_human(text: str, expected: bool) -> None:
    assert asks_for_a_human(text) is expected


def test_the_override_sets_request_human_and_keeps_the_ranking() -> None:
    message = Message(
        data={
            "text": "ik wil toch een medewerker, mijn rijbewijs is gestolen",
            "intent": {"name": "driving_licence", "confidence": 0.8},
            "intent_ranking": [{"name": "driving_licence", "confidence": 0.8}],
        }
    )
    [result] = HumanRequestOverride().process([message])
    assert result.get("intent")["name"] == "request_human"
    assert [r["name"] for r in result.get("intent_ranking")] == ["request_human", "driving_licence"]


def test_a_button_payload_is_left_alone() -> None:
    message = Message(data={"text": "/passport_id_card", "intent": {"name": "passport_id_card"}})
    [result] = HumanRequestOverride().process([message])
    assert result.get("intent")["name"] == "passport_id_card"


@pytest.mark.parametrize("text", ["terug", "Terug!", "ga terug", "vorige vraag", "een stap terug aub"])
def test_only_going_back_is_not_a_request_for_a_human(text: str) -> None:
    message = Message(
        data={
            "text": text,
            "intent": {"name": "request_human", "confidence": 0.84},
            "intent_ranking": [{"name": "request_human", "confidence": 0.84}],
        }
    )
    [result] = HumanRequestOverride().process([message])
    assert result.get("intent")["name"] == "nlu_fallback"
    assert [r["name"] for r in result.get("intent_ranking")] == ["nlu_fallback", "request_human"]


@pytest.mark.parametrize(
    ("text", "classified"),
    [
        ("vorige vraag", "ask_ticket_status"),
        ("terug naar de vorige vraag", "ask_ticket_status"),
        ("naar de vorige vraag aub", "ask_ticket_status"),
        ("ga terug", "goodbye"),
        ("kan ik een stap terug?", "request_human"),
    ],
)
def test_going_back_is_no_answer_whatever_the_classifier_said(text: str, classified: str) -> None:
    """'vorige vraag' is going back, not asking the status of one's question to an advisor."""
    message = Message(
        data={
            "text": text,
            "intent": {"name": classified, "confidence": 0.97},
            "intent_ranking": [{"name": classified, "confidence": 0.97}],
        }
    )
    [result] = HumanRequestOverride().process([message])
    assert result.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize(
    "text", ["wat is de status van mijn vraag", "is mijn vraag al beantwoord", "de vorige keer ging het mis"]
)
def test_a_question_about_a_question_is_not_going_back(text: str) -> None:
    message = Message(data={"text": text, "intent": {"name": "ask_ticket_status", "confidence": 0.9}})
    [result] = HumanRequestOverride().process([message])
    assert result.get("intent")["name"] == "ask_ticket_status"


@pytest.mark.parametrize("text", ["bel mij terug", "terugbellen graag", "ik wil terug gebeld worden"])
def test_a_call_back_request_stays_a_request_for_a_human(text: str) -> None:
    message = Message(data={"text": text, "intent": {"name": "request_human", "confidence": 0.9}})
    [result] = HumanRequestOverride().process([message])
    assert result.get("intent")["name"] == "request_human"
