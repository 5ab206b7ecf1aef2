"""Dutch postcodes and house numbers in residents' answers (the one reader of both).

Two spellings of a postcode: :func:`normalise_postcode` gives the resident-facing ``9999 AA``,
:func:`integrations.base.compact_postcode` the register's ``9999AA`` (what the APIs take).
"""

from __future__ import annotations

import re

from stdnum.exceptions import ValidationError
from stdnum.nl import postcode as nl_postcode

_POSTCODE_LENIENT = re.compile(r"\b([1-9][0-9]{3})\s?([a-zA-Z]{2})\b")
_POSTCODE_STRICT = re.compile(r"\b([1-9][0-9]{3})(?:\s?([A-Z]{2})|([a-zA-Z]{2}))\b")
#: Two letters after four digits that are a word or unit, not a postcode ("1500 cm", "2026 en").
_NOT_LETTERS = frozenset(
    {"cm", "mm", "km", "kg", "en", "op", "in", "is", "om", "de", "ik", "te", "na", "nu", "of", "we", "ze"}
)
_HOUSE_NUMBER = re.compile(
    r"^\s*(?:,|nummer|nr\.?|huisnummer)?\s*([1-9][0-9]{0,4})(?:\s*-?\s*([a-zA-Z]{1,2}\b|[0-9]{1,4}\b|bis\b|hs\b))?",
    re.IGNORECASE,
)
_HOUSE_NUMBER_LABELLED = re.compile(
    r"\b(?:nummer|nr\.?|huisnummer)\s*([1-9][0-9]{0,4})(?:\s*-?\s*([a-zA-Z]{1,2}\b|[0-9]{1,4}\b))?",
    re.IGNORECASE,
)
_NOT_A_HOUSE_NUMBER = re.compile(r"\d\s*(cm|m|meter|jaar|dagen|weken)\b")


def normalise_postcode(value: str) -> str | None:
    """``9999 AA`` for a valid Dutch postcode (``stdnum.nl.postcode``), else ``None``."""
    try:
        return nl_postcode.validate(value)
    except ValidationError:
        return None


def find_postcode(text: str, strict: bool) -> tuple[str, int] | None:
    """The postcode in ``text`` (formatted ``9999 AA``) and where it ends, or ``None``.

    ``strict`` (a message that answers another question) only takes "9999 AA" or "9999aa", never
    "1500 cm"-like phrases.
    """
    pattern = _POSTCODE_STRICT if strict else _POSTCODE_LENIENT
    for match in pattern.finditer(text):
        letters = match[0][4:].strip()
        if letters.lower() in _NOT_LETTERS:
            continue
        value = normalise_postcode(match[0])
        if value:
            return value, match.end()
    return None


def format_house_number(number: str, addition: str | None) -> str:
    """``("12", "a")`` -> ``12A``, ``("12", "2")`` -> ``12-2``."""
    addition = (addition or "").strip().upper()
    if not addition or addition.lower() in _NOT_LETTERS:
        return number
    return f"{number}{addition}" if addition.isalpha() and len(addition) <= 2 else f"{number}-{addition}"


def split_house_number(value: str) -> tuple[int, str]:
    """``"12A"`` -> ``(12, "A")``, ``"12-2"`` -> ``(12, "2")``."""
    match = re.match(r"(\d+)-?(.*)", value)
    if not match:
        raise ValueError(value)
    return int(match[1]), match[2]


def find_house_number(text: str, requested: bool, entity: str | None = None) -> str | None:
    """The house number after a postcode or a label ("nummer 12a"), or (when asked) on its own.

    Args:
        text: The resident's message.
        requested: Whether the house number was the question asked (a bare "12" counts).
        entity: A ``house_number`` entity value of the message, if any.

    Returns:
        The house number ("12A", "12-2"), ``""`` when it was asked but cannot be read, or ``None``.
    """
    found = find_postcode(text, strict=not requested)
    if found:
        match = _HOUSE_NUMBER.match(text[found[1] :])
        if match:
            return format_house_number(match[1], match[2])
    if match := _HOUSE_NUMBER_LABELLED.search(text):
        return format_house_number(match[1], match[2])
    if requested and not found:
        match = _HOUSE_NUMBER.match(text)
        if match and not _NOT_A_HOUSE_NUMBER.search(text.lower()):
            return format_house_number(match[1], match[2])
        if entity:
            match = _HOUSE_NUMBER.match(str(entity))
            return format_house_number(match[1], match[2]) if match else ""
        return ""
    return None
