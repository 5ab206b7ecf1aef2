"""The conversation suite: residents' conversations over REST, typed answers chosen by the question.

Every flow (public-space report, moving notice, appointments, case status, handoff, dormer and tree
checks, the conversation basics) and the dialogue defects of issue 15. Each conversation answers
what the form asks (``requested_slot``, see ``conversation.py``) with typed Dutch: negations,
corrections, "weet ik niet", side questions. The success share is the pass rate of this module.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from actions.parsing.dates import is_working_day
from tests.actions.flows_support import token_metadata
from tests.integration.conversation import Conversation

pytestmark = pytest.mark.model

DORMER_FREE = {
    "dormer_roof_side": "aan de achterkant",
    "dormer_monument": "nee, geen monument",
    "dormer_townscape": "nee",
    "dormer_flat_roof": "ja, een plat dak",
    "dormer_height": "ongeveer 1,50 m",
    "dormer_eaves_distance": "60 cm boven de dakvoet",
    "dormer_ridge_distance": "70 cm onder de nok",
    "dormer_side_distance": "aan beide kanten 60 cm",
    "dormer_building_type": "een gewoon woonhuis",
}
REPORT = {
    "ps_category": "straatverlichting",
    "ps_location": "bij de bushalte op het Marktplein",
    "ps_description": "de lamp brandt al een week niet meer",
    "ps_contact": "nee, hoeft niet",
    "ps_confirm": "ja",
}


def working_day(offset: int) -> date:
    """The first working day at least ``offset`` days from today."""
    day = date.today() + timedelta(days=offset)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def dutch(day: date) -> str:
    return f"{day.day}-{day.month}-{day.year}"


@pytest.fixture
def talk(conversation) -> Conversation:
    return conversation()


def moving(talk: Conversation) -> Conversation:
    """Talk as a resident logged in with DigiD (the moving notice needs it)."""
    metadata = token_metadata()
    original = talk.say
    talk.say = lambda text, metadata=metadata: original(text, metadata)  # type: ignore[method-assign]
    return talk


def answer_until(talk: Conversation, answers: dict[str, str], last: str) -> None:
    """Answer what the form asks, from ``answers``, up to and including the question ``last``."""
    for _ in range(12):
        slot = talk.requested_slot
        assert slot in answers, f"the form asks {slot!r}\n{talk.history()}"
        talk.say(answers[slot])
        if slot == last:
            return
    raise AssertionError(talk.history())


def book(talk: Conversation, email: str = "anna@example.org") -> str:
    """Make an appointment for a passport and return its reference."""
    talk.say("ik wil een afspraak maken voor een paspoort")
    talk.answer(
        {
            "appt_date": dutch(working_day(8)),
            "appt_slot": "de eerste",
            "appt_name": "Anna de Vries",
            "appt_contact": email,
            "appt_confirm": "ja",
        }
    )
    assert "afspraak is gemaakt" in talk.last_text, talk.history()
    return talk.tracker()["slots"]["appointment_reference"]


# ---------------------------------------------------------------------------- public-space report
def test_report_with_typed_category_is_sent(talk: Conversation) -> None:
    talk.say("ik wil een melding maken")
    asked = talk.answer(REPORT)
    assert asked[0] == "ps_category" and asked.count("ps_category") == 1, talk.history()
    assert "melding is verstuurd" in talk.last_text, talk.history()


def test_typed_riool_is_an_answer_not_a_restart(talk: Conversation) -> None:
    talk.say("ik wil iets melden over de straat")
    talk.say("riool")
    assert talk.requested_slot == "ps_location", talk.history()
    assert talk.slots["ps_category"] == "riolering"


def test_opening_message_is_not_asked_again(talk: Conversation) -> None:
    talk.say("de lantaarnpaal bij het station is kapot")
    assert talk.requested_slot == "ps_contact", talk.history()
    asked = talk.answer(REPORT)
    assert "ps_category" not in asked and "ps_location" not in asked, talk.history()
    assert "melding is verstuurd" in talk.last_text, talk.history()


def test_nee_is_not_accepted_as_the_place(talk: Conversation) -> None:
    talk.say("ik wil een melding maken over een losse stoeptegel")
    if talk.requested_slot == "ps_category":
        talk.say("stoep")
    assert talk.requested_slot == "ps_location", talk.history()
    talk.say("nee")
    assert talk.requested_slot == "ps_location" and not talk.slots.get("ps_location"), talk.history()
    assert "waar het is" in talk.last_text, talk.history()


def test_thanks_mid_report_is_answered_and_returns_to_the_question(talk: Conversation) -> None:
    talk.say("ik wil een melding maken")
    talk.say("zwerfvuil")
    talk.say("dank u")
    assert "Graag gedaan" in talk.last_text and "verder" in talk.last_text, talk.history()
    assert "ergens anders mee helpen" not in talk.last_text, talk.history()
    assert talk.requested_slot == "ps_location", talk.history()


def test_nee_at_the_summary_changes_only_the_place(talk: Conversation) -> None:
    talk.say("ik wil een melding maken")
    answer_until(talk, dict(REPORT, ps_confirm="nee"), "ps_confirm")
    assert talk.requested_slot == "form_change", talk.history()
    talk.say("de plek klopt niet")
    assert talk.requested_slot == "ps_location", talk.history()
    talk.say("bij de ingang van het park aan de Parkweg")
    assert talk.requested_slot == "ps_confirm", talk.history()
    assert "Parkweg" in talk.last_text and "brandt al een week" in talk.last_text, talk.history()
    talk.say("ja")
    assert "melding is verstuurd" in talk.last_text, talk.history()


def test_stop_and_start_again_starts_clean(talk: Conversation) -> None:
    talk.say("ik wil een melding maken")
    talk.say("straatverlichting")
    talk.say("bij het station")
    talk.say("stop")
    assert "stop hiermee" in talk.last_text, talk.history()
    talk.say("ik wil een melding maken")
    assert talk.requested_slot == "ps_category", talk.history()
    assert talk.slots.get("ps_location") is None


def test_dont_know_the_place_gets_help(talk: Conversation) -> None:
    talk.say("ik wil een melding maken")
    talk.say("afval")
    talk.say("weet ik niet")
    assert "Beschrijf de plek" in talk.last_text, talk.history()
    assert talk.requested_slot == "ps_location"


# ---------------------------------------------------------------------------- moving notice
def test_moving_notice_is_sent(talk: Conversation) -> None:
    moving(talk).say("ik ga verhuizen")
    talk.answer(
        {
            "move_postcode": "9999 AA 12",
            "move_house_number": "12",
            "move_date": "over twee weken",
            "move_household": "met mijn vrouw",
            "move_people": "2",
            "move_confirm": "ja",
        }
    )
    assert "verhuizing is doorgegeven" in talk.last_text, talk.history()


def test_moving_date_unknown_says_from_when(talk: Conversation) -> None:
    moving(talk).say("ik wil mijn verhuizing doorgeven")
    talk.say("9999 AA 12")
    assert talk.requested_slot == "move_date", talk.history()
    talk.say("weet ik niet")
    assert "4 weken" in talk.last_text and "geen datum" not in talk.last_text, talk.history()


def test_moving_date_too_far_ahead_is_explained(talk: Conversation) -> None:
    moving(talk).say("verhuizing doorgeven")
    talk.say("9999 AA 12")
    talk.say(dutch(date.today() + timedelta(days=60)))
    assert "meer dan 4 weken" in talk.last_text, talk.history()


def test_moving_nee_at_the_summary_changes_only_the_date(talk: Conversation) -> None:
    moving(talk).say("ik wil mijn verhuizing doorgeven")
    answer_until(
        talk,
        {
            "move_postcode": "9999 AA 12",
            "move_date": "morgen",
            "move_household": "alleen ik",
            "move_confirm": "nee",
        },
        "move_confirm",
    )
    assert talk.requested_slot == "form_change", talk.history()
    talk.say("de datum")
    assert talk.requested_slot == "move_date", talk.history()
    talk.say("overmorgen")
    assert talk.requested_slot == "move_confirm", talk.history()
    talk.say("ja")
    assert "verhuizing is doorgegeven" in talk.last_text, talk.history()


def test_moving_without_digid_explains_how(talk: Conversation) -> None:
    talk.say("ik wil mijn verhuizing doorgeven")
    assert "DigiD" in talk.last_text and talk.requested_slot is None, talk.history()


def test_moving_left_for_a_human_starts_clean_next_time(talk: Conversation) -> None:
    moving(talk).say("ik wil mijn verhuizing doorgeven")
    talk.say("9999 AA 12")
    talk.say("morgen")
    talk.say("ik wil een medewerker")
    assert talk.tracker()["active_loop"].get("name") == "handoff_form", talk.history()
    talk.say("stop")
    talk.say("ik wil mijn verhuizing doorgeven")
    assert talk.requested_slot == "move_postcode", talk.history()


# ---------------------------------------------------------------------------- appointments
def test_make_an_appointment(talk: Conversation) -> None:
    assert book(talk).startswith("A-")


def test_appointment_day_unknown_gets_help(talk: Conversation) -> None:
    talk.say("ik wil een afspraak maken voor een rijbewijs")
    assert talk.requested_slot == "appt_date", talk.history()
    talk.say("weet ik niet")
    assert "werkdag" in talk.last_text and talk.requested_slot == "appt_date", talk.history()


def test_change_an_appointment(talk: Conversation) -> None:
    reference = book(talk)
    talk.say("ik wil mijn afspraak verzetten")
    talk.answer(
        {
            "appt_reference": reference,
            "appt_verify": "anna@example.org",
            "appt_date": dutch(working_day(12)),
            "appt_slot": "de tweede",
            "appt_confirm": "ja",
        }
    )
    assert "is verzet" in talk.last_text, talk.history()


def test_cancel_an_appointment(talk: Conversation) -> None:
    reference = book(talk)
    talk.say("ik wil mijn afspraak afzeggen")
    talk.answer({"appt_reference": reference, "appt_verify": "anna@example.org", "appt_confirm": "ja"})
    assert "is afgezegd" in talk.last_text, talk.history()


def test_cancel_declined_changes_nothing(talk: Conversation) -> None:
    reference = book(talk)
    talk.say("ik wil mijn afspraak annuleren")
    talk.answer({"appt_reference": reference, "appt_verify": "anna@example.org", "appt_confirm": "nee"})
    assert "ik doe niets" in talk.last_text, talk.history()


def test_wrong_contact_details_show_nothing(talk: Conversation) -> None:
    reference = book(talk)
    talk.say("ik wil mijn afspraak afzeggen")
    talk.say(reference)
    talk.say("iemand@anders.nl")
    assert "hoort niet bij afspraak" in talk.last_text, talk.history()
    assert "Anna" not in talk.last_text


# ---------------------------------------------------------------------------- case status
def test_case_status_by_number(talk: Conversation) -> None:
    talk.say("hoe staat het met mijn aanvraag Z-2026-000003")
    if talk.requested_slot == "status_reference":
        talk.say("Z-2026-000003")
    assert talk.requested_slot == "status_postcode", talk.history()  # without DigiD: a second factor
    talk.say("9999 AA")  # Anna's postcode (backend/seed.py)
    said = "\n".join(text for who, text in talk.transcript if who == "bot")
    assert "Z-2026-000003 is: afgehandeld" in said, talk.history()


def test_case_status_unknown_number(talk: Conversation) -> None:
    talk.say("wat is de status van mijn zaak?")
    assert talk.requested_slot == "status_reference", talk.history()
    talk.say("Z-2026-999999")
    talk.say("9999 AA")  # an unknown number and a wrong postcode get the same answer
    assert "kan ik niet controleren" in talk.last_text, talk.history()


def test_case_status_number_unknown_gets_help(talk: Conversation) -> None:
    talk.say("wat is de status van mijn zaak?")
    talk.say("weet ik niet")
    assert "bevestiging" in talk.last_text and talk.requested_slot == "status_reference", talk.history()


# ---------------------------------------------------------------------------- handoff
def test_a_request_for_a_human_wins_over_the_topic(talk: Conversation) -> None:
    text = "ik wil toch een medewerker, mijn rijbewijs is gestolen"
    talk.say(text)
    tracker = talk.tracker()
    assert tracker["active_loop"].get("name") == "handoff_form", talk.history()
    assert tracker["slots"]["handoff_summary"] == text


def test_handoff_ticket_and_looking_it_up_later(talk: Conversation) -> None:
    talk.say("medewerker")
    talk.answer(
        {
            "contact_preference": "bellen graag",
            "handoff_phone": "06 12345678",
            "handoff_summary": "Mijn grofvuil is twee keer niet opgehaald",
            "handoff_confirm": "ja",
        }
    )
    reference = talk.tracker()["slots"]["handoff_ticket_id"]
    assert reference and reference in talk.last_text, talk.history()
    talk.say("dank je")
    talk.say("wat was mijn ticketnummer?")
    assert reference in talk.last_text and "grofvuil" in talk.last_text, talk.history()


def test_nee_at_the_handoff_confirmation_asks_what_to_change(talk: Conversation) -> None:
    talk.say("ik wil een medewerker spreken")
    answer_until(
        talk,
        {
            "contact_preference": "per e-mail",  # REST: no answer in the chat (actions/reachability.py)
            "handoff_email": "anna@example.org",
            "handoff_summary": "vraag over mijn aanslag",
            "handoff_confirm": "nee",
        },
        "handoff_confirm",
    )
    assert talk.requested_slot == "form_change", talk.history()
    talk.say("mijn vraag")
    assert talk.requested_slot == "handoff_summary", talk.history()
    talk.say("ik wil bezwaar maken tegen de aanslag afvalstoffenheffing")
    talk.say("ja")
    assert "doorgestuurd" in talk.last_text or "opgeslagen" in talk.last_text, talk.history()


def test_handoff_after_a_topic_asks_the_residents_question(talk: Conversation) -> None:
    talk.say("wat kost een paspoort?")
    talk.say("ik wil een medewerker")
    talk.say("in de chat")  # REST cannot receive a later answer: the chat is refused, not taken
    assert talk.requested_slot == "contact_preference", talk.history()
    assert "kan u later niet bereiken" in talk.last_text, talk.history()
    talk.say("per e-mail")
    talk.say("anna@example.org")
    assert talk.requested_slot == "handoff_summary", talk.history()


def test_three_wrong_phone_numbers_give_the_municipality_number(talk: Conversation) -> None:
    talk.say("medewerker")
    talk.say("telefonisch")
    for text in ("12345", "weet ik veel", "abc"):
        talk.say(text)
    assert talk.requested_slot is None and "Bel de gemeente" in talk.last_text, talk.history()


def test_ticket_lookup_without_a_ticket(talk: Conversation) -> None:
    talk.say("wat was mijn ticketnummer?")
    assert "nog geen vraag aan een medewerker" in talk.last_text, talk.history()


# ---------------------------------------------------------------------------- permit checks
def test_dormer_check_typed_answers(talk: Conversation) -> None:
    talk.say("mag ik een dakkapel plaatsen?")
    talk.answer(DORMER_FREE)
    assert "geen vergunning nodig" in talk.last_text, talk.history()


def test_dormer_answer_about_the_dormer_is_not_a_restart(talk: Conversation) -> None:
    talk.say("ik wil een dakkapel bouwen")
    talk.say("de dakkapel komt aan de achterkant van het dak")
    assert talk.requested_slot not in (None, "dormer_roof_side"), talk.history()
    assert talk.slots["dormer_roof_side"] == "achter"


def test_dormer_thanks_mid_check_returns_to_the_question(talk: Conversation) -> None:
    talk.say("heb ik een vergunning nodig voor een dakkapel?")
    talk.say("achterkant")
    asked = talk.requested_slot
    talk.say("dank u")
    assert talk.requested_slot == asked and "verder" in talk.last_text, talk.history()


def test_tree_check_typed_answers(talk: Conversation) -> None:
    talk.say("mag ik de boom in mijn tuin kappen?")
    talk.answer(
        {
            "tree_protected": "nee",
            "tree_location": "in mijn achtertuin",
            "tree_trunk_circumference": "ongeveer 40 cm rond",
        }
    )
    assert "Uitkomst" in talk.last_text, talk.history()


def test_kappen_inside_the_tree_check_does_not_stop_it(talk: Conversation) -> None:
    talk.say("ik wil een boom kappen")
    asked = talk.requested_slot
    assert asked and asked.startswith("tree_"), talk.history()
    talk.say("kappen")
    assert "stop hiermee" not in talk.last_text, talk.history()
    assert talk.tracker()["active_loop"].get("name") == "tree_form", talk.history()
    assert talk.requested_slot == asked, talk.history()


def test_terug_inside_a_check_does_not_stop_it(talk: Conversation) -> None:
    talk.say("ik wil een boom kappen")
    talk.say("terug")
    assert "stop hiermee" not in talk.last_text, talk.history()
    assert talk.tracker()["active_loop"].get("name") == "tree_form", talk.history()


@pytest.mark.parametrize(
    ("opening", "form", "back"),
    [
        ("mag ik een dakkapel plaatsen?", "dormer_form", "ga terug"),
        ("ik wil een melding maken", "public_space_form", "vorige vraag"),
        ("ik wil een afspraak maken voor een paspoort", "appointment_form", "een stap terug aub"),
        ("wat is de status van mijn zaak?", "case_status_form", "terug naar de vorige vraag"),
    ],
)
def test_going_back_inside_a_form_asks_the_question_again(
    talk: Conversation, opening: str, form: str, back: str
) -> None:
    """Going back is not supported: the question is asked again; no handoff, no other topic."""
    talk.say(opening)
    assert talk.tracker()["active_loop"].get("name") == form, talk.history()
    asked = talk.requested_slot
    talk.say(back)
    assert talk.tracker()["active_loop"].get("name") == form, talk.history()
    assert talk.requested_slot == asked, talk.history()
    turn = talk.last_text.lower()
    # no handoff, no stop question, and not the status of a question to an advisor ("vorige vraag")
    assert "stop hiermee" not in turn and "medewerker" not in turn, talk.history()


def test_tree_dont_know_is_an_answer_in_a_self_check(talk: Conversation) -> None:
    talk.say("moet ik een kapvergunning hebben?")
    asked = talk.requested_slot
    talk.say("weet ik niet")
    assert talk.tracker()["active_loop"].get("name") == "tree_form", talk.history()
    assert talk.requested_slot not in (None, asked), talk.history()


# ---------------------------------------------------------------------------- conversation basics
def test_thanks_then_nee_ends_politely(talk: Conversation) -> None:
    talk.say("bedankt")
    assert "ergens anders mee helpen" in talk.last_text, talk.history()
    talk.say("nee")
    assert "Tot ziens" in talk.last_text, talk.history()


def test_yes_to_what_can_you_do_lists_capabilities(talk: Conversation) -> None:
    talk.say("wat voor weer wordt het morgen?")
    assert "Wilt u weten wat ik allemaal kan?" in talk.last_text, talk.history()
    talk.say("ja")
    assert "Ik kan u helpen met" in talk.last_text, talk.history()


def test_an_answer_without_a_question_is_no_error(talk: Conversation) -> None:
    talk.say("hallo")
    talk.say("9999 AA")
    assert "er ging iets mis" not in talk.last_text, talk.history()


def test_dont_know_without_a_question_is_no_error(talk: Conversation) -> None:
    talk.say("hallo")
    talk.say("weet ik niet")
    assert "er ging iets mis" not in talk.last_text and talk.last_text, talk.history()


def test_greeting_asks_how_to_help(talk: Conversation) -> None:
    talk.say("goedemorgen")
    assert "Waarmee kan ik u helpen?" in talk.last_text, talk.history()


def test_a_human_can_be_asked_inside_a_form(talk: Conversation) -> None:
    talk.say("ik wil een afspraak maken")
    talk.say("kan ik iemand spreken, ik snap het niet")
    assert talk.tracker()["active_loop"].get("name") == "handoff_form", talk.history()


def test_a_long_conversation_is_compacted_and_a_report_still_works(talk: Conversation) -> None:
    """Issue 16: after many questions Rasa reads a compact session; nothing the dialogue needs is lost."""
    questions = [
        "wat kost een paspoort?",
        "hoe laat is het gemeentehuis open",
        "wanneer wordt het gft opgehaald",
        "ik heb hulp nodig in huis, wmo",
        "wat kost een rijbewijs",
        "dank u",
    ]
    for _ in range(6):
        for text in questions:
            talk.say(text)
    tracker = talk.tracker()
    assert any((e.get("metadata") or {}).get("compaction_copy") for e in tracker["events"]), (
        "36 messages should have compacted the session"
    )
    assert talk.slots.get("municipality") == "voorbeeldstad"
    talk.say("ik wil een melding maken")
    asked = talk.answer(REPORT)
    assert "melding is verstuurd" in talk.last_text, talk.history()
    assert asked.count("ps_category") <= 1, talk.history()
