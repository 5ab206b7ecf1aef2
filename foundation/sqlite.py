"""SQLite connection settings for a database several processes and threads use at once.

Every SQLite connection of an engine set up here starts with:

- ``journal_mode=WAL``: readers (the purge, the employee tool, "mijn gegevens") do not block the
  writer and the writer does not block them; stored in the database file;
- ``synchronous=NORMAL``: a commit no longer waits for the disk twice; in WAL mode a power cut can
  lose the last commits but never corrupts the database;
- ``busy_timeout``: a connection that finds the database locked waits this long instead of failing.

Connections to other databases are left alone.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

#: Milliseconds a connection waits for a lock held by another connection.
BUSY_TIMEOUT_MS = 5000


def configure_connection(dbapi_connection: Any, _record: Any = None) -> None:
    """Set the pragmas above on one DB-API connection, if it is a SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def enable_wal(engine: Engine) -> Engine:
    """Configure every new connection of ``engine``; returns the engine."""
    sa.event.listen(engine, "connect", configure_connection)
    return engine

