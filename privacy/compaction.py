"""Compaction of long conversations: the cost of a message does not grow with the conversation.

Rasa replays every event of a conversation's session at every prediction (``past_states``) and
sends all of them to the action server at every custom action: a message late in a long
conversation costs several times one early in it (issue 16). When a session has more than
``compact_after`` events and the conversation is at rest (the assistant is listening, no form is
active, the last turn was an ordinary one), the tracker store appends a *compaction* to the stored
events: a new session start carrying every slot, followed by a copy of the last turn. Rasa reads
only the latest session, so the next message starts from that compact state:

- the slots, the municipality and what the resident is in the middle of are kept;
- the last turn (the resident's message and the assistant's answer) is there, so a rule that
  reacts to the previous answer ("ja" after "Wilt u een afspraak maken?") still does, and the
  session still expires counted from that message;
- every original event stays stored (retention and "vergeet mij" apply to it as before); readers
  of the whole history skip the copies (:func:`is_copy`).

The events are masked like any other before they are stored.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

#: Events in a session after which a resting conversation is compacted (about 25-30 messages).
DEFAULT_COMPACT_AFTER = 200
#: Metadata key of every event a compaction writes.
COPY_FLAG = "compaction_copy"
#: Attribute set on a tracker object whose save wrote a compaction (see :func:`compacted_at`).
_COMPACTED_AT = "_compacted_at"
_LISTEN = "action_listen"
#: Events after which the last turn is not copied: they rewrite history or end the session.
_HISTORY_CHANGES = (Restarted, SessionStarted, UserUtteranceReverted, ActionReverted)


def is_copy(event: Mapping[str, Any]) -> bool:
    """Whether a stored event (as a dict) was written by a compaction."""
    return bool((event.get("metadata") or {}).get(COPY_FLAG))


def compacted_at(tracker: DialogueStateTracker) -> int | None:
    """The number of the tracker's events stored when its save wrote a compaction, if it did."""
    return getattr(tracker, _COMPACTED_AT, None)


def mark_compacted(tracker: DialogueStateTracker) -> None:
    """Note on the tracker object that everything it holds is stored, before the compaction."""
    setattr(tracker, _COMPACTED_AT, len(tracker.events))


def _last_turn_start(tracker: DialogueStateTracker) -> int | None:
    for index in range(len(tracker.events) - 1, -1, -1):
        if isinstance(tracker.events[index], UserUttered):
            return index
    return None


def should_compact(tracker: DialogueStateTracker, compact_after: int) -> bool:
    """Whether the tracker's session is long enough and at rest to be compacted now."""
    if compact_after <= 0 or len(tracker.events) <= compact_after or compacted_at(tracker) is not None:
        return False
    if tracker.active_loop_name or tracker.followup_action not in (None, _LISTEN):
        return False
    last = tracker.events[-1]
    if not (isinstance(last, ActionExecuted) and last.action_name == _LISTEN):
        return False
    start = _last_turn_start(tracker)
    if start is None:
        return False
    return not any(isinstance(event, _HISTORY_CHANGES) for event in list(tracker.events)[start:])


def compaction_events(tracker: DialogueStateTracker, now: float | None = None) -> list[Event]:
    """The events of a compaction of ``tracker`` (see the module docstring).

    All are stamped later than every event of the tracker, so Rasa's query of the latest session
    (events from the latest session start's timestamp on) returns exactly these and what follows.
    """
    latest = max((event.timestamp for event in tracker.events), default=0.0)
    stamp = max(now if now is not None else time.time(), latest) + 0.001
    flag = {COPY_FLAG: True}
    events: list[Event] = [SessionStarted(timestamp=stamp, metadata=flag)]
    for name, slot in tracker.slots.items():
        if slot.value != slot.initial_value:
            events.append(SlotSet(name, slot.value, timestamp=stamp, metadata=flag))
    start = _last_turn_start(tracker)
    for event in list(tracker.events)[start:] if start is not None else []:
        data = event.as_dict()
        data["timestamp"] = stamp
        data["metadata"] = {**(data.get("metadata") or {}), **flag}
        copy = Event.from_parameters(data)
        if copy is not None:
            events.append(copy)
    return events
