"""Reading residents' answers in the appointment forms: product, day, time, reference, contact.

Pure functions without I/O; the form validators in :mod:`actions.appointments` and
:mod:`actions.appointment_changes` call :func:`parse_appointment_answer`.
"""

from __future__ import annotations

import re
from typing import Any

from actions.forms import invalid, parse_confirmation
from actions.parsing import ImpossibleDateError, entity_value, find_email, find_phone, parse_date

#: Words and content keys that name a product code of the appointment system.
PRODUCT_WORDS = {
    "paspoort": "paspoort",
    "pas": "paspoort",
    "identiteitskaart": "identiteitskaart",
    "id": "identiteitskaart",
    "id-kaart": "identiteitskaart",
    "idkaart": "identiteitskaart",
    "rijbewijs": "rijbewijs",
    "uittreksel": "uittreksel-brp",
    "uittreksel_brp": "uittreksel-brp",
    "brp": "uittreksel-brp",
}
_REFERENCE = re.compile(r"\b[aA][- ]?(20[0-9]{2})[- ]?([0-9]{5})\b")
_TIME = re.compile(r"\b([01]?[0-9]|2[0-3])(?:[:.]([0-5][0-9])|\s*uur)\b(?![.\-/]\d)")
_HALF = re.compile(r"\bhalf\s+([1-9]|1[0-2])\b")
_ORDINALS = {"eerste": 0, "tweede": 1, "derde": 2, "vierde": 3, "vijfde": 4, "laatste": -1}


def normalise_reference(value: str) -> str | None:
    """``A-2026-00012`` from "a202600012", "A 2026 00012", ..., else ``None``."""
    match = _REFERENCE.search(value)
    return f"A-{match[1]}-{match[2]}" if match else None


def product_key(value: Any) -> str | None:
    """A product code candidate from an entity value, a content key or a word."""
    if not value:
        return None
    text = str(value).strip().lower()
    return PRODUCT_WORDS.get(text, text)


def parse_product(text: str, entities: list[dict], requested: bool) -> Any:
    """The product from a button or entity, or (when asked) from a word in the message."""
    value = entity_value(entities, "product", "document_type")
    if value:
        return product_key(value)
    if not requested:
        return None
    for word in re.findall(r"[\w-]+", text.lower()):
        if word in PRODUCT_WORDS:
            return PRODUCT_WORDS[word]
    return invalid("product")


def parse_time(text: str) -> str | None:
    """A clock time as ``HH:MM`` ("9:30", "10.30", "10 uur", "half 11"), else ``None``."""
    lowered = text.lower()
    if match := _HALF.search(lowered):
        hour = int(match[1]) - 1
        return f"{hour + 12 if hour < 7 else hour:02d}:30"
    if match := _TIME.search(lowered):
        hour = int(match[1])
        return f"{hour + 12 if hour < 7 else hour:02d}:{match[2] or '00'}"
    return None


def parse_slot_choice(text: str, requested: bool) -> Any:
    """A chosen time (``HH:MM``) or option number (``#1``); only a clear time when not asked."""
    value = parse_time(text)
    if value:
        return value
    if not requested:
        return None
    lowered = text.lower().strip()
    for word, index in _ORDINALS.items():
        if re.search(rf"\b{word}\b", lowered):
            return f"#{index}"
    if re.fullmatch(r"[1-9]", lowered):
        return f"#{int(lowered) - 1}"
    return invalid("slot")


def parse_appointment_answer(
    slot: str, text: str, intent: str | None, requested: bool, entities: list[dict]
) -> Any:
    """Read one answer of the appointment forms (see :meth:`FormValidation.parse`)."""
    if slot == "appt_product":
        return parse_product(text, entities, requested)
    if slot == "appt_date":
        try:
            day = parse_date(text)
        except ImpossibleDateError:
            return invalid("impossible_date")
        return day.isoformat() if day else (invalid("no_date") if requested else None)
    if slot == "appt_slot":
        return parse_slot_choice(text, requested)
    if slot in ("appt_contact", "appt_verify"):
        value = entity_value(entities, "email") or find_email(text) or find_phone(text)
        code = "contact" if slot == "appt_contact" else "verify"
        return str(value).lower() if value else (invalid(code) if requested else None)
    if slot == "appt_reference":
        value = normalise_reference(str(entity_value(entities, "appointment_reference") or text))
        return value or (invalid("reference") if requested else None)
    if slot == "appt_confirm":
        return parse_confirmation(text, intent, requested)
    return None  # appt_name: free text
