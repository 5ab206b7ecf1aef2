"""The contract checker itself: it must name the exact field and schema path of any drift."""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate_spec

from tests.contract.openapi import SPEC_DIR, STANDARDS, checker, load_spec

ZAKEN = "http://zgw.example/zaken/api/v1"
KI = "http://ki.example/klantinteracties/api/v1"
BRP = "http://brp.example/haalcentraal/api/brp"
UUID = "5d940d52-ff5e-4b18-a769-977af9130c04"
CRS = {"Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"}


def zaak(**changes: Any) -> dict[str, Any]:
    """A Zaak that meets Zaken API 1.5.1 (read rules)."""
    body = {
        "url": f"{ZAKEN}/zaken/{UUID}",
        "uuid": UUID,
        "identificatie": "Z-2026-000001",
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
        "zaakgeometrie": None,
    }
    body.update(changes)
    return body


def get(url: str, headers: dict[str, str] | None = None) -> httpx.Request:
    return httpx.Request("GET", url, headers=headers if headers is not None else CRS)


def answer(body: Any, status: int = 200, content_type: str = "application/json") -> httpx.Response:
    return httpx.Response(status, json=body, headers={"Content-Type": content_type})


@pytest.mark.parametrize("standard", STANDARDS, ids=lambda s: s.key)
def test_vendored_files_are_valid_openapi(standard: Any) -> None:
    validate_spec(copy.deepcopy(load_spec(standard.spec_file)))


def test_a_valid_zaak_has_no_violations_and_nullable_is_honoured() -> None:
    assert checker("zaken").check_response(get(f"{ZAKEN}/zaken/{UUID}"), answer(zaak())) == []


def test_missing_required_field_names_field_and_schema_path() -> None:
    body = zaak()
    del body["rollen"]
    page = {"count": 1, "next": None, "previous": None, "results": [body]}
    [violation] = checker("zaken").check_response(get(f"{ZAKEN}/zaken?identificatie=x"), answer(page))
    assert violation.direction == "response"
    assert violation.operation == "GET /zaken -> 200"
    assert violation.field == "body: results[0].rollen"
    assert violation.schema_path == "#/components/schemas/Zaak/required"


def test_null_where_the_standard_does_not_allow_it() -> None:
    [violation] = checker("zaken").check_response(get(f"{ZAKEN}/zaken/{UUID}"), answer(zaak(startdatum=None)))
    assert violation.field == "body: startdatum"
    assert violation.schema_path == "#/components/schemas/Zaak/properties/startdatum/type"


def test_readonly_fields_may_be_left_out_of_a_request_but_wrong_types_are_not() -> None:
    body = {
        "bronorganisatie": "002220003",
        "verantwoordelijkeOrganisatie": "002220003",
        "zaaktype": "http://zgw.example/catalogi/api/v1/zaaktypen/1",
        "startdatum": "2026-01-02",
    }
    request = httpx.Request("POST", f"{ZAKEN}/zaken", json=body, headers=CRS)
    assert checker("zaken").check_request(request) == []
    request = httpx.Request("POST", f"{ZAKEN}/zaken", json={**body, "omschrijving": "x" * 81}, headers=CRS)
    [violation] = checker("zaken").check_request(request)
    assert violation.field == "body: omschrijving"
    assert violation.schema_path == "#/components/schemas/Zaak/properties/omschrijving/maxLength"


def test_request_header_and_query_parameters_are_checked() -> None:
    found = checker("zaken").check_request(get(f"{ZAKEN}/zaken?onbekend=1&page=een", headers={}))
    by_field = {v.field: v for v in found}
    assert set(by_field) == {"header: Accept-Crs", "header: Content-Crs", "query: onbekend", "query: page"}
    assert by_field["header: Accept-Crs"].schema_path.endswith("/required")
    wrong = checker("zaken").check_request(get(f"{ZAKEN}/zaken", headers={**CRS, "Accept-Crs": "EPSG:28992"}))
    assert [v.field for v in wrong] == ["header: Accept-Crs"]
    assert wrong[0].schema_path.endswith("/schema/enum")


def test_unknown_operation_and_405_on_an_offered_operation() -> None:
    [unknown] = checker("zaken").check_request(httpx.Request("DELETE", f"{ZAKEN}/statussen/{UUID}"))
    assert unknown.message == "no such operation in the standard"
    problem = {"type": "x", "code": "method_not_allowed", "title": "x", "status": 405, "detail": "x"}
    [refused] = checker("klantinteracties").check_response(
        get(f"{KI}/klantcontacten"), answer(problem, 405, "application/problem+json")
    )
    assert refused.operation == "GET /klantcontacten -> 405"


def test_polymorphic_actor_is_checked_against_its_subtype() -> None:
    actor = {
        "uuid": UUID,
        "url": f"{KI}/actoren/{UUID}",
        "naam": "KCC",
        "soortActor": "organisatorische_eenheid",
        "indicatieActief": True,
        "actoridentificator": None,
        "actorIdentificator": None,
        "actoridentificatie": {
            "omschrijving": "KCC",
            "emailadres": "",
            "faxnummer": "",
            "telefoonnummer": "",
        },
    }
    page = {"count": 1, "next": None, "previous": None, "results": [actor]}
    found = checker("klantinteracties").check_response(get(f"{KI}/actoren"), answer(page))
    assert found == [], [str(v) for v in found]
    page["results"] = [{**actor, "soortActor": "robot"}]
    found = checker("klantinteracties").check_response(get(f"{KI}/actoren"), answer(page))
    assert found and all(v.field.startswith("body: results[0]") for v in found)


def test_polymorphic_rol_subtype_is_checked() -> None:
    rol = {
        "url": f"{ZAKEN}/rollen/{UUID}",
        "uuid": UUID,
        "zaak": f"{ZAKEN}/zaken/{UUID}",
        "betrokkeneType": "natuurlijk_persoon",
        "roltype": "http://zgw.example/catalogi/api/v1/roltypen/1",
        "omschrijving": "Initiator",
        "omschrijvingGeneriek": "initiator",
        "roltoelichting": "x",
        "registratiedatum": "2026-01-02T10:00:00Z",
        "statussen": [],
        "betrokkeneIdentificatie": {"inpBsn": "999990007"},
    }
    assert checker("zaken").check_response(get(f"{ZAKEN}/rollen/{UUID}", {}), answer(rol)) == []
    rol["betrokkeneIdentificatie"] = {"inpBsn": "9999900071"}
    [violation] = checker("zaken").check_response(get(f"{ZAKEN}/rollen/{UUID}", {}), answer(rol))
    assert violation.field == "body: betrokkeneIdentificatie.inpBsn"
    assert violation.schema_path == "#/components/schemas/RolNatuurlijkPersoon/properties/inpBsn/maxLength"


def test_openapi_31_file_is_checked_too() -> None:
    request = httpx.Request(
        "POST",
        f"{BRP}/personen",
        json={"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": ["12"], "fields": ["naam"]},
    )
    [violation] = checker("brp").check_request(request)
    assert violation.field == "body: burgerservicenummer[0]"
    assert violation.schema_path.endswith("/pattern")


def test_documented_response_header_is_checked() -> None:
    response = httpx.Response(200, json=zaak(), headers={"Content-Crs": "EPSG:28992"})
    [violation] = checker("zaken").check_response(get(f"{ZAKEN}/zaken/{UUID}"), response)
    assert violation.direction == "response" and violation.field == "header: Content-Crs"
    assert violation.schema_path.endswith("/schema/enum")


def test_vendored_files_are_the_recorded_copies() -> None:
    readme = (SPEC_DIR / "README.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"^\s+([0-9a-f]{64})\s+(\S+\.yaml)$", readme, re.MULTILINE))
    assert sorted(recorded.values()) == sorted(p.name for p in SPEC_DIR.glob("*.yaml"))
    for digest, name in recorded.items():
        assert hashlib.sha256((SPEC_DIR / name).read_bytes()).hexdigest() == digest, name
