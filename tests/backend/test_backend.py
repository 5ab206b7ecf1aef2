"""The clients against the real stand-in backend (a ``python -m backend`` process on loopback)."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import date, timedelta

import httpx
import pytest
from stdnum.nl import bsn as bsn_check

from backend.seed import RESIDENTS, TRAVEL_DOCUMENTS, working_days
from integrations.addresses import AddressesClient
from integrations.appointments import AppointmentsClient
from integrations.brp import BrpClient
from integrations.errors import (
    BackendAuthError,
    BackendNotFound,
    BackendRejected,
    BackendUnavailable,
)
from integrations.klantinteracties import KlantinteractiesClient
from integrations.waste import WasteClient
from integrations.zaken import ZakenClient, ZgwJwtAuth
from tests.backend.conftest import BackendServer

ANNA, BERT, DAAN, EVA = "999990007", "999990019", "999990032", "999990044"


def key() -> str:
    return str(uuid.uuid4())


def test_seed_bsns_pass_the_eleven_test() -> None:
    assert all(bsn_check.is_valid(number) for number in RESIDENTS)
    assert all(bsn_check.is_valid(doc[0]) for doc in TRAVEL_DOCUMENTS.values())


async def test_create_zaak_then_read_status_and_list_for_bsn(backend_server: BackendServer) -> None:
    async with ZakenClient.from_settings(backend_server.settings) as client:
        zaak = await client.create_zaak(
            "Volle afvalbak",
            "MELDING-OPENBARE-RUIMTE",
            "Afvalbak bij de speeltuin",
            bsn=BERT,
            idempotency_key=key(),
        )
        assert zaak.identificatie.startswith(f"Z-{date.today().year}-")
        found = await client.get_zaak_by_identificatie(zaak.identificatie)
        assert found.uuid == zaak.uuid
        status = await client.get_status(found)
        assert status is not None and status.omschrijving == "Ontvangen"
        assert not status.is_eindstatus
        mine = await client.list_zaken_for_bsn(BERT)
        assert zaak.identificatie in {z.identificatie for z in mine}
        assert zaak.identificatie not in {z.identificatie for z in await client.list_zaken_for_bsn(DAAN)}


async def test_seed_zaak_status_and_unknown_identificatie(backend_server: BackendServer) -> None:
    async with ZakenClient.from_settings(backend_server.settings) as client:
        zaak = await client.get_zaak_by_identificatie("Z-2026-000003")
        status = await client.get_status(zaak)
        assert status is not None and status.omschrijving == "Afgehandeld" and status.is_eindstatus
        with pytest.raises(BackendNotFound):
            await client.get_zaak_by_identificatie("Z-1999-999999")


async def test_create_zaak_is_idempotent(backend_server: BackendServer) -> None:
    same = key()
    async with ZakenClient.from_settings(backend_server.settings) as client:
        first = await client.create_zaak(
            "Lekkage", "MELDING-OPENBARE-RUIMTE", "x", bsn=EVA, idempotency_key=same
        )
        again = await client.create_zaak(
            "Lekkage", "MELDING-OPENBARE-RUIMTE", "x", bsn=EVA, idempotency_key=same
        )
        other = await client.create_zaak(
            "Lekkage", "MELDING-OPENBARE-RUIMTE", "x", bsn=EVA, idempotency_key=key()
        )
        assert again.identificatie == first.identificatie
        assert other.identificatie != first.identificatie
        mine = [z.identificatie for z in await client.list_zaken_for_bsn(EVA)]
        assert mine.count(first.identificatie) == 1


async def test_zaken_rejects_wrong_secret(backend_server: BackendServer) -> None:
    settings = dataclasses.replace(
        backend_server.settings, zgw_client_secret="wrong-secret-but-long-enough-for-hs256!!"
    )
    async with ZakenClient.from_settings(settings) as client:
        with pytest.raises(BackendAuthError) as info:
            await client.get_zaak_by_identificatie("Z-2026-000001")
    assert info.value.status_code == 403


async def test_missing_credentials_get_401(backend_server: BackendServer) -> None:
    async with httpx.AsyncClient(base_url=backend_server.base_url) as http:
        zaken = await http.get("/zaken/api/v1/zaken", headers={"Accept-Crs": "EPSG:4326"})
        brp = await http.post("/haalcentraal/api/brp/personen", json={})
        klant = await http.get("/klantinteracties/api/v1/internetaken")
    assert (zaken.status_code, brp.status_code, klant.status_code) == (401, 401, 401)


async def test_handoff_then_list_and_complete(backend_server: BackendServer) -> None:
    async with KlantinteractiesClient.from_settings(backend_server.settings) as client:
        same = key()
        handoff = await client.register_handoff(
            "chat",
            "Vraag over kwijtschelding",
            "Inwoner wil teruggebeld worden",
            "Graag terugbellen",
            "Terugbellen",
            idempotency_key=same,
        )
        again = await client.register_handoff(
            "chat",
            "Vraag over kwijtschelding",
            "Inwoner wil teruggebeld worden",
            "Graag terugbellen",
            "Terugbellen",
            idempotency_key=same,
        )
        assert again.internetaak.uuid == handoff.internetaak.uuid
        assert handoff.internetaak.klantcontact_uuid == handoff.klantcontact_uuid
        open_tasks = [t.uuid for t in await client.list_open_internetaken()]
        assert open_tasks.count(handoff.internetaak.uuid) == 1
        done = await client.complete_internetaak(handoff.internetaak.uuid)
        assert done.status == "verwerkt" and done.afgehandeld_op is not None
        assert handoff.internetaak.uuid not in {t.uuid for t in await client.list_open_internetaken()}


async def test_klantinteracties_wrong_token(backend_server: BackendServer) -> None:
    settings = dataclasses.replace(backend_server.settings, klantinteracties_token="nope")
    async with KlantinteractiesClient.from_settings(settings) as client:
        with pytest.raises(BackendAuthError):
            await client.list_open_internetaken()


async def test_brp_person_and_travel_documents(backend_server: BackendServer) -> None:
    async with BrpClient.from_settings(backend_server.settings) as client:
        anna = await client.get_person(ANNA, ["naam", "geboorte", "leeftijd", "verblijfplaats"])
        assert anna.voornamen == "Anna" and anna.geboortedatum == date(1959, 12, 20)
        assert anna.leeftijd is not None and anna.leeftijd >= 66
        assert anna.adres is not None and anna.adres.postcode == "9999AA"
        assert not anna.geheimhouding
        docs = await client.get_travel_documents(ANNA)
        assert [d.soort_code for d in docs] == ["PN"]
        assert docs[0].datum_einde_geldigheid is not None
        assert date.today() < docs[0].datum_einde_geldigheid <= date.today() + timedelta(days=90)
        assert await client.get_travel_documents("999990056") == []


async def test_brp_fields_are_minimised_and_geheimhouding_respected(backend_server: BackendServer) -> None:
    async with BrpClient.from_settings(backend_server.settings) as client:
        only_name = await client.get_person(DAAN, ["naam.voornamen"])
        assert only_name.voornamen == "Daan" and only_name.geboortedatum is None and only_name.adres is None
        eva = await client.get_person(EVA, ["naam", "verblijfplaats"])
        assert eva.geheimhouding and eva.adres is None
        eva_full = await client.get_person(EVA, ["verblijfplaats"], respect_geheimhouding=False)
        assert eva_full.adres is not None
        with pytest.raises(BackendNotFound):
            await client.get_person("999990056", ["naam"])
        with pytest.raises(BackendRejected):
            await client.get_person("12345", ["naam"])


async def test_brp_wrong_key(backend_server: BackendServer) -> None:
    settings = dataclasses.replace(backend_server.settings, brp_api_key="wrong")
    async with BrpClient.from_settings(settings) as client:
        with pytest.raises(BackendAuthError):
            await client.get_person(ANNA, ["naam"])


async def test_address_exists(backend_server: BackendServer) -> None:
    async with AddressesClient.from_settings(backend_server.settings) as client:
        assert await client.address_exists("9999 aa", 1)
        assert not await client.address_exists("9999AA", 999)
        found = await client.find("9999AB", 12)
        assert {a.huisletter for a in found} == {"", "A"}


async def test_slots_book_reschedule_cancel(backend_server: BackendServer) -> None:
    day = working_days(date.today(), 5)[-1]
    async with AppointmentsClient.from_settings(backend_server.settings) as client:
        assert "paspoort" in {p.code for p in await client.list_products()}
        slots = await client.free_slots("identiteitskaart", day)
        assert len(slots) >= 2 and all(s.begin.date() == day for s in slots)
        same = key()
        booking = await client.book(
            slots[0].id, "identiteitskaart", "Bert Testpersoon", "bert@example.org", same
        )
        assert booking.referentie.startswith(f"A-{day.year}-") and booking.status == "gepland"
        again = await client.book(
            slots[0].id, "identiteitskaart", "Bert Testpersoon", "bert@example.org", same
        )
        assert again.referentie == booking.referentie
        free_now = {s.id for s in await client.free_slots("identiteitskaart", day)}
        assert slots[0].id not in free_now
        with pytest.raises(BackendRejected) as taken:
            await client.book(slots[0].id, "identiteitskaart", "Iemand Anders", "0612345678", key())
        assert taken.value.status_code == 409

        moved = await client.reschedule(booking.referentie, slots[1].id)
        assert moved.slot.id == slots[1].id
        free_now = {s.id for s in await client.free_slots("identiteitskaart", day)}
        assert slots[0].id in free_now and slots[1].id not in free_now

        cancelled = await client.cancel(booking.referentie)
        assert cancelled.cancelled
        assert (await client.get(booking.referentie)).cancelled
        assert slots[1].id in {s.id for s in await client.free_slots("identiteitskaart", day)}
        with pytest.raises(BackendNotFound):
            await client.get("A-1999-99999")


async def test_waste_dates(backend_server: BackendServer) -> None:
    today = date.today()
    async with WasteClient.from_settings(backend_server.settings) as client:
        noord = await client.collection_dates("9999AA", 1, today)
        zuid = await client.collection_dates("9999NA", 2, today)
        with pytest.raises(BackendNotFound):
            await client.collection_dates("9999AA", 999, today)
    assert noord and all(c.datum >= today for c in noord)
    assert {"gft", "restafval", "papier", "pmd"} <= {c.afvalstroom for c in noord}
    assert [c.datum for c in noord] == sorted(c.datum for c in noord)
    assert {c.datum for c in noord} != {c.datum for c in zuid}


async def test_fault_switch_down_and_slow(backend_server: BackendServer, backend_faults) -> None:
    backend_faults("down@/afvalkalender")
    async with WasteClient.from_settings(backend_server.settings) as client:
        with pytest.raises(BackendUnavailable) as down:
            await client.collection_dates("9999AA", 1, date.today())
        assert down.value.status_code == 503
    async with AddressesClient.from_settings(backend_server.settings) as client:
        assert await client.address_exists("9999AA", 1)  # other APIs stay up

    backend_faults("slow:3")
    fast = dataclasses.replace(backend_server.settings, backend_timeout=0.3)
    async with AddressesClient.from_settings(fast) as client:
        with pytest.raises(BackendUnavailable) as slow:
            await client.address_exists("9999AA", 1)
        assert slow.value.status_code is None


async def test_concurrent_bookings_of_one_slot_give_one_booking(backend_server: BackendServer) -> None:
    day = working_days(date.today(), 6)[-1]
    async with AppointmentsClient.from_settings(backend_server.settings) as client:
        target = (await client.free_slots("rijbewijs", day))[0]

        async def attempt(n: int) -> str:
            try:
                booking = await client.book(target.id, "rijbewijs", f"Persoon {n}", "p@example.org", key())
            except BackendRejected:
                return "rejected"
            return booking.referentie

        outcomes = await asyncio.gather(*(attempt(n) for n in range(6)))
    assert sorted(outcomes).count("rejected") == 5


async def test_concurrent_retries_with_one_key_create_one_zaak(backend_server: BackendServer) -> None:
    same = key()
    async with ZakenClient.from_settings(backend_server.settings) as client:
        zaken = await asyncio.gather(
            *(
                client.create_zaak("Graffiti", "MELDING-OPENBARE-RUIMTE", "x", idempotency_key=same)
                for _ in range(4)
            )
        )
    assert len({z.identificatie for z in zaken}) == 1


def test_seed_residents_cover_the_signal_ages() -> None:
    years = {born[:4] for _, _, _, born, *_ in RESIDENTS.values()}
    assert {"1959", "1960", "1961", "2008"} <= years
    assert any(geheim for *_, geheim in RESIDENTS.values())


def _zgw_headers(server: BackendServer) -> dict[str, str]:
    s = server.settings
    token = ZgwJwtAuth(s.zgw_client_id, s.zgw_client_secret, "test", "Test").token()
    return {"Authorization": f"Bearer {token}", "Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"}


async def test_412_answer_is_complete_on_a_keep_alive_connection(backend_server: BackendServer) -> None:
    headers = {**_zgw_headers(backend_server), "Accept-Crs": "EPSG:28992"}
    async with httpx.AsyncClient(base_url=backend_server.base_url, timeout=10.0) as http:
        response = await http.get("/zaken/api/v1/zaken", headers=headers)
        assert response.status_code == 412
        assert int(response.headers["content-length"]) == len(response.content)
        assert response.json()["code"] == "precondition_failed"
        again = await http.get("/zaken/api/v1/zaken", headers=_zgw_headers(backend_server))
        assert again.status_code == 200


async def test_statussen_and_rollen_lists_filter_by_zaak(backend_server: BackendServer) -> None:
    async with ZakenClient.from_settings(backend_server.settings) as client:
        zaak = await client.get_zaak_by_identificatie("Z-2026-000003")
    async with httpx.AsyncClient(base_url=backend_server.base_url) as http:
        root, headers = "/zaken/api/v1", _zgw_headers(backend_server)
        statussen = (await http.get(f"{root}/statussen", params={"zaak": zaak.url}, headers=headers)).json()
        assert statussen["count"] == 3 and {s["zaak"] for s in statussen["results"]} == {zaak.url}
        assert [s["indicatieLaatstGezetteStatus"] for s in statussen["results"]].count(True) == 1
        rollen = (await http.get(f"{root}/rollen", params={"zaak": zaak.url}, headers=headers)).json()
        [rol] = rollen["results"]
        assert rol["betrokkeneIdentificatie"]["inpBsn"] == ANNA and rol["omschrijvingGeneriek"] == "initiator"
        detail = (await http.get(zaak.url, headers=headers)).json()
        assert detail["rollen"] == [rol["url"]]


async def test_klantcontacten_list_links_the_task(backend_server: BackendServer) -> None:
    async with KlantinteractiesClient.from_settings(backend_server.settings) as client:
        handoff = await client.register_handoff("chat", "Vraag", "Inhoud", "Uitleg", "Terugbellen", key())
    headers = {"Authorization": f"Token {backend_server.settings.klantinteracties_token}"}
    async with httpx.AsyncClient(base_url=backend_server.base_url, headers=headers) as http:
        params = {"nummer": handoff.klantcontact_nummer}
        page = (await http.get("/klantinteracties/api/v1/klantcontacten", params=params)).json()
    [contact] = page["results"]
    assert contact["uuid"] == handoff.klantcontact_uuid
    assert [t["uuid"] for t in contact["leiddeTotInterneTaken"]] == [handoff.internetaak.uuid]
