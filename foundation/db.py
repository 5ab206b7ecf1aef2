"""Database access: the one engine factory, the shared table metadata and ``run_db``.

SQLite by default (``var/assistant.db``), PostgreSQL in production via ``DATABASE_URL``. Feature
modules define their tables on :data:`metadata`; the composition root (``app/registry.py``) imports
every one of them, so a process that imports it knows every table. Nothing connects at import time.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from foundation import sqlite
from foundation.settings import get_settings

metadata = sa.MetaData()
T = TypeVar("T")

_engines: dict[str, Engine] = {}
#: Per cached engine: the tables of :data:`metadata` already created in its database.
_created: dict[str, frozenset[str]] = {}
_lock = threading.Lock()


def create_engine(url: str) -> Engine:
    """THE engine factory: an engine for ``url`` (no tables created).

    SQLite: the file's directory is created, connections may cross threads (``run_db``), use
    write-ahead logging (:mod:`foundation.sqlite`) and an in-memory database keeps one connection
    (``StaticPool``); anything else: ``pool_pre_ping``.
    """
    if url.startswith("sqlite"):
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        pool = {"poolclass": StaticPool} if path in ("", ":memory:") else {}
        engine = sa.create_engine(url, future=True, connect_args={"check_same_thread": False}, **pool)
        return sqlite.enable_wal(engine)
    return sa.create_engine(url, future=True, pool_pre_ping=True)


def cached_engine(url: str, cache: dict[str, Engine], lock: threading.Lock) -> Engine:
    """The engine of ``url`` from ``cache`` (made with :func:`create_engine` on first use)."""
    with lock:
        engine = cache.get(url)
        if engine is None:
            engine = cache[url] = create_engine(url)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """Return a (cached) engine for ``url`` (default: ``DATABASE_URL``) with all known tables created.

    A table defined on :data:`metadata` after the engine was made is created on the next call.
    """
    url = url or get_settings().database_url
    engine = cached_engine(url, _engines, _lock)
    with _lock:
        known = frozenset(metadata.tables)
        if _created.get(url) != known:
            metadata.create_all(engine)
            add_missing_columns(engine)
            _created[url] = known
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


def dispose_engines() -> None:
    """Close all engines (tests)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _created.clear()


async def run_db(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking database work ``fn(*args)`` in a worker thread."""
    return await asyncio.to_thread(fn, *args)
