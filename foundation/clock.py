"""The one clock: timezone-aware UTC now, and stored datetimes read back as UTC.

Every module that needs "now" calls :func:`utcnow` (tests pass ``now=`` to the functions that take
it, or monkeypatch this module's function where they need a fixed moment).
"""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """The current time in UTC (timezone-aware)."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """Read a stored datetime as UTC: naive values (SQLite returns them) are taken to be UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
