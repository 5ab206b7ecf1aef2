"""The stand-in keeps each municipality's data apart (issue 18), end to end through the clients.

One shared stand-in serves every municipality; the clients name the municipality (its RSIN as
``bronorganisatie`` and in the ``X-Gemeente`` header). A zaak created for Proefdorp is not found
when Voorbeeldstad or Lindeoord asks for it, also not with the right zaak number and postcode (case
status without DigiD, ``actions/case_status_check.py``); Proefdorp itself finds it.
"""

from __future__ import annotations

import uuid

import pytest

from actions import municipality
from actions.case_status_check import postcode_matches
from actions.content import clear_content_cache
from foundation.settings import get_settings, stand_in_urls
from integrations.base import MUNICIPALITY_HEADER
from integrations.errors import BackendNotFound, BackendRejected
from integrations.zaken import ZakenClient
from tests.backend.conftest import BackendServer

ANNA = "999990007"  # Voorbeeldstraat 1, 9999 AA (seed)


@pytest.fixture
def shared_stand_in(backend_server: BackendServer, monkeypatch: pytest.MonkeyPatch) -> BackendServer:
    """Every municipality's settings point at the one stand-in (the shared backend)."""
    for name, url in stand_in_urls(backend_server.base_url).items():
        monkeypatch.setenv(name.upper(), url)
    for name in ("ZGW_CLIENT_ID", "ZGW_CLIENT_SECRET", "BRP_API_KEY", "KLANTINTERACTIES_TOKEN"):
        monkeypatch.setenv(name, str(getattr(backend_server.settings, name.lower())))
    get_settings.cache_clear()
    clear_content_cache()
    yield backend_server
    get_settings.cache_clear()


async def _create_for(name: str) -> str:
    with municipality.use(name):
        client = ZakenClient.from_settings()
    async with client:
        zaak = await client.create_zaak(
            "Losse stoeptegel", "MELDING-OPENBARE-RUIMTE", "Bij de bakker.", bsn=ANNA,
            idempotency_key=f"separation-{uuid.uuid4()}",
        )
    assert zaak.identificatie
    return zaak.identificatie


async def test_a_zaak_of_proefdorp_is_not_visible_to_voorbeeldstad(shared_stand_in: BackendServer) -> None:
    reference = await _create_for("proefdorp")
    with municipality.use("proefdorp"):
        zaak, matched = await postcode_matches(reference, "9999 AA")
    assert matched and zaak is not None and zaak.identificatie == reference
    for other in ("voorbeeldstad", "lindeoord"):
        with municipality.use(other):
            assert await postcode_matches(reference, "9999 AA") == (None, False)


async def test_a_zaak_of_voorbeeldstad_is_not_visible_to_proefdorp(shared_stand_in: BackendServer) -> None:
    reference = await _create_for("voorbeeldstad")
    with municipality.use("proefdorp"):
        assert await postcode_matches(reference, "9999 AA") == (None, False)
        client = ZakenClient.from_settings()
    async with client:
        assert reference not in {z.identificatie for z in await client.list_zaken_for_bsn(ANNA)}
    with municipality.use("voorbeeldstad"):
        assert (await postcode_matches(reference, "9999 AA"))[1]


async def test_the_stand_in_separates_by_the_header_too(shared_stand_in: BackendServer) -> None:
    """A request that names a municipality only in the header sees only that municipality's zaken."""
    reference = await _create_for("proefdorp")
    proefdorp = municipality.settings_for("proefdorp").zgw_rsin
    with municipality.use("voorbeeldstad"):
        client = ZakenClient.from_settings()
    voorbeeldstad = client.rsin
    async with client:
        response = await client.request("GET", "zaken", params={"identificatie": reference})
        assert response.json()["count"] == 0
        client.for_municipality(proefdorp)
        response = await client.request("GET", "zaken", params={"identificatie": reference})
        [found] = response.json()["results"]
        client.for_municipality(voorbeeldstad)
        with pytest.raises(BackendNotFound):  # another municipality's zaak, even by its url
            await client.request("GET", found["url"])
        body = {k: found[k] for k in ("zaaktype", "startdatum")}
        body.update(bronorganisatie=proefdorp, verantwoordelijkeOrganisatie=proefdorp)
        with pytest.raises(BackendRejected) as refused:  # nor can it create one in another's name
            await client.request("POST", "zaken", json=body)
        assert refused.value.status_code == 400 and "bronorganisatie" in str(refused.value.response_json)
    assert client._http.headers[MUNICIPALITY_HEADER] == voorbeeldstad


async def test_an_appointment_of_proefdorp_cannot_be_seen_moved_or_cancelled_by_lindeoord(
    shared_stand_in: BackendServer,
) -> None:
    from datetime import date, timedelta

    from integrations.appointments import AppointmentsClient

    with municipality.use("proefdorp"):
        proefdorp = AppointmentsClient.from_settings()
    with municipality.use("lindeoord"):
        lindeoord = AppointmentsClient.from_settings()
    async with proefdorp, lindeoord:
        product = (await proefdorp.list_products())[0].code
        day = date.today() + timedelta(days=1)
        slots = []
        while len(slots) < 2:
            slots = await proefdorp.free_slots(product, day)
            day += timedelta(days=1)
        key = f"separation-{uuid.uuid4()}"
        booking = await proefdorp.book(slots[0].id, product, "Anna", "anna@example.org", key)
        for attempt in (
            lindeoord.get(booking.referentie),
            lindeoord.reschedule(booking.referentie, slots[1].id),
            lindeoord.cancel(booking.referentie),
        ):
            with pytest.raises(BackendNotFound):
                await attempt
        assert not (await proefdorp.get(booking.referentie)).cancelled
        await proefdorp.cancel(booking.referentie)
