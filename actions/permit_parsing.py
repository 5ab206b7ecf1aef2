"""Read the answers of the permit self-checks as residents type them (pure functions, no Rasa).

What it understands (each with tests in ``tests/actions/test_permit_parsing.py``):
    * negation per clause: "de straatkant niet, de tuinkant" is the back;
    * which measurement a length is about, by the words next to it ("1,55 hoog", "60 cm onder de nok"),
      so that a correction of an earlier answer never also fills the question asked now;
    * the smallest of several distances ("links 90, rechts 35") and the highest of several heights;
    * zero written as words: "tot de nok", "over de hele breedte", "begint direct bij de goot";
    * the resident's own uncertainty ("ongeveer", "ik schat", "rond de"): the value is kept as an
      estimate (:func:`actions.permit_rules.estimate`);
    * trunks: the thickest stem of a multi-stem tree; a bare "35 cm" is neither circumference nor
      diameter (the form asks which);
    * where a tree stands: own ground wins over nearby public words ("in mijn eigen tuin, vlak bij de
      stoep"); a neighbour's tree is recognised;
    * building types (house, garage/aanbouw, apartment, business premises, the three special ones)
      and protected townscape areas named in the content ("ik woon in de binnenstad").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from actions.measurements import (
    CIRCUMFERENCE,
    DIAMETER,
    Length,
    MeasurementError,
    find_lengths,
    to_metres,
)
from actions.permit_rules import NO, UNKNOWN, YES, estimate

_NEGATION = re.compile(r"\b(niet|geen|nergens)\b")
_LEADING_NO = re.compile(r"^\s*(nee|neen|nope|sorry|oh|oeps|wacht|ik bedoel\w*|correctie)\b[\s,!:.-]*")
_CLAUSES = re.compile(r"[,;.!?]|\bmaar\b|\bwel\b(?=\s+(?:aan|op|de|het))")
_UNCERTAIN = re.compile(
    r"\b(ongeveer|ong\.?|ca\.?|circa|zo'?n|ik schat|geschat|schatting|rond de|rondom de|plusminus|"
    r"ongeveertjes|denk ik|ik denk|volgens mij|misschien|ruwweg|bijna|iets meer dan|iets minder dan|"
    r"ietsje|grofweg)\b|\+/-|±|~"
)
_CORRECTION = re.compile(r"\b(wacht|ik bedoelde|ik bedoel|sorry|correctie|toch|moet zijn|eigenlijk)\b")

# ------------------------------------------------------------------------------------------------ dormer
_FRONT = re.compile(r"\b(voorkant|voorzijde|voorgevel|straatkant|voordakvlak|voor|aan de straat)\b")
_BACK = re.compile(r"\b(achterkant|achterzijde|achtergevel|achterdakvlak|achter|tuinkant|tuinzijde)\b")
_SIDE = re.compile(r"\b(zijkant|zijzijde|zijgevel|zijdakvlak|opzij|zijdak)\b")
_PUBLIC = re.compile(
    r"\b(openbaar\w*|straat|weg|stoep|trottoir|fietspad|water|sloot|gracht|plein|park|parkeer\w*|"
    r"speeltuin|plantsoen)\b"
)
_PRIVATE = re.compile(r"\b(tuin|buren|buurman|buurvrouw|erf|achterpad|binnenterrein|steeg van de buren)\b")

BUILDING_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("recreatiewoning", re.compile(r"\b(recreatie\w*|vakantie\w*|zomerhuis\w*|chalet|bungalowpark)\b")),
    ("woonwagen", re.compile(r"\b(woonwagen\w*|stacaravan\w*|caravan\w*)\b")),
    ("tijdelijk", re.compile(r"\b(tijdelijk\w*|noodwoning\w*|keet|unit)\b")),
    (
        "appartement",
        re.compile(r"\b(appartement\w*|flat|vve|bovenwoning|benedenwoning|portiek\w*|etage\w*)\b"),
    ),
    (
        "bedrijfspand",
        re.compile(r"\b(bedrijf\w*|kantoor\w*|winkel\w*|loods|werkplaats|praktijk\w*|pand van de zaak)\b"),
    ),
    ("garage_aanbouw", re.compile(r"\b(garage\w*|aanbouw\w*|uitbouw\w*|bijgebouw\w*|schuur\w*|berging)\b")),
    (
        "woning",
        re.compile(
            r"\b(woning\w*|woonhuis|huis|huisje|rijtjeshuis|tussenwoning|hoekhuis|hoekwoning|"
            r"twee-?onder-?een-?kap|vrijstaand\w*|eengezinswoning|koophuis|huurhuis)\b"
        ),
    ),
)
BUILDING_TYPES = tuple(name for name, _ in BUILDING_PATTERNS)
_MONUMENT = re.compile(r"\b(rijks|gemeentelijk\w*\s+)?monument\w*")
_TOWNSCAPE = re.compile(
    r"\b(stads|dorps)gezicht|\bbeschermd(e)?\s+(gezicht|gebied|wijk|dorpskern|binnenstad)"
)
_FLAT_YES = re.compile(r"\bplat(te|)\b")
_FLAT_NO = re.compile(
    r"\b(schuin\w*|punt\w*|zadeldak|lessenaarsdak|rond\w*|gebogen|mansarde\w*|piramide\w*)\b"
)

#: Words naming which measurement a length in a clause is about.
MEASUREMENT_LABELS: dict[str, re.Pattern[str]] = {
    "dormer_height": re.compile(r"\b(hoog|hoogte|high)\b"),
    "dormer_eaves_distance": re.compile(r"\b(dakvoet|dakrand|goot|dakgoot|onderkant|onderrand)\b"),
    "dormer_ridge_distance": re.compile(r"\b(nok|daknok|bovenkant|top)\b"),
    "dormer_side_distance": re.compile(
        r"\b(zijkant\w*|opzij|zijrand\w*|kanten|links|rechts|zijden|aan beide kanten|beide kanten)\b"
    ),
}
#: Zero written as words, per measurement.
ZERO_WORDS: dict[str, re.Pattern[str]] = {
    "dormer_ridge_distance": re.compile(
        r"\btot (aan |in )?(de |het )?(nok|top)\b|\b(raakt|tegen) de nok\b|\bnok\w* (meteen|direct)\b"
    ),
    "dormer_side_distance": re.compile(
        r"\b(over|op) de (hele|gehele|volle) breedte\b|\bhele breedte\b|\bvan (rand|kant) tot (rand|kant)\b|"
        r"\btot (aan )?de (zijkant|rand|zijrand)\w*\b"
    ),
    "dormer_eaves_distance": re.compile(
        r"\b(begint|start|zit|staat)\b.{0,20}\b(direct|meteen|precies|gelijk)?\s*(bij|aan|op|vanaf) de "
        r"(goot|dakgoot|dakvoet|dakrand)\b|\bvanaf de (goot|dakgoot|dakvoet)\b|"
        r"\btot (aan )?de (goot|dakgoot|dakvoet)\b"
    ),
}
_NO_SPACE = re.compile(r"\b(geen (ruimte|afstand)|niks|niets|helemaal geen)\b")
#: Which reading counts when several lengths answer one measurement.
_PICK = {"dormer_height": max}


def clauses(text: str) -> list[tuple[str, bool]]:
    """Split a message into clauses, each with whether it is negated ("de straatkant niet")."""
    lowered = _LEADING_NO.sub("", text.lower().strip())
    result = []
    for clause in _CLAUSES.split(lowered):
        clause = clause.strip()
        if clause:
            result.append((clause, bool(_NEGATION.search(clause))))
    return result


def is_uncertain(text: str) -> bool:
    """Whether the resident marks a measurement as an estimate ("ongeveer", "ik schat", "rond de")."""
    return bool(_UNCERTAIN.search(text.lower()))


def parse_roof_side(text: str) -> str | None:
    """The roof side; a side without saying whether it faces public area is ``"zijkant"``.

    Negated clauses do not count ("niet aan de voorkant maar aan de achterkant" is the back).
    """
    positive = [c for c, negated in clauses(text) if not negated and not re.search(r"\d", c)]
    negated_public = any(negated and _PUBLIC.search(c) for c, negated in clauses(text))
    whole = text.lower()
    for clause in reversed(positive):
        if _SIDE.search(clause):
            if _PRIVATE.search(whole) or negated_public:
                return "zijkant_niet_openbaar"
            if _PUBLIC.search(whole):
                return "zijkant_openbaar"
            return "zijkant"
        if _BACK.search(clause):
            return "achter"
        if _FRONT.search(clause):
            return "voor"
    return None


def side_follow_up(text: str, intent: str | None) -> str | None:
    """Answer to "Kijkt die zijkant uit op de straat ...?": ja -> public, nee -> not public."""
    side = parse_roof_side(text)
    if side in ("zijkant_openbaar", "zijkant_niet_openbaar"):
        return side
    answer = yes_no_answer(text, intent)
    if answer == YES:
        return "zijkant_openbaar"
    if answer == NO:
        return "zijkant_niet_openbaar"
    positive = [c for c, negated in clauses(text) if not negated]
    if any(_PUBLIC.search(c) for c in positive):
        return "zijkant_openbaar"
    if any(_PRIVATE.search(c) for c in positive):
        return "zijkant_niet_openbaar"
    return None


_YES = re.compile(r"^\s*(ja|jawel|jazeker|klopt|zeker|inderdaad|yes|jep|jup|ja hoor|jazeer|jaa+)\b")
_NO = re.compile(r"^\s*(nee|neen|nope|welnee|nee hoor|niet|nein|nee+)\b")


def yes_no_answer(text: str, intent: str | None) -> str | None:
    """A plain yes/no answer ("ja", "nee", or the affirm/deny intent)."""
    lowered = text.lower()
    if _NO.search(lowered) or intent == "deny":
        return NO
    if _YES.search(lowered) or intent == "affirm":
        return YES
    return None


def keyword_yes_no(text: str, pattern: re.Pattern[str]) -> str | None:
    """Yes/no from a keyword in a clause ("het is een monument" -> ja, "geen monument" -> nee)."""
    for clause, negated in clauses(text):
        match = pattern.search(clause)
        if match:
            return (
                NO if negated and _NEGATION.search(clause[: match.start()] + clause[match.end() :]) else YES
            )
    return None


def parse_townscape(text: str, areas: Iterable[str] = ()) -> str | None:
    """Yes/no for a protected townscape; naming one of the content's areas counts as yes."""
    value = keyword_yes_no(text, _TOWNSCAPE)
    if value is not None:
        return value
    names = [re.escape(area.lower()) for area in areas if area]
    if names:
        return keyword_yes_no(text, re.compile(r"\b(" + "|".join(names) + r")\b"))
    return None


def parse_building_type(text: str) -> str | None:
    """The building type (see :data:`BUILDING_TYPES`), the first kind named that is not negated."""
    for clause, negated in clauses(text):
        for name, pattern in BUILDING_PATTERNS:
            match = pattern.search(clause)
            if match and not (negated and _NEGATION.search(clause[: match.start()])):
                return name
    return None


def parse_flat_roof(text: str) -> str | None:
    """Yes/no for a flat roof on the dormer, from the roof shape words."""
    for clause, negated in clauses(text):
        if _FLAT_YES.search(clause):
            return NO if negated else YES
        if _FLAT_NO.search(clause):
            return NO
    return None


@dataclass(frozen=True)
class Reading:
    """A measurement read from a message: the metres, whether estimated, and what it is about."""

    metres: float
    estimate: bool
    slot: str | None

    def slot_value(self) -> float | dict:
        """The slot value: metres, or :func:`actions.permit_rules.estimate` of them."""
        value = round(self.metres, 4)
        return estimate(value) if self.estimate else value


def _label(clause: str, requested: str | None) -> str | None:
    labels = [slot for slot, pattern in MEASUREMENT_LABELS.items() if pattern.search(clause)]
    if requested in labels:
        return requested
    return labels[0] if labels else None


def read_measurements(text: str, requested: str | None) -> list[Reading]:
    """All dormer measurements in a message, each labelled by the words in its clause.

    Unlabelled lengths are about the requested question. Zero words ("tot de nok") count as 0 m.

    Raises:
        MeasurementError: ``negative`` or ``no_unit`` for a length about the requested question.
    """
    readings: list[Reading] = []
    uncertain = is_uncertain(text)
    for length in find_lengths(text):
        slot = _label(length.clause, requested) or requested
        if slot is None:
            continue
        try:
            metres = _metres(length)
        except MeasurementError:
            if slot == requested:
                raise
            continue
        readings.append(Reading(metres, uncertain or is_uncertain(length.clause), slot))
    lowered = text.lower()
    for slot, pattern in ZERO_WORDS.items():
        if pattern.search(lowered) and not any(r.slot == slot for r in readings):
            readings.append(Reading(0.0, False, slot))
    if (
        requested in ZERO_WORDS
        and not any(r.slot == requested for r in readings)
        and _NO_SPACE.search(lowered)
    ):
        readings.append(Reading(0.0, False, requested))
    return readings


def _metres(length: Length) -> float:
    if length.value == 0 and not length.negative:
        return 0.0
    return to_metres(length, unitless_metres_below=5.0, unitless_cm_from=10.0)


def measurement_for(slot: str, readings: list[Reading]) -> Reading | None:
    """The reading that answers ``slot``: the smallest distance, the largest height."""
    own = [r for r in readings if r.slot == slot]
    if not own:
        return None
    pick = _PICK.get(slot, min)
    chosen = pick(own, key=lambda r: r.metres)
    return Reading(chosen.metres, any(r.estimate for r in own), slot)


def is_correction(text: str) -> bool:
    """Whether the message corrects an earlier answer ("wacht, ik bedoelde ...")."""
    return bool(_CORRECTION.search(text.lower()))


# ------------------------------------------------------------------------------------------------ width
_FRACTIONS = {
    "helft": 0.5,
    "halve": 0.5,
    "half": 0.5,
    "derde": 1 / 3,
    "kwart": 0.25,
    "vierde": 0.25,
    "driekwart": 0.75,
    "twee derde": 2 / 3,
    "tweederde": 2 / 3,
}
_WHOLE = re.compile(r"\b(hele|gehele|volle|complete) (breedte|dak)\b|\bvan (rand|kant) tot (rand|kant)\b")


def parse_width_fraction(text: str) -> float | dict | None:
    """The width of a front dormer as a share of the roof width.

    Understands "de helft", "een derde", "40%", "over de hele breedte", and two lengths ("3 m van de
    8 m" -> 0.375). One length alone is not enough (``None``).
    """
    lowered = text.lower()
    uncertain = is_uncertain(lowered)

    def wrap(value: float) -> float | dict:
        value = round(value, 4)
        return estimate(value) if uncertain else value

    if _WHOLE.search(lowered):
        return wrap(1.0)
    percent = re.search(r"(\d+(?:[.,]\d+)?)\s*(%|procent)", lowered)
    if percent:
        return wrap(float(percent.group(1).replace(",", ".")) / 100)
    for words in sorted(_FRACTIONS, key=len, reverse=True):
        if re.search(rf"\b{words}\b", lowered):
            fraction = _FRACTIONS[words]
            if re.search(r"\b(minder dan|kleiner dan|smaller dan)\b", lowered):
                return wrap(fraction - 0.01)
            if re.search(r"\b(meer dan|groter dan|breder dan)\b", lowered):
                return wrap(fraction + 0.01)
            return wrap(fraction)
    lengths = [length for length in find_lengths(text) if length.value > 0]
    if len(lengths) >= 2:
        try:
            sizes = [
                to_metres(length, unitless_metres_below=30.0, unitless_cm_from=30.0) for length in lengths[:2]
            ]
        except MeasurementError:
            return None
        small, large = sorted(sizes)
        if large > 0:
            return wrap(small / large)
    return None


# ------------------------------------------------------------------------------------------------ trees
_MULTI_STEM = re.compile(
    r"\b(stammen|meerstammig\w*|twee stam\w*|drie stam\w*|meer stam\w*|een van|ene|andere)\b"
)
_MEASURING_HEIGHT = re.compile(r"\b(hoog|hoogte|op)\b")
_TREE_PUBLIC = re.compile(
    r"\b(openbaar\w*|straat|stoep|trottoir|park|plantsoen|berm|parkeerplaats|speeltuin|plein|"
    r"van de gemeente|gemeentegrond|grond van de gemeente|gemeenteboom)\b"
)
_TREE_OWN = re.compile(
    r"\b(mijn (eigen )?(tuin|erf|grond|perceel|terrein|voortuin|achtertuin|zijtuin)|eigen (tuin|grond|erf|"
    r"perceel|terrein)|onze (tuin|voortuin|achtertuin)|in de (voortuin|achtertuin|tuin)|op mijn grond|"
    r"van mij|van ons|mijn boom|onze boom|achtertuin|voortuin)\b"
)
_TREE_NEIGHBOUR = re.compile(
    r"\b((de |het |een )?(boom|bomen) van (de |mijn |onze )?(over)?bure?n?\w*|(over)?buren|buurman|buurvrouw|"
    r"bij de (over)?buren|tuin van de (over)?buren|naastgelegen tuin|buurtuin)\b"
)


@dataclass(frozen=True)
class TrunkReading:
    """A trunk size read from a message (the thickest stem).

    Attributes:
        size_cm: The number in centimetres.
        kind: ``"circumference"``, ``"diameter"`` or ``None`` when the resident did not say.
        estimate: Whether the resident marked it as an estimate.
        multi_stem: Whether several stems were named.
    """

    size_cm: float
    kind: str | None
    estimate: bool = False
    multi_stem: bool = False

    @property
    def circumference_cm(self) -> float:
        """The circumference (pi x diameter for a diameter); for an unknown kind, the number itself."""
        import math

        return math.pi * self.size_cm if self.kind == DIAMETER else self.size_cm


def parse_trunk_reading(text: str, measuring_height_cm: float = 130.0) -> TrunkReading:
    """Read a trunk size: the thickest stem, its kind when said (one kind applies to all stems).

    Lengths that are the measuring height ("op 1,30 m hoogte") are ignored. A bare number from 5 is
    read as centimetres.

    Raises:
        MeasurementError: ``no_number``, ``negative``, ``zero`` or ``no_unit``.
    """
    lengths = [
        length
        for length in find_lengths(text)
        if not (
            length.metres() is not None
            and abs(length.metres() * 100 - measuring_height_cm) < 1e-6
            and _MEASURING_HEIGHT.search(length.clause)
        )
    ]
    if not lengths:
        raise MeasurementError("no_number")
    kinds = {length.kind for length in lengths if length.kind}
    if len(kinds) > 1:
        with_kind = [length for length in lengths if length.kind]
        lengths = with_kind
    kind = next(iter(kinds)) if len(kinds) == 1 else None
    sizes = []
    for length in lengths:
        try:
            metres = to_metres(length, unitless_metres_below=0.0, unitless_cm_from=5.0)
        except MeasurementError:
            if len(lengths) == 1:
                raise
            continue  # "drie stammen": a count next to the sizes
        size = metres * 100
        sizes.append((size if (length.kind or kind) != DIAMETER else size * 3.141592653589793, length))
    if not sizes:
        raise MeasurementError("no_unit")
    circumference, chosen = max(sizes, key=lambda item: item[0])
    own_kind = chosen.kind or kind
    size_cm = to_metres(chosen, unitless_metres_below=0.0, unitless_cm_from=5.0) * 100
    return TrunkReading(
        size_cm=size_cm,
        kind=own_kind if own_kind in (CIRCUMFERENCE, DIAMETER) else None,
        estimate=is_uncertain(text),
        multi_stem=len(lengths) > 1 or bool(_MULTI_STEM.search(text.lower())),
    )


def parse_trunk_kind(text: str) -> str | None:
    """Answer to "Is dat de omtrek of de doorsnede?": ``circumference`` or ``diameter``."""
    lowered = text.lower()
    if re.search(r"\b(omtrek|omvang|rondom|rond|om de stam|lintje|meetlint|eromheen)\b", lowered):
        return CIRCUMFERENCE
    if re.search(r"\b(doorsnede|doorsnee|diameter|dik|dikte|breed|dwars|van kant tot kant)\b", lowered):
        return DIAMETER
    return None


def parse_tree_location(text: str) -> str | None:
    """Where the tree stands: ``eigen_tuin``, ``buren`` or ``openbaar``.

    The resident's own ground wins over public words nearby ("in mijn eigen tuin, vlak bij de
    stoep"); a neighbour's tree wins over both ("de boom van de overburen staat aan de straat").
    Negated clauses do not count ("niet op de stoep, in mijn tuin").
    """
    positive = " ; ".join(c for c, negated in clauses(text) if not negated or _TREE_OWN.search(c))
    if _TREE_NEIGHBOUR.search(positive) and not re.search(
        r"\b(mijn|onze) (eigen )?(tuin|grond|erf)\b", positive
    ):
        return "buren"
    if _TREE_OWN.search(positive):
        return "eigen_tuin"
    if _TREE_PUBLIC.search(positive):
        return "openbaar"
    return None


__all__ = [
    "BUILDING_TYPES",
    "Reading",
    "TrunkReading",
    "UNKNOWN",
    "clauses",
    "is_correction",
    "is_uncertain",
    "keyword_yes_no",
    "measurement_for",
    "parse_building_type",
    "parse_flat_roof",
    "parse_roof_side",
    "parse_townscape",
    "parse_tree_location",
    "parse_trunk_kind",
    "parse_trunk_reading",
    "parse_width_fraction",
    "read_measurements",
    "side_follow_up",
    "yes_no_answer",
]
