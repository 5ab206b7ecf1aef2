"""The form framework (actions/forms/): reset on start, prefill, topic words, digressions, summary.

Each test names the defect of issue 15 it guards; they drive real validators turn by turn.
"""

from __future__ import annotations

from actions.forms import CHANGE_SLOT, HANDOFF_SLOT, INVALID_COUNT_SLOT
from actions.handoff import ValidateHandoffForm
from actions.moving import ValidateMoveForm
from actions.public_space import ValidatePublicSpaceForm
from tests.actions.flows_support import Conversation, token_metadata


def report(**slots: object) -> Conversation:
    return Conversation(ValidatePublicSpaceForm(), slots=dict(slots))


async def filled_report() -> Conversation:
    conv = report()
    await conv.start("ik wil een melding maken", intent="report_public_space")
    await conv.say("straatverlichting", intent="report_public_space")
    await conv.say("bij de bushalte op het Marktplein")
    await conv.say("de lamp brandt al een week niet")
    await conv.say("nee", intent="deny")
    assert conv.requested == "ps_confirm"
    return conv


async def test_a_form_starts_clean_also_when_the_last_one_was_left_without_stop() -> None:
    conv = report(
        ps_category="groen",
        ps_location="oude plek",
        ps_description="oude melding",
        **{INVALID_COUNT_SLOT: 2.0, HANDOFF_SLOT: True},
    )
    await conv.start("/report_public_space", intent="report_public_space")
    assert conv.slots["ps_location"] is None and conv.slots["ps_description"] is None
    assert conv.slots[INVALID_COUNT_SLOT] is None and conv.slots[HANDOFF_SLOT] is None
    assert conv.requested == "ps_category"


async def test_the_opening_message_is_not_asked_again() -> None:
    conv = report()
    await conv.start("de lantaarnpaal bij het station is kapot", intent="report_public_space")
    assert conv.slots["ps_category"] == "straatverlichting"
    assert conv.slots["ps_location"] == "bij het station"
    assert conv.slots["ps_description"] == "de lantaarnpaal bij het station is kapot"
    assert conv.requested == "ps_contact"


async def test_a_category_word_read_as_the_start_intent_is_an_answer_not_a_restart() -> None:
    for word, category in (("straatverlichting", "straatverlichting"), ("riool", "riolering")):
        conv = report(requested_slot="ps_category")
        assert await conv.say(word, intent="report_public_space") == []
        assert conv.slots["ps_category"] == category
        assert conv.requested == "ps_location"


async def test_nee_is_not_a_location() -> None:
    conv = report(requested_slot="ps_location", ps_category="groen")
    assert await conv.say("nee", intent="deny") == ["utter_ps_invalid_location"]
    assert conv.slots.get("ps_location") is None and conv.requested == "ps_location"


async def test_thanks_mid_form_is_answered_with_one_return_line() -> None:
    conv = report(requested_slot="ps_location", ps_category="groen")
    assert await conv.say("dank u", intent="thank") == ["utter_form_thanks", "utter_form_return"]
    assert conv.requested == "ps_location"


async def test_nee_at_the_summary_asks_what_to_change_and_changes_only_that() -> None:
    conv = await filled_report()
    await conv.say("nee", intent="deny")
    assert conv.requested == CHANGE_SLOT
    assert conv.slots["ps_description"] == "de lamp brandt al een week niet"
    await conv.say("de plek klopt niet")
    assert conv.requested == "ps_location" and conv.slots["ps_location"] is None
    await conv.say("bij de kerk op het Kerkplein")
    assert conv.requested == "ps_confirm"
    assert conv.slots["ps_location"] == "bij de kerk op het Kerkplein"
    assert conv.slots["ps_category"] == "straatverlichting"
    assert conv.slots["ps_description"] == "de lamp brandt al een week niet"
    await conv.say("ja", intent="affirm")
    assert conv.slots["ps_confirm"] == "ja" and conv.requested is None


async def test_a_new_value_after_nee_at_the_summary_replaces_only_that_answer() -> None:
    conv = await filled_report()
    await conv.say("nee", intent="deny")
    responses = await conv.say("mijn e-mailadres is piet@example.nl")
    assert "utter_form_answer_changed" in responses
    assert conv.slots["ps_contact"] == "piet@example.nl"
    assert conv.requested == "ps_confirm" and not conv.slots.get(CHANGE_SLOT)


async def test_three_invalid_answers_offer_a_human_with_the_one_slot_family() -> None:
    conv = report(requested_slot="ps_category")
    for _ in range(2):
        assert await conv.say("hmm", intent="nlu_fallback") == ["utter_ps_invalid_category"]
    assert await conv.say("hmm", intent="nlu_fallback") == ["utter_form_offer_human"]
    assert conv.slots[HANDOFF_SLOT] is True and conv.requested is None


async def test_dont_know_the_moving_date_says_what_to_do_instead() -> None:
    conv = Conversation(
        ValidateMoveForm(),
        slots={"requested_slot": "move_date", "move_postcode": "1234 AB", "move_house_number": "5"},
        metadata=token_metadata(),
    )
    assert await conv.say("weet ik niet", intent="dont_know") == ["utter_move_dont_know_move_date"]
    assert conv.requested == "move_date" and conv.slots.get("move_date") is None


async def test_the_handoff_keeps_the_residents_own_question_despite_a_topic() -> None:
    conv = Conversation(ValidateHandoffForm(), slots={"current_topic": "paspoort"})
    text = "ik wil toch een medewerker, mijn rijbewijs is gestolen"
    await conv.start(text, intent="request_human")
    assert conv.slots["handoff_summary"] == text
    assert conv.requested == "contact_preference"


async def test_a_bare_request_for_a_human_asks_the_question_even_with_a_stale_topic() -> None:
    conv = Conversation(ValidateHandoffForm(), slots={"current_topic": "paspoort"})
    await conv.start("medewerker", intent="request_human")
    await conv.say("bel mij maar")  # no channel here, so no answer in the chat (actions/reachability.py)
    await conv.say("06-12345678")
    assert conv.requested == "handoff_summary"


async def test_nee_at_the_handoff_confirmation_asks_what_to_change() -> None:
    conv = Conversation(ValidateHandoffForm())
    await conv.start("ik wil een medewerker spreken over mijn aanslag", intent="request_human")
    await conv.say("bel mij maar")
    await conv.say("06-12345678")
    assert conv.requested == "handoff_confirm"
    await conv.say("nee", intent="deny")
    assert conv.requested == CHANGE_SLOT and conv.slots["handoff_summary"]
    await conv.say("het telefoonnummer klopt niet")
    assert conv.requested == "handoff_phone"
    await conv.say("0201234567")
    assert conv.slots["handoff_phone"] == "+31201234567" and conv.requested == "handoff_confirm"
