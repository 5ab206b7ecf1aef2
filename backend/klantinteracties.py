"""Klantinteracties API (Open Klant) subset under ``/klantinteracties/api/v1``.

``/klantcontacten`` (list with ``nummer`` filter, create, read), ``/internetaken`` (list with
``status`` filter, create, read, PATCH), ``/actoren`` (list).
Lists are paginated ``{count, next, previous, results}``.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sanic import Blueprint, Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Connection, Row

from backend import db
from backend.auth import Check
from backend.common import ApiError, base_url, invalid, json_body, now_iso, paginate, require, respond

PREFIX = "/klantinteracties/api/v1"
STATUSES = ("te_verwerken", "verwerkt")


def _next_nummer(conn: Connection, table: sa.Table) -> str:
    last = conn.execute(sa.select(sa.func.max(table.c.nummer))).scalar()
    return f"{int(last or 0) + 1:010d}"


def klantcontact_json(root: str, r: Row, taken: list[str]) -> dict[str, Any]:
    """Serialise a klantcontact row (``taken``: UUIDs of the internetaken it led to).

    The stand-in keeps no betrokkenen, actor links, onderwerpobjecten or bijlagen; the standard still
    requires those lists, so they are answered empty.
    """
    return {
        "uuid": r.uuid,
        "url": f"{root}{PREFIX}/klantcontacten/{r.uuid}",
        "nummer": r.nummer,
        "kanaal": r.kanaal,
        "onderwerp": r.onderwerp,
        "inhoud": r.inhoud,
        "indicatieContactGelukt": r.indicatie_contact_gelukt,
        "taal": r.taal,
        "vertrouwelijk": r.vertrouwelijk,
        "plaatsgevondenOp": r.plaatsgevonden_op,
        "gingOverOnderwerpobjecten": [],
        "hadBetrokkenActoren": [],
        "omvatteBijlagen": [],
        "hadBetrokkenen": [],
        "leiddeTotInterneTaken": [{"uuid": t, "url": f"{root}{PREFIX}/internetaken/{t}"} for t in taken],
    }


def taken_of(conn: Connection, contact_uuids: list[str]) -> dict[str, list[str]]:
    """Return ``{klantcontact uuid: [internetaak uuid, ...]}``."""
    found: dict[str, list[str]] = {u: [] for u in contact_uuids}
    if contact_uuids:
        query = (
            sa.select(db.internetaken.c.klantcontact_uuid, db.internetaken.c.uuid)
            .where(db.internetaken.c.klantcontact_uuid.in_(contact_uuids))
            .order_by(db.internetaken.c.nummer)
        )
        for contact_uuid, taak_uuid in conn.execute(query):
            found[contact_uuid].append(taak_uuid)
    return found


def internetaak_json(root: str, r: Row) -> dict[str, Any]:
    """Serialise an internetaak row."""
    return {
        "uuid": r.uuid,
        "url": f"{root}{PREFIX}/internetaken/{r.uuid}",
        "nummer": r.nummer,
        "gevraagdeHandeling": r.gevraagde_handeling,
        "aanleidinggevendKlantcontact": {
            "uuid": r.klantcontact_uuid,
            "url": f"{root}{PREFIX}/klantcontacten/{r.klantcontact_uuid}",
        },
        "toegewezenAanActoren": [{"uuid": a, "url": f"{root}{PREFIX}/actoren/{a}"} for a in r.actor_uuids],
        "toelichting": r.toelichting,
        "status": r.status,
        "toegewezenOp": r.toegewezen_op,
        "afgehandeldOp": r.afgehandeld_op,
    }


def blueprint(check: Check) -> Blueprint:
    """Return the Klantinteracties blueprint, guarded by ``check``."""
    bp = Blueprint("klantinteracties", url_prefix=PREFIX)

    @bp.middleware("request")
    async def guard(request: Request) -> HTTPResponse | None:
        return check(request)

    @bp.post("/klantcontacten")
    async def create_klantcontact(request: Request) -> HTTPResponse:
        root, body = base_url(request), json_body(request)

        def work(conn: Connection) -> tuple[int, Any]:
            require(body, "kanaal", "onderwerp", "taal")
            if not isinstance(body.get("vertrouwelijk"), bool):
                raise invalid("vertrouwelijk", "Dit veld is vereist (true/false).", "required")
            if len(body["taal"]) != 3:
                raise invalid("taal", "ISO 639-2/B code van 3 letters.")
            new_uuid = str(uuid.uuid4())
            conn.execute(
                db.klantcontacten.insert().values(
                    uuid=new_uuid,
                    nummer=_next_nummer(conn, db.klantcontacten),
                    kanaal=body["kanaal"][:50],
                    onderwerp=body["onderwerp"][:200],
                    inhoud=body.get("inhoud") or "",
                    taal=body["taal"],
                    vertrouwelijk=body["vertrouwelijk"],
                    plaatsgevonden_op=body.get("plaatsgevondenOp") or now_iso(),
                    indicatie_contact_gelukt=body.get("indicatieContactGelukt"),
                )
            )
            row = conn.execute(db.klantcontacten.select().where(db.klantcontacten.c.uuid == new_uuid)).one()
            return 201, klantcontact_json(root, row, [])

        return await respond(request, work, idempotent=True)

    @bp.get("/klantcontacten/<item_uuid:str>")
    async def read_klantcontact(request: Request, item_uuid: str) -> HTTPResponse:
        root = base_url(request)

        def work(conn: Connection) -> tuple[int, Any]:
            row = conn.execute(
                db.klantcontacten.select().where(db.klantcontacten.c.uuid == item_uuid)
            ).first()
            if row is None:
                raise ApiError(404, "not_found", "Niet gevonden.")
            return 200, klantcontact_json(root, row, taken_of(conn, [row.uuid])[row.uuid])

        return await respond(request, work)

    @bp.get("/klantcontacten")
    async def list_klantcontacten(request: Request) -> HTTPResponse:
        root, nummer = base_url(request), request.args.get("nummer")

        def work(conn: Connection) -> tuple[int, Any]:
            query = db.klantcontacten.select().order_by(db.klantcontacten.c.nummer)
            if nummer:
                query = query.where(db.klantcontacten.c.nummer == nummer)
            rows = conn.execute(query).all()
            taken = taken_of(conn, [r.uuid for r in rows])
            return 200, paginate(request, [klantcontact_json(root, r, taken[r.uuid]) for r in rows])

        return await respond(request, work)

    @bp.get("/internetaken")
    async def list_internetaken(request: Request) -> HTTPResponse:
        root, status = base_url(request), request.args.get("status")

        def work(conn: Connection) -> tuple[int, Any]:
            query = db.internetaken.select().order_by(db.internetaken.c.nummer)
            if status:
                query = query.where(db.internetaken.c.status == status)
            rows = conn.execute(query).all()
            return 200, paginate(request, [internetaak_json(root, r) for r in rows])

        return await respond(request, work)

    @bp.post("/internetaken")
    async def create_internetaak(request: Request) -> HTTPResponse:
        root, body = base_url(request), json_body(request)

        def work(conn: Connection) -> tuple[int, Any]:
            require(
                body, "gevraagdeHandeling", "aanleidinggevendKlantcontact", "toegewezenAanActoren", "status"
            )
            if body["status"] not in STATUSES:
                raise invalid("status", "te_verwerken of verwerkt.", "invalid_choice")
            contact_uuid = (body["aanleidinggevendKlantcontact"] or {}).get("uuid")
            if (
                conn.execute(
                    db.klantcontacten.select().where(db.klantcontacten.c.uuid == str(contact_uuid))
                ).first()
                is None
            ):
                raise invalid("aanleidinggevendKlantcontact.uuid", "Onbekend klantcontact.", "does_not_exist")
            actor_uuids = [str((a or {}).get("uuid")) for a in body["toegewezenAanActoren"]]
            known = set(
                conn.execute(sa.select(db.actoren.c.uuid).where(db.actoren.c.uuid.in_(actor_uuids))).scalars()
            )
            if not actor_uuids or set(actor_uuids) - known:
                raise invalid("toegewezenAanActoren", "Onbekende actor.", "does_not_exist")
            new_uuid = str(uuid.uuid4())
            conn.execute(
                db.internetaken.insert().values(
                    uuid=new_uuid,
                    nummer=_next_nummer(conn, db.internetaken),
                    gevraagde_handeling=body["gevraagdeHandeling"][:200],
                    klantcontact_uuid=contact_uuid,
                    actor_uuids=actor_uuids,
                    toelichting=body.get("toelichting") or "",
                    status=body["status"],
                    toegewezen_op=now_iso(),
                    afgehandeld_op=now_iso() if body["status"] == "verwerkt" else None,
                )
            )
            row = conn.execute(db.internetaken.select().where(db.internetaken.c.uuid == new_uuid)).one()
            return 201, internetaak_json(root, row)

        return await respond(request, work, idempotent=True)

    @bp.get("/internetaken/<item_uuid:str>")
    async def read_internetaak(request: Request, item_uuid: str) -> HTTPResponse:
        root = base_url(request)

        def work(conn: Connection) -> tuple[int, Any]:
            row = conn.execute(db.internetaken.select().where(db.internetaken.c.uuid == item_uuid)).first()
            if row is None:
                raise ApiError(404, "not_found", "Niet gevonden.")
            return 200, internetaak_json(root, row)

        return await respond(request, work)

    @bp.patch("/internetaken/<item_uuid:str>")
    async def update_internetaak(request: Request, item_uuid: str) -> HTTPResponse:
        root, body = base_url(request), json_body(request)

        def work(conn: Connection) -> tuple[int, Any]:
            row = conn.execute(db.internetaken.select().where(db.internetaken.c.uuid == item_uuid)).first()
            if row is None:
                raise ApiError(404, "not_found", "Niet gevonden.")
            changes: dict[str, Any] = {}
            if "status" in body:
                if body["status"] not in STATUSES:
                    raise invalid("status", "te_verwerken of verwerkt.", "invalid_choice")
                changes["status"] = body["status"]
                if body["status"] == "verwerkt" and row.afgehandeld_op is None:
                    changes["afgehandeld_op"] = now_iso()
            if "toelichting" in body:
                changes["toelichting"] = str(body["toelichting"])
            if changes:
                conn.execute(
                    db.internetaken.update().where(db.internetaken.c.uuid == item_uuid).values(**changes)
                )
            row = conn.execute(db.internetaken.select().where(db.internetaken.c.uuid == item_uuid)).one()
            return 200, internetaak_json(root, row)

        return await respond(request, work)

    @bp.get("/actoren")
    async def list_actoren(request: Request) -> HTTPResponse:
        root = base_url(request)

        def work(conn: Connection) -> tuple[int, Any]:
            rows = conn.execute(db.actoren.select().order_by(db.actoren.c.naam)).all()
            items = [
                {
                    "uuid": r.uuid,
                    "url": f"{root}{PREFIX}/actoren/{r.uuid}",
                    "naam": r.naam,
                    "soortActor": r.soort_actor,
                    "indicatieActief": r.indicatie_actief,
                }
                for r in rows
            ]
            return 200, paginate(request, items)

        return await respond(request, work)

    return bp
