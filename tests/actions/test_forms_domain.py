"""Every form's slot tuples against the domain directory (one form framework, one bookkeeping slot family)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import actions
from actions.forms import BOOKKEEPING_SLOTS, CHANGE_SLOT, FormValidation
from tests.actions.flows_support import domain


def _validators() -> list[type[FormValidation]]:
    found: dict[str, type[FormValidation]] = {}
    for module in pkgutil.walk_packages(actions.__path__, "actions."):
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            try:
                if not issubclass(cls, FormValidation):
                    continue
            except TypeError:  # a generic alias such as list[dict]
                continue
            if not inspect.isabstract(cls) and cls.slots:
                found[cls.__qualname__] = cls
    return list(found.values())


VALIDATORS = _validators()


def test_every_form_of_the_domain_has_a_framework_validator() -> None:
    names = {cls().form_name() for cls in VALIDATORS}
    assert names == set(domain()["forms"])


@pytest.mark.parametrize("cls", VALIDATORS, ids=lambda cls: cls.__name__)
def test_slot_tuples_match_the_domain(cls: type[FormValidation]) -> None:
    validator = cls()
    form = domain()["forms"][validator.form_name()]
    slots = domain()["slots"]
    responses = domain()["responses"]
    assert list(validator.slots) == form["required_slots"]
    for slot in (*validator.slots, *validator.extra_slots, *BOOKKEEPING_SLOTS):
        assert slot in slots, f"{slot} of {cls.__name__} is not a slot in domain/"
    for slot in validator.free_text_slots | validator.unknown_slots:
        assert slot in slots
    if validator.confirm_slot:
        assert validator.confirm_slot in validator.slots
    for _, named in validator.change_words:
        assert set(named) <= set(slots)
    assert validator.offer_human_response in responses
    prefix = f"utter_{validator.response_prefix}_dont_know_"
    for name in responses:
        if name.startswith(prefix):
            assert name.removeprefix(prefix) in slots


def test_the_shared_form_responses_exist() -> None:
    responses = domain()["responses"]
    for name in (
        "utter_form_answer_changed",
        "utter_form_return",
        "utter_form_dont_know",
        f"utter_ask_{CHANGE_SLOT}",
        "utter_form_invalid_change",
        "utter_form_offer_human",
    ):
        assert name in responses


def test_the_old_form_bases_and_their_slots_are_gone() -> None:
    old = re.compile(
        r"^(permit_invalid_\w+|permit_handoff|flow_stopped|handoff_invalid_count|handoff_gave_up)$"
    )
    assert not [slot for slot in domain()["slots"] if old.match(slot)]
    for module in ("actions.permit_form", "actions.flow_form"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(module)
