"""SQLite databases use write-ahead logging (issue 16)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from foundation import db, sqlite


def _pragmas(engine: sa.engine.Engine) -> tuple[str, int, int]:
    with engine.connect() as connection:
        return (
            connection.exec_driver_sql("PRAGMA journal_mode").scalar(),
            connection.exec_driver_sql("PRAGMA synchronous").scalar(),
            connection.exec_driver_sql("PRAGMA busy_timeout").scalar(),
        )


def test_the_engine_factory_sets_wal_normal_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = db.create_engine(f"sqlite:///{tmp_path / 'a.db'}")
    assert _pragmas(engine) == ("wal", 1, sqlite.BUSY_TIMEOUT_MS)


def test_a_plain_engine_is_left_alone_until_enabled(tmp_path: Path) -> None:
    plain = sa.create_engine(f"sqlite:///{tmp_path / 'b.db'}")
    assert _pragmas(plain)[0] == "delete"
    other = sqlite.enable_wal(sa.create_engine(f"sqlite:///{tmp_path / 'c.db'}"))
    assert _pragmas(other) == ("wal", 1, sqlite.BUSY_TIMEOUT_MS)


def test_a_reader_is_not_blocked_by_an_open_write(tmp_path: Path) -> None:
    engine = db.create_engine(f"sqlite:///{tmp_path / 'd.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    writer = engine.connect()
    transaction = writer.begin()
    writer.exec_driver_sql("INSERT INTO t VALUES (2)")
    try:
        reader = db.create_engine(f"sqlite:///{tmp_path / 'd.db'}")
        with reader.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
    finally:
        transaction.rollback()
        writer.close()
