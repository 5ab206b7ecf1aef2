"""The action server can register every action, and the domain and the code agree on names."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

from rasa_sdk import Action, utils

import actions

ROOT = Path(__file__).resolve().parents[2]


def registered_actions() -> dict[str, type]:
    for module in pkgutil.walk_packages(actions.__path__, "actions."):
        importlib.import_module(module.name)
    found: dict[str, type] = {}
    for cls in utils.all_subclasses(Action):
        if cls.__module__.startswith(("rasa_sdk.", "rasa.")) or inspect.isabstract(cls):
            continue
        name = cls().name()  # an action without a name stops the action server at start-up
        assert name not in found, f"two actions named {name}: {found.get(name)} and {cls}"
        found[name] = cls
    return found


def test_every_action_has_a_unique_name_and_is_in_the_domain(domain_dict: dict) -> None:
    domain = domain_dict
    declared = set(domain.get("actions") or []) | {f"validate_{form}" for form in domain.get("forms") or {}}
    in_code = set(registered_actions())
    assert in_code - declared == set(), "actions missing from domain/"
    custom_declared = {name for name in declared if not name.startswith("utter_")}
    assert custom_declared - in_code == set(), "domain/ lists actions that do not exist"
