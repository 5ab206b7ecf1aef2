"""Tests of actions/tree.py: the tree_form validation action and the verdict action."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.content import clear_content_cache
from actions.tree import ActionTreeVerdict, ValidateTreeForm
from foundation.domain import read_domain
from foundation.settings import get_settings

DOMAIN = read_domain()


@pytest.fixture(autouse=True)
def _voorbeeldstad(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MUNICIPALITY", "voorbeeldstad")
    get_settings.cache_clear()
    clear_content_cache()
    yield
    get_settings.cache_clear()
    clear_content_cache()


def _slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


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
        active_loop="tree_form",
    )
    events = await ValidateTreeForm().run(dispatcher, tracker, DOMAIN)
    return _slots(events), [m["response"] for m in dispatcher.messages]


@pytest.mark.parametrize(
    ("text", "circumference"),
    [
        ("80 cm omtrek", 80.0),
        ("doorsnede 30 cm", 94.2),
        ("diameter 0,3 m", 94.2),
        ("ongeveer een halve meter rond", {"value": 50.0, "estimate": True}),
        ("1 meter rond", 100.0),
    ],
)
async def test_trunk_answers(make_tracker, text: str, circumference: float) -> None:
    slots, responses = await _validate(
        make_tracker,
        text,
        requested="tree_trunk_circumference",
        slots={"tree_protected": "nee", "tree_location": "eigen_tuin"},
    )
    value = slots["tree_trunk_circumference"]
    if isinstance(circumference, dict):
        assert value == circumference
    else:
        assert value == pytest.approx(circumference, abs=0.1)
    assert responses == []
    assert slots["requested_slot"] is None


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("-5", "utter_tree_invalid_negative"),
        ("veel", "utter_tree_invalid_no_number"),
    ],
)
async def test_trunk_rejections(make_tracker, text: str, response: str) -> None:
    slots, responses = await _validate(make_tracker, text, requested="tree_trunk_circumference")
    assert slots["tree_trunk_circumference"] is None
    assert responses == [response]


async def test_public_space_skips_the_trunk_question(make_tracker) -> None:
    slots, _ = await _validate(
        make_tracker,
        '/inform{"tree_location": "openbaar"}',
        requested="tree_location",
        slots={"tree_protected": "nee"},
        entities=[("tree_location", "openbaar")],
    )
    assert slots["tree_location"] == "openbaar"
    assert slots["requested_slot"] is None


async def test_several_answers_and_a_correction(make_tracker) -> None:
    slots, _ = await _validate(
        make_tracker, "hij staat in mijn tuin en is 80 cm omtrek", intent="inform", requested="tree_protected"
    )
    assert slots["tree_location"] == "eigen_tuin"
    assert slots["tree_trunk_circumference"] == pytest.approx(80.0)
    assert "tree_protected" not in slots or slots["tree_protected"] is None
    slots, responses = await _validate(
        make_tracker,
        "nee, hij staat op de stoep",
        intent="deny",
        requested="tree_trunk_circumference",
        slots={"tree_protected": "nee", "tree_location": "eigen_tuin"},
    )
    assert slots["tree_location"] == "openbaar"
    assert "utter_form_answer_changed" in responses


async def test_dont_know(make_tracker) -> None:
    slots, _ = await _validate(make_tracker, "geen idee", intent="dont_know", requested="tree_protected")
    assert slots["tree_protected"] == "weet_ik_niet"


@pytest.mark.parametrize(
    ("answers", "verdict", "reason"),
    [
        (
            {"tree_protected": "nee", "tree_location": "eigen_tuin", "tree_trunk_circumference": 20.0},
            "permit_free",
            "trunk_below_threshold",
        ),
        (
            {"tree_protected": "nee", "tree_location": "eigen_tuin", "tree_trunk_circumference": 80.0},
            "permit_required",
            "trunk_above_threshold",
        ),
        ({"tree_protected": "ja", "tree_location": "eigen_tuin"}, "permit_required", "protected"),
        ({"tree_location": "openbaar"}, "not_owner", "public_space"),
        ({"tree_location": "buren"}, "not_owner", "neighbour_tree"),
        (
            {"tree_protected": "nee", "tree_location": "eigen_tuin", "tree_trunk_circumference": 31.0},
            "permit_required",
            "trunk_above_threshold",
        ),
        (
            {
                "tree_protected": "nee",
                "tree_location": "eigen_tuin",
                "tree_trunk_circumference": {"value": 30.0, "estimate": True},
            },
            "municipality_decides",
            "trunk_estimate",
        ),
    ],
)
async def test_verdict_action(make_tracker, answers: dict[str, Any], verdict: str, reason: str) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionTreeVerdict().run(dispatcher, make_tracker(slots=answers), DOMAIN)
    responses = [m["response"] for m in dispatcher.messages]
    assert _slots(events)["tree_verdict"] == verdict
    assert responses[0] == f"utter_tree_verdict_{verdict}"
    assert responses[1] == "utter_permit_summary"
    assert responses[2] == f"utter_tree_reason_{reason}"
    assert responses[3] == f"utter_tree_next_{verdict}"
    assert dispatcher.messages[2]["tree_threshold_circumference"] == "31"
    assert dispatcher.messages[2]["measured_height"] == "1,30"
    for response in responses:
        assert response in DOMAIN["responses"], response
