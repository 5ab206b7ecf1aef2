"""The signal engine against the BRP stand-in and a fake Rasa: consent, ledger, failures, dry run."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import jwt
import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestServer

from foundation import db
from foundation.settings import get_settings
from integrations.brp import BrpClient
from privacy.processing_log import processing_log
from signals import engine, store
from signals.delivery import Deliverer
from signals.engine import RunReport, deliver_pending, evaluate, run
from tests.signals.conftest import only

ANNA = "999990007"  # born 1959-12-20: AOW 2026-12-20 (67 y); passport expires seed day + 45
BERT = "999990019"  # born 1960-03-05: AOW 2027-03-05; passport expired 30 days before the seed day
CARLA = "999990020"  # born 1961-07-14: AOW 2028-10-14 (67 y 3 m); passport seed day + 200
DAAN = "999990032"  # born 2008-06-15: 18 in 2026; passport seed day + 20
AOW_DAY = date(2026, 11, 1)  # Anna in her AOW window (from 2026-08-20), Bert not yet (from 2026-11-03)


def consent(
    bsn: str, sender_id: str | None = None, channel: str = "socketio", version: str = "2026-11"
) -> None:
    store.record_consent(bsn, channel, sender_id or f"web-{bsn}", version)


def statuses() -> list[tuple[str, str, str]]:
    return [(e.resident_key, e.rule_id, e.status) for e in store.ledger_entries()]


# ---------------------------------------------------------------------------- consent
async def test_no_consent_no_lookup_no_signal(settings, rules, fake_rasa):
    report = await run(today=AOW_DAY, settings=settings, rules=rules)
    assert (report.residents, report.recorded, report.sent) == (0, 0, 0)
    assert fake_rasa.attempts == [] and store.ledger_entries() == []
    with db.get_engine().connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(processing_log)).scalar() == 0


async def test_aow_signal_is_sent_once_with_the_right_details(settings, rules, fake_rasa):
    consent(ANNA, "web-anna")
    consent(BERT)
    consent(CARLA)
    report = await run(today=AOW_DAY, settings=settings, rules=only(rules, "aow_leeftijd"))
    assert (report.residents, report.recorded, report.sent, report.failed) == (3, 1, 1, 0)
    [call] = fake_rasa.delivered
    assert call["sender_id"] == "web-anna"
    assert call["query"]["output_channel"] == "socketio"
    assert call["json"] == {
        "name": "proactive_signal",
        "entities": {"signal_rule": "aow_leeftijd", "signal_date": "20-12-2026"},
    }
    [entry] = store.ledger_entries()
    assert (entry.resident_key, entry.rule_id, entry.period, entry.status) == (
        store.resident_key(ANNA),
        "aow_leeftijd",
        "once",
        "sent",
    )
    assert entry.sent_via == "rasa:socketio"


async def test_window_boundary_through_the_brp(settings, rules, fake_rasa):
    consent(BERT)  # AOW 2027-03-05, window from 2026-11-03
    aow = only(rules, "aow_leeftijd")
    assert (await run(today=date(2026, 11, 2), settings=settings, rules=aow)).recorded == 0
    assert (await run(today=date(2026, 11, 3), settings=settings, rules=aow)).sent == 1


async def test_carla_born_1961_gets_her_signal_at_67_years_and_3_months(settings, rules, fake_rasa):
    consent(CARLA)
    aow = only(rules, "aow_leeftijd")
    start = date(2028, 10, 14) - timedelta(days=aow.get("aow_leeftijd").when["lead_days"])
    assert (await run(today=start - timedelta(days=1), settings=settings, rules=aow)).recorded == 0
    assert (await run(today=start, settings=settings, rules=aow)).sent == 1
    assert fake_rasa.delivered[0]["json"]["entities"]["signal_date"] == "14-10-2028"


async def test_school_leaver_and_documents_through_the_brp(settings, rules, fake_rasa):
    consent(DAAN)
    consent(BERT)
    report = await run(today=date(2026, 2, 1), settings=settings, rules=only(rules, "vervolgopleiding"))
    assert report.sent == 1
    assert fake_rasa.delivered[0]["json"]["entities"] == {
        "signal_rule": "vervolgopleiding",
        "signal_date": "01-05-2026",
    }
    # the stand-in seeds expiry dates relative to the day it started: evaluate on that day
    report = await run(
        today=date.today(), settings=settings, rules=only(rules, "paspoort_verloopt", "id_kaart_verloopt")
    )
    assert report.sent == 1  # Daan's passport (+20 days); Bert's expired one and his ID card are not due
    assert fake_rasa.delivered[1]["json"]["entities"]["signal_rule"] == "paspoort_verloopt"


async def test_a_consent_on_an_outdated_text_gets_nothing(settings, rules, fake_rasa):
    consent(ANNA, version="2020-01")
    report = await run(today=AOW_DAY, settings=settings, rules=rules)
    assert (report.residents, report.recorded) == (0, 0)
    assert fake_rasa.attempts == []


async def test_brp_lookups_are_in_the_processing_log(settings, rules, fake_rasa):
    consent(ANNA)
    await run(today=AOW_DAY, settings=settings, rules=rules)
    with db.get_engine().connect() as conn:
        rows = conn.execute(processing_log.select()).all()
    assert {r.purpose for r in rows} == {"signalering"}
    assert {r.subject_pseudonym for r in rows} == {store.resident_key(ANNA)}
    assert {r.data_categories for r in rows} == {
        "geboortedatum",
        "reisdocument soort,reisdocument einddatum geldigheid",
    }
    assert all(ANNA not in str(tuple(r)) for r in rows)


async def test_brp_down_skips_the_resident_and_records_nothing(settings, rules, fake_rasa, backend_faults):
    consent(ANNA)
    backend_faults("down")
    report = await run(today=AOW_DAY, settings=settings, rules=rules)
    assert (report.lookup_failures, report.recorded, report.sent) == (1, 0, 0)
    backend_faults("none")
    assert (await run(today=AOW_DAY, settings=settings, rules=only(rules, "aow_leeftijd"))).sent == 1


# ---------------------------------------------------------------------------- ledger and failures
async def test_running_twice_the_same_day_sends_nothing_twice(settings, rules, fake_rasa):
    consent(ANNA)
    first = await run(today=AOW_DAY, settings=settings, rules=rules)
    second = await run(today=AOW_DAY, settings=settings, rules=rules)
    assert first.recorded == first.sent >= 1
    assert (second.recorded, second.already_recorded, second.sent) == (0, first.recorded, 0)
    assert len(fake_rasa.delivered) == first.sent
    assert len(store.ledger_entries()) == first.recorded
    # and again on a later day in the same window: the AOW signal is once per resident
    third = await run(today=AOW_DAY + timedelta(days=7), settings=settings, rules=only(rules, "aow_leeftijd"))
    assert (third.recorded, third.sent) == (0, 0)


async def test_rasa_failing_keeps_the_signal_pending_until_it_works(settings, rules, fake_rasa):
    consent(ANNA)
    aow = only(rules, "aow_leeftijd")
    fake_rasa.fail(2)
    assert (await run(today=AOW_DAY, settings=settings, rules=aow)).failed == 1
    [entry] = store.ledger_entries()
    assert (entry.status, entry.attempts) == ("pending", 1) and "500" in entry.last_error
    assert (await run(today=AOW_DAY, settings=settings, rules=aow, deliver_only=True)).failed == 1
    report = await run(today=AOW_DAY, settings=settings, rules=aow)
    assert (report.recorded, report.sent) == (0, 1)
    assert len(fake_rasa.attempts) == 3 and len(fake_rasa.delivered) == 1
    [entry] = store.ledger_entries()
    assert (entry.status, entry.attempts, entry.last_error) == ("sent", 3, None)
    assert (await run(today=AOW_DAY, settings=settings, rules=aow)).sent == 0
    assert len(fake_rasa.delivered) == 1


async def test_rasa_unreachable_then_back(settings, rules, fake_rasa):
    consent(ANNA)
    aow = only(rules, "aow_leeftijd")
    down = dataclasses.replace(settings, rasa_url="http://127.0.0.1:9")  # discard port: refused
    assert (await run(today=AOW_DAY, settings=down, rules=aow)).failed == 1
    assert [e.status for e in store.ledger_entries()] == ["pending"]
    assert (await run(today=AOW_DAY, settings=settings, rules=aow)).sent == 1


async def test_a_pending_signal_past_its_window_expires_unsent(settings, rules, fake_rasa):
    consent(ANNA)
    aow = only(rules, "aow_leeftijd")
    fake_rasa.fail(1)
    await run(today=AOW_DAY, settings=settings, rules=aow)
    report = await run(today=date(2026, 12, 20), settings=settings, rules=aow, deliver_only=True)
    assert (report.expired, report.sent) == (1, 0)
    assert [e.status for e in store.ledger_entries()] == ["expired"]
    assert fake_rasa.delivered == []


# ---------------------------------------------------------------------------- opt-out races
async def test_opt_out_between_evaluation_and_delivery(settings, rules, fake_rasa):
    consent(ANNA, "web-anna")
    report = RunReport()
    async with BrpClient.from_settings(settings) as client:
        await evaluate(only(rules, "aow_leeftijd"), AOW_DAY, client, report)
    assert report.recorded == 1
    store.revoke_consents(sender_id="web-anna")
    async with Deliverer(settings) as deliverer:
        await deliver_pending(rules, AOW_DAY, deliverer, report)
    assert report.sent == 0 and fake_rasa.attempts == []
    assert store.ledger_entries() == []


async def test_consent_is_checked_again_right_before_each_delivery(settings, rules, fake_rasa):
    """Resident B opts out while A's signal is being delivered: B gets nothing."""
    consent(ANNA, "web-anna")
    consent(BERT, "web-bert")
    aow = only(rules, "aow_leeftijd")
    report = RunReport()
    async with BrpClient.from_settings(settings) as client:
        await evaluate(aow, date(2026, 11, 3), client, report)
    assert report.recorded == 2

    def bert_opts_out(call: dict) -> None:
        # revoked by another process that does not touch the ledger: only the re-check protects Bert
        with db.get_engine().begin() as conn:
            conn.execute(
                store.consents.update()
                .where(store.consents.c.resident_key == store.resident_key(BERT))
                .values(revoked_at=datetime.now(timezone.utc))
            )

    fake_rasa.on_call = bert_opts_out
    async with Deliverer(settings) as deliverer:
        await deliver_pending(aow, date(2026, 11, 3), deliverer, report)
    assert [c["sender_id"] for c in fake_rasa.attempts] == ["web-anna"]
    assert (report.sent, report.dropped_no_consent) == (1, 1)
    assert statuses() == [(store.resident_key(ANNA), "aow_leeftijd", "sent")]


# ---------------------------------------------------------------------------- dry run and CLI
async def test_dry_run_sends_and_records_nothing(settings, rules, fake_rasa):
    consent(ANNA)
    report = await run(today=AOW_DAY, settings=settings, rules=rules, dry_run=True)
    assert report.recorded >= 1
    assert any("aow_leeftijd" in line and "new" in line for line in report.lines)
    assert all(ANNA not in line for line in report.lines)
    assert store.ledger_entries() == [] and fake_rasa.attempts == []


async def test_dry_run_shows_pending_signals_without_touching_them(settings, rules, fake_rasa):
    consent(ANNA)
    fake_rasa.fail(1)
    await run(today=AOW_DAY, settings=settings, rules=only(rules, "aow_leeftijd"))
    before = store.ledger_entries()
    report = await run(today=AOW_DAY, settings=settings, rules=only(rules, "aow_leeftijd"), dry_run=True)
    assert any(line.startswith("pending: aow_leeftijd") and "would send" in line for line in report.lines)
    assert store.ledger_entries() == before and len(fake_rasa.attempts) == 1


def test_cli_dry_run(settings, monkeypatch, capsys):
    for name, value in {
        "BRP_API_URL": settings.brp_api_url,
        "REISDOCUMENTEN_API_URL": settings.reisdocumenten_api_url,
        "RASA_URL": settings.rasa_url,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    consent(ANNA)
    assert engine.main(["--dry-run", "--today", AOW_DAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "due: aow_leeftijd period once" in out and "dry run: residents=1" in out
    assert store.ledger_entries() == []


# ---------------------------------------------------------------------------- Rasa auth
async def test_rasa_token_and_jwt(settings, rules, fake_rasa):
    consent(ANNA)
    secured = dataclasses.replace(
        settings, rasa_token="tok-123", rasa_jwt_secret="jwt-secret-for-tests-32-bytes-long"
    )
    await run(today=AOW_DAY, settings=secured, rules=only(rules, "aow_leeftijd"))
    [call] = fake_rasa.delivered
    assert call["query"]["token"] == "tok-123"
    scheme, token = call["authorization"].split(" ")
    claims = jwt.decode(token, "jwt-secret-for-tests-32-bytes-long", algorithms=["HS256"])
    assert scheme == "Bearer" and claims["user"] == {"username": "signal-engine", "role": "admin"}


# ---------------------------------------------------------------------------- WhatsApp
@dataclass
class FakeGraph:
    """A fake WhatsApp Cloud API: records requests, fails with the queued statuses."""

    url: str = ""
    requests: list[dict] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)

    def fail(self, status: int) -> None:
        self.failures.append(status)


@pytest.fixture
async def fake_graph():
    state = FakeGraph()

    async def messages(request: web.Request) -> web.Response:
        state.requests.append({"path": request.path, "json": await request.json()})
        if state.failures:
            status = state.failures.pop(0)
            return web.json_response({"error": {"code": status}}, status=status)
        return web.json_response({"messages": [{"id": f"wamid.OUT{len(state.requests)}"}]})

    app = web.Application()
    app.router.add_post("/v19.0/{phone_number_id}/messages", messages)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    state.url = str(server.make_url("/v19.0"))
    yield state
    await server.close()


@pytest.fixture
def whatsapp_settings(settings, fake_graph):
    return dataclasses.replace(settings, whatsapp_graph_url=fake_graph.url, whatsapp_phone_number_id="1065")


async def test_whatsapp_outside_the_window_uses_the_template(whatsapp_settings, rules, fake_rasa, fake_graph):
    consent(ANNA, "wa:31612345678", channel="whatsapp")
    report = await run(today=AOW_DAY, settings=whatsapp_settings, rules=only(rules, "aow_leeftijd"))
    assert report.sent == 1 and fake_rasa.attempts == []
    [request] = fake_graph.requests
    assert request["json"]["to"] == "31612345678"
    assert request["json"]["template"] == {
        "name": "gemeente_signaal_aow",
        "language": {"code": "nl"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "20-12-2026"}]}],
    }
    assert [e.sent_via for e in store.ledger_entries()] == ["whatsapp_template"]


async def test_a_template_goes_out_from_the_number_the_resident_wrote_to(
    whatsapp_settings, rules, fake_rasa, fake_graph
):
    """Issue 18: a resident of Lindeoord wrote to Lindeoord's number; the template comes from it."""
    from channels.whatsapp_store import touch_contact

    consent(ANNA, "wa:31612345678", channel="whatsapp")
    touch_contact("31612345678", datetime.now(timezone.utc) - timedelta(days=3), "000000000000002")
    report = await run(today=AOW_DAY, settings=whatsapp_settings, rules=only(rules, "aow_leeftijd"))
    assert report.sent == 1
    [request] = fake_graph.requests
    assert request["path"] == "/v19.0/000000000000002/messages"


async def test_whatsapp_inside_the_window_goes_through_rasa(whatsapp_settings, rules, fake_rasa, fake_graph):
    from channels.whatsapp_store import touch_contact

    touch_contact("31612345678")
    consent(ANNA, "wa:31612345678", channel="whatsapp")
    assert (await run(today=AOW_DAY, settings=whatsapp_settings, rules=only(rules, "aow_leeftijd"))).sent == 1
    [call] = fake_rasa.delivered
    assert (call["sender_id"], call["query"]["output_channel"]) == ("wa:31612345678", "whatsapp")
    assert fake_graph.requests == []


async def test_whatsapp_failure_keeps_the_signal_pending(whatsapp_settings, rules, fake_rasa, fake_graph):
    consent(ANNA, "wa:31612345678", channel="whatsapp")
    fake_graph.fail(400)  # rejected: the sender gives up at once
    aow = only(rules, "aow_leeftijd")
    assert (await run(today=AOW_DAY, settings=whatsapp_settings, rules=aow)).failed == 1
    assert [e.status for e in store.ledger_entries()] == ["pending"]
    assert (await run(today=AOW_DAY, settings=whatsapp_settings, rules=aow)).sent == 1
    assert len(fake_graph.requests) == 2
