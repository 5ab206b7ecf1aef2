"""Whole self-checks through the running assistant over REST, answering the question actually asked.

Each test states what a resident types to each question (slot -> text); ``Conversation.answer`` reads
``requested_slot`` from the tracker after every turn and answers that question, so the assistant
decides the order. Municipality: Voorbeeldstad (trunk threshold 31 cm, Binnenstad protected).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.model

DORMER_START = "mag ik zonder vergunning een dakkapel plaatsen?"
TREE_START = "moet ik een kapvergunning hebben om een boom te kappen?"

#: Typed answers of a dormer that meets every condition.
DORMER_OK = {
    "dormer_building_type": "gewoon een rijtjeshuis",
    "dormer_monument": "nee",
    "dormer_townscape": "nee hoor",
    "dormer_roof_side": "aan de achterkant",
    "dormer_flat_roof": "ja, plat",
    "dormer_height": "1,50 m",
    "dormer_eaves_distance": "70 cm",
    "dormer_ridge_distance": "80 cm",
    "dormer_side_distance": "60 cm",
}
TREE_OWN = {
    "tree_location": "in mijn achtertuin",
    "tree_protected": "nee",
}

FREE_TEXT = "U mag dit zelf"
REQUIRED_TEXT = "De gemeente beslist over uw aanvraag"
UNSURE_TEXT = "Dat kan ik nog niet zeggen"


def _check(talk, start: str, answers: dict[str, str]) -> tuple[list[str], dict]:
    talk.say(start)
    asked = talk.answer(answers)
    return asked, talk.slots


def _all_text(talk) -> str:
    return "\n".join(text for who, text in talk.transcript if who == "bot")


def test_dormer_that_meets_every_condition_is_permit_free(conversation) -> None:
    talk = conversation()
    asked, slots = _check(talk, DORMER_START, DORMER_OK)
    assert asked[:2] == ["dormer_building_type", "dormer_monument"], talk.history()
    assert slots["dormer_verdict"] == "permit_free", talk.history()
    assert FREE_TEXT in talk.last_text and "Bewaar deze uitkomst" in talk.last_text
    assert "Dit zijn uw antwoorden" in talk.last_text and "achterkant" in talk.last_text
    assert "knip" in talk.last_text


@pytest.mark.parametrize(
    ("slot", "text", "verdict"),
    [
        ("dormer_height", "precies 1,75 m", "permit_free"),
        ("dormer_height", "1,80 m", "permit_required"),
        ("dormer_eaves_distance", "precies 1 meter", "permit_required"),
        ("dormer_eaves_distance", "51 cm", "permit_free"),
        ("dormer_ridge_distance", "tot de nok", "permit_required"),
        ("dormer_side_distance", "links 90, rechts 35", "permit_required"),
    ],
)
def test_dormer_boundaries_typed(conversation, slot: str, text: str, verdict: str) -> None:
    talk = conversation()
    _, slots = _check(talk, DORMER_START, {**DORMER_OK, slot: text})
    assert slots["dormer_verdict"] == verdict, talk.history()
    if verdict == "permit_required":
        assert REQUIRED_TEXT in talk.last_text


def test_an_estimate_near_a_limit_asks_to_measure_again(conversation) -> None:
    talk = conversation()
    _, slots = _check(talk, DORMER_START, {**DORMER_OK, "dormer_eaves_distance": "ongeveer 55 cm denk ik"})
    assert slots["dormer_verdict"] == "municipality_decides", talk.history()
    assert UNSURE_TEXT in talk.last_text and "nog eens precies" in talk.last_text
    assert "gemeente beslist" not in talk.last_text.lower()


def test_a_negated_side_and_a_correction_during_another_question(conversation) -> None:
    talk = conversation()
    corrections = iter(["wacht, ik bedoelde 1,55 hoog", "70 cm"])
    answers = {
        **DORMER_OK,
        "dormer_roof_side": "de straatkant niet, de tuinkant",
        "dormer_eaves_distance": lambda _: next(corrections),
    }
    asked, slots = _check(talk, DORMER_START, answers)
    assert asked.count("dormer_eaves_distance") == 2, talk.history()
    assert slots["dormer_verdict"] == "permit_free", talk.history()
    last = slots["permit_last_answers"]["answers"]
    assert last["dormer_roof_side"] == "achter"
    assert last["dormer_height"] == pytest.approx(1.55)
    assert last["dormer_eaves_distance"] == pytest.approx(0.7)


def test_a_side_roof_slope_gets_a_yes_no_follow_up(conversation) -> None:
    talk = conversation()
    answers = {
        **DORMER_OK,
        "dormer_roof_side": lambda t: "ja" if t.slots.get("dormer_side_pending") else "aan de zijkant",
    }
    asked, slots = _check(talk, DORMER_START, answers)
    assert asked.count("dormer_roof_side") == 2, talk.history()
    assert slots["dormer_verdict"] == "permit_required", talk.history()
    assert slots["permit_invalid_count"] is None


@pytest.mark.parametrize(
    ("slot", "text", "asked"),
    [
        ("dormer_building_type", "een stacaravan", ["dormer_building_type"]),
        ("dormer_monument", "ja, het is een rijksmonument", ["dormer_building_type", "dormer_monument"]),
    ],
)
def test_building_type_and_monument_end_the_check_early(
    conversation, slot: str, text: str, asked: list
) -> None:
    talk = conversation()
    got, slots = _check(talk, DORMER_START, {**DORMER_OK, slot: text})
    assert got == asked, talk.history()
    assert slots["dormer_verdict"] == "permit_required"


def test_the_binnenstad_is_a_protected_townscape(conversation) -> None:
    talk = conversation()
    _, slots = _check(talk, DORMER_START, {**DORMER_OK, "dormer_townscape": "ik woon in de binnenstad"})
    assert slots["dormer_verdict"] == "municipality_decides", talk.history()
    assert "beslist de gemeente zelf" in talk.last_text


def test_fees_after_the_verdict_and_a_correction_reopens_it(conversation) -> None:
    talk = conversation()
    _check(talk, DORMER_START, DORMER_OK)
    talk.say("nee wacht, het is toch een monument")
    assert talk.slots["dormer_verdict"] == "permit_required", talk.history()
    assert "monument" in talk.last_text.lower() and REQUIRED_TEXT in talk.last_text
    talk.say("en wat kost die vergunning?")
    assert "€" in talk.last_text and "weken" in talk.last_text, talk.history()


def test_own_tree_near_the_pavement_with_a_thick_trunk(conversation) -> None:
    talk = conversation()
    answers = {
        **TREE_OWN,
        "tree_location": "het staat voor mijn huis in mijn eigen tuin, vlak bij de stoep",
        "tree_trunk_circumference": "80 cm omtrek",
    }
    _, slots = _check(talk, TREE_START, answers)
    assert slots["tree_verdict"] == "permit_required", talk.history()
    assert "1,30" in _all_text(talk)


def test_the_neighbours_tree(conversation) -> None:
    talk = conversation()
    asked, slots = _check(talk, TREE_START, {"tree_location": "het is de boom van de overburen"})
    assert asked == ["tree_location"], talk.history()
    assert slots["tree_verdict"] == "not_owner"
    assert "buren" in talk.last_text


def test_multi_stem_tree_thickest_stem_counts(conversation) -> None:
    talk = conversation()
    answers = {**TREE_OWN, "tree_trunk_circumference": "een stam van 25 en een van 28 cm omtrek"}
    _, slots = _check(talk, TREE_START, answers)
    assert slots["tree_verdict"] == "permit_free", talk.history()
    answers = {**TREE_OWN, "tree_trunk_circumference": "een stam van 25 en een van 38 cm omtrek"}
    talk = conversation()
    _, slots = _check(talk, TREE_START, answers)
    assert slots["tree_verdict"] == "permit_required", talk.history()


def test_a_bare_trunk_size_that_matters_is_asked_about(conversation) -> None:
    talk = conversation()
    replies = iter(["20 cm", "de doorsnede"])
    _, slots = _check(talk, TREE_START, {**TREE_OWN, "tree_trunk_circumference": lambda _: next(replies)})
    assert "omtrek" in _all_text(talk) and "doorsnede" in _all_text(talk)
    assert slots["tree_verdict"] == "permit_required", talk.history()


def test_trunk_exactly_at_the_threshold(conversation) -> None:
    talk = conversation()
    _, slots = _check(talk, TREE_START, {**TREE_OWN, "tree_trunk_circumference": "31 cm omtrek"})
    assert slots["tree_verdict"] == "permit_required", talk.history()
