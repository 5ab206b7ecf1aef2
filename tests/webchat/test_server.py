"""Tests of the web chat server's security headers and configuration (webchat/server.py)."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from foundation.settings import Settings
from webchat.server import (
    STATIC_DIR,
    STATIC_FILES,
    config_script,
    content_security_policy,
    create_app,
    security_headers,
)


@pytest.fixture
def settings() -> Settings:
    return replace(
        Settings(),
        rasa_public_url="https://chat.voorbeeldstad.example:5443/",
        webchat_allowed_origins=("https://www.voorbeeldstad.example", "https://intranet.example"),
    )


def directives(policy: str) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in policy.split("; ")}


def test_csp_allows_only_own_code_and_the_rasa_origin(settings: Settings) -> None:
    policy = directives(content_security_policy(settings))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["connect-src"] == (
        "'self' https://chat.voorbeeldstad.example:5443 wss://chat.voorbeeldstad.example:5443"
    )
    assert policy["frame-ancestors"] == (
        "'self' https://www.voorbeeldstad.example https://intranet.example"
    )
    assert "unsafe" not in content_security_policy(settings)


def test_plain_http_rasa_gets_ws_origin() -> None:
    policy = directives(content_security_policy(Settings()))
    assert policy["connect-src"] == "'self' http://localhost:5005 ws://localhost:5005"
    assert policy["frame-ancestors"] == "'self' http://localhost:8000"


def test_security_headers(settings: Settings) -> None:
    headers = security_headers(settings)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Content-Security-Policy"] == content_security_policy(settings)


def test_config_script_is_json_escaped() -> None:
    hostile = replace(Settings(), rasa_public_url='http://x/";alert(1);"')
    script = config_script(hostile)
    prefix = "window.GEMEENTE_CHAT_CONFIG = "
    assert script.startswith(prefix)
    assert json.loads(script[len(prefix):].rstrip(";\n")) == {"rasaUrl": 'http://x/";alert(1);"'}


def test_static_whitelist_stays_inside_the_package() -> None:
    for url, (path, _) in STATIC_FILES.items():
        assert url.startswith("/")
        assert "webchat" in path.parts
    for name in ("index.html", "privacy.html", "widget.js", "widget.css", "page.css"):
        assert (STATIC_DIR / name).is_file()


@pytest.mark.parametrize("name", ["index.html", "privacy.html"])
def test_pages_have_no_inline_scripts_or_styles(name: str) -> None:
    html = (STATIC_DIR / name).read_text(encoding="utf-8")
    assert "<style" not in html
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+\s*=", html), "no event handler attributes"
    for chunk in html.split("<script")[1:]:
        assert chunk.lstrip().startswith("src="), "every script has a src"
    assert '<html lang="nl">' in html


def test_widget_never_uses_inner_html() -> None:
    source = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert forbidden not in source


def test_create_app_registers_routes() -> None:
    app = create_app(Settings(), name="webchat_test_routes")
    paths = {route.path for route in app.router.routes}
    assert {"config.js", "healthz"} <= paths
