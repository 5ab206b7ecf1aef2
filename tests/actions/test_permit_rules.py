"""Tests of actions/permit_rules.py against /work/shared/reference/permit-rules.md."""

from __future__ import annotations

import math

import pytest

from actions.content import clear_content_cache, get_content
from actions.permit_rules import (
    DORMER_BASE_QUESTIONS,
    DORMER_SLOTS,
    MUNICIPALITY_DECIDES,
    PERMIT_FREE,
    PERMIT_REQUIRED,
    TREE_SLOTS,
    UNKNOWN,
    TreeOrdinance,
    dormer_questions,
    dormer_verdict,
    tree_questions,
    tree_verdict,
)

#: A dormer that meets every condition of the spatial part (reference section 2).
FREE_DORMER = {
    "dormer_roof_side": "achter",
    "dormer_monument": "nee",
    "dormer_townscape": "nee",
    "dormer_flat_roof": "ja",
    "dormer_height": 1.5,
    "dormer_eaves_distance": 0.75,
    "dormer_ridge_distance": 0.8,
    "dormer_side_distance": 0.8,
    "dormer_building_type": "woning",
}


def _with(**changes: object) -> dict[str, object]:
    return {**FREE_DORMER, **changes}


def test_all_conditions_met_is_permit_free() -> None:
    result = dormer_verdict(FREE_DORMER)
    assert result.verdict == PERMIT_FREE
    assert result.reasons == ("all_conditions_met",)


def test_side_not_facing_public_area_is_permit_free() -> None:
    assert dormer_verdict(_with(dormer_roof_side="zijkant_niet_openbaar")).verdict == PERMIT_FREE


@pytest.mark.parametrize(
    ("slot", "value", "reason"),
    [
        ("dormer_roof_side", "voor", "roof_side_front"),
        ("dormer_roof_side", "zijkant_openbaar", "roof_side_public"),
        ("dormer_monument", "ja", "monument"),
        ("dormer_flat_roof", "nee", "not_flat_roof"),
        ("dormer_height", 1.9, "height_too_high"),
        ("dormer_eaves_distance", 0.3, "eaves_too_close"),
        ("dormer_eaves_distance", 1.2, "eaves_too_far"),
        ("dormer_ridge_distance", 0.3, "ridge_too_close"),
        ("dormer_side_distance", 0.2, "sides_too_close"),
        ("dormer_building_type", "tijdelijk", "temporary_building"),
        ("dormer_building_type", "woonwagen", "caravan_home"),
        ("dormer_building_type", "recreatiewoning", "holiday_home"),
    ],
)
def test_each_failing_condition_alone_requires_a_permit(slot: str, value: object, reason: str) -> None:
    result = dormer_verdict(_with(**{slot: value}))
    assert result.verdict == PERMIT_REQUIRED
    assert result.reasons == (reason,)


@pytest.mark.parametrize("slot", DORMER_SLOTS)
def test_each_unknown_answer_alone_lets_the_municipality_decide(slot: str) -> None:
    result = dormer_verdict(_with(**{slot: UNKNOWN}))
    assert result.verdict == MUNICIPALITY_DECIDES
    assert result.reasons == (f"{slot.removeprefix('dormer_')}_unknown",)


def test_protected_townscape_lets_the_municipality_decide() -> None:
    result = dormer_verdict(_with(dormer_townscape="ja"))
    assert (result.verdict, result.reasons) == (MUNICIPALITY_DECIDES, ("townscape",))


@pytest.mark.parametrize(
    ("slot", "value", "verdict"),
    [
        ("dormer_height", 1.69, PERMIT_FREE),
        ("dormer_height", 1.70, MUNICIPALITY_DECIDES),
        ("dormer_height", 1.75, MUNICIPALITY_DECIDES),
        ("dormer_height", 1.80, MUNICIPALITY_DECIDES),
        ("dormer_height", 1.81, PERMIT_REQUIRED),
        ("dormer_eaves_distance", 0.46, MUNICIPALITY_DECIDES),
        ("dormer_eaves_distance", 0.54, MUNICIPALITY_DECIDES),
        ("dormer_eaves_distance", 0.56, PERMIT_FREE),
        ("dormer_eaves_distance", 0.97, MUNICIPALITY_DECIDES),
        ("dormer_eaves_distance", 0.44, PERMIT_REQUIRED),
        ("dormer_ridge_distance", 0.52, MUNICIPALITY_DECIDES),
        ("dormer_side_distance", 0.48, MUNICIPALITY_DECIDES),
        ("dormer_side_distance", 0.56, PERMIT_FREE),
    ],
)
def test_borderline_measurements(slot: str, value: float, verdict: str) -> None:
    result = dormer_verdict(_with(**{slot: value}))
    assert result.verdict == verdict
    if verdict == MUNICIPALITY_DECIDES:
        assert result.reasons == (f"{slot.removeprefix('dormer_')}_borderline",)


def test_a_clear_failure_wins_over_unknown_answers() -> None:
    result = dormer_verdict(_with(dormer_roof_side="voor", dormer_townscape=UNKNOWN))
    assert result.verdict == PERMIT_REQUIRED
    assert result.reasons == ("roof_side_front", "townscape_unknown")


def test_front_dormer_with_only_the_base_questions_answered() -> None:
    answers = {"dormer_roof_side": "voor", "dormer_monument": "nee", "dormer_townscape": "nee"}
    assert dormer_verdict(answers).verdict == PERMIT_REQUIRED


def test_questions_skip_construction_once_a_permit_is_required() -> None:
    assert dormer_questions({}) == list(DORMER_SLOTS)
    assert dormer_questions({"dormer_roof_side": "voor"}) == list(DORMER_BASE_QUESTIONS)
    assert dormer_questions({"dormer_roof_side": "achter", "dormer_monument": "ja"}) == list(
        DORMER_BASE_QUESTIONS
    )
    assert dormer_questions({"dormer_roof_side": "achter", "dormer_flat_roof": "nee"}) == list(
        DORMER_BASE_QUESTIONS
    )
    assert dormer_questions({"dormer_roof_side": UNKNOWN}) == list(DORMER_SLOTS)


# ---------------------------------------------------------------------------------------------- tree
@pytest.fixture(params=["voorbeeldstad", "proefdorp"])
def ordinance(request: pytest.FixtureRequest) -> TreeOrdinance:
    clear_content_cache()
    return TreeOrdinance.from_content(get_content(request.param).tree_ordinance)


def test_thresholds_of_both_content_files() -> None:
    clear_content_cache()
    voorbeeldstad = TreeOrdinance.from_content(get_content("voorbeeldstad").tree_ordinance)
    proefdorp = TreeOrdinance.from_content(get_content("proefdorp").tree_ordinance)
    # voorbeeldstad: 31 cm circumference or 10 cm diameter (pi x 10 = 31.4): the lower counts.
    assert voorbeeldstad.threshold_circumference_cm == pytest.approx(31.0)
    # proefdorp: 94 cm circumference or 30 cm diameter (pi x 30 = 94.2).
    assert proefdorp.threshold_circumference_cm == pytest.approx(94.0)


def test_diameter_only_ordinance_is_converted() -> None:
    ordinance = TreeOrdinance(min_circumference_cm=None, min_diameter_cm=20, source="Eemsdelta")
    assert ordinance.threshold_circumference_cm == pytest.approx(math.pi * 20)


def _tree(trunk: object, protected: str = "nee", location: str = "eigen_tuin") -> dict[str, object]:
    return {"tree_protected": protected, "tree_location": location, "tree_trunk_circumference": trunk}


def test_tree_thresholds(ordinance: TreeOrdinance) -> None:
    threshold = ordinance.threshold_circumference_cm
    assert tree_verdict(_tree(threshold * 0.9), ordinance).verdict == PERMIT_FREE
    assert tree_verdict(_tree(threshold * 0.9), ordinance).reasons == ("trunk_below_threshold",)
    assert tree_verdict(_tree(threshold * 1.1), ordinance).verdict == PERMIT_REQUIRED
    assert tree_verdict(_tree(threshold * 1.1), ordinance).reasons == ("trunk_above_threshold",)
    for factor in (0.96, 1.0, 1.04):
        result = tree_verdict(_tree(threshold * factor), ordinance)
        assert (result.verdict, result.reasons) == (MUNICIPALITY_DECIDES, ("trunk_borderline",))


def test_tree_thresholds_differ_per_municipality() -> None:
    clear_content_cache()
    voorbeeldstad = TreeOrdinance.from_content(get_content("voorbeeldstad").tree_ordinance)
    proefdorp = TreeOrdinance.from_content(get_content("proefdorp").tree_ordinance)
    assert tree_verdict(_tree(60.0), voorbeeldstad).verdict == PERMIT_REQUIRED
    assert tree_verdict(_tree(60.0), proefdorp).verdict == PERMIT_FREE


def test_protected_tree_always_needs_a_permit(ordinance: TreeOrdinance) -> None:
    result = tree_verdict(_tree(None, protected="ja"), ordinance)
    assert (result.verdict, result.reasons) == (PERMIT_REQUIRED, ("protected",))
    assert tree_verdict(_tree(5.0, protected="ja"), ordinance).verdict == PERMIT_REQUIRED


def test_tree_in_public_space_is_the_municipalitys(ordinance: TreeOrdinance) -> None:
    result = tree_verdict(_tree(500.0, protected="ja", location="openbaar"), ordinance)
    assert (result.verdict, result.reasons) == (MUNICIPALITY_DECIDES, ("public_space",))


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (_tree(10.0, protected=UNKNOWN), "protected_unknown"),
        (_tree(10.0, location=UNKNOWN), "location_unknown"),
        (_tree(UNKNOWN), "trunk_unknown"),
    ],
)
def test_tree_unknown_answers(answers: dict[str, object], reason: str, ordinance: TreeOrdinance) -> None:
    result = tree_verdict(answers, ordinance)
    assert (result.verdict, result.reasons) == (MUNICIPALITY_DECIDES, (reason,))


def test_tree_questions_skip_the_trunk_when_it_cannot_matter() -> None:
    assert tree_questions({}) == list(TREE_SLOTS)
    assert tree_questions({"tree_protected": "ja"}) == ["tree_protected", "tree_location"]
    assert tree_questions({"tree_location": "openbaar"}) == ["tree_protected", "tree_location"]
    assert tree_questions({"tree_protected": UNKNOWN, "tree_location": "eigen_tuin"}) == list(TREE_SLOTS)
