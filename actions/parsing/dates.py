"""Dutch date parsing for the transaction flows, around ``dateparser``.

:func:`parse_date` finds one date in a resident's message: "15 maart", "15-03-2026", "morgen",
"volgende week dinsdag", "komende vrijdag", "over 2 weken", "2026-05-01", also inside a sentence
("ik verhuis op 15 maart"). A date that cannot exist ("31 februari", "30-02-2026") raises
:class:`ImpossibleDateError`, so the form can say exactly that. Vague answers ("in januari",
"binnenkort") give ``None``.

``dateparser`` (languages ``["nl"]``, ``PREFER_DATES_FROM: future``, ``RELATIVE_BASE``: now) reads the
day-month phrases and relative words; weekday phrases and ISO dates are read here because
``dateparser`` gets them wrong in Dutch ("volgende week dinsdag" -> nothing, "2026-05-01" -> 5 January).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Literal

import dateparser
import holidays

from actions.parsing.numbers import NUMBER_WORDS

Preference = Literal["future", "nearest"]

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
#: Dutch weekday names, Monday first (for answers such as "dinsdag 1 december 2026").
MONTH_NAMES = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(WEEKDAYS)
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:e|ste|de)?\s+({_MONTH})\.?(?:\s+(\d{{4}}))?\b")
_WEEKDAY_PHRASE = re.compile(
    rf"\b(volgende week|komende week|deze week|aanstaande|komende|volgende|deze)?\s*({_WEEKDAY})"
    r"(?:middag|ochtend|avond|morgen)?\b"
)
_RELATIVE = re.compile(r"\b(eergisteren|gisteren|vandaag|overmorgen|morgen)\b")
_IN_UNITS = re.compile(rf"\bover\s+(\d{{1,2}}|{'|'.join(NUMBER_WORDS)})\s+(dag|dagen|week|weken)\b")
_DATEPARSER_SETTINGS = {"PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY"}


class ImpossibleDateError(ValueError):
    """The message names a date that does not exist, e.g. "31 februari"."""


def _dateparser(phrase: str, today: date) -> date | None:
    settings = {**_DATEPARSER_SETTINGS, "RELATIVE_BASE": datetime.combine(today, datetime.min.time())}
    parsed = dateparser.parse(phrase, languages=["nl"], settings=settings)
    return parsed.date() if parsed else None


def _year(year_text: str) -> int:
    year = int(year_text)
    return 2000 + year if year < 100 else year


def _build(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ImpossibleDateError(f"{day}-{month}-{year}") from exc


def _without_year(month: int, day: int, today: date, prefer: Preference) -> date:
    """The date with this day and month: the next one, or (``nearest``) the one closest to today."""
    _build(2024, month, day)  # a leap year: only dates that never exist fail here
    candidates = []
    for year in range(today.year - 1, today.year + 5):
        try:
            candidates.append(date(year, month, day))
        except ValueError:  # 29 February outside a leap year
            continue
    if prefer == "nearest":
        return min(candidates, key=lambda d: (abs((d - today).days), d < today))
    return min(d for d in candidates if d >= today)


def _weekday(qualifier: str | None, weekday: int, today: date) -> date:
    if qualifier in ("volgende week", "komende week"):
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return monday + timedelta(days=weekday)
    if qualifier == "deze week":
        return today - timedelta(days=today.weekday()) + timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead or 7)


def parse_date(text: str, today: date | None = None, prefer: Preference = "future") -> date | None:
    """Find one date in ``text``.

    Args:
        text: The resident's message.
        today: The reference day (default: today).
        prefer: For a day and month without year: ``future`` takes the next such date, ``nearest``
            the one closest to today (a move "op 25 november" can be a few days ago).

    Returns:
        The date, or ``None`` when the message names no clear day.

    Raises:
        ImpossibleDateError: The message names a day that does not exist.
    """
    today = today or date.today()
    lowered = text.lower()
    if match := _ISO.search(lowered):
        return _build(int(match[1]), int(match[2]), int(match[3]))
    if match := _NUMERIC.search(lowered):
        return _build(_year(match[3]), int(match[2]), int(match[1]))
    if match := _DAY_MONTH.search(lowered):
        day, month = int(match[1]), MONTHS[match[2]]
        if match[3]:
            return _build(int(match[3]), month, day)
        if prefer == "nearest":
            return _without_year(month, day, today, prefer)
        _build(2024, month, day)
        return _dateparser(f"{day} {MONTH_NAMES[month - 1]}", today) or _without_year(
            month, day, today, prefer
        )
    if match := _RELATIVE.search(lowered):
        return _dateparser(match[1], today)
    if match := _IN_UNITS.search(lowered):
        count = NUMBER_WORDS.get(match[1]) or int(match[1])
        return today + (timedelta(weeks=count) if match[2] in ("week", "weken") else timedelta(days=count))
    if match := _WEEKDAY_PHRASE.search(lowered):
        return _weekday(match[1], WEEKDAYS.index(match[2]), today)
    return None


def has_date(text: str) -> bool:
    """Whether ``text`` contains something that looks like a date (also an impossible one)."""
    try:
        return parse_date(text) is not None
    except ImpossibleDateError:
        return True


def format_date(day: date) -> str:
    """Write a date the Dutch way: "dinsdag 1 december 2026"."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Dutch public holiday."""
    return day.weekday() < 5 and day not in holidays.country_holidays("NL", years=day.year)
