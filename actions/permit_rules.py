"""Pure verdict functions of the permit self-checks (dormer and tree felling).

The rules are data tables below, each with its source named next to it (see
/work/shared/reference/permit-rules.md). Municipality-specific parts (the tree ordinance thresholds,
the omgevingsplan note) come from ``content/<municipality>.yml``.

Outcomes:
    * ``permit_free``: every condition is met and nothing is unknown;
    * ``permit_required``: at least one condition clearly fails (this wins over everything else);
    * ``municipality_decides``: nothing clearly fails, but an answer is "weet ik niet", a measurement is
      borderline (within the margin of a limit), the dormer is in a protected townscape, or (tree) the
      tree stands in public space and belongs to the municipality.

Decisions (documented for trainers and reviewers):
    * A monument (national or municipal) makes a dormer ``permit_required`` (RCE; reference section 3).
      An unknown monument status makes it ``municipality_decides``.
    * Once an answer makes the dormer ``permit_required``, the construction questions (flat roof,
      sizes, type of building) are skipped: they cannot change the outcome. The monument and townscape
      questions are always asked, because they add a separate permit or extra rules to the application.
    * A tree in public space belongs to the municipality: the resident cannot fell it, whatever its
      size, so the trunk question is skipped. The same for a protected tree (always a permit).
    * When an ordinance gives both a circumference and a diameter threshold, the lower circumference
      (after circumference = pi x diameter) is used: a permit is needed as soon as either is reached.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PERMIT_FREE = "permit_free"
PERMIT_REQUIRED = "permit_required"
MUNICIPALITY_DECIDES = "municipality_decides"
VERDICTS = (PERMIT_FREE, PERMIT_REQUIRED, MUNICIPALITY_DECIDES)

#: Slot value of a "weet ik niet" answer.
UNKNOWN = "weet_ik_niet"
YES = "ja"
NO = "nee"

_EPSILON = 1e-9

# ------------------------------------------------------------------------------------------------
# Sources
# ------------------------------------------------------------------------------------------------
SOURCE_BBL = (
    "Besluit bouwwerken leefomgeving (Bbl) art. 2.27 lid 2 sub a, met toelichting op "
    "rechtspraakbestuursrecht.nl en vansadelhofflegal.nl ('vergunningvrij bouwen onder de Omgevingswet')"
)
SOURCE_DORMER_BROCHURE = (
    "Rijksoverheid, brochure 'Dakkapel' (geciteerd in de FAQ van wbb-dakkapellen.nl); maten overgenomen "
    "uit Bor bijlage II (regels van voor 2024), controleren op wetten.overheid.nl (Bbl, Bruidsschat)"
)
SOURCE_MONUMENT = (
    "Rijksdienst voor het Cultureel Erfgoed, kennis.cultureelerfgoed.nl: omgevingsvergunning "
    "rijksmonumenten (rijksmonumentenactiviteit)"
)
SOURCE_AMSTERDAM_CHECK = "Vragenlijst van de open-source vergunningcheck van Amsterdam (dakkapel-plaatsen)"
SOURCE_TREE_REFERENCE = (
    "Bomenverordeningen: lokaleregelgeving.overheid.nl CVDR726245 (Eemsdelta), "
    "zoek.officielebekendmakingen.nl gmb-2022-134181 (Utrechtse Heuvelrug), Amsterdam (nmtzuid.nl)"
)


# ------------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChoiceRule:
    """A question with fixed answers; some answers lead to an outcome with a reason code.

    Answers not listed in ``outcomes`` meet the condition. "weet ik niet" always gives
    ``municipality_decides`` with reason ``<slot>_unknown``.
    """

    slot: str
    outcomes: Mapping[str, tuple[str, str]]
    source: str


@dataclass(frozen=True)
class RangeRule:
    """A measurement in metres with an exclusive lower and/or an upper limit.

    A value within ``margin`` of a limit is borderline (reason ``<slot>_borderline``).
    """

    slot: str
    minimum: float | None
    maximum: float | None
    reason_too_small: str
    reason_too_large: str
    source: str


#: Measurements within this many metres of a limit are borderline: the municipality decides.
DORMER_MARGIN_M = 0.05

DORMER_CHOICE_RULES: tuple[ChoiceRule, ...] = (
    ChoiceRule(
        "dormer_roof_side",
        {
            "voor": (PERMIT_REQUIRED, "roof_side_front"),
            "zijkant_openbaar": (PERMIT_REQUIRED, "roof_side_public"),
        },
        f"{SOURCE_DORMER_BROCHURE}; {SOURCE_BBL}",
    ),
    ChoiceRule("dormer_monument", {YES: (PERMIT_REQUIRED, "monument")}, SOURCE_MONUMENT),
    ChoiceRule(
        "dormer_townscape",
        {YES: (MUNICIPALITY_DECIDES, "townscape")},
        f"{SOURCE_AMSTERDAM_CHECK}; reference 4",
    ),
    ChoiceRule("dormer_flat_roof", {NO: (PERMIT_REQUIRED, "not_flat_roof")}, SOURCE_DORMER_BROCHURE),
    ChoiceRule(
        "dormer_building_type",
        {
            "tijdelijk": (PERMIT_REQUIRED, "temporary_building"),
            "woonwagen": (PERMIT_REQUIRED, "caravan_home"),
            "recreatiewoning": (PERMIT_REQUIRED, "holiday_home"),
        },
        SOURCE_DORMER_BROCHURE,
    ),
)

DORMER_RANGE_RULES: tuple[RangeRule, ...] = (
    # Height at most 1.75 m, measured from the base of the dormer.
    RangeRule("dormer_height", None, 1.75, "", "height_too_high", SOURCE_DORMER_BROCHURE),
    # Underside more than 0.5 m and less than 1 m above the roof edge (dakvoet).
    RangeRule("dormer_eaves_distance", 0.5, 1.0, "eaves_too_close", "eaves_too_far", SOURCE_DORMER_BROCHURE),
    # Top more than 0.5 m below the ridge (daknok).
    RangeRule("dormer_ridge_distance", 0.5, None, "ridge_too_close", "", SOURCE_DORMER_BROCHURE),
    # Sides more than 0.5 m from the sides of the roof slope.
    RangeRule("dormer_side_distance", 0.5, None, "sides_too_close", "", SOURCE_DORMER_BROCHURE),
)

#: Always asked, in this order.
DORMER_BASE_QUESTIONS = ("dormer_roof_side", "dormer_monument", "dormer_townscape")
#: Asked only while the dormer could still be permit-free.
DORMER_CONSTRUCTION_QUESTIONS = (
    "dormer_flat_roof",
    "dormer_height",
    "dormer_eaves_distance",
    "dormer_ridge_distance",
    "dormer_side_distance",
    "dormer_building_type",
)
DORMER_SLOTS = DORMER_BASE_QUESTIONS + DORMER_CONSTRUCTION_QUESTIONS
DORMER_MEASUREMENT_SLOTS = tuple(rule.slot for rule in DORMER_RANGE_RULES)


@dataclass(frozen=True)
class Verdict:
    """Outcome of a self-check.

    Attributes:
        verdict: One of :data:`VERDICTS`.
        reasons: Reason codes (one response ``utter_<check>_reason_<code>`` each), the reasons for
            the verdict first.
    """

    verdict: str
    reasons: tuple[str, ...]


def _combine(findings: list[tuple[str, str]], free_reason: str) -> Verdict:
    required = [reason for outcome, reason in findings if outcome == PERMIT_REQUIRED]
    decides = [reason for outcome, reason in findings if outcome == MUNICIPALITY_DECIDES]
    if required:
        return Verdict(PERMIT_REQUIRED, tuple(required + decides))
    if decides:
        return Verdict(MUNICIPALITY_DECIDES, tuple(decides))
    return Verdict(PERMIT_FREE, (free_reason,))


def _check_choice(rule: ChoiceRule, value: Any) -> tuple[str, str] | None:
    if value is None:
        return None
    if value == UNKNOWN:
        return MUNICIPALITY_DECIDES, f"{rule.slot.removeprefix('dormer_')}_unknown"
    return rule.outcomes.get(value)


def check_range(rule: RangeRule, value: Any, margin: float = DORMER_MARGIN_M) -> tuple[str, str] | None:
    """Check one measurement (metres) against a range rule.

    Returns:
        ``None`` when the condition is met, else ``(outcome, reason)``.
    """
    name = rule.slot.removeprefix("dormer_")
    if value is None:
        return None
    if value == UNKNOWN:
        return MUNICIPALITY_DECIDES, f"{name}_unknown"
    metres = float(value)
    for limit in (rule.minimum, rule.maximum):
        if limit is not None and abs(metres - limit) <= margin + _EPSILON:
            return MUNICIPALITY_DECIDES, f"{name}_borderline"
    if rule.minimum is not None and metres <= rule.minimum:
        return PERMIT_REQUIRED, rule.reason_too_small
    if rule.maximum is not None and metres > rule.maximum:
        return PERMIT_REQUIRED, rule.reason_too_large
    return None


def _dormer_findings(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    findings = [_check_choice(rule, answers.get(rule.slot)) for rule in DORMER_CHOICE_RULES]
    findings += [check_range(rule, answers.get(rule.slot)) for rule in DORMER_RANGE_RULES]
    return [finding for finding in findings if finding is not None]


def dormer_verdict(answers: Mapping[str, Any]) -> Verdict:
    """Decide whether a dormer is permit-free (spatial part; the technical part is always free).

    Args:
        answers: Slot name -> value; measurements in metres; "weet_ik_niet" for unknown answers.
            Unanswered (skipped) questions are ``None`` or absent.

    Returns:
        The verdict with its reasons.
    """
    return _combine(_dormer_findings(answers), "all_conditions_met")


def dormer_questions(answers: Mapping[str, Any]) -> list[str]:
    """Return the questions (slot names) that still matter, in the order they are asked."""
    if any(outcome == PERMIT_REQUIRED for outcome, _ in _dormer_findings(answers)):
        return list(DORMER_BASE_QUESTIONS)
    return list(DORMER_SLOTS)


# ------------------------------------------------------------------------------------------------
# Tree felling
# ------------------------------------------------------------------------------------------------
#: A trunk within this fraction of the threshold is borderline: the municipality decides.
TREE_MARGIN_FRACTION = 0.05
TREE_SLOTS = ("tree_protected", "tree_location", "tree_trunk_circumference")

TREE_CHOICE_RULES: tuple[ChoiceRule, ...] = (
    ChoiceRule("tree_protected", {YES: (PERMIT_REQUIRED, "protected")}, SOURCE_TREE_REFERENCE),
    ChoiceRule("tree_location", {"openbaar": (MUNICIPALITY_DECIDES, "public_space")}, SOURCE_TREE_REFERENCE),
)


@dataclass(frozen=True)
class TreeOrdinance:
    """The municipality's tree ordinance threshold at 1.30 m (from content ``tree_ordinance``)."""

    min_circumference_cm: float | None
    min_diameter_cm: float | None
    source: str

    @classmethod
    def from_content(cls, tree_ordinance: Mapping[str, Any]) -> TreeOrdinance:
        """Build from the content file's ``tree_ordinance`` mapping."""
        return cls(
            min_circumference_cm=tree_ordinance.get("min_circumference_cm"),
            min_diameter_cm=tree_ordinance.get("min_diameter_cm"),
            source=str(tree_ordinance.get("source", "")),
        )

    @property
    def threshold_circumference_cm(self) -> float:
        """The circumference from which a permit is needed (the lower of both thresholds)."""
        candidates = []
        if self.min_circumference_cm is not None:
            candidates.append(float(self.min_circumference_cm))
        if self.min_diameter_cm is not None:
            candidates.append(math.pi * float(self.min_diameter_cm))
        if not candidates:
            raise ValueError("tree_ordinance has neither min_circumference_cm nor min_diameter_cm")
        return min(candidates)


def _tree_findings(answers: Mapping[str, Any], ordinance: TreeOrdinance) -> list[tuple[str, str]]:
    findings: list[tuple[str, str] | None] = []
    for rule in TREE_CHOICE_RULES:
        value = answers.get(rule.slot)
        if value == UNKNOWN:
            findings.append((MUNICIPALITY_DECIDES, f"{rule.slot.removeprefix('tree_')}_unknown"))
        elif value is not None:
            findings.append(rule.outcomes.get(value))
    trunk = answers.get("tree_trunk_circumference")
    if trunk == UNKNOWN:
        findings.append((MUNICIPALITY_DECIDES, "trunk_unknown"))
    elif trunk is not None:
        threshold = ordinance.threshold_circumference_cm
        if abs(float(trunk) - threshold) <= TREE_MARGIN_FRACTION * threshold + _EPSILON:
            findings.append((MUNICIPALITY_DECIDES, "trunk_borderline"))
        elif float(trunk) > threshold:
            findings.append((PERMIT_REQUIRED, "trunk_above_threshold"))
    return [finding for finding in findings if finding is not None]


def tree_verdict(answers: Mapping[str, Any], ordinance: TreeOrdinance) -> Verdict:
    """Decide whether felling a tree needs a permit (kapvergunning).

    A tree in public space belongs to the municipality: the outcome is then always
    ``municipality_decides`` with reason ``public_space``, whatever else was answered.

    Args:
        answers: ``tree_protected`` / ``tree_location`` / ``tree_trunk_circumference`` (cm at 1.30 m).
        ordinance: The municipality's thresholds.
    """
    if answers.get("tree_location") == "openbaar":
        return Verdict(MUNICIPALITY_DECIDES, ("public_space",))
    return _combine(_tree_findings(answers, ordinance), "trunk_below_threshold")


def tree_questions(answers: Mapping[str, Any]) -> list[str]:
    """Return the questions (slot names) that still matter, in the order they are asked."""
    if answers.get("tree_protected") == YES or answers.get("tree_location") == "openbaar":
        return ["tree_protected", "tree_location"]
    return list(TREE_SLOTS)
