"""action_privacy_notice (actions/privacy.py)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.privacy import ActionPrivacyNotice, privacy_notice, special_categories


def _message(categories: list[str], text: str = "...") -> dict:
    return {
        "text": text,
        "intent": {"name": "wmo_support", "confidence": 0.9},
        "entities": [],
        "privacy": {
            "categories": categories,
            "special_category": bool(set(categories) & {"health", "criminal"}),
        },
    }


@pytest.mark.parametrize("categories", [["health"], ["criminal"], ["bsn", "health"]])
async def test_notice_for_special_categories_with_the_wijkteam_phone(make_tracker, dispatcher, categories):
    tracker = make_tracker(latest_message=_message(categories))
    events = await ActionPrivacyNotice().run(dispatcher, tracker, {})
    assert events == [SlotSet("privacy_notice_given", True)]
    (message,) = dispatcher.messages
    assert message["response"] == "utter_privacy_special_category"
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
    import actions.privacy as module

    monkeypatch.setattr(module, "wijkteam_values", lambda: {})
    await ActionPrivacyNotice().run(dispatcher, make_tracker(latest_message=_message(["criminal"])), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_privacy_special_category_no_contact"]
