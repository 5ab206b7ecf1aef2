"""The "mijn gegevens" download on the web chat server (issue 13).

``GET /mijn-gegevens/<token>`` shows a page with a "Download" button (a POST form) while the link
works; it does not use the link up, so a link preview (WhatsApp, mail scanners) cannot spend it.
``POST /mijn-gegevens/<token>`` hands out the export once (:func:`privacy.my_data.take`) as a JSON
attachment. An unknown, used or expired link gets the same 410 page. Every answer is
``Cache-Control: no-store`` (the web chat's other headers stay: strict CSP, ``no-referrer``).

The token is the authentication: 256 random bits, only in the link the action gave in the chat of
the conversation whose ownership the channel proved (:mod:`actions.my_data`); stored as a hash.
"""

from __future__ import annotations

import json

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from foundation.db import run_db
from foundation.settings import Settings
from privacy import my_data
from webchat.pages import render_file

PAGE = "mijn-gegevens.html"
GONE_PAGE = "mijn-gegevens-verlopen.html"
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
FILENAME = "mijn-gegevens.json"


def register(app: Sanic, settings: Settings, static_dir) -> None:
    """Add the download routes to the web chat app."""
    pages: dict[str, str] = {}

    def page(name: str) -> str:
        if name not in pages:
            pages[name] = render_file(static_dir / name, settings)
        return pages[name]

    def gone() -> HTTPResponse:
        return response.html(page(GONE_PAGE), status=410, headers=NO_STORE)

    @app.get("/mijn-gegevens/<token:str>")
    async def offer(_: Request, token: str) -> HTTPResponse:
        if not await run_db(my_data.peek, token):
            return gone()
        return response.html(page(PAGE), headers=NO_STORE)

    @app.post("/mijn-gegevens/<token:str>")
    async def download(_: Request, token: str) -> HTTPResponse:
        export = await run_db(my_data.take, token)
        if export is None:
            return gone()
        body = json.dumps(export, ensure_ascii=False, indent=2)
        headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{FILENAME}"'}
        return response.text(body, content_type="application/json; charset=utf-8", headers=headers)
