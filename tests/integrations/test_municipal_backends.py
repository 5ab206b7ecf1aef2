"""Backends per municipality (issue 18), through ``httpx.MockTransport`` (no network).

A municipality uses the deployment's shared backends unless its content names its own
(``backends`` section; credentials from ``<NAME>_<SETTING>`` variables). On a shared backend the
client names the municipality: its RSIN as ZGW ``bronorganisatie`` (when creating a zaak and when
looking one up) and in the ``X-Gemeente`` header of every request to every system.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import httpx
import jwt
import pytest

from actions import municipality
from actions.content import clear_content_cache, get_content
from foundation.settings import get_settings
from integrations.addresses import AddressesClient
from integrations.appointments import AppointmentsClient
from integrations.base import MUNICIPALITY_HEADER
from integrations.brp import BrpClient
from integrations.errors import BackendError
from integrations.klantinteracties import KlantinteractiesClient
from integrations.waste import WasteClient
from integrations.zaken import ZakenClient
from tests.integrations.mocks import Recorder

PROEFDORP_RSIN = "002220015"
TODAY = date.today()


@pytest.fixture(autouse=True)
def _content() -> None:
    clear_content_cache()


def _empty_page(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"count": 0, "next": None, "previous": None, "results": []})


async def test_a_zaak_is_looked_up_with_the_municipalitys_bronorganisatie() -> None:
    recorder = Recorder(_empty_page)
    with municipality.use("proefdorp"):
        client = ZakenClient.from_settings(transport=recorder.transport)
    async with client:
        with pytest.raises(BackendError):
            await client.get_zaak_by_identificatie("Z-2026-000001")
        await client.list_zaken_for_bsn("999993653")
    for request in recorder.requests:
        assert request.url.params["bronorganisatie"] == PROEFDORP_RSIN
        assert request.headers[MUNICIPALITY_HEADER] == PROEFDORP_RSIN
    assert str(recorder.requests[0].url).startswith(get_settings().zaken_api_url)  # the shared one


async def test_a_zaak_is_created_with_the_municipalitys_bronorganisatie() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"detail": "stop here"})

    recorder = Recorder(handler)
    with municipality.use("lindeoord"):
        client = ZakenClient.from_settings(transport=recorder.transport)
    async with client:
        with pytest.raises(BackendError):
            await client.create_zaak("melding", "https://catalogi.example/zaaktypen/1", "toelichting")
    body = recorder.requests[-1].read()
    assert b'"bronorganisatie":"002220027"' in body.replace(b" ", b"")


@pytest.mark.parametrize("name", ["voorbeeldstad", "proefdorp", "lindeoord"])
async def test_every_system_is_told_the_municipality(name: str) -> None:
    recorder = Recorder(lambda request: httpx.Response(404, json={}))
    mock = recorder.transport
    with municipality.use(name):
        clients = [
            (BrpClient.from_settings(transport=mock), lambda c: c.get_person("999993653", ["naam"])),
            (KlantinteractiesClient.from_settings(transport=mock), lambda c: c.list_open_internetaken()),
            (AppointmentsClient.from_settings(transport=mock), lambda c: c.list_products()),
            (WasteClient.from_settings(transport=mock), lambda c: c.collection_dates("9999AA", 1, TODAY)),
            (AddressesClient.from_settings(transport=mock), lambda c: c.find("9999AA", 1)),
        ]
    for client, call in clients:
        async with client:
            with pytest.raises(BackendError):
                await call(client)
    expected = municipality.settings_for(name).zgw_rsin
    assert len(recorder.requests) == len(clients)
    assert {request.headers[MUNICIPALITY_HEADER] for request in recorder.requests} == {expected}


async def test_a_municipality_with_its_own_zaken_api_uses_its_url_and_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Declared once: the URL in its content, the secret in PROEFDORP_ZGW_CLIENT_SECRET."""
    own = dict(get_content("proefdorp").data)
    own["backends"] = {**own.get("backends", {}), "zaken_api_url": "https://zaken.proefdorp.example/zaken/api/v1",
                       "zgw_client_id": "proefdorp-assistent"}
    real = municipality.get_content
    monkeypatch.setattr(
        municipality, "get_content",
        lambda name=None: SimpleNamespace(data=own) if name == "proefdorp" else real(name),
    )
    monkeypatch.setenv("PROEFDORP_ZGW_CLIENT_SECRET", "geheim-van-proefdorp-met-genoeg-tekens")
    recorder = Recorder(_empty_page)
    with municipality.use("proefdorp"):
        client = ZakenClient.from_settings(transport=recorder.transport)
    async with client:
        await client.list_zaken_for_bsn("999993653")
    [request] = recorder.requests
    assert request.url.host == "zaken.proefdorp.example"
    token = request.headers["Authorization"].removeprefix("Bearer ")
    claims: dict[str, Any] = jwt.decode(token, "geheim-van-proefdorp-met-genoeg-tekens", algorithms=["HS256"])
    assert claims["client_id"] == "proefdorp-assistent"
    # the default municipality still uses the shared backend
    with municipality.use("voorbeeldstad"):
        shared = ZakenClient.from_settings(transport=recorder.transport)
    async with shared:
        await shared.list_zaken_for_bsn("999993653")
    assert str(recorder.requests[-1].url).startswith(get_settings().zaken_api_url)
