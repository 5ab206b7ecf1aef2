"""ZakenClient against an ``httpx.MockTransport`` speaking ZGW JSON."""

from __future__ import annotations

import httpx
import jwt
import pytest

from integrations.errors import BackendNotFound
from integrations.zaken import ZakenClient
from tests.integrations.mocks import json_of

ROOT = "http://zgw.test"
ZAKEN = f"{ROOT}/zaken/api/v1"
CAT = f"{ROOT}/catalogi/api/v1"
ZAAKTYPE = f"{CAT}/zaaktypen/zt-1"
SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def page(results: list[dict], next_url: str | None = None) -> dict:
    return {"count": len(results), "next": next_url, "previous": None, "results": results}


def zaak(identificatie: str = "Z-2026-000007", status: str | None = f"{ZAKEN}/statussen/s-1") -> dict:
    return {
        "url": f"{ZAKEN}/zaken/z-1",
        "uuid": "z-1",
        "identificatie": identificatie,
        "omschrijving": "Losse tegel",
        "toelichting": "",
        "zaaktype": ZAAKTYPE,
        "startdatum": "2026-11-01",
        "einddatumGepland": "2026-11-15",
        "uiterlijkeEinddatumAfdoening": "2026-11-15",
        "einddatum": None,
        "status": status,
        "vertrouwelijkheidaanduiding": "openbaar",
    }


def zgw_handler(request: httpx.Request) -> httpx.Response:
    path, method = request.url.path, request.method
    if method == "GET" and path == "/catalogi/api/v1/zaaktypen":
        found = request.url.params.get("identificatie") == "MELDING"
        return httpx.Response(200, json=page([{"url": ZAAKTYPE}] if found else []))
    if method == "POST" and path == "/zaken/api/v1/zaken":
        return httpx.Response(201, json=zaak(status=None))
    if method == "GET" and path == "/catalogi/api/v1/statustypen":
        return httpx.Response(
            200,
            json=page(
                [
                    {"url": f"{CAT}/statustypen/st-2", "volgnummer": 2},
                    {"url": f"{CAT}/statustypen/st-1", "volgnummer": 1},
                ]
            ),
        )
    if method == "POST" and path == "/zaken/api/v1/statussen":
        return httpx.Response(201, json={"url": f"{ZAKEN}/statussen/s-1"})
    if method == "GET" and path == "/catalogi/api/v1/roltypen":
        return httpx.Response(200, json=page([{"url": f"{CAT}/roltypen/rt-1"}]))
    if method == "POST" and path == "/zaken/api/v1/rollen":
        return httpx.Response(201, json={"url": f"{ZAKEN}/rollen/r-1"})
    if method == "GET" and path == "/zaken/api/v1/statussen/s-1":
        return httpx.Response(
            200,
            json={
                "url": f"{ZAKEN}/statussen/s-1",
                "statustype": f"{CAT}/statustypen/st-2",
                "datumStatusGezet": "2026-11-02T10:00:00Z",
                "statustoelichting": "",
            },
        )
    if method == "GET" and path == "/catalogi/api/v1/statustypen/st-2":
        return httpx.Response(
            200, json={"omschrijving": "In behandeling", "statustekst": "Bezig", "isEindstatus": False}
        )
    if method == "GET" and path == "/zaken/api/v1/zaken":
        if request.url.params.get("identificatie") == "Z-2026-000007":
            return httpx.Response(200, json=page([zaak()]))
        if request.url.params.get("page") == "2":
            return httpx.Response(200, json=page([zaak("Z-2026-000009")]))
        if request.url.params.get("rol__betrokkeneIdentificatie__natuurlijkPersoon__inpBsn") == "999990007":
            return httpx.Response(200, json=page([zaak("Z-2026-000008")], f"{ZAKEN}/zaken?page=2&x=1"))
        return httpx.Response(200, json=page([]))
    return httpx.Response(404, json={"detail": "no route"})


def client_with(transport: httpx.AsyncBaseTransport) -> ZakenClient:
    return ZakenClient(ZAKEN, "assistent", SECRET, rsin="002220003", transport=transport)


async def test_create_zaak_sets_status_and_initiator(recorder) -> None:
    rec = recorder(zgw_handler)
    async with client_with(rec.transport) as client:
        created = await client.create_zaak(
            "x" * 100, "MELDING", "toelichting", bsn="999990007", idempotency_key="k1"
        )
    assert created.identificatie == "Z-2026-000007"
    assert created.status_url == f"{ZAKEN}/statussen/s-1"
    calls = [(r.method, r.url.path) for r in rec.requests]
    assert calls == [
        ("GET", "/catalogi/api/v1/zaaktypen"),
        ("POST", "/zaken/api/v1/zaken"),
        ("GET", "/catalogi/api/v1/statustypen"),
        ("POST", "/zaken/api/v1/statussen"),
        ("GET", "/catalogi/api/v1/roltypen"),
        ("POST", "/zaken/api/v1/rollen"),
    ]
    post_zaak, post_status, post_rol = rec.requests[1], rec.requests[3], rec.requests[5]
    assert post_zaak.headers["Accept-Crs"] == "EPSG:4326" and post_zaak.headers["Content-Crs"] == "EPSG:4326"
    body = json_of(post_zaak)
    assert body["zaaktype"] == ZAAKTYPE and body["bronorganisatie"] == "002220003"
    assert len(body["omschrijving"]) == 80
    assert [r.headers.get("Idempotency-Key") for r in (post_zaak, post_status, post_rol)] == [
        "k1",
        "k1:status",
        "k1:rol",
    ]
    assert json_of(post_status)["statustype"] == f"{CAT}/statustypen/st-1"  # lowest volgnummer
    assert json_of(post_rol)["betrokkeneIdentificatie"] == {"inpBsn": "999990007"}
    assert rec.requests[4].url.params["omschrijvingGeneriek"] == "initiator"


async def test_every_request_carries_a_valid_zgw_jwt(recorder) -> None:
    rec = recorder(zgw_handler)
    async with client_with(rec.transport) as client:
        await client.get_zaak_by_identificatie("Z-2026-000007")
    scheme, token = rec.requests[0].headers["Authorization"].split(" ", 1)
    assert scheme == "Bearer"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == claims["client_id"] == "assistent"
    assert {"iat", "user_id", "user_representation"} <= set(claims)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-that-is-also-long-enough!", algorithms=["HS256"])


async def test_get_status_joins_statustype(recorder) -> None:
    async with client_with(recorder(zgw_handler).transport) as client:
        found = await client.get_zaak_by_identificatie("Z-2026-000007")
        status = await client.get_status(found)
    assert status is not None
    assert (status.omschrijving, status.statustekst, status.is_eindstatus) == (
        "In behandeling",
        "Bezig",
        False,
    )
    assert status.datum_status_gezet is not None and status.datum_status_gezet.tzinfo is not None


async def test_unknown_identificatie_and_zaaktype_raise_not_found(recorder) -> None:
    async with client_with(recorder(zgw_handler).transport) as client:
        with pytest.raises(BackendNotFound):
            await client.get_zaak_by_identificatie("Z-2026-999999")
        with pytest.raises(BackendNotFound):
            await client.create_zaak("x", "ONBEKEND", "y")


async def test_list_for_bsn_follows_pages(recorder) -> None:
    rec = recorder(zgw_handler)
    async with client_with(rec.transport) as client:
        zaken = await client.list_zaken_for_bsn("999990007")
    assert [z.identificatie for z in zaken] == ["Z-2026-000008", "Z-2026-000009"]
    assert rec.requests[0].headers["Accept-Crs"] == "EPSG:4326"


async def test_failures(failure) -> None:
    _, transport, expected = failure
    async with client_with(transport) as client:
        with pytest.raises(expected) as info:
            await client.get_zaak_by_identificatie("Z-2026-000007")
    assert info.value.system == "zaken"
