"""Employee tool: answering stores the answer, completes the task and reaches the resident's chat."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest

from actions import employee, tickets
from app import employee as employee_cli
from foundation import clock, outbox
from foundation.db import get_engine
from foundation.settings import get_settings
from integrations import klantinteracties


def user(text: str, intent: str, channel: str = "socketio") -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "input_channel": channel,
        "parse_data": {"intent": {"name": intent}},
    }


def bot(text: str) -> dict[str, Any]:
    return {"event": "bot", "text": text}


SESSION_START = [
    {"event": "action", "name": "action_session_start"},
    {"event": "session_started"},
    {"event": "action", "name": "action_listen"},
]
TRIGGERED = user("EXTERNAL: human_reply", "human_reply", channel=None)  # type: ignore[arg-type]


class FakeRasa:
    """``httpx.MockTransport`` handler imitating Rasa 3.6's ``trigger_intent`` endpoint.

    Like Rasa (Sanic 21.12), it takes the conversation id from the raw path without unquoting it.
    By default the conversation exists (the resident said "hallo" over socket.io), Rasa sent the
    answer through that channel (no ``messages`` in the body) and the answer is in the tracker.
    """

    def __init__(self) -> None:
        self.up = True
        self.requests: list[httpx.Request] = []
        self.conversations: dict[str, list[dict[str, Any]]] = {}
        self.pushes = True  # the conversation's latest input channel can send messages itself
        self.utters = True  # action_deliver_human_reply says the answer

    def open(self, sender_id: str, channel: str = "socketio") -> None:
        self.conversations[sender_id] = [*SESSION_START, user("hallo", "greet", channel), bot("Hallo!")]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("connection refused", request=request)
        self.requests.append(request)
        raw = request.url.raw_path.split(b"?")[0].decode()
        sender_id = raw.removeprefix("/conversations/").removesuffix("/trigger_intent")
        known = sender_id in self.conversations
        events = self.conversations.setdefault(sender_id, list(SESSION_START))
        events.append(TRIGGERED)
        if self.utters:
            events.append(bot("Antwoord van de medewerker"))
        channels = [e["input_channel"] for e in events if e["event"] == "user" and e["input_channel"]]
        tracker = {
            "sender_id": sender_id,
            "events": list(events),
            "latest_input_channel": channels[-1] if channels else None,
        }
        body: dict[str, Any] = {"tracker": tracker}
        if not (known and self.pushes):  # Rasa fell back to its CollectingOutputChannel
            body["messages"] = [{"recipient_id": sender_id, "text": "Antwoord van de medewerker"}]
        return httpx.Response(200, json=body)


@pytest.fixture
def rasa(monkeypatch: pytest.MonkeyPatch) -> FakeRasa:
    fake = FakeRasa()
    monkeypatch.setenv("RASA_URL", "http://rasa.test:5005")
    monkeypatch.setenv("RASA_TOKEN", "rasa-token")
    monkeypatch.setenv("RASA_JWT_SECRET", "rasa-jwt-secret-for-the-tests-32-bytes")
    get_settings.cache_clear()
    monkeypatch.setattr(
        employee,
        "make_rasa_http",
        lambda s: httpx.AsyncClient(base_url=s.rasa_url, transport=httpx.MockTransport(fake)),
    )
    yield fake
    get_settings.cache_clear()


@pytest.fixture
def tasks(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """Fake Klantinteracties that accepts PATCH internetaken/<uuid>."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = json.loads(request.content)
        uuid = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(
            200,
            json={
                "uuid": uuid,
                "gevraagdeHandeling": "Terugbellen",
                "status": body["status"],
                "aanleidinggevendKlantcontact": {"uuid": "kc"},
                "toelichting": "",
            },
        )

    original = klantinteracties.KlantinteractiesClient.from_settings.__func__  # type: ignore[attr-defined]

    def from_settings(cls: Any, settings: Any = None, transport: Any = None) -> Any:
        return original(cls, settings, transport=httpx.MockTransport(handle))

    monkeypatch.setattr(klantinteracties.KlantinteractiesClient, "from_settings", classmethod(from_settings))
    return seen


def make_ticket(
    registered: bool = True,
    sender_id: str = "web:0123456789abcdef0123456789abcdef",
    rasa: FakeRasa | None = None,
) -> str:
    if rasa is not None:
        rasa.open(sender_id)
    reference, entry_id = tickets.create_handoff_ticket(
        tickets.NewTicket(
            sender_id=sender_id,
            channel="socketio",
            summary="Wanneer is mijn pas klaar?",
            contact_preference="chat",
        )
    )
    if registered:  # as if the outbox had delivered the handoff to Klantinteracties
        tickets.update_ticket(reference, internetaak_uuid="taak-9", klantcontact_uuid="kc-9")
        with get_engine().begin() as conn:
            conn.execute(
                outbox.outbox.update().where(outbox.outbox.c.id == entry_id).values(status=outbox.DELIVERED)
            )
    return reference


async def test_answer_is_stored_task_completed_and_reply_triggered(
    sqlite_db: str, rasa: FakeRasa, tasks: list[httpx.Request]
) -> None:
    reference = make_ticket(rasa=rasa)
    result = await employee.answer_ticket(reference, "  Uw pas ligt klaar bij de balie.  ")

    assert (result.task_status, result.reply_status) == (outbox.DELIVERED, outbox.DELIVERED)
    ticket = tickets.get_ticket(reference)
    assert ticket.status == tickets.ANSWERED and ticket.answer == "Uw pas ligt klaar bij de balie."
    assert ticket.answered_at is not None and ticket.answer_delivered_at is not None
    assert tasks[0].method == "PATCH" and tasks[0].url.path.endswith("/internetaken/taak-9")
    assert json.loads(tasks[0].content) == {"status": "verwerkt"}

    (request,) = rasa.requests
    # the id as it is: Rasa 3.6 does not unquote the path, "web%3A..." would be another conversation
    assert request.url.raw_path.split(b"?")[0] == (
        b"/conversations/web:0123456789abcdef0123456789abcdef/trigger_intent"
    )
    assert request.url.params["output_channel"] == "latest"
    assert request.url.params["token"] == "rasa-token"
    claims = jwt.decode(
        request.headers["Authorization"].removeprefix("Bearer "),
        "rasa-jwt-secret-for-the-tests-32-bytes",
        algorithms=["HS256"],
    )
    assert claims["user"] == {"username": "employee-tool", "role": "admin"}
    assert json.loads(request.content) == {"name": "human_reply", "entities": {"ticket_reference": reference}}


async def test_rasa_unreachable_the_reply_stays_pending_and_is_retried(
    sqlite_db: str, rasa: FakeRasa, tasks: list[httpx.Request]
) -> None:
    reference = make_ticket(rasa=rasa)
    rasa.up = False
    result = await employee.answer_ticket(reference, "Antwoord")
    assert result.reply_status == outbox.PENDING
    assert tickets.get_ticket(reference).answer_delivered_at is None

    rasa.up = True
    counts = await outbox.deliver_due(now=clock.utcnow() + timedelta(hours=2))
    assert counts == {outbox.DELIVERED: 1}
    assert len(rasa.requests) == 1
    assert tickets.get_ticket(reference).answer_delivered_at is not None


async def test_task_completion_waits_until_the_handoff_is_registered(
    sqlite_db: str, rasa: FakeRasa, tasks: list[httpx.Request]
) -> None:
    reference = make_ticket(registered=False, rasa=rasa)
    result = await employee.answer_ticket(reference, "Antwoord")
    assert result.task_status == outbox.PENDING and tasks == []
    assert result.reply_status == outbox.DELIVERED


async def test_only_open_tickets_with_text_can_be_answered(
    sqlite_db: str, rasa: FakeRasa, tasks: Any
) -> None:
    reference = make_ticket()
    with pytest.raises(employee.TicketError):
        await employee.answer_ticket(reference, "   ")
    await employee.answer_ticket(reference, "Eerste antwoord")
    with pytest.raises(employee.TicketError):
        await employee.answer_ticket(reference, "Tweede antwoord")
    with pytest.raises(employee.TicketError):
        await employee.answer_ticket("T-2026-999999", "Antwoord")
    assert tickets.get_ticket(reference).answer == "Eerste antwoord"


def test_cli_list_answer_and_close(
    sqlite_db: str, rasa: FakeRasa, tasks: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    first = make_ticket(rasa=rasa)
    second = make_ticket(sender_id="wa:31612345678", rasa=rasa)
    assert employee_cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert first in out and second in out and "2 open ticket(s)" in out

    assert employee_cli.main(["answer", first, "Het is geregeld."]) == 0
    assert "answer stored" in capsys.readouterr().out
    assert employee_cli.main(["close", second]) == 0
    assert employee_cli.main(["list"]) == 0
    assert "0 open ticket(s)" in capsys.readouterr().out
    assert employee_cli.main(["answer", "T-2026-999999", "x"]) == 1


async def test_a_whatsapp_conversation_is_addressed_by_its_own_id(
    sqlite_db: str, rasa: FakeRasa, tasks: Any
) -> None:
    reference = make_ticket(sender_id="wa:31612345678", rasa=rasa)
    result = await employee.answer_ticket(reference, "Antwoord")
    assert result.reply_status == outbox.DELIVERED
    assert rasa.requests[0].url.raw_path.split(b"?")[0] == b"/conversations/wa:31612345678/trigger_intent"


async def test_an_answer_into_a_conversation_rasa_does_not_know_is_not_delivered(
    sqlite_db: str, rasa: FakeRasa, tasks: Any
) -> None:
    reference = make_ticket()  # Rasa has no events of this conversation (e.g. purged, wrong id)
    result = await employee.answer_ticket(reference, "Antwoord")
    assert result.reply_status == outbox.DEAD
    assert "unknown" in (result.reply_error or "")
    assert tickets.get_ticket(reference).answer_delivered_at is None


async def test_an_answer_rasa_could_only_collect_is_not_delivered(
    sqlite_db: str, rasa: FakeRasa, tasks: Any
) -> None:
    reference = make_ticket(rasa=rasa)
    rasa.pushes = False  # e.g. the REST channel, or an instance without the resident's channel
    result = await employee.answer_ticket(reference, "Antwoord")
    assert result.reply_status == outbox.DEAD
    assert "socketio" in (result.reply_error or "")
    assert tickets.get_ticket(reference).answer_delivered_at is None


async def test_an_answer_the_assistant_did_not_say_is_not_delivered(
    sqlite_db: str, rasa: FakeRasa, tasks: Any
) -> None:
    reference = make_ticket(rasa=rasa)
    rasa.utters = False  # action_deliver_human_reply refused (foreign or unknown ticket)
    result = await employee.answer_ticket(reference, "Antwoord")
    assert result.reply_status == outbox.DEAD
    assert tickets.get_ticket(reference).answer_delivered_at is None


async def test_a_conversation_id_rasa_cannot_address_is_not_sent(
    sqlite_db: str, rasa: FakeRasa, tasks: Any
) -> None:
    reference = make_ticket(sender_id="resident 7")  # Rasa would read "resident%207"
    result = await employee.answer_ticket(reference, "Antwoord")
    assert result.reply_status == outbox.DEAD and rasa.requests == []


def test_cli_says_why_an_answer_was_not_delivered(
    sqlite_db: str, rasa: FakeRasa, tasks: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = make_ticket()
    assert employee_cli.main(["answer", reference, "Het is geregeld."]) == 0
    out = capsys.readouterr().out
    assert "delivery into the conversation: dead" in out and "NOT delivered" in out and "unknown" in out


# ---------------------------------------------------------------- WhatsApp outside the 24-hour window
class FakeWhatsApp:
    """Records the templates the employee tool would send."""

    def __init__(self) -> None:
        self.templates: list[tuple[str, str, list[dict[str, Any]]]] = []

    async def send_template(
        self, recipient_id: str, template_name: str, language: str = "nl", components: Any = None
    ) -> dict[str, Any]:
        self.templates.append((recipient_id, template_name, components or []))
        return {"messages": [{"id": "wamid.T"}]}


@pytest.mark.parametrize("inside_window", [True, False])
async def test_a_whatsapp_answer_outside_the_window_goes_as_the_reply_template(
    sqlite_db: str,
    rasa: FakeRasa,
    tasks: list[httpx.Request],
    monkeypatch: pytest.MonkeyPatch,
    inside_window: bool,
) -> None:
    from datetime import datetime, timezone

    from actions import whatsapp_reply
    from channels import whatsapp_ids, whatsapp_store

    monkeypatch.setenv("WHATSAPP_REPLY_TEMPLATE", "antwoord_klaar")
    get_settings.cache_clear()
    fake = FakeWhatsApp()
    monkeypatch.setattr(whatsapp_reply, "make_output", lambda settings: fake)
    last = datetime.now(timezone.utc) - (timedelta(hours=1) if inside_window else timedelta(hours=30))
    sender = whatsapp_ids.remember("31612345678", last)  # the resident's last message
    rasa.open(sender, "whatsapp")
    whatsapp_store.touch_contact("31612345678", last)
    reference, _ = tickets.create_handoff_ticket(
        tickets.NewTicket(sender_id=sender, channel="whatsapp", summary="Vraag", contact_preference="chat")
    )
    result = await employee.answer_ticket(reference, "Uw pas ligt klaar.")
    assert result.reply_status == outbox.DELIVERED
    if inside_window:
        assert len(rasa.requests) == 1 and fake.templates == []
    else:
        assert rasa.requests == []
        [(recipient, name, components)] = fake.templates
        assert (recipient, name) == (sender, "antwoord_klaar")
        assert reference in json.dumps(components) and "pas" not in json.dumps(components)
    assert tickets.get_ticket(reference).answer_delivered_at is not None


async def test_without_a_reply_template_a_closed_window_is_not_retried_forever(
    sqlite_db: str, rasa: FakeRasa, tasks: list[httpx.Request], monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime, timezone

    from channels import whatsapp_ids, whatsapp_store

    monkeypatch.delenv("WHATSAPP_REPLY_TEMPLATE", raising=False)
    get_settings.cache_clear()
    sender = whatsapp_ids.remember("31612345679", datetime.now(timezone.utc) - timedelta(days=2))
    whatsapp_store.touch_contact("31612345679", datetime.now(timezone.utc) - timedelta(days=2))
    reference, _ = tickets.create_handoff_ticket(
        tickets.NewTicket(sender_id=sender, channel="whatsapp", summary="Vraag", contact_preference="e-mail")
    )
    result = await employee.answer_ticket(reference, "Uw pas ligt klaar.")
    assert result.reply_status == outbox.DEAD and rasa.requests == []
