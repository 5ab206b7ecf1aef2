"""The stand-in backend application: :func:`create_app` wires blueprints, auth, faults and seed."""

from __future__ import annotations

import asyncio
import itertools
import logging

from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from backend import afspraken, afval, auth, bag, brp, klantinteracties, zgw
from backend.common import ApiError, problem
from backend.db import make_engine
from backend.faults import Faults, admin_blueprint, apply_faults
from backend.seed import seed
from backend.settings import BackendSettings

logger = logging.getLogger(__name__)
_app_numbers = itertools.count(1)


def create_app(database_url: str | None = None, settings: BackendSettings | None = None) -> Sanic:
    """Create the stand-in app.

    Args:
        database_url: SQLAlchemy URL; default ``settings.backend_database_url``.
        settings: Settings for credentials and faults; default :meth:`BackendSettings.from_env`.

    Returns:
        A configured Sanic app with a seeded database.
    """
    settings = settings or BackendSettings.from_env()
    app = Sanic(f"municipality_backend_{next(_app_numbers)}")
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.ctx.settings = settings
    app.ctx.engine = make_engine(database_url or settings.backend_database_url)
    seed(app.ctx.engine, settings)
    app.ctx.faults = Faults()
    app.ctx.write_lock = asyncio.Lock()

    if settings.backend_allow_faults:
        app.ctx.faults = Faults.parse(settings.backend_faults)
        app.blueprint(admin_blueprint())
        logger.warning("backend fault switch enabled (test only): %s", app.ctx.faults.spec())
    elif settings.backend_faults:
        logger.warning("BACKEND_FAULTS ignored: set BACKEND_ALLOW_FAULTS=1 to enable faults")
    app.register_middleware(apply_faults, "request")

    jwt_check = auth.zgw_jwt(settings)
    app.blueprint(zgw.zaken_blueprint(jwt_check))
    app.blueprint(zgw.catalogi_blueprint(jwt_check))
    app.blueprint(klantinteracties.blueprint(auth.token(settings)))
    app.blueprint(brp.personen_blueprint(auth.api_key(settings.brp_api_key)))
    app.blueprint(brp.reisdocumenten_blueprint(auth.api_key(settings.brp_api_key)))
    app.blueprint(bag.blueprint(auth.api_key(settings.addresses_api_key)))
    app.blueprint(afspraken.blueprint(auth.api_key(settings.appointments_api_key)))
    app.blueprint(afval.blueprint())

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return json({"status": "ok"})

    @app.exception(ApiError)
    async def api_error(request: Request, exc: ApiError) -> HTTPResponse:
        return problem(exc.status, exc.code, exc.detail, exc.invalid_params)

    async def dispose(app: Sanic, loop: object) -> None:
        app.ctx.engine.dispose()

    app.register_listener(dispose, "after_server_stop")

    return app
