"""Stand-in and clients against the official OpenAPI files, in both directions (no network).

The clients run every operation the assistant uses against the stand-in through a recording
``httpx.MockTransport``; probes read every seeded object from every list and detail endpoint and
provoke the error answers. Every client request and every response is checked against the standard
(``tests/contract/openapi.py``). ``python -m tests.contract -v`` prints the same check as a table.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.backend.conftest import BackendServer
from tests.contract.exchanges import Exchange, record_everything, violations
from tests.contract.openapi import STANDARDS, Standard, checker_for

#: Operations of each standard the clients use (and the stand-in therefore must serve).
CLIENT_OPERATIONS = {
    "zaken": {
        "GET /zaken", "POST /zaken", "GET /zaken/{uuid}", "GET /statussen", "POST /statussen",
        "GET /statussen/{uuid}", "GET /rollen", "POST /rollen", "GET /rollen/{uuid}",
    },
    "catalogi": {"GET /zaaktypen", "GET /statustypen", "GET /statustypen/{uuid}", "GET /roltypen"},
    "klantinteracties": {
        "GET /klantcontacten", "POST /klantcontacten", "GET /klantcontacten/{uuid}", "GET /internetaken",
        "POST /internetaken", "GET /internetaken/{uuid}", "PATCH /internetaken/{uuid}", "GET /actoren",
    },
    "brp": {"POST /personen"},
    "reisdocumenten": {"POST /reisdocumenten"},
}  # fmt: skip


@pytest.fixture(scope="module")
def exchanges(backend_server: BackendServer) -> list[Exchange]:
    """Every recorded exchange of the client flows and the probes."""
    return asyncio.run(record_everything(backend_server.settings))


def _of(exchanges: list[Exchange], standard: Standard) -> list[Exchange]:
    return [e for e in exchanges if (c := checker_for(e.request.url)) and c.standard == standard]


@pytest.mark.parametrize("standard", STANDARDS, ids=lambda s: s.key)
def test_every_used_operation_answered_successfully_and_errors_were_seen(
    exchanges: list[Exchange], standard: Standard
) -> None:
    seen, answered = set(), set()
    for exchange in _of(exchanges, standard):
        op = checker_for(exchange.request.url).find(exchange.request.method, exchange.request.url)
        if op and exchange.response is not None:
            answered.add(exchange.response.status_code)
            if exchange.response.status_code < 300:
                seen.add(op.label())
    assert CLIENT_OPERATIONS[standard.key] <= seen
    assert any(s < 300 for s in answered) and any(s >= 400 for s in answered), answered


@pytest.mark.parametrize("direction", ["request", "response"])
@pytest.mark.parametrize("standard", STANDARDS, ids=lambda s: s.key)
def test_no_violations(exchanges: list[Exchange], standard: Standard, direction: str) -> None:
    found = [v for v in violations(_of(exchanges, standard)) if v.direction == direction]
    assert not found, f"{len(found)} violations of {standard.title} ({direction}s):\n" + "\n".join(
        str(v) for v in found[:50]
    )
