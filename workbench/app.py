"""The Trainerswerkplaats web app (Sanic + Jinja2, plain HTML forms, no JavaScript).

Screens: sign-in, inbox (with filters), one message (label it), proposals (lead approves a batch
and starts the check), checks (status page of the background job, figures), conversations
(stories and rules as dialogues), "Probeer het" (talk to the running assistant), audit trail.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import httpx
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from workbench import check, content_edit, dialogue, inbox, security, store, users
from workbench.config import WorkbenchSettings
from workbench.contract import OUT_OF_SCOPE, load_contract
from workbench.conversations import load_conversations
from workbench.guards import ExampleIndex, check_label
from workbench.store import make_engine

logger = logging.getLogger(__name__)
HERE = Path(__file__).parent
STATIC = HERE / "static"
RASA_TIMEOUT = 10.0
#: Seconds the test assistant may take to load a model (about 35 s on an idle 2-core machine,
#: several minutes on a busy one); the load runs in the background, the page shows its state.
MODEL_LOAD_TIMEOUT = 1800.0

ROLE_LABELS = {"viewer": "kijker", "trainer": "trainer", "lead": "hoofdtrainer"}


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value.replace(",", ".")) if value not in (None, "") else None
    except ValueError:
        return None


def inbox_filter(args: Any) -> inbox.InboxFilter:
    """The inbox filter from the query string."""
    return inbox.InboxFilter(
        channel=args.get("kanaal") or None,
        intent=args.get("intentie") or None,
        date_from=_date(args.get("van")),
        date_to=_date(args.get("tot")),
        min_confidence=_float(args.get("min")),
        max_confidence=_float(args.get("max")),
        reason=args.get("reden") or None,
        include_reviewed=args.get("bekeken") == "1",
    )


def rasa_http(
    settings: WorkbenchSettings, timeout: float, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """HTTP client for the test assistant's API (tests pass a transport).

    ``RASA_TOKEN`` goes both ways Rasa 3.6 accepts it: as ``?token=`` (``rasa run --auth-token``)
    and as ``Authorization: Bearer`` (when it is a JWT for ``--jwt-secret``).
    """
    token = settings.rasa_token
    return httpx.AsyncClient(
        base_url=settings.rasa_url,
        timeout=timeout,
        params={"token": token} if token else None,
        headers={"Authorization": f"Bearer {token}"} if token else None,
        transport=transport,
    )


def create_app(settings: WorkbenchSettings | None = None, name: str = "trainerswerkplaats") -> Sanic:
    """Create the workbench app.

    Args:
        settings: defaults to :meth:`WorkbenchSettings.from_env`.
        name: Sanic app name (unique per process).
    """
    settings = settings or WorkbenchSettings.from_env()
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    engine = make_engine(settings.db_url)
    tracker_engine = store.sa.create_engine(settings.tracker_db_url, future=True)
    templates = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
    )
    templates.filters["timestamp"] = lambda value: datetime.fromtimestamp(value, tz=timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    app.ctx.engine = engine
    app.ctx.settings = settings

    def render(request: Request, template: str, status: int = 200, **values: Any) -> HTTPResponse:
        user = request.ctx.user
        html = templates.get_template(template).render(
            user=user,
            role_label=ROLE_LABELS.get(user["role"], "") if user else "",
            csrf=request.ctx.csrf,
            path=request.path,
            can=lambda role: bool(user) and users.has_role(user["role"], role),
            reason_labels=inbox.REASON_LABELS,
            **values,
        )
        return response.html(html, status=status)

    def set_cookie(resp: HTTPResponse, name_: str, value: str, max_age: int) -> None:
        resp.cookies[name_] = value
        resp.cookies[name_]["httponly"] = True
        resp.cookies[name_]["samesite"] = "Strict"
        resp.cookies[name_]["path"] = "/"
        resp.cookies[name_]["max-age"] = max_age
        if settings.production:
            resp.cookies[name_]["secure"] = True

    def forbidden(request: Request) -> HTTPResponse:
        return render(
            request,
            "message.html",
            status=403,
            title="Geen toegang",
            message="U heeft geen rechten voor deze pagina. Vraag een hoofdtrainer om hulp.",
        )

    @app.on_request
    async def authenticate(request: Request) -> HTTPResponse | None:
        request.ctx.user = None
        request.ctx.csrf = ""
        request.ctx.token = security.unsign(settings.secret, request.cookies.get(security.SESSION_COOKIE))
        session = security.load_session(engine, request.ctx.token)
        if session:
            request.ctx.user = users.get_user(engine, session["username"])
            request.ctx.csrf = session["csrf"] if request.ctx.user else ""
        public = request.path in ("/inloggen", "/healthz", "/favicon.ico") or request.path.startswith(
            "/static/"
        )
        if request.method == "POST" and request.path != "/inloggen":
            if not request.ctx.user or not security.tokens_match(request.ctx.csrf, request.form.get("csrf")):
                return response.html("<p>Ongeldig formulier (CSRF). Laad de pagina opnieuw.</p>", status=403)
        if not public and not request.ctx.user:
            return response.redirect("/inloggen")
        return None

    @app.on_response
    async def headers(_request: Request, resp: HTTPResponse) -> None:
        for key, value in security.SECURITY_HEADERS.items():
            resp.headers[key] = value

    @app.get("/favicon.ico")
    async def favicon(_request: Request) -> HTTPResponse:
        return response.empty(status=404)

    @app.get("/healthz")
    async def healthz(_request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/static/<file:path>")
    async def static(_request: Request, file: str) -> HTTPResponse:
        path = (STATIC / file).resolve()
        if STATIC.resolve() not in path.parents or not path.is_file():
            return response.text("Niet gevonden", status=404)
        return await response.file(path)

    # ---------------------------------------------------------------- sign in
    @app.get("/inloggen")
    async def login_page(request: Request) -> HTTPResponse:
        # keep an existing pre-session: a second tab (or the browser's favicon request) must not
        # invalidate the form that is already open
        pre = request.cookies.get(security.LOGIN_COOKIE) or ""
        if not (20 <= len(pre) <= 64 and pre.replace("-", "").replace("_", "").isalnum()):
            pre = secrets.token_urlsafe(24)
        request.ctx.csrf = security.login_csrf(settings.secret, pre)
        resp = render(request, "login.html", error=None)
        set_cookie(resp, security.LOGIN_COOKIE, pre, 1800)
        return resp

    @app.post("/inloggen")
    async def login(request: Request) -> HTTPResponse:
        pre = request.cookies.get(security.LOGIN_COOKIE, "")
        if not pre or not security.tokens_match(
            security.login_csrf(settings.secret, pre), request.form.get("csrf")
        ):
            return response.html("<p>Ongeldig formulier (CSRF). Laad de pagina opnieuw.</p>", status=403)
        username = (request.form.get("gebruiker") or "").strip()
        account = users.authenticate(engine, username, request.form.get("wachtwoord") or "")
        if account is None:
            store.record(engine, username[:80] or "?", "inloggen mislukt")
            request.ctx.csrf = security.login_csrf(settings.secret, pre)
            return render(
                request, "login.html", status=401, error="De gebruikersnaam of het wachtwoord klopt niet."
            )
        token, _csrf = security.create_session(engine, account["username"], settings.session_hours)
        store.record(engine, account["username"], "ingelogd")
        resp = response.redirect("/inbox", status=303)
        set_cookie(
            resp,
            security.SESSION_COOKIE,
            security.sign(settings.secret, token),
            int(settings.session_hours * 3600),
        )
        del resp.cookies[security.LOGIN_COOKIE]
        return resp

    @app.post("/uitloggen")
    async def logout(request: Request) -> HTTPResponse:
        security.end_session(engine, request.ctx.token)
        store.record(engine, request.ctx.user["username"], "uitgelogd")
        resp = response.redirect("/inloggen", status=303)
        del resp.cookies[security.SESSION_COOKIE]
        return resp

    @app.get("/")
    async def home(_request: Request) -> HTTPResponse:
        return response.redirect("/inbox")

    # ---------------------------------------------------------------- inbox
    @app.get("/inbox")
    async def inbox_page(request: Request) -> HTTPResponse:
        flt = inbox_filter(request.args)
        items = inbox.inbox(
            tracker_engine,
            flt,
            reviewed=store.reviewed_ids(engine),
            low_confidence=settings.low_confidence,
            sample_percent=settings.sample_percent,
        )
        channels = sorted({item.channel for item in items} | ({flt.channel} if flt.channel else set()))
        return render(
            request,
            "inbox.html",
            items=items[:200],
            total=len(items),
            flt=flt,
            args=request.args,
            channels=channels,
            intents=load_contract(settings.repo),
        )

    def label_page(request: Request, item: inbox.InboxItem, status: int = 200, **extra: Any) -> HTTPResponse:
        proposals = [p for p in store.list_proposals(engine) if p["payload"].get("event_id") == item.event_id]
        return render(
            request,
            "message_detail.html",
            status=status,
            item=item,
            intents=load_contract(settings.repo),
            proposals=proposals,
            out_of_scope=OUT_OF_SCOPE,
            **extra,
        )

    @app.get("/inbox/<event_id:int>")
    async def message_page(request: Request, event_id: int) -> HTTPResponse:
        item = inbox.find_item(tracker_engine, event_id)
        if item is None:
            return render(
                request,
                "message.html",
                status=404,
                title="Niet gevonden",
                message="Dit bericht bestaat niet (meer).",
            )
        return label_page(request, item, text=item.text, chosen=item.intent, reasons=[])

    @app.post("/inbox/<event_id:int>/label")
    async def label(request: Request, event_id: int) -> HTTPResponse:
        if not users.has_role(request.ctx.user["role"], "trainer"):
            return forbidden(request)
        item = inbox.find_item(tracker_engine, event_id)
        if item is None:
            return render(
                request,
                "message.html",
                status=404,
                title="Niet gevonden",
                message="Dit bericht bestaat niet (meer).",
            )
        text = " ".join((request.form.get("tekst") or "").split())
        intent = request.form.get("intentie") or ""
        pending = [
            p["payload"]["text"]
            for p in store.list_proposals(engine, ("proposed", "approved"))
            if p["kind"] == "example"
        ]
        result = check_label(text, intent, ExampleIndex(settings.repo), pending)
        if not result.ok:
            store.record(
                engine,
                request.ctx.user["username"],
                "label geweigerd",
                {"bericht": event_id, "intentie": intent, "redenen": result.reasons},
            )
            return label_page(request, item, status=422, text=text, chosen=intent, reasons=result.reasons)
        proposal_id = store.add_proposal(
            engine,
            "example",
            {"text": text, "intent": intent, "event_id": event_id},
            request.ctx.user["username"],
        )
        store.mark_reviewed(engine, event_id, request.ctx.user["username"])
        store.record(
            engine,
            request.ctx.user["username"],
            "voorbeeld voorgesteld",
            {"voorstel": proposal_id, "bericht": event_id, "intentie": intent, "tekst": text},
        )
        return response.redirect(f"/inbox?opgeslagen={proposal_id}", status=303)

    @app.post("/inbox/<event_id:int>/bekeken")
    async def reviewed(request: Request, event_id: int) -> HTTPResponse:
        if not users.has_role(request.ctx.user["role"], "trainer"):
            return forbidden(request)
        store.mark_reviewed(engine, event_id, request.ctx.user["username"])
        store.record(engine, request.ctx.user["username"], "bericht bekeken", {"bericht": event_id})
        return response.redirect("/inbox", status=303)

    # ---------------------------------------------------------------- proposals and batches
    @app.get("/voorstellen")
    async def proposals_page(request: Request) -> HTTPResponse:
        return render(
            request,
            "proposals.html",
            proposals=store.list_proposals(engine, ("proposed", "approved")),
            running=check.check_running(),
            error=request.args.get("fout"),
            saved=request.args.get("opgeslagen"),
        )

    @app.post("/voorstellen")
    async def decide(request: Request) -> HTTPResponse:
        user = request.ctx.user
        if not users.has_role(user["role"], "lead"):
            return forbidden(request)
        ids = [int(value) for value in request.form.getlist("voorstel") or [] if value.isdigit()]
        chosen = [p for p in store.list_proposals(engine, ("proposed", "approved")) if p["id"] in ids]
        if not chosen:
            return response.redirect("/voorstellen?fout=kies", status=303)
        if request.form.get("besluit") == "afwijzen":
            store.set_proposal_status(engine, [p["id"] for p in chosen], "rejected", user["username"])
            store.record(engine, user["username"], "voorstellen afgewezen", {"voorstellen": ids})
            return response.redirect("/voorstellen", status=303)
        branch = (request.form.get("tak") or "").strip()
        if not check.valid_branch(branch):
            return response.redirect("/voorstellen?fout=tak", status=303)
        if check.check_running():
            return response.redirect("/voorstellen?fout=bezig", status=303)
        store.set_proposal_status(engine, [p["id"] for p in chosen], "approved", user["username"])
        batch_id = store.create_batch(engine, branch, user["username"])
        store.set_proposal_status(engine, [p["id"] for p in chosen], "approved", batch_id=batch_id)
        store.record(
            engine,
            user["username"],
            "partij goedgekeurd en controle gestart",
            {"partij": batch_id, "tak": branch, "voorstellen": ids},
        )
        chosen = store.list_proposals(engine, batch_id=batch_id)
        ctx = check.CheckContext(
            repo=settings.repo,
            engine=engine,
            batch_id=batch_id,
            branch=branch,
            baseline_model=settings.baseline_model,
        )
        if not check.start_check(ctx, chosen, user["username"]):
            return response.redirect("/voorstellen?fout=bezig", status=303)
        return response.redirect(f"/controles/{batch_id}", status=303)

    @app.get("/controles")
    async def batches_page(request: Request) -> HTTPResponse:
        return render(request, "batches.html", batches=store.list_batches(engine))

    # batch id -> {"state": "loading" | "loaded" | "failed"} of the model load into the test
    # assistant (this process; one load at a time, Rasa's PUT /model blocks Rasa while it runs)
    model_loads: dict[int, dict[str, str]] = {}
    app.ctx.model_loads = model_loads
    app.ctx.model_load_tasks = set()

    def batch_view(request: Request, batch: dict[str, Any], status: int = 200) -> HTTPResponse:
        batch_id = batch["id"]
        folder = settings.repo / "var/workbench/batches" / str(batch_id)
        load = model_loads.get(batch_id, {}).get("state")
        return render(
            request,
            "batch.html",
            status=status,
            batch=batch,
            proposals=store.list_proposals(engine, batch_id=batch_id),
            has_f1=(folder / "f1.png").exists(),
            has_confusion=(folder / "confusion.png").exists(),
            refresh=batch["status"] in ("queued", "running") or load == "loading",
            loading=load == "loading",
            loaded=load == "loaded",
            load_error="De testassistent kon het model niet laden. Vraag de beheerder."
            if load == "failed"
            else None,
        )

    @app.get("/controles/<batch_id:int>")
    async def batch_page(request: Request, batch_id: int) -> HTTPResponse:
        batch = store.get_batch(engine, batch_id)
        if batch is None:
            return render(
                request,
                "message.html",
                status=404,
                title="Niet gevonden",
                message="Deze controle bestaat niet.",
            )
        return batch_view(request, batch)

    async def load_into_test_assistant(batch_id: int, model: str, username: str) -> None:
        try:
            async with rasa_http(settings, MODEL_LOAD_TIMEOUT) as client:
                (await client.put("/model", json={"model_file": model})).raise_for_status()
        except httpx.HTTPError as error:
            logger.warning("test assistant could not load %s: %r", model, error)
            model_loads[batch_id] = {"state": "failed"}
        else:
            model_loads[batch_id] = {"state": "loaded"}
            for other, load in model_loads.items():  # the assistant holds one model at a time
                if other != batch_id and load.get("state") == "loaded":
                    model_loads[other] = {"state": "replaced"}
            store.record(engine, username, "model in testassistent gezet", {"partij": batch_id})

    @app.post("/controles/<batch_id:int>/testassistent")
    async def load_model(request: Request, batch_id: int) -> HTTPResponse:
        user = request.ctx.user
        if not users.has_role(user["role"], "lead"):
            return forbidden(request)
        batch = store.get_batch(engine, batch_id)
        model = (batch or {}).get("result", {}).get("model")
        if not batch or batch["status"] != "committed" or not model or not os.path.isfile(model):  # noqa: ASYNC240
            return render(
                request,
                "message.html",
                status=404,
                title="Niet gevonden",
                message="Deze controle heeft geen model om te laden.",
            )
        if not any(load.get("state") == "loading" for load in model_loads.values()):
            model_loads[batch_id] = {"state": "loading"}
            task = asyncio.ensure_future(load_into_test_assistant(batch_id, model, user["username"]))
            app.ctx.model_load_tasks.add(task)
            task.add_done_callback(app.ctx.model_load_tasks.discard)
        return response.redirect(f"/controles/{batch_id}", status=303)

    @app.get("/controles/<batch_id:int>/<image:str>")
    async def batch_image(_request: Request, batch_id: int, image: str) -> HTTPResponse:
        if image not in ("f1.png", "confusion.png"):
            return response.text("Niet gevonden", status=404)
        image = image[:-4]
        path = settings.repo / "var/workbench/batches" / str(batch_id) / f"{image}.png"
        if not path.is_file():
            return response.text("Niet gevonden", status=404)
        return await response.file(path, mime_type="image/png")

    # ---------------------------------------------------------------- conversations
    @app.get("/gesprekken")
    async def conversations_page(request: Request) -> HTTPResponse:
        query = (request.args.get("zoek") or "").strip()
        conversations = load_conversations(settings.repo)
        shown = [c for c in conversations if not query or c.matches(query)]
        return render(
            request, "conversations.html", conversations=shown, total=len(conversations), query=query
        )

    @app.get("/gesprekken/nieuwe-regel")
    async def rule_page(request: Request) -> HTTPResponse:
        return render(request, "rule.html", lists=dialogue.domain_lists(settings.repo), form={}, reasons=[])

    @app.post("/gesprekken/nieuwe-regel")
    async def rule_propose(request: Request) -> HTTPResponse:
        user = request.ctx.user
        if not users.has_role(user["role"], "trainer"):
            return forbidden(request)
        form = {
            key: (request.form.get(key) or "").strip()
            for key in ("vraag", "nieuwe_vraag", "voorbeelden", "antwoord", "nieuw_antwoord")
        }
        lists = dialogue.domain_lists(settings.repo)
        new_intent = bool(form["nieuwe_vraag"])
        examples = [" ".join(line.split()) for line in form["voorbeelden"].splitlines() if line.strip()]
        text = " ".join(form["nieuw_antwoord"].split())
        payload: dict[str, Any] = {
            "intent": form["nieuwe_vraag"] if new_intent else form["vraag"],
            "new_intent": new_intent,
            "examples": examples if new_intent else [],
            "response_text": text,
            "action": dialogue.response_name(text, set(lists.responses)) if text else form["antwoord"],
        }
        reasons = dialogue.validate_rule(settings.repo, payload)
        if new_intent and not reasons:
            index = ExampleIndex(settings.repo)
            index.intents.add(payload["intent"])
            for example in examples:
                guard = check_label(
                    example, payload["intent"], index, [e for e in examples if e is not example]
                )
                reasons.extend(f"Voorbeeld \u201c{example}\u201d: {r}" for r in guard.reasons)
        if text:
            findings = check_label(text, OUT_OF_SCOPE, ExampleIndex(settings.repo)).reasons
            reasons.extend(r for r in findings if "persoonsgegevens" in r)
        if reasons:
            return render(request, "rule.html", status=422, lists=lists, form=form, reasons=reasons)
        proposal_id = store.add_proposal(engine, "rule", payload, user["username"])
        store.record(engine, user["username"], "regel voorgesteld", {"voorstel": proposal_id, **payload})
        return response.redirect(f"/voorstellen?opgeslagen={proposal_id}", status=303)

    # ---------------------------------------------------------------- answers per municipality
    @app.get("/antwoorden")
    async def content_index(request: Request) -> HTTPResponse:
        names = content_edit.municipalities(settings.repo)
        chosen = request.args.get("gemeente") or content_edit.DEFAULT_MUNICIPALITY
        if chosen not in names:
            chosen = names[0]
        sections = list(content_edit.load(settings.repo, chosen))
        diffs = (
            content_edit.differences(settings.repo, chosen)
            if chosen != content_edit.DEFAULT_MUNICIPALITY
            else []
        )
        return render(
            request,
            "content_index.html",
            names=names,
            chosen=chosen,
            sections=sections,
            diffs=diffs,
            default=content_edit.DEFAULT_MUNICIPALITY,
        )

    def content_form(
        request: Request, municipality: str, section: str, status: int = 200, **extra: Any
    ) -> HTTPResponse:
        return render(
            request,
            "content_form.html",
            status=status,
            municipality=municipality,
            section=section,
            fields=content_edit.fields(settings.repo, municipality, section),
            **extra,
        )

    @app.get("/antwoorden/<municipality:str>/<section:str>")
    async def content_page(request: Request, municipality: str, section: str) -> HTTPResponse:
        if municipality not in content_edit.municipalities(settings.repo):
            return render(
                request, "message.html", status=404, title="Niet gevonden", message="Onbekende gemeente."
            )
        return content_form(
            request,
            municipality,
            section,
            values={},
            errors={},
            changes={},
            preview=content_edit.preview(settings.repo, municipality, section, {}),
        )

    @app.post("/antwoorden/<municipality:str>/<section:str>")
    async def content_propose(request: Request, municipality: str, section: str) -> HTTPResponse:
        user = request.ctx.user
        if not users.has_role(user["role"], "trainer"):
            return forbidden(request)
        if municipality not in content_edit.municipalities(settings.repo):
            return render(
                request, "message.html", status=404, title="Niet gevonden", message="Onbekende gemeente."
            )
        values = {key: request.form.get(key) or "" for key in request.form if key not in ("csrf", "besluit")}
        changes, errors = content_edit.validate_changes(settings.repo, municipality, section, values)
        preview_lines = content_edit.preview(
            settings.repo, municipality, section, changes if not errors else {}
        )
        if errors or not changes or request.form.get("besluit") == "voorbeeld":
            status = 422 if errors else 200
            return content_form(
                request,
                municipality,
                section,
                status=status,
                values=values,
                errors=errors,
                changes=changes,
                preview=preview_lines,
                nothing=not changes and not errors,
            )
        labels = {f.path: f.label for f in content_edit.fields(settings.repo, municipality, section)}
        payload = {
            "municipality": municipality,
            "section": section,
            "changes": changes,
            "labels": {path: f"{section}: {labels.get(path, path)}" for path in changes},
        }
        proposal_id = store.add_proposal(engine, "content", payload, user["username"])
        store.record(
            engine, user["username"], "antwoord gewijzigd (voorstel)", {"voorstel": proposal_id, **payload}
        )
        return response.redirect(f"/voorstellen?opgeslagen={proposal_id}", status=303)

    # ---------------------------------------------------------------- try it
    @app.get("/probeer")
    async def try_page(request: Request) -> HTTPResponse:
        return render(request, "try.html", message="", result=None, error=None)

    @app.post("/probeer")
    async def try_it(request: Request) -> HTTPResponse:
        message = (request.form.get("bericht") or "").strip()[:1000]
        if not message:
            return render(
                request, "try.html", status=422, message="", result=None, error="Typ eerst een bericht."
            )
        sender = f"werkplaats-{request.ctx.user['username']}"
        try:
            async with rasa_http(settings, RASA_TIMEOUT) as client:
                parsed = (await client.post("/model/parse", json={"text": message})).raise_for_status().json()
                answers = (
                    (await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": message}))
                    .raise_for_status()
                    .json()
                )
        except (httpx.HTTPError, ValueError):
            return render(
                request,
                "try.html",
                status=502,
                message=message,
                result=None,
                error="De assistent is nu niet bereikbaar. Probeer het later opnieuw of vraag de beheerder.",
            )
        intent = parsed.get("intent") or {}
        result = {
            "intent": intent.get("name"),
            "confidence": intent.get("confidence"),
            "entities": [
                {"entity": e.get("entity"), "value": e.get("value")} for e in parsed.get("entities") or []
            ],
            "answers": [a.get("text") or json.dumps(a, ensure_ascii=False) for a in answers or []],
            "ranking": [
                (r.get("name"), r.get("confidence")) for r in (parsed.get("intent_ranking") or [])[:5]
            ],
        }
        return render(request, "try.html", message=message, result=result, error=None)

    # ---------------------------------------------------------------- audit
    @app.get("/logboek")
    async def audit_page(request: Request) -> HTTPResponse:
        if not users.has_role(request.ctx.user["role"], "lead"):
            return forbidden(request)
        return render(request, "audit.html", rows=store.audit_rows(engine))

    return app
