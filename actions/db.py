"""Database access shared by the actions, channels, privacy and signals packages.

SQLite by default (``var/assistant.db``), PostgreSQL in production via ``DATABASE_URL``.
Feature modules define their tables on :data:`metadata`; nothing connects at import time.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from actions.config import get_settings

metadata = sa.MetaData()
T = TypeVar("T")

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def get_engine(url: str | None = None) -> Engine:
    """Return a (cached) engine for ``url`` (default: ``DATABASE_URL``) with all tables created."""
    url = url or get_settings().database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite:///"):
                path = url[len("sqlite:///") :]
                if path and path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                engine = sa.create_engine(url, future=True, connect_args={"check_same_thread": False})
            else:
                engine = sa.create_engine(url, future=True, pool_pre_ping=True)
            _import_table_modules()
            metadata.create_all(engine)
            add_missing_columns(engine)
            _engines[url] = engine
    return engine


def add_missing_columns(engine: Engine) -> list[str]:
    """Add columns a table of :data:`metadata` has gained since the database was made.

    ``create_all`` creates missing tables only. A column added later (e.g. ``municipality``,
    issue 18) is added with ``ALTER TABLE ... ADD COLUMN`` as a nullable column without default.

    Returns:
        ``table.column`` of every column added.
    """
    inspector = sa.inspect(engine)
    added: list[str] = []
    for table in metadata.sorted_tables:
        if not inspector.has_table(table.name, schema=table.schema):
            continue
        present = {column["name"] for column in inspector.get_columns(table.name, schema=table.schema)}
        for column in table.columns:
            if column.name in present:
                continue
            kind = column.type.compile(dialect=engine.dialect)
            with engine.begin() as conn:
                conn.execute(sa.text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))
            added.append(f"{table.name}.{column.name}")
    return added


def _import_table_modules() -> None:
    """Import the modules that define tables, so ``create_all`` knows every table."""
    import importlib

    for name in TABLE_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # pragma: no cover - a module not present in this deployment
            continue


#: Modules that define tables on :data:`metadata`.
TABLE_MODULES: list[str] = [
    "channels.whatsapp_store",
    "privacy.processing_log",
    "actions.outbox",
    "actions.tickets",
    "signals.store",
    "actions.verification",
]


def dispose_engines() -> None:
    """Close all engines (tests)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


async def run_db(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking database work ``fn(*args)`` in a worker thread."""
    return await asyncio.to_thread(fn, *args)
