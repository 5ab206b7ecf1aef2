"""Tests of actions/permit_rules.py against shared/reference/permit-rules.md."""

from __future__ import annotations

import math

import pytest

from actions.content import clear_content_cache, get_content
from actions.permit_rules import (
    DORMER_SLOTS,
    MUNICIPALITY_DECIDES,
    NOT_OWNER,
    PERMIT_FREE,
    PERMIT_REQUIRED,
    TREE_SLOTS,
    UNKNOWN,
    FrontDormerRule,
    TreeOrdinance,
    dormer_questions,
    dormer_verdict,
    estimate,
    tree_questions,
    tree_verdict,
)
from tests.actions.permit_boundaries import DORMER_BOUNDARIES, FRONT_WIDTH_BOUNDARIES, TREE_BOUNDARIES

#: A dormer that meets every condition of the spatial part (reference section 2).
FREE_DORMER = {
    "dormer_building_type": "woning",
    "dormer_monument": "nee",
    "dormer_townscape": "nee",
    "dormer_roof_side": "achter",
    "dormer_flat_roof": "ja",
    "dormer_height": 1.5,
    "dormer_eaves_distance": 0.75,
    "dormer_ridge_distance": 0.8,
    "dormer_side_distance": 0.8,
}
PROEFDORP_FRONT = FrontDormerRule(0.5, True, "Omgevingsplan Proefdorp")


def _with(**changes: object) -> dict[str, object]:
    return {**FREE_DORMER, **changes}


def test_all_conditions_met_is_permit_free() -> None:
    result = dormer_verdict(FREE_DORMER)
    assert result.verdict == PERMIT_FREE
    assert result.reasons == ("all_conditions_met",)


def test_side_not_facing_public_area_is_permit_free() -> None:
    assert dormer_verdict(_with(dormer_roof_side="zijkant_niet_openbaar")).verdict == PERMIT_FREE


@pytest.mark.parametrize(("slot", "value", "verdict"), DORMER_BOUNDARIES)
def test_every_dormer_boundary_follows_the_rules_wording(slot: str, value: float, verdict: str) -> None:
    assert dormer_verdict(_with(**{slot: value})).verdict == verdict


@pytest.mark.parametrize(("municipality", "circumference", "verdict"), TREE_BOUNDARIES)
def test_every_tree_boundary_follows_the_ordinance(
    municipality: str, circumference: float, verdict: str
) -> None:
    clear_content_cache()
    ordinance = TreeOrdinance.from_content(get_content(municipality).tree_ordinance)
    assert tree_verdict(_tree(circumference), ordinance).verdict == verdict


@pytest.mark.parametrize(("fraction", "verdict"), FRONT_WIDTH_BOUNDARIES)
def test_front_dormer_width_rule_of_the_omgevingsplan(fraction: float, verdict: str) -> None:
    answers = _with(dormer_roof_side="voor", dormer_front_width=fraction)
    assert dormer_verdict(answers, PROEFDORP_FRONT).verdict == verdict
    # Without the local rule, a front dormer always needs a permit.
    assert dormer_verdict(answers).verdict == PERMIT_REQUIRED


def test_the_front_rule_comes_from_the_content() -> None:
    clear_content_cache()
    assert FrontDormerRule.from_content(get_content("voorbeeldstad").dormer) is None
    rule = FrontDormerRule.from_content(get_content("proefdorp").dormer)
    assert rule is not None and rule.max_width_fraction == 0.5 and rule.inclusive


@pytest.mark.parametrize(
    ("fraction", "verdict"),
    [(0.25, "permit_free"), (0.333, "permit_free"), (1 / 3, PERMIT_REQUIRED), (0.5, PERMIT_REQUIRED)],
)
def test_lindeoords_front_rule_is_less_than_a_third(fraction: float, verdict: str) -> None:
    """Issue 18: a third municipality with its own omgevingsplan rule ("smaller dan een derde")."""
    clear_content_cache()
    rule = FrontDormerRule.from_content(get_content("lindeoord").dormer)
    answers = _with(dormer_roof_side="voor", dormer_front_width=fraction)
    assert dormer_verdict(answers, rule).verdict == verdict


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


@pytest.mark.parametrize("slot", [s for s in DORMER_SLOTS if s != "dormer_front_width"])
def test_each_unknown_answer_alone_means_find_out_first(slot: str) -> None:
    result = dormer_verdict(_with(**{slot: UNKNOWN}))
    assert result.verdict == MUNICIPALITY_DECIDES
    assert result.reasons == (f"{slot.removeprefix('dormer_')}_unknown",)


def test_protected_townscape_is_where_the_municipality_decides() -> None:
    result = dormer_verdict(_with(dormer_townscape="ja"))
    assert (result.verdict, result.reasons) == (MUNICIPALITY_DECIDES, ("townscape",))


@pytest.mark.parametrize("building", ["garage_aanbouw", "appartement", "bedrijfspand"])
def test_other_building_types_follow_the_national_rules(building: str) -> None:
    result = dormer_verdict(_with(dormer_building_type=building))
    assert result.verdict == PERMIT_FREE
    assert result.notes == {"appartement": ("apartment_vve",), "bedrijfspand": ("business_premises",)}.get(
        building, ()
    )


@pytest.mark.parametrize(
    ("slot", "value", "verdict", "reason"),
    [
        # an estimate close to a limit: measure again (not "de gemeente beslist")
        ("dormer_height", estimate(1.70), MUNICIPALITY_DECIDES, "height_estimate"),
        ("dormer_height", estimate(1.80), MUNICIPALITY_DECIDES, "height_estimate"),
        ("dormer_eaves_distance", estimate(0.55), MUNICIPALITY_DECIDES, "eaves_distance_estimate"),
        ("dormer_eaves_distance", estimate(0.95), MUNICIPALITY_DECIDES, "eaves_distance_estimate"),
        ("dormer_ridge_distance", estimate(0.6), MUNICIPALITY_DECIDES, "ridge_distance_estimate"),
        ("dormer_side_distance", estimate(0.45), MUNICIPALITY_DECIDES, "side_distance_estimate"),
        # an estimate far from every limit decides like a measurement
        ("dormer_height", estimate(1.20), PERMIT_FREE, "all_conditions_met"),
        ("dormer_height", estimate(2.10), PERMIT_REQUIRED, "height_too_high"),
        ("dormer_side_distance", estimate(0.20), PERMIT_REQUIRED, "sides_too_close"),
    ],
)
def test_only_the_residents_own_estimate_near_a_limit_means_measure_again(
    slot: str, value: object, verdict: str, reason: str
) -> None:
    result = dormer_verdict(_with(**{slot: value}))
    assert (result.verdict, result.reasons) == (verdict, (reason,))


def test_a_clear_failure_wins_over_unknown_answers() -> None:
    result = dormer_verdict(_with(dormer_roof_side="voor", dormer_townscape=UNKNOWN))
    assert result.verdict == PERMIT_REQUIRED
    assert result.reasons == ("roof_side_front", "townscape_unknown")


def test_questions_building_type_and_monument_first_and_stop_at_a_permit() -> None:
    construction = [s for s in DORMER_SLOTS if s != "dormer_front_width"]
    assert dormer_questions({}) == construction
    assert dormer_questions({"dormer_building_type": "woonwagen"}) == ["dormer_building_type"]
    assert dormer_questions({"dormer_building_type": "woning", "dormer_monument": "ja"}) == [
        "dormer_building_type",
        "dormer_monument",
    ]
    front = {"dormer_building_type": "woning", "dormer_monument": "nee", "dormer_townscape": "nee"}
    assert dormer_questions({**front, "dormer_roof_side": "voor"})[-1] == "dormer_roof_side"
    # Proefdorp: a front dormer gets the width question, then the construction questions.
    with_rule = dormer_questions({**front, "dormer_roof_side": "voor"}, PROEFDORP_FRONT)
    assert with_rule[:5] == [*front, "dormer_roof_side", "dormer_front_width"]
    assert with_rule[-1] == "dormer_side_distance"
    too_wide = dormer_questions(
        {**front, "dormer_roof_side": "voor", "dormer_front_width": 0.8}, PROEFDORP_FRONT
    )
    assert too_wide[-1] == "dormer_front_width"
    assert dormer_questions({"dormer_roof_side": UNKNOWN}) == construction


# ---------------------------------------------------------------------------------------------- tree
@pytest.fixture(params=["voorbeeldstad", "proefdorp"])
def ordinance(request: pytest.FixtureRequest) -> TreeOrdinance:
    clear_content_cache()
    return TreeOrdinance.from_content(get_content(request.param).tree_ordinance)


def test_thresholds_of_both_content_files() -> None:
    clear_content_cache()
    voorbeeldstad = TreeOrdinance.from_content(get_content("voorbeeldstad").tree_ordinance)
    proefdorp = TreeOrdinance.from_content(get_content("proefdorp").tree_ordinance)
    assert voorbeeldstad.threshold_circumference_cm == pytest.approx(31.0)
    assert proefdorp.threshold_circumference_cm == pytest.approx(94.0)
    assert voorbeeldstad.measured_at_height_cm == 130


def test_diameter_only_ordinance_is_converted() -> None:
    ordinance = TreeOrdinance(min_circumference_cm=None, min_diameter_cm=20, source="Eemsdelta")
    assert ordinance.threshold_circumference_cm == pytest.approx(math.pi * 20)


def test_monumental_size_from_the_ordinance() -> None:
    eemsdelta = TreeOrdinance(None, 20, "Eemsdelta", monumental_min_diameter_cm=50)
    assert tree_verdict(_tree(math.pi * 50), eemsdelta).reasons == (
        "trunk_above_threshold",
        "monumental_size",
    )
    assert tree_verdict(_tree(math.pi * 49), eemsdelta).reasons == ("trunk_above_threshold",)


def _tree(trunk: object, protected: str = "nee", location: str = "eigen_tuin") -> dict[str, object]:
    return {"tree_protected": protected, "tree_location": location, "tree_trunk_circumference": trunk}


def test_tree_estimates(ordinance: TreeOrdinance) -> None:
    threshold = ordinance.threshold_circumference_cm
    for factor in (0.92, 1.0, 1.08):
        result = tree_verdict(_tree(estimate(threshold * factor)), ordinance)
        assert (result.verdict, result.reasons) == (MUNICIPALITY_DECIDES, ("trunk_estimate",))
    assert tree_verdict(_tree(estimate(threshold * 0.5)), ordinance).verdict == PERMIT_FREE
    assert tree_verdict(_tree(estimate(threshold * 2)), ordinance).verdict == PERMIT_REQUIRED


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


@pytest.mark.parametrize(("location", "reason"), [("openbaar", "public_space"), ("buren", "neighbour_tree")])
def test_a_tree_that_is_not_the_residents(ordinance: TreeOrdinance, location: str, reason: str) -> None:
    result = tree_verdict(_tree(500.0, protected="ja", location=location), ordinance)
    assert (result.verdict, result.reasons) == (NOT_OWNER, (reason,))


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


def test_tree_questions_location_first_and_skip_what_cannot_matter() -> None:
    assert tree_questions({}) == list(TREE_SLOTS)
    assert tree_questions({"tree_location": "openbaar"}) == ["tree_location"]
    assert tree_questions({"tree_location": "buren"}) == ["tree_location"]
    assert tree_questions({"tree_location": "eigen_tuin", "tree_protected": "ja"}) == [
        "tree_location",
        "tree_protected",
    ]
    assert tree_questions({"tree_protected": UNKNOWN, "tree_location": "eigen_tuin"}) == list(TREE_SLOTS)
