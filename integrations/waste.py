"""Client for the waste collection calendar (``/afvalkalender/api/v1``, public, no auth).

``GET /ophaaldagen?postcode=&huisnummer=&vanaf=`` answers ``{"results": [{afvalstroom,
omschrijving, datum}]}``; 404 when the address is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from foundation.municipality import settings as municipal_settings
from foundation.settings import DEFAULT_BACKEND_TIMEOUT, Settings
from integrations.base import BackendClient, compact_postcode


@dataclass(frozen=True)
class Collection:
    """One collection: waste stream code (``gft``, ``restafval``, ``papier``, ``pmd``) and date."""

    afvalstroom: str
    omschrijving: str
    datum: date

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Collection:
        """Build from an ``Ophaaldag`` resource."""
        return cls(
            afvalstroom=data["afvalstroom"],
            omschrijving=data.get("omschrijving") or "",
            datum=date.fromisoformat(data["datum"]),
        )


class WasteClient(BackendClient):
    """Async client for collection dates.

    Args:
        base_url: API root, e.g. ``https://afval.example.nl/afvalkalender/api/v1``.
        timeout: Request timeout in seconds.
        transport: Optional transport for tests.
    """

    system = "waste"

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_BACKEND_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(base_url, timeout=timeout, transport=transport)

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
    ) -> WasteClient:
        """Build from the conversation's municipality's settings (or the given settings)."""
        s = settings or municipal_settings()  # the conversation's municipality (issue 18)
        client = cls(s.waste_api_url, timeout=s.backend_timeout, transport=transport)
        return client.for_municipality(s.zgw_rsin)

    async def collection_dates(self, postcode: str, huisnummer: int, from_date: date) -> list[Collection]:
        """Return the collections at this address from ``from_date`` on, earliest first.

        Raises:
            BackendNotFound: The address is not in the calendar.
        """
        params = {
            "postcode": compact_postcode(postcode),
            "huisnummer": str(huisnummer),
            "vanaf": from_date.isoformat(),
        }
        data = await self.request_json("GET", "ophaaldagen", params=params)
        items = [self.parse(Collection.from_json, item) for item in data["results"]]
        return sorted(items, key=lambda c: (c.datum, c.afvalstroom))
