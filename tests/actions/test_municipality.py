"""Tests for actions/municipality.py and the conversation's municipality (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import conversation as core
from actions import municipality
from actions.content import PROJECT_ROOT, clear_content_cache, get_content, merged_data
from foundation.domain import read_domain
from foundation.settings import get_settings

DOMAIN = read_domain()


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("MUNICIPALITY", raising=False)
    monkeypatch.delenv("CONTENT_DIR", raising=False)
    get_settings.cache_clear()
    clear_content_cache()
    yield
    get_settings.cache_clear()
    clear_content_cache()


def start_tracker(metadata: dict[str, Any] | None = None, slots: dict[str, Any] | None = None) -> Tracker:
    all_slots = dict(slots or {})
    if metadata is not None:
        all_slots["session_started_metadata"] = metadata
    return Tracker("t", all_slots, {}, [], False, None, {}, "action_listen")


async def session_start(tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await core.ActionSessionStart().run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages, events


def slot_value(events: list[Any], name: str) -> Any:
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == name)


# ---------------------------------------------------------------------------- deployment
def test_the_deployment_serves_three_municipalities_with_voorbeeldstad_as_default() -> None:
    deployment = municipality.get_deployment()
    assert deployment.default == "voorbeeldstad"
    assert set(deployment.names) >= {"voorbeeldstad", "proefdorp", "lindeoord"}
    assert deployment.for_whatsapp_number("000000000000001") == "proefdorp"
    assert deployment.for_whatsapp_number("999") is None


def test_municipality_setting_stays_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUNICIPALITY", "proefdorp")
    get_settings.cache_clear()
    clear_content_cache()
    assert municipality.resolve(None) == ("proefdorp", False)
    assert get_content().id == "proefdorp"


def test_a_number_mapped_twice_is_refused() -> None:
    data = {
        "municipalities": {"a": {"whatsapp_phone_number_ids": ["1"]}, "b": {"whatsapp_phone_number_ids": [1]}}
    }
    with pytest.raises(municipality.DeploymentError, match="mapped to a and b"):
        municipality.parse_deployment(data, "a")


def test_unknown_names_are_refused_and_absent_gives_the_default() -> None:
    assert municipality.resolve("lindeoord") == ("lindeoord", False)
    assert municipality.resolve("amsterdam") == ("voorbeeldstad", True)
    assert municipality.resolve(municipality.requested({})) == ("voorbeeldstad", False)
    assert municipality.requested({"municipality": " Proefdorp "}) == "proefdorp"
    assert municipality.requested({"municipality": 12}) is None


# ---------------------------------------------------------------------------- session start
async def test_session_start_stores_the_municipality_of_the_metadata_and_greets_for_it() -> None:
    messages, events = await session_start(start_tracker({"municipality": "proefdorp"}))
    assert events[0] == SessionStarted()
    assert slot_value(events, "municipality") == "proefdorp"
    assert slot_value(events, "municipality_phone") == get_content("proefdorp").contact["phone"]
    greet = next(m for m in messages if m["response"] == "utter_greet")
    assert greet["municipality_name"] == "gemeente Proefdorp"


async def test_session_start_without_metadata_is_the_default() -> None:
    messages, events = await session_start(start_tracker())
    assert slot_value(events, "municipality") == "voorbeeldstad"
    assert [m["response"] for m in messages] == ["utter_greet", "utter_privacy_short"]


async def test_an_unknown_municipality_is_refused_with_a_dutch_answer_and_the_default() -> None:
    messages, events = await session_start(start_tracker({"municipality": "atlantis"}))
    assert slot_value(events, "municipality") == "voorbeeldstad"
    assert messages[0]["response"] == "utter_municipality_unknown"
    assert messages[0]["municipality_name"] == "gemeente Voorbeeldstad"
    assert "utter_municipality_unknown" in DOMAIN["responses"]


async def test_a_later_session_keeps_the_municipality_whatever_its_metadata_says() -> None:
    tracker = start_tracker({"municipality": "lindeoord"}, slots={"municipality": "proefdorp"})
    _, events = await session_start(tracker)
    assert SlotSet("municipality", "proefdorp") in events


def test_the_slot_cannot_be_filled_by_entities_or_typed_intents() -> None:
    slot = DOMAIN["slots"]["municipality"]
    assert slot["mappings"] == [{"type": "custom"}]
    assert slot["influence_conversation"] is False
    assert "municipality" not in (DOMAIN.get("entities") or [])


# ---------------------------------------------------------------------------- the action server
def webhook_body(action: str, slots: dict[str, Any]) -> dict[str, Any]:
    return {
        "next_action": action,
        "sender_id": "t",
        "tracker": {
            "sender_id": "t",
            "slots": slots,
            "latest_message": {"text": "medewerker", "intent": {"name": "request_human"}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": DOMAIN,
        "version": "3.6.0",
    }


@pytest.mark.parametrize("name", ["voorbeeldstad", "proefdorp", "lindeoord"])
async def test_the_action_server_answers_with_the_conversations_municipality(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx
    from sanic import Sanic

    from app.action_server import create_app

    monkeypatch.setattr(Sanic, "test_mode", True)  # one rasa_sdk app per test
    app = create_app(token="t" * 32)
    await app._startup()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as http:
        resp = await http.post(
            "/webhook",
            content=json.dumps(webhook_body("action_request_human", {"municipality": name})),
            headers={"X-Action-Token": "t" * 32, "Content-Type": "application/json"},
        )
    assert resp.status_code == 200, resp.text
    message = resp.json()["responses"][0]
    assert message["response"] == "utter_request_human"
    assert message["phone"] == get_content(name).contact["phone"]
    assert municipality.current() == "voorbeeldstad"  # nothing leaks out of the request


# ---------------------------------------------------------------------------- a fourth one
def test_a_fourth_municipality_is_a_content_file_and_a_channel_mapping(tmp_path: Path) -> None:
    """Copy the content directory, add one content file and one mapping entry: served."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    sparse = yaml.safe_load((PROJECT_ROOT / "content" / "lindeoord.yml").read_text(encoding="utf-8"))
    sparse["municipality"] = {
        "id": "heidebeek",
        "name": "gemeente Heidebeek",
        "official_name": "Gemeente Heidebeek",
    }
    sparse["products"]["paspoort"]["costs"] = "€ 81,00 (18 jaar en ouder) of € 63,00 (jonger dan 18 jaar)"
    sparse["backends"]["zgw_rsin"] = "002220039"  # its own identifier on the shared backends
    sparse["retention"] = {"conversation_days": 21}
    (content / "heidebeek.yml").write_text(yaml.safe_dump(sparse, allow_unicode=True), encoding="utf-8")
    with open(content / "municipalities.yml", "a", encoding="utf-8") as handle:
        handle.write('  heidebeek:\n    whatsapp_phone_number_ids: ["000000000000003"]\n')
    import os

    old = os.environ.get("CONTENT_DIR")
    os.environ["CONTENT_DIR"] = str(content)
    try:
        get_settings.cache_clear()
        clear_content_cache()
        assert municipality.get_deployment().for_whatsapp_number("000000000000003") == "heidebeek"
        assert municipality.resolve("heidebeek") == ("heidebeek", False)
        with municipality.use("heidebeek"):
            assert get_content().product("paspoort").costs.startswith("€ 81,00")
            # the national base still gives what the file leaves out
            assert (
                get_content().product("aow").link
                == merged_data(content / "proefdorp.yml")["products"]["aow"]["link"]
            )
            # issue 18: its backends' identifier, retention and signal rules come from the file too
            own = municipality.settings_for()
            assert (own.zgw_rsin, own.retention_days) == ("002220039", 21)
            from signals.rules import rules_for

            assert rules_for("heidebeek").get("vervolgopleiding").enabled is False  # as in Lindeoord
    finally:
        if old is None:
            os.environ.pop("CONTENT_DIR", None)
        else:
            os.environ["CONTENT_DIR"] = old


# ---------------------------------------------------------------------------- backends
def test_each_municipality_uses_its_own_identifier_on_the_shared_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from integrations.zaken import ZakenClient

    assert municipality.settings_for("voorbeeldstad").zgw_rsin == get_settings().zgw_rsin
    assert municipality.settings_for("proefdorp").zgw_rsin != get_settings().zgw_rsin
    assert municipality.settings_for("proefdorp").zaken_api_url == get_settings().zaken_api_url  # shared
    with municipality.use("lindeoord"):
        client = ZakenClient.from_settings()
    assert client.rsin == get_content("lindeoord").data["backends"]["zgw_rsin"]


def test_a_municipalitys_credentials_come_from_its_own_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROEFDORP_KLANTINTERACTIES_TOKEN", "token-van-proefdorp")
    assert municipality.settings_for("proefdorp").klantinteracties_token == "token-van-proefdorp"
    assert (
        municipality.settings_for("lindeoord").klantinteracties_token == get_settings().klantinteracties_token
    )
