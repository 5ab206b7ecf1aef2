"""Client for the Klantinteracties API (Open Klant): handoffs to human staff.

A handoff is a ``klantcontact`` (what the resident asked, via which channel) plus an ``internetaak``
(what staff must do) assigned to an actor such as the KCC team. Auth: ``Authorization: Token <key>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from foundation.clock import utcnow
from foundation.municipality import settings as municipal_settings
from foundation.settings import DEFAULT_BACKEND_TIMEOUT, Settings
from integrations.base import BackendClient

MAX_PAGES = 20
ONDERWERP_MAX = 200
INHOUD_MAX = 1000


def _datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True)
class InterneTaak:
    """A task for staff (``internetaak``)."""

    uuid: str
    url: str
    nummer: str
    gevraagde_handeling: str
    toelichting: str
    status: str
    klantcontact_uuid: str
    toegewezen_op: datetime | None
    afgehandeld_op: datetime | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InterneTaak:
        """Build from an ``InterneTaak`` resource."""
        return cls(
            uuid=data["uuid"],
            url=data.get("url") or "",
            nummer=data.get("nummer") or "",
            gevraagde_handeling=data["gevraagdeHandeling"],
            toelichting=data.get("toelichting") or "",
            status=data["status"],
            klantcontact_uuid=(data.get("aanleidinggevendKlantcontact") or {}).get("uuid", ""),
            toegewezen_op=_datetime(data.get("toegewezenOp")),
            afgehandeld_op=_datetime(data.get("afgehandeldOp")),
        )


@dataclass(frozen=True)
class Handoff:
    """The result of :meth:`KlantinteractiesClient.register_handoff`."""

    klantcontact_uuid: str
    klantcontact_nummer: str
    internetaak: InterneTaak


class KlantinteractiesClient(BackendClient):
    """Async client for klantcontacten and internetaken.

    Args:
        base_url: API root, e.g. ``https://klant.example.nl/klantinteracties/api/v1``.
        token: API token (sent as ``Authorization: Token <token>``).
        actor_uuid: Actor that new tasks are assigned to (``toegewezenAanActoren``).
        timeout: Request timeout in seconds.
        transport: Optional transport for tests.
    """

    system = "klantinteracties"

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        actor_uuid: str = Settings.klantinteracties_actor_uuid,
        timeout: float = DEFAULT_BACKEND_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Token {token}"}
        super().__init__(base_url, timeout=timeout, headers=headers, transport=transport)
        self.actor_uuid = actor_uuid

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
    ) -> KlantinteractiesClient:
        """Build from the conversation's municipality's settings (or the given settings)."""
        s = settings or municipal_settings()  # the conversation's municipality (issue 18)
        client = cls(
            s.klantinteracties_api_url,
            s.klantinteracties_token,
            actor_uuid=s.klantinteracties_actor_uuid,
            timeout=s.backend_timeout,
            transport=transport,
        )
        return client.for_municipality(s.zgw_rsin)

    async def register_handoff(
        self,
        kanaal: str,
        onderwerp: str,
        inhoud: str,
        toelichting: str,
        gevraagde_handeling: str,
        idempotency_key: str | None = None,
    ) -> Handoff:
        """Register a klantcontact and a task for staff to follow it up.

        Args:
            kanaal: Channel of the contact, e.g. ``"chat"`` or ``"whatsapp"``.
            onderwerp: Subject of the contact.
            inhoud: Content of the contact (already masked by the caller where needed).
            toelichting: Explanation for staff on the task.
            gevraagde_handeling: What staff should do, e.g. ``"Terugbellen"``.
            idempotency_key: Makes a retry return the same objects instead of duplicates.

        Returns:
            The klantcontact reference and the created task.
        """
        contact_body = {
            "kanaal": kanaal,
            "onderwerp": onderwerp[:ONDERWERP_MAX],
            "inhoud": inhoud[:INHOUD_MAX],
            "taal": "nld",
            "vertrouwelijk": True,
            "plaatsgevondenOp": utcnow().isoformat(),
            "indicatieContactGelukt": True,
        }
        contact = await self.request_json(
            "POST", "klantcontacten", json=contact_body, idempotency_key=_sub(idempotency_key, "kc")
        )
        task_body = {
            "gevraagdeHandeling": gevraagde_handeling,
            "aanleidinggevendKlantcontact": {"uuid": contact["uuid"]},
            "toegewezenAanActoren": [{"uuid": self.actor_uuid}],
            "toelichting": toelichting[:INHOUD_MAX],
            "status": "te_verwerken",
        }
        task = await self.request_json(
            "POST", "internetaken", json=task_body, idempotency_key=_sub(idempotency_key, "taak")
        )
        return Handoff(
            klantcontact_uuid=contact["uuid"],
            klantcontact_nummer=contact.get("nummer") or "",
            internetaak=self.parse(InterneTaak.from_json, task),
        )

    async def list_open_internetaken(self) -> list[InterneTaak]:
        """Return all tasks with status ``te_verwerken`` (all pages)."""
        results: list[Any] = []
        url: str | None = "internetaken"
        params: dict[str, str] | None = {"status": "te_verwerken"}
        for _ in range(MAX_PAGES):
            if not url:
                break
            page = await self.request_json("GET", url, params=params)
            results.extend(page["results"])
            url, params = page.get("next"), None
        return [self.parse(InterneTaak.from_json, item) for item in results]

    async def complete_internetaak(self, uuid: str) -> InterneTaak:
        """Mark task ``uuid`` as ``verwerkt`` (PATCH)."""
        data = await self.request_json("PATCH", f"internetaken/{uuid}", json={"status": "verwerkt"})
        return self.parse(InterneTaak.from_json, data)


def _sub(key: str | None, part: str) -> str | None:
    return f"{key}:{part}" if key else None
