"""Appointment API under ``/afspraken/api/v1`` (contract: ``docs/appointments-api.md``).

Several municipalities share this stand-in (issue 18): a booking records the municipality named in
the ``X-Gemeente`` header; another municipality cannot read, move or cancel it (404).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sanic import Blueprint, Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Connection, Row

from backend import db
from backend.auth import Check
from backend.common import ApiError, invalid, json_body, municipality_of, require, respond

PREFIX = "/afspraken/api/v1"


def slot_json(r: Row) -> dict[str, Any]:
    """Serialise a slot row."""
    return {"id": r.id, "product": r.product, "begin": r.begin, "eind": r.eind, "locatie": r.locatie}


def afspraak_json(conn: Connection, r: Row) -> dict[str, Any]:
    """Serialise an appointment row with its slot."""
    slot = conn.execute(db.tijdsloten.select().where(db.tijdsloten.c.id == r.tijdslot_id)).one()
    return {
        "referentie": r.referentie,
        "status": r.status,
        "product": r.product,
        "tijdslot": slot_json(slot),
        "naam": r.naam,
        "email": r.email or None,
        "telefoon": r.telefoon or None,
    }


def next_referentie(conn: Connection, year: int) -> str:
    """Return the next free ``A-<year>-NNNNN``."""
    prefix = f"A-{year}-"
    last = conn.execute(
        sa.select(sa.func.max(db.afspraken.c.referentie)).where(db.afspraken.c.referentie.like(f"{prefix}%"))
    ).scalar()
    return f"{prefix}{(int(last[len(prefix) :]) + 1) if last else 1:05d}"


def _free_slot(conn: Connection, slot_id: Any, product: str) -> Row:
    slot = conn.execute(db.tijdsloten.select().where(db.tijdsloten.c.id == str(slot_id))).first()
    if slot is None or slot.product != product:
        raise invalid("tijdslot", "Onbekend tijdslot voor dit product.", "does_not_exist")
    if slot.afspraak is not None:
        raise ApiError(409, "slot_taken", "Dit tijdslot is niet meer vrij.")
    return slot


def _get(conn: Connection, referentie: str, gemeente: str | None = None) -> Row:
    """The appointment ``referentie``; one booked by another municipality is not found (issue 18)."""
    row = conn.execute(db.afspraken.select().where(db.afspraken.c.referentie == referentie)).first()
    if row is None or (gemeente is not None and row.gemeente not in (None, gemeente)):
        raise ApiError(404, "not_found", "Afspraak niet gevonden.")
    return row


def blueprint(check: Check) -> Blueprint:
    """Return the appointments blueprint, guarded by ``check``."""
    bp = Blueprint("afspraken", url_prefix=PREFIX)

    @bp.middleware("request")
    async def guard(request: Request) -> HTTPResponse | None:
        return check(request)

    @bp.get("/producten")
    async def producten(request: Request) -> HTTPResponse:
        def work(conn: Connection) -> tuple[int, Any]:
            rows = conn.execute(db.producten.select().order_by(db.producten.c.naam)).all()
            return 200, {
                "results": [{"code": r.code, "naam": r.naam, "duurMinuten": r.duur_minuten} for r in rows]
            }

        return await respond(request, work)

    @bp.get("/tijdsloten")
    async def tijdsloten(request: Request) -> HTTPResponse:
        product = request.args.get("product") or ""
        try:
            day = date.fromisoformat(request.args.get("datum") or "")
        except ValueError as exc:
            raise invalid("datum", "Datum als JJJJ-MM-DD.", "date") from exc

        def work(conn: Connection) -> tuple[int, Any]:
            if conn.execute(db.producten.select().where(db.producten.c.code == product)).first() is None:
                raise invalid("product", "Onbekend product.", "does_not_exist")
            rows = conn.execute(
                db.tijdsloten.select()
                .where(
                    db.tijdsloten.c.product == product,
                    db.tijdsloten.c.begin.like(f"{day.isoformat()}T%"),
                    db.tijdsloten.c.afspraak.is_(None),
                )
                .order_by(db.tijdsloten.c.begin)
            ).all()
            return 200, {"results": [slot_json(r) for r in rows]}

        return await respond(request, work)

    @bp.post("/afspraken")
    async def book(request: Request) -> HTTPResponse:
        body = json_body(request)

        def work(conn: Connection) -> tuple[int, Any]:
            require(body, "tijdslot", "product", "naam")
            if not (body.get("email") or body.get("telefoon")):
                raise invalid("email", "Geef een e-mailadres of telefoonnummer.", "required")
            slot = _free_slot(conn, body["tijdslot"], str(body["product"]))
            referentie = next_referentie(conn, date.fromisoformat(slot.begin[:10]).year)
            conn.execute(
                db.afspraken.insert().values(
                    referentie=referentie,
                    product=slot.product,
                    tijdslot_id=slot.id,
                    naam=str(body["naam"])[:200],
                    email=str(body.get("email") or "")[:254],
                    telefoon=str(body.get("telefoon") or "")[:30],
                    status="gepland",
                    gemeente=municipality_of(request),
                )
            )
            conn.execute(
                db.tijdsloten.update().where(db.tijdsloten.c.id == slot.id).values(afspraak=referentie)
            )
            return 201, afspraak_json(conn, _get(conn, referentie))

        return await respond(request, work, idempotent=True)

    @bp.get("/afspraken/<referentie:str>")
    async def read(request: Request, referentie: str) -> HTTPResponse:
        def work(conn: Connection) -> tuple[int, Any]:
            return 200, afspraak_json(conn, _get(conn, referentie, municipality_of(request)))

        return await respond(request, work)

    @bp.patch("/afspraken/<referentie:str>")
    async def reschedule(request: Request, referentie: str) -> HTTPResponse:
        body = json_body(request)

        def work(conn: Connection) -> tuple[int, Any]:
            require(body, "tijdslot")
            row = _get(conn, referentie, municipality_of(request))
            if row.status != "gepland":
                raise ApiError(409, "not_planned", "Een geannuleerde afspraak kan niet worden verzet.")
            if body["tijdslot"] == row.tijdslot_id:
                return 200, afspraak_json(conn, row)
            slot = _free_slot(conn, body["tijdslot"], row.product)
            slots = db.tijdsloten
            conn.execute(slots.update().where(slots.c.id == row.tijdslot_id).values(afspraak=None))
            conn.execute(slots.update().where(slots.c.id == slot.id).values(afspraak=referentie))
            conn.execute(
                db.afspraken.update()
                .where(db.afspraken.c.referentie == referentie)
                .values(tijdslot_id=slot.id)
            )
            return 200, afspraak_json(conn, _get(conn, referentie))

        return await respond(request, work)

    @bp.post("/afspraken/<referentie:str>/annuleren")
    async def cancel(request: Request, referentie: str) -> HTTPResponse:
        def work(conn: Connection) -> tuple[int, Any]:
            row = _get(conn, referentie, municipality_of(request))
            if row.status != "geannuleerd":
                conn.execute(
                    db.tijdsloten.update()
                    .where(db.tijdsloten.c.id == row.tijdslot_id, db.tijdsloten.c.afspraak == referentie)
                    .values(afspraak=None)
                )
                conn.execute(
                    db.afspraken.update()
                    .where(db.afspraken.c.referentie == referentie)
                    .values(status="geannuleerd")
                )
            return 200, afspraak_json(conn, _get(conn, referentie))

        return await respond(request, work)

    return bp
