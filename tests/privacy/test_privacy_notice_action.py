"""action_privacy_notice (actions/privacy_notice.py)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.privacy_notice import ActionPrivacyNotice, privacy_notice, special_categories


def _message(categories: list[str], text: str = "...", intent: str = "welfare_benefit") -> dict:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [],
        "privacy": {
            "categories": categories,
            "special_category": bool(set(categories) & {"health", "criminal"}),
        },
    }


@pytest.mark.parametrize("categories", [["health"], ["bsn", "health"]])
async def test_health_notice_with_the_wijkteam_phone(make_tracker, dispatcher, categories):
    tracker = make_tracker(latest_message=_message(categories))
    events = await ActionPrivacyNotice().run(dispatcher, tracker, {})
    assert events == [SlotSet("privacy_notice_given", True)]
    (message,) = dispatcher.messages
    assert message["response"] == "utter_privacy_health"
    from actions.content import get_content

    assert message["wijkteam_phone"] == get_content().wijkteam["phone"]
    assert message["wijkteam_name"]


@pytest.mark.parametrize("categories", [[], ["bsn"], ["phone", "email"]])
async def test_no_notice_without_special_categories(make_tracker, dispatcher, categories):
    tracker = make_tracker(latest_message=_message(categories))
    assert await ActionPrivacyNotice().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages == []


async def test_no_notice_when_the_parse_data_has_no_privacy_key(make_tracker, dispatcher):
    tracker = make_tracker(intent="greet", text="hallo")
    assert special_categories(tracker) == set()
    assert await ActionPrivacyNotice().run(dispatcher, tracker, {}) == []


async def test_notice_only_once_per_session_unless_asked(make_tracker, dispatcher):
    tracker = make_tracker(latest_message=_message(["health"]), slots={"privacy_notice_given": True})
    assert privacy_notice(dispatcher, tracker) == []
    assert dispatcher.messages == []
    assert privacy_notice(dispatcher, tracker, once=False) == [SlotSet("privacy_notice_given", True)]


async def test_notice_without_content_uses_the_general_response(make_tracker, dispatcher, monkeypatch):
    import actions.privacy_notice as module

    monkeypatch.setattr(module, "wijkteam_values", lambda: {})
    await ActionPrivacyNotice().run(dispatcher, make_tracker(latest_message=_message(["health"])), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_privacy_health_no_contact"]


async def test_criminal_record_gets_its_own_notice(make_tracker, dispatcher):
    await ActionPrivacyNotice().run(dispatcher, make_tracker(latest_message=_message(["criminal"])), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_privacy_criminal"]


@pytest.mark.parametrize("intent", ["wmo_support", "youth_care", "informal_care"])
async def test_health_as_the_subject_gets_one_short_line(make_tracker, dispatcher, intent):
    tracker = make_tracker(latest_message=_message(["health"], "mijn moeder heeft dementie", intent))
    await ActionPrivacyNotice().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_privacy_health_short"]


def test_the_notices_say_what_the_issue_asks_and_never_straf_for_health(domain_dict: dict) -> None:


    domain = domain_dict
    responses = domain["responses"]
    health = "U hoeft mij niets over uw gezondheid te vertellen. Ik kan u ook zo helpen."
    for name in ("utter_privacy_health", "utter_privacy_health_no_contact", "utter_privacy_health_short"):
        assert responses[name][0]["text"].startswith(health)
        assert "straf" not in responses[name][0]["text"]
    assert responses["utter_privacy_health_short"][0]["text"] == health
    assert "straf" in responses["utter_privacy_criminal"][0]["text"]
    assert "gezondheid" not in responses["utter_privacy_criminal"][0]["text"]
