"""The web app: sign-in, roles, CSRF, security headers, labelling with guards, a lead's approval."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sanic import Sanic

from privacy.tracker_db import _metadata, events
from tests.workbench.conftest import T0, Conversations, make_repo
from workbench import app as app_module
from workbench import store, users
from workbench.config import ConfigurationError, WorkbenchSettings

PASSWORD = "een lang wachtwoord"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One app per module: Sanic 21.12 optimises its classes at the first start in a process."""
    base = tmp_path_factory.mktemp("workbench-app")
    repo = make_repo(base / "repo")
    engine = sa.create_engine(f"sqlite:///{base / 'tracker.db'}", future=True)
    _metadata.create_all(engine)
    settings = WorkbenchSettings.from_env(
        {
            "WORKBENCH_REPO": str(repo),
            "WORKBENCH_DB_URL": f"sqlite:///{base / 'wb.db'}",
            "TRACKER_DB_URL": str(engine.url),
            "RASA_URL": "http://127.0.0.1:9",
            "WORKBENCH_SAMPLE_PERCENT": "0",
        }
    )
    patch = pytest.MonkeyPatch()
    # test mode lets Sanic start several apps in one process (it keeps the untouched protocol code)
    patch.setattr(Sanic, "test_mode", True)
    app = app_module.create_app(settings, name="wb_test_app")
    for name, role in (("kees", "viewer"), ("anna", "trainer"), ("bert", "lead")):
        users.add_user(app.ctx.engine, name, PASSWORD, role)
    yield {"app": app, "tracker": Conversations(engine), "started": False}
    engine.dispose()
    patch.undo()


@pytest.fixture
def tracker(env: dict[str, Any]) -> Conversations:
    with env["tracker"].engine.begin() as connection:
        connection.execute(events.delete())
    return env["tracker"]


@pytest.fixture
async def client(env: dict[str, Any], tracker: Conversations) -> AsyncIterator[httpx.AsyncClient]:
    app = env["app"]
    with app.ctx.engine.begin() as connection:
        for table in (store.proposals, store.audit, store.reviews, store.sessions, store.batches):
            connection.execute(table.delete())
    if not env["started"]:
        await app._startup()
        env["started"] = True
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://wb") as http:
        http.app = app  # type: ignore[attr-defined]
        yield http


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


async def login(client: httpx.AsyncClient, name: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/inloggen")
    return await client.post(
        "/inloggen", data={"csrf": csrf_of(page.text), "gebruiker": name, "wachtwoord": password}
    )


async def post(client: httpx.AsyncClient, page: str, url: str, data: dict[str, Any]) -> httpx.Response:
    form = await client.get(page)
    return await client.post(url, data={"csrf": csrf_of(form.text), **data})


async def test_pages_need_a_sign_in(client: httpx.AsyncClient) -> None:
    for path in ("/inbox", "/voorstellen", "/controles", "/gesprekken", "/probeer", "/logboek"):
        response = await client.get(path)
        assert response.status_code == 302 and response.headers["location"] == "/inloggen", path


async def test_wrong_password_is_refused_and_audited(client: httpx.AsyncClient) -> None:
    response = await login(client, "anna", "fout wachtwoord!")
    assert response.status_code == 401
    assert "klopt niet" in response.text
    assert "wb_session" not in response.headers.get("set-cookie", "")
    rows = store.audit_rows(client.app.ctx.engine)  # type: ignore[attr-defined]
    assert rows[0].action == "inloggen mislukt" and rows[0].username == "anna"


async def test_session_cookie_flags_and_headers(client: httpx.AsyncClient) -> None:
    response = await login(client, "anna")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "wb_session=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = await client.get("/inbox")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "unsafe" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_forged_session_cookie_is_ignored(client: httpx.AsyncClient) -> None:
    client.cookies.set("wb_session", "abc.def")
    assert (await client.get("/inbox")).status_code == 302


async def test_login_needs_its_csrf_token(client: httpx.AsyncClient) -> None:
    await client.get("/inloggen")
    response = await client.post("/inloggen", data={"gebruiker": "anna", "wachtwoord": PASSWORD})
    assert response.status_code == 403


async def test_post_without_csrf_is_refused(client: httpx.AsyncClient, tracker: Conversations) -> None:
    event = tracker.user("x", "mijn kliko is vol", "nlu_fallback", 0.2, T0)
    await login(client, "anna")
    response = await client.post(
        f"/inbox/{event}/label", data={"tekst": "mijn kliko is vol", "intentie": "waste_collection"}
    )
    assert response.status_code == 403
    assert store.list_proposals(client.app.ctx.engine) == []  # type: ignore[attr-defined]


async def test_inbox_shows_masked_misses(client: httpx.AsyncClient, tracker: Conversations) -> None:
    tracker.user("x", "bel mij op 06-12345678 over de kliko", "nlu_fallback", 0.2, T0)
    await login(client, "kees")
    page = await client.get("/inbox")
    assert page.status_code == 200
    assert "[TELEFOON]" in page.text and "06-12345678" not in page.text


async def test_trainer_labels_and_a_lead_approves(
    client: httpx.AsyncClient, tracker: Conversations, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = tracker.user("x", "mijn kliko is al weken niet geleegd", "nlu_fallback", 0.2, T0)
    started: list[Any] = []
    monkeypatch.setattr(
        app_module.check,
        "start_check",
        lambda ctx, proposals, lead: (
            started.append((ctx.branch, [p["payload"]["text"] for p in proposals], lead)) or True
        ),
    )
    await login(client, "anna")
    response = await post(
        client,
        f"/inbox/{event}",
        f"/inbox/{event}/label",
        {"tekst": "mijn kliko is al weken niet geleegd", "intentie": "waste_collection"},
    )
    assert response.status_code == 303
    engine = client.app.ctx.engine  # type: ignore[attr-defined]
    [proposal] = store.list_proposals(engine)
    assert proposal["payload"]["intent"] == "waste_collection" and proposal["proposed_by"] == "anna"
    assert event in store.reviewed_ids(engine)
    # a trainer cannot approve
    denied = await post(
        client,
        "/voorstellen",
        "/voorstellen",
        {"voorstel": str(proposal["id"]), "tak": "training/x", "besluit": "goedkeuren"},
    )
    assert denied.status_code == 403 and started == []
    client.cookies.clear()
    await login(client, "bert")
    bad_branch = await post(
        client,
        "/voorstellen",
        "/voorstellen",
        {"voorstel": str(proposal["id"]), "tak": "../main", "besluit": "goedkeuren"},
    )
    assert bad_branch.headers["location"] == "/voorstellen?fout=tak"
    approved = await post(
        client,
        "/voorstellen",
        "/voorstellen",
        {"voorstel": str(proposal["id"]), "tak": "training/kliko", "besluit": "goedkeuren"},
    )
    assert approved.status_code == 303 and approved.headers["location"].startswith("/controles/")
    assert started == [("training/kliko", ["mijn kliko is al weken niet geleegd"], "bert")]
    [proposal] = store.list_proposals(engine)
    assert proposal["status"] == "approved" and proposal["decided_by"] == "bert"
    actions = [row.action for row in store.audit_rows(engine)]
    assert "voorbeeld voorgesteld" in actions and "partij goedgekeurd en controle gestart" in actions
    audit_page = await client.get("/logboek")
    assert "voorbeeld voorgesteld" in audit_page.text


async def test_guards_refuse_with_a_dutch_reason(client: httpx.AsyncClient, tracker: Conversations) -> None:
    event = tracker.user("x", "mijn bsn is 123456782", "nlu_fallback", 0.2, T0)
    await login(client, "anna")
    response = await post(
        client,
        f"/inbox/{event}",
        f"/inbox/{event}/label",
        {"tekst": "mijn bsn is 123456782", "intentie": "brp_extract"},
    )
    assert response.status_code == 422
    assert "persoonsgegevens" in response.text
    assert store.list_proposals(client.app.ctx.engine) == []  # type: ignore[attr-defined]


async def test_viewer_cannot_label(client: httpx.AsyncClient, tracker: Conversations) -> None:
    event = tracker.user("x", "waar kan ik mijn grofvuil kwijt", "nlu_fallback", 0.2, T0)
    await login(client, "kees")
    response = await post(
        client,
        f"/inbox/{event}",
        f"/inbox/{event}/label",
        {"tekst": "waar kan ik mijn grofvuil kwijt", "intentie": "waste_collection"},
    )
    assert response.status_code == 403
    assert (await client.get("/logboek")).status_code == 403


async def test_try_it_when_the_assistant_is_down(client: httpx.AsyncClient) -> None:
    await login(client, "anna")
    response = await post(client, "/probeer", "/probeer", {"bericht": "hallo"})
    assert response.status_code == 502
    assert "niet bereikbaar" in response.text


async def test_logout_ends_the_session(client: httpx.AsyncClient) -> None:
    await login(client, "anna")
    assert (await post(client, "/inbox", "/uitloggen", {})).status_code == 303
    assert (await client.get("/inbox")).status_code == 302


async def test_conversations_are_searchable(client: httpx.AsyncClient) -> None:
    await login(client, "kees")
    page = await client.get("/gesprekken", params={"zoek": "passport_id_card"})
    assert "Regel: answer passport_id_card" in page.text and "Inwoner" in page.text


def test_production_needs_a_secret() -> None:
    with pytest.raises(ConfigurationError):
        WorkbenchSettings.from_env({"WORKBENCH_ENV": "production"})
    with pytest.raises(ConfigurationError):
        WorkbenchSettings.from_env({"WORKBENCH_ENV": "production", "WORKBENCH_SECRET": "kort"})
    settings = WorkbenchSettings.from_env({"WORKBENCH_ENV": "production", "WORKBENCH_SECRET": "x" * 40})
    assert settings.production and settings.secret == "x" * 40


def test_main_refuses_to_start_in_production_without_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.__main__ import main

    monkeypatch.setenv("WORKBENCH_ENV", "production")
    monkeypatch.delenv("WORKBENCH_SECRET", raising=False)
    assert main([]) == 2


def test_passwords_are_argon2_hashed(tmp_path: Path) -> None:
    engine = store.make_engine(f"sqlite:///{tmp_path / 'u.db'}")
    users.add_user(engine, "anna", PASSWORD, "trainer")
    with engine.connect() as connection:
        stored = connection.execute(store.users.select()).mappings().first()
    assert stored["password_hash"].startswith("$argon2id$") and PASSWORD not in stored["password_hash"]
    assert users.authenticate(engine, "anna", PASSWORD)["role"] == "trainer"
    assert users.authenticate(engine, "anna", "verkeerd wachtwoord") is None
    assert users.authenticate(engine, "niemand", PASSWORD) is None
    with pytest.raises(ValueError):
        users.add_user(engine, "kort", "kort", "trainer")
    with pytest.raises(ValueError):
        users.add_user(engine, "anna", PASSWORD, "trainer")
    assert users.has_role("lead", "trainer") and not users.has_role("viewer", "trainer")


def test_users_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setenv("WORKBENCH_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert users.main(["add", "lotte", "--role", "lead", "--password-stdin"]) == 0
    assert users.main(["list"]) == 0
    assert "lotte" in capsys.readouterr().out
    assert users.main(["disable", "lotte"]) == 0
    engine = store.make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    assert users.authenticate(engine, "lotte", PASSWORD) is None


async def test_a_second_request_does_not_invalidate_the_open_sign_in_form(client: httpx.AsyncClient) -> None:
    page = await client.get("/inloggen")
    assert (await client.get("/favicon.ico")).status_code == 404
    await client.get("/inloggen")  # e.g. a second tab
    response = await client.post(
        "/inloggen", data={"csrf": csrf_of(page.text), "gebruiker": "anna", "wachtwoord": PASSWORD}
    )
    assert response.status_code == 303


async def test_content_edit_error_first_then_a_proposal(client: httpx.AsyncClient) -> None:
    await login(client, "anna")
    page = await client.get("/antwoorden/voorbeeldstad/opening_hours")
    form = dict(re.findall(r'name="(opening_hours[^"]+)" value="([^"]*)"', page.text))
    form["opening_hours.closed_on_public_holidays"] = "ja"
    monday = "opening_hours.weekly.monday.0.open"
    wrong = await client.post(
        "/antwoorden/voorbeeldstad/opening_hours",
        data={"csrf": csrf_of(page.text), **form, monday: "8.30", "besluit": "opslaan"},
    )
    assert wrong.status_code == 422 and "Vul een tijd in als 08:30" in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    right = await client.post(
        "/antwoorden/voorbeeldstad/opening_hours",
        data={"csrf": csrf_of(page.text), **form, monday: "09:00", "besluit": "opslaan"},
    )
    assert right.status_code == 303
    [proposal] = store.list_proposals(client.app.ctx.engine)  # type: ignore[attr-defined]
    assert proposal["kind"] == "content" and proposal["payload"]["changes"] == {monday: "09:00"}
    listing = await client.get("/voorstellen")
    assert "maandag, blok 1, opent om wordt 09:00" in listing.text


async def test_rule_contradiction_is_shown_and_nothing_proposed(client: httpx.AsyncClient) -> None:
    await login(client, "anna")
    page = await client.get("/gesprekken/nieuwe-regel")
    response = await client.post(
        "/gesprekken/nieuwe-regel",
        data={"csrf": csrf_of(page.text), "vraag": "passport_id_card", "antwoord": "utter_greet"},
    )
    assert response.status_code == 422
    assert "answer passport_id_card" in response.text and "data/rules/answers.yml" in response.text
    assert store.list_proposals(client.app.ctx.engine) == []  # type: ignore[attr-defined]


def committed_batch(engine: Any, folder: Path) -> tuple[int, Path]:
    """A passed rule batch with its kept model (as ``check.run_check`` leaves it)."""
    model = folder / "model.tar.gz"
    model.write_bytes(b"model")
    batch_id = store.create_batch(engine, "training/regel", "bert")
    store.update_batch(engine, batch_id, status="committed", result={"passed": True, "model": str(model)})
    return batch_id, model


class SlowRasa:
    """A Rasa whose ``PUT /model`` takes as long as the test wants (a busy machine needs minutes)."""

    def __init__(self) -> None:
        self.release = None
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        self.requests.append(request)
        self.release = self.release or asyncio.Event()
        await self.release.wait()
        return httpx.Response(204)


async def test_loading_the_model_runs_in_the_background_and_the_page_says_when_it_is_done(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import asyncio

    rasa = SlowRasa()
    rasa.release = asyncio.Event()
    real = app_module.rasa_http
    monkeypatch.setattr(
        app_module,
        "rasa_http",
        lambda settings, timeout: real(
            dataclasses.replace(settings, rasa_token="geheim"), timeout, httpx.MockTransport(rasa)
        ),
    )
    engine = client.app.ctx.engine  # type: ignore[attr-defined]
    batch_id, model = committed_batch(engine, tmp_path)
    await login(client, "bert")
    page = f"/controles/{batch_id}"
    started = await post(client, page, f"{page}/testassistent", {})
    # the lead gets an answer at once, not after Rasa's load (minutes on a busy machine)
    assert started.status_code == 303 and started.headers["location"] == page
    for _ in range(100):
        if rasa.requests:
            break
        await asyncio.sleep(0.01)
    waiting = await client.get(page)
    assert "wordt in de testassistent gezet" in waiting.text
    assert "staat nu in de testassistent" not in waiting.text
    again = await post(client, page, f"{page}/testassistent", {})  # a second click starts nothing new
    assert again.status_code == 303
    rasa.release.set()
    for _ in range(100):
        done = await client.get(page)
        if "staat nu in de testassistent" in done.text:
            break
        await asyncio.sleep(0.01)
    assert "Het model staat nu in de testassistent" in done.text
    [request] = rasa.requests
    assert request.method == "PUT" and request.url.path == "/model"
    assert json.loads(request.content) == {"model_file": str(model)}
    assert request.url.params["token"] == "geheim"  # rasa run --auth-token reads ?token=
    assert "model in testassistent gezet" in [row.action for row in store.audit_rows(engine)]


async def test_a_model_the_assistant_cannot_load_is_reported(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    import asyncio

    engine = client.app.ctx.engine  # type: ignore[attr-defined]
    batch_id, _model = committed_batch(engine, tmp_path)  # RASA_URL points at a closed port
    await login(client, "bert")
    page = f"/controles/{batch_id}"
    assert (await post(client, page, f"{page}/testassistent", {})).status_code == 303
    for _ in range(200):
        shown = await client.get(page)
        if "kon het model niet laden" in shown.text:
            break
        await asyncio.sleep(0.02)
    assert "De testassistent kon het model niet laden" in shown.text
    assert "model in testassistent gezet" not in [row.action for row in store.audit_rows(engine)]
