"""Content defects of issue 15: AOW, signals offered, bookable appointments, social depth, placeholders.

Each test drives the action (or reads the content/domain) the way a resident meets it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions import answers
from actions.appointment_parsing import PRODUCT_WORDS
from actions.content import PROJECT_ROOT, clear_content_cache, get_content, merged_data
from foundation.domain import read_domain
from foundation.settings import get_settings

DOMAIN = read_domain()
RESPONSES: dict[str, list[dict[str, Any]]] = DOMAIN["responses"]
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


def render(sent: dict[str, Any]) -> str:
    """The text a resident sees for one dispatched message (first variant, values filled in)."""
    if sent.get("response"):
        text = RESPONSES[sent["response"]][0]["text"]
        return PLACEHOLDER.sub(lambda m: str(sent.get(m[1], m[0])), text)
    return str(sent.get("text") or "")


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [render(m) for m in dispatcher.messages]


def payloads(dispatcher: CollectingDispatcher) -> list[str]:
    found = []
    for sent in dispatcher.messages:
        buttons = sent.get("buttons") or []
        if sent.get("response") and not buttons:
            buttons = RESPONSES[sent["response"]][0].get("buttons") or []
        found += [b["payload"] for b in buttons]
    return found


async def answer(make_tracker, intent: str, text: str = "...", slots: dict | None = None, **kw):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent=intent, text=text, slots=slots or {}, **kw)
    events = await answers.ActionAnswerTopic().run(dispatcher, tracker, DOMAIN)
    return dispatcher, events


# ------------------------------------------------------------------ AOW
async def test_aow_answer_says_the_svb_letter_comes_about_4_months_before(make_tracker) -> None:
    dispatcher, _ = await answer(make_tracker, "aow_pension", "hoe vraag ik aow aan")
    said = " ".join(texts(dispatcher))
    assert "4 maanden" in said
    # 6 months is only for residents abroad; never as the general rule
    for sentence in re.split(r"(?<=[.?!])\s+", said):
        if "6 maanden" in sentence:
            assert "buitenland" in sentence


async def test_aow_answer_gives_the_aow_age(make_tracker) -> None:
    from actions.aow import ActionAowAnswer

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="aow_pension", text="wanneer krijg ik aow")
    await ActionAowAnswer().run(dispatcher, tracker, DOMAIN)
    assert "/subscribe_signals" in payloads(dispatcher)
    said = " ".join(texts(dispatcher))
    assert "67 jaar" in said and "67 jaar en 3 maanden" in said


async def test_born_in_1961_gets_the_aow_date(make_tracker) -> None:
    from actions.aow import ActionAowAnswer

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="aow_pension", text="Ik ben van 1961, wanneer krijg ik AOW?")
    await ActionAowAnswer().run(dispatcher, tracker, DOMAIN)
    said = " ".join(texts(dispatcher))
    assert "67 jaar en 3 maanden" in said
    assert "1 april 2028" in said and "31 maart 2029" in said


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ik ben geboren op 15 maart 1961, wanneer aow", "15 juni 2028"),
        ("geboren 30-11-1961 wanneer krijg ik aow", "28 februari 2029"),
        ("ik ben van 12 mei 1958 wanneer aow", "12 mei 2025"),
    ],
)
async def test_a_birth_date_gets_the_exact_aow_day(make_tracker, text: str, expected: str) -> None:
    from actions.aow import ActionAowAnswer

    dispatcher = CollectingDispatcher()
    await ActionAowAnswer().run(dispatcher, make_tracker(intent="aow_pension", text=text), DOMAIN)
    assert expected in " ".join(texts(dispatcher))


async def test_born_too_late_for_the_law_hears_it_is_not_fixed_yet(make_tracker) -> None:
    from actions.aow import ActionAowAnswer

    dispatcher = CollectingDispatcher()
    await ActionAowAnswer().run(dispatcher, make_tracker(intent="aow_pension", text="ik ben van 1970"), DOMAIN)  # noqa: E501
    said = " ".join(texts(dispatcher))
    assert "nog niet" in said and "2037" not in said


async def test_the_aow_date_comes_from_the_signal_table(make_tracker, monkeypatch) -> None:
    """One table: changing the signal's AOW table changes the chat's answer."""
    from actions import aow
    from signals.rules import AgeSpec, AowRow

    table = (AowRow(date(1961, 1, 1), date(1961, 12, 31), AgeSpec(68, 0)),)
    monkeypatch.setattr(aow, "aow_table", lambda: table)
    dispatcher = CollectingDispatcher()
    await aow.ActionAowAnswer().run(dispatcher, make_tracker(intent="aow_pension", text="ik ben van 1961"), DOMAIN)  # noqa: E501
    assert "68 jaar" in " ".join(texts(dispatcher))


async def test_a_year_that_is_not_a_birth_year_gets_the_general_answer(make_tracker) -> None:
    from actions.aow import ActionAowAnswer

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent="aow_pension", text="ik word 67 in 2028, wat moet ik doen")
    await ActionAowAnswer().run(dispatcher, tracker, DOMAIN)
    sent = [m["response"] for m in dispatcher.messages]
    assert "utter_aow_ages" in sent and "utter_aow_date_not_fixed" not in sent


def test_the_aow_action_reads_the_table_of_the_signal_rule() -> None:
    from actions.aow import aow_table
    from signals.rules import load_rules

    rule = next(r for r in load_rules().rules if r.kind == "aow_age")
    assert aow_table() == rule.aow_table


# ------------------------------------------------------------------ signals offered
@pytest.mark.parametrize(
    ("intent", "hint"),
    [("aow_pension", None), ("passport_id_card", "paspoort"), ("passport_id_card", "id-kaart"),
     ("further_education", None)],
)
async def test_signal_topics_offer_the_signals(make_tracker, intent: str, hint: str | None) -> None:
    entities = [("product", hint)] if hint else None
    dispatcher, _ = await answer(make_tracker, intent, entities=entities)
    assert "/subscribe_signals" in payloads(dispatcher)


async def test_other_topics_do_not_offer_signals(make_tracker) -> None:
    dispatcher, _ = await answer(make_tracker, "waste_collection")
    assert "/subscribe_signals" not in payloads(dispatcher)


def test_capabilities_mention_the_signals() -> None:
    text = RESPONSES["utter_capabilities"][0]["text"]
    assert re.search(r"bericht\w*[^\n]*(aow|paspoort|verloopt)", text.lower()), text


def signals_explain_texts() -> list[str]:
    return [v["text"] for name, vs in RESPONSES.items() if name.startswith("utter_signals_explain") for v in vs]  # noqa: E501


def test_consent_text_does_not_promise_this_chat_and_says_where_messages_arrive() -> None:
    joined = " ".join(signals_explain_texts())
    assert "hier in deze chat" not in joined
    assert "in deze chat" not in RESPONSES["utter_signals_subscribed"][0]["text"]
    assert "website" in joined and "DigiD" in joined


def test_study_signal_sent_after_15_january_speaks_of_that_deadline_as_past() -> None:
    rules = yaml.safe_load((PROJECT_ROOT / "signals/rules.yml").read_text(encoding="utf-8"))
    rule = next(r for r in rules["rules"] if r["applies_to"]["kind"] == "school_leaver")
    assert rule["when"]["from"] > "01-15"
    text = RESPONSES[rule["message"]][0]["text"]
    sentence = next(s for s in re.split(r"(?<=[.?!])\s+", text) if "15 januari" in s)
    assert not re.search(r"\bsluit\b", sentence), sentence
    assert re.search(r"\b(was|is|zijn)\b.*\bgesloten\b|\bsloot\b", sentence), sentence


# ------------------------------------------------------------------ appointments offered
@pytest.mark.parametrize("intent", ["birth_registration", "marriage"])
async def test_birth_and_marriage_do_not_offer_a_chat_appointment(make_tracker, intent: str) -> None:
    dispatcher, _ = await answer(make_tracker, intent)
    assert "/make_appointment" not in payloads(dispatcher)
    said = " ".join(texts(dispatcher))
    assert "hier in de chat" not in said
    assert get_content().contact["phone"] in said


@pytest.mark.parametrize("municipality", ["voorbeeldstad", "proefdorp"])
def test_every_product_offered_for_a_chat_appointment_can_be_booked(municipality: str) -> None:
    content = get_content(municipality)
    for product in content.products.values():
        if product.appointment_needed and product.appointment_in_chat:
            assert PRODUCT_WORDS.get(product.key, product.key) in set(PRODUCT_WORDS.values()), product.key
    for sentence in re.split(r"(?<=[.?!])\s+", content.product("afspraak").explanation):
        if "hier in de chat" in sentence:
            assert not re.search(r"trouw|huwelijk|geboorte", sentence), sentence


# ------------------------------------------------------------------ social domain depth
#: (intent of the public contract, what the resident writes) -> (must be said, product answered).
#: Several products share a contract intent; the message's words pick the deeper one.
SOCIAL_TOPICS = {
    ("cultural_activities", "welke voorstellingen zijn er deze maand"): ("uitagenda", "uitagenda"),
    ("cultural_activities", "kan mijn zoon op muziekles met weinig inkomen"): ("Meedoenpas", None),
    ("community_initiative", "wij willen een buurtfeest, krijgen we geld"): ("subsidie", "buurtinitiatief"),
    ("neighbour_mediation", "ik wil vrijwilligerswerk doen"): ("vrijwillig", "vrijwilligerswerk"),
    ("meeting_places", "waar kan ik mensen ontmoeten"): ("ontmoet", "ontmoeten"),
    ("loneliness", "ik voel me zo alleen"): ("eenzaam", "eenzaamheid"),
    ("wmo_support", "welke hulp is er voor ouderen thuis"): ("cliëntondersteun", "ouderenzorg"),
    ("informal_care", "kan iemand de zorg voor mijn moeder even overnemen"): ("respijt", "respijtzorg"),
    ("informal_care", "wat is mantelzorgwaardering"): ("mantelzorg", None),
    ("wmo_support", "mijn moeder moet naar een verpleeghuis"): ("Wlz", "wlz"),
    ("wmo_support", "wie helpt met de was en het schoonmaken"): ("huishoud", None),
}


@pytest.mark.parametrize(("intent", "text"), sorted(SOCIAL_TOPICS))
async def test_social_topics_have_their_own_content(make_tracker, intent: str, text: str) -> None:
    must, product_key = SOCIAL_TOPICS[(intent, text)]
    dispatcher, events = await answer(make_tracker, intent, text)
    said = " ".join(texts(dispatcher))
    assert must.lower() in said.lower(), said
    assert "Buurtbemiddeling" not in texts(dispatcher)[0]
    topic = next(e["value"] for e in events if e.get("name") == "current_topic")
    assert get_content().product(topic).intent == intent
    if product_key is not None:
        assert topic == product_key
    else:
        assert topic == get_content().products_for_intent(intent)[0].key


async def test_whats_on_is_not_the_income_tested_pass(make_tracker) -> None:
    dispatcher, _ = await answer(
        make_tracker, "cultural_activities", "welke voorstellingen zijn er deze maand"
    )
    first = texts(dispatcher)[0]
    assert "laag inkomen" not in first


async def test_the_same_question_again_gets_more_depth_then_a_human(make_tracker) -> None:
    first, events = await answer(make_tracker, "loneliness", "ik voel me zo alleen")
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    second, events = await answer(make_tracker, "loneliness", "ik voel me echt alleen", slots=slots)
    assert texts(second) != texts(first)
    assert not set(texts(second)) & set(texts(first))
    slots = {**slots, **{e["name"]: e["value"] for e in events if e.get("event") == "slot"}}
    for _ in range(5):
        later, events = await answer(make_tracker, "loneliness", "alleen", slots=slots)
        slots = {**slots, **{e["name"]: e["value"] for e in events if e.get("event") == "slot"}}
    assert "/request_human" in payloads(later)
    assert not set(texts(later)) & set(texts(first))


# ------------------------------------------------------------------ placeholders
async def test_tree_verdict_source_is_not_a_placeholder() -> None:
    for municipality in ("voorbeeldstad", "proefdorp"):
        content = get_content(municipality)
        assert "fictief" not in content.tree_ordinance["source"].lower()
        assert "fictief" not in content.dormer["source"].lower()


@pytest.mark.parametrize("municipality", ["voorbeeldstad", "proefdorp"])
def test_first_message_privacy_url_is_not_localhost(municipality: str) -> None:
    url = get_content(municipality).template_values()["privacy_url"]
    assert "localhost" not in url and "127.0.0.1" not in url


def write_content(tmp_path: Path, **changes: Any) -> Path:
    data = merged_data(PROJECT_ROOT / "content/proefdorp.yml")
    for dotted, value in changes.items():
        target = data
        *parents, last = dotted.split(".")
        for key in parents:
            target = target[key]
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    (tmp_path / "proefdorp.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "schema.json").write_text((PROJECT_ROOT / "content/schema.json").read_text())
    return tmp_path


def placeholder_problems(directory: Path) -> list[str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("validate_content", PROJECT_ROOT / "scripts/validate_content.py")  # noqa: E501
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.validate_dir(directory)


def test_validator_accepts_the_test_profile_content() -> None:
    assert placeholder_problems(PROJECT_ROOT / "content") == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact.privacy_url", "http://localhost:8000/privacy.html"),
        ("contact.website", "https://www.proefdorp.example"),
        ("tree_ordinance.source", "Bomenverordening 2024 (fictief voorbeeld)"),
    ],
)
def test_validator_rejects_placeholders_outside_the_test_profile(tmp_path: Path, field: str, value: str) -> None:  # noqa: E501
    clean = {
        "profile": None,
        "contact.privacy_url": "https://www.proefdorp.nl/privacy",
        "contact.website": "https://www.proefdorp.nl",
    }
    directory = write_content(tmp_path, **{**clean, field: value})
    problems = placeholder_problems(directory)
    assert any(field in p for p in problems), problems


def test_test_profile_is_explicit(tmp_path: Path) -> None:
    directory = write_content(tmp_path, profile="test")
    assert placeholder_problems(directory) == []
