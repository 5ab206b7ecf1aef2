"""The "mijn gegevens" download on the web chat server (webchat/my_data.py, privacy/my_data.py)."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sanic import Sanic

from foundation import db
from foundation.settings import get_settings
from privacy import my_data
from webchat.server import create_app

WEB_ID = "web:" + "f6" * 16


@pytest.fixture
async def client(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'assistant.db'}")
    get_settings.cache_clear()
    db.dispose_engines()
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = create_app(get_settings(), name=f"webchat_{uuid.uuid4().hex}")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await server.startup()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        yield http
    await server.before_stop()
    server.close()
    await server.wait_closed()
    db.dispose_engines()
    get_settings.cache_clear()


EXPORT = {
    "gesprek": [{"van": "inwoner", "text": "hallo"}],
    "vragen_aan_medewerker": [],
    "aanmeldingen_berichten": [],
}


async def test_the_page_offers_the_download_and_the_post_gives_the_file_once(
    client: httpx.AsyncClient,
) -> None:
    token = my_data.create_export(WEB_ID, EXPORT)
    page = await client.get(f"/mijn-gegevens/{token}")
    assert page.status_code == 200 and '<form method="post"' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    again = await client.get(f"/mijn-gegevens/{token}")  # a link preview does not use the link up
    assert again.status_code == 200
    download = await client.post(f"/mijn-gegevens/{token}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Content-Type"].startswith("application/json")
    assert download.headers["Cache-Control"] == "no-store"
    assert download.json()["gesprek"] == EXPORT["gesprek"]
    used = await client.post(f"/mijn-gegevens/{token}")
    assert used.status_code == 410 and "hallo" not in used.text
    assert (await client.get(f"/mijn-gegevens/{token}")).status_code == 410


@pytest.mark.parametrize("token", ["x" * 43, "nietgeldig", "%2e%2e%2fetc", "a" * 500])
async def test_unknown_or_guessed_links_give_nothing(client: httpx.AsyncClient, token: str) -> None:
    for method in ("GET", "POST"):
        response = await client.request(method, f"/mijn-gegevens/{token}")
        assert response.status_code in (404, 410)
        assert "gesprek" not in response.text


async def test_an_expired_link_gives_nothing(client: httpx.AsyncClient) -> None:
    token = my_data.create_export(WEB_ID, EXPORT, now=time.time() - 24 * 3600)
    assert (await client.post(f"/mijn-gegevens/{token}")).status_code == 410
    assert my_data.count_exports() == 0  # an expired export is deleted when it is asked for
