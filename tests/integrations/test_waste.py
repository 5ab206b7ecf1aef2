"""WasteClient against an ``httpx.MockTransport``."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from integrations.errors import BackendNotFound
from integrations.waste import WasteClient

BASE = "http://afval.test/afvalkalender/api/v1"


def handler(request: httpx.Request) -> httpx.Response:
    if request.url.params["huisnummer"] != "1":
        return httpx.Response(404, json={"code": "not_found"})
    results = [
        {"afvalstroom": "pmd", "omschrijving": "PMD", "datum": "2026-12-03"},
        {"afvalstroom": "gft", "omschrijving": "GFT", "datum": "2026-11-30"},
    ]
    return httpx.Response(200, json={"results": results})


async def test_collection_dates_sorted(recorder) -> None:
    rec = recorder(handler)
    async with WasteClient(BASE, transport=rec.transport) as client:
        dates = await client.collection_dates("9999 aa", 1, date(2026, 11, 28))
        with pytest.raises(BackendNotFound):
            await client.collection_dates("9999AA", 2, date(2026, 11, 28))
    assert [(c.afvalstroom, c.datum) for c in dates] == [
        ("gft", date(2026, 11, 30)),
        ("pmd", date(2026, 12, 3)),
    ]
    params = rec.requests[0].url.params
    assert (params["postcode"], params["huisnummer"], params["vanaf"]) == ("9999AA", "1", "2026-11-28")
    assert rec.requests[0].url.path == "/afvalkalender/api/v1/ophaaldagen"


async def test_failures(failure) -> None:
    _, transport, expected = failure
    async with WasteClient(BASE, transport=transport) as client:
        with pytest.raises(expected) as info:
            await client.collection_dates("9999AA", 1, date(2026, 11, 28))
    assert info.value.system == "waste"
