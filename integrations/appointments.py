"""Client for the municipality's appointment system (contract: ``docs/appointments-api.md``).

Auth: ``X-API-KEY`` header. Bookings are made with an ``Idempotency-Key`` so a retried booking never
takes a second slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from foundation.settings import Settings
from integrations.base import ApiKeyClient


@dataclass(frozen=True)
class BookableProduct:
    """A product one can make an appointment for (named after the UPL where possible)."""

    code: str
    naam: str
    duur_minuten: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BookableProduct:
        """Build from a ``Product`` resource."""
        return cls(code=data["code"], naam=data["naam"], duur_minuten=int(data["duurMinuten"]))


@dataclass(frozen=True)
class Slot:
    """A free time slot."""

    id: str
    product: str
    begin: datetime
    eind: datetime
    locatie: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        """Build from a ``Tijdslot`` resource."""
        return cls(
            id=data["id"],
            product=data["product"],
            begin=datetime.fromisoformat(data["begin"]),
            eind=datetime.fromisoformat(data["eind"]),
            locatie=data.get("locatie") or "",
        )


@dataclass(frozen=True)
class Booking:
    """An appointment."""

    referentie: str
    status: str
    product: str
    slot: Slot
    naam: str
    email: str = ""
    telefoon: str = ""

    @property
    def cancelled(self) -> bool:
        """Whether the appointment has been cancelled."""
        return self.status == "geannuleerd"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Booking:
        """Build from an ``Afspraak`` resource."""
        return cls(
            referentie=data["referentie"],
            status=data["status"],
            product=data["product"],
            slot=Slot.from_json(data["tijdslot"]),
            naam=data.get("naam") or "",
            email=data.get("email") or "",
            telefoon=data.get("telefoon") or "",
        )


class AppointmentsClient(ApiKeyClient):
    """Async client for products, free slots and bookings.

    Args:
        base_url: API root, e.g. ``https://afspraken.example.nl/afspraken/api/v1``.
        api_key: Sent as ``X-API-KEY``.
        timeout: Request timeout in seconds.
        transport: Optional transport for tests.
    """

    system = "appointments"
    api_key_header = "X-API-KEY"

    @classmethod
    def location(cls, settings: Settings) -> tuple[str, str]:
        """``appointments_api_url`` and ``appointments_api_key``."""
        return settings.appointments_api_url, settings.appointments_api_key

    async def list_products(self) -> list[BookableProduct]:
        """Return the products that can be booked."""
        data = await self.request_json("GET", "producten")
        return [self.parse(BookableProduct.from_json, item) for item in data["results"]]

    async def free_slots(self, product: str, day: date) -> list[Slot]:
        """Return the free slots for ``product`` on ``day``, earliest first."""
        params = {"product": product, "datum": day.isoformat()}
        data = await self.request_json("GET", "tijdsloten", params=params)
        slots = [self.parse(Slot.from_json, item) for item in data["results"]]
        return sorted(slots, key=lambda slot: slot.begin)

    async def book(
        self, slot_id: str, product: str, name: str, contact: str, idempotency_key: str | None = None
    ) -> Booking:
        """Book ``slot_id`` for ``product``.

        Args:
            slot_id: Id of a free slot.
            product: Product code.
            name: Name of the resident.
            contact: E-mail address or phone number for the confirmation.
            idempotency_key: Makes a retry return the same booking.

        Raises:
            BackendRejected: The slot was taken meanwhile (409) or the data is invalid (400).
        """
        body = {"tijdslot": slot_id, "product": product, "naam": name}
        body["email" if "@" in contact else "telefoon"] = contact
        data = await self.request_json("POST", "afspraken", json=body, idempotency_key=idempotency_key)
        return self.parse(Booking.from_json, data)

    async def get(self, reference: str) -> Booking:
        """Return the booking with ``reference`` (e.g. ``A-2026-00012``).

        Raises:
            BackendNotFound: Unknown reference.
        """
        return self.parse(Booking.from_json, await self.request_json("GET", f"afspraken/{reference}"))

    async def reschedule(self, reference: str, slot_id: str) -> Booking:
        """Move booking ``reference`` to the free slot ``slot_id`` (the old slot becomes free)."""
        data = await self.request_json("PATCH", f"afspraken/{reference}", json={"tijdslot": slot_id})
        return self.parse(Booking.from_json, data)

    async def cancel(self, reference: str) -> Booking:
        """Cancel booking ``reference``; cancelling twice is harmless."""
        data = await self.request_json("POST", f"afspraken/{reference}/annuleren")
        return self.parse(Booking.from_json, data)
