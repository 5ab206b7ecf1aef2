"""Parse lengths as Dutch residents type them ("1,50 m", "150 cm", "anderhalve meter").

Pure functions, no Rasa imports. Used by the permit self-checks (dormer sizes, tree trunk size).

Rules of thumb:
    * a comma or a point is a decimal separator ("1,50" == "1.50");
    * units: mm, millimeter, cm, centimeter, m, meter(s); "1m50" and "1 meter 20" are understood;
    * number words: "een"/"één" (only before a unit or "half"), "twee" ... "honderd", compounds such
      as "vijfentwintig", "half"/"halve", "anderhalf"/"anderhalve", "twee en een halve";
    * a trunk size is a circumference when "omtrek", "omvang", "rondom", or "rond"/"om" after the
      number is used, a diameter for "doorsnede", "doorsnee", "diameter", "dik", "dikte", "breed".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from actions.parsing.numbers import NUMBER_WORDS

#: Unit name -> factor to metres.
UNIT_FACTORS: dict[str, float] = {"mm": 0.001, "cm": 0.01, "m": 1.0}

_UNIT_ALIASES: dict[str, str] = {
    "mm": "mm",
    "millimeter": "mm",
    "millimeters": "mm",
    "cm": "cm",
    "centimeter": "cm",
    "centimeters": "cm",
    "m": "m",
    "mtr": "m",
    "meter": "m",
    "meters": "m",
}

#: Digits as words: the one table of :mod:`actions.parsing.numbers`, and "nul".
_UNITS: dict[str, int] = {"nul": 0, **{word: value for word, value in NUMBER_WORDS.items() if value < 10}}
#: Ten to nineteen (the one table's "tien", "elf", "twaalf", and the rest).
_TEENS: dict[str, int] = {
    **{word: value for word, value in NUMBER_WORDS.items() if value >= 10},
    "dertien": 13,
    "veertien": 14,
    "vijftien": 15,
    "zestien": 16,
    "zeventien": 17,
    "achttien": 18,
    "negentien": 19,
}
_TENS: dict[str, int] = {
    "twintig": 20,
    "dertig": 30,
    "veertig": 40,
    "vijftig": 50,
    "zestig": 60,
    "zeventig": 70,
    "tachtig": 80,
    "negentig": 90,
}

CIRCUMFERENCE = "circumference"
DIAMETER = "diameter"

_CIRCUMFERENCE_ANYWHERE = re.compile(r"\b(omtrek|omvang|rondom|stamomtrek)\b")
_CIRCUMFERENCE_AFTER = re.compile(r"^\s*(rond|om)\b")
_DIAMETER_ANYWHERE = re.compile(r"\b(doorsnede|doorsnee|diameter|dik|dikte|breed|stamdiameter)\b")

_UNIT_PATTERN = r"(millimeters?|centimeters?|meters?|mtr|mm|cm|m)(?![a-zà-ÿ])"
_NUMBER = r"\d+(?:[.,]\d+)?"
# A number, optionally negative, optionally followed by a unit ("1m50" and "1 meter 20" included).
_LENGTH_RE = re.compile(
    rf"(?P<neg>[-−](?=\d)|\bmin(?:us)?\s+)?(?<![\d.,])(?P<num>{_NUMBER})"
    rf"(?:\s*(?P<unit>{_UNIT_PATTERN})(?:\s*(?P<cm>\d{{1,2}})\b(?!\s*(?:{_UNIT_PATTERN}|[.,]\d)))?)?"
)
_CLAUSE_SPLIT = re.compile(r"(?<!\d),|,(?!\d)|;|\.(?!\d)|\ben\b|\bmaar\b|\n")


class MeasurementError(ValueError):
    """A text could not be read as a length.

    Attributes:
        code: ``no_number`` (nothing like a number), ``negative``, ``zero`` or ``no_unit`` (a bare
            number that could be metres or centimetres).
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Length:
    """One length found in a text.

    Attributes:
        value: The number as written (after number words were turned into digits).
        unit: ``"mm"``, ``"cm"``, ``"m"`` or ``None`` when no unit was given.
        kind: ``"circumference"``, ``"diameter"`` or ``None``.
        clause: The clause of the text the number was found in (lower case, number words as digits).
        negative: Whether a minus sign was written in front of the number.
    """

    value: float
    unit: str | None
    kind: str | None = None
    clause: str = ""
    negative: bool = False

    def metres(self) -> float | None:
        """Return the length in metres, or ``None`` when no unit was given."""
        if self.unit is None:
            return None
        return self.value * UNIT_FACTORS[self.unit]


@dataclass(frozen=True)
class TrunkSize:
    """Size of a tree trunk at 1.30 m.

    Attributes:
        circumference_cm: Circumference in centimetres (computed from the diameter if needed).
        diameter_cm: Diameter in centimetres (computed from the circumference if needed).
        given_as: ``"circumference"`` or ``"diameter"``: what the resident said.
    """

    circumference_cm: float
    diameter_cm: float
    given_as: str


def circumference_from_diameter(diameter: float) -> float:
    """Return the circumference of a circle with the given diameter (circumference = pi x d)."""
    return math.pi * diameter


def diameter_from_circumference(circumference: float) -> float:
    """Return the diameter of a circle with the given circumference (d = circumference / pi)."""
    return circumference / math.pi


def _word_to_int(word: str) -> int | None:
    """Return the value of a Dutch number word below 200, or ``None``."""
    word = word.replace("ë", "e")
    if word in _UNITS:
        return _UNITS[word]
    if word in _TEENS:
        return _TEENS[word]
    if word in _TENS:
        return _TENS[word]
    if word == "honderd":
        return 100
    if word.startswith("honderd"):
        rest = _word_to_int(word[len("honderd") :])
        return None if rest is None else 100 + rest
    match = re.fullmatch(r"(een|twee|drie|vier|vijf|zes|zeven|acht|negen)en(\w+ig)", word)
    if match and match.group(2) in _TENS:
        return _UNITS[match.group(1)] + _TENS[match.group(2)]
    return None


def _format(value: float) -> str:
    return f"{value:g}"


def normalise_number_words(text: str) -> str:
    """Lower-case the text and write Dutch number words as digits.

    "een" / "één" only counts as a number before a unit or "half"/"halve" ("een boom" stays as it is).

    Args:
        text: The resident's message.

    Returns:
        The text in lower case with number words replaced ("anderhalve meter" -> "1.5 meter").
    """
    text = text.lower().replace("’", "'")
    text = re.sub(r"\banderhal(?:f|ve)\b", "1.5", text)
    number_word = r"[a-zëé]+"

    def _and_a_half(match: re.Match[str]) -> str:
        base = match.group(1)
        value = float(base.replace(",", ".")) if base[0].isdigit() else _word_to_int(base)
        return match.group(0) if value is None else _format(value + 0.5)

    text = re.sub(rf"\b({number_word}|{_NUMBER})\s*(?:en\s*(?:een\s*)?|ën)hal(?:f|ve)\b", _and_a_half, text)
    text = re.sub(r"\b(?:een\s+|één\s+)?hal(?:f|ve)\b", "0.5", text)
    text = re.sub(rf"\b(?:een|één)\b(?=\s*{_UNIT_PATTERN})", "1", text)

    def _word(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in ("een", "één"):
            return word
        value = _word_to_int(word)
        return word if value is None else str(value)

    return re.sub(r"[a-zëé]+", _word, text)


def _kind_of(clause: str, after: str) -> str | None:
    if _CIRCUMFERENCE_ANYWHERE.search(clause) or _CIRCUMFERENCE_AFTER.search(after):
        return CIRCUMFERENCE
    if _DIAMETER_ANYWHERE.search(clause):
        return DIAMETER
    return None


def find_lengths(text: str) -> list[Length]:
    """Find all lengths in a text, in order.

    Args:
        text: The resident's message.

    Returns:
        The lengths found, each with its unit (if given), kind (if said) and clause.
    """
    normalised = normalise_number_words(text)
    lengths: list[Length] = []
    for clause in _CLAUSE_SPLIT.split(normalised):
        for match in _LENGTH_RE.finditer(clause):
            value = float(match.group("num").replace(",", "."))
            unit = _UNIT_ALIASES[match.group("unit")] if match.group("unit") else None
            if unit == "m" and match.group("cm"):
                value += int(match.group("cm")) / 100
            lengths.append(
                Length(
                    value=value,
                    unit=unit,
                    kind=_kind_of(clause, clause[match.end() :]),
                    clause=clause.strip(),
                    negative=bool(match.group("neg")),
                )
            )
    return lengths


def to_metres(length: Length, *, unitless_metres_below: float, unitless_cm_from: float) -> float:
    """Return a length in metres, guessing the unit of a bare number.

    A bare number below ``unitless_metres_below`` is read as metres, one from ``unitless_cm_from`` as
    centimetres; anything between is ambiguous.

    Raises:
        MeasurementError: ``negative``, ``zero`` or ``no_unit``.
    """
    if length.negative:
        raise MeasurementError("negative")
    if length.value == 0:
        raise MeasurementError("zero")
    metres = length.metres()
    if metres is not None:
        return metres
    if length.value < unitless_metres_below:
        return length.value
    if length.value >= unitless_cm_from:
        return length.value * UNIT_FACTORS["cm"]
    raise MeasurementError("no_unit")


def pick_length(lengths: list[Length]) -> Length:
    """Pick the length that answers a question: the first with a unit, else the first one.

    Raises:
        MeasurementError: ``no_number`` when the list is empty.
    """
    if not lengths:
        raise MeasurementError("no_number")
    return next((length for length in lengths if length.unit is not None), lengths[0])


def parse_length_m(text: str, *, unitless_metres_below: float = 5.0, unitless_cm_from: float = 10.0) -> float:
    """Parse one length such as "1,50 m", "150 cm" or "anderhalve meter" into metres.

    Raises:
        MeasurementError: when no usable length is in the text.
    """
    return to_metres(
        pick_length(find_lengths(text)),
        unitless_metres_below=unitless_metres_below,
        unitless_cm_from=unitless_cm_from,
    )


def parse_trunk(text: str) -> TrunkSize:
    """Parse a trunk size ("80 cm omtrek", "doorsnede 30 cm", "1 meter rond") at 1.30 m.

    A length followed by "hoog"/"hoogte" (the measuring height, "op 1,30 m hoogte") is ignored. When the
    resident does not say whether it is the circumference or the diameter, it is read as the
    circumference, because that is what the question asks for. A bare number from 5 is read as cm.

    Raises:
        MeasurementError: when no usable trunk size is in the text.
    """
    lengths = [length for length in find_lengths(text) if not _is_measuring_height(length)]
    with_kind = [length for length in lengths if length.kind is not None]
    chosen = pick_length(with_kind or lengths)
    metres = to_metres(chosen, unitless_metres_below=0.0, unitless_cm_from=5.0)
    size_cm = metres * 100
    if chosen.kind == DIAMETER:
        return TrunkSize(circumference_from_diameter(size_cm), size_cm, DIAMETER)
    return TrunkSize(size_cm, diameter_from_circumference(size_cm), CIRCUMFERENCE)


def _is_measuring_height(length: Length) -> bool:
    metres = length.metres()
    return (
        metres is not None
        and abs(metres - 1.3) < 1e-9
        and bool(re.search(r"\b(hoog|hoogte|op)\b", length.clause))
    )
