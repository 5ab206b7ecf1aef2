"""Reading residents' typed answers: the one answer-parsing package of the assistant.

Pure functions without I/O, used by every form (:mod:`actions.forms`) and by the actions that read
the assistant's own yes/no questions:

* :mod:`.yes_no` -- ``ja`` / ``nee`` / ``weet_ik_niet`` and negated keywords;
* :mod:`.contact` -- Dutch phone numbers and e-mail addresses;
* :mod:`.address` -- postcodes (``9999 AA`` and the register's ``9999AA``) and house numbers;
* :mod:`.numbers` -- Dutch number words and number formatting;
* :mod:`.dates` -- Dutch dates ("15 maart", "volgende week dinsdag").

Measurements of the permit checks ("anderhalve meter", "omtrek 80 cm") are read by
:mod:`actions.measurements`.
"""

from actions.parsing.address import (
    find_house_number,
    find_postcode,
    format_house_number,
    normalise_postcode,
    split_house_number,
)
from actions.parsing.contact import display_phone, find_email, find_phone, normalise_phone
from actions.parsing.dates import ImpossibleDateError, has_date, parse_date
from actions.parsing.numbers import NUMBER_WORDS, format_number, number_word
from actions.parsing.yes_no import NO, UNKNOWN, YES, keyword_yes_no, yes_no

__all__ = [
    "NO",
    "NUMBER_WORDS",
    "UNKNOWN",
    "YES",
    "ImpossibleDateError",
    "display_phone",
    "entity_value",
    "find_email",
    "find_house_number",
    "find_phone",
    "find_postcode",
    "format_house_number",
    "format_number",
    "has_date",
    "keyword_yes_no",
    "normalise_phone",
    "normalise_postcode",
    "number_word",
    "parse_date",
    "split_house_number",
    "yes_no",
]


def entity_value(entities: list[dict], *names: str) -> object:
    """The value of the first entity with one of ``names`` (button payloads set these directly)."""
    return next((e.get("value") for e in entities if e.get("entity") in names), None)
