"""Moving notice (actions/moving.py) against the backend stand-in and the outbox."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from actions.moving import (
    ActionAskMoveConfirm,
    ActionMoveStart,
    ActionMoveSubmit,
    ValidateMoveForm,
    find_postcode,
    parse_house_number,
    parse_household,
    parse_people,
)
from actions.parsing.dates import format_date
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

pytestmark = pytest.mark.usefixtures("flow_backend")


def conversation() -> Conversation:
    """A moving notice right after the start: the form asks for the postcode."""
    return Conversation(
        ValidateMoveForm(), slots={"requested_slot": "move_postcode"}, metadata=token_metadata()
    )


def dutch(day: date) -> str:
    return day.strftime("%d-%m-%Y")


# ------------------------------------------------------------------ parsing (no backend)
@pytest.mark.parametrize(
    ("text", "strict", "expected"),
    [
        ("9999 AA", True, "9999 AA"),
        ("9999aa", True, "9999 AA"),
        ("mijn postcode is 9999 aa", False, "9999 AA"),
        ("1234 SA", False, None),  # SA, SD and SS are never used
        ("1234", False, None),
        ("1500 cm", False, None),
        ("9999 aa", True, None),  # lower case with a space: only when asked
    ],
)
def test_find_postcode(text: str, strict: bool, expected: str | None) -> None:
    found = find_postcode(text, strict=strict)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    ("text", "requested", "expected"),
    [
        ("9999 AA 12", False, "12"),
        ("9999AB 12a", False, "12A"),
        ("9999 AA 7-2", False, "7-2"),
        ("9999 AA 12 en ik verhuis morgen", False, "12"),
        ("nummer 14", False, "14"),
        ("12", True, "12"),
        ("12 A", True, "12A"),
        ("morgen", False, None),
    ],
)
def test_parse_house_number(text: str, requested: bool, expected: str | None) -> None:
    assert parse_house_number(text, requested, []) == expected


def test_household_and_people() -> None:
    assert parse_household("alleen ik") == "alleen"
    assert parse_household("ik en mijn partner") == "partner"
    assert parse_household("met mijn vrouw en de kinderen") == "gezin"
    assert parse_people("we zijn met z'n vieren") == 4
    assert parse_people("5") == 5


# ------------------------------------------------------------------ start: identity required
async def test_start_without_identity_explains_digid(make_tracker: Any, dispatcher: Any) -> None:
    events = await ActionMoveStart().run(dispatcher, make_tracker(intent="report_move"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_move_login_needed"]
    assert {"event": "slot", "name": "move_identity_verified", "value": False, "timestamp": None} in events


async def test_start_with_identity_starts_the_form(dispatcher: Any) -> None:
    conv = conversation()
    messages, events = await conv.run(ActionMoveStart())
    assert [m["response"] for m in messages] == ["utter_move_intro"]
    assert conv.slots["move_identity_verified"] is True


# ------------------------------------------------------------------ the form
async def test_happy_path_creates_a_zaak() -> None:
    conv = Conversation(ValidateMoveForm(), metadata=token_metadata())
    await conv.say("ik wil mijn verhuizing doorgeven", intent="report_move")
    assert conv.requested == "move_postcode"
    assert await conv.say("9999 AA 12", entities=[("postcode", "9999 AA")]) == []
    assert conv.slots["move_address"] == "Voorbeeldstraat 12, 9999 AA Voorbeeldstad"
    assert conv.requested == "move_date"
    await conv.say("morgen")
    assert conv.slots["move_date"] == (date.today() + timedelta(days=1)).isoformat()
    await conv.say("alleen ik")
    assert (conv.slots["move_household"], conv.slots["move_people"]) == ("alleen", 1)
    assert conv.requested == "move_confirm"
    messages, _ = await conv.run(ActionAskMoveConfirm())
    assert messages[0]["response"] == "utter_ask_move_confirm"
    assert messages[0]["address"].startswith("Voorbeeldstraat 12")
    await conv.say("ja", intent="affirm")
    assert conv.requested is None

    messages, _ = await conv.run(ActionMoveSubmit())
    assert [m["response"] for m in messages] == ["utter_move_submitted"]
    reference = conv.slots["case_reference"]
    assert reference and reference.startswith("Z-")
    assert conv.slots["move_postcode"] is None  # the flow's slots are reset
    async with ZakenClient.from_settings() as client:
        zaak = await client.get_zaak_by_identificatie(reference)
        assert any(z.url == zaak.url for z in await client.list_zaken_for_bsn("999990007"))
    [entry] = outbox.entries(ZAKEN_CREATE)
    assert entry["status"] == outbox.DELIVERED


async def test_several_answers_in_one_message() -> None:
    conv = Conversation(ValidateMoveForm(), metadata=token_metadata())
    await conv.say("ik verhuis morgen naar 9999 AB 12A met mijn vrouw", intent="report_move")
    assert conv.slots["move_postcode"] == "9999 AB"
    assert conv.slots["move_house_number"] == "12A"
    assert conv.slots["move_address"].startswith("Proefweg 12A")
    assert conv.slots["move_household"] == "partner"
    assert conv.slots["move_people"] == 2
    assert conv.requested == "move_confirm"


async def test_correction_of_the_house_number() -> None:
    conv = conversation()
    await conv.say("9999 AA 12")
    assert conv.requested == "move_date"
    responses = await conv.say("nee, het is 9999 AA 14", intent="deny")
    assert responses == ["utter_form_answer_changed"]
    assert conv.slots["move_house_number"] == "14"
    assert conv.slots["move_address"].startswith("Voorbeeldstraat 14")
    assert conv.requested == "move_date"


async def test_unknown_address_is_asked_again() -> None:
    conv = conversation()
    assert await conv.say("9999 AA 99") == ["utter_move_invalid_address_not_found"]
    assert conv.slots["move_postcode"] == "9999 AA"
    assert conv.slots["move_house_number"] is None
    assert conv.requested == "move_house_number"
    assert await conv.say("12") == []
    assert conv.requested == "move_date"


async def test_missing_house_letter_lists_the_options() -> None:
    conv = conversation()
    assert await conv.say("9999 BA 8B") == ["utter_move_invalid_addition"]
    assert conv.messages[0]["options"] == "8"


async def test_invalid_postcode_format() -> None:
    conv = conversation()
    assert await conv.say("1234") == ["utter_move_invalid_postcode"]
    assert conv.requested == "move_postcode"


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("31 februari", "utter_move_invalid_impossible_date"),
        ("ergens in de zomer", "utter_move_invalid_no_date"),
        (dutch(date.today() + timedelta(days=60)), "utter_move_invalid_too_early"),
        (dutch(date.today() - timedelta(days=10)), "utter_move_invalid_too_late"),
    ],
)
async def test_bad_dates_are_explained(text: str, response: str) -> None:
    conv = conversation()
    await conv.say("9999 AA 12")
    assert await conv.say(text) == [response]
    assert conv.slots["move_date"] is None
    assert conv.requested == "move_date"


async def test_date_window_edges_are_accepted() -> None:
    for offset in (-5, 28):
        conv = conversation()
        await conv.say("9999 AA 12")
        assert await conv.say(dutch(date.today() + timedelta(days=offset))) == []
        assert conv.requested == "move_household"


async def test_too_late_gives_the_phone_number() -> None:
    conv = conversation()
    await conv.say("9999 AA 12")
    await conv.say(dutch(date.today() - timedelta(days=6)))
    assert conv.messages[0]["response"] == "utter_move_invalid_too_late"
    assert conv.messages[0]["phone"] == "14 0999"


async def test_too_early_names_the_first_possible_day() -> None:
    conv = conversation()
    await conv.say("9999 AA 12")
    move = date.today() + timedelta(days=40)
    await conv.say(dutch(move))
    assert conv.messages[0]["first_day"] == format_date(move - timedelta(days=28))


async def test_family_asks_how_many() -> None:
    conv = conversation()
    await conv.say("9999 AA 12 morgen")
    await conv.say("met mijn gezin")
    assert conv.requested == "move_people"
    assert await conv.say("1") == ["utter_move_invalid_people"]
    await conv.say("we zijn met z'n vieren")
    assert conv.slots["move_people"] == 4
    assert conv.requested == "move_confirm"


async def test_side_question_fills_nothing() -> None:
    conv = conversation()
    await conv.say("9999 AA 12")
    assert await conv.say("ben jij een robot?", intent="bot_challenge") == []
    assert conv.requested == "move_date"
    assert conv.slots.get("move_date") is None


async def test_three_wrong_answers_offer_a_human() -> None:
    conv = conversation()
    await conv.say("9999 AA 12")
    assert await conv.say("geen idee") == ["utter_move_invalid_no_date"]
    assert await conv.say("31 februari") == ["utter_move_invalid_impossible_date"]
    assert await conv.say("blabla") == ["utter_form_offer_human"]
    assert conv.requested is None
    messages, _ = await conv.run(ActionMoveSubmit())
    assert messages == []  # nothing sent, nothing said twice
    assert outbox.entries(ZAKEN_CREATE) == []
    assert conv.slots["form_handoff"] is None


async def test_deny_sends_nothing() -> None:
    conv = conversation()
    await conv.say("9999 AA 12 morgen alleen ik")
    assert conv.requested == "move_confirm"
    await conv.say("nee", intent="deny")
    messages, _ = await conv.run(ActionMoveSubmit())
    assert [m["response"] for m in messages] == ["utter_move_not_sent"]
    assert outbox.entries(ZAKEN_CREATE) == []


async def test_backend_down_saves_the_notice_in_the_outbox(backend_faults: Any) -> None:  # noqa: F811
    conv = conversation()
    await conv.say("9999 AA 12 morgen alleen ik")
    await conv.say("ja", intent="affirm")
    backend_faults("down@/zaken/api/v1")
    messages, _ = await conv.run(ActionMoveSubmit())
    assert [m["response"] for m in messages] == ["utter_move_saved_offline"]
    assert conv.slots["case_reference"] is None
    [entry] = outbox.entries(ZAKEN_CREATE)
    assert entry["status"] == outbox.PENDING
    assert entry["payload"]["bsn"] == "999990007"
    backend_faults("none")
    assert await outbox.deliver(entry["id"]) == outbox.DELIVERED
    assert outbox.get_entry(entry["id"])["result"]["identificatie"].startswith("Z-")


async def test_address_register_down_accepts_the_address(backend_faults: Any) -> None:  # noqa: F811
    backend_faults("down@/bag/api/v1")
    conv = conversation()
    assert await conv.say("9999 AA 12") == ["utter_move_address_unchecked"]
    assert conv.slots["move_address"] == "9999 AA 12"
    assert conv.requested == "move_date"


async def test_submit_without_identity_sends_nothing() -> None:
    conv = conversation()
    await conv.say("9999 AA 12 morgen alleen ik")
    await conv.say("ja", intent="affirm")
    conv.metadata = {}
    messages, _ = await conv.run(ActionMoveSubmit())
    assert [m["response"] for m in messages] == ["utter_move_login_needed"]
    assert outbox.entries(ZAKEN_CREATE) == []
