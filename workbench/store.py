"""The workbench's own database: accounts, sessions, audit trail, reviews, proposals and batches.

SQLite by default (``WORKBENCH_DB_URL``, default ``sqlite:///var/workbench.db``); any SQLAlchemy
URL works. Tables are created on first use.
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from foundation.db import create_engine

metadata = sa.MetaData()

users = sa.Table(
    "wb_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.Float, nullable=False),
)
sessions = sa.Table(
    "wb_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
audit = sa.Table(
    "wb_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)
reviews = sa.Table(
    "wb_reviews",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)
#: A proposed change: kind "example" (payload: text, intent, event_id), "rule" or "content".
proposals = sa.Table(
    "wb_proposals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # proposed, approved, rejected, committed
    sa.Column("batch_id", sa.Integer),
    sa.Column("proposed_by", sa.String(80), nullable=False),
    sa.Column("proposed_at", sa.Float, nullable=False),
    sa.Column("decided_by", sa.String(80)),
    sa.Column("decided_at", sa.Float),
)
batches = sa.Table(
    "wb_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("branch", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # queued, running, passed, failed, committed
    sa.Column("step", sa.String(200), nullable=False, default=""),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("finished_at", sa.Float),
    sa.Column("result", sa.Text, nullable=False, default="{}"),
    sa.Column("log", sa.Text, nullable=False, default=""),
)


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the tables created."""
    engine = create_engine(url)
    metadata.create_all(engine)
    return engine


def record(engine: Engine, username: str, action: str, detail: str | dict[str, Any] = "") -> None:
    """Write one line of the audit trail (who did what, when)."""
    if not isinstance(detail, str):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    with engine.begin() as connection:
        connection.execute(
            audit.insert().values(at=time.time(), username=username, action=action, detail=detail)
        )


def audit_rows(engine: Engine, limit: int = 200) -> list[Any]:
    """The newest audit lines."""
    with engine.connect() as connection:
        return list(connection.execute(sa.select(audit).order_by(audit.c.id.desc()).limit(limit)))


def reviewed_ids(engine: Engine) -> set[int]:
    """Event ids marked reviewed."""
    with engine.connect() as connection:
        return {int(row[0]) for row in connection.execute(sa.select(reviews.c.event_id))}


def mark_reviewed(engine: Engine, event_id: int, username: str) -> None:
    """Mark one inbox message reviewed (idempotent)."""
    with engine.begin() as connection:
        exists = connection.execute(
            sa.select(reviews.c.event_id).where(reviews.c.event_id == event_id)
        ).first()
        if not exists:
            connection.execute(reviews.insert().values(event_id=event_id, username=username, at=time.time()))


def add_proposal(engine: Engine, kind: str, payload: dict[str, Any], username: str) -> int:
    """Store a proposal; returns its id."""
    with engine.begin() as connection:
        result = connection.execute(
            proposals.insert().values(
                kind=kind,
                payload=json.dumps(payload, ensure_ascii=False),
                status="proposed",
                proposed_by=username,
                proposed_at=time.time(),
            )
        )
        return int(result.inserted_primary_key[0])


def list_proposals(
    engine: Engine, statuses: tuple[str, ...] | None = None, batch_id: int | None = None
) -> list[dict[str, Any]]:
    """Proposals as dicts (payload decoded), oldest first."""
    query = sa.select(proposals).order_by(proposals.c.id)
    if statuses:
        query = query.where(proposals.c.status.in_(statuses))
    if batch_id is not None:
        query = query.where(proposals.c.batch_id == batch_id)
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [{**row, "payload": json.loads(row["payload"])} for row in rows]


def set_proposal_status(
    engine: Engine, ids: list[int], status: str, username: str | None = None, batch_id: int | None = None
) -> None:
    """Change the status of proposals (and record who decided, or the batch)."""
    values: dict[str, Any] = {"status": status}
    if username:
        values.update(decided_by=username, decided_at=time.time())
    if batch_id is not None:
        values["batch_id"] = batch_id
    with engine.begin() as connection:
        connection.execute(proposals.update().where(proposals.c.id.in_(ids)).values(**values))


def create_batch(engine: Engine, branch: str, username: str) -> int:
    """A new queued batch."""
    with engine.begin() as connection:
        result = connection.execute(
            batches.insert().values(
                branch=branch,
                status="queued",
                step="in de wachtrij",
                created_by=username,
                created_at=time.time(),
                result="{}",
                log="",
            )
        )
        return int(result.inserted_primary_key[0])


def update_batch(engine: Engine, batch_id: int, **values: Any) -> None:
    """Update a batch (``result`` may be a dict)."""
    if isinstance(values.get("result"), dict):
        values["result"] = json.dumps(values["result"], ensure_ascii=False)
    with engine.begin() as connection:
        connection.execute(batches.update().where(batches.c.id == batch_id).values(**values))


def get_batch(engine: Engine, batch_id: int) -> dict[str, Any] | None:
    """One batch as a dict (``result`` decoded)."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(batches).where(batches.c.id == batch_id)).mappings().first()
    if row is None:
        return None
    return {**row, "result": json.loads(row["result"] or "{}")}


def list_batches(engine: Engine, limit: int = 50) -> list[dict[str, Any]]:
    """The newest batches."""
    with engine.connect() as connection:
        rows = (
            connection.execute(sa.select(batches).order_by(batches.c.id.desc()).limit(limit)).mappings().all()
        )
    return [{**row, "result": json.loads(row["result"] or "{}")} for row in rows]
