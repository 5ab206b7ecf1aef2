"""The tracker check of the scale test (tests/scale/turns.py) finds lost and spliced turns."""

from __future__ import annotations

from tests.scale.turns import PROBE_KEY, Sent, problems


def _user(probe: str) -> dict:
    return {"event": "user", "text": "...", "metadata": {PROBE_KEY: probe}}


def _bot(text: str) -> dict:
    return {"event": "bot", "text": text}


def _sent(probe: str, answer: list[str], attempts: int = 1) -> Sent:
    return Sent(probe, "...", answer=answer, attempts=attempts, accepted=True)


def test_every_message_followed_by_its_own_answer_is_fine() -> None:
    events = [_bot("welkom"), _user("a"), _bot("A1"), _bot("A2"), {"event": "action"}, _user("b"), _bot("B1")]
    assert problems(events, [_sent("a", ["A1", "A2"]), _sent("b", ["B1"])]) == []


def test_the_rest_channels_split_at_blank_lines_is_the_same_answer() -> None:
    events = [_user("a"), _bot("Paspoort\n\nKosten: 82 euro"), _bot("Wat neemt u mee?")]
    assert problems(events, [_sent("a", ["Paspoort", "Kosten: 82 euro", "Wat neemt u mee?"])]) == []
    assert problems(events, [_sent("a", ["Paspoort", "Wat neemt u mee?"])]) != []


def test_a_lost_message_and_a_spliced_answer_are_reported() -> None:
    # the second save overwrote the first by count: b's message is gone, a's answer is cut
    events = [_user("a"), _bot("A1"), _bot("B1")]
    found = problems(events, [_sent("a", ["A1", "A2"]), _sent("b", ["B1"])])
    assert len(found) == 2
    assert any("b: lost" in f for f in found) and any(f.startswith("a: stored answer") for f in found)


def test_a_message_stored_twice_is_only_accepted_when_it_was_resent() -> None:
    events = [_user("a"), _bot("A1"), _user("a"), _bot("A1")]
    assert problems(events, [_sent("a", ["A1"], attempts=2)]) == []
    assert problems(events, [_sent("a", ["A1"], attempts=1)]) == ["a: stored 2 times"]


def test_a_message_never_accepted_is_reported() -> None:
    assert problems([], [Sent("a", "...")]) == ["a: never accepted"]
