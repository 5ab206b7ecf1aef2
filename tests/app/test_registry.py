"""The composition root names every table, outbox handler and hook (app/registry.py)."""

from __future__ import annotations

import importlib
import pkgutil

from app import registry
from foundation import outbox
from foundation.db import metadata
from privacy.forget import registered_hooks
from privacy.retention import retention_hooks

FEATURE_PACKAGES = ("actions", "channels", "privacy", "signals")


def _import_every_feature_module() -> None:
    for name in FEATURE_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            importlib.import_module(module.name)


def test_every_table_of_the_assistant_database_is_registered() -> None:
    _import_every_feature_module()
    registered = {table.name for tables in registry.TABLES.values() for table in tables}
    assert set(metadata.tables) == registered


def test_handlers_and_hooks_are_registered_after_register() -> None:
    registry.register()
    for kind, handler in registry.OUTBOX_HANDLERS.items():
        assert outbox.get_handler(kind) is handler
    assert set(registry.FORGET_HOOKS) <= set(registered_hooks())
    assert set(registry.RETENTION_HOOKS) == set(retention_hooks())
