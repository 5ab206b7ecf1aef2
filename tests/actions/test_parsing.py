"""The one answer-parsing package (actions/parsing/): yes/no, phone, e-mail, postcode, numbers."""

from __future__ import annotations

import re

import pytest

from actions import parsing
from integrations.base import compact_postcode


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("ja", None, "ja"),
        ("Ja hoor", None, "ja"),
        ("klopt", None, "ja"),
        ("doe maar", None, "ja"),
        ("nee", None, "nee"),
        ("nee hoor", None, "nee"),
        ("liever niet", None, "nee"),
        ("klopt niet", None, "nee"),
        ("misschien", None, None),
        ("/affirm", "affirm", "ja"),
        ("hmm", "deny", "nee"),
    ],
)
def test_yes_no(text: str, intent: str | None, expected: str | None) -> None:
    assert parsing.yes_no(text, intent) == expected


def test_negated_keyword() -> None:
    monument = re.compile(r"monument")
    assert parsing.keyword_yes_no("het is een monument", monument) == parsing.YES
    assert parsing.keyword_yes_no("het is geen monument", monument) == parsing.NO
    assert parsing.keyword_yes_no("een rijtjeshuis", monument) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06-12345678", "+31612345678"),
        ("bel me op 06 1234 5678 graag", "+31612345678"),
        ("mijn nummer is +31 6 12345678.", "+31612345678"),
        ("020-1234567 of mailen", "+31201234567"),
        ("0800 1234567", None),
        ("12345", None),
        ("geen telefoon", None),
    ],
)
def test_find_phone_inside_a_sentence(text: str, expected: str | None) -> None:
    assert parsing.find_phone(text) == expected


def test_find_email_lowercases_only_the_domain() -> None:
    assert parsing.find_email("mail naar Jan.Jansen@Example.NL aub") == "Jan.Jansen@example.nl"
    assert parsing.find_email("piet@test") is None


def test_postcode_has_two_spellings() -> None:
    assert parsing.normalise_postcode("1234ab") == "1234 AB"
    assert parsing.normalise_postcode("0123 AB") is None
    assert compact_postcode("1234 ab") == "1234AB"
    assert parsing.find_postcode("ik woon op 1234 AB 12", strict=True) == ("1234 AB", 18)
    assert parsing.find_postcode("de boom is 1500 cm", strict=False) is None


@pytest.mark.parametrize(
    ("text", "requested", "expected"),
    [
        ("1234 AB 12a", False, "12A"),
        ("nummer 7", False, "7"),
        ("12-2", True, "12-2"),
        ("geen idee", True, ""),
        ("ongeveer 3 meter", True, ""),
        ("ik verhuis", False, None),
    ],
)
def test_house_number(text: str, requested: bool, expected: str | None) -> None:
    assert parsing.find_house_number(text, requested) == expected


def test_one_table_of_number_words() -> None:
    assert parsing.number_word("drie") == 3
    assert parsing.number_word("vieren", prefix=True) == 4
    assert parsing.number_word("eens", prefix=True) is None
    assert parsing.format_number(1.5) == "1,5"


def test_dates_share_the_number_words() -> None:
    from datetime import date

    today = date(2026, 12, 1)
    assert parsing.parse_date("over tien dagen", today=today) == date(2026, 12, 11)
