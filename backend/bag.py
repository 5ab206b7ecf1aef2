"""Address register modelled on BAG API Individuele Bevragingen: ``GET /bag/api/v1/adressen``.

Query ``postcode`` (``9999AA``) and ``huisnummer`` (optional ``huisletter``,
``huisnummertoevoeging``); answers HAL JSON with ``_embedded.adressen`` (absent when none match).
"""

from __future__ import annotations

import re
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Connection, Row

from backend import db
from backend.auth import Check
from backend.common import base_url, invalid, respond

PREFIX = "/bag/api/v1"
POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")


def adres_json(root: str, r: Row) -> dict[str, Any]:
    """Serialise an address row as a BAG ``Adres``."""
    weergave = (
        f"{r.huisnummer}{r.huisletter}{('-' + r.huisnummertoevoeging) if r.huisnummertoevoeging else ''}"
    )
    return {
        "openbareRuimteNaam": r.straat,
        "korteNaam": r.straat[:24],
        "huisnummer": r.huisnummer,
        "huisletter": r.huisletter or None,
        "huisnummertoevoeging": r.huisnummertoevoeging or None,
        "postcode": r.postcode,
        "woonplaatsNaam": r.woonplaats,
        "nummeraanduidingIdentificatie": r.nummeraanduiding_identificatie,
        "adresregel5": f"{r.straat} {weergave}",
        "adresregel6": f"{r.postcode[:4]} {r.postcode[4:]}  {r.woonplaats.upper()}",
        "_links": {
            "self": {"href": f"{root}{PREFIX}/adressen/{r.nummeraanduiding_identificatie}"},
        },
    }


def postcode_wijk(postcode: str) -> str:
    """Return the (fictional) waste collection district of a postcode."""
    return "noord" if postcode[4:5] < "N" else "zuid"


def parse_address_query(request: Request) -> tuple[str, int]:
    """Validate ``postcode`` and ``huisnummer`` query parameters (400 otherwise)."""
    postcode = (request.args.get("postcode") or "").replace(" ", "").upper()
    if not POSTCODE_RE.match(postcode):
        raise invalid("postcode", "Waarde voldoet niet aan patroon ^[1-9][0-9]{3}[A-Z]{2}$.", "pattern")
    try:
        huisnummer = int(request.args.get("huisnummer") or "")
    except ValueError as exc:
        raise invalid("huisnummer", "Huisnummer is een geheel getal.", "integer") from exc
    if not 1 <= huisnummer <= 99999:
        raise invalid("huisnummer", "Huisnummer ligt tussen 1 en 99999.", "maximum")
    return postcode, huisnummer


def blueprint(check: Check) -> Blueprint:
    """Return the address blueprint, guarded by ``check``."""
    bp = Blueprint("bag", url_prefix=PREFIX)

    @bp.middleware("request")
    async def guard(request: Request) -> HTTPResponse | None:
        return check(request)

    @bp.get("/adressen")
    async def adressen(request: Request) -> HTTPResponse:
        root = base_url(request)
        postcode, huisnummer = parse_address_query(request)
        huisletter = request.args.get("huisletter")
        toevoeging = request.args.get("huisnummertoevoeging")

        def work(conn: Connection) -> tuple[int, Any]:
            query = db.adressen.select().where(
                db.adressen.c.postcode == postcode, db.adressen.c.huisnummer == huisnummer
            )
            if huisletter:
                query = query.where(db.adressen.c.huisletter == huisletter)
            if toevoeging:
                query = query.where(db.adressen.c.huisnummertoevoeging == toevoeging)
            rows = conn.execute(query.order_by(db.adressen.c.nummeraanduiding_identificatie)).all()
            body: dict[str, Any] = {
                "_links": {"self": {"href": f"{root}{request.path}?{request.query_string}"}}
            }
            if rows:
                body["_embedded"] = {"adressen": [adres_json(root, r) for r in rows]}
            return 200, body

        return await respond(request, work)

    return bp
