"""Stories and rules read as conversations."""

from __future__ import annotations

from tests.workbench.conftest import ROOT
from workbench.conversations import describe, load_conversations


def test_every_story_and_rule_is_read() -> None:
    conversations = load_conversations(ROOT)
    kinds = {c.kind for c in conversations}
    assert kinds == {"regel", "verhaal"}
    passport = next(c for c in conversations if c.name == "answer passport_id_card")
    assert passport.steps[0].who == "inwoner" and "paspoort of identiteitskaart" in passport.steps[0].text
    assert passport.matches("PASSPORT") and not passport.matches("geen-zoekterm-xyz")


def test_steps_in_dutch() -> None:
    responses = {"utter_greet": "Goedendag!"}
    assert (
        describe({"action": "utter_greet"}, responses).text
        == "antwoordt met utter_greet: \u201cGoedendag!\u201d"
    )
    assert describe({"action": "action_x"}, responses).text == "voert uit: action_x"
    assert describe({"active_loop": None}, responses).text == "sluit het formulier af"
    assert (
        describe({"slot_was_set": [{"requested_slot": None}]}, responses).text
        == "onthoudt: requested_slot = leeg"
    )
    assert (
        describe({"or": [{"intent": "affirm"}, {"intent": "deny"}]}, responses).text
        == "vraagt: affirm of deny"
    )
