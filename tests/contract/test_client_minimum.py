"""The clients accept the least each standard promises: only the required fields, nullables null.

Each minimal document is first checked against the official file (so it really is a valid answer a
real Open Zaak / Open Klant / BRP may give), then parsed by the client.
"""

from __future__ import annotations

from typing import Any

import httpx

from integrations.brp import BrpClient, Persoon, Reisdocument
from integrations.klantinteracties import InterneTaak
from integrations.zaken import Zaak
from tests.contract.openapi import checker

ZAKEN = "http://zgw.example/zaken/api/v1"
KI = "http://ki.example/klantinteracties/api/v1"
UUID = "5d940d52-ff5e-4b18-a769-977af9130c04"

MINIMAL_ZAAK = {
    "url": f"{ZAKEN}/zaken/{UUID}",
    "uuid": UUID,
    "bronorganisatie": "002220003",
    "zaaktype": "http://zgw.example/catalogi/api/v1/zaaktypen/1",
    "verantwoordelijkeOrganisatie": "002220003",
    "startdatum": "2026-01-02",
    "einddatum": None,
    "status": None,
    "resultaat": None,
    "betalingsindicatieWeergave": "",
    "deelzaken": [],
    "eigenschappen": [],
    "rollen": [],
    "zaakinformatieobjecten": [],
    "zaakobjecten": [],
}
MINIMAL_TAAK = {
    "uuid": UUID,
    "url": f"{KI}/internetaken/{UUID}",
    "gevraagdeHandeling": "Terugbellen",
    "aanleidinggevendKlantcontact": {"uuid": UUID, "url": f"{KI}/klantcontacten/{UUID}"},
    "status": "te_verwerken",
    "toegewezenOp": "2026-01-02T10:00:00Z",
}


def valid(key: str, method: str, url: str, body: Any, json: Any = None) -> None:
    request = httpx.Request(
        method, url, json=json, headers={"Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"}
    )
    response = httpx.Response(200, json=body)
    assert checker(key).check_response(request, response) == []


def test_zaak_with_only_the_required_fields() -> None:
    valid("zaken", "GET", f"{ZAKEN}/zaken/{UUID}", MINIMAL_ZAAK)
    zaak = Zaak.from_json(MINIMAL_ZAAK)
    assert zaak.identificatie == "" and zaak.status_url is None and zaak.einddatum is None


def test_internetaak_with_only_the_required_fields() -> None:
    valid("klantinteracties", "GET", f"{KI}/internetaken/{UUID}", MINIMAL_TAAK)
    taak = InterneTaak.from_json({**MINIMAL_TAAK, "nummer": None, "afgehandeldOp": None})
    assert taak.nummer == "" and taak.afgehandeld_op is None and taak.klantcontact_uuid == UUID


def test_persoon_and_reisdocument_with_only_the_required_fields() -> None:
    personen = {"type": "RaadpleegMetBurgerservicenummer", "personen": [{}]}
    query = {
        "type": "RaadpleegMetBurgerservicenummer",
        "burgerservicenummer": ["999990007"],
        "fields": ["naam"],
    }
    valid("brp", "POST", "http://brp.example/haalcentraal/api/brp/personen", personen, query)
    persoon = Persoon.from_json({})
    assert persoon.adres is None and persoon.geboortedatum is None and not persoon.geheimhouding
    documents = {"type": "ZoekMetBurgerservicenummer", "reisdocumenten": [{"soort": {"code": "PN"}}]}
    url = "http://brp.example/haalcentraal/api/reisdocumenten/reisdocumenten"
    valid("reisdocumenten", "POST", url, documents, {"type": "ZoekMetBurgerservicenummer"})
    document = Reisdocument.from_json({"soort": {"code": "PN"}})
    assert document.reisdocumentnummer == "" and document.datum_einde_geldigheid is None


async def test_travel_documents_without_number_do_not_fail_the_whole_answer() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        docs = [{"soort": {"code": "PN"}, "datumEindeGeldigheid": {"type": "Datum", "datum": "2030-01-01"}}]
        return httpx.Response(200, json={"type": "ZoekMetBurgerservicenummer", "reisdocumenten": docs})

    transport = httpx.MockTransport(handler)
    async with BrpClient("http://b/haalcentraal/api/brp", "http://b/haalcentraal/api/reisdocumenten", "k",
                         transport=transport) as client:  # fmt: skip
        [document] = await client.get_travel_documents("999990007")
    assert document.soort_code == "PN" and document.datum_einde_geldigheid is not None
