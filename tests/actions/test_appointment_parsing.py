"""Reading appointment answers (actions/appointment_parsing.py)."""

from __future__ import annotations

import pytest

from actions.appointment_parsing import normalise_reference, parse_slot_choice, parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9:30", "09:30"), ("10.30", "10:30"), ("om 11 uur", "11:00"), ("half 3", "14:30"), ("2 uur", "14:00")],
)
def test_parse_time(text: str, expected: str) -> None:
    assert parse_time(text) == expected


def test_parse_slot_choice_and_reference() -> None:
    assert parse_slot_choice("de tweede", True) == "#1"
    assert parse_slot_choice("3", True) == "#2"
    assert parse_slot_choice("maakt niet uit", True) == {"invalid": "slot"}
    assert parse_slot_choice("15.03.2026", False) is None
    assert normalise_reference("ik wil a202600012 verzetten") == "A-2026-00012"


