"""KlantinteractiesClient against an ``httpx.MockTransport`` speaking Open Klant JSON."""

from __future__ import annotations

import httpx
import pytest

from integrations.errors import BackendNotFound
from integrations.klantinteracties import KlantinteractiesClient
from tests.integrations.mocks import json_of

BASE = "http://klant.test/klantinteracties/api/v1"
ACTOR = "actor-kcc"


def taak(uuid: str, status: str = "te_verwerken") -> dict:
    return {
        "uuid": uuid,
        "url": f"{BASE}/internetaken/{uuid}",
        "nummer": "0000000001",
        "gevraagdeHandeling": "Terugbellen",
        "aanleidinggevendKlantcontact": {"uuid": "kc-1"},
        "toegewezenAanActoren": [{"uuid": ACTOR}],
        "toelichting": "graag",
        "status": status,
        "toegewezenOp": "2026-11-28T10:00:00+00:00",
        "afgehandeldOp": "2026-11-28T11:00:00+00:00" if status == "verwerkt" else None,
    }


def handler(request: httpx.Request) -> httpx.Response:
    path, method = request.url.path.removeprefix("/klantinteracties/api/v1"), request.method
    if method == "POST" and path == "/klantcontacten":
        return httpx.Response(201, json={"uuid": "kc-1", "nummer": "0000000042"})
    if method == "POST" and path == "/internetaken":
        return httpx.Response(201, json=taak("t-1"))
    if method == "GET" and path == "/internetaken":
        if request.url.params.get("page") == "2":
            return httpx.Response(
                200, json={"count": 2, "next": None, "previous": None, "results": [taak("t-2")]}
            )
        nxt = f"{BASE}/internetaken?status=te_verwerken&page=2"
        return httpx.Response(200, json={"count": 2, "next": nxt, "previous": None, "results": [taak("t-1")]})
    if method == "PATCH" and path == "/internetaken/t-1":
        return httpx.Response(200, json=taak("t-1", "verwerkt"))
    return httpx.Response(404, json={})


def client_with(transport: httpx.AsyncBaseTransport) -> KlantinteractiesClient:
    return KlantinteractiesClient(BASE, "secret-token", actor_uuid=ACTOR, transport=transport)


async def test_register_handoff_posts_klantcontact_then_internetaak(recorder) -> None:
    rec = recorder(handler)
    async with client_with(rec.transport) as client:
        handoff = await client.register_handoff(
            "chat",
            "Afvalpas kwijt",
            "Inwoner meldt verlies",
            "Bel terug",
            "Terugbellen",
            idempotency_key="h1",
        )
    assert handoff.klantcontact_uuid == "kc-1" and handoff.klantcontact_nummer == "0000000042"
    assert handoff.internetaak.uuid == "t-1" and handoff.internetaak.status == "te_verwerken"
    contact, task = (json_of(r) for r in rec.requests)
    assert contact["taal"] == "nld" and contact["kanaal"] == "chat" and contact["vertrouwelijk"] is True
    assert {"plaatsgevondenOp", "indicatieContactGelukt", "onderwerp", "inhoud"} <= set(contact)
    assert task == {
        "gevraagdeHandeling": "Terugbellen",
        "aanleidinggevendKlantcontact": {"uuid": "kc-1"},
        "toegewezenAanActoren": [{"uuid": ACTOR}],
        "toelichting": "Bel terug",
        "status": "te_verwerken",
    }
    assert [r.headers["Authorization"] for r in rec.requests] == ["Token secret-token"] * 2
    assert [r.headers["Idempotency-Key"] for r in rec.requests] == ["h1:kc", "h1:taak"]


async def test_list_open_follows_pages_and_filters_status(recorder) -> None:
    rec = recorder(handler)
    async with client_with(rec.transport) as client:
        tasks = await client.list_open_internetaken()
    assert [t.uuid for t in tasks] == ["t-1", "t-2"]
    assert rec.requests[0].url.params["status"] == "te_verwerken"


async def test_complete_patches_status(recorder) -> None:
    rec = recorder(handler)
    async with client_with(rec.transport) as client:
        done = await client.complete_internetaak("t-1")
        with pytest.raises(BackendNotFound):
            await client.complete_internetaak("unknown")
    assert done.status == "verwerkt" and done.afgehandeld_op is not None
    assert rec.requests[0].method == "PATCH" and json_of(rec.requests[0]) == {"status": "verwerkt"}


async def test_failures(failure) -> None:
    _, transport, expected = failure
    async with client_with(transport) as client:
        with pytest.raises(expected) as info:
            await client.register_handoff("chat", "o", "i", "t", "g", idempotency_key="k")
    assert info.value.system == "klantinteracties"
