"""Personal numbers and special-category data never reach the tracker database (REST, WhatsApp)."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import time
import uuid

import httpx
import pytest

from channels.whatsapp_ids import conversation_id
from tests.integration.conftest import WHATSAPP_APP_SECRET, WHATSAPP_PHONE_NUMBER_ID, _FakeGraphApi

pytestmark = pytest.mark.model

# Valid by the 11-check / IBAN checksum, all fictional.
SECRETS = {
    "bsn": "999993653",
    "bsn_dotted": "1112.22.333",
    "iban": "NL91ABNA0417164300",
    "medication": "oxazepam",
    "condition": "depressie",
    "criminal": "strafblad",
}
MESSAGES = [
    f"mijn bsn is {SECRETS['bsn']}, kan ik een paspoort aanvragen?",
    f"maak het geld over naar {SECRETS['iban']} alstublieft",
    f"ik gebruik {SECRETS['medication']} vanwege mijn {SECRETS['condition']}, krijg ik hulp in huis?",
    f"ik heb een {SECRETS['criminal']}, mag ik wel trouwen?",
]


def stored_text(db_path: str) -> str:
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute("SELECT sender_id, data FROM events").fetchall()
    return "\n".join(f"{sender} {data}" for sender, data in rows)


def wait_for(predicate, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(1)
    raise AssertionError("condition not reached in time")


def check_nothing_stored(db_path: str) -> None:
    text = stored_text(db_path)
    for kind, secret in SECRETS.items():
        if kind == "bsn_dotted":
            continue
        assert secret not in text, f"{kind} was stored"


def test_rest_messages_are_masked_before_storage(assistant, say) -> None:
    sender = uuid.uuid4().hex
    replies = [say(message, sender) for message in MESSAGES]
    assert all(replies), "every message gets an answer"
    joined = json.dumps(replies, ensure_ascii=False)
    assert "medische" in joined or "gezondheid" in joined.lower(), "the privacy notice is given"
    check_nothing_stored(assistant["tracker_db"])
    assert "[BSN]" in stored_text(assistant["tracker_db"])


def whatsapp_payload(wa_id: str, text: str) -> bytes:
    message = {
        "from": wa_id,
        "id": f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": WHATSAPP_PHONE_NUMBER_ID},
                            "contacts": [{"wa_id": wa_id, "profile": {"name": "Test"}}],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(body).encode()


def test_whatsapp_messages_are_masked_before_storage(assistant) -> None:
    wa_id = "3161" + str(uuid.uuid4().int)[:7]
    url = f"{assistant['rasa']}/webhooks/whatsapp/webhook"
    for text in MESSAGES:
        body = whatsapp_payload(wa_id, text)
        signature = "sha256=" + hmac.new(WHATSAPP_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        response = httpx.post(
            url,
            content=body,
            timeout=30,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        )
        assert response.status_code == 200

    conversation = conversation_id(wa_id)  # a keyed pseudonym of the number (issue 13)

    def all_processed() -> bool:
        text = stored_text(assistant["tracker_db"])
        return (
            text.count(conversation) > 0
            and text.count('"event": "user"') >= 1
            and sum(
                1
                for line in text.splitlines()
                if line.startswith(conversation) and '"event": "user"' in line
            )
            >= len(MESSAGES)
        )

    wait_for(all_processed)
    check_nothing_stored(assistant["tracker_db"])
    assert wa_id not in stored_text(assistant["tracker_db"])  # the number is not in the tracker store
    replies = [m for m in _FakeGraphApi.received if m.get("to") == wa_id]
    assert replies, "the assistant answered on WhatsApp"


def test_forged_whatsapp_webhook_is_rejected_and_stores_nothing(assistant) -> None:
    wa_id = "3162" + str(uuid.uuid4().int)[:7]
    body = whatsapp_payload(wa_id, "hallo")
    response = httpx.post(
        f"{assistant['rasa']}/webhooks/whatsapp/webhook",
        content=body,
        timeout=30,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64},
    )
    assert response.status_code in (401, 403)
    time.sleep(2)
    assert conversation_id(wa_id) not in stored_text(assistant["tracker_db"])
