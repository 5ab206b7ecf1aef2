"""Client for the VNG ZGW Zaken API 1.5 (with the Catalogi API for zaaktype/statustype/roltype).

Auth is the ZGW JWT: a bearer token signed HS256 with the client secret, claims ``iss``, ``iat``,
``client_id``, ``user_id`` and ``user_representation``; a fresh token is made for every request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
import jwt

from foundation.clock import utcnow
from foundation.municipality import settings as municipal_settings
from foundation.settings import DEFAULT_BACKEND_TIMEOUT, Settings
from integrations.base import BackendClient
from integrations.errors import BackendNotFound

logger = logging.getLogger(__name__)

CRS_HEADERS = {"Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"}
MAX_PAGES = 20
OMSCHRIJVING_MAX = 80
TOELICHTING_MAX = 1000


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Zaak:
    """A case (``Zaak``) in the Zaken API."""

    url: str
    uuid: str
    identificatie: str
    omschrijving: str
    toelichting: str
    zaaktype: str
    startdatum: date | None
    einddatum: date | None
    einddatum_gepland: date | None
    uiterlijke_einddatum_afdoening: date | None
    status_url: str | None
    vertrouwelijkheidaanduiding: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Zaak:
        """Build from a Zaken API ``Zaak`` resource."""
        return cls(
            url=data["url"],
            uuid=data.get("uuid") or data["url"].rstrip("/").rsplit("/", 1)[-1],
            identificatie=data.get("identificatie") or "",  # optional in the Zaken API schema
            omschrijving=data.get("omschrijving") or "",
            toelichting=data.get("toelichting") or "",
            zaaktype=data["zaaktype"],
            startdatum=_date(data.get("startdatum")),
            einddatum=_date(data.get("einddatum")),
            einddatum_gepland=_date(data.get("einddatumGepland")),
            uiterlijke_einddatum_afdoening=_date(data.get("uiterlijkeEinddatumAfdoening")),
            status_url=data.get("status") or None,
            vertrouwelijkheidaanduiding=data.get("vertrouwelijkheidaanduiding") or "",
        )


@dataclass(frozen=True)
class ZaakStatus:
    """The current status of a case, joined with its statustype."""

    omschrijving: str
    statustekst: str
    datum_status_gezet: datetime | None
    toelichting: str
    is_eindstatus: bool


class ZgwJwtAuth(httpx.Auth):
    """httpx auth flow that adds a freshly signed ZGW JWT to every request.

    Args:
        client_id: The ZGW client id (also the issuer).
        secret: The shared secret (HS256).
        user_id: Identifier of the acting user (here: the assistant).
        user_representation: Human-readable name of the acting user.
    """

    def __init__(self, client_id: str, secret: str, user_id: str, user_representation: str) -> None:
        self.client_id = client_id
        self.secret = secret
        self.user_id = user_id
        self.user_representation = user_representation

    def token(self) -> str:
        """Return a newly signed JWT."""
        claims = {
            "iss": self.client_id,
            "iat": int(time.time()),
            "client_id": self.client_id,
            "user_id": self.user_id,
            "user_representation": self.user_representation,
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        yield request


class ZakenClient(BackendClient):
    """Async client for cases: create, look up, status, list a resident's cases.

    Args:
        base_url: Zaken API root, e.g. ``https://zaken.example.nl/zaken/api/v1``.
        client_id: ZGW client id.
        secret: ZGW client secret.
        rsin: RSIN of the municipality (bronorganisatie and verantwoordelijkeOrganisatie).
        catalogi_url: Catalogi API root; default derived from ``base_url`` (Open Zaak layout).
        timeout: Request timeout in seconds.
        transport: Optional transport for tests.
        user_id: ``user_id`` claim.
        user_representation: ``user_representation`` claim.
    """

    system = "zaken"

    def __init__(
        self,
        base_url: str,
        client_id: str,
        secret: str,
        *,
        rsin: str = Settings.zgw_rsin,
        catalogi_url: str | None = None,
        timeout: float = DEFAULT_BACKEND_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        user_id: str = "digitale-assistent",
        user_representation: str = "Digitale assistent",
    ) -> None:
        auth = ZgwJwtAuth(client_id, secret, user_id, user_representation)
        super().__init__(base_url, timeout=timeout, auth=auth, transport=transport, headers=CRS_HEADERS)
        self.rsin = rsin
        self.catalogi_url = (catalogi_url or _catalogi_from(self.base_url)).rstrip("/")
        self._zaaktypen: dict[str, str] = {}

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
    ) -> ZakenClient:
        """Build from the conversation's municipality's settings (or the given settings)."""
        s = settings or municipal_settings()  # the conversation's municipality (issue 18)
        client = cls(
            s.zaken_api_url,
            s.zgw_client_id,
            s.zgw_client_secret,
            rsin=s.zgw_rsin,
            timeout=s.backend_timeout,
            transport=transport,
        )
        return client.for_municipality(s.zgw_rsin)

    async def create_zaak(
        self,
        omschrijving: str,
        zaaktype: str,
        toelichting: str,
        bsn: str | None = None,
        idempotency_key: str | None = None,
    ) -> Zaak:
        """Create a case, set its first status and, with a BSN, link the resident as initiator.

        Args:
            omschrijving: Short description (cut to 80 characters, the API maximum).
            zaaktype: Zaaktype URL, or its ``identificatie`` in the Catalogi API.
            toelichting: Longer explanation (cut to 1000 characters).
            bsn: BSN of the resident; adds a ``natuurlijk_persoon`` rol of type initiator.
            idempotency_key: Makes a retry return the same case instead of a duplicate.

        Returns:
            The created case.
        """
        zaaktype_url = await self._resolve_zaaktype(zaaktype)
        body = {
            "bronorganisatie": self.rsin,
            "verantwoordelijkeOrganisatie": self.rsin,
            "zaaktype": zaaktype_url,
            "startdatum": date.today().isoformat(),
            "omschrijving": omschrijving[:OMSCHRIJVING_MAX],
            "toelichting": toelichting[:TOELICHTING_MAX],
        }
        data = await self.request_json("POST", "zaken", json=body, idempotency_key=idempotency_key)
        zaak = self.parse(Zaak.from_json, data)
        if zaak.status_url is None:
            zaak = await self._set_initial_status(zaak, _sub(idempotency_key, "status"))
        if bsn:
            await self._add_initiator(zaak, bsn, _sub(idempotency_key, "rol"))
        return zaak

    async def get_zaak_by_identificatie(self, identificatie: str) -> Zaak:
        """Return the case with this ``identificatie`` (e.g. ``Z-2026-000001``).

        Raises:
            BackendNotFound: No such case.
        """
        # issue 18: on a Zaken API shared by several municipalities, only this municipality's zaken
        query = {"identificatie": identificatie, "bronorganisatie": self.rsin}
        results = await self._list("zaken", query, max_pages=1)
        if not results:
            raise BackendNotFound(self.system, "no zaak with this identificatie")
        return self.parse(Zaak.from_json, results[0])

    async def get_status(self, zaak: Zaak) -> ZaakStatus | None:
        """Return the current status of ``zaak`` with its statustype, or ``None`` without status."""
        if not zaak.status_url:
            return None
        status = await self.request_json("GET", zaak.status_url)
        statustype = await self.request_json("GET", status["statustype"])
        return self.parse(lambda pair: _zaak_status(*pair), (status, statustype))

    async def list_zaken_for_bsn(self, bsn: str) -> list[Zaak]:
        """Return the cases in which the resident with ``bsn`` has a role (all pages).

        Cases without ``identificatie`` (the schema does not require it) are left out: a resident
        cannot refer to them.
        """
        params = {
            "rol__betrokkeneIdentificatie__natuurlijkPersoon__inpBsn": bsn,
            "bronorganisatie": self.rsin,  # issue 18: this municipality's zaken only
        }
        zaken = [self.parse(Zaak.from_json, item) for item in await self._list("zaken", params)]
        return [zaak for zaak in zaken if zaak.identificatie]

    async def _list(self, url: str, params: dict[str, str], max_pages: int = MAX_PAGES) -> list[Any]:
        """GET a paginated ZGW list ``{count, next, previous, results}``, following ``next``."""
        results: list[Any] = []
        next_url: str | None = url
        query: dict[str, str] | None = params
        for _ in range(max_pages):
            if not next_url:
                break
            page = await self.request_json("GET", next_url, params=query)
            results.extend(page["results"])
            next_url, query = page.get("next"), None  # ``next`` already carries the query
        return results

    async def _resolve_zaaktype(self, zaaktype: str) -> str:
        if zaaktype.startswith(("http://", "https://")):
            return zaaktype
        if zaaktype not in self._zaaktypen:
            found = await self._list(f"{self.catalogi_url}/zaaktypen", {"identificatie": zaaktype}, 1)
            if not found:
                raise BackendNotFound(self.system, f"no zaaktype {zaaktype!r}")
            self._zaaktypen[zaaktype] = found[0]["url"]
        return self._zaaktypen[zaaktype]

    async def _set_initial_status(self, zaak: Zaak, key: str | None) -> Zaak:
        types = await self._list(f"{self.catalogi_url}/statustypen", {"zaaktype": zaak.zaaktype}, 1)
        if not types:
            logger.warning("zaken: zaaktype has no statustypen, case stays without status")
            return zaak
        first = min(types, key=lambda t: t.get("volgnummer", 0))
        body = {
            "zaak": zaak.url,
            "statustype": first["url"],
            "datumStatusGezet": utcnow().isoformat(),
            "statustoelichting": "Aangemaakt via de digitale assistent",
        }
        status = await self.request_json("POST", "statussen", json=body, idempotency_key=key)
        return Zaak(**{**zaak.__dict__, "status_url": status["url"]})

    async def _add_initiator(self, zaak: Zaak, bsn: str, key: str | None) -> None:
        params = {"zaaktype": zaak.zaaktype, "omschrijvingGeneriek": "initiator"}
        roltypen = await self._list(f"{self.catalogi_url}/roltypen", params, 1)
        if not roltypen:
            logger.error("zaken: zaaktype has no initiator roltype, resident not linked to case")
            return
        body = {
            "zaak": zaak.url,
            "betrokkeneType": "natuurlijk_persoon",
            "roltype": roltypen[0]["url"],
            "roltoelichting": "Initiator via de digitale assistent",
            "betrokkeneIdentificatie": {"inpBsn": bsn},
        }
        await self.request_json("POST", "rollen", json=body, idempotency_key=key)


def _zaak_status(status: dict[str, Any], statustype: dict[str, Any]) -> ZaakStatus:
    return ZaakStatus(
        omschrijving=statustype["omschrijving"],
        statustekst=statustype.get("statustekst") or "",
        datum_status_gezet=_datetime(status.get("datumStatusGezet")),
        toelichting=status.get("statustoelichting") or "",
        is_eindstatus=bool(statustype.get("isEindstatus", False)),
    )


def _catalogi_from(zaken_url: str) -> str:
    """Derive the Catalogi API root from the Zaken API root (``.../zaken/api/v1``)."""
    if zaken_url.endswith("/zaken/api/v1"):
        return zaken_url[: -len("/zaken/api/v1")] + "/catalogi/api/v1"
    return zaken_url.rsplit("/zaken", 1)[0] + "/catalogi/api/v1"


def _sub(key: str | None, part: str) -> str | None:
    """Derive the idempotency key of a follow-up request from the main key."""
    return f"{key}:{part}" if key else None
