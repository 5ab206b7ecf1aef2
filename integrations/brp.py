"""Client for Haal Centraal BRP Personen 2.x and BRP Reisdocumenten bevragen 2.0.

Both APIs are POST-only (no personal data in URLs) and ask for explicit ``fields`` (data
minimisation: request only what the action needs). Auth: ``X-API-KEY`` header.

``geheimhoudingPersoonsgegevens`` is always requested. When it is set, :meth:`BrpClient.get_person`
leaves out the address unless the caller passes ``respect_geheimhouding=False`` for a lawful reason,
and callers must never pass this person's data on to third parties.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import httpx

from foundation.municipality import settings as municipal_settings
from foundation.settings import DEFAULT_BACKEND_TIMEOUT, Settings
from integrations.base import BackendClient
from integrations.errors import BackendNotFound

TRAVEL_DOCUMENT_FIELDS = ["reisdocumentnummer", "soort", "datumEindeGeldigheid", "inhoudingOfVermissing"]
ALWAYS_FIELDS = ["burgerservicenummer", "geheimhoudingPersoonsgegevens"]


def brp_date(value: Any) -> date | None:
    """Parse a BRP 2.x date object; only complete dates (``type: Datum``) give a ``date``."""
    if isinstance(value, dict) and value.get("type") == "Datum" and value.get("datum"):
        return date.fromisoformat(value["datum"])
    return None


@dataclass(frozen=True)
class Adres:
    """Residential address (``verblijfplaats.verblijfadres``)."""

    straat: str
    huisnummer: int | None
    huisletter: str
    huisnummertoevoeging: str
    postcode: str
    woonplaats: str


@dataclass(frozen=True)
class Persoon:
    """The subset of a BRP person the assistant uses; absent fields are empty/``None``."""

    burgerservicenummer: str
    voornamen: str
    voorvoegsel: str
    geslachtsnaam: str
    volledige_naam: str
    geboortedatum: date | None
    leeftijd: int | None
    adres: Adres | None
    gemeente_van_inschrijving: str
    geheimhouding: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Persoon:
        """Build from a BRP 2.x ``Persoon`` (any subset of fields)."""
        naam = data.get("naam") or {}
        verblijf = (data.get("verblijfplaats") or {}).get("verblijfadres")
        adres = None
        if verblijf:
            adres = Adres(
                straat=verblijf.get("officieleStraatnaam") or verblijf.get("korteStraatnaam") or "",
                huisnummer=verblijf.get("huisnummer"),
                huisletter=verblijf.get("huisletter") or "",
                huisnummertoevoeging=verblijf.get("huisnummertoevoeging") or "",
                postcode=verblijf.get("postcode") or "",
                woonplaats=verblijf.get("woonplaats") or "",
            )
        return cls(
            burgerservicenummer=data.get("burgerservicenummer") or "",
            voornamen=naam.get("voornamen") or "",
            voorvoegsel=naam.get("voorvoegsel") or "",
            geslachtsnaam=naam.get("geslachtsnaam") or "",
            volledige_naam=naam.get("volledigeNaam") or "",
            geboortedatum=brp_date((data.get("geboorte") or {}).get("datum")),
            leeftijd=data.get("leeftijd"),
            adres=adres,
            gemeente_van_inschrijving=(data.get("gemeenteVanInschrijving") or {}).get("code") or "",
            geheimhouding=bool(data.get("geheimhoudingPersoonsgegevens")),
        )


@dataclass(frozen=True)
class Reisdocument:
    """A travel document (passport, ID card) of a person."""

    reisdocumentnummer: str
    soort_code: str
    soort_omschrijving: str
    datum_einde_geldigheid: date | None
    ingehouden_of_vermist: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reisdocument:
        """Build from a Reisdocumenten API ``Reisdocument``."""
        soort = data.get("soort") or {}
        return cls(
            reisdocumentnummer=data.get("reisdocumentnummer") or "",  # not required by the standard
            soort_code=soort.get("code") or "",
            soort_omschrijving=soort.get("omschrijving") or "",
            datum_einde_geldigheid=brp_date(data.get("datumEindeGeldigheid")),
            ingehouden_of_vermist=bool(data.get("inhoudingOfVermissing")),
        )


class BrpClient(BackendClient):
    """Async client for persons and their travel documents.

    Args:
        base_url: BRP Personen root, e.g. ``https://brp.example.nl/haalcentraal/api/brp``.
        reisdocumenten_url: Reisdocumenten root, e.g. ``.../haalcentraal/api/reisdocumenten``.
        api_key: Sent as ``X-API-KEY``.
        timeout: Request timeout in seconds.
        transport: Optional transport for tests.
    """

    system = "brp"

    def __init__(
        self,
        base_url: str,
        reisdocumenten_url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_BACKEND_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(base_url, timeout=timeout, headers={"X-API-KEY": api_key}, transport=transport)
        self.reisdocumenten_url = reisdocumenten_url.rstrip("/")

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
    ) -> BrpClient:
        """Build from the conversation's municipality's settings (or the given settings)."""
        s = settings or municipal_settings()  # the conversation's municipality (issue 18)
        client = cls(
            s.brp_api_url,
            s.reisdocumenten_api_url,
            s.brp_api_key,
            timeout=s.backend_timeout,
            transport=transport,
        )
        return client.for_municipality(s.zgw_rsin)

    async def get_person(
        self, bsn: str, fields: Sequence[str], *, respect_geheimhouding: bool = True
    ) -> Persoon:
        """Return the person with ``bsn``, limited to ``fields``.

        Args:
            bsn: Burgerservicenummer.
            fields: BRP field paths, e.g. ``["naam.voornamen", "geboorte", "leeftijd"]``.
            respect_geheimhouding: Drop the address when ``geheimhoudingPersoonsgegevens`` is set.

        Raises:
            BackendNotFound: No person with this BSN.
        """
        body = {
            "type": "RaadpleegMetBurgerservicenummer",
            "burgerservicenummer": [bsn],
            "fields": list(dict.fromkeys([*fields, *ALWAYS_FIELDS])),
        }
        data = await self.request_json("POST", "personen", json=body)
        personen = data.get("personen") or []
        if not personen:
            raise BackendNotFound(self.system, "no person with this BSN")
        persoon = self.parse(Persoon.from_json, personen[0])
        if persoon.geheimhouding and respect_geheimhouding:
            persoon = replace(persoon, adres=None)
        return persoon

    async def get_travel_documents(self, bsn: str) -> list[Reisdocument]:
        """Return the travel documents of the person with ``bsn`` (empty list when none)."""
        body = {
            "type": "ZoekMetBurgerservicenummer",
            "burgerservicenummer": bsn,
            "fields": TRAVEL_DOCUMENT_FIELDS,
        }
        data = await self.request_json("POST", f"{self.reisdocumenten_url}/reisdocumenten", json=body)
        return [self.parse(Reisdocument.from_json, item) for item in data.get("reisdocumenten") or []]
