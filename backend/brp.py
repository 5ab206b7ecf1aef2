"""Haal Centraal BRP Personen 2.x (``POST /haalcentraal/api/brp/personen``) and Reisdocumenten 2.0
(``POST /haalcentraal/api/reisdocumenten/reisdocumenten``) subset.

Supported search types: ``RaadpleegMetBurgerservicenummer`` and (reisdocumenten)
``ZoekMetBurgerservicenummer``. ``fields`` is required and filters the answer (dotted paths allowed).
``leeftijd`` is derived on each request. ``geheimhoudingPersoonsgegevens`` is always delivered when
set, as the BRP API does.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Connection

from backend import db
from backend.auth import Check
from backend.common import invalid, json_body, respond

PERSONEN = "/haalcentraal/api/brp"
REISDOCUMENTEN = "/haalcentraal/api/reisdocumenten"
BSN_RE = re.compile(r"^[0-9]{9}$")
PERSOON_FIELDS = {
    "burgerservicenummer",
    "naam",
    "geboorte",
    "leeftijd",
    "geslacht",
    "verblijfplaats",
    "gemeenteVanInschrijving",
    "geheimhoudingPersoonsgegevens",
}
REISDOCUMENT_FIELDS = {
    "reisdocumentnummer",
    "soort",
    "houder",
    "datumEindeGeldigheid",
    "inhoudingOfVermissing",
}


def select_fields(doc: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """Return the parts of ``doc`` named by ``fields`` (dotted paths select nested parts)."""
    out: dict[str, Any] = {}
    for path in fields:
        parts = path.split(".")
        source: Any = doc
        for part in parts:
            if not isinstance(source, dict) or part not in source:
                break
            source = source[part]
        else:
            target = out
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = source
    return out


def age_on(born: date, today: date) -> int:
    """Return the age in whole years on ``today``."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _check_fields(body: dict[str, Any], allowed: set[str]) -> list[str]:
    fields = body.get("fields")
    if not isinstance(fields, list) or not fields:
        raise invalid("fields", "Parameter is verplicht.", "required")
    for field in fields:
        if not isinstance(field, str) or field.split(".")[0] not in allowed:
            raise invalid("fields", "Parameter bevat een niet bestaande veldnaam.", "fields")
    return fields


def _check_bsn(value: Any, name: str) -> str:
    if not isinstance(value, str) or not BSN_RE.match(value):
        raise invalid(name, "Waarde is geen geldig burgerservicenummer.", "pattern")
    return value


def personen_blueprint(check: Check) -> Blueprint:
    """Return the BRP Personen blueprint, guarded by ``check``."""
    bp = Blueprint("brp_personen", url_prefix=PERSONEN)

    @bp.middleware("request")
    async def guard(request: Request) -> HTTPResponse | None:
        return check(request)

    @bp.post("/personen")
    async def personen(request: Request) -> HTTPResponse:
        body = json_body(request)

        def work(conn: Connection) -> tuple[int, Any]:
            if body.get("type") != "RaadpleegMetBurgerservicenummer":
                raise invalid("type", "Alleen RaadpleegMetBurgerservicenummer wordt ondersteund.", "value")
            numbers = body.get("burgerservicenummer")
            if not isinstance(numbers, list) or not 1 <= len(numbers) <= 20:
                raise invalid("burgerservicenummer", "Parameter is verplicht, 1 tot 20 waarden.", "required")
            bsns = [_check_bsn(n, "burgerservicenummer") for n in numbers]
            fields = _check_fields(body, PERSOON_FIELDS)
            rows = conn.execute(db.personen.select().where(db.personen.c.bsn.in_(bsns))).all()
            found = []
            for row in sorted(rows, key=lambda r: bsns.index(r.bsn)):
                doc = dict(row.data)
                born = ((doc.get("geboorte") or {}).get("datum") or {}).get("datum")
                if born:
                    doc["leeftijd"] = age_on(date.fromisoformat(born), date.today())
                person = select_fields(doc, fields)
                if doc.get("geheimhoudingPersoonsgegevens"):
                    person["geheimhoudingPersoonsgegevens"] = True
                found.append(person)
            return 200, {"type": "RaadpleegMetBurgerservicenummer", "personen": found}

        return await respond(request, work)

    return bp


def reisdocumenten_blueprint(check: Check) -> Blueprint:
    """Return the BRP Reisdocumenten blueprint, guarded by ``check``."""
    bp = Blueprint("brp_reisdocumenten", url_prefix=REISDOCUMENTEN)

    @bp.middleware("request")
    async def guard(request: Request) -> HTTPResponse | None:
        return check(request)

    @bp.post("/reisdocumenten")
    async def zoek(request: Request) -> HTTPResponse:
        body = json_body(request)

        def work(conn: Connection) -> tuple[int, Any]:
            if body.get("type") != "ZoekMetBurgerservicenummer":
                raise invalid("type", "Alleen ZoekMetBurgerservicenummer wordt ondersteund.", "value")
            bsn = _check_bsn(body.get("burgerservicenummer"), "burgerservicenummer")
            fields = _check_fields(body, REISDOCUMENT_FIELDS)
            rows = conn.execute(
                db.reisdocumenten.select()
                .where(db.reisdocumenten.c.bsn == bsn)
                .order_by(db.reisdocumenten.c.reisdocumentnummer)
            ).all()
            docs = [select_fields({**r.data, "houder": {"burgerservicenummer": bsn}}, fields) for r in rows]
            return 200, {"type": "ZoekMetBurgerservicenummer", "reisdocumenten": docs}

        return await respond(request, work)

    return bp
