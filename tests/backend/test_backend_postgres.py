"""The stand-in on PostgreSQL (``BACKEND_DATABASE_URL``), against the local server of ``make test``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from backend.seed import working_days
from integrations.appointments import AppointmentsClient
from integrations.brp import BrpClient
from integrations.zaken import ZakenClient
from tests.backend.conftest import BackendServer, running_backend

PG = "postgresql://{user}@127.0.0.1:5432/{db}"


def _admin() -> tuple[sa.engine.Engine, str]:
    reasons = []
    for user in ("postgres", "root"):
        engine = sa.create_engine(
            PG.format(user=user, db="test"),
            future=True,
            isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": 3},
        )
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return engine, user
        except Exception as exc:  # unreachable server or unknown role
            reasons.append(f"{user}: {type(exc).__name__}")
            engine.dispose()
    pytest.skip(f"PostgreSQL at 127.0.0.1:5432 unreachable ({'; '.join(reasons)})")


@pytest.fixture
def pg_backend(tmp_path: Path) -> Iterator[BackendServer]:
    admin, user = _admin()
    name = f"backend_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        with running_backend(PG.format(user=user, db=name), tmp_path) as server:
            yield server
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
async def test_backend_on_postgres(pg_backend: BackendServer) -> None:
    settings = pg_backend.settings
    async with ZakenClient.from_settings(settings) as zaken:
        same = str(uuid.uuid4())
        zaak = await zaken.create_zaak(
            "Stoep", "MELDING-OPENBARE-RUIMTE", "x", bsn="999990020", idempotency_key=same
        )
        again = await zaken.create_zaak(
            "Stoep", "MELDING-OPENBARE-RUIMTE", "x", bsn="999990020", idempotency_key=same
        )
        assert again.identificatie == zaak.identificatie
        assert [z.identificatie for z in await zaken.list_zaken_for_bsn("999990020")] == [zaak.identificatie]
    async with BrpClient.from_settings(settings) as brp:
        assert (await brp.get_person("999990020", ["naam"])).voorvoegsel == "de"
    async with AppointmentsClient.from_settings(settings) as appointments:
        day = working_days(date.today(), 3)[-1]
        slot = (await appointments.free_slots("paspoort", day))[0]
        booking = await appointments.book(slot.id, "paspoort", "Carla de Proef", "c@example.org")
        assert (await appointments.cancel(booking.referentie)).cancelled
