"""AppointmentsClient against an ``httpx.MockTransport`` speaking docs/appointments-api.md."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from integrations.appointments import AppointmentsClient
from integrations.errors import BackendNotFound, BackendRejected
from tests.integrations.mocks import json_of

BASE = "http://afspraken.test/afspraken/api/v1"


def slot(slot_id: str, hhmm: str) -> dict:
    return {
        "id": slot_id,
        "product": "paspoort",
        "begin": f"2026-12-01T{hhmm}:00+01:00",
        "eind": f"2026-12-01T{hhmm[:3]}15:00+01:00",
        "locatie": "Stadhuis",
    }


def afspraak(status: str = "gepland", slot_id: str = "s-1") -> dict:
    return {
        "referentie": "A-2026-00012",
        "status": status,
        "product": "paspoort",
        "tijdslot": slot(slot_id, "09:00"),
        "naam": "Anna",
    }


def handler(request: httpx.Request) -> httpx.Response:
    path, method = request.url.path.removeprefix("/afspraken/api/v1"), request.method
    if (method, path) == ("GET", "/producten"):
        return httpx.Response(
            200, json={"results": [{"code": "paspoort", "naam": "Paspoort aanvragen", "duurMinuten": 15}]}
        )
    if (method, path) == ("GET", "/tijdsloten"):
        return httpx.Response(200, json={"results": [slot("s-2", "10:00"), slot("s-1", "09:00")]})
    if (method, path) == ("POST", "/afspraken"):
        if json_of(request)["tijdslot"] == "taken":
            return httpx.Response(409, json={"code": "slot_taken"})
        return httpx.Response(201, json=afspraak())
    if (method, path) == ("GET", "/afspraken/A-2026-00012"):
        return httpx.Response(200, json=afspraak())
    if (method, path) == ("PATCH", "/afspraken/A-2026-00012"):
        return httpx.Response(200, json=afspraak(slot_id=json_of(request)["tijdslot"]))
    if (method, path) == ("POST", "/afspraken/A-2026-00012/annuleren"):
        return httpx.Response(200, json=afspraak("geannuleerd"))
    return httpx.Response(404, json={})


def client_with(transport: httpx.AsyncBaseTransport) -> AppointmentsClient:
    return AppointmentsClient(BASE, "afspraak-key", transport=transport)


async def test_products_and_sorted_slots(recorder) -> None:
    rec = recorder(handler)
    async with client_with(rec.transport) as client:
        products = await client.list_products()
        slots = await client.free_slots("paspoort", date(2026, 12, 1))
    assert products[0].code == "paspoort" and products[0].duur_minuten == 15
    assert [s.id for s in slots] == ["s-1", "s-2"]
    assert rec.requests[1].url.params["datum"] == "2026-12-01"
    assert all(r.headers["X-API-KEY"] == "afspraak-key" for r in rec.requests)


async def test_book_get_reschedule_cancel(recorder) -> None:
    rec = recorder(handler)
    async with client_with(rec.transport) as client:
        booking = await client.book("s-1", "paspoort", "Anna", "anna@example.org", idempotency_key="b1")
        assert booking.referentie == "A-2026-00012" and not booking.cancelled
        assert (await client.get("A-2026-00012")).slot.id == "s-1"
        assert (await client.reschedule("A-2026-00012", "s-2")).slot.id == "s-2"
        assert (await client.cancel("A-2026-00012")).cancelled
        by_phone = await client.book("s-1", "paspoort", "Anna", "0612345678")
        with pytest.raises(BackendRejected) as taken:
            await client.book("taken", "paspoort", "Anna", "0612345678")
        with pytest.raises(BackendNotFound):
            await client.get("A-1999-00001")
    assert by_phone.referentie == "A-2026-00012"
    assert taken.value.status_code == 409
    first = rec.requests[0]
    assert first.headers["Idempotency-Key"] == "b1"
    assert json_of(first) == {
        "tijdslot": "s-1",
        "product": "paspoort",
        "naam": "Anna",
        "email": "anna@example.org",
    }
    assert json_of(rec.requests[4])["telefoon"] == "0612345678"


async def test_failures(failure) -> None:
    _, transport, expected = failure
    async with client_with(transport) as client:
        with pytest.raises(expected) as info:
            await client.free_slots("paspoort", date(2026, 12, 1))
    assert info.value.system == "appointments"
