"""The bookkeeping slots every form shares (one slot family, declared once in domain/shared.yml)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType, SlotSet

#: Invalid answers in a row to :data:`INVALID_SLOT_SLOT`; at :data:`MAX_INVALID_ANSWERS` the form stops.
INVALID_COUNT_SLOT = "form_invalid_count"
#: The question the invalid answers were given to.
INVALID_SLOT_SLOT = "form_invalid_slot"
#: Set (True) when a form gave up after too many invalid answers and offered a human.
HANDOFF_SLOT = "form_handoff"
#: Set (True) when a backend read failed inside a form: the form ends, nothing is submitted.
STOP_SLOT = "form_stopped"
#: Set (True) after "nee" at the summary: the form asks what to change (``utter_ask_form_change``).
CHANGE_SLOT = "form_change"
BOOKKEEPING_SLOTS = (INVALID_COUNT_SLOT, INVALID_SLOT_SLOT, HANDOFF_SLOT, STOP_SLOT, CHANGE_SLOT)
MAX_INVALID_ANSWERS = 3

#: Key of the extraction marker of an unusable answer.
INVALID_KEY = "invalid"


def invalid(code: str) -> dict[str, str]:
    """Return the extraction marker of an unusable answer with its reason code."""
    return {INVALID_KEY: code}


def is_invalid(value: Any) -> bool:
    """Whether a slot value is the marker of an unusable answer."""
    return isinstance(value, dict) and INVALID_KEY in value


def reset_events(slots: tuple[str, ...]) -> list[EventType]:
    """``SlotSet(None)`` for a form's own slots and the shared bookkeeping."""
    return [SlotSet(slot, None) for slot in dict.fromkeys((*slots, *BOOKKEEPING_SLOTS))]


def ended_early(get_slot: Any) -> bool:
    """Whether the form gave up (handoff offered) or stopped on a backend failure."""
    return bool(get_slot(HANDOFF_SLOT) or get_slot(STOP_SLOT))
