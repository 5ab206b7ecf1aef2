"""Tests of actions/dormer.py: the dormer_form validation action and the verdict action."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.dormer import ActionDormerVerdict, ValidateDormerForm
from foundation.domain import read_domain
from tests.actions.test_permit_rules import FREE_DORMER

DOMAIN = read_domain()


def _slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def _responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


async def _validate(
    make_tracker,
    text: str,
    intent: str = "inform",
    requested: str | None = None,
    slots: dict[str, Any] | None = None,
    entities: list | None = None,
):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        intent=intent,
        text=text,
        entities=entities,
        slots={**(slots or {}), "requested_slot": requested},
        active_loop="dormer_form",
    )
    events = await ValidateDormerForm().run(dispatcher, tracker, DOMAIN)
    return _slots(events), _responses(dispatcher)


async def test_button_payload_sets_the_roof_side(make_tracker) -> None:
    slots, _ = await _validate(
        make_tracker,
        '/inform{"dormer_roof_side": "achter"}',
        requested="dormer_roof_side",
        entities=[("dormer_roof_side", "achter")],
    )
    assert slots["dormer_roof_side"] == "achter"
    assert slots["requested_slot"] == "dormer_building_type"


async def test_free_text_roof_side_and_yes_no(make_tracker) -> None:
    slots, _ = await _validate(make_tracker, "aan de achterkant", requested="dormer_roof_side")
    assert slots["dormer_roof_side"] == "achter"
    slots, _ = await _validate(
        make_tracker,
        "nee",
        intent="deny",
        requested="dormer_monument",
        slots={"dormer_building_type": "woning"},
    )
    assert slots["dormer_monument"] == "nee"
    assert slots["requested_slot"] == "dormer_townscape"


async def test_height_with_unit_is_stored_in_metres(make_tracker) -> None:
    slots, _ = await _validate(make_tracker, "150 cm", requested="dormer_height")
    assert slots["dormer_height"] == pytest.approx(1.5)


async def test_several_answers_in_one_message(make_tracker) -> None:
    slots, _ = await _validate(
        make_tracker,
        "1,50 m hoog, 70 cm boven de dakvoet en 60 cm onder de nok",
        requested="dormer_height",
        slots={
            k: FREE_DORMER[k]
            for k in (
                "dormer_building_type",
                "dormer_roof_side",
                "dormer_monument",
                "dormer_townscape",
                "dormer_flat_roof",
            )
        },
    )
    assert slots["dormer_height"] == pytest.approx(1.5)
    assert slots["dormer_eaves_distance"] == pytest.approx(0.7)
    assert slots["dormer_ridge_distance"] == pytest.approx(0.6)
    assert slots["requested_slot"] == "dormer_side_distance"


async def test_correction_of_an_earlier_answer(make_tracker) -> None:
    slots, responses = await _validate(
        make_tracker,
        "nee, de dakkapel komt aan de voorkant",
        intent="deny",
        requested="dormer_townscape",
        slots={"dormer_building_type": "woning", "dormer_roof_side": "achter", "dormer_monument": "nee"},
    )
    assert slots["dormer_roof_side"] == "voor"
    assert "dormer_townscape" not in slots  # the "nee" was not an answer to the townscape question
    assert "utter_form_answer_changed" in responses
    assert slots["requested_slot"] == "dormer_townscape"


async def test_front_side_skips_the_construction_questions(make_tracker) -> None:
    slots, _ = await _validate(
        make_tracker,
        "nee",
        intent="deny",
        requested="dormer_townscape",
        slots={"dormer_building_type": "woning", "dormer_roof_side": "voor", "dormer_monument": "nee"},
    )
    assert slots["dormer_townscape"] == "nee"
    assert slots["requested_slot"] is None  # the form is done (Voorbeeldstad has no front-dormer rule)


async def test_dont_know_fills_the_requested_slot(make_tracker) -> None:
    slots, _ = await _validate(make_tracker, "weet ik niet", intent="dont_know", requested="dormer_height")
    assert slots["dormer_height"] == "weet_ik_niet"


async def test_side_question_fills_nothing(make_tracker) -> None:
    slots, responses = await _validate(
        make_tracker, "hoe laat is het gemeentehuis open?", intent="opening_hours", requested="dormer_height"
    )
    assert "dormer_height" not in slots
    assert responses == []


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("veel", "utter_dormer_invalid_no_number"),
        ("-5", "utter_dormer_invalid_negative"),
        ("7", "utter_dormer_invalid_no_unit"),
        ("40 meter", "utter_dormer_invalid_implausible"),
    ],
)
async def test_invalid_height_is_explained(make_tracker, text: str, response: str) -> None:
    slots, responses = await _validate(make_tracker, text, requested="dormer_height")
    assert slots["dormer_height"] is None
    assert responses == [response]
    assert slots["form_invalid_count"] == 1


async def test_third_invalid_answer_offers_a_human_and_stops(make_tracker) -> None:
    slots, responses = await _validate(
        make_tracker,
        "veel",
        requested="dormer_height",
        slots={"form_invalid_count": 2.0, "form_invalid_slot": "dormer_height"},
    )
    assert responses == ["utter_permit_offer_human"]
    assert slots["form_handoff"] is True
    assert slots["requested_slot"] is None


async def test_invalid_count_restarts_for_another_question(make_tracker) -> None:
    slots, responses = await _validate(
        make_tracker,
        "veel",
        requested="dormer_height",
        slots={"form_invalid_count": 2.0, "form_invalid_slot": "dormer_monument"},
    )
    assert responses == ["utter_dormer_invalid_no_number"]
    assert slots["form_invalid_count"] == 1


async def _verdict(make_tracker, answers: dict[str, Any]):
    dispatcher = CollectingDispatcher()
    events = await ActionDormerVerdict().run(dispatcher, make_tracker(slots=answers), DOMAIN)
    return _slots(events), _responses(dispatcher)


@pytest.mark.parametrize(
    ("changes", "verdict"),
    [
        ({}, "permit_free"),
        ({"dormer_roof_side": "voor"}, "permit_required"),
        ({"dormer_townscape": "ja"}, "municipality_decides"),
    ],
)
async def test_verdict_action(make_tracker, changes: dict[str, Any], verdict: str) -> None:
    slots, responses = await _verdict(make_tracker, {**FREE_DORMER, **changes})
    assert slots["dormer_verdict"] == verdict
    assert responses[0] == f"utter_dormer_verdict_{verdict}"
    assert responses[-1] == f"utter_dormer_next_{verdict}"
    assert slots["dormer_roof_side"] is None  # answers are forgotten after the summary
    assert slots["permit_last_answers"]["check"] == "dormer"  # ... but kept for a correction
    assert slots["current_topic"] == "dakkapel"  # follow-up questions ("wat kost dat?") about the permit
    assert "utter_permit_summary" in responses
    for response in responses:
        assert response in DOMAIN["responses"], response


async def test_verdict_after_handoff_says_nothing(make_tracker) -> None:
    slots, responses = await _verdict(make_tracker, {"form_handoff": True})
    assert responses == []
    assert slots["form_handoff"] is None
