"""Pure verdict functions of the permit self-checks (dormer and tree felling).

The rules are data tables below, each with its source named next to it (reference:
``shared/reference/permit-rules.md``). Municipality-specific parts (the tree ordinance thresholds, the
protected townscape areas, an omgevingsplan rule for front dormers) come from
``content/<municipality>.yml`` and are passed in as data.

Outcomes (three, each with fixed wording in the domain):
    * ``permit_free``: every condition is met and nothing is unknown ("U mag dit zelf");
    * ``permit_required``: at least one condition fails; this wins over everything else ("U heeft een
      vergunning nodig - de gemeente beslist over uw aanvraag");
    * ``municipality_decides``: nothing fails, but something must be found out first ("Dat kan ik nog
      niet zeggen - zoek dit eerst uit: ..."): an answer is "weet ik niet", a measurement the resident
      only estimated ("ongeveer") lies so close to a limit that the estimate decides, or the house is
      in a beschermd stads- of dorpsgezicht, where the municipality really has discretion.
    * (tree only) ``not_owner``: the tree is not the resident's (public space or the neighbours'): the
      owner decides; the answer says what the resident can do.

Boundaries follow each rule's own wording, with no margin: "at most 1.75 m" includes 1.75, "more
than 0.5 m" excludes 0.5, "less than 1 m" excludes 1, a trunk "of at least 31 cm" includes 31. Only a
measurement the resident marked as an estimate and that lies within :data:`ESTIMATE_TOLERANCE_M`
(dormer) or :data:`ESTIMATE_TOLERANCE_FRACTION` (tree) of a limit leads to "meet het nog eens
precies" (reason ``<measurement>_estimate``).

Decisions (documented for trainers and reviewers):
    * The questions are asked in the order of :data:`DORMER_SLOTS`: building type and monument first,
      because they can end the check at once. Once an answer makes the dormer ``permit_required``, no
      further question is asked: it cannot change the outcome.
    * A monument (national or municipal) makes a dormer ``permit_required`` (RCE; reference 3).
    * A garage/aanbouw, an apartment building and a business building follow the same national rules
      as a house; an apartment adds a note (the VvE must agree as well).
    * A front dormer needs a permit, unless the omgevingsplan (content ``dormer.front_dormer``) allows
      it up to a share of the roof width: then the width question is asked and decides.
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
NOT_OWNER = "not_owner"
VERDICTS = (PERMIT_FREE, PERMIT_REQUIRED, MUNICIPALITY_DECIDES)
TREE_VERDICTS = (*VERDICTS, NOT_OWNER)

#: Slot value of a "weet ik niet" answer.
UNKNOWN = "weet_ik_niet"
YES = "ja"
NO = "nee"

#: An estimated dormer measurement this close to a limit (metres) must be measured precisely.
ESTIMATE_TOLERANCE_M = 0.10
#: An estimated trunk this close to the threshold (fraction of it) must be measured precisely.
ESTIMATE_TOLERANCE_FRACTION = 0.10

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
# Measurements: a number, or {"value": number, "estimate": true} for "ongeveer 1,70 m"
# ------------------------------------------------------------------------------------------------
def measured(value: Any) -> tuple[float, bool] | None:
    """Return ``(number, is_estimate)`` of a measurement slot value, or ``None`` if it is no number."""
    if isinstance(value, Mapping) and isinstance(value.get("value"), (int, float)):
        return float(value["value"]), bool(value.get("estimate"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), False
    return None


def estimate(value: float) -> dict[str, Any]:
    """The slot value of an estimated measurement ("ongeveer 1,70 m")."""
    return {"value": value, "estimate": True}


# ------------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChoiceRule:
    """A question with fixed answers; some answers lead to an outcome with a reason code.

    Answers not listed in ``outcomes`` meet the condition. "weet ik niet" always gives
    ``municipality_decides`` with reason ``<name>_unknown``.
    """

    slot: str
    outcomes: Mapping[str, tuple[str, str]]
    source: str


@dataclass(frozen=True)
class Limit:
    """One limit of a measurement: ``value`` and whether the value itself is allowed."""

    value: float
    inclusive: bool


@dataclass(frozen=True)
class RangeRule:
    """A measurement in metres with a lower and/or an upper limit, as the rule words them."""

    slot: str
    minimum: Limit | None
    maximum: Limit | None
    reason_too_small: str
    reason_too_large: str
    source: str

    @property
    def name(self) -> str:
        """The reason prefix: the slot name without ``dormer_``."""
        return self.slot.removeprefix("dormer_")


DORMER_CHOICE_RULES: tuple[ChoiceRule, ...] = (
    ChoiceRule(
        "dormer_building_type",
        {
            "tijdelijk": (PERMIT_REQUIRED, "temporary_building"),
            "woonwagen": (PERMIT_REQUIRED, "caravan_home"),
            "recreatiewoning": (PERMIT_REQUIRED, "holiday_home"),
        },
        SOURCE_DORMER_BROCHURE,
    ),
    ChoiceRule("dormer_monument", {YES: (PERMIT_REQUIRED, "monument")}, SOURCE_MONUMENT),
    ChoiceRule(
        "dormer_townscape",
        {YES: (MUNICIPALITY_DECIDES, "townscape")},
        f"{SOURCE_AMSTERDAM_CHECK}; reference 4",
    ),
    ChoiceRule(
        "dormer_roof_side",
        {
            "voor": (PERMIT_REQUIRED, "roof_side_front"),
            "zijkant_openbaar": (PERMIT_REQUIRED, "roof_side_public"),
        },
        f"{SOURCE_DORMER_BROCHURE}; {SOURCE_BBL}",
    ),
    ChoiceRule("dormer_flat_roof", {NO: (PERMIT_REQUIRED, "not_flat_roof")}, SOURCE_DORMER_BROCHURE),
)

DORMER_RANGE_RULES: tuple[RangeRule, ...] = (
    # "Height at most 1.75 m, measured from the base of the dormer": 1.75 is allowed.
    RangeRule("dormer_height", None, Limit(1.75, True), "", "height_too_high", SOURCE_DORMER_BROCHURE),
    # "Underside more than 0.5 m and less than 1 m above the roof edge": 0.5 and 1.0 are not allowed.
    RangeRule(
        "dormer_eaves_distance",
        Limit(0.5, False),
        Limit(1.0, False),
        "eaves_too_close",
        "eaves_too_far",
        SOURCE_DORMER_BROCHURE,
    ),
    # "Top more than 0.5 m below the ridge": 0.5 is not allowed.
    RangeRule(
        "dormer_ridge_distance", Limit(0.5, False), None, "ridge_too_close", "", SOURCE_DORMER_BROCHURE
    ),
    # "Sides more than 0.5 m from the sides of the roof slope": 0.5 is not allowed.
    RangeRule("dormer_side_distance", Limit(0.5, False), None, "sides_too_close", "", SOURCE_DORMER_BROCHURE),
)

#: Building types whose answer adds a note but follows the national rules.
BUILDING_NOTES = {"appartement": "apartment_vve", "bedrijfspand": "business_premises"}

#: All questions, in the order they are asked.
DORMER_SLOTS = (
    "dormer_building_type",
    "dormer_monument",
    "dormer_townscape",
    "dormer_roof_side",
    "dormer_front_width",
    "dormer_flat_roof",
    "dormer_height",
    "dormer_eaves_distance",
    "dormer_ridge_distance",
    "dormer_side_distance",
)
DORMER_MEASUREMENT_SLOTS = tuple(rule.slot for rule in DORMER_RANGE_RULES)
#: Kept for callers that name the first questions; they are the first three of DORMER_SLOTS.
DORMER_BASE_QUESTIONS = DORMER_SLOTS[:3]


@dataclass(frozen=True)
class FrontDormerRule:
    """An omgevingsplan rule that allows a front dormer up to a share of the roof width (content)."""

    max_width_fraction: float
    inclusive: bool
    source: str

    @classmethod
    def from_content(cls, dormer: Mapping[str, Any] | None) -> FrontDormerRule | None:
        """Build from content ``dormer.front_dormer``; ``None`` when the municipality has no such rule."""
        data = (dormer or {}).get("front_dormer")
        if not data:
            return None
        return cls(float(data["max_width_fraction"]), bool(data.get("inclusive", True)), str(data["source"]))


@dataclass(frozen=True)
class Verdict:
    """Outcome of a self-check.

    Attributes:
        verdict: One of :data:`VERDICTS` (tree: :data:`TREE_VERDICTS`).
        reasons: Reason codes (one response ``utter_<check>_reason_<code>`` each), the reasons for
            the verdict first.
        notes: Extra information codes that do not change the verdict (``utter_<check>_note_<code>``).
    """

    verdict: str
    reasons: tuple[str, ...]
    notes: tuple[str, ...] = ()


def _combine(findings: list[tuple[str, str]], free_reason: str, notes: tuple[str, ...] = ()) -> Verdict:
    required = [reason for outcome, reason in findings if outcome == PERMIT_REQUIRED]
    decides = [reason for outcome, reason in findings if outcome == MUNICIPALITY_DECIDES]
    if required:
        return Verdict(PERMIT_REQUIRED, tuple(required + decides), notes)
    if decides:
        return Verdict(MUNICIPALITY_DECIDES, tuple(decides), notes)
    return Verdict(PERMIT_FREE, (free_reason,), notes)


def _check_choice(rule: ChoiceRule, value: Any) -> tuple[str, str] | None:
    if value is None:
        return None
    if value == UNKNOWN:
        return MUNICIPALITY_DECIDES, f"{rule.slot.removeprefix('dormer_')}_unknown"
    return rule.outcomes.get(value)


def _fails(metres: float, limit: Limit, *, lower: bool) -> bool:
    if lower:
        return metres < limit.value - _EPSILON or (
            not limit.inclusive and abs(metres - limit.value) <= _EPSILON
        )
    return metres > limit.value + _EPSILON or (not limit.inclusive and abs(metres - limit.value) <= _EPSILON)


def check_range(rule: RangeRule, value: Any) -> tuple[str, str] | None:
    """Check one measurement (metres, or an estimate) against a range rule.

    Returns:
        ``None`` when the condition is met, else ``(outcome, reason)``.
    """
    if value is None:
        return None
    if value == UNKNOWN:
        return MUNICIPALITY_DECIDES, f"{rule.name}_unknown"
    reading = measured(value)
    if reading is None:
        return MUNICIPALITY_DECIDES, f"{rule.name}_unknown"
    metres, is_estimate = reading
    if rule.minimum is not None and _fails(metres, rule.minimum, lower=True):
        failure = PERMIT_REQUIRED, rule.reason_too_small
    elif rule.maximum is not None and _fails(metres, rule.maximum, lower=False):
        failure = PERMIT_REQUIRED, rule.reason_too_large
    else:
        failure = None
    if is_estimate:
        for limit in (rule.minimum, rule.maximum):
            if limit is not None and abs(metres - limit.value) <= ESTIMATE_TOLERANCE_M + _EPSILON:
                return MUNICIPALITY_DECIDES, f"{rule.name}_estimate"
    return failure


def check_front_width(value: Any, rule: FrontDormerRule) -> tuple[str, str] | None:
    """Check the share of the roof width of a front dormer against the omgevingsplan rule."""
    if value is None:
        return None
    if value == UNKNOWN:
        return MUNICIPALITY_DECIDES, "front_width_unknown"
    reading = measured(value)
    if reading is None:
        return MUNICIPALITY_DECIDES, "front_width_unknown"
    fraction, is_estimate = reading
    limit = Limit(rule.max_width_fraction, rule.inclusive)
    if is_estimate and abs(fraction - limit.value) <= 0.05 + _EPSILON:
        return MUNICIPALITY_DECIDES, "front_width_estimate"
    if _fails(fraction, limit, lower=False):
        return PERMIT_REQUIRED, "front_too_wide"
    return None


def _dormer_findings(answers: Mapping[str, Any], front_rule: FrontDormerRule | None) -> list[tuple[str, str]]:
    findings: list[tuple[str, str] | None] = []
    for rule in DORMER_CHOICE_RULES:
        value = answers.get(rule.slot)
        if rule.slot == "dormer_roof_side" and value == "voor" and front_rule is not None:
            findings.append(check_front_width(answers.get("dormer_front_width"), front_rule))
        else:
            findings.append(_check_choice(rule, value))
    findings += [check_range(rule, answers.get(rule.slot)) for rule in DORMER_RANGE_RULES]
    return [finding for finding in findings if finding is not None]


def dormer_verdict(answers: Mapping[str, Any], front_rule: FrontDormerRule | None = None) -> Verdict:
    """Decide whether a dormer is permit-free (spatial part; the technical part is always free).

    Args:
        answers: Slot name -> value; measurements in metres (or :func:`estimate`); "weet_ik_niet"
            for unknown answers. Unanswered (skipped) questions are ``None`` or absent.
        front_rule: The municipality's omgevingsplan rule for front dormers, if any.

    Returns:
        The verdict with its reasons and notes.
    """
    notes = []
    note = BUILDING_NOTES.get(str(answers.get("dormer_building_type")))
    if note:
        notes.append(note)
    if answers.get("dormer_roof_side") == "voor" and front_rule is not None:
        notes.append("front_rule")
    return _combine(_dormer_findings(answers, front_rule), "all_conditions_met", tuple(notes))


def dormer_questions(answers: Mapping[str, Any], front_rule: FrontDormerRule | None = None) -> list[str]:
    """Return the questions (slot names) that still matter, in the order they are asked.

    Questions are asked in order until one answer makes the dormer ``permit_required``; the width
    question only for a front dormer in a municipality with a front-dormer rule.
    """
    questions: list[str] = []
    for slot in DORMER_SLOTS:
        if slot == "dormer_front_width" and not (answers.get("dormer_roof_side") == "voor" and front_rule):
            continue
        questions.append(slot)
        asked = {s: answers.get(s) for s in questions}
        if any(outcome == PERMIT_REQUIRED for outcome, _ in _dormer_findings(asked, front_rule)):
            break
    return questions


# ------------------------------------------------------------------------------------------------
# Tree felling
# ------------------------------------------------------------------------------------------------
TREE_SLOTS = ("tree_location", "tree_protected", "tree_trunk_circumference")
#: Where a tree can stand; only ``eigen_tuin`` is the resident's own tree.
TREE_LOCATIONS = ("eigen_tuin", "openbaar", "buren")


@dataclass(frozen=True)
class TreeOrdinance:
    """The municipality's tree ordinance (from content ``tree_ordinance``)."""

    min_circumference_cm: float | None
    min_diameter_cm: float | None
    source: str
    measured_at_height_cm: float = 130.0
    monumental_min_diameter_cm: float | None = None

    @classmethod
    def from_content(cls, tree_ordinance: Mapping[str, Any]) -> TreeOrdinance:
        """Build from the content file's ``tree_ordinance`` mapping."""
        return cls(
            min_circumference_cm=tree_ordinance.get("min_circumference_cm"),
            min_diameter_cm=tree_ordinance.get("min_diameter_cm"),
            source=str(tree_ordinance.get("source", "")),
            measured_at_height_cm=float(tree_ordinance.get("measured_at_height_cm", 130)),
            monumental_min_diameter_cm=tree_ordinance.get("monumental_min_diameter_cm"),
        )

    @property
    def threshold_circumference_cm(self) -> float:
        """The circumference from which a permit is needed ("at least"; the lower of both thresholds)."""
        candidates = []
        if self.min_circumference_cm is not None:
            candidates.append(float(self.min_circumference_cm))
        if self.min_diameter_cm is not None:
            candidates.append(math.pi * float(self.min_diameter_cm))
        if not candidates:
            raise ValueError("tree_ordinance has neither min_circumference_cm nor min_diameter_cm")
        return min(candidates)

    def needs_permit(self, circumference_cm: float) -> bool:
        """Whether a trunk of this circumference reaches the threshold (inclusive: "at least")."""
        return circumference_cm >= self.threshold_circumference_cm - _EPSILON


def _trunk_findings(trunk: Any, ordinance: TreeOrdinance) -> list[tuple[str, str]]:
    if trunk is None:
        return []
    reading = measured(trunk)
    if trunk == UNKNOWN or reading is None:
        return [(MUNICIPALITY_DECIDES, "trunk_unknown")]
    circumference, is_estimate = reading
    threshold = ordinance.threshold_circumference_cm
    if is_estimate and abs(circumference - threshold) <= ESTIMATE_TOLERANCE_FRACTION * threshold + _EPSILON:
        return [(MUNICIPALITY_DECIDES, "trunk_estimate")]
    if not ordinance.needs_permit(circumference):
        return []
    findings = [(PERMIT_REQUIRED, "trunk_above_threshold")]
    monumental = ordinance.monumental_min_diameter_cm
    if monumental is not None and circumference >= math.pi * float(monumental) - _EPSILON:
        findings.append((PERMIT_REQUIRED, "monumental_size"))
    return findings


def tree_verdict(answers: Mapping[str, Any], ordinance: TreeOrdinance) -> Verdict:
    """Decide whether felling a tree needs a permit (kapvergunning).

    A tree in public space (the municipality's) or of the neighbours is not the resident's: the
    outcome is ``not_owner`` with reason ``public_space`` / ``neighbour_tree``.

    Args:
        answers: ``tree_location`` / ``tree_protected`` / ``tree_trunk_circumference`` (cm at the
            measuring height, or an estimate).
        ordinance: The municipality's thresholds.
    """
    location = answers.get("tree_location")
    if location == "openbaar":
        return Verdict(NOT_OWNER, ("public_space",))
    if location == "buren":
        return Verdict(NOT_OWNER, ("neighbour_tree",))
    findings: list[tuple[str, str]] = []
    if location == UNKNOWN:
        findings.append((MUNICIPALITY_DECIDES, "location_unknown"))
    protected = answers.get("tree_protected")
    if protected == YES:
        findings.append((PERMIT_REQUIRED, "protected"))
    elif protected == UNKNOWN:
        findings.append((MUNICIPALITY_DECIDES, "protected_unknown"))
    findings += _trunk_findings(answers.get("tree_trunk_circumference"), ordinance)
    return _combine(findings, "trunk_below_threshold")


def tree_questions(answers: Mapping[str, Any]) -> list[str]:
    """Return the questions (slot names) that still matter, in the order they are asked.

    Where the tree stands comes first: a tree that is not the resident's ends the check. A protected
    tree always needs a permit, so its size is not asked.
    """
    if answers.get("tree_location") in ("openbaar", "buren"):
        return ["tree_location"]
    if answers.get("tree_protected") == YES:
        return ["tree_location", "tree_protected"]
    return list(TREE_SLOTS)
