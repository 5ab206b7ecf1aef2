"""The one claim/lock primitive for rows that several processes may work on at once.

A row of a work table (the outbox, the signal ledger) has a ``status`` and a ``locked_until``
column. A worker *claims* a pending row for one attempt by setting ``locked_until`` in a single
conditional UPDATE; only one of two racing workers sees ``rowcount == 1``. The lock expires by
itself, so a crashed worker never blocks a row for good.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def unlocked(table: sa.Table, now: datetime) -> Any:
    """SQL condition: the row is not locked by another attempt at ``now``."""
    return sa.or_(table.c.locked_until.is_(None), table.c.locked_until < now)


def claim_row(
    engine: Engine, table: sa.Table, row_id: int, now: datetime, lock_time: timedelta, pending: str
) -> Any | None:
    """Lock row ``row_id`` of ``table`` until ``now + lock_time`` when it is ``pending`` and unlocked.

    Returns:
        The claimed row (a SQLAlchemy ``Row``), or ``None`` when it is not pending or is locked.
    """
    with engine.begin() as conn:
        claimed = conn.execute(
            table.update()
            .where(table.c.id == row_id, table.c.status == pending, unlocked(table, now))
            .values(locked_until=now + lock_time)
        ).rowcount
        if claimed != 1:
            return None
        return conn.execute(table.select().where(table.c.id == row_id)).one()
