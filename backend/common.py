"""Helpers shared by the stand-in's blueprints: problem JSON, DB work in threads, idempotency,
pagination and URL handling."""

from __future__ import annotations

import asyncio
import json as jsonlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from sanic import Request
from sanic.response import HTTPResponse, json
from sqlalchemy.engine import Connection, Engine

from backend import db

PAGE_SIZE = 100
#: The header in which the assistant names the municipality a request is made for (its RSIN). One
#: stand-in serves every municipality of a deployment and keeps their data apart by it.
MUNICIPALITY_HEADER = "X-Gemeente"
Work = Callable[[Connection], tuple[int, Any]]


class ApiError(Exception):
    """An error answered as problem JSON (``application/problem+json``, ZGW style)."""

    def __init__(
        self, status: int, code: str, detail: str, invalid_params: Sequence[dict[str, str]] = ()
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.invalid_params = list(invalid_params)


class ProblemResponse(HTTPResponse):
    """A problem JSON answer that keeps its ``Content-Length`` for every status.

    Sanic strips the "entity headers" of 304 and 412 answers but still sends the body, so on a
    keep-alive connection a client waits for a body end that never comes (until its timeout).
    """

    @property
    def processed_headers(self) -> Iterator[tuple[bytes, bytes]]:
        self.headers.setdefault("content-type", self.content_type)
        return (
            (name.encode("ascii"), f"{value}".encode(errors="surrogateescape"))
            for name, value in self.headers.items()
        )


def problem(
    status: int, code: str, detail: str, invalid_params: Sequence[dict[str, str]] = ()
) -> HTTPResponse:
    """Return a problem JSON response (RFC 7807 with the ZGW/Haal Centraal ``code``).

    ``instance`` identifies this occurrence (the ZGW ``Fout`` schema requires it).
    """
    body: dict[str, Any] = {
        "type": f"urn:standin:{code}",
        "code": code,
        "title": detail,
        "status": status,
        "detail": detail,
        "instance": f"urn:uuid:{uuid.uuid4()}",
    }
    if invalid_params:
        body["invalidParams"] = list(invalid_params)
    return ProblemResponse(
        jsonlib.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json"
    )


def invalid(name: str, reason: str, code: str = "invalid") -> ApiError:
    """Return a 400 error for one invalid field."""
    return ApiError(400, "invalid", "Invalid input.", [{"name": name, "code": code, "reason": reason}])


def require(body: dict[str, Any], *names: str) -> None:
    """Raise a 400 listing the ``names`` missing from ``body``."""
    missing = [n for n in names if body.get(n) in (None, "", [])]
    if missing:
        params = [{"name": n, "code": "required", "reason": "Dit veld is vereist."} for n in missing]
        raise ApiError(400, "invalid", "Invalid input.", params)


def json_body(request: Request) -> dict[str, Any]:
    """Return the request's JSON object, or raise a 400."""
    try:
        body = request.json
    except Exception as exc:  # sanic raises InvalidUsage on malformed JSON
        raise ApiError(400, "parse_error", "Request body is not valid JSON.") from exc
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ApiError(400, "parse_error", "Request body must be a JSON object.")
    return body


def engine_of(request: Request) -> Engine:
    """Return the app's engine."""
    return request.app.ctx.engine


def municipality_of(request: Request) -> str | None:
    """The municipality (RSIN) the request names in :data:`MUNICIPALITY_HEADER`, or ``None``."""
    value = (request.headers.get(MUNICIPALITY_HEADER) or "").strip()
    return value or None


def base_url(request: Request) -> str:
    """Return ``scheme://host[:port]`` of the request, for absolute resource URLs."""
    return f"{request.scheme}://{request.host}"


def uuid_from_url(url: Any, name: str) -> str:
    """Return the last path segment of a resource URL, or raise a 400 for field ``name``."""
    if not isinstance(url, str) or "/" not in url:
        raise invalid(name, "Geen geldige URL.", "bad-url")
    return url.rstrip("/").rsplit("/", 1)[-1]


def now_iso() -> str:
    """Return the current UTC time as ISO 8601."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


async def respond(
    request: Request, work: Work, *, idempotent: bool = False, headers: Any = None
) -> HTTPResponse:
    """Run ``work(conn)`` in a worker thread inside one transaction and answer its JSON.

    With ``idempotent=True`` and an ``Idempotency-Key`` header, a repeated request with the same key
    gets the stored first answer and ``work`` is not run again.
    """
    key = request.headers.get("idempotency-key") if idempotent else None
    scope = f"{request.method} {request.path}"
    try:
        if request.method == "GET":
            status, body = await asyncio.to_thread(_run, engine_of(request), work, scope, key)
        else:  # serialise writes: numbering and idempotency stay race-free, also on SQLite
            async with request.app.ctx.write_lock:
                status, body = await asyncio.to_thread(_run, engine_of(request), work, scope, key)
    except ApiError as exc:
        return problem(exc.status, exc.code, exc.detail, exc.invalid_params)
    if status == 204:
        return HTTPResponse(status=204, headers=headers)
    return json(body, status=status, headers=headers)


def _run(engine: Engine, work: Work, scope: str, key: str | None) -> tuple[int, Any]:
    with engine.begin() as conn:
        if key:
            row = conn.execute(
                db.idempotency.select().where(db.idempotency.c.scope == scope, db.idempotency.c.key == key)
            ).first()
            if row is not None:
                return row.status, row.body
        status, body = work(conn)
        if key and status < 300:
            conn.execute(db.idempotency.insert().values(scope=scope, key=key, status=status, body=body))
        return status, body


def paginate(request: Request, items: list[Any]) -> dict[str, Any]:
    """Return a ZGW-style page ``{count, next, previous, results}`` of ``items`` (``?page=N``)."""
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError as exc:
        raise invalid("page", "Ongeldige pagina.") from exc
    start = (page - 1) * PAGE_SIZE
    if page > 1 and start >= len(items):
        raise ApiError(404, "not_found", "Ongeldige pagina.")

    def link(n: int) -> str:
        args = {k: v[0] for k, v in request.args.items() if k != "page"}
        args["page"] = str(n)
        return f"{base_url(request)}{request.path}?{urlencode(args)}"

    return {
        "count": len(items),
        "next": link(page + 1) if start + PAGE_SIZE < len(items) else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": items[start : start + PAGE_SIZE],
    }
