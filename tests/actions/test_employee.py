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


class FakeRasa:
    """``httpx.MockTransport`` handler imitating Rasa's ``trigger_intent`` endpoint."""

    def __init__(self) -> None:
        self.up = True
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("connection refused", request=request)
        self.requests.append(request)
        return httpx.Response(200, json={"tracker": {}, "messages": []})


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


def make_ticket(registered: bool = True, sender_id: str = "resident 7") -> str:
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
    reference = make_ticket()
    result = await employee.answer_ticket(reference, "  Uw pas ligt klaar bij de balie.  ")

    assert (result.task_status, result.reply_status) == (outbox.DELIVERED, outbox.DELIVERED)
    ticket = tickets.get_ticket(reference)
    assert ticket.status == tickets.ANSWERED and ticket.answer == "Uw pas ligt klaar bij de balie."
    assert ticket.answered_at is not None and ticket.answer_delivered_at is not None
    assert tasks[0].method == "PATCH" and tasks[0].url.path.endswith("/internetaken/taak-9")
    assert json.loads(tasks[0].content) == {"status": "verwerkt"}

    (request,) = rasa.requests
    assert request.url.raw_path.split(b"?")[0] == b"/conversations/resident%207/trigger_intent"
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
    reference = make_ticket()
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
    reference = make_ticket(registered=False)
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
    first = make_ticket()
    second = make_ticket(sender_id="resident-8")
    assert employee_cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert first in out and second in out and "2 open ticket(s)" in out

    assert employee_cli.main(["answer", first, "Het is geregeld."]) == 0
    assert "answer stored" in capsys.readouterr().out
    assert employee_cli.main(["close", second]) == 0
    assert employee_cli.main(["list"]) == 0
    assert "0 open ticket(s)" in capsys.readouterr().out
    assert employee_cli.main(["answer", "T-2026-999999", "x"]) == 1
