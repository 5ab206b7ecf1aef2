"""Tiny client for an address register modelled on the BAG API Individuele Bevragingen.

``GET /adressen?postcode=&huisnummer=`` answers HAL JSON with ``_embedded.adressen``.
Auth: ``X-Api-Key`` header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foundation.settings import Settings
from integrations.base import ApiKeyClient, compact_postcode


@dataclass(frozen=True)
class BagAdres:
    """One address from the register."""

    nummeraanduiding_identificatie: str
    straat: str
    huisnummer: int
    huisletter: str
    huisnummertoevoeging: str
    postcode: str
    woonplaats: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BagAdres:
        """Build from a BAG ``Adres`` resource."""
        return cls(
            nummeraanduiding_identificatie=data.get("nummeraanduidingIdentificatie") or "",
            straat=data.get("openbareRuimteNaam") or data.get("korteNaam") or "",
            huisnummer=int(data["huisnummer"]),
            huisletter=data.get("huisletter") or "",
            huisnummertoevoeging=data.get("huisnummertoevoeging") or "",
            postcode=data.get("postcode") or "",
            woonplaats=data.get("woonplaatsNaam") or "",
        )


class AddressesClient(ApiKeyClient):
    """Async client to check and look up addresses.

    Args:
        base_url: API root, e.g. ``https://bag.example.nl/bag/api/v1``.
        api_key: Sent as ``X-Api-Key``.
        timeout: Request timeout in seconds.
        transport: Optional transport for tests.
    """

    system = "addresses"
    api_key_header = "X-Api-Key"

    @classmethod
    def location(cls, settings: Settings) -> tuple[str, str]:
        """``addresses_api_url`` and ``addresses_api_key``."""
        return settings.addresses_api_url, settings.addresses_api_key

    async def find(self, postcode: str, huisnummer: int) -> list[BagAdres]:
        """Return the addresses with this postcode and house number (all letters/additions)."""
        params = {"postcode": compact_postcode(postcode), "huisnummer": str(huisnummer)}
        data = await self.request_json("GET", "adressen", params=params)
        items = (data.get("_embedded") or {}).get("adressen") or []
        return [self.parse(BagAdres.from_json, item) for item in items]

    async def address_exists(self, postcode: str, huisnummer: int) -> bool:
        """Return whether at least one address exists for this postcode and house number."""
        return bool(await self.find(postcode, huisnummer))
