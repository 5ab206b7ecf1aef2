"""Issue 15 content defects, driven over REST as a resident types (running assistant, trained model).

Each conversation types Dutch the way residents do and reads the answers: the AOW date from the
signal's table, the social-domain answers and their depth, what birth and marriage offer, the
placeholders of the first message, and off-topic commands that must not start or stop anything.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.model


def buttons(messages: list[dict]) -> list[str]:
    return [b.get("payload", "") for m in messages for b in m.get("buttons") or []]


def test_first_message_has_no_localhost_privacy_url(conversation) -> None:
    talk = conversation()
    talk.say("/session_start")
    talk.say("hallo")
    first = "\n".join(text for who, text in talk.transcript if who == "bot")
    assert "privacy" in first.lower()
    assert "localhost" not in first and "fictief" not in first


def test_born_in_1961_gets_the_aow_date(conversation) -> None:
    talk = conversation()
    talk.say("Ik ben van 1961, wanneer krijg ik AOW?")
    assert "67 jaar en 3 maanden" in talk.last_text, talk.transcript
    assert "1 april 2028" in talk.last_text
    assert "/subscribe_signals" in buttons(talk.last)


def test_aow_question_gets_the_letter_and_the_ages(conversation) -> None:
    talk = conversation()
    talk.say("hoe vraag ik mijn aow aan")
    assert "4 maanden" in talk.last_text, talk.transcript
    assert "67 jaar" in talk.last_text
    assert "6 maanden voor uw AOW" not in talk.last_text


def test_whats_on_is_the_uitagenda_not_the_income_tested_pass(conversation) -> None:
    talk = conversation()
    talk.say("welke voorstellingen zijn er deze maand")
    assert "Uitagenda" in talk.last_text, talk.transcript
    assert "laag inkomen" not in talk.last[0].get("text", "")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("ik wil graag vrijwilligerswerk doen", "vrijwilligerscentrale"),
        ("ik voel me zo eenzaam de laatste tijd", "alleen"),
        ("wij willen een buurtfeest organiseren, is daar subsidie voor", "subsidie"),
        ("mijn moeder moet naar het verpleeghuis", "Wlz"),
    ],
)
def test_social_questions_get_their_own_answer(conversation, message: str, expected: str) -> None:
    talk = conversation()
    talk.say(message)
    assert expected.lower() in talk.last_text.lower(), talk.transcript
    assert "Buurtbemiddeling" not in talk.last[0].get("text", "")


def test_the_same_question_again_gets_more_depth_then_a_human(conversation) -> None:
    talk = conversation()
    talk.say("ik voel me eenzaam")
    first = talk.last_text
    talk.say("ik voel me echt heel eenzaam")
    assert talk.last_text != first and "Meer over" in talk.last_text, talk.transcript
    talk.say("ik ben zo alleen")
    talk.say("ik ben nog steeds eenzaam")
    assert "/request_human" in buttons(talk.last), talk.transcript


@pytest.mark.parametrize("message", ["mijn kind is geboren, hoe doe ik aangifte", "wij willen trouwen"])
def test_birth_and_marriage_do_not_offer_a_chat_appointment(conversation, message: str) -> None:
    talk = conversation()
    talk.say(message)
    assert "/make_appointment" not in buttons(talk.last), talk.transcript
    assert "hier in de chat" not in talk.last_text


@pytest.mark.parametrize(
    "message",
    [
        "zet de wekker op 7 uur morgen",
        pytest.param(
            "moet ik een paraplu meenemen",
            marks=pytest.mark.xfail(
                strict=True,
                reason="open NLU defect: 'meenemen' still pulls this to ask_documents (issue 15)",
            ),
        ),
        "herinner me zaterdag om de auto te wassen",
    ],
)
def test_assistant_commands_are_out_of_scope(conversation, message: str) -> None:
    talk = conversation()
    talk.say(message)
    assert "Sorry, daar kan ik u niet mee helpen" in talk.last_text or "begrijp" in talk.last_text, (
        talk.transcript
    )
    assert not re.search(r"Wilt u een bericht van de gemeente krijgen", talk.last_text)


def test_removing_a_reminder_erases_nothing(conversation) -> None:
    talk = conversation()
    talk.say("gooi mijn herinnering van donderdag weg")
    talk.say("ja")
    assert "gewist" not in talk.last_text, talk.transcript


def test_study_answer_offers_the_signal(conversation) -> None:
    talk = conversation()
    talk.say("hoe schrijf ik me in voor een studie aan de hogeschool")
    assert "/subscribe_signals" in buttons(talk.last), talk.transcript
