"""Dutch date parsing (actions/dates.py)."""

from __future__ import annotations

from datetime import date

import pytest

from actions.parsing.dates import ImpossibleDateError, format_date, has_date, is_working_day, parse_date

#: Saturday 28 November 2026.
TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 maart", date(2027, 3, 15)),
        ("ik verhuis op 15 maart", date(2027, 3, 15)),
        ("15-03-2026", date(2026, 3, 15)),
        ("15/03/26", date(2026, 3, 15)),
        ("2026-05-01", date(2026, 5, 1)),
        ("morgen", date(2026, 11, 29)),
        ("overmorgen", date(2026, 11, 30)),
        ("vandaag", TODAY),
        ("gisteren", date(2026, 11, 27)),
        ("volgende week dinsdag", date(2026, 12, 1)),
        ("komende vrijdag", date(2026, 12, 4)),
        ("dinsdag", date(2026, 12, 1)),
        ("donderdagmiddag", date(2026, 12, 3)),
        ("over 2 weken", date(2026, 12, 12)),
        ("over drie dagen", date(2026, 12, 1)),
        ("1e januari 2027", date(2027, 1, 1)),
        ("op 15 mrt.", date(2027, 3, 15)),
    ],
)
def test_parses_dutch_dates(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["31 februari", "30-02-2026", "2026-02-30", "32 mei", "31 april 2027"])
def test_impossible_dates_raise(text: str) -> None:
    with pytest.raises(ImpossibleDateError):
        parse_date(text, TODAY)
    assert has_date(text)


@pytest.mark.parametrize(
    "text", ["in januari", "binnenkort", "9999 AA 12", "huisnummer 12-2", "weet ik niet", ""]
)
def test_vague_or_no_date_is_none(text: str) -> None:
    assert parse_date(text, TODAY) is None


def test_29_february_takes_the_next_leap_year() -> None:
    assert parse_date("29 februari", TODAY) == date(2028, 2, 29)


def test_nearest_preference_allows_a_recent_past_date() -> None:
    assert parse_date("25 november", TODAY) == date(2027, 11, 25)
    assert parse_date("25 november", TODAY, prefer="nearest") == date(2026, 11, 25)
    assert parse_date("15 maart", TODAY, prefer="nearest") == date(2027, 3, 15)


def test_working_days_skip_weekends_and_holidays() -> None:
    assert is_working_day(date(2026, 12, 1))  # Tuesday
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert not is_working_day(date(2026, 12, 25))  # Christmas
    assert not is_working_day(date(2027, 4, 27))  # King's Day


def test_format_date_is_dutch() -> None:
    assert format_date(date(2026, 12, 1)) == "dinsdag 1 december 2026"
