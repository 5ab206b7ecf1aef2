"""The second factor of case status without DigiD: the postcode of the initiator's home address.

A zaak number alone can be guessed, so without a login the resident also gives the postcode of the
address where they live. The check reads the zaak's initiator (a ``natuurlijk_persoon`` rol in the
Zaken API) and that person's home address in the BRP, and compares the postcodes. Nothing of either
is shown or kept: the answer is only whether they match and, if so, the phase of the zaak
(ontvangen / in behandeling / afgehandeld). A zaak without a natural-person initiator, an unknown
number, a resident with ``geheimhoudingPersoonsgegevens`` and a wrong postcode all give the same
"no match". Attempts are counted in :mod:`actions.verification` (record kind :data:`KIND`); every
check that reads a BSN is in the processing log.
"""

from __future__ import annotations

import logging

from integrations.base import compact_postcode
from integrations.brp import BrpClient
from integrations.errors import BackendNotFound
from integrations.zaken import Zaak, ZakenClient
from privacy.processing_log import alog_processing

logger = logging.getLogger(__name__)

#: Record kind of zaken in :mod:`actions.verification`.
KIND = "zaak"
RECEIVED, IN_PROGRESS, DONE = "received", "in_progress", "done"
#: ``status_key`` of :mod:`actions.case_status` -> the only phases shown without a login.
PHASES = {"received": RECEIVED, "done": DONE}


def phase(status_key: str | None) -> str:
    """The phase shown without a login: ontvangen, afgehandeld, or else in behandeling."""
    return PHASES.get(status_key or "received", IN_PROGRESS)


async def initiator_bsn(client: ZakenClient, zaak: Zaak) -> str | None:
    """The BSN of the zaak's natural-person initiator, if it has one."""
    page = await client.request_json(
        "GET",
        "rollen",
        params={
            "zaak": zaak.url,
            "betrokkeneType": "natuurlijk_persoon",
            "omschrijvingGeneriek": "initiator",
        },
    )
    for rol in page.get("results") or []:
        bsn = (rol.get("betrokkeneIdentificatie") or {}).get("inpBsn")
        if bsn:
            return str(bsn)
    return None


async def postcode_matches(reference: str, postcode: str) -> tuple[Zaak | None, bool]:
    """Whether ``postcode`` is the postcode of the home address of zaak ``reference``'s initiator.

    Returns:
        The zaak (when it matched, else ``None``) and whether it matched.

    Raises:
        BackendError: the Zaken API or the BRP is unavailable (not: unknown zaak or person).
    """
    async with ZakenClient.from_settings() as zaken:
        try:
            zaak = await zaken.get_zaak_by_identificatie(reference)
        except BackendNotFound:
            return None, False
        bsn = await initiator_bsn(zaken, zaak)
    if not bsn:
        return None, False
    await alog_processing(
        "postcode controleren bij zaak",
        "stand van zaken opvragen zonder inloggen",
        ["zaakgegevens", "adres"],
        "AVG art. 6 lid 1 sub e",
        resident_bsn=bsn,
        system="ZGW Zaken API en BRP",
    )
    async with BrpClient.from_settings() as brp:
        try:
            person = await brp.get_person(bsn, ["verblijfplaats"])  # no address under geheimhouding
        except BackendNotFound:
            return None, False
    if person.adres is None or not person.adres.postcode:
        return None, False
    matched = compact_postcode(person.adres.postcode) == compact_postcode(postcode)
    return (zaak if matched else None), matched
