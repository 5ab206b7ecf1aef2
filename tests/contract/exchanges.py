"""Record HTTP exchanges with the stand-in and check them against the standards.

:class:`ExchangeRecorder` is an ``httpx.MockTransport`` (the transport the clients accept for tests)
that hands every request to a real transport, i.e. the running stand-in, and records request and
response. :func:`client_flows` drives every client operation the assistant uses through it;
:func:`standin_probes` reads every seeded object from every list and detail endpoint the clients
use and provokes the error answers (400, 401, 403, 404, 412). :func:`violations` checks the lot.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from backend.seed import RESIDENTS
from foundation.settings import Settings
from integrations.brp import BrpClient
from integrations.errors import BackendNotFound
from integrations.klantinteracties import KlantinteractiesClient
from integrations.zaken import CRS_HEADERS, ZakenClient, ZgwJwtAuth
from tests.contract.openapi import STANDARDS, Violation, checker_for

#: Field lists the assistant asks the BRP for (signals engine, the client's defaults) plus every
#: field the stand-in serves, so each seeded person is read completely once.
PERSON_FIELD_SETS = (
    ["geboorte"],
    ["naam.voornamen", "naam.geslachtsnaam", "leeftijd"],
    ["naam", "geboorte", "leeftijd", "geslacht", "verblijfplaats", "gemeenteVanInschrijving"],
)
UNKNOWN_BSN = "999999990"


@dataclass(frozen=True)
class Exchange:
    """One request and the answer to it; ``by_client`` marks requests built by a client."""

    request: httpx.Request
    response: httpx.Response | None  # None: no complete answer (timeout, broken connection)
    by_client: bool


@dataclass
class ExchangeRecorder:
    """A mock transport that forwards to the stand-in and records every exchange."""

    by_client: bool = True
    exchanges: list[Exchange] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._real = httpx.AsyncHTTPTransport()
        self.transport = httpx.MockTransport(self._handle)

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._real.handle_async_request(request)
            await response.aread()
        except httpx.TransportError:
            self.exchanges.append(Exchange(request, None, self.by_client))
            raise
        self.exchanges.append(Exchange(request, response, self.by_client))
        return response

    async def aclose(self) -> None:
        """Close the forwarding transport."""
        await self._real.aclose()


def violations(exchanges: Iterable[Exchange]) -> list[Violation]:
    """Check every exchange: client requests and all responses, per standard (others are skipped)."""
    found: list[Violation] = []
    for exchange in exchanges:
        spec = checker_for(exchange.request.url)
        if spec is None:
            continue
        if exchange.by_client:
            found.extend(spec.check_request(exchange.request))
        if exchange.response is None:
            op = spec.find(exchange.request.method, exchange.request.url)
            label = op.label() if op else exchange.request.url.path
            found.append(Violation(spec.standard.title, "response", label, "body", "-", "no complete answer"))
        else:
            found.extend(spec.check_response(exchange.request, exchange.response))
    return found


def counts(found: Iterable[Violation]) -> dict[tuple[str, str], int]:
    """Violations per (standard title, direction), every standard and direction listed."""
    table = {(s.title, d): 0 for s in STANDARDS for d in ("request", "response")}
    for violation in found:
        table[(violation.standard, violation.direction)] += 1
    return table


async def client_flows(settings: Settings, recorder: ExchangeRecorder) -> None:
    """Run every client operation the assistant uses against the stand-in through ``recorder``."""
    transport = recorder.transport
    key = str(uuid.uuid4())
    async with ZakenClient.from_settings(settings, transport=transport) as zaken:
        created = await zaken.create_zaak(
            "Losse stoeptegel",
            "MELDING-OPENBARE-RUIMTE",
            "Bij de bushalte",
            bsn="999990020",
            idempotency_key=key,
        )
        await zaken.create_zaak("Zonder BSN", "TERUGBELVERZOEK", "Graag terugbellen", idempotency_key=None)
        for identificatie in ("Z-2026-000001", "Z-2026-000003", created.identificatie):
            zaak = await zaken.get_zaak_by_identificatie(identificatie)
            await zaken.get_status(zaak)
        try:
            await zaken.get_zaak_by_identificatie("Z-1999-999999")
        except BackendNotFound:
            pass
        for bsn in RESIDENTS:
            await zaken.list_zaken_for_bsn(bsn)
    async with KlantinteractiesClient.from_settings(settings, transport=transport) as ki:
        handoff = await ki.register_handoff(
            "chat", "Vraag over afval", "Mijn container is niet geleegd.", "Bel terug", "Terugbellen", key
        )
        await ki.list_open_internetaken()
        await ki.complete_internetaak(handoff.internetaak.uuid)
    async with BrpClient.from_settings(settings, transport=transport) as brp:
        for bsn in RESIDENTS:
            for fields in PERSON_FIELD_SETS:
                await brp.get_person(bsn, fields)
            await brp.get_travel_documents(bsn)
        try:
            await brp.get_person(UNKNOWN_BSN, ["geboorte"])
        except BackendNotFound:
            pass
        await brp.get_travel_documents(UNKNOWN_BSN)


async def _get_all(http: httpx.AsyncClient, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        page = (await http.get(next_url, **kwargs)).json()
        items.extend(page.get("results") or [])
        next_url, kwargs = page.get("next"), {k: v for k, v in kwargs.items() if k != "params"}
    return items


async def standin_probes(settings: Settings, recorder: ExchangeRecorder) -> None:
    """Read every seeded object through each list and detail endpoint, and provoke the error answers."""
    transport = recorder.transport
    missing = str(uuid.uuid4())
    zgw = ZgwJwtAuth(settings.zgw_client_id, settings.zgw_client_secret, "contract-test", "Contract test")
    async with httpx.AsyncClient(transport=transport, auth=zgw, headers=CRS_HEADERS) as http:
        root = settings.zaken_api_url.rstrip("/")
        for zaak in await _get_all(http, f"{root}/zaken"):
            await http.get(zaak["url"])
            if zaak.get("status"):
                await http.get(zaak["status"])
        for kind in ("statussen", "rollen"):
            for item in await _get_all(http, f"{root}/{kind}"):
                await http.get(item["url"])
        catalogi = root.rsplit("/zaken/api/v1", 1)[0] + "/catalogi/api/v1"
        for kind in ("zaaktypen", "statustypen", "roltypen"):
            for item in await _get_all(http, f"{catalogi}/{kind}"):
                await http.get(item["url"])
            await http.get(f"{catalogi}/{kind}/{missing}")  # 404
        await http.get(f"{root}/statussen", params={"zaak": f"{root}/zaken/{missing}"})
        await http.get(f"{root}/zaken", params={"identificatie": "Z-1999-999999"})
        for kind in ("zaken", "statussen", "rollen"):
            await http.get(f"{root}/{kind}/{missing}")  # 404
            await http.post(f"{root}/{kind}", json={})  # 400
        try:
            await http.get(f"{root}/zaken", headers={"Accept-Crs": "EPSG:28992"}, timeout=3.0)  # 412
        except httpx.TimeoutException:
            pass  # recorded as "no complete answer"
        await http.get(f"{root}/zaken", params={"page": "x"})  # 400
    async with httpx.AsyncClient(transport=transport) as http:
        await http.get(f"{settings.zaken_api_url}/zaken", headers=CRS_HEADERS)  # 401
        await http.get(settings.zaken_api_url.rsplit("/zaken/api/v1", 1)[0] + "/catalogi/api/v1/zaaktypen")
        await http.get(
            f"{settings.zaken_api_url}/zaken", headers={**CRS_HEADERS, "Authorization": "Bearer forged"}
        )  # 403
    ki_headers = {"Authorization": f"Token {settings.klantinteracties_token}"}
    async with httpx.AsyncClient(transport=transport, headers=ki_headers) as http:
        root = settings.klantinteracties_api_url.rstrip("/")
        for kind in ("klantcontacten", "internetaken"):
            for item in await _get_all(http, f"{root}/{kind}"):
                await http.get(item["url"])
        await _get_all(http, f"{root}/internetaken", params={"status": "verwerkt"})
        await _get_all(http, f"{root}/actoren")
        for kind in ("klantcontacten", "internetaken"):
            await http.get(f"{root}/{kind}/{missing}")
            await http.post(f"{root}/{kind}", json={})
    brp_headers = {"X-API-KEY": settings.brp_api_key}
    async with httpx.AsyncClient(transport=transport, headers=brp_headers) as http:
        personen = f"{settings.brp_api_url.rstrip('/')}/personen"
        reisdocumenten = f"{settings.reisdocumenten_api_url.rstrip('/')}/reisdocumenten"
        everything = [*PERSON_FIELD_SETS[-1], "burgerservicenummer", "geheimhoudingPersoonsgegevens"]
        await http.post(
            personen,
            json={
                "type": "RaadpleegMetBurgerservicenummer",
                "burgerservicenummer": list(RESIDENTS),
                "fields": everything,
            },
        )
        for bsn in [*RESIDENTS, UNKNOWN_BSN]:
            await http.post(
                reisdocumenten,
                json={
                    "type": "ZoekMetBurgerservicenummer",
                    "burgerservicenummer": bsn,
                    "fields": [
                        "reisdocumentnummer",
                        "soort",
                        "houder",
                        "datumEindeGeldigheid",
                        "inhoudingOfVermissing",
                    ],
                },
            )
        await http.post(
            personen,
            json={
                "type": "RaadpleegMetBurgerservicenummer",
                "burgerservicenummer": ["12"],
                "fields": ["naam"],
            },
        )  # 400
        await http.post(
            personen,
            json={
                "type": "RaadpleegMetBurgerservicenummer",
                "burgerservicenummer": [UNKNOWN_BSN],
                "fields": ["bestaatniet"],
            },
        )
        await http.post(reisdocumenten, json={"type": "ZoekMetBurgerservicenummer"})  # 400
    async with httpx.AsyncClient(transport=transport) as http:
        for url in (personen, reisdocumenten):
            await http.post(url, json={})  # 401
            await http.post(url, json={}, headers={"X-API-KEY": "forged"})  # 403


async def record_everything(settings: Settings) -> list[Exchange]:
    """Run :func:`client_flows` and :func:`standin_probes`; return every exchange."""
    clients, probes = ExchangeRecorder(by_client=True), ExchangeRecorder(by_client=False)
    try:
        await client_flows(settings, clients)
        await standin_probes(settings, probes)
    finally:
        await clients.aclose()
        await probes.aclose()
    return [*clients.exchanges, *probes.exchanges]
