"""Tests for actions/answers.py: topic answers, follow-ups, opening hours and contact details."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import answers
from actions.content import PROJECT_ROOT, clear_content_cache, get_content, merged_data
from foundation.domain import read_domain
from foundation.settings import get_settings

DOMAIN = read_domain()
RULES = yaml.safe_load((PROJECT_ROOT / "data" / "rules" / "answers.yml").read_text(encoding="utf-8"))
PLACEHOLDER = re.compile(r"{(\w+)}")


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("MUNICIPALITY", raising=False)
    monkeypatch.delenv("CONTENT_DIR", raising=False)
    get_settings.cache_clear()
    clear_content_cache()
    yield
    get_settings.cache_clear()
    clear_content_cache()


def use_municipality(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("MUNICIPALITY", name)
    get_settings.cache_clear()
    clear_content_cache()


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


def message(dispatcher: CollectingDispatcher, response: str) -> dict[str, Any]:
    return next(m for m in dispatcher.messages if m["response"] == response)


def domain_buttons(response: str) -> list[str]:
    return [b["payload"] for v in DOMAIN["responses"][response] for b in v.get("buttons", [])]


def assert_renderable(dispatcher: CollectingDispatcher) -> None:
    """Every uttered response exists in the domain and gets a value for each of its placeholders."""
    for sent in dispatcher.messages:
        variants = DOMAIN["responses"].get(sent["response"])
        assert variants, f"{sent['response']} is not in domain/"
        for variant in variants:
            missing = set(PLACEHOLDER.findall(variant["text"])) - {k for k, v in sent.items() if v}
            assert not missing, f"{sent['response']} misses {missing}"


async def run(action, make_tracker, dispatcher, **tracker_args) -> list:
    return await action.run(dispatcher, make_tracker(**tracker_args), DOMAIN)


# ------------------------------------------------------------------ topic answers
async def test_passport_answer_uses_content_and_offers_appointment_and_human(
    make_tracker, dispatcher
) -> None:
    events = await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent="passport_id_card")
    product = get_content().product("paspoort")
    assert responses(dispatcher) == [
        "utter_product_answer",
        "utter_product_next",
        "utter_product_bring",
        "utter_product_appointment",
        "utter_signals_offer_travel_document",
    ]
    answer = message(dispatcher, "utter_product_answer")
    assert answer["costs"] == product.costs and "82,25" in answer["costs"]
    assert answer["link"] == product.link
    assert "pasfoto" in message(dispatcher, "utter_product_bring")["bring"]
    assert {"/make_appointment", "/request_human"} <= set(domain_buttons("utter_product_appointment"))
    assert events == [SlotSet("current_topic", "paspoort"), SlotSet("topic_depth", "paspoort:0")]
    assert_renderable(dispatcher)


async def test_entity_picks_the_id_card_within_the_intent(make_tracker, dispatcher) -> None:
    events = await run(
        answers.ActionAnswerTopic(),
        make_tracker,
        dispatcher,
        intent="passport_id_card",
        entities=[("document_type", "ID-kaart")],
    )
    assert events[0] == SlotSet("current_topic", "identiteitskaart")
    assert message(dispatcher, "utter_product_answer")["title"] == "ID-kaart"


async def test_product_without_appointment_offers_a_human(make_tracker, dispatcher) -> None:
    await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent="waste_collection")
    assert responses(dispatcher)[-1] == "utter_product_more_help"
    assert "utter_product_appointment" not in responses(dispatcher)
    assert "/request_human" in domain_buttons("utter_product_more_help")
    assert_renderable(dispatcher)


async def test_social_topic_is_warm_and_offers_the_right_contact(make_tracker, dispatcher) -> None:
    events = await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent="debt_help")
    assert responses(dispatcher) == ["utter_social_answer", "utter_social_next", "utter_social_contact"]
    sent = message(dispatcher, "utter_social_contact")
    assert sent["contact_name"] == "Schuldhulp Voorbeeldstad"
    assert sent["contact_phone"] == get_content().social_contacts["schuldhulp"]["phone"]
    assert "/request_human" in domain_buttons("utter_social_contact")
    text = DOMAIN["responses"]["utter_social_contact"][0]["text"]
    assert "Wilt u liever met iemand praten?" in text  # offers a person
    assert "Over uw gezondheid hoeft u mij niets te vertellen." in text  # never asks medical details
    assert events[0] == SlotSet("current_topic", "schuldhulp")
    assert_renderable(dispatcher)


async def test_wmo_offers_the_wijkteam(make_tracker, dispatcher) -> None:
    await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent="wmo_support")
    assert message(dispatcher, "utter_social_contact")["contact_name"] == get_content().wijkteam["name"]


async def test_aow_refers_to_the_svb_and_offers_the_wijkteam(make_tracker, dispatcher) -> None:
    await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent="aow_pension")
    assert responses(dispatcher) == [
        "utter_other_body", "utter_other_body_next", "utter_social_contact", "utter_signals_offer_aow"
    ]
    sent = message(dispatcher, "utter_other_body_next")
    assert "SVB" in sent["other_body_name"] and "svb.nl" in sent["link"]
    assert "/request_human" in domain_buttons("utter_other_body_next")
    assert_renderable(dispatcher)


async def test_further_education_refers_to_studielink_and_duo(make_tracker, dispatcher) -> None:
    await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent="further_education")
    assert responses(dispatcher) == ["utter_other_body", "utter_other_body_next", "utter_signals_offer_study"]
    assert "DUO" in message(dispatcher, "utter_other_body")["other_body_name"]


async def test_every_rule_intent_gets_a_renderable_answer(make_tracker) -> None:
    for rule in RULES["rules"]:
        intent = rule["steps"][0]["intent"]
        if rule["steps"][1]["action"] != "action_answer_topic":
            continue
        dispatcher = CollectingDispatcher()
        events = await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent=intent)
        assert events and events[0]["name"] == "current_topic", intent
        assert "utter_topic_unknown" not in responses(dispatcher), intent
        assert_renderable(dispatcher)


async def test_unknown_product_is_honest_and_offers_a_human(
    make_tracker, dispatcher, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = merged_data(PROJECT_ROOT / "content" / "voorbeeldstad.yml")
    data["municipality"]["id"] = "zonderparkeren"
    del data["products"]["parkeervergunning"]
    (tmp_path / "zonderparkeren.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path))
    use_municipality(monkeypatch, "zonderparkeren")

    events = await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent="parking_permit")
    assert events == []
    assert responses(dispatcher) == ["utter_topic_unknown"]
    assert message(dispatcher, "utter_topic_unknown")["phone"] == "14 0999"
    assert "/request_human" in domain_buttons("utter_topic_unknown")
    assert "costs" not in dispatcher.messages[0]
    assert_renderable(dispatcher)


async def test_intent_without_product_is_unknown(make_tracker, dispatcher) -> None:
    assert await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent="greet") == []
    assert responses(dispatcher) == ["utter_topic_unknown"]


async def test_missing_content_gives_a_safe_answer(make_tracker, dispatcher, monkeypatch) -> None:
    use_municipality(monkeypatch, "bestaat_niet")
    assert await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent="passport_id_card") == []
    assert responses(dispatcher) == ["utter_content_unavailable"]
    assert_renderable(dispatcher)


async def test_mixed_topics_answer_the_main_one_and_offer_the_other(make_tracker, dispatcher) -> None:
    ranking = [("passport_id_card", 0.55), ("building_permit", 0.35), ("greet", 0.05)]
    events = await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent=ranking)
    assert responses(dispatcher)[0] == "utter_product_answer"
    offer = dispatcher.messages[-1]
    assert offer["response"] == "utter_offer_other_topic"
    assert offer["buttons"] == [{"title": "Verbouwen", "payload": "/building_permit"}]
    assert events == [SlotSet("current_topic", "paspoort"), SlotSet("topic_depth", "paspoort:0")]
    assert_renderable(dispatcher)


async def test_weak_second_intent_is_not_offered(make_tracker, dispatcher) -> None:
    ranking = [("passport_id_card", 0.75), ("building_permit", 0.2)]
    await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent=ranking)
    assert "utter_offer_other_topic" not in responses(dispatcher)


async def test_nlu_fallback_on_top_uses_the_runner_up(make_tracker, dispatcher) -> None:
    ranking = [("nlu_fallback", 0.45), ("drivers_license", 0.4), ("passport_id_card", 0.32)]
    events = await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent=ranking)
    assert events[0] == SlotSet("current_topic", "rijbewijs")
    assert message(dispatcher, "utter_offer_other_topic")["buttons"][0]["payload"] == "/passport_id_card"


# ------------------------------------------------------------------ follow-ups
async def test_followup_keeps_the_context_of_the_last_topic(make_tracker, dispatcher) -> None:
    first = await run(answers.ActionAnswerTopic(), make_tracker, dispatcher, intent="drivers_license")
    topic = first[0]["value"]

    followup = CollectingDispatcher()
    events = await run(
        answers.ActionAnswerFollowup(),
        make_tracker,
        followup,
        intent="ask_duration",
        slots={"current_topic": topic},
        text="en hoe lang duurt het?",
    )
    assert responses(followup) == ["utter_followup_duration"]
    assert followup.messages[0]["processing_time"] == get_content().product("rijbewijs").processing_time
    assert events[0] == SlotSet("current_topic", "rijbewijs")
    assert_renderable(followup)


@pytest.mark.parametrize(
    ("intent", "response", "field"),
    [
        ("ask_costs", "utter_followup_costs", "costs"),
        ("ask_duration", "utter_followup_duration", "processing_time"),
        ("ask_documents", "utter_followup_documents", "bring"),
    ],
)
async def test_each_followup_answers_its_own_field(make_tracker, dispatcher, intent, response, field) -> None:
    await run(
        answers.ActionAnswerFollowup(),
        make_tracker,
        dispatcher,
        intent=intent,
        slots={"current_topic": "paspoort"},
    )
    assert responses(dispatcher) == [response]
    expected = get_content().product("paspoort").template_values()[field]
    assert dispatcher.messages[0][field] == expected
    assert_renderable(dispatcher)


async def test_documents_followup_when_nothing_is_needed(make_tracker, dispatcher) -> None:
    await run(
        answers.ActionAnswerFollowup(),
        make_tracker,
        dispatcher,
        intent="ask_documents",
        slots={"current_topic": "verhuizing"},
    )
    assert responses(dispatcher) == ["utter_followup_documents_none"]


async def test_named_product_wins_over_the_current_topic(make_tracker, dispatcher) -> None:
    events = await run(
        answers.ActionAnswerFollowup(),
        make_tracker,
        dispatcher,
        intent="ask_costs",
        slots={"current_topic": "paspoort"},
        entities=[("product", "rijbewijs")],
    )
    assert dispatcher.messages[0]["costs"] == get_content().product("rijbewijs").costs
    assert events[0] == SlotSet("current_topic", "rijbewijs")


@pytest.mark.parametrize("slots", [{}, {"current_topic": "bestaat_niet"}])
async def test_followup_without_topic_asks_which_product(make_tracker, dispatcher, slots) -> None:
    events = await run(
        answers.ActionAnswerFollowup(), make_tracker, dispatcher, intent="ask_costs", slots=slots
    )
    assert events == []
    assert responses(dispatcher) == ["utter_followup_which_product"]
    assert domain_buttons("utter_followup_which_product")


# ------------------------------------------------------------------ two municipalities
async def test_same_question_gives_the_facts_of_each_municipality(make_tracker, monkeypatch) -> None:
    facts = {}
    for name in ("voorbeeldstad", "proefdorp"):
        use_municipality(monkeypatch, name)
        dispatcher = CollectingDispatcher()
        await run(
            answers.ActionAnswerTopic(),
            make_tracker,
            dispatcher,
            intent="passport_id_card",
            text="wat kost een paspoort",
        )
        answer = message(dispatcher, "utter_product_answer")
        facts[name] = (answer["costs"], answer["processing_time"], answer["link"])
        contact = CollectingDispatcher()
        await run(answers.ActionContactInfo(), make_tracker, contact, intent="contact_info")
        facts[name] += (contact.messages[0]["phone"],)
    assert "82,25" in facts["voorbeeldstad"][0] and "84,45" in facts["proefdorp"][0]
    assert all(a != b for a, b in zip(facts["voorbeeldstad"], facts["proefdorp"], strict=True))


# ------------------------------------------------------------------ opening hours and contact
def clock(text: str):
    return lambda: datetime.fromisoformat(text)


async def test_opening_hours_on_christmas(make_tracker, dispatcher) -> None:
    action = answers.ActionOpeningHours(clock=clock("2025-12-25T10:00"))
    assert await run(action, make_tracker, dispatcher, intent="opening_hours") == []
    assert responses(dispatcher) == [
        "utter_closed_holiday",
        "utter_closed_opens_on_day",
        "utter_opening_hours_summary",
        "utter_opening_hours_appointment",
    ]
    assert dispatcher.messages[0]["holiday_name"] == "Eerste Kerstdag"
    assert dispatcher.messages[1]["opens_day"] == "maandag" and dispatcher.messages[1]["opens_at"] == "8.30"
    assert_renderable(dispatcher)


async def test_opening_hours_when_open(make_tracker, dispatcher) -> None:
    await run(
        answers.ActionOpeningHours(clock=clock("2025-06-10T10:00")),
        make_tracker,
        dispatcher,
        intent="opening_hours",
    )
    assert responses(dispatcher)[0] == "utter_open_now"
    assert dispatcher.messages[0]["closes_at"] == "17.00"
    assert dispatcher.messages[1]["summary"] == get_content().opening_hours["summary"]
    assert_renderable(dispatcher)


async def test_opening_hours_in_the_evening_differ_per_municipality(make_tracker, monkeypatch) -> None:
    said = {}
    for name in ("voorbeeldstad", "proefdorp"):
        use_municipality(monkeypatch, name)
        dispatcher = CollectingDispatcher()
        await run(
            answers.ActionOpeningHours(clock=clock("2025-06-13T19:00")),
            make_tracker,
            dispatcher,
            intent="opening_hours",
        )
        said[name] = (
            dispatcher.messages[0]["response"],
            dispatcher.messages[0]["opens_day"],
            dispatcher.messages[0]["opens_at"],
        )
        assert_renderable(dispatcher)
    assert said["voorbeeldstad"] == ("utter_closed_opens_on_day", "maandag", "8.30")
    assert said["proefdorp"] == ("utter_closed_opens_tomorrow", "zaterdag", "10.00")


async def test_contact_info(make_tracker, dispatcher) -> None:
    await run(answers.ActionContactInfo(), make_tracker, dispatcher, intent="contact_info")
    sent = dispatcher.messages[0]
    assert sent["response"] == "utter_contact_info"
    assert (sent["phone"], sent["email"], sent["address"]) == (
        "14 0999",
        "info@voorbeeldstad.example",
        "Marktplein 1, 9999 XX Voorbeeldstad",
    )
    assert_renderable(dispatcher)


def test_actions_and_rules_are_in_the_domain() -> None:
    for action in (
        "action_answer_topic",
        "action_answer_followup",
        "action_opening_hours",
        "action_contact_info",
    ):
        assert action in DOMAIN["actions"]
    rule_intents = {rule["steps"][0]["intent"] for rule in RULES["rules"]}
    assert rule_intents <= set(DOMAIN["intents"])
    assert not rule_intents & {
        "report_move",
        "make_appointment",
        "case_status",
        "report_public_space",
        "permit_check_dormer",
        "permit_check_tree",
    }
