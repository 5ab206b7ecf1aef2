"""Tests of the WhatsApp channel (channels/whatsapp*.py) against a fake Graph API on loopback."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from rasa.core.run import _create_single_channel

from channels import whatsapp_store
from channels.whatsapp import WhatsAppInput
from channels.whatsapp_ids import conversation_id
from channels.whatsapp_output import MAX_TEXT, WhatsAppOutput, split_text
from foundation import db
from foundation.settings import get_settings
from tests.channels.conftest import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeGraph,
    sign,
)

REPO = Path(__file__).resolve().parents[2]
WA_ID = "31612345678"
TIMESTAMP = 1717236000  # 2024-06-01 10:00 UTC


def notification(*messages: dict[str, Any], statuses: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A webhook notification as Meta sends it."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "3185000000", "phone_number_id": PHONE_NUMBER_ID},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "Test"}, "wa_id": WA_ID}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA_ID", "changes": [{"field": "messages", "value": value}]}],
    }


def message(kind: str, wamid: str = "wamid.IN1", **content: Any) -> dict[str, Any]:
    """One inbound message of type ``kind``."""
    return {"from": WA_ID, "id": wamid, "timestamp": str(TIMESTAMP), "type": kind, **content}


def text(body: str, wamid: str = "wamid.IN1") -> dict[str, Any]:
    return message("text", wamid, text={"body": body})


def row_counts() -> dict[str, int]:
    with db.get_engine().connect() as conn:
        return {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (whatsapp_store.seen_messages, whatsapp_store.contacts)
        }


# ----- verification -----


async def test_verification_returns_the_challenge(start_webhook: Any) -> None:
    hook = await start_webhook()
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    result = await hook.client.get(hook.url, params=params)
    assert result.status_code == 200
    assert result.text == "1158201444"
    assert result.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
async def test_verification_refused(start_webhook: Any, params: dict[str, str]) -> None:
    hook = await start_webhook()
    result = await hook.client.get(hook.url, params=params)
    assert result.status_code == 403
    assert "1" not in result.text


# ----- signature -----


async def test_signed_notification_is_processed(start_webhook: Any, fake_graph: FakeGraph) -> None:
    hook = await start_webhook()
    result = await hook.post_and_wait(notification(text("Hallo")))
    assert result.status_code == 200
    [received] = hook.agent.messages
    assert received.text == "Hallo"
    assert received.sender_id == conversation_id(WA_ID)  # a pseudonym, never the number (issue 13)
    assert received.input_channel == "whatsapp"
    assert received.message_id == "wamid.IN1"
    assert received.metadata == {"channel": "whatsapp", "message_id": "wamid.IN1"}
    [sent] = fake_graph.requests
    assert sent["path"] == f"/v19.0/{PHONE_NUMBER_ID}/messages"
    assert sent["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert sent["json"]["messaging_product"] == "whatsapp"
    assert sent["json"]["to"] == WA_ID
    assert sent["json"]["text"]["body"] == "echo: Hallo"
    assert whatsapp_store.last_inbound_at(WA_ID) == datetime.fromtimestamp(TIMESTAMP, tz=timezone.utc)


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("missing", 401),
        ("zeros", 403),
        ("other-body", 403),
        ("wrong-secret", 403),
        ("sha1", 403),
        ("non-ascii", 403),
    ],
)
async def test_bad_signature_touches_nothing(
    start_webhook: Any, fake_graph: FakeGraph, case: str, status: int
) -> None:
    hook = await start_webhook()
    body = json.dumps(notification(text("Hallo"))).encode()
    signature = {
        "missing": None,
        "zeros": "sha256=" + "0" * 64,
        "other-body": sign(body + b" "),
        "wrong-secret": sign(body, secret="wrong-secret"),
        "sha1": "sha1=" + sign(body)[len("sha256=") :],
        "non-ascii": "sha256=\u00e9\u00e9",
    }[case]
    result = await hook.post_and_wait(body, signature=signature)
    assert result.status_code == status
    assert hook.agent.messages == []
    assert fake_graph.requests == []
    assert row_counts() == {"whatsapp_seen_messages": 0, "whatsapp_contacts": 0}
    assert (await hook.post_and_wait(body)).status_code == 200  # the same body, signed right, passes
    assert len(hook.agent.messages) == 1


async def test_signature_over_raw_body_not_reserialised_json(start_webhook: Any) -> None:
    """The HMAC covers the exact bytes: the same JSON with other whitespace must be refused."""
    hook = await start_webhook()
    compact = b'{"object":"whatsapp_business_account","entry":[]}'
    spaced = b'{"object": "whatsapp_business_account", "entry": []}'
    assert (await hook.post(spaced, signature=sign(compact))).status_code == 403
    assert (await hook.post(compact, signature=sign(compact))).status_code == 200


# ----- deduplication -----


async def test_redelivery_is_processed_once(start_webhook: Any, fake_graph: FakeGraph) -> None:
    hook = await start_webhook()
    body = notification(text("Paspoort aanvragen", wamid="wamid.DUP"))
    first = await hook.post_and_wait(body)
    second = await hook.post_and_wait(body)
    assert first.status_code == second.status_code == 200
    assert [m.text for m in hook.agent.messages] == ["Paspoort aanvragen"]
    assert len(fake_graph.requests) == 1


async def test_concurrent_redeliveries_are_processed_once(start_webhook: Any, fake_graph: FakeGraph) -> None:
    hook = await start_webhook()
    body = notification(text("Afval", wamid="wamid.RACE"))
    results = await asyncio.gather(*(hook.post(body) for _ in range(5)))
    await hook.channel.drain()
    assert {r.status_code for r in results} == {200}
    assert len(hook.agent.messages) == 1
    assert len(fake_graph.requests) == 1


async def test_redelivery_after_restart_is_processed_once(
    start_webhook: Any, make_channel: Any, fake_graph: FakeGraph
) -> None:
    body = notification(text("Verhuizen", wamid="wamid.RESTART"))
    first = await start_webhook()
    await first.post_and_wait(body)
    db.dispose_engines()  # as if the process stopped
    second = await start_webhook(make_channel())
    await second.post_and_wait(body)
    await second.post_and_wait(notification(text("Nieuw bericht", wamid="wamid.NEW")))
    assert [m.text for m in first.agent.messages] == ["Verhuizen"]
    assert [m.text for m in second.agent.messages] == ["Nieuw bericht"]


def test_claim_message_is_atomic() -> None:
    assert whatsapp_store.claim_message("wamid.X") is True
    assert whatsapp_store.claim_message("wamid.X") is False
    assert whatsapp_store.claim_message("wamid.Y") is True


def test_service_window_follows_the_last_message() -> None:
    now = datetime(2024, 6, 2, 9, 0, tzinfo=timezone.utc)
    assert whatsapp_store.in_service_window(WA_ID, now) is False
    whatsapp_store.touch_contact(WA_ID, now - timedelta(hours=30))
    assert whatsapp_store.in_service_window(WA_ID, now) is False
    whatsapp_store.touch_contact(WA_ID, now - timedelta(hours=2))
    assert whatsapp_store.in_service_window(WA_ID, now) is True
    whatsapp_store.touch_contact(WA_ID, now - timedelta(hours=40))  # a late redelivery keeps the newest
    assert whatsapp_store.last_inbound_at(WA_ID) == now - timedelta(hours=2)


# ----- inbound message types -----


@pytest.mark.parametrize(
    ("inbound", "expected"),
    [
        (
            message(
                "interactive",
                interactive={
                    "type": "button_reply",
                    "button_reply": {"id": "/request_human", "title": "Medewerker spreken"},
                },
            ),
            "/request_human",
        ),
        (
            message(
                "interactive",
                interactive={"type": "button_reply", "button_reply": {"id": "opt-2", "title": "Ja"}},
            ),
            "Ja",
        ),
        (
            message(
                "interactive",
                interactive={
                    "type": "list_reply",
                    "list_reply": {"id": "/report_move", "title": "Verhuizing"},
                },
            ),
            "/report_move",
        ),
        (
            message(
                "interactive",
                interactive={"type": "list_reply", "list_reply": {"id": "row-3", "title": "Grofvuil"}},
            ),
            "Grofvuil",
        ),
        (
            message("button", button={"payload": "/unsubscribe_signals", "text": "Stoppen"}),
            "/unsubscribe_signals",
        ),
    ],
)
async def test_replies_become_payload_or_title(
    start_webhook: Any, inbound: dict[str, Any], expected: str
) -> None:
    hook = await start_webhook()
    await hook.post_and_wait(notification(inbound))
    assert [m.text for m in hook.agent.messages] == [expected]


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("image", {"image": {"id": "1", "mime_type": "image/jpeg"}}),
        ("audio", {"audio": {"id": "2", "voice": True}}),
        ("video", {"video": {"id": "3"}}),
        ("document", {"document": {"id": "4", "filename": "brief.pdf"}}),
        ("sticker", {"sticker": {"id": "5"}}),
        ("location", {"location": {"latitude": 52.1, "longitude": 5.1}}),
    ],
)
async def test_media_becomes_unsupported_media_intent(
    start_webhook: Any, kind: str, content: dict[str, Any]
) -> None:
    hook = await start_webhook()
    await hook.post_and_wait(notification(message(kind, **content)))
    [received] = hook.agent.messages
    assert received.text == "/unsupported_media"
    assert received.sender_id == conversation_id(WA_ID)


async def test_statuses_and_reactions_are_ignored(start_webhook: Any, fake_graph: FakeGraph) -> None:
    hook = await start_webhook()
    statuses = [
        {"id": "wamid.OUT1", "status": "delivered", "timestamp": str(TIMESTAMP), "recipient_id": WA_ID},
        {"id": "wamid.OUT2", "status": "failed", "recipient_id": WA_ID, "errors": [{"code": 131047}]},
    ]
    result = await hook.post_and_wait(notification(statuses=statuses))
    reaction = message("reaction", reaction={"message_id": "wamid.OUT1", "emoji": "\U0001f44d"})
    await hook.post_and_wait(notification(reaction))
    assert result.status_code == 200
    assert hook.agent.messages == []
    assert fake_graph.requests == []


async def test_failing_message_does_not_stop_the_next(start_webhook: Any) -> None:
    hook = await start_webhook()
    hook.agent.fail_on = {"kapot"}
    await hook.post_and_wait(notification(text("kapot", "wamid.A"), text("heel", "wamid.B")))
    assert [m.text for m in hook.agent.messages] == ["kapot", "heel"]


async def test_other_phone_number_and_objects_are_ignored(start_webhook: Any) -> None:
    hook = await start_webhook()
    body = notification(text("Hallo"))
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    await hook.post_and_wait(body)
    await hook.post_and_wait({"object": "page", "entry": []})
    assert (await hook.post_and_wait(b"not json")).status_code == 400
    assert hook.agent.messages == []


# ----- outgoing -----


async def test_text_is_split_under_the_limit(make_api: Any, fake_graph: FakeGraph) -> None:
    paragraphs = [f"Alinea {i}. " + "Dit is een zin over de gemeente. " * 40 for i in range(8)]
    long_text = "\n\n".join(p.strip() for p in paragraphs)
    assert len(long_text) > 2 * MAX_TEXT
    await WhatsAppOutput(make_api()).send_text_message(f"wa:{WA_ID}", long_text)
    parts = [body["text"]["body"] for body in fake_graph.bodies()]
    assert len(parts) >= 3
    assert all(len(part) <= MAX_TEXT for part in parts)
    assert all(part.startswith("Alinea") and part.endswith(".") for part in parts)  # paragraph cuts
    assert "\n\n".join(parts) == long_text
    assert {body["to"] for body in fake_graph.bodies()} == {WA_ID}


def test_split_text_falls_back_to_sentences_and_words() -> None:
    sentences = "Een korte zin. " * 400
    parts = split_text(sentences, 1000)
    assert all(len(p) <= 1000 and p.endswith(".") for p in parts)
    assert " ".join(parts) == sentences.strip()
    word = "x" * 2500
    assert [len(p) for p in split_text(word, 1000)] == [1000, 1000, 500]
    assert split_text("   ") == []


async def test_up_to_three_short_buttons_are_reply_buttons(make_api: Any, fake_graph: FakeGraph) -> None:
    buttons = [
        {"title": "Medewerker spreken", "payload": "/request_human"},
        {"title": "Wat kun je?", "payload": "/ask_capabilities"},
    ]
    await WhatsAppOutput(make_api()).send_text_with_buttons(f"wa:{WA_ID}", "Kan ik helpen?", buttons)
    [body] = fake_graph.bodies()
    assert body["type"] == "interactive"
    assert body["interactive"]["type"] == "button"
    assert body["interactive"]["body"] == {"text": "Kan ik helpen?"}
    assert body["interactive"]["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "/request_human", "title": "Medewerker spreken"}},
        {"type": "reply", "reply": {"id": "/ask_capabilities", "title": "Wat kun je?"}},
    ]


async def test_more_buttons_become_a_list(make_api: Any, fake_graph: FakeGraph) -> None:
    buttons = [{"title": f"Onderwerp {i}", "payload": f"/topic_{i}"} for i in range(5)]
    output = WhatsAppOutput(make_api(), list_button_label="Kies")
    await output.send_text_with_buttons(f"wa:{WA_ID}", "Waarover gaat het?", buttons)
    await output.send_text_with_buttons(
        f"wa:{WA_ID}", "Of:", buttons[:2], metadata={"whatsapp_list_button": "Kies een onderwerp"}
    )
    first, second = fake_graph.bodies()
    assert first["interactive"]["type"] == "list"
    assert first["interactive"]["action"]["button"] == "Kies"
    rows = first["interactive"]["action"]["sections"][0]["rows"]
    assert rows == [{"id": f"/topic_{i}", "title": f"Onderwerp {i}"} for i in range(5)]
    assert second["interactive"]["type"] == "button"  # two short buttons still fit reply buttons


async def test_title_too_long_for_a_button_uses_a_list(make_api: Any, fake_graph: FakeGraph) -> None:
    buttons = [{"title": "Paspoort of ID-kaart aan", "payload": "/passport_id_card"}]  # 24 characters
    await WhatsAppOutput(make_api()).send_text_with_buttons(
        f"wa:{WA_ID}", "Kies:", buttons, metadata={"whatsapp_list_button": "Kies een onderwerp"}
    )
    [body] = fake_graph.bodies()
    assert body["interactive"]["type"] == "list"
    assert body["interactive"]["action"]["button"] == "Kies een onderwerp"


async def test_too_many_or_too_long_options_become_numbered_text(
    make_api: Any, fake_graph: FakeGraph
) -> None:
    many = [{"title": f"Optie {i}", "payload": f"/o{i}"} for i in range(1, 12)]
    long = [{"title": "Een titel die veel te lang is voor een lijst", "payload": "/x"}]
    output = WhatsAppOutput(make_api())
    await output.send_text_with_buttons(f"wa:{WA_ID}", "Kies een nummer.", many)
    await output.send_text_with_buttons(f"wa:{WA_ID}", "Kies.", long)
    first, second = fake_graph.bodies()
    assert first["type"] == "text"
    assert first["text"]["body"].startswith("Kies een nummer.\n\n1. Optie 1\n2. Optie 2\n")
    assert first["text"]["body"].endswith("11. Optie 11")
    assert second["text"]["body"] == "Kies.\n\n1. Een titel die veel te lang is voor een lijst"


async def test_number_answers_a_numbered_question(
    start_webhook: Any, make_api: Any, fake_graph: FakeGraph
) -> None:
    hook = await start_webhook()
    many = [{"title": f"Optie {i}", "payload": f"/o{i}"} for i in range(1, 12)]
    many.append({"title": "Een antwoord zonder intent-payload", "payload": "vrije tekst"})
    await WhatsAppOutput(make_api()).send_text_with_buttons(conversation_id(WA_ID), "Kies een nummer.", many)
    await hook.post_and_wait(notification(text(" 11. ", wamid="wamid.A")))
    await WhatsAppOutput(make_api()).send_text_with_buttons(conversation_id(WA_ID), "Kies een nummer.", many)
    await hook.post_and_wait(notification(text("12", wamid="wamid.B")))
    assert [m.text for m in hook.agent.messages] == ["/o11", "Een antwoord zonder intent-payload"]


async def test_numbered_options_hold_for_the_next_message_only(
    start_webhook: Any, make_api: Any, fake_graph: FakeGraph
) -> None:
    hook = await start_webhook()
    many = [{"title": f"Optie {i}", "payload": f"/o{i}"} for i in range(1, 12)]
    await WhatsAppOutput(make_api()).send_text_with_buttons(conversation_id(WA_ID), "Kies een nummer.", many)
    await hook.post_and_wait(notification(text("Ik wil iets anders", wamid="wamid.A")))
    await hook.post_and_wait(notification(text("2", wamid="wamid.B")))  # e.g. "how many trees?"
    assert [m.text for m in hook.agent.messages] == ["Ik wil iets anders", "2"]


async def test_number_outside_the_options_or_after_buttons_stays_text(
    start_webhook: Any, make_api: Any, fake_graph: FakeGraph
) -> None:
    hook = await start_webhook()
    output = WhatsAppOutput(make_api())
    many = [{"title": f"Optie {i}", "payload": f"/o{i}"} for i in range(1, 12)]
    await output.send_text_with_buttons(conversation_id(WA_ID), "Kies een nummer.", many)
    await hook.post_and_wait(notification(text("12", wamid="wamid.A")))
    await output.send_text_with_buttons(conversation_id(WA_ID), "Kies een nummer.", many)
    yes = [{"title": "Ja", "payload": "/affirm"}]
    await output.send_text_with_buttons(conversation_id(WA_ID), "Ja of nee?", yes)
    await hook.post_and_wait(notification(text("1", wamid="wamid.B")))
    assert [m.text for m in hook.agent.messages] == ["12", "1"]


async def test_numbered_options_expire_with_the_service_window() -> None:
    offered = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    whatsapp_store.remember_choices(WA_ID, ["/a", "/b"], now=offered)
    assert whatsapp_store.take_choices(WA_ID, now=offered + timedelta(hours=25)) == []
    whatsapp_store.remember_choices(WA_ID, ["/a", "/b"], now=offered)
    assert whatsapp_store.take_choices(WA_ID, now=offered + timedelta(hours=1)) == ["/a", "/b"]
    assert whatsapp_store.take_choices(WA_ID, now=offered + timedelta(hours=1)) == []


async def test_long_text_with_buttons_sends_leading_text_first(make_api: Any, fake_graph: FakeGraph) -> None:
    intro = "Uitleg over de regels. " * 80  # > 1024 characters, the limit of a button body
    buttons = [{"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}]
    await WhatsAppOutput(make_api()).send_text_with_buttons(f"wa:{WA_ID}", intro, buttons)
    bodies = fake_graph.bodies()
    assert [b["type"] for b in bodies[:-1]] == ["text"] * (len(bodies) - 1)
    assert bodies[-1]["type"] == "interactive"
    assert len(bodies[-1]["interactive"]["body"]["text"]) <= 1024


async def test_images_attachments_and_custom_json(make_api: Any, fake_graph: FakeGraph) -> None:
    output = WhatsAppOutput(make_api())
    await output.send_response(f"wa:{WA_ID}", {"text": "Kijk hier", "image": "https://example.org/kaart.png"})
    await output.send_attachment(f"wa:{WA_ID}", {"payload": {"src": "https://example.org/folder.pdf"}})
    custom = {"type": "location", "location": {"latitude": 52.09, "longitude": 5.12, "name": "Stadhuis"}}
    await output.send_custom_json(f"wa:{WA_ID}", custom)
    await output.send_custom_json(f"wa:{WA_ID}", {"webchat_only": True})  # skipped
    bodies = fake_graph.bodies()
    assert [b["type"] for b in bodies] == ["text", "text", "text", "location"]
    assert bodies[1]["text"] == {"body": "https://example.org/kaart.png", "preview_url": True}
    assert bodies[2]["text"]["body"] == "https://example.org/folder.pdf"
    assert bodies[3]["location"]["name"] == "Stadhuis"
    assert bodies[3]["messaging_product"] == "whatsapp"


async def test_template_message_payload(make_api: Any, fake_graph: FakeGraph) -> None:
    components = [{"type": "body", "parameters": [{"type": "text", "text": "dinsdag 4 juni"}]}]
    answer = await WhatsAppOutput(make_api()).send_template(
        f"wa:{WA_ID}", "afval_herinnering", components=components
    )
    assert answer is not None and answer["messages"][0]["id"].startswith("wamid.")
    [body] = fake_graph.bodies()
    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "template",
        "template": {"name": "afval_herinnering", "language": {"code": "nl"}, "components": components},
    }


# ----- retries -----


async def test_send_retries_on_429_and_5xx_then_succeeds(
    make_api: Any, fake_graph: FakeGraph, sleeps: list
) -> None:
    fake_graph.fail(429, headers={"Retry-After": "7"})
    fake_graph.fail(503)
    answer = await make_api(max_attempts=4).send(WA_ID, {"type": "text", "text": {"body": "Hallo"}})
    assert answer is not None
    assert len(fake_graph.requests) == 3
    assert sleeps[0] == 7.0  # Retry-After honoured
    assert 0 < sleeps[1] <= 2 * 0.5  # backoff after the second attempt: base 0.5 doubled, with jitter


async def test_send_gives_up_after_max_attempts(make_api: Any, fake_graph: FakeGraph, sleeps: list) -> None:
    fake_graph.fail(500, times=10)
    answer = await make_api(max_attempts=3).send(WA_ID, {"type": "text", "text": {"body": "Hallo"}})
    assert answer is None
    assert len(fake_graph.requests) == 3
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5 <= sleeps[1] <= 1.0  # ceilings 0.5 s then 1 s, jitter in the upper half


async def test_send_does_not_retry_other_4xx(make_api: Any, fake_graph: FakeGraph, sleeps: list) -> None:
    fake_graph.fail(400)
    assert await make_api().send(WA_ID, {"type": "text", "text": {"body": "Hallo"}}) is None
    assert len(fake_graph.requests) == 1
    assert sleeps == []


async def test_send_gives_up_when_retry_after_is_too_long(
    make_api: Any, fake_graph: FakeGraph, sleeps: list
) -> None:
    fake_graph.fail(429, headers={"Retry-After": "3600"})
    assert await make_api().send(WA_ID, {"type": "text", "text": {"body": "Hallo"}}) is None
    assert len(fake_graph.requests) == 1
    assert sleeps == []


async def test_send_retries_connect_errors(make_api: Any, sleeps: list) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = make_api(max_attempts=3, graph_url=f"http://127.0.0.1:{port}/v19.0")
    assert await api.send(WA_ID, {"type": "text", "text": {"body": "Hallo"}}) is None
    assert len(sleeps) == 2
    await api.aclose()


async def test_failed_send_does_not_break_the_conversation(start_webhook: Any, fake_graph: FakeGraph) -> None:
    hook = await start_webhook()
    fake_graph.fail(500, times=100)
    await hook.post_and_wait(notification(text("Hallo", "wamid.F1")))
    await hook.post_and_wait(notification(text("Nog een keer", "wamid.F2")))
    assert [m.text for m in hook.agent.messages] == ["Hallo", "Nog een keer"]


# ----- configuration -----


def test_credentials_fall_back_to_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "env-verify")
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "env-secret")
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "env-access")
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", "123")
    monkeypatch.setenv("WHATSAPP_GRAPH_URL", "http://127.0.0.1:9/v19.0")
    get_settings.cache_clear()
    credentials = yaml.safe_load((REPO / "credentials.yml").read_text())["channels.whatsapp.WhatsAppInput"]
    channel = _create_single_channel("channels.whatsapp.WhatsAppInput", credentials)
    assert isinstance(channel, WhatsAppInput)
    assert channel.name() == "whatsapp"
    assert (channel.verify_token, channel.app_secret, channel.phone_number_id) == (
        "env-verify",
        "env-secret",
        "123",
    )
    assert channel.api.messages_url == "http://127.0.0.1:9/v19.0/123/messages"
    explicit = WhatsAppInput.from_credentials({"verify_token": "yml-verify", "app_secret": ""})
    assert explicit.verify_token == "yml-verify"
    assert explicit.app_secret == "env-secret"
    assert isinstance(WhatsAppInput.from_credentials(None).get_output_channel(), WhatsAppOutput)


def test_domain_has_the_unsupported_media_answer(domain_dict: dict) -> None:
    domain = domain_dict
    assert "unsupported_media" in domain["intents"]
    assert domain["responses"]["utter_unsupported_media"][0]["text"]
    rules = yaml.safe_load((REPO / "data/rules/channels.yml").read_text())["rules"]
    assert any(
        rule["steps"] == [{"intent": "unsupported_media"}, {"action": "utter_unsupported_media"}]
        for rule in rules
    )


def test_app_secret_is_required() -> None:
    channel = WhatsAppInput(VERIFY_TOKEN, "", ACCESS_TOKEN, PHONE_NUMBER_ID, "http://127.0.0.1:9")
    from channels.whatsapp import signature_valid

    assert signature_valid("", b"{}", sign(b"{}", "")) is False
    assert signature_valid(APP_SECRET, b"{}", sign(b"{}")) is True
    assert channel.app_secret == ""


def test_forget_me_deletes_the_channels_rows_of_that_resident() -> None:
    from privacy.forget import ForgetRequest, registered_hooks

    whatsapp_store.touch_contact(WA_ID)
    whatsapp_store.touch_contact("31699999999")
    whatsapp_store.remember_choices(f"wa:{WA_ID}", ["/a"])
    whatsapp_store.remember_choices("wa:31699999999", ["/b"])
    hook = registered_hooks()["whatsapp_contacts"]
    assert hook(ForgetRequest(sender_id="some-web-session")) == 0
    assert hook(ForgetRequest(sender_id=f"wa:{WA_ID}")) == 2  # a conversation from before pseudonyms
    assert whatsapp_store.last_inbound_at(WA_ID) is None
    assert whatsapp_store.take_choices(f"wa:{WA_ID}") == []
    assert whatsapp_store.take_choices("wa:31699999999") == ["/b"]
    assert whatsapp_store.last_inbound_at("31699999999") is not None


# ----- several municipalities on one deployment (issue 18) -----


async def test_a_mapped_number_brings_its_municipality_and_replies_from_that_number(
    start_webhook: Any, fake_graph: FakeGraph
) -> None:
    """content/municipalities.yml maps 000000000000001 to Proefdorp."""
    hook = await start_webhook()
    body = notification(text("Hallo"))
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "000000000000001"
    await hook.post_and_wait(body)
    [received] = hook.agent.messages
    assert received.metadata["municipality"] == "proefdorp"
    [sent] = fake_graph.requests
    assert sent["path"] == "/v19.0/000000000000001/messages"


async def test_the_channels_own_number_names_no_municipality(start_webhook: Any) -> None:
    hook = await start_webhook()
    await hook.post_and_wait(notification(text("Hallo")))
    [received] = hook.agent.messages
    assert "municipality" not in received.metadata  # the default municipality at session start


async def test_an_employees_answer_goes_out_from_the_number_the_resident_wrote_to(
    start_webhook: Any, fake_graph: FakeGraph
) -> None:
    """Rasa's trigger_intent (output_channel=latest) uses get_output_channel(): the resident's number."""
    hook = await start_webhook()
    body = notification(text("Hallo"))
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "000000000000002"
    await hook.post_and_wait(body)
    await hook.channel.get_output_channel().send_text_message(f"wa:{WA_ID}", "Antwoord van Lindeoord")
    assert fake_graph.requests[-1]["path"] == "/v19.0/000000000000002/messages"
    assert whatsapp_store.contact_number(WA_ID) == "000000000000002"
    # a resident who never wrote: the channel's own number
    await hook.channel.get_output_channel().send_text_message("wa:31600000000", "Hallo")
    assert fake_graph.requests[-1]["path"] == f"/v19.0/{PHONE_NUMBER_ID}/messages"


def _to_number(body: dict[str, Any], phone_number_id: str) -> dict[str, Any]:
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = phone_number_id
    return body


async def test_one_resident_writing_to_two_municipalities_has_two_conversations(
    start_webhook: Any, fake_graph: FakeGraph
) -> None:
    """The same phone number writes to Proefdorp's number and to Voorbeeldstad's (issue 18).

    Two conversations (two sender ids), each with its own municipality; each answer goes out from the
    number that received the message, also a later answer Rasa sends on its own (an employee's).
    """
    hook = await start_webhook()
    await hook.post_and_wait(_to_number(notification(text("Hallo", "wamid.P1")), "000000000000001"))
    await hook.post_and_wait(_to_number(notification(text("Hallo", "wamid.V1")), "000000000000000"))
    proefdorp, voorbeeldstad = hook.agent.messages
    assert proefdorp.sender_id != voorbeeldstad.sender_id
    assert proefdorp.metadata["municipality"] == "proefdorp"
    assert voorbeeldstad.metadata["municipality"] == "voorbeeldstad"
    assert [r["path"] for r in fake_graph.requests] == [
        "/v19.0/000000000000001/messages",
        "/v19.0/000000000000000/messages",
    ]
    assert all(r["json"]["to"] == WA_ID for r in fake_graph.requests)
    # each conversation keeps its id when the resident writes again
    await hook.post_and_wait(_to_number(notification(text("Nog een vraag", "wamid.P2")), "000000000000001"))
    assert hook.agent.messages[-1].sender_id == proefdorp.sender_id
    # later answers (an employee's, a signal) go out from the number of *that* conversation, even
    # though the resident last wrote to the other one
    await hook.post_and_wait(_to_number(notification(text("En nog iets", "wamid.V2")), "000000000000000"))
    output = hook.channel.get_output_channel()
    await output.send_text_message(proefdorp.sender_id, "Antwoord van een medewerker van Proefdorp")
    assert fake_graph.requests[-1]["path"] == "/v19.0/000000000000001/messages"
    await output.send_text_message(voorbeeldstad.sender_id, "Antwoord van Voorbeeldstad")
    assert fake_graph.requests[-1]["path"] == "/v19.0/000000000000000/messages"
    assert fake_graph.requests[-1]["json"]["to"] == WA_ID


def test_the_default_municipalitys_conversation_id_is_unchanged() -> None:
    """Conversations from before issue 18 (all of the default municipality) keep their ids."""
    assert conversation_id(WA_ID, municipality="voorbeeldstad") == conversation_id(WA_ID)
    assert conversation_id(WA_ID, municipality="proefdorp") != conversation_id(WA_ID)


async def test_numbered_options_belong_to_the_conversation_they_were_offered_in(
    start_webhook: Any, fake_graph: FakeGraph
) -> None:
    """Options offered in Proefdorp's conversation are not chosen by a "1" to Voorbeeldstad (issue 18)."""
    hook = await start_webhook()
    await hook.post_and_wait(_to_number(notification(text("Hallo", "wamid.P1")), "000000000000001"))
    await hook.post_and_wait(_to_number(notification(text("Hallo", "wamid.V1")), "000000000000000"))
    proefdorp, voorbeeldstad = hook.agent.messages
    many = [{"title": f"Optie {i}", "payload": f"/o{i}"} for i in range(1, 12)]
    output = hook.channel.get_output_channel()
    await output.send_text_with_buttons(proefdorp.sender_id, "Kies een nummer.", many)
    await hook.post_and_wait(_to_number(notification(text("1", "wamid.V2")), "000000000000000"))
    assert hook.agent.messages[-1].sender_id == voorbeeldstad.sender_id
    assert hook.agent.messages[-1].text == "1"  # plain text in the other conversation
    await hook.post_and_wait(_to_number(notification(text("1", "wamid.P2")), "000000000000001"))
    assert hook.agent.messages[-1].sender_id == proefdorp.sender_id
    assert hook.agent.messages[-1].text == "/o1"  # the option, in the conversation that offered it


def test_the_service_window_is_per_conversation_not_per_phone_number() -> None:
    """WhatsApp's 24-hour window is per resident and business number (issue 18)."""
    from channels import whatsapp_ids

    now = datetime(2026, 1, 2, 12, tzinfo=timezone.utc)
    proefdorp = whatsapp_ids.remember(WA_ID, now - timedelta(hours=1), municipality="proefdorp")
    voorbeeldstad = whatsapp_ids.remember(WA_ID, now - timedelta(hours=30), municipality="voorbeeldstad")
    whatsapp_store.touch_contact(WA_ID, now - timedelta(hours=1))
    assert whatsapp_store.conversation_in_service_window(proefdorp, now)
    assert not whatsapp_store.conversation_in_service_window(voorbeeldstad, now)
    assert not whatsapp_store.conversation_in_service_window("wa:unknown", now)
    assert whatsapp_store.conversation_in_service_window(f"wa:{WA_ID}", now)  # from before pseudonyms
