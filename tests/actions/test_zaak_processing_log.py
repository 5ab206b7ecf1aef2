"""Issue 13: every zaak creation and every BSN zaak look-up is in the processing log (read back)."""

from __future__ import annotations

from typing import Any

import pytest

from actions.zaak_submission import ZAKEN_CREATE, deliver_zaak, submit_zaak
from privacy.processing_log import query
from tests.actions.flows_support import ANNA_BSN, backend_server, flow_backend  # noqa: F401

pytestmark = pytest.mark.usefixtures("flow_backend")

PAYLOAD: dict[str, Any] = {
    "zaaktype": "MELDING-OPENBARE-RUIMTE",
    "omschrijving": "Losse stoeptegel",
    "toelichting": "Bij de bushalte.",
}


async def test_creating_a_zaak_for_a_resident_is_logged_under_their_pseudonym() -> None:
    result = await deliver_zaak({**PAYLOAD, "bsn": ANNA_BSN}, "test:log-1")
    entries = [e for e in query(resident_bsn=ANNA_BSN) if e.activity == "zaak aanmaken"]
    assert len(entries) == 1, query()
    [entry] = entries
    assert entry.system == "ZGW Zaken API"
    assert "zaakgegevens" in entry.data_categories
    assert result["identificatie"] not in str(entry.as_dict())  # descriptions only, never values


async def test_creating_a_zaak_without_a_resident_is_logged_without_a_subject() -> None:
    result = await submit_zaak(PAYLOAD, f"{ZAKEN_CREATE}:log-2")
    assert result.identificatie
    [entry] = [e for e in query() if e.activity == "zaak aanmaken"]
    assert entry.subject_pseudonym is None
