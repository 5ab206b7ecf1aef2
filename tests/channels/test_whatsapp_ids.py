"""Issue 13: a WhatsApp conversation id is a keyed pseudonym of the phone number, never the number.

The number is kept only where delivery needs it (``whatsapp_recipients``, under retention and
"vergeet mij"); the employee's answer and signals still reach the resident.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from channels import whatsapp_ids, whatsapp_store
from channels.whatsapp_output import WhatsAppOutput
from tests.channels.conftest import FakeGraph
from tests.channels.test_whatsapp import WA_ID, notification, text


def test_the_conversation_id_is_a_keyed_pseudonym(monkeypatch: Any) -> None:
    from foundation.settings import get_settings

    pseudonym = whatsapp_ids.conversation_id(WA_ID)
    assert re.fullmatch(r"wa:[0-9a-f]{32}", pseudonym)
    assert WA_ID not in pseudonym and WA_ID[-6:] not in pseudonym
    assert whatsapp_ids.conversation_id(WA_ID) == pseudonym  # stable: the conversation continues
    assert whatsapp_ids.conversation_id("31699999999") != pseudonym
    monkeypatch.setenv("PSEUDONYM_KEY", "another-key-another-key-another-key")
    get_settings.cache_clear()
    assert whatsapp_ids.conversation_id(WA_ID) != pseudonym  # without the key it cannot be recomputed


async def test_inbound_messages_go_to_the_pseudonym_and_the_metadata_holds_no_number(
    start_webhook: Any, fake_graph: FakeGraph
) -> None:
    hook = await start_webhook()
    await hook.post_and_wait(notification(text("Hallo")))
    [received] = hook.agent.messages
    assert received.sender_id == whatsapp_ids.conversation_id(WA_ID)
    assert WA_ID not in repr(received.metadata)
    [sent] = fake_graph.bodies()
    assert sent["to"] == WA_ID  # the reply still reaches the resident


async def test_a_message_rasa_sends_on_its_own_reaches_the_number(
    start_webhook: Any, make_api: Any, fake_graph: FakeGraph
) -> None:
    """The employee's answer and signals: Rasa's trigger_intent with output_channel=latest."""
    hook = await start_webhook()
    await hook.post_and_wait(notification(text("Hallo")))
    fake_graph.requests.clear()
    output = WhatsAppOutput(make_api())
    await output.send_text_message(whatsapp_ids.conversation_id(WA_ID), "Een medewerker heeft geantwoord.")
    await output.send_template(whatsapp_ids.conversation_id(WA_ID), "antwoord_klaar")
    assert [body["to"] for body in fake_graph.bodies()] == [WA_ID, WA_ID]


async def test_a_pseudonym_without_a_known_number_sends_nothing(make_api: Any, fake_graph: FakeGraph) -> None:
    output = WhatsAppOutput(make_api())
    await output.send_text_message("wa:" + "0" * 32, "Hallo")
    assert fake_graph.requests == []


def test_the_service_window_is_known_per_conversation() -> None:
    now = datetime.now(timezone.utc)
    whatsapp_ids.remember(WA_ID, now)
    whatsapp_store.touch_contact(WA_ID, now)
    pseudonym = whatsapp_ids.conversation_id(WA_ID)
    assert whatsapp_ids.recipient(pseudonym) == WA_ID
    assert whatsapp_store.in_service_window(whatsapp_ids.recipient(pseudonym), now + timedelta(hours=1))


def test_forget_me_deletes_the_number(monkeypatch: Any) -> None:
    from privacy.forget import ForgetRequest, registered_hooks

    whatsapp_ids.remember(WA_ID)
    whatsapp_store.touch_contact(WA_ID)
    whatsapp_store.remember_choices(whatsapp_ids.conversation_id(WA_ID), ["/a"])
    hook = registered_hooks()["whatsapp_contacts"]
    assert hook(ForgetRequest(sender_id=whatsapp_ids.conversation_id(WA_ID))) == 3
    assert whatsapp_store.take_choices(whatsapp_ids.conversation_id(WA_ID)) == []
    assert whatsapp_ids.recipient(whatsapp_ids.conversation_id(WA_ID)) is None
    assert whatsapp_store.last_inbound_at(WA_ID) is None


def test_the_number_is_under_retention() -> None:
    from privacy.retention import retention_hooks

    old = datetime.now(timezone.utc) - timedelta(days=40)
    whatsapp_ids.remember(WA_ID, old)
    whatsapp_ids.remember("31699999999")
    deleted = sum(hook(28) for hook in retention_hooks().values())
    assert deleted >= 1
    assert whatsapp_ids.recipient(whatsapp_ids.conversation_id(WA_ID)) is None
    assert whatsapp_ids.recipient(whatsapp_ids.conversation_id("31699999999")) == "31699999999"
