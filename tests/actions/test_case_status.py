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


async def test_without_identity_only_the_non_personal_status() -> None:
    conv = Conversation(ValidateCaseStatusForm())
    await conv.say(
        f"hoe staat het met zaak {IN_PROGRESS}",
        intent="case_status",
        entities=[("case_reference", IN_PROGRESS)],
    )
    assert conv.requested is None
    messages = await answer(conv)
    assert [m["response"] for m in messages] == [
        "utter_case_status_in_progress",
        "utter_case_status_login_for_more",
        "utter_case_status_next",
    ]
    assert messages[0]["date"]
    assert all("Voorbeeldstraat" not in str(value) for m in messages for value in m.values())
    assert conv.slots["status_result"] is None


async def test_own_zaak_with_identity_shows_what_it_is_about() -> None:
    conv = conversation(token_metadata(ANNA_BSN))
    await conv.say(IN_PROGRESS)
    messages = await answer(conv)
    responses = [m["response"] for m in messages]
    assert responses[:2] == ["utter_case_status_in_progress", "utter_case_status_own_details"]
    assert "utter_case_status_planned" in responses
    assert messages[1]["subject"] == "Losliggende stoeptegel Voorbeeldstraat"


async def test_someone_elses_zaak_shows_no_details() -> None:
    conv = conversation(token_metadata(BERT_BSN))
    await conv.say(DONE)
    messages = await answer(conv)
    assert [m["response"] for m in messages] == ["utter_case_status_done", "utter_case_status_next"]
    assert "subject" not in messages[0]


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
        ("Z-2026-999999", "utter_status_invalid_not_found"),
        ("mijn aanvraag van vorige week", "utter_status_invalid_reference"),
    ],
)
async def test_bad_numbers_are_asked_again(text: str, response: str) -> None:
    conv = conversation()
    assert await conv.say(text) == [response]
    assert conv.requested == "status_reference"


async def test_three_wrong_numbers_offer_a_human() -> None:
    conv = conversation()
    await conv.say("Z-2026-999998")
    await conv.say("weet ik niet", intent="dont_know")
    assert await conv.say("123") == ["utter_form_offer_human"]
    assert conv.requested is None
    assert await answer(conv) == []


async def test_zaken_api_down_says_what_to_do(backend_faults: Any) -> None:  # noqa: F811
    backend_faults("down@/zaken/api/v1")
    conv = conversation()
    assert await conv.say(IN_PROGRESS) == ["utter_case_status_unavailable"]
    assert "phone" in conv.messages[0]
    assert conv.requested is None
    assert await answer(conv) == []
