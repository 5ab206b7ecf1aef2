"""Tiny sanic server for the web chat page and the embeddable widget.

Serves a fixed set of files from ``webchat/static`` plus the socket.io browser client from
``webchat/node_modules`` under ``/vendor/``. Every response carries a strict
Content-Security-Policy (no inline scripts or styles), ``X-Content-Type-Options`` and
``Referrer-Policy``. The Rasa URL reaches the page through ``/config.js``.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from foundation.municipality import get_deployment
from foundation.settings import Settings, get_settings
from webchat import my_data
from webchat.pages import render_file
from webchat.themes import theme_css

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
VENDOR_DIR = PACKAGE_DIR / "node_modules" / "socket.io-client" / "dist"
#: NL Design System component CSS (npm @utrecht/component-library-css), themed by webchat/themes.
NL_DESIGN_CSS = PACKAGE_DIR / "node_modules" / "@utrecht" / "component-library-css" / "dist" / "index.css"

#: Pages with ``{{placeholders}}`` filled from the municipality content (webchat/pages.py).
RENDERED_PAGES = frozenset({"/", "/index.html", "/privacy.html"})
#: ``/<municipality>/`` and ``/<municipality>/privacy.html``: the pages of one municipality (issue 18).
MUNICIPALITY_PAGE = re.compile(r"^([a-z0-9_-]{1,40})/(index\.html|privacy\.html)?$")
THEME_PATH = re.compile(r"^themes/([a-z0-9_-]{1,40})\.css$")
#: URL path -> (file, content type). Only these files are served.
STATIC_FILES: dict[str, tuple[Path, str]] = {
    "/": (STATIC_DIR / "index.html", "text/html; charset=utf-8"),
    "/index.html": (STATIC_DIR / "index.html", "text/html; charset=utf-8"),
    "/privacy.html": (STATIC_DIR / "privacy.html", "text/html; charset=utf-8"),
    "/widget.js": (STATIC_DIR / "widget.js", "text/javascript; charset=utf-8"),
    "/widget.css": (STATIC_DIR / "widget.css", "text/css; charset=utf-8"),
    "/page.css": (STATIC_DIR / "page.css", "text/css; charset=utf-8"),
    "/favicon.svg": (STATIC_DIR / "favicon.svg", "image/svg+xml"),
    "/vendor/socket.io.min.js": (VENDOR_DIR / "socket.io.min.js", "text/javascript; charset=utf-8"),
    "/vendor/socket.io.min.js.map": (VENDOR_DIR / "socket.io.min.js.map", "application/json"),
    "/vendor/utrecht/index.css": (NL_DESIGN_CSS, "text/css; charset=utf-8"),
}


def origin_of(url: str) -> str:
    """Return ``scheme://host[:port]`` of a URL.

    Args:
        url: An absolute http(s) URL.

    Returns:
        The origin of the URL, without path.
    """
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def websocket_origin(url: str) -> str:
    """Return the ws(s) origin that matches an http(s) URL (http -> ws, https -> wss)."""
    parts = urlsplit(url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}"


def content_security_policy(settings: Settings) -> str:
    """Build the Content-Security-Policy header value.

    Args:
        settings: Settings with ``rasa_public_url`` and ``webchat_allowed_origins``.

    Returns:
        The policy: only own scripts and styles, connections to own origin and Rasa,
        framing only by the allowed origins.
    """
    rasa = settings.rasa_public_url
    frame_ancestors = " ".join(["'self'", *settings.webchat_allowed_origins])
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"connect-src 'self' {origin_of(rasa)} {websocket_origin(rasa)}",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ]
    return "; ".join(directives)


def security_headers(settings: Settings) -> dict[str, str]:
    """Return the headers added to every response."""
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cache-Control": "no-cache",
    }


def config_script(settings: Settings) -> str:
    """Return the JavaScript of ``/config.js`` that tells the widget where Rasa is."""
    config = {"rasaUrl": settings.rasa_public_url}
    return f"window.GEMEENTE_CHAT_CONFIG = {json.dumps(config)};\n"


def create_app(settings: Settings | None = None, name: str = "webchat") -> Sanic:
    """Create the sanic app that serves the web chat.

    Args:
        settings: Settings to use; defaults to :func:`foundation.settings.get_settings`.
        name: Sanic app name (must be unique within a process).

    Returns:
        The configured app.
    """
    settings = settings or get_settings()
    headers = security_headers(settings)
    app = Sanic(name)
    rendered: dict[tuple[str, str | None], str] = {}

    def page(url: str, municipality: str | None = None) -> str:
        key = (url, municipality)
        if key not in rendered:
            base_path = f"/{municipality}" if municipality else ""
            rendered[key] = render_file(STATIC_FILES[url][0], settings, municipality, base_path)
        return rendered[key]

    my_data.register(app, settings, STATIC_DIR)  # "mijn gegevens" download (issue 13)

    @app.get("/config.js")
    async def config_js(_: Request) -> HTTPResponse:
        return response.text(
            config_script(settings), content_type="text/javascript; charset=utf-8"
        )

    @app.get("/healthz")
    async def healthz(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/<path:path>")
    async def static_file(_: Request, path: str) -> HTTPResponse:
        deployment = get_deployment()
        own = MUNICIPALITY_PAGE.match(path)
        if own and deployment.knows(own[1]):
            return response.html(page(f"/{own[2] or 'index.html'}", own[1]))
        theme = THEME_PATH.match(path)
        if theme and deployment.knows(theme[1]):
            return response.text(theme_css(theme[1]), content_type="text/css; charset=utf-8")
        entry = STATIC_FILES.get(f"/{path}")
        if entry is None or not entry[0].is_file():
            return response.text("Niet gevonden", status=404)
        file_path, content_type = entry
        if f"/{path}" in RENDERED_PAGES:
            return response.html(page(f"/{path}"))
        return await response.file(file_path, mime_type=content_type)

    @app.get("/")
    async def index(request: Request) -> HTTPResponse:
        return await static_file(request, "")

    @app.on_response
    async def add_security_headers(_: Request, resp: HTTPResponse) -> None:
        for key, value in headers.items():
            if key == "Cache-Control" and resp.headers.get(key) == "no-store":
                continue  # the "mijn gegevens" download is never cached
            resp.headers[key] = value

    return app


def main(argv: list[str] | None = None) -> None:
    """Run the web chat server from the command line."""
    settings = get_settings()
    parser = argparse.ArgumentParser(description="Serve the web chat page and widget.")
    parser.add_argument("--host", default="0.0.0.0", help="interface to listen on")
    parser.add_argument("--port", type=int, default=settings.webchat_port, help="port")
    args = parser.parse_args(argv)
    if not (VENDOR_DIR / "socket.io.min.js").is_file():
        raise SystemExit(
            "socket.io-client is missing: run `npm ci --prefix webchat` first."
        )
    app = create_app(settings)
    app.run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)
