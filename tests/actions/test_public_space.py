"""Public-space report (actions/public_space.py) against the backend stand-in and the outbox."""

from __future__ import annotations

from typing import Any

import pytest

from actions.public_space import (
    ActionAskPsConfirm,
    ActionPublicSpaceSubmit,
    ValidatePublicSpaceForm,
    parse_category,
    parse_contact,
)
from actions.zaak_submission import ZAKEN_CREATE
from foundation import outbox
from integrations.zaken import ZakenClient
from tests.actions.flows_support import (  # noqa: F401
    Conversation,
    backend_faults,
    backend_server,
    flow_backend,
    token_metadata,
)

LAMP = [("public_space_category", "straatverlichting")]

pytestmark = pytest.mark.usefixtures("flow_backend")


def conversation(**kwargs: Any) -> Conversation:
    return Conversation(ValidatePublicSpaceForm(), **kwargs)


async def fill(conv: Conversation, contact: str = "nee", contact_intent: str = "deny") -> None:
    await conv.say("ik wil een kapotte lantaarnpaal melden", intent="report_public_space", entities=LAMP)
    await conv.say("bij de bushalte op het Marktplein")
    await conv.say("de lamp brandt al een week niet")
    await conv.say(contact, intent=contact_intent)


# ------------------------------------------------------------------ parsing
def test_parse_category() -> None:
    assert parse_category("", [{"entity": "public_space_category", "value": "wegdek"}], False) == "wegdek"
    assert parse_category("de straatlamp is kapot", [], True) == "straatverlichting"
    assert parse_category("een losse stoeptegel", [], True) == "stoep"
    assert parse_category("de lamp is kapot", [], False) is None  # only when asked
    assert parse_category("hallo", [], True) == {"invalid": "category"}


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("mail maar naar Piet@Example.org", "inform", "piet@example.org"),
        ("06-12345678", "inform", "+31612345678"),
        ("+31 6 12345678", "inform", "+31612345678"),
        ("nee", "deny", "geen"),
        ("liever niet", "inform", "geen"),
        ("bel me maar", "inform", {"invalid": "contact"}),
    ],
)
def test_parse_contact(text: str, intent: str, expected: Any) -> None:
    assert parse_contact(text, intent, [], True) == expected


# ------------------------------------------------------------------ the form
async def test_happy_path_creates_a_zaak_without_identity() -> None:
    conv = conversation()
    await conv.say("ik wil een kapotte lantaarnpaal melden", intent="report_public_space", entities=LAMP)
    assert conv.slots["ps_category"] == "straatverlichting"  # from the question itself
    assert conv.requested == "ps_location"
    await conv.say("bij de bushalte op het Marktplein")
    await conv.say("de lamp brandt al een week niet")
    assert conv.requested == "ps_contact"
    await conv.say("piet@example.org")
    assert conv.requested == "ps_confirm"
    messages, _ = await conv.run(ActionAskPsConfirm())
    assert messages[0]["category"] == "straatverlichting"
    assert messages[0]["contact"] == "piet@example.org"
    await conv.say("ja", intent="affirm")
    assert conv.requested is None

    messages, _ = await conv.run(ActionPublicSpaceSubmit())
    assert [m["response"] for m in messages] == ["utter_ps_submitted", "utter_ps_feedback_contact"]
    reference = conv.slots["case_reference"]
    async with ZakenClient.from_settings() as client:
        zaak = await client.get_zaak_by_identificatie(reference)
    assert "bushalte" in zaak.toelichting
    assert conv.slots["ps_category"] is None


async def test_with_identity_the_resident_is_linked() -> None:
    conv = conversation(metadata=token_metadata("999990032"))
    await fill(conv)
    await conv.say("ja", intent="affirm")
    await conv.run(ActionPublicSpaceSubmit())
    async with ZakenClient.from_settings() as client:
        mine = [z.identificatie for z in await client.list_zaken_for_bsn("999990032")]
    assert conv.slots["case_reference"] in mine
    [entry] = outbox.entries(ZAKEN_CREATE)
    assert entry["status"] == outbox.DELIVERED
    assert entry["payload"] == {}  # the BSN is not kept in the outbox once delivered (issue 13)


async def test_typed_category_and_free_text_with_another_intent() -> None:
    conv = conversation(slots={"requested_slot": "ps_category"})
    # a typed category that NLU reads as the form's own trigger intent is an answer, not a restart
    await conv.say("er ligt een losse tegel", intent="report_public_space")
    assert conv.slots["ps_category"] == "stoep"
    await conv.say("Voorbeeldstraat 3")
    # A description that NLU reads as another topic is still the description; its category word
    # ("afval") does not overwrite the chosen category.
    assert await conv.say("er ligt ook afval naast de tegel", intent="waste_collection") == []
    assert conv.slots["ps_description"] == "er ligt ook afval naast de tegel"
    assert conv.slots["ps_category"] == "stoep"


async def test_side_question_and_cancel_are_no_description() -> None:
    conv = conversation(
        slots={"requested_slot": "ps_description", "ps_category": "groen", "ps_location": "park"}
    )
    assert await conv.say("wat kun je allemaal?", intent="ask_capabilities") == []
    assert conv.slots.get("ps_description") is None
    await conv.say("stop", intent="cancel")
    assert conv.slots.get("ps_description") is None
    assert conv.requested == "ps_description"


async def test_contact_correction() -> None:
    conv = conversation()
    await fill(conv, contact="piet@example.org", contact_intent="inform")
    responses = await conv.say("nee, mijn e-mailadres is k.smit@example.org", intent="deny")
    assert responses == ["utter_form_answer_changed"]
    assert conv.slots["ps_contact"] == "k.smit@example.org"
    assert conv.requested == "ps_confirm"


async def test_three_wrong_answers_offer_a_human() -> None:
    conv = conversation(slots={"requested_slot": "ps_category"})
    assert await conv.say("hallo") == ["utter_ps_invalid_category"]
    assert await conv.say("dat weet ik niet precies") == ["utter_ps_invalid_category"]
    assert await conv.say("??") == ["utter_form_offer_human"]
    assert conv.requested is None
    messages, _ = await conv.run(ActionPublicSpaceSubmit())
    assert messages == []
    assert outbox.entries(ZAKEN_CREATE) == []


async def test_too_short_description_and_dont_know() -> None:
    conv = conversation(slots={"requested_slot": "ps_location", "ps_category": "groen"})
    assert await conv.say("weet ik niet", intent="dont_know") == ["utter_ps_dont_know_ps_location"]
    await conv.say("in het park")
    assert await conv.say("kapot") == ["utter_ps_invalid_description"]
    assert conv.requested == "ps_description"


async def test_backend_down_saves_the_report(backend_faults: Any) -> None:  # noqa: F811
    conv = conversation()
    await fill(conv)
    await conv.say("ja", intent="affirm")
    backend_faults("down")
    messages, _ = await conv.run(ActionPublicSpaceSubmit())
    assert [m["response"] for m in messages] == ["utter_ps_saved_offline"]
    [entry] = outbox.entries(ZAKEN_CREATE)
    assert entry["status"] == outbox.PENDING
    assert "bushalte" in entry["payload"]["toelichting"]
    backend_faults("none")
    assert await outbox.deliver(entry["id"]) == outbox.DELIVERED


async def test_deny_sends_nothing() -> None:
    conv = conversation()
    await fill(conv)
    await conv.say("nee", intent="deny")
    messages, _ = await conv.run(ActionPublicSpaceSubmit())
    assert [m["response"] for m in messages] == ["utter_ps_not_sent"]
    assert outbox.entries(ZAKEN_CREATE) == []
