"""Tests of the safety layer actions (actions/safety.py) and the forms' handling of ``crisis``."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.content import ContentError
from actions.conversation import ActionCancel
from actions.dormer import ValidateDormerForm
from actions.handoff import ValidateHandoffForm
from actions.moving import ValidateMoveForm
from actions.safety import (
    ActionCrisisSupport,
    ActionResumeForm,
    load_safety_lines,
    safety_values,
    validate_safety_lines,
)
from foundation.domain import read_domain

ROOT = Path(__file__).parents[2]
DOMAIN = read_domain()


def _responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


def _events(events: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return [(e["event"], e.get("name") or e.get("value")) for e in events]


def test_the_numbers_are_national_content_and_match_the_reference() -> None:
    values = safety_values(load_safety_lines())
    assert values["suicide_phone"] == "113"
    assert values["suicide_phone_alt"] == "0800-0113"
    assert values["suicide_chat"] == "113.nl"
    assert values["domestic_violence_phone"] == "0800-2000"
    assert values["emergency_phone"] == "112"
    assert values["suicide_hours"] == values["domestic_violence_hours"] == "dag en nacht"


def test_no_help_line_number_is_written_in_python() -> None:
    numbers = re.compile(r"0800-?0113|0800-?2000|\b11[23]\b")
    for folder in ("actions", "components", "channels"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not numbers.search(path.read_text(encoding="utf-8")), path


def test_invalid_safety_lines_are_rejected() -> None:
    data = copy.deepcopy(load_safety_lines())
    del data["lines"]["suicide"]["chat"]
    data["lines"]["emergency"]["phone"] = "een-een-twee"
    with pytest.raises(ContentError) as error:
        validate_safety_lines(data)
    assert "chat" in str(error.value) and "phone" in str(error.value)


@pytest.mark.parametrize(
    ("kinds", "responses"),
    [
        (["suicide"], ["utter_crisis_suicide"]),
        (["domestic_violence"], ["utter_crisis_domestic_violence"]),
        (
            ["domestic_violence", "acute_danger"],
            ["utter_crisis_acute_danger", "utter_crisis_domestic_violence"],
        ),
        ([], ["utter_crisis_acute_danger", "utter_crisis_suicide", "utter_crisis_domestic_violence"]),
    ],
)
async def test_help_lines_for_the_danger_named(make_tracker, kinds, responses) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="crisis", entities=[("crisis_type", k) for k in kinds])
    events = await ActionCrisisSupport().run(dispatcher, tracker, DOMAIN)
    assert _responses(dispatcher) == [*responses, "utter_crisis_offer_human"]
    assert [e["event"] for e in events] == ["active_loop"]
    assert dispatcher.messages[0]["emergency_phone"] == "112"


def test_crisis_texts_are_warm_and_never_say_you_need_not_share() -> None:
    texts = " ".join(
        variant["text"]
        for name, variants in DOMAIN["responses"].items()
        if name.startswith("utter_crisis")
        for variant in variants
    ).lower()
    assert "hoeft" not in texts and "delen" not in texts
    for placeholder in (
        "{suicide_phone}",
        "{suicide_phone_alt}",
        "{suicide_chat}",
        "{domestic_violence_phone}",
    ):
        assert placeholder in texts
    assert "{emergency_phone}" in texts


async def test_an_active_form_is_paused_not_cancelled(make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        intent="crisis",
        entities=[("crisis_type", "suicide")],
        slots={"requested_slot": "dormer_height", "dormer_roof_side": "achter"},
        active_loop="dormer_form",
    )
    events = await ActionCrisisSupport().run(dispatcher, tracker, DOMAIN)
    assert _responses(dispatcher) == ["utter_crisis_suicide", "utter_crisis_offer_human_paused"]
    assert ("active_loop", None) in [(e["event"], e.get("name")) for e in events]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {"requested_slot": None, "paused_form": "dormer_form"}


async def test_resume_continues_the_paused_form(make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionResumeForm().run(
        dispatcher, make_tracker(intent="deny", slots={"paused_form": "dormer_form"}), DOMAIN
    )
    assert _responses(dispatcher) == ["utter_crisis_resume_form"]
    assert {"event": "followup", "name": "dormer_form"} in [
        {k: e[k] for k in ("event", "name")} for e in events if e["event"] == "followup"
    ]


async def test_resume_without_a_paused_form_asks_how_to_help(make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    await ActionResumeForm().run(dispatcher, make_tracker(intent="deny"), DOMAIN)
    assert _responses(dispatcher) == ["utter_how_can_i_help"]


async def test_stop_ends_a_paused_form_and_forgets_its_answers(make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        intent="cancel", slots={"paused_form": "dormer_form", "dormer_roof_side": "achter"}
    )
    events = await ActionCancel().run(dispatcher, tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["paused_form"] is None and slots["dormer_roof_side"] is None
    assert _responses(dispatcher) == ["utter_cancelled"]


@pytest.mark.parametrize(
    ("action", "form", "requested", "text"),
    [
        (ValidateDormerForm, "dormer_form", "dormer_height", "ik spring van het dak van 2 meter hoog"),
        (ValidateHandoffForm, "handoff_form", "handoff_summary", "ik wil er een einde aan maken"),
        (ValidateMoveForm, "move_form", "move_postcode", "mijn man slaat mij, 1234 AB"),
    ],
)
async def test_a_crisis_message_is_never_an_answer_nor_an_invalid_one(
    make_tracker, action, form, requested, text
):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="crisis", text=text, slots={"requested_slot": requested}, active_loop=form)
    events = await action().run(dispatcher, tracker, DOMAIN)
    filled = {e["name"] for e in events if e["event"] == "slot"} - {"requested_slot"}
    assert filled == set()
    assert dispatcher.messages == []
