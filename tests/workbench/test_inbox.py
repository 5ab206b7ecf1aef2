"""The inbox query: which messages are in it, with what context, masked, filtered."""

from __future__ import annotations

from datetime import date

from tests.workbench.conftest import DAY, T0, Conversations
from workbench.inbox import (
    FALLBACK,
    HANDOFF,
    LOW_CONFIDENCE,
    NOT_HELPED,
    SAMPLE,
    InboxFilter,
    collect,
    find_item,
    in_sample,
    inbox,
    is_not_helped,
)


def _conversation(tracker: Conversations) -> dict[str, int]:
    ids = {}
    tracker.bot("a", "Goedemiddag, ik ben de digitale assistent.", T0)
    ids["fallback"] = tracker.user("a", "mijn kliko is niet geleegd", "nlu_fallback", 0.21, T0 + 1)
    tracker.action("a", "action_fallback", T0 + 2)
    tracker.bot("a", "Dat begrijp ik niet goed. Bedoelt u afval?", T0 + 3)
    ids["low"] = tracker.user("a", "ja de groene bak", "waste_collection", 0.41, T0 + 4)
    tracker.bot("a", "De groene container wordt om de week geleegd.", T0 + 5)
    ids["not_helped_target"] = tracker.user("a", "wanneer komt hij dan", "waste_collection", 0.93, T0 + 6)
    tracker.bot("a", "Kijk op de afvalkalender.", T0 + 7)
    ids["not_helped"] = tracker.user("a", "dit hielp niet", "deny", 0.88, T0 + 8)
    tracker.bot("b", "Waarmee kan ik u helpen?", T0 + DAY)
    ids["handoff"] = tracker.user(
        "b",
        "ik wil iemand spreken, mijn nummer is 06-12345678",
        "request_human",
        0.97,
        T0 + DAY + 1,
        channel="whatsapp",
    )
    tracker.action("b", "handoff_form", T0 + DAY + 2)
    tracker.bot("b", "Ik maak een verzoek voor een medewerker.", T0 + DAY + 3)
    return ids


def test_reasons_of_each_kind(tracker: Conversations) -> None:
    ids = _conversation(tracker)
    items = {item.event_id: item for item in inbox(tracker.engine, sample_percent=0)}
    assert items[ids["fallback"]].reasons == [FALLBACK]
    assert items[ids["low"]].reasons == [LOW_CONFIDENCE]
    assert items[ids["not_helped_target"]].reasons == [NOT_HELPED]
    assert items[ids["handoff"]].reasons == [HANDOFF]
    assert ids["not_helped"] not in items  # the complaint itself is confident and not a miss


def test_bot_message_before_and_after(tracker: Conversations) -> None:
    ids = _conversation(tracker)
    item = find_item(tracker.engine, ids["fallback"])
    assert item is not None
    assert item.bot_before == ["Goedemiddag, ik ben de digitale assistent."]
    assert item.bot_after == ["Dat begrijp ik niet goed. Bedoelt u afval?"]
    assert item.intent == "nlu_fallback" and item.confidence == 0.21


def test_texts_are_masked_at_display_time(tracker: Conversations) -> None:
    ids = _conversation(tracker)
    item = find_item(tracker.engine, ids["handoff"])
    assert item is not None
    assert "06-12345678" not in item.text
    assert "[TELEFOON]" in item.text


def test_bot_text_and_entities_masked_too(tracker: Conversations) -> None:
    tracker.bot("c", "Uw BSN 123456782 klopt", T0)
    event = tracker.user(
        "c",
        "bsn is 123456782",
        "nlu_fallback",
        0.1,
        T0 + 1,
        entities=[{"entity": "bsn", "value": "123456782"}],
    )
    tracker.bot("c", "Bedankt, 123456782 genoteerd", T0 + 2)
    item = find_item(tracker.engine, event)
    assert item is not None
    everything = " ".join(
        [item.text, *item.bot_before, *item.bot_after, *(e["value"] for e in item.entities)]
    )
    assert "123456782" not in everything
    assert everything.count("[BSN]") == 4


def test_filters(tracker: Conversations) -> None:
    ids = _conversation(tracker)

    def chosen(**kwargs: object) -> set[int]:
        return {item.event_id for item in inbox(tracker.engine, InboxFilter(**kwargs), sample_percent=0)}

    assert chosen(channel="whatsapp") == {ids["handoff"]}
    assert chosen(intent="waste_collection") == {ids["low"], ids["not_helped_target"]}
    assert chosen(max_confidence=0.5) == {ids["fallback"], ids["low"]}
    assert chosen(min_confidence=0.95) == {ids["handoff"]}
    assert chosen(date_from=date(2026, 12, 1)) == {ids["handoff"]}
    assert chosen(date_to=date(2026, 11, 30)) == {ids["fallback"], ids["low"], ids["not_helped_target"]}
    assert chosen(reason=FALLBACK) == {ids["fallback"]}


def test_reviewed_messages_are_hidden_unless_asked(tracker: Conversations) -> None:
    ids = _conversation(tracker)
    shown = {i.event_id for i in inbox(tracker.engine, reviewed={ids["fallback"]}, sample_percent=0)}
    assert ids["fallback"] not in shown
    again = inbox(
        tracker.engine, InboxFilter(include_reviewed=True), reviewed={ids["fallback"]}, sample_percent=0
    )
    assert [i.reviewed for i in again if i.event_id == ids["fallback"]] == [True]


def test_sample_of_confident_messages_is_small_and_stable(tracker: Conversations) -> None:
    for n in range(400):
        tracker.user(f"s{n}", "hoe laat is het stadhuis open", "opening_hours", 0.99, T0 + n)
    first = [i.event_id for i in inbox(tracker.engine, sample_percent=5)]
    second = [i.event_id for i in inbox(tracker.engine, sample_percent=5)]
    assert first == second
    assert 5 <= len(first) <= 40
    assert all(SAMPLE in i.reasons for i in inbox(tracker.engine, sample_percent=5))
    assert inbox(tracker.engine, sample_percent=0) == []
    assert in_sample("x", 1, 100) and not in_sample("x", 1, 0)


def test_newest_first_and_empty_store(tracker: Conversations) -> None:
    ids = _conversation(tracker)
    items = inbox(tracker.engine, sample_percent=0)
    assert items[0].event_id == ids["handoff"]
    assert collect(tracker.engine, sender_id="nobody") == []


def test_missing_table_gives_empty_inbox(tmp_path) -> None:  # noqa: ANN001
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}", future=True)
    assert inbox(engine) == [] and find_item(engine, 1) is None


def test_not_helped_phrases() -> None:
    for text in ("dit hielp niet", "Dat heeft me niet geholpen", "daar heb ik niks aan", "u helpt me niet"):
        assert is_not_helped(text), text
    for text in ("hielp u mij met mijn paspoort", "ja dat helpt", "niet nodig"):
        assert not is_not_helped(text), text
