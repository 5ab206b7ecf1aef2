"""Waste collection calendar under ``/afvalkalender/api/v1`` (public, no auth).

``GET /ophaaldagen?postcode=9999AA&huisnummer=1&vanaf=2026-12-01`` -> ``{"results": [{afvalstroom,
omschrijving, datum}]}``; ``404`` when the address is not in the address register.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Connection

from backend import db
from backend.bag import parse_address_query, postcode_wijk
from backend.common import ApiError, invalid, respond

PREFIX = "/afvalkalender/api/v1"


def blueprint() -> Blueprint:
    """Return the waste calendar blueprint."""
    bp = Blueprint("afvalkalender", url_prefix=PREFIX)

    @bp.get("/ophaaldagen")
    async def ophaaldagen(request: Request) -> HTTPResponse:
        postcode, huisnummer = parse_address_query(request)
        try:
            vanaf = date.fromisoformat(request.args.get("vanaf") or date.today().isoformat())
        except ValueError as exc:
            raise invalid("vanaf", "Datum als JJJJ-MM-DD.", "date") from exc

        def work(conn: Connection) -> tuple[int, Any]:
            known = conn.execute(
                db.adressen.select().where(
                    db.adressen.c.postcode == postcode, db.adressen.c.huisnummer == huisnummer
                )
            ).first()
            if known is None:
                raise ApiError(404, "not_found", "Adres niet gevonden.")
            rows = conn.execute(
                db.ophaaldagen.select()
                .where(db.ophaaldagen.c.wijk == postcode_wijk(postcode), db.ophaaldagen.c.datum >= vanaf)
                .order_by(db.ophaaldagen.c.datum, db.ophaaldagen.c.afvalstroom)
            ).all()
            results = [
                {"afvalstroom": r.afvalstroom, "omschrijving": r.omschrijving, "datum": r.datum.isoformat()}
                for r in rows
            ]
            return 200, {"postcode": postcode, "huisnummer": huisnummer, "results": results}

        return await respond(request, work)

    return bp
