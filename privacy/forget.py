"""The "forget me" registry: erase a resident's conversation and everything linked to it.

``action_forget_me`` calls :func:`forget`. It deletes the conversation from Rasa's tracker
database (``TRACKER_DB_URL``) and runs every registered *forget hook*: a function that deletes the
data a feature module keeps about the conversation (signal consents, contact details in tickets,
...). A feature module defines its hook as a plain function; the composition root
(``app/registry.py``) registers every hook explicitly::

    register_forget_hook("signal_consents", signals.store.forget_signal_data)

Every process that runs :func:`forget` (the action server) imports that registry first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from foundation.db import get_engine
from privacy.tracker_db import delete_conversation, get_tracker_engine

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class ForgetRequest:
    """Who is to be forgotten: the conversation, and the resident's BSN when it is known."""

    sender_id: str
    resident_bsn: str | None = None


#: A hook deletes what its module keeps about the request and returns the number of rows.
ForgetHook = Callable[[ForgetRequest], int]


@dataclass
class ForgetReport:
    """Rows deleted per source (``"tracker"`` and each hook) and the sources that failed."""

    deleted: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every source succeeded."""
        return not self.failed


_hooks: dict[str, ForgetHook] = {}
_lock = threading.Lock()


def register_forget_hook(name: str, hook: ForgetHook | None = None) -> Callable:
    """Register ``hook`` under ``name`` (again: replaces). Usable as a decorator.

    Args:
        name: the data source, e.g. ``"signal_consents"``.
        hook: the deleter; omit it to use this function as ``@register_forget_hook("name")``.
    """

    def register(function: ForgetHook) -> ForgetHook:
        with _lock:
            _hooks[name] = function
        return function

    return register(hook) if hook is not None else register


def unregister_forget_hook(name: str) -> None:
    """Remove a hook (tests)."""
    with _lock:
        _hooks.pop(name, None)


def registered_hooks() -> dict[str, ForgetHook]:
    """The registered hooks (``app/registry.py`` registers them)."""
    with _lock:
        return dict(_hooks)


def table_deleter(
    table_name: str, column: str, engine: Callable[[], Engine] | None = None, by: str = "sender_id"
) -> ForgetHook:
    """A hook that deletes the rows of ``table_name`` whose ``column`` equals the request's ``by``.

    The table is looked up when the hook runs, in the assistant database (``DATABASE_URL``) unless
    ``engine`` gives another; a table that does not exist (yet) means nothing to delete.

    Args:
        table_name: the table, e.g. ``"signal_consents"``.
        column: the column holding the conversation id (or BSN).
        engine: returns the engine to use (default ``foundation.db.get_engine``).
        by: ``"sender_id"`` or ``"resident_bsn"``: which field of the request to match.
    """

    def hook(request: ForgetRequest) -> int:
        value = getattr(request, by)
        if value is None:
            return 0
        bound = get_engine() if engine is None else engine()
        if not sa.inspect(bound).has_table(table_name):
            return 0
        table = sa.Table(table_name, sa.MetaData(), autoload_with=bound)
        with bound.begin() as connection:
            return int(connection.execute(sa.delete(table).where(table.c[column] == value)).rowcount or 0)

    return hook


def forget(request: ForgetRequest, tracker_engine: Engine | None = None) -> ForgetReport:
    """Delete the conversation and run every forget hook (blocking; use ``run_db`` from async code).

    A failing hook does not stop the others; it is logged and listed in ``report.failed``.
    """
    report = ForgetReport()
    try:
        report.deleted["tracker"] = delete_conversation(
            tracker_engine or get_tracker_engine(), request.sender_id
        )
    except Exception:
        logger.exception("forget: deleting the conversation failed")
        report.failed.append("tracker")
    for name, hook in registered_hooks().items():
        try:
            report.deleted[name] = int(hook(request) or 0)
        except Exception:
            logger.exception("forget: hook %s failed", name)
            report.failed.append(name)
    logger.info("forget: deleted %s, failed %s", report.deleted, report.failed)
    return report
