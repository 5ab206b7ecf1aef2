"""The web chat pages name the municipality of the MUNICIPALITY setting (webchat/pages.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from actions.content import clear_content_cache, get_content
from foundation.settings import Settings
from webchat.pages import render_file
from webchat.server import RENDERED_PAGES, STATIC_FILES


def fetch(settings: Settings, path: str) -> str:
    """The page as the server sends it (every HTML page is a rendered one)."""
    file_path, content_type = STATIC_FILES[path]
    assert path in RENDERED_PAGES and content_type.startswith("text/html")
    return render_file(file_path, settings)


@pytest.fixture(autouse=True)
def fresh_content():
    clear_content_cache()
    yield
    clear_content_cache()


@pytest.mark.parametrize("path", ["/", "/index.html", "/privacy.html"])
@pytest.mark.parametrize("municipality", ["voorbeeldstad", "proefdorp"])
def test_pages_name_the_configured_municipality(path: str, municipality: str) -> None:
    settings = replace(Settings(), municipality=municipality)
    text = fetch(settings, path)
    content = get_content(municipality)
    other = "Proefdorp" if municipality == "voorbeeldstad" else "Voorbeeldstad"
    assert content.official_name in text
    assert other not in text
    assert "{{" not in text


def test_privacy_page_gives_the_content_retention_and_contact() -> None:
    settings = replace(Settings(), municipality="proefdorp", retention_days=14)
    text = fetch(settings, "/privacy.html")
    content = get_content("proefdorp")
    assert "14 dagen" in text
    assert content.contact["privacy_email"] in text
    assert content.contact["postal_address"] in text


def test_every_html_page_is_rendered() -> None:
    html_pages = {url for url, (_, kind) in STATIC_FILES.items() if kind.startswith("text/html")}
    assert html_pages == set(RENDERED_PAGES)


def test_names_are_html_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    from webchat import pages

    values = pages.page_values(replace(Settings(), municipality="proefdorp"))
    values["official_name"] = "<script>x</script>"
    html = pages.render("<p>{{official_name}}</p>", values)
    assert html == "<p>&lt;script&gt;x&lt;/script&gt;</p>"


# ---------------------------------------------------------------- several municipalities (issue 18)
async def get(path: str) -> tuple[int, str, dict[str, str]]:
    import httpx
    from sanic import Sanic

    from webchat.server import create_app

    Sanic.test_mode = True
    app = create_app(Settings(), name=f"webchat_{abs(hash(path))}")
    await app._startup()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://w") as http:
        response = await http.get(path)
    return response.status_code, response.text, dict(response.headers)


@pytest.mark.parametrize("municipality", ["voorbeeldstad", "proefdorp", "lindeoord"])
async def test_one_server_serves_each_municipalitys_page_and_privacy_statement(municipality: str) -> None:
    content = get_content(municipality)
    others = {"voorbeeldstad", "proefdorp", "lindeoord"} - {municipality}
    for path in (f"/{municipality}/", f"/{municipality}/privacy.html"):
        status, text, _ = await get(path)
        assert status == 200
        assert content.official_name in text
        assert not any(get_content(o).official_name in text for o in others)
    status, page, _ = await get(f"/{municipality}/")
    assert f'data-municipality="{municipality}"' in page  # the widget sends it as metadata
    assert f'href="/themes/{municipality}.css"' in page
    assert f'href="/{municipality}/privacy.html"' in page
    status, privacy, _ = await get(f"/{municipality}/privacy.html")
    assert content.template_values()["privacy_email"] in privacy


async def test_an_unknown_municipality_has_no_page() -> None:
    status, _, _ = await get("/atlantis/")
    assert status == 404


async def test_the_default_page_is_the_default_municipality() -> None:
    status, page, _ = await get("/")
    assert status == 200 and 'data-municipality="voorbeeldstad"' in page


def test_each_municipalitys_privacy_page_gives_its_own_retention() -> None:
    """Issue 18: Lindeoord keeps conversations 14 days (its content), Proefdorp the national 28."""
    from webchat.pages import page_values

    settings = Settings()
    assert page_values(settings, "lindeoord")["retention_days"] == "14"
    assert page_values(settings, "proefdorp")["retention_days"] == str(settings.retention_days)
