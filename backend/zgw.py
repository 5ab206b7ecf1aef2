"""ZGW Zaken API 1.5 (``/zaken/api/v1``) and Catalogi API (``/catalogi/api/v1``) subset.

Zaken: ``/zaken`` (list with ``identificatie`` and ``rol__betrokkeneIdentificatie__natuurlijkPersoon
__inpBsn`` filters, create, read), ``/statussen`` and ``/rollen`` (list, create, read). Catalogi:
``/zaaktypen``, ``/statustypen``, ``/roltypen`` (list with filters, read). ``/zaken`` requires the
``Accept-Crs`` (and on writes ``Content-Crs``) header ``EPSG:4326``, else ``412``. Several
municipalities share this stand-in (issue 18): ``/zaken`` filters on ``bronorganisatie`` (a query
parameter of the standard) and on the municipality the request names in ``X-Gemeente``; a zaak of
another municipality is not listed, not read (404) and cannot be created in its name (400). The Catalogi
resources carry every field Catalogi API 1.3.1 requires (one catalogus, one version per zaaktype).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sanic import Blueprint, Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Connection, Row

from backend import db
from backend.auth import Check
from backend.common import (
    ApiError,
    base_url,
    invalid,
    json_body,
    municipality_of,
    paginate,
    problem,
    require,
    respond,
)
from backend.common import uuid_from_url as from_url

ZAKEN = "/zaken/api/v1"
CATALOGI = "/catalogi/api/v1"
CRS = "EPSG:4326"
BSN_FILTER = "rol__betrokkeneIdentificatie__natuurlijkPersoon__inpBsn"
CATALOGUS_UUID = "7c1f5e1d-4a8b-4f43-9a57-0d3c5b6e2f10"
GELDIG_VANAF = "2026-01-01"  # the seed zaaktypen are valid from this day on, in one version
VERANTWOORDELIJKE = "Gemeente Voorbeeldstad"


def _crs_check(request: Request, write: bool) -> HTTPResponse | None:
    if request.headers.get("accept-crs") != CRS:
        return problem(412, "precondition_failed", "'Accept-Crs' header ontbreekt of is niet EPSG:4326.")
    if write and request.headers.get("content-crs") != CRS:
        return problem(412, "precondition_failed", "'Content-Crs' header ontbreekt of is niet EPSG:4326.")
    return None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def zaak_json(root: str, row: Row, rollen: list[str]) -> dict[str, Any]:
    """Serialise a zaak row as a ZGW ``Zaak`` (``rollen``: the UUIDs of its rollen).

    The stand-in keeps no deelzaken, eigenschappen, zaakobjecten, documents or betaling; the standard
    still requires those fields, so they are answered empty.
    """
    return {
        "url": f"{root}{ZAKEN}/zaken/{row.uuid}",
        "uuid": row.uuid,
        "identificatie": row.identificatie,
        "bronorganisatie": row.bronorganisatie,
        "omschrijving": row.omschrijving,
        "toelichting": row.toelichting,
        "zaaktype": f"{root}{CATALOGI}/zaaktypen/{row.zaaktype_uuid}",
        "registratiedatum": _iso(row.registratiedatum),
        "verantwoordelijkeOrganisatie": row.verantwoordelijke_organisatie,
        "startdatum": _iso(row.startdatum),
        "einddatum": _iso(row.einddatum),
        "einddatumGepland": _iso(row.einddatum_gepland),
        "uiterlijkeEinddatumAfdoening": _iso(row.uiterlijke_einddatum_afdoening),
        "vertrouwelijkheidaanduiding": row.vertrouwelijkheidaanduiding,
        "status": f"{root}{ZAKEN}/statussen/{row.status_uuid}" if row.status_uuid else None,
        "resultaat": None,
        "zaakgeometrie": None,
        "betalingsindicatie": "",
        "betalingsindicatieWeergave": "",
        "deelzaken": [],
        "eigenschappen": [],
        "rollen": [f"{root}{ZAKEN}/rollen/{r}" for r in rollen],
        "zaakinformatieobjecten": [],
        "zaakobjecten": [],
    }


def status_json(root: str, row: Row, laatste: bool) -> dict[str, Any]:
    """Serialise a status row as a ZGW ``Status``."""
    return {
        "url": f"{root}{ZAKEN}/statussen/{row.uuid}",
        "uuid": row.uuid,
        "zaak": f"{root}{ZAKEN}/zaken/{row.zaak_uuid}",
        "statustype": f"{root}{CATALOGI}/statustypen/{row.statustype_uuid}",
        "datumStatusGezet": row.datum_status_gezet,
        "statustoelichting": row.statustoelichting,
        "indicatieLaatstGezetteStatus": laatste,
        "zaakinformatieobjecten": [],
    }


ROL_QUERY = (
    sa.select(
        db.rollen,
        db.roltypen.c.omschrijving,
        db.roltypen.c.omschrijving_generiek,
        db.zaken.c.registratiedatum,
    )
    .join(db.roltypen, db.roltypen.c.uuid == db.rollen.c.roltype_uuid)
    .join(db.zaken, db.zaken.c.uuid == db.rollen.c.zaak_uuid)
)


def rol_json(root: str, row: Row) -> dict[str, Any]:
    """Serialise a row of :data:`ROL_QUERY` as a ZGW ``Rol`` (natuurlijk persoon).

    ``omschrijving``/``omschrijvingGeneriek`` come from the roltype. The stand-in links rollen only
    when a case is created, so ``registratiedatum`` is the case's registration day.
    """
    return {
        "url": f"{root}{ZAKEN}/rollen/{row.uuid}",
        "uuid": row.uuid,
        "zaak": f"{root}{ZAKEN}/zaken/{row.zaak_uuid}",
        "betrokkene": "",
        "betrokkeneType": row.betrokkene_type,
        "roltype": f"{root}{CATALOGI}/roltypen/{row.roltype_uuid}",
        "omschrijving": row.omschrijving,
        "omschrijvingGeneriek": row.omschrijving_generiek,
        "roltoelichting": row.roltoelichting,
        "registratiedatum": f"{row.registratiedatum.isoformat()}T00:00:00Z",
        "indicatieMachtiging": "",
        "statussen": [],
        "betrokkeneIdentificatie": {"inpBsn": row.inp_bsn},
    }


def rollen_of(conn: Connection, zaak_uuids: list[str]) -> dict[str, list[str]]:
    """Return ``{zaak uuid: [rol uuid, ...]}`` for the given cases."""
    found: dict[str, list[str]] = {u: [] for u in zaak_uuids}
    if zaak_uuids:
        query = (
            sa.select(db.rollen.c.zaak_uuid, db.rollen.c.uuid)
            .where(db.rollen.c.zaak_uuid.in_(zaak_uuids))
            .order_by(db.rollen.c.uuid)
        )
        for zaak_uuid, rol_uuid in conn.execute(query):
            found[zaak_uuid].append(rol_uuid)
    return found


def _uuid_filter(request: Request, name: str) -> str | None:
    """Return the UUID at the end of the URL in query parameter ``name`` (``None`` when absent)."""
    value = request.args.get(name)
    return from_url(value, name) if value else None


def next_identificatie(conn: Connection, year: int) -> str:
    """Return the next free ``Z-<year>-NNNNNN``."""
    prefix = f"Z-{year}-"
    last = conn.execute(
        sa.select(sa.func.max(db.zaken.c.identificatie)).where(db.zaken.c.identificatie.like(f"{prefix}%"))
    ).scalar()
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def zaken_blueprint(check: Check) -> Blueprint:
    """Return the Zaken API blueprint, guarded by ``check``."""
    bp = Blueprint("zaken", url_prefix=ZAKEN)

    @bp.middleware("request")
    async def guard(request: Request) -> HTTPResponse | None:
        return check(request)

    @bp.get("/zaken")
    async def list_zaken(request: Request) -> HTTPResponse:
        if (failed := _crs_check(request, write=False)) is not None:
            return failed
        root = base_url(request)
        identificatie = request.args.get("identificatie")
        bsn = request.args.get(BSN_FILTER)
        # issue 18: only the zaken of the municipality asked for (the filter and the header)
        organisations = {v for v in (request.args.get("bronorganisatie"), municipality_of(request)) if v}

        def work(conn: Connection) -> tuple[int, Any]:
            query = sa.select(db.zaken).order_by(db.zaken.c.identificatie)
            for organisation in organisations:
                query = query.where(db.zaken.c.bronorganisatie == organisation)
            if identificatie:
                query = query.where(db.zaken.c.identificatie == identificatie)
            if bsn:
                with_rol = sa.select(db.rollen.c.zaak_uuid).where(db.rollen.c.inp_bsn == bsn)
                query = query.where(db.zaken.c.uuid.in_(with_rol))
            rows = conn.execute(query).all()
            rollen = rollen_of(conn, [r.uuid for r in rows])
            return 200, paginate(request, [zaak_json(root, r, rollen[r.uuid]) for r in rows])

        return await respond(request, work, headers={"Content-Crs": CRS})

    @bp.post("/zaken")
    async def create_zaak(request: Request) -> HTTPResponse:
        if (failed := _crs_check(request, write=True)) is not None:
            return failed
        root = base_url(request)
        body = json_body(request)

        def work(conn: Connection) -> tuple[int, Any]:
            require(body, "bronorganisatie", "verantwoordelijkeOrganisatie", "zaaktype", "startdatum")
            own = municipality_of(request)
            if own is not None and body["bronorganisatie"] != own:  # issue 18: not in another's name
                raise invalid("bronorganisatie", "Niet de gemeente van dit verzoek.")
            zaaktype = conn.execute(
                db.zaaktypen.select().where(db.zaaktypen.c.uuid == from_url(body["zaaktype"], "zaaktype"))
            ).first()
            if zaaktype is None:
                raise invalid("zaaktype", "Onbekend zaaktype.", "bad-url")
            if len(body.get("omschrijving") or "") > 80:
                raise invalid("omschrijving", "Maximaal 80 tekens.", "max_length")
            try:
                start = date.fromisoformat(body["startdatum"])
            except (TypeError, ValueError) as exc:
                raise invalid("startdatum", "Ongeldige datum.") from exc
            new_uuid = str(uuid.uuid4())
            end = start + timedelta(days=zaaktype.doorlooptijd_dagen)
            conn.execute(
                db.zaken.insert().values(
                    uuid=new_uuid,
                    identificatie=next_identificatie(conn, date.today().year),
                    bronorganisatie=body["bronorganisatie"],
                    verantwoordelijke_organisatie=body["verantwoordelijkeOrganisatie"],
                    zaaktype_uuid=zaaktype.uuid,
                    omschrijving=body.get("omschrijving") or "",
                    toelichting=(body.get("toelichting") or "")[:1000],
                    registratiedatum=date.today(),
                    startdatum=start,
                    einddatum_gepland=end,
                    uiterlijke_einddatum_afdoening=end,
                    vertrouwelijkheidaanduiding=body.get("vertrouwelijkheidaanduiding")
                    or zaaktype.vertrouwelijkheidaanduiding,
                )
            )
            row = conn.execute(db.zaken.select().where(db.zaken.c.uuid == new_uuid)).one()
            return 201, zaak_json(root, row, [])

        return await respond(request, work, idempotent=True, headers={"Content-Crs": CRS})

    @bp.get("/zaken/<zaak_uuid>")
    async def read_zaak(request: Request, zaak_uuid: str) -> HTTPResponse:
        if (failed := _crs_check(request, write=False)) is not None:
            return failed
        root = base_url(request)

        def work(conn: Connection) -> tuple[int, Any]:
            row = conn.execute(db.zaken.select().where(db.zaken.c.uuid == zaak_uuid)).first()
            own = municipality_of(request)
            if row is None or (own is not None and row.bronorganisatie != own):
                raise ApiError(404, "not_found", "Niet gevonden.")
            return 200, zaak_json(root, row, rollen_of(conn, [row.uuid])[row.uuid])

        return await respond(request, work, headers={"Content-Crs": CRS})

    @bp.post("/statussen")
    async def create_status(request: Request) -> HTTPResponse:
        root = base_url(request)
        body = json_body(request)

        def work(conn: Connection) -> tuple[int, Any]:
            require(body, "zaak", "statustype", "datumStatusGezet")
            zaak = conn.execute(
                db.zaken.select().where(db.zaken.c.uuid == from_url(body["zaak"], "zaak"))
            ).first()
            if zaak is None:
                raise invalid("zaak", "Onbekende zaak.", "bad-url")
            statustype = conn.execute(
                db.statustypen.select().where(
                    db.statustypen.c.uuid == from_url(body["statustype"], "statustype")
                )
            ).first()
            if statustype is None or statustype.zaaktype_uuid != zaak.zaaktype_uuid:
                raise invalid("statustype", "Statustype hoort niet bij het zaaktype.", "zaaktype-mismatch")
            new_uuid = str(uuid.uuid4())
            conn.execute(
                db.statussen.insert().values(
                    uuid=new_uuid,
                    zaak_uuid=zaak.uuid,
                    statustype_uuid=statustype.uuid,
                    datum_status_gezet=body["datumStatusGezet"],
                    statustoelichting=(body.get("statustoelichting") or "")[:1000],
                )
            )
            changes: dict[str, Any] = {"status_uuid": new_uuid}
            if statustype.is_eindstatus:
                changes["einddatum"] = date.today()
            conn.execute(db.zaken.update().where(db.zaken.c.uuid == zaak.uuid).values(**changes))
            row = conn.execute(db.statussen.select().where(db.statussen.c.uuid == new_uuid)).one()
            return 201, status_json(root, row, True)

        return await respond(request, work, idempotent=True)

    @bp.get("/statussen")
    async def list_statussen(request: Request) -> HTTPResponse:
        root = base_url(request)

        def work(conn: Connection) -> tuple[int, Any]:
            query = (
                sa.select(db.statussen, db.zaken.c.status_uuid.label("current"))
                .join(db.zaken, db.zaken.c.uuid == db.statussen.c.zaak_uuid)
                .order_by(db.statussen.c.datum_status_gezet, db.statussen.c.uuid)
            )
            if zaak := _uuid_filter(request, "zaak"):
                query = query.where(db.statussen.c.zaak_uuid == zaak)
            if statustype := _uuid_filter(request, "statustype"):
                query = query.where(db.statussen.c.statustype_uuid == statustype)
            rows = conn.execute(query).all()
            return 200, paginate(request, [status_json(root, r, r.current == r.uuid) for r in rows])

        return await respond(request, work)

    @bp.get("/statussen/<status_uuid>")
    async def read_status(request: Request, status_uuid: str) -> HTTPResponse:
        root = base_url(request)

        def work(conn: Connection) -> tuple[int, Any]:
            row = conn.execute(db.statussen.select().where(db.statussen.c.uuid == status_uuid)).first()
            if row is None:
                raise ApiError(404, "not_found", "Niet gevonden.")
            current = conn.execute(
                sa.select(db.zaken.c.status_uuid).where(db.zaken.c.uuid == row.zaak_uuid)
            ).scalar()
            return 200, status_json(root, row, current == row.uuid)

        return await respond(request, work)

    @bp.post("/rollen")
    async def create_rol(request: Request) -> HTTPResponse:
        root = base_url(request)
        body = json_body(request)

        def work(conn: Connection) -> tuple[int, Any]:
            require(body, "zaak", "betrokkeneType", "roltype", "roltoelichting")
            if body["betrokkeneType"] != "natuurlijk_persoon":
                raise invalid("betrokkeneType", "Alleen natuurlijk_persoon in de stand-in.")
            zaak = conn.execute(
                db.zaken.select().where(db.zaken.c.uuid == from_url(body["zaak"], "zaak"))
            ).first()
            if zaak is None:
                raise invalid("zaak", "Onbekende zaak.", "bad-url")
            roltype = conn.execute(
                db.roltypen.select().where(db.roltypen.c.uuid == from_url(body["roltype"], "roltype"))
            ).first()
            if roltype is None or roltype.zaaktype_uuid != zaak.zaaktype_uuid:
                raise invalid("roltype", "Roltype hoort niet bij het zaaktype.", "zaaktype-mismatch")
            bsn = (body.get("betrokkeneIdentificatie") or {}).get("inpBsn")
            if not (isinstance(bsn, str) and len(bsn) == 9 and bsn.isdigit()):
                raise invalid("betrokkeneIdentificatie.inpBsn", "Ongeldig BSN.")
            new_uuid = str(uuid.uuid4())
            conn.execute(
                db.rollen.insert().values(
                    uuid=new_uuid,
                    zaak_uuid=zaak.uuid,
                    roltype_uuid=roltype.uuid,
                    betrokkene_type="natuurlijk_persoon",
                    roltoelichting=body["roltoelichting"],
                    inp_bsn=bsn,
                )
            )
            row = conn.execute(ROL_QUERY.where(db.rollen.c.uuid == new_uuid)).one()
            return 201, rol_json(root, row)

        return await respond(request, work, idempotent=True)

    @bp.get("/rollen")
    async def list_rollen(request: Request) -> HTTPResponse:
        root = base_url(request)
        bsn = request.args.get("betrokkeneIdentificatie__natuurlijkPersoon__inpBsn")
        betrokkene_type = request.args.get("betrokkeneType")
        generiek = request.args.get("omschrijvingGeneriek")

        def work(conn: Connection) -> tuple[int, Any]:
            query = ROL_QUERY.order_by(db.rollen.c.zaak_uuid, db.rollen.c.uuid)
            if zaak := _uuid_filter(request, "zaak"):
                query = query.where(db.rollen.c.zaak_uuid == zaak)
            if roltype := _uuid_filter(request, "roltype"):
                query = query.where(db.rollen.c.roltype_uuid == roltype)
            if bsn:
                query = query.where(db.rollen.c.inp_bsn == bsn)
            if betrokkene_type:
                query = query.where(db.rollen.c.betrokkene_type == betrokkene_type)
            if generiek:
                query = query.where(db.roltypen.c.omschrijving_generiek == generiek)
            return 200, paginate(request, [rol_json(root, r) for r in conn.execute(query).all()])

        return await respond(request, work)

    @bp.get("/rollen/<rol_uuid>")
    async def read_rol(request: Request, rol_uuid: str) -> HTTPResponse:
        root = base_url(request)

        def work(conn: Connection) -> tuple[int, Any]:
            row = conn.execute(ROL_QUERY.where(db.rollen.c.uuid == rol_uuid)).first()
            if row is None:
                raise ApiError(404, "not_found", "Niet gevonden.")
            return 200, rol_json(root, row)

        return await respond(request, work)

    return bp


def catalogus_url(root: str) -> str:
    """URL of the stand-in's one catalogus (a reference only; ``/catalogussen`` is not served)."""
    return f"{root}{CATALOGI}/catalogussen/{CATALOGUS_UUID}"


def zaaktype_identificatie(conn: Connection, zaaktype_uuid: str) -> str:
    """Return the ``identificatie`` of a zaaktype."""
    query = sa.select(db.zaaktypen.c.identificatie).where(db.zaaktypen.c.uuid == zaaktype_uuid)
    return conn.execute(query).scalar() or ""


def catalogi_blueprint(check: Check) -> Blueprint:
    """Return the Catalogi API blueprint (zaaktypen, statustypen, roltypen), guarded by ``check``."""
    bp = Blueprint("catalogi", url_prefix=CATALOGI)

    @bp.middleware("request")
    async def guard(request: Request) -> HTTPResponse | None:
        return check(request)

    def zaaktype_json(root: str, r: Row, conn: Connection) -> dict[str, Any]:
        # Catalogi 1.3.1 leaves the zaaktypen answers unspecified ("Unspecified response body");
        # this carries the fields of its ``ZaakType`` component, as Open Zaak answers.
        statustypen = conn.execute(
            sa.select(db.statustypen.c.uuid)
            .where(db.statustypen.c.zaaktype_uuid == r.uuid)
            .order_by(db.statustypen.c.volgnummer)
        ).scalars()
        roltypen = conn.execute(
            sa.select(db.roltypen.c.uuid)
            .where(db.roltypen.c.zaaktype_uuid == r.uuid)
            .order_by(db.roltypen.c.uuid)
        ).scalars()
        return {
            "url": f"{root}{CATALOGI}/zaaktypen/{r.uuid}",
            "identificatie": r.identificatie,
            "omschrijving": r.omschrijving,
            "omschrijvingGeneriek": "",
            "vertrouwelijkheidaanduiding": r.vertrouwelijkheidaanduiding,
            "doel": r.omschrijving,
            "aanleiding": "",
            "toelichting": "",
            "indicatieInternOfExtern": "extern",
            "handelingInitiator": "indienen",
            "onderwerp": r.omschrijving,
            "handelingBehandelaar": "behandelen",
            "doorlooptijd": f"P{r.doorlooptijd_dagen}D",
            "opschortingEnAanhoudingMogelijk": False,
            "verlengingMogelijk": False,
            "publicatieIndicatie": False,
            "productenOfDiensten": [],
            "referentieproces": {"naam": r.omschrijving},
            "verantwoordelijke": VERANTWOORDELIJKE,
            "catalogus": catalogus_url(root),
            "statustypen": [f"{root}{CATALOGI}/statustypen/{u}" for u in statustypen],
            "resultaattypen": [],
            "eigenschappen": [],
            "informatieobjecttypen": [],
            "roltypen": [f"{root}{CATALOGI}/roltypen/{u}" for u in roltypen],
            "besluittypen": [],
            "deelzaaktypen": [],
            "gerelateerdeZaaktypen": [],
            "zaakobjecttypen": [],
            "beginGeldigheid": GELDIG_VANAF,
            "eindeGeldigheid": None,
            "versiedatum": GELDIG_VANAF,
            "concept": False,
        }

    def statustype_json(root: str, r: Row, conn: Connection) -> dict[str, Any]:
        return {
            "url": f"{root}{CATALOGI}/statustypen/{r.uuid}",
            "zaaktype": f"{root}{CATALOGI}/zaaktypen/{r.zaaktype_uuid}",
            "zaaktypeIdentificatie": zaaktype_identificatie(conn, r.zaaktype_uuid),
            "catalogus": catalogus_url(root),
            "omschrijving": r.omschrijving,
            "omschrijvingGeneriek": r.omschrijving_generiek,
            "statustekst": r.statustekst,
            "volgnummer": r.volgnummer,
            "isEindstatus": r.is_eindstatus,
            "informeren": False,
            # required and read-only in Catalogi 1.3.1 although a statustype need not have one
            "zaakobjecttype": "",
        }

    def roltype_json(root: str, r: Row, conn: Connection) -> dict[str, Any]:
        return {
            "url": f"{root}{CATALOGI}/roltypen/{r.uuid}",
            "zaaktype": f"{root}{CATALOGI}/zaaktypen/{r.zaaktype_uuid}",
            "zaaktypeIdentificatie": zaaktype_identificatie(conn, r.zaaktype_uuid),
            "catalogus": catalogus_url(root),
            "omschrijving": r.omschrijving,
            "omschrijvingGeneriek": r.omschrijving_generiek,
        }

    resources = {
        "zaaktypen": (db.zaaktypen, zaaktype_json),
        "statustypen": (db.statustypen, statustype_json),
        "roltypen": (db.roltypen, roltype_json),
    }

    def lookup(resource: str) -> tuple[sa.Table, Any]:
        if resource not in resources:
            raise ApiError(404, "not_found", "Niet gevonden.")
        return resources[resource]

    @bp.get("/<resource:str>")
    async def list_resource(request: Request, resource: str) -> HTTPResponse:
        table, to_json = lookup(resource)
        root = base_url(request)
        filters = {
            "identificatie": request.args.get("identificatie"),
            "zaaktype": request.args.get("zaaktype"),
            "omschrijvingGeneriek": request.args.get("omschrijvingGeneriek"),
        }

        def work(conn: Connection) -> tuple[int, Any]:
            query = table.select()
            if filters["identificatie"] and "identificatie" in table.c:
                query = query.where(table.c.identificatie == filters["identificatie"])
            if filters["zaaktype"] and "zaaktype_uuid" in table.c:
                query = query.where(table.c.zaaktype_uuid == from_url(filters["zaaktype"], "zaaktype"))
            if filters["omschrijvingGeneriek"] and "omschrijving_generiek" in table.c:
                query = query.where(table.c.omschrijving_generiek == filters["omschrijvingGeneriek"])
            rows = conn.execute(query).all()
            return 200, paginate(request, [to_json(root, r, conn) for r in rows])

        return await respond(request, work)

    @bp.get("/<resource:str>/<item_uuid:str>")
    async def read_resource(request: Request, resource: str, item_uuid: str) -> HTTPResponse:
        table, to_json = lookup(resource)
        root = base_url(request)

        def work(conn: Connection) -> tuple[int, Any]:
            row = conn.execute(table.select().where(table.c.uuid == item_uuid)).first()
            if row is None:
                raise ApiError(404, "not_found", "Niet gevonden.")
            return 200, to_json(root, row, conn)

        return await respond(request, work)

    return bp
