"""Case status (actions/case_status.py) against the backend stand-in's seed zaken."""

from __future__ import annotations

from typing import Any

import pytest

from actions.case_status import (
    ActionAskStatusReference,
    ActionCaseStatusAnswer,
    ValidateCaseStatusForm,
    normalise_case_reference,
    status_key,
)
from tests.actions.flows_support import (  # noqa: F401
    ANNA_BSN,
    BERT_BSN,
    Conversation,
    backend_faults,
    backend_server,
    flow_backend,
    token_metadata,
)

#: Seed zaken (backend/seed.py): 000001 Anna "in behandeling", 000002 Bert "ontvangen", 000003 Anna done.
IN_PROGRESS, RECEIVED, DONE = "Z-2026-000001", "Z-2026-000002", "Z-2026-000003"

pytestmark = pytest.mark.usefixtures("flow_backend")


def conversation(metadata: dict[str, Any] | None = None) -> Conversation:
    return Conversation(
        ValidateCaseStatusForm(), slots={"requested_slot": "status_reference"}, metadata=metadata
    )


async def answer(conv: Conversation) -> list[dict[str, Any]]:
    messages, _ = await conv.run(ActionCaseStatusAnswer())
    return messages


def test_reference_and_status_mapping() -> None:
    assert normalise_case_reference("z2026000123") == "Z-2026-000123"
    assert normalise_case_reference("Z 2026 000123") == "Z-2026-000123"
    assert normalise_case_reference("2026-000123") is None
    assert status_key("In behandeling", False) == "in_progress"
    assert status_key("Afgehandeld", True) == "done"
    assert status_key("Besluit verzonden", True) == "done"
    assert status_key("Iets nieuws", False) == "other"


@pytest.mark.parametrize("reference", [IN_PROGRESS, RECEIVED, "Z-2026-999999"])
async def test_without_identity_nothing_about_the_zaak_only_a_second_factor(reference: str) -> None:
    """Issue 13: a guessed zaak number showed status and date without login."""
    conv = Conversation(ValidateCaseStatusForm())
    await conv.start(
        f"hoe staat het met zaak {reference}",
        intent="case_status",
        entities=[("case_reference", reference)],
    )
    assert conv.messages == []  # not even whether the zaak exists
    assert conv.requested == "status_postcode"  # the question itself offers DigiD instead
    assert conv.slots["status_result"] is None


# Anna (Z-2026-000001, Z-2026-000003) lives at 9999 AA; Bert (Z-2026-000002) at 9999 AB.
@pytest.mark.parametrize(
    ("reference", "postcode", "phase"),
    [(IN_PROGRESS, "9999 AA", "in_progress"), (RECEIVED, "9999ab", "received"), (DONE, "9999AA", "done")],
)
async def test_reference_and_postcode_show_only_the_phase(reference: str, postcode: str, phase: str) -> None:
    conv = conversation()
    await conv.say(reference)
    assert conv.requested == "status_postcode"
    assert await conv.say(postcode) == []
    messages = await answer(conv)
    assert [m["response"] for m in messages] == [
        f"utter_case_status_basic_{phase}",
        "utter_case_status_login_for_more",
    ]
    said = {k for m in messages for k in m}
    assert not any(key in said for key in ("date", "status", "subject", "planned"))
    assert conv.slots["status_postcode"] is None and conv.slots["status_result"] is None


async def test_a_wrong_postcode_tells_nothing() -> None:
    conv = conversation()
    await conv.say(IN_PROGRESS)
    assert await conv.say("9999 AB") == ["utter_status_invalid_postcode_mismatch"]
    assert conv.requested == "status_postcode"
    assert not any(k in m for m in conv.messages for k in ("date", "status", "subject"))


async def test_an_unknown_zaak_and_a_wrong_postcode_get_the_same_answer() -> None:
    unknown, wrong = conversation(), conversation()
    await unknown.say("Z-2026-999999")
    await wrong.say(IN_PROGRESS)
    assert await unknown.say("9999 AA") == await wrong.say("9999 ZZ")
    assert unknown.messages[0].keys() == wrong.messages[0].keys()


async def test_attempts_are_limited_per_reference_over_conversations(monkeypatch: pytest.MonkeyPatch) -> None:
    from foundation.settings import get_settings

    monkeypatch.setenv("VERIFY_MAX_FAILURES_PER_REFERENCE", "2")
    get_settings.cache_clear()
    for guess in ("1111 AA", "2222 BB"):
        conv = conversation()
        await conv.say(IN_PROGRESS)
        await conv.say(guess)
    conv = conversation()
    await conv.say(IN_PROGRESS)
    assert await conv.say("9999 AA") == ["utter_case_status_check_blocked"]  # even the right one
    assert conv.requested is None
    assert await answer(conv) == []


async def test_attempts_are_limited_per_conversation_over_references(monkeypatch: pytest.MonkeyPatch) -> None:
    from foundation.settings import get_settings

    monkeypatch.setenv("VERIFY_MAX_FAILURES_PER_CONVERSATION", "2")
    get_settings.cache_clear()
    conv = conversation()
    for reference in ("Z-2026-000001", "Z-2026-000002"):
        conv.slots.update(requested_slot="status_reference", status_reference=None)
        await conv.say(reference)
        await conv.say("1111 AA")
    conv.slots.update(requested_slot="status_reference", status_reference=None)
    await conv.say(DONE)
    assert await conv.say("9999 AA") == ["utter_case_status_check_blocked"]


async def test_a_resident_with_secret_address_data_is_not_checked_by_postcode() -> None:
    """Eva (geheimhouding persoonsgegevens) has no zaak in the seed: a zaak of hers is made here."""
    from actions.zaak_submission import deliver_zaak

    zaak = await deliver_zaak(
        {"zaaktype": "MELDING-OPENBARE-RUIMTE", "omschrijving": "Test", "bsn": "999990044"}, "t:eva"
    )
    conv = conversation()
    await conv.say(zaak["identificatie"])
    assert await conv.say("9999 ZZ") == ["utter_status_invalid_postcode_mismatch"]


async def test_the_postcode_check_is_in_the_processing_log() -> None:
    from privacy.processing_log import query

    conv = conversation()
    await conv.say(IN_PROGRESS)
    await conv.say("9999 AA")
    assert any(e.activity == "postcode controleren bij zaak" for e in query(resident_bsn=ANNA_BSN))


async def test_with_identity_no_postcode_is_asked() -> None:
    conv = conversation(token_metadata(ANNA_BSN))
    await conv.say(IN_PROGRESS)
    assert conv.requested is None


async def test_own_zaak_with_identity_shows_what_it_is_about() -> None:
    conv = conversation(token_metadata(ANNA_BSN))
    await conv.say(IN_PROGRESS)
    messages = await answer(conv)
    responses = [m["response"] for m in messages]
    assert responses[:2] == ["utter_case_status_in_progress", "utter_case_status_own_details"]
    assert "utter_case_status_planned" in responses
    assert messages[1]["subject"] == "Losliggende stoeptegel Voorbeeldstraat"


@pytest.mark.parametrize("reference", [DONE, "Z-2026-999999"])
async def test_someone_elses_or_an_unknown_zaak_shows_nothing(reference: str) -> None:
    conv = conversation(token_metadata(BERT_BSN))
    assert await conv.say(reference) == []
    messages = await answer(conv)
    assert [m["response"] for m in messages] == ["utter_case_status_not_own"]
    assert not any(key in m for m in messages for key in ("date", "status", "key", "subject"))


async def test_bsn_lookups_are_in_the_processing_log() -> None:
    from privacy.processing_log import query

    conv = conversation(token_metadata(ANNA_BSN))
    await conv.say(IN_PROGRESS)
    entries = query(resident_bsn=ANNA_BSN)
    assert any(e.system == "ZGW Zaken API" for e in entries)


async def test_ask_lists_own_zaken_as_buttons() -> None:
    conv = conversation(token_metadata(ANNA_BSN))
    messages, _ = await conv.run(ActionAskStatusReference())
    assert messages[0]["response"] == "utter_ask_status_reference_own"
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert f'/inform{{"case_reference": "{IN_PROGRESS}"}}' in payloads
    assert all(RECEIVED not in p for p in payloads)


async def test_ask_without_identity_asks_for_the_number() -> None:
    messages, _ = await conversation().run(ActionAskStatusReference())
    assert [m["response"] for m in messages] == ["utter_ask_status_reference"]
    assert not messages[0]["buttons"]


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("mijn aanvraag van vorige week", "utter_status_invalid_reference"),
    ],
)
async def test_bad_numbers_are_asked_again(text: str, response: str) -> None:
    conv = conversation(token_metadata(ANNA_BSN))
    assert await conv.say(text) == [response]
    assert conv.requested == "status_reference"


async def test_three_wrong_numbers_offer_a_human() -> None:
    conv = conversation(token_metadata(ANNA_BSN))
    await conv.say("mijn aanvraag")
    await conv.say("vorige week ingediend")
    assert await conv.say("123") == ["utter_form_offer_human"]
    assert conv.requested is None
    assert await answer(conv) == []


async def test_zaken_api_down_says_what_to_do(backend_faults: Any) -> None:  # noqa: F811
    backend_faults("down@/zaken/api/v1")
    conv = conversation(token_metadata(ANNA_BSN))
    assert await conv.say(IN_PROGRESS) == ["utter_case_status_unavailable"]
    assert "phone" in conv.messages[0]
    assert conv.requested is None
    assert await answer(conv) == []
