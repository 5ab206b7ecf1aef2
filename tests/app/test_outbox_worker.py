"""The outbox worker process (app/outbox_worker.py)."""

from __future__ import annotations

from app import outbox_worker


def test_cli_once_exits_cleanly(sqlite_db: str) -> None:
    assert outbox_worker.main(["--once"]) == 0
