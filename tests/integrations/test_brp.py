"""BrpClient against an ``httpx.MockTransport`` speaking Haal Centraal BRP 2.x JSON."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from integrations.brp import BrpClient
from integrations.errors import BackendNotFound
from tests.integrations.mocks import json_of

BRP = "http://brp.test/haalcentraal/api/brp"
REIS = "http://brp.test/haalcentraal/api/reisdocumenten"

PERSON = {
    "burgerservicenummer": "999990007",
    "naam": {"voornamen": "Anna", "geslachtsnaam": "Voorbeeld", "volledigeNaam": "Anna Voorbeeld"},
    "geboorte": {"datum": {"type": "Datum", "datum": "1959-12-20", "langFormaat": "20 december 1959"}},
    "leeftijd": 66,
    "verblijfplaats": {
        "type": "Adres",
        "verblijfadres": {"officieleStraatnaam": "Voorbeeldstraat", "huisnummer": 1, "postcode": "9999AA"},
    },
    "gemeenteVanInschrijving": {"code": "9999", "omschrijving": "Voorbeeldstad"},
}


def handler(request: httpx.Request) -> httpx.Response:
    body = json_of(request)
    if request.url.path == "/haalcentraal/api/brp/personen":
        bsn = body["burgerservicenummer"][0]
        if bsn == "999990007":
            return httpx.Response(200, json={"type": body["type"], "personen": [PERSON]})
        if bsn == "999990044":
            secret = {**PERSON, "burgerservicenummer": bsn, "geheimhoudingPersoonsgegevens": True}
            return httpx.Response(200, json={"type": body["type"], "personen": [secret]})
        return httpx.Response(200, json={"type": body["type"], "personen": []})
    if request.url.path == "/haalcentraal/api/reisdocumenten/reisdocumenten":
        docs = [
            {
                "reisdocumentnummer": "VB0000001",
                "soort": {"code": "PN", "omschrijving": "Nationaal paspoort"},
                "datumEindeGeldigheid": {"type": "Datum", "datum": "2027-01-12"},
            },
            {
                "reisdocumentnummer": "VB0000009",
                "soort": {"code": "NI"},
                "datumEindeGeldigheid": {"type": "JaarDatum", "jaar": 2030},
            },
        ]
        return httpx.Response(200, json={"type": body["type"], "reisdocumenten": docs})
    return httpx.Response(404)


def client_with(transport: httpx.AsyncBaseTransport) -> BrpClient:
    return BrpClient(BRP, REIS, "brp-key", transport=transport)


async def test_get_person_requests_fields_and_parses(recorder) -> None:
    rec = recorder(handler)
    async with client_with(rec.transport) as client:
        anna = await client.get_person("999990007", ["naam", "geboorte", "verblijfplaats"])
    request = rec.requests[0]
    assert request.method == "POST" and request.headers["X-API-KEY"] == "brp-key"
    body = json_of(request)
    assert body["type"] == "RaadpleegMetBurgerservicenummer" and body["burgerservicenummer"] == ["999990007"]
    assert {"naam", "geboorte", "verblijfplaats", "geheimhoudingPersoonsgegevens"} <= set(body["fields"])
    assert b"999990007" not in request.url.raw_path  # BSN only in the body
    assert anna.volledige_naam == "Anna Voorbeeld" and anna.geboortedatum == date(1959, 12, 20)
    assert anna.leeftijd == 66 and anna.adres is not None and anna.adres.straat == "Voorbeeldstraat"
    assert anna.gemeente_van_inschrijving == "9999" and not anna.geheimhouding


async def test_geheimhouding_drops_address_unless_opted_out(recorder) -> None:
    async with client_with(recorder(handler).transport) as client:
        hidden = await client.get_person("999990044", ["verblijfplaats"])
        shown = await client.get_person("999990044", ["verblijfplaats"], respect_geheimhouding=False)
    assert hidden.geheimhouding and hidden.adres is None
    assert shown.adres is not None


async def test_unknown_person_is_not_found(recorder) -> None:
    async with client_with(recorder(handler).transport) as client:
        with pytest.raises(BackendNotFound):
            await client.get_person("999990056", ["naam"])


async def test_travel_documents(recorder) -> None:
    rec = recorder(handler)
    async with client_with(rec.transport) as client:
        docs = await client.get_travel_documents("999990007")
    body = json_of(rec.requests[0])
    assert body["type"] == "ZoekMetBurgerservicenummer" and body["burgerservicenummer"] == "999990007"
    assert "datumEindeGeldigheid" in body["fields"]
    assert str(rec.requests[0].url) == f"{REIS}/reisdocumenten"
    assert docs[0].datum_einde_geldigheid == date(2027, 1, 12) and docs[0].soort_code == "PN"
    assert docs[1].datum_einde_geldigheid is None  # incomplete date is not guessed


async def test_failures(failure) -> None:
    _, transport, expected = failure
    async with client_with(transport) as client:
        with pytest.raises(expected) as info:
            await client.get_person("999990007", ["naam"])
    assert info.value.system == "brp"
