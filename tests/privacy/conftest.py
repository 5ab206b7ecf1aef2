"""Fixtures of the privacy tests: temporary databases (SQLite, and PostgreSQL when reachable)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from foundation import db as actions_db
from foundation.settings import get_settings
from privacy import tracker_db

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_LOGIN_DB = "test"
PG_USERS = ("postgres", "root")


@pytest.fixture
def privacy_env(tmp_path, monkeypatch) -> Iterator[dict[str, str]]:
    """Settings pointing at fresh SQLite files for the assistant and the tracker database."""
    urls = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'assistant.db'}",
        "TRACKER_DB_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "PSEUDONYM_KEY": "test-pseudonym-key",
    }
    for name, value in urls.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield urls
    actions_db.dispose_engines()
    tracker_db.dispose_tracker_engines()
    get_settings.cache_clear()


def _pg_admin_engine() -> tuple[sa.engine.Engine, str] | tuple[None, str]:
    errors = []
    for user in PG_USERS:
        engine = sa.create_engine(
            f"postgresql://{user}@{PG_HOST}:{PG_PORT}/{PG_LOGIN_DB}",
            future=True,
            isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": 3},
        )
        try:
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return engine, user
        except Exception as error:  # unreachable server or unknown user
            errors.append(f"{user}: {error.__class__.__name__}")
            engine.dispose()
    return None, "; ".join(errors)


@pytest.fixture
def pg_database() -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database for one test, dropped afterwards.

    Yields the connection parts: ``user``, ``db`` and ``url``. Skips (with the reason) only when the
    local server at 127.0.0.1:5432 cannot be reached.
    """
    admin, user_or_reason = _pg_admin_engine()
    if admin is None:
        pytest.skip(f"PostgreSQL at {PG_HOST}:{PG_PORT} is unreachable ({user_or_reason})")
    name = f"privacy_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield {
            "user": user_or_reason,
            "db": name,
            "url": f"postgresql://{user_or_reason}@{PG_HOST}:{PG_PORT}/{name}",
        }
    finally:
        tracker_db.dispose_tracker_engines()
        actions_db.dispose_engines()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
