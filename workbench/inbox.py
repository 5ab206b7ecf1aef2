"""The inbox: resident messages from the tracker store that the assistant handled badly.

Read from the ``events`` table of the (masking) SQL tracker store. A user message is in the inbox
when it hit the fallback, had low confidence, led to a handoff, or was followed by the resident
saying it did not help ("dit hielp niet"); plus a small, stable pseudo-random sample of confident
messages, so trainers also see what goes right (and what is confidently wrong). Every text is
masked again at display time with :func:`privacy.detect.mask` (the store masks on write, but
detection improves over time and older rows may predate a rule).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from privacy.detect import mask
from privacy.tracker_db import events, has_events_table

FALLBACK = "fallback"
LOW_CONFIDENCE = "low_confidence"
HANDOFF = "handoff"
NOT_HELPED = "not_helped"
SAMPLE = "sample"

#: Dutch labels of the reasons, for the screen.
REASON_LABELS: dict[str, str] = {
    FALLBACK: "niet begrepen",
    LOW_CONFIDENCE: "lage zekerheid",
    HANDOFF: "naar medewerker",
    NOT_HELPED: "dit hielp niet",
    SAMPLE: "steekproef",
}

FALLBACK_INTENTS = frozenset({"nlu_fallback"})
FALLBACK_ACTIONS = frozenset({"action_fallback", "action_default_fallback", "action_two_stage_fallback"})
HANDOFF_INTENTS = frozenset({"request_human"})
HANDOFF_ACTIONS = frozenset({"handoff_form", "action_handoff_submit"})
_NOT_HELPED = re.compile(
    r"\b(dit|dat|het|u|je)?\s*(hielp|helpt|heeft)\s+(me\s+|mij\s+)?(niet|niks|niets)(\s+geholpen)?\b"
    r"|\bniet\s+geholpen\b|\bdaar\s+heb\s+ik\s+(niets|niks)\s+aan\b|\bgeen\s+antwoord\s+op\s+mijn\s+vraag\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class InboxFilter:
    """Filters of the inbox screen (all optional)."""

    channel: str | None = None
    intent: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None
    reason: str | None = None
    include_reviewed: bool = False


@dataclass
class InboxItem:
    """One resident message of the inbox, masked."""

    event_id: int
    sender_id: str
    timestamp: float
    channel: str
    text: str
    intent: str | None
    confidence: float | None
    entities: list[dict[str, Any]]
    bot_before: list[str]
    bot_after: list[str]
    reasons: list[str] = field(default_factory=list)
    reviewed: bool = False

    @property
    def when(self) -> str:
        """The message time (UTC) as ``YYYY-MM-DD HH:MM``."""
        return datetime.fromtimestamp(self.timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


def is_not_helped(text: str) -> bool:
    """Whether a resident's message says the previous answer did not help."""
    return bool(_NOT_HELPED.search(text or ""))


def in_sample(sender_id: str, event_id: int, percent: float) -> bool:
    """Stable pseudo-random choice of ``percent`` % of messages (same answer on every reload)."""
    digest = hashlib.sha256(f"{sender_id}:{event_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10000 < percent * 100


def _day_start(value: date) -> float:
    return datetime.combine(value, time.min, tzinfo=timezone.utc).timestamp()


def _load(row_data: str | None) -> dict[str, Any]:
    try:
        data = json.loads(row_data or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _bot_text(data: dict[str, Any]) -> str:
    text = data.get("text")
    if text:
        return mask(str(text))
    inner = data.get("data") or {}
    if isinstance(inner, dict) and inner.get("buttons"):
        return "[knoppen: " + ", ".join(mask(str(b.get("title", ""))) for b in inner["buttons"]) + "]"
    return ""


def _user_item(row: Any, data: dict[str, Any]) -> InboxItem:
    parse = data.get("parse_data") or {}
    intent = (parse.get("intent") or {}) if isinstance(parse, dict) else {}
    confidence = intent.get("confidence")
    entities = [
        {"entity": e.get("entity"), "value": mask(str(e.get("value", "")))}
        for e in (parse.get("entities") or [])
        if isinstance(e, dict)
    ]
    return InboxItem(
        event_id=int(row.id),
        sender_id=str(row.sender_id),
        timestamp=float(row.timestamp or 0),
        channel=str(data.get("input_channel") or "onbekend"),
        text=mask(str(data.get("text") or "")),
        intent=intent.get("name") or row.intent_name,
        confidence=float(confidence) if confidence is not None else None,
        entities=entities,
        bot_before=[],
        bot_after=[],
    )


def collect(engine: Engine, flt: InboxFilter | None = None, sender_id: str | None = None) -> list[InboxItem]:
    """Every user message matching the date filter, with its turn context (before ``select``).

    Args:
        engine: engine of the tracker database.
        flt: only its dates are used here (in SQL); the rest is applied by :func:`select`.
        sender_id: only this conversation.
    """
    flt = flt or InboxFilter()
    if not has_events_table(engine):
        return []
    query = sa.select(
        events.c.id,
        events.c.sender_id,
        events.c.type_name,
        events.c.timestamp,
        events.c.intent_name,
        events.c.action_name,
        events.c.data,
    ).where(events.c.type_name.in_(("user", "bot", "action", "session_started")))
    if flt.date_from:
        query = query.where(events.c.timestamp >= _day_start(flt.date_from))
    if flt.date_to:
        query = query.where(events.c.timestamp < _day_start(flt.date_to) + 86400)
    if sender_id is not None:
        query = query.where(events.c.sender_id == sender_id)
    query = query.order_by(events.c.sender_id, events.c.id)
    items: list[InboxItem] = []
    actions: dict[int, set[str]] = {}
    last_bot: dict[str, list[str]] = {}
    current: InboxItem | None = None
    previous_user: InboxItem | None = None
    with engine.connect() as connection:
        for row in connection.execute(query):
            if current is not None and current.sender_id != row.sender_id:
                current = previous_user = None
            data = _load(row.data)
            if row.type_name == "session_started":
                current = previous_user = None
                last_bot.pop(row.sender_id, None)
            elif row.type_name == "user":
                item = _user_item(row, data)
                item.bot_before = list(last_bot.get(row.sender_id, []))
                if previous_user is not None and is_not_helped(str(data.get("text") or "")):
                    previous_user.reasons.append(NOT_HELPED)
                previous_user = current = item
                actions[item.event_id] = set()
                last_bot[row.sender_id] = []
                items.append(item)
            elif row.type_name == "bot":
                text = _bot_text(data)
                if text:
                    last_bot.setdefault(row.sender_id, []).append(text)
                    if current is not None:
                        current.bot_after.append(text)
            elif row.type_name == "action" and current is not None:
                actions[current.event_id].add(str(row.action_name or data.get("name") or ""))
    for item in items:
        done = actions.get(item.event_id, set())
        if item.intent in FALLBACK_INTENTS or done & FALLBACK_ACTIONS:
            item.reasons.insert(0, FALLBACK)
        if item.intent in HANDOFF_INTENTS or done & HANDOFF_ACTIONS:
            item.reasons.append(HANDOFF)
    return items


def select(
    items: list[InboxItem],
    flt: InboxFilter | None = None,
    reviewed: set[int] | frozenset[int] = frozenset(),
    low_confidence: float = 0.6,
    sample_percent: float = 5.0,
) -> list[InboxItem]:
    """The inbox: the items with a reason, filtered, newest first.

    Args:
        items: from :func:`collect`.
        flt: the screen's filters.
        reviewed: event ids already marked reviewed.
        low_confidence: below this confidence a message counts as low confidence.
        sample_percent: share (in %) of the other messages shown as a sample.
    """
    flt = flt or InboxFilter()
    chosen: list[InboxItem] = []
    for item in items:
        if FALLBACK not in item.reasons and item.confidence is not None and item.confidence < low_confidence:
            item.reasons.append(LOW_CONFIDENCE)
        if not item.reasons and in_sample(item.sender_id, item.event_id, sample_percent):
            item.reasons.append(SAMPLE)
        if not item.reasons:
            continue
        item.reviewed = item.event_id in reviewed
        if item.reviewed and not flt.include_reviewed:
            continue
        if flt.channel and item.channel != flt.channel:
            continue
        if flt.intent and item.intent != flt.intent:
            continue
        if flt.reason and flt.reason not in item.reasons:
            continue
        if flt.min_confidence is not None and (item.confidence or 0.0) < flt.min_confidence:
            continue
        if flt.max_confidence is not None and (item.confidence or 0.0) > flt.max_confidence:
            continue
        chosen.append(item)
    chosen.sort(key=lambda item: (-item.timestamp, -item.event_id))
    return chosen


def inbox(engine: Engine, flt: InboxFilter | None = None, **kwargs: Any) -> list[InboxItem]:
    """:func:`collect` then :func:`select` (see there for ``kwargs``)."""
    return select(collect(engine, flt), flt, **kwargs)


def find_item(engine: Engine, event_id: int) -> InboxItem | None:
    """One user message by its event id (masked), with its context; None when not a user message."""
    if not has_events_table(engine):
        return None
    with engine.connect() as connection:
        row = connection.execute(sa.select(events.c.sender_id).where(events.c.id == event_id)).first()
    if row is None:
        return None
    for item in collect(engine, sender_id=row.sender_id):
        if item.event_id == event_id:
            return item
    return None
