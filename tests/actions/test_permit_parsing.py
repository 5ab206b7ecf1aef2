"""Resident phrasings of the permit self-checks: typed answer -> slot value -> verdict.

Each case is what a resident types to the question asked (``requested``), with the slot values the
form must store and, where it matters, the verdict the answers lead to. Negations, corrections,
estimates, several values, zero written as words, NT2 and WhatsApp spelling.
"""

from __future__ import annotations

from typing import Any

import pytest

from actions.content import clear_content_cache, get_content
from actions.dormer import parse_dormer_answer
from actions.permit_parsing import side_follow_up
from actions.permit_rules import PERMIT_FREE, PERMIT_REQUIRED, TreeOrdinance, dormer_verdict, tree_verdict
from actions.tree import parse_tree_answer
from tests.actions.test_permit_rules import FREE_DORMER

AREAS = ("Binnenstad",)
EST = "estimate"


def _est(value: float) -> dict[str, Any]:
    return {"value": value, EST: True}


#: (requested slot, typed text, intent, expected slot value)
DORMER_PHRASINGS: list[tuple[str, str, str, Any]] = [
    # roof side, with negation and synonyms
    ("dormer_roof_side", "de straatkant niet, de tuinkant", "inform", "achter"),
    ("dormer_roof_side", "niet aan de voorkant maar aan de achterkant", "inform", "achter"),
    ("dormer_roof_side", "aan de achterkant", "inform", "achter"),
    ("dormer_roof_side", "achterkant van het huis, aan de tuin", "inform", "achter"),
    ("dormer_roof_side", "voorkant", "inform", "voor"),
    ("dormer_roof_side", "aan de straatkant", "inform", "voor"),
    ("dormer_roof_side", "achter niet, voor", "inform", "voor"),
    ("dormer_roof_side", "zijkant, aan de tuin van de buren", "inform", "zijkant_niet_openbaar"),
    ("dormer_roof_side", "op de zijkant, die kijkt uit op de straat", "inform", "zijkant_openbaar"),
    ("dormer_roof_side", "zijkant, niet aan de straat", "inform", "zijkant_niet_openbaar"),
    ("dormer_roof_side", "aan de zijkant", "inform", {"invalid": "side_which"}),
    # building type first
    ("dormer_building_type", "het is een garage", "inform", "garage_aanbouw"),
    ("dormer_building_type", "op de aanbouw achter het huis", "inform", "garage_aanbouw"),
    ("dormer_building_type", "ik woon in een appartement, we hebben een vve", "inform", "appartement"),
    ("dormer_building_type", "een bedrijfspand", "inform", "bedrijfspand"),
    ("dormer_building_type", "gewoon een rijtjeshuis", "inform", "woning"),
    ("dormer_building_type", "geen vakantiehuis, een gewone woning", "inform", "woning"),
    ("dormer_building_type", "een chalet op het bungalowpark", "inform", "recreatiewoning"),
    ("dormer_building_type", "stacaravan", "inform", "woonwagen"),
    ("dormer_building_type", "een tijdelijke woning", "inform", "tijdelijk"),
    # monument and townscape
    ("dormer_monument", "het is een rijksmonument", "inform", "ja"),
    ("dormer_monument", "nee geen monument", "deny", "nee"),
    ("dormer_monument", "nee hoor", "deny", "nee"),
    ("dormer_monument", "jazeker", "affirm", "ja"),
    ("dormer_townscape", "ik woon in de binnenstad", "inform", "ja"),
    ("dormer_townscape", "beschermd stadsgezicht ja", "inform", "ja"),
    ("dormer_townscape", "nee, niet in een beschermd gebied", "deny", "nee"),
    # flat roof
    ("dormer_flat_roof", "ja een plat dak", "affirm", "ja"),
    ("dormer_flat_roof", "nee, een schuin dak", "deny", "nee"),
    ("dormer_flat_roof", "zadeldak", "inform", "nee"),
    # measurements: units, number words, estimates
    ("dormer_height", "1,50 m", "inform", 1.5),
    ("dormer_height", "150 cm", "inform", 1.5),
    ("dormer_height", "anderhalve meter", "inform", 1.5),
    ("dormer_height", "1m75", "inform", 1.75),
    ("dormer_height", "precies 1,75", "inform", 1.75),
    ("dormer_height", "ongeveer 1,70 m", "inform", _est(1.7)),
    ("dormer_height", "ik schat 1.80", "inform", _est(1.8)),
    ("dormer_height", "rond de 170 cm denk ik", "inform", _est(1.7)),
    ("dormer_height", "hij word 1 meter 60 hoog", "inform", 1.6),
    ("dormer_eaves_distance", "70 cm", "inform", 0.7),
    ("dormer_eaves_distance", "een halve meter", "inform", 0.5),
    ("dormer_eaves_distance", "hij begint direct bij de goot", "inform", 0.0),
    ("dormer_eaves_distance", "0", "inform", 0.0),
    ("dormer_eaves_distance", "precies 1 meter", "inform", 1.0),
    ("dormer_ridge_distance", "tot de nok", "inform", 0.0),
    ("dormer_ridge_distance", "geen ruimte", "inform", 0.0),
    ("dormer_ridge_distance", "50 cm onder de nok", "inform", 0.5),
    ("dormer_ridge_distance", "vijftig centimeter", "inform", 0.5),
    ("dormer_side_distance", "links 90, rechts 35", "inform", 0.35),
    ("dormer_side_distance", "aan beide kanten 60 cm", "inform", 0.6),
    ("dormer_side_distance", "over de hele breedte", "inform", 0.0),
    ("dormer_side_distance", "links 1 meter en rechts ongeveer 55 cm", "inform", _est(0.55)),
    # a correction of an earlier answer never fills the question asked now
    ("dormer_eaves_distance", "wacht, ik bedoelde 1,55 hoog", "inform", None),
    ("dormer_side_distance", "sorry, de hoogte is 1,60 m", "inform", None),
    # front dormer width (an omgevingsplan rule, Proefdorp)
    ("dormer_front_width", "de helft", "inform", 0.5),
    ("dormer_front_width", "2 meter van de 6 meter", "inform", 0.3333),
    ("dormer_front_width", "over de hele breedte", "inform", 1.0),
    ("dormer_front_width", "40%", "inform", 0.4),
    ("dormer_front_width", "iets minder dan de helft", "inform", _est(0.49)),
]


@pytest.mark.parametrize(("slot", "text", "intent", "expected"), DORMER_PHRASINGS)
def test_dormer_phrasings(slot: str, text: str, intent: str, expected: Any) -> None:
    value = parse_dormer_answer(slot, text, intent, True, [], AREAS)
    if isinstance(expected, float):
        assert value == pytest.approx(expected, abs=1e-3)
    else:
        assert value == expected


@pytest.mark.parametrize(
    ("text", "slot", "expected"),
    [
        ("wacht, ik bedoelde 1,55 hoog", "dormer_height", 1.55),
        ("nee, de dakkapel komt aan de voorkant", "dormer_roof_side", "voor"),
        ("nee wacht, het is toch een monument", "dormer_monument", "ja"),
        ("1,50 m hoog, 70 cm boven de dakvoet en 60 cm onder de nok", "dormer_ridge_distance", 0.6),
    ],
)
def test_answers_to_other_questions_are_recognised(text: str, slot: str, expected: Any) -> None:
    assert parse_dormer_answer(slot, text, "inform", False, [], AREAS) == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("ja", "affirm", "zijkant_openbaar"),
        ("nee", "deny", "zijkant_niet_openbaar"),
        ("ja, aan de stoep", "affirm", "zijkant_openbaar"),
        ("nee die kijkt uit op de tuin", "deny", "zijkant_niet_openbaar"),
        ("op het water", "inform", "zijkant_openbaar"),
    ],
)
def test_side_follow_up_accepts_yes_and_no(text: str, intent: str, expected: str) -> None:
    assert side_follow_up(text, intent) == expected


@pytest.mark.parametrize(
    ("changes", "verdict"),
    [
        ({"dormer_height": 1.75}, PERMIT_FREE),
        ({"dormer_height": 1.8}, PERMIT_REQUIRED),
        ({"dormer_eaves_distance": 1.0}, PERMIT_REQUIRED),
        ({"dormer_eaves_distance": 0.0}, PERMIT_REQUIRED),
        ({"dormer_ridge_distance": 0.0}, PERMIT_REQUIRED),
        ({"dormer_side_distance": 0.35}, PERMIT_REQUIRED),
    ],
)
def test_phrasings_lead_to_the_reference_verdict(changes: dict[str, Any], verdict: str) -> None:
    assert dormer_verdict({**FREE_DORMER, **changes}).verdict == verdict


def _ordinance(municipality: str) -> TreeOrdinance:
    clear_content_cache()
    return TreeOrdinance.from_content(get_content(municipality).tree_ordinance)


#: (municipality, requested slot, typed text, expected slot value, expected verdict or None)
TREE_PHRASINGS: list[tuple[str, str, str, Any, str | None]] = [
    ("voorbeeldstad", "tree_trunk_circumference", "80 cm omtrek", 80.0, PERMIT_REQUIRED),
    ("voorbeeldstad", "tree_trunk_circumference", "precies 31 cm omtrek", 31.0, PERMIT_REQUIRED),
    ("voorbeeldstad", "tree_trunk_circumference", "30 cm omtrek", 30.0, PERMIT_FREE),
    ("voorbeeldstad", "tree_trunk_circumference", "doorsnede 12 cm", 37.7, PERMIT_REQUIRED),
    (
        "voorbeeldstad",
        "tree_trunk_circumference",
        "een stam van 25 en een van 38 cm omtrek",
        38.0,
        PERMIT_REQUIRED,
    ),
    ("voorbeeldstad", "tree_trunk_circumference", "drie stammen: 12, 20 en 28 cm omtrek", 28.0, PERMIT_FREE),
    ("voorbeeldstad", "tree_trunk_circumference", "80 cm omtrek op 1,30 m hoogte", 80.0, PERMIT_REQUIRED),
    (
        "voorbeeldstad",
        "tree_trunk_circumference",
        "ik schat zo'n 30 cm rond",
        _est(30.0),
        "municipality_decides",
    ),
    # a bare size: both readings give the same verdict in Voorbeeldstad (35 cm and 110 cm >= 31 cm)
    ("voorbeeldstad", "tree_trunk_circumference", "35 cm", 35.0, PERMIT_REQUIRED),
    # ... but not a bare 20 cm (20 cm circumference < 31 <= 63 cm): ask which it is
    (
        "voorbeeldstad",
        "tree_trunk_circumference",
        "20 cm",
        {"pending": {"size_cm": 20.0, EST: False}},
        None,
    ),
    # Proefdorp (94 cm): a bare 35 cm is 35 cm circumference (free) or 110 cm (permit): ask
    ("proefdorp", "tree_trunk_circumference", "35 cm", {"pending": {"size_cm": 35.0, EST: False}}, None),
    ("proefdorp", "tree_trunk_circumference", "doorsnede 30 cm", 94.2, PERMIT_REQUIRED),
    ("proefdorp", "tree_trunk_circumference", "93 cm rondom", 93.0, PERMIT_FREE),
    ("proefdorp", "tree_trunk_circumference", "1 meter rond", 100.0, PERMIT_REQUIRED),
    (
        "voorbeeldstad",
        "tree_location",
        "het staat voor mijn huis in mijn eigen tuin, vlak bij de stoep",
        "eigen_tuin",
        None,
    ),
    ("voorbeeldstad", "tree_location", "het is de boom van de overburen", "buren", "not_owner"),
    ("voorbeeldstad", "tree_location", "bij de buren in de tuin", "buren", "not_owner"),
    ("voorbeeldstad", "tree_location", "op de stoep voor mijn huis", "openbaar", "not_owner"),
    ("voorbeeldstad", "tree_location", "in het park", "openbaar", "not_owner"),
    ("voorbeeldstad", "tree_location", "niet op straat, in mijn achtertuin", "eigen_tuin", None),
    ("voorbeeldstad", "tree_protected", "nee hij staat niet op de lijst", "nee", None),
    ("voorbeeldstad", "tree_protected", "het is een monumentale boom", "ja", None),
]


@pytest.mark.parametrize(("municipality", "slot", "text", "expected", "verdict"), TREE_PHRASINGS)
def test_tree_phrasings(municipality: str, slot: str, text: str, expected: Any, verdict: str | None) -> None:
    ordinance = _ordinance(municipality)
    value = parse_tree_answer(slot, text, "inform", True, [], ordinance)
    if isinstance(expected, float):
        assert value == pytest.approx(expected, abs=0.1)
    else:
        assert value == expected
    if verdict is not None:
        answers = {"tree_location": "eigen_tuin", "tree_protected": "nee", slot: value}
        assert tree_verdict(answers, ordinance).verdict == verdict


def test_at_least_sixty_phrasings() -> None:
    assert len(DORMER_PHRASINGS) + len(TREE_PHRASINGS) >= 60
