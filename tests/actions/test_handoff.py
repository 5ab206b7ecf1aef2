"""Handoff flow: the form's parsing and validation, the ticket on "ja", nothing on "nee", the reply."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff, parsing, tickets
from actions.content import get_content
from foundation.domain import read_domain
from integrations import klantinteracties
from tests.conftest import TrackerFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY_MORNING = datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)
SUNDAY = datetime(2026, 3, 1, 10, 0, tzinfo=AMSTERDAM)


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    return read_domain()


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [message.get("response") for message in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


# ------------------------------------------------------------------ parsing
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06-12345678", "+31612345678"),
        ("06 1234 5678", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("0031 6 12345678", "+31612345678"),
        ("(020) 123 45 67", "+31201234567"),
        ("0591-123456", "+31591123456"),
        ("0612345678.", "+31612345678"),
    ],
)
def test_valid_dutch_phone_numbers_are_normalised(text: str, expected: str) -> None:
    assert parsing.normalise_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0612345",
        "061234567890",
        "+44 20 7946 0958",
        "0800-1234567",
        "0900 1234567",
        "bel me maar",
        "",
        "00 12345678",
    ],
)
def test_invalid_phone_numbers_are_refused(text: str) -> None:
    assert parsing.normalise_phone(text) is None


def test_display_phone() -> None:
    assert parsing.display_phone("+31612345678") == "06 12345678"
    assert parsing.display_phone("+31201234567") == "020 1234567"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jan.Jansen@Example.NL", "Jan.Jansen@example.nl"),
        ("mijn adres is piet@test.nl", "piet@test.nl"),
        ("piet@test", None),
        ("piet..x@test.nl", None),
        ("geen idee", None),
    ],
)
def test_email_validation(text: str, expected: str | None) -> None:
    assert parsing.find_email(text) == expected


@pytest.mark.parametrize(
    ("text", "entities", "expected"),
    [
        (
            '/inform{"contact_preference": "e-mail"}',
            [{"entity": "contact_preference", "value": "e-mail"}],
            "e-mail",
        ),
        ("bel mij maar", [], "telefoon"),
        ("via de mail graag", [], "e-mail"),
        ("hier in de chat", [], "chat"),
        ("bellen of mailen", [], None),
        ("geen idee", [], None),
    ],
)
def test_contact_preference(text: str, entities: list[dict[str, Any]], expected: str | None) -> None:
    assert handoff.parse_preference(text, entities) == expected


# ------------------------------------------------------------------ the form
async def run_form(tracker: Any) -> tuple[CollectingDispatcher, dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await handoff.ValidateHandoffForm().run(dispatcher, tracker, domain())
    return dispatcher, slot_events(events)


async def test_required_slots_depend_on_preference_not_on_the_topic(make_tracker: TrackerFactory) -> None:
    """The ticket carries the resident's own question, also when a (perhaps stale) topic is set."""
    form = handoff.ValidateHandoffForm()
    names = form.domain_slots(domain())
    chat = make_tracker(slots={"contact_preference": "chat"})
    phone_with_topic = make_tracker(slots={"contact_preference": "telefoon", "current_topic": "paspoort"})
    email = make_tracker(slots={"contact_preference": "e-mail"})
    assert await form.required_slots(names, CollectingDispatcher(), chat, domain()) == [
        "contact_preference",
        "handoff_summary",
        "handoff_confirm",
    ]
    assert await form.required_slots(names, CollectingDispatcher(), phone_with_topic, domain()) == [
        "contact_preference",
        "handoff_phone",
        "handoff_summary",
        "handoff_confirm",
    ]
    assert "handoff_email" in await form.required_slots(names, CollectingDispatcher(), email, domain())


async def test_button_answer_sets_preference_and_asks_the_phone_number(make_tracker: TrackerFactory) -> None:
    tracker = make_tracker(
        intent="inform",
        entities=[("contact_preference", "telefoon")],
        text='/inform{"contact_preference": "telefoon"}',
        slots={"requested_slot": "contact_preference"},
        active_loop="handoff_form",
    )
    dispatcher, slots = await run_form(tracker)
    assert slots["contact_preference"] == "telefoon"
    assert slots["requested_slot"] == "handoff_phone"
    assert dispatcher.messages == []


async def test_phone_answer_is_normalised(make_tracker: TrackerFactory) -> None:
    tracker = make_tracker(
        intent="inform",
        text="06-12 34 56 78",
        slots={"requested_slot": "handoff_phone", "contact_preference": "telefoon"},
        active_loop="handoff_form",
    )
    _, slots = await run_form(tracker)
    assert slots["handoff_phone"] == "+31612345678"
    assert slots["requested_slot"] == "handoff_summary"


async def test_summary_is_masked(make_tracker: TrackerFactory) -> None:
    tracker = make_tracker(
        intent="passport_id_card",
        text="Mijn paspoort met BSN 999993653 is gestolen",
        slots={"requested_slot": "handoff_summary", "contact_preference": "chat"},
        active_loop="handoff_form",
    )
    _, slots = await run_form(tracker)
    assert "999993653" not in slots["handoff_summary"] and "[BSN]" in slots["handoff_summary"]
    assert slots["requested_slot"] == "handoff_confirm"


async def test_invalid_answer_is_explained_and_counted(make_tracker: TrackerFactory) -> None:
    tracker = make_tracker(
        intent="inform",
        text="12345",
        slots={
            "requested_slot": "handoff_phone",
            "contact_preference": "telefoon",
            "form_invalid_count": 1.0,
            "form_invalid_slot": "handoff_phone",
        },
        active_loop="handoff_form",
    )
    dispatcher, slots = await run_form(tracker)
    assert responses(dispatcher) == ["utter_handoff_invalid_phone"]
    assert slots["handoff_phone"] is None and slots["form_invalid_count"] == 2.0
    assert slots["requested_slot"] == "handoff_phone"


async def test_third_invalid_answer_gives_the_phone_number_and_stops(make_tracker: TrackerFactory) -> None:
    tracker = make_tracker(
        intent="inform",
        text="weet ik veel",
        slots={
            "requested_slot": "handoff_email",
            "contact_preference": "e-mail",
            "form_invalid_count": 2.0,
            "form_invalid_slot": "handoff_email",
        },
        active_loop="handoff_form",
    )
    dispatcher, slots = await run_form(tracker)
    assert responses(dispatcher) == ["utter_handoff_give_up"]
    phone = get_content().contact["phone"]
    assert dispatcher.messages[0]["phone"] == phone
    assert slots["form_handoff"] is True and slots["requested_slot"] is None


async def test_valid_answer_resets_the_counter(make_tracker: TrackerFactory) -> None:
    tracker = make_tracker(
        intent="affirm",
        text="ja",
        slots={
            "requested_slot": "handoff_confirm",
            "contact_preference": "chat",
            "form_invalid_count": 2.0,
            "form_invalid_slot": "handoff_confirm",
            "handoff_summary": "vraag",
        },
        active_loop="handoff_form",
    )
    _, slots = await run_form(tracker)
    assert slots["handoff_confirm"] == "ja" and slots["form_invalid_count"] is None
    assert slots["requested_slot"] is None


async def test_cancel_fills_nothing_so_the_rules_can_stop_the_form(make_tracker: TrackerFactory) -> None:
    tracker = make_tracker(
        intent="cancel",
        text="stop",
        slots={"requested_slot": "handoff_phone", "contact_preference": "telefoon"},
        active_loop="handoff_form",
    )
    form = handoff.ValidateHandoffForm()
    assert await form.get_extraction_events(CollectingDispatcher(), tracker, domain()) == []


async def test_a_new_form_starts_with_a_fresh_invalid_count(make_tracker: TrackerFactory) -> None:
    tracker = make_tracker(intent="request_human", text="medewerker", slots={"form_invalid_count": 2.0})
    _, slots = await run_form(tracker)
    assert slots["form_invalid_count"] is None
    assert slots["requested_slot"] == "contact_preference"


async def test_confirmation_question_names_phone_and_summary(make_tracker: TrackerFactory) -> None:
    tracker = make_tracker(
        slots={
            "contact_preference": "telefoon",
            "handoff_phone": "+31612345678",
            "handoff_summary": "Mijn afval",
        }
    )
    dispatcher = CollectingDispatcher()
    await handoff.ActionAskHandoffConfirm().run(dispatcher, tracker, domain())
    assert dispatcher.messages[0]["response"] == "utter_ask_handoff_confirm_telefoon"
    assert dispatcher.messages[0]["contact_value"] == "06 12345678"
    assert dispatcher.messages[0]["summary"] == "Mijn afval"


# ------------------------------------------------------------------ submit
class FakeKlantinteracties:
    """``httpx.MockTransport`` handler imitating Klantinteracties (or failing with 503)."""

    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            return httpx.Response(503, json={"detail": "down"})
        if request.url.path.endswith("/klantcontacten"):
            return httpx.Response(201, json={"uuid": "kc-1", "nummer": "0000000001"})
        body = json.loads(request.content)
        return httpx.Response(
            201,
            json={
                "uuid": "taak-1",
                "nummer": "0000000001",
                "gevraagdeHandeling": body["gevraagdeHandeling"],
                "toelichting": body["toelichting"],
                "status": "te_verwerken",
                "aanleidinggevendKlantcontact": {"uuid": "kc-1"},
                "toegewezenOp": None,
                "afgehandeldOp": None,
            },
        )


@pytest.fixture
def fake_ki(monkeypatch: pytest.MonkeyPatch) -> FakeKlantinteracties:
    fake = FakeKlantinteracties()
    original = klantinteracties.KlantinteractiesClient.from_settings.__func__  # type: ignore[attr-defined]

    def from_settings(cls: Any, settings: Any = None, transport: Any = None) -> Any:
        return original(cls, settings, transport=httpx.MockTransport(fake))

    monkeypatch.setattr(klantinteracties.KlantinteractiesClient, "from_settings", classmethod(from_settings))
    return fake


def confirmed_tracker(make_tracker: TrackerFactory, **slots: Any) -> Any:
    values = {
        "contact_preference": "chat",
        "handoff_summary": "Wanneer wordt het grofvuil opgehaald?",
        "handoff_confirm": "ja",
    }
    values.update(slots)
    history = [
        {
            "event": "user",
            "text": "mijn nummer is 06-12345678",
            "timestamp": 1.0,
            "input_channel": "socketio",
        },
        {"event": "bot", "text": "Ik begrijp uw vraag niet helemaal.", "timestamp": 2.0},
    ]
    return make_tracker(intent="affirm", text="ja", slots=values, events=history, sender_id="resident-42")


async def test_affirm_creates_a_ticket_and_promises_office_hours_answer(
    sqlite_db: str,
    fake_ki: FakeKlantinteracties,
    make_tracker: TrackerFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(handoff.clock, "utcnow", lambda: MONDAY_MORNING)
    dispatcher = CollectingDispatcher()
    events = await handoff.ActionHandoffSubmit().run(dispatcher, confirmed_tracker(make_tracker), domain())

    slots = slot_events(events)
    reference = slots["handoff_ticket_id"]
    assert tickets.REFERENCE_RE.match(reference)
    assert all(slots[name] is None for name in handoff.FORM_SLOTS)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_handoff_ticket_created"
    assert message["ticket_reference"] == reference
    assert message["response_time_text"] == get_content().handoff["office_hours_response"]
    ticket = tickets.get_ticket(reference)
    assert ticket.sender_id == "resident-42" and ticket.contact_preference == "chat"
    assert ticket.internetaak_uuid == "taak-1" and ticket.klantcontact_uuid == "kc-1"
    assert all("06-12345678" not in m["text"] for m in ticket.transcript)
    assert len(fake_ki.requests) == 2
    assert fake_ki.requests[0].headers["Idempotency-Key"] == f"handoff:{reference}:kc"


async def test_outside_office_hours_the_promise_says_so(
    sqlite_db: str,
    fake_ki: FakeKlantinteracties,
    make_tracker: TrackerFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(handoff.clock, "utcnow", lambda: SUNDAY)
    dispatcher = CollectingDispatcher()
    await handoff.ActionHandoffSubmit().run(dispatcher, confirmed_tracker(make_tracker), domain())
    assert dispatcher.messages[0]["response_time_text"] == get_content().handoff["outside_hours_response"]


async def test_backend_down_the_request_is_saved_and_the_resident_told_plainly(
    sqlite_db: str, fake_ki: FakeKlantinteracties, make_tracker: TrackerFactory
) -> None:
    fake_ki.down = True
    dispatcher = CollectingDispatcher()
    events = await handoff.ActionHandoffSubmit().run(
        dispatcher,
        confirmed_tracker(make_tracker, contact_preference="telefoon", handoff_phone="+31612345678"),
        domain(),
    )
    reference = slot_events(events)["handoff_ticket_id"]
    message = dispatcher.messages[0]
    assert message["response"] == "utter_handoff_saved_offline"
    assert message["ticket_reference"] == reference
    assert message["phone"] == get_content().contact["phone"]
    ticket = tickets.get_ticket(reference)
    assert ticket.status == tickets.OPEN and ticket.internetaak_uuid is None
    assert ticket.contact_value == "+31612345678"


async def test_deny_sends_nothing(
    sqlite_db: str, fake_ki: FakeKlantinteracties, make_tracker: TrackerFactory
) -> None:
    dispatcher = CollectingDispatcher()
    events = await handoff.ActionHandoffSubmit().run(
        dispatcher, confirmed_tracker(make_tracker, handoff_confirm=False), domain()
    )
    assert responses(dispatcher) == ["utter_handoff_not_sent"]
    assert "handoff_ticket_id" not in slot_events(events)
    assert tickets.list_tickets(None) == [] and fake_ki.requests == []


async def test_after_giving_up_nothing_more_is_said(sqlite_db: str, make_tracker: TrackerFactory) -> None:
    dispatcher = CollectingDispatcher()
    events = await handoff.ActionHandoffSubmit().run(
        dispatcher, make_tracker(slots={"form_handoff": True}), domain()
    )
    assert dispatcher.messages == [] and slot_events(events)["form_handoff"] is None
    assert tickets.list_tickets(None) == []


async def test_storage_failure_gives_phone_and_hours(
    sqlite_db: str, make_tracker: TrackerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("database down")

    monkeypatch.setattr(tickets, "create_handoff_ticket", broken)
    dispatcher = CollectingDispatcher()
    await handoff.ActionHandoffSubmit().run(dispatcher, confirmed_tracker(make_tracker), domain())
    assert responses(dispatcher) == ["utter_handoff_failed", "utter_request_human"]
    assert dispatcher.messages[1]["phone_hours"] == get_content().contact["phone_hours"]


# ------------------------------------------------------------------ the employee's reply
async def test_human_reply_is_said_only_in_the_ticket_owners_conversation(
    sqlite_db: str, make_tracker: TrackerFactory
) -> None:
    reference, _ = tickets.create_handoff_ticket(
        tickets.NewTicket(sender_id="resident-7", channel="rest", summary="vraag", contact_preference="chat")
    )
    tickets.update_ticket(reference, answer="Uw pas ligt klaar.", status=tickets.ANSWERED)

    own = make_tracker(
        intent="human_reply",
        entities=[("ticket_reference", reference)],
        sender_id="resident-7",
        text="EXTERNAL: human_reply",
    )
    dispatcher = CollectingDispatcher()
    await handoff.ActionDeliverHumanReply().run(dispatcher, own, domain())
    assert dispatcher.messages[0]["response"] == "utter_human_reply"
    assert dispatcher.messages[0]["answer"] == "Uw pas ligt klaar."

    foreign = make_tracker(
        intent="human_reply",
        entities=[("ticket_reference", reference)],
        sender_id="someone",
        text="EXTERNAL: human_reply",
    )
    dispatcher = CollectingDispatcher()
    await handoff.ActionDeliverHumanReply().run(dispatcher, foreign, domain())
    assert dispatcher.messages == []


async def test_a_typed_human_reply_is_refused_even_in_the_owners_conversation(
    sqlite_db: str, make_tracker: TrackerFactory
) -> None:
    """Issue 13: ``/human_reply{...}`` typed by a resident must not look like an employee's answer."""
    reference, _ = tickets.create_handoff_ticket(
        tickets.NewTicket(sender_id="resident-8", channel="rest", summary="vraag", contact_preference="chat")
    )
    tickets.update_ticket(reference, answer="Uw pas ligt klaar.", status=tickets.ANSWERED)
    typed = make_tracker(
        intent="human_reply",
        entities=[("ticket_reference", reference)],
        sender_id="resident-8",
        text=f'/human_reply{{"ticket_reference": "{reference}"}}',
    )
    dispatcher = CollectingDispatcher()
    await handoff.ActionDeliverHumanReply().run(dispatcher, typed, domain())
    assert [m["response"] for m in dispatcher.messages] == ["utter_system_intent_refused"]


def test_domain_has_every_response_and_slot_the_flow_uses() -> None:
    d = domain()
    for name in (
        "utter_handoff_ticket_created",
        "utter_handoff_saved_offline",
        "utter_human_reply",
        "utter_auth_needed",
        "utter_ask_contact_preference",
        "utter_handoff_give_up",
    ):
        assert name in d["responses"]
    assert set(handoff.FORM_SLOTS) == set(d["forms"]["handoff_form"]["required_slots"])
    assert "human_reply" in d["intents"]
