"""AddressesClient against an ``httpx.MockTransport`` speaking BAG-style HAL JSON."""

from __future__ import annotations

import httpx
import pytest

from integrations.addresses import AddressesClient

BASE = "http://bag.test/bag/api/v1"


def handler(request: httpx.Request) -> httpx.Response:
    params = request.url.params
    if params["postcode"] == "9999AA" and params["huisnummer"] == "1":
        adres = {
            "openbareRuimteNaam": "Voorbeeldstraat",
            "huisnummer": 1,
            "postcode": "9999AA",
            "woonplaatsNaam": "Voorbeeldstad",
            "nummeraanduidingIdentificatie": "9999200000000001",
        }
        return httpx.Response(200, json={"_links": {}, "_embedded": {"adressen": [adres]}})
    return httpx.Response(200, json={"_links": {}})


async def test_address_exists_normalises_postcode(recorder) -> None:
    rec = recorder(handler)
    async with AddressesClient(BASE, "bag-key", transport=rec.transport) as client:
        assert await client.address_exists(" 9999 aa", 1)
        assert not await client.address_exists("9999AA", 2)
        found = await client.find("9999AA", 1)
    assert found[0].straat == "Voorbeeldstraat" and found[0].woonplaats == "Voorbeeldstad"
    assert rec.requests[0].url.path == "/bag/api/v1/adressen"
    assert rec.requests[0].url.params["postcode"] == "9999AA"
    assert rec.requests[0].headers["X-Api-Key"] == "bag-key"


async def test_failures(failure) -> None:
    _, transport, expected = failure
    async with AddressesClient(BASE, "k", transport=transport) as client:
        with pytest.raises(expected) as info:
            await client.address_exists("9999AA", 1)
    assert info.value.system == "addresses"
