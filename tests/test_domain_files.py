"""The domain directory (domain/<topic>.yml) is consistent: valid files, nothing defined twice.

Rasa merges the files of ``--domain domain`` silently: an intent, slot or response defined in two
files is taken from one of them without a warning, so these checks are ours.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.shared.core.constants import DEFAULT_ACTION_NAMES, DEFAULT_INTENTS
from rasa.shared.core.domain import Domain

from foundation.domain import (
    DOMAIN_DIR,
    LIST_SECTIONS,
    MAP_SECTIONS,
    domain_files,
    duplicates,
    names,
    read_file,
)

ROOT = Path(__file__).resolve().parents[1]
FILES = domain_files(DOMAIN_DIR)
#: What a topic file may hold (Rasa's domain keys that this project uses).
KEYS = {"version", "session_config", *LIST_SECTIONS, *MAP_SECTIONS}
RASA_ACTIONS = set(DEFAULT_ACTION_NAMES)
#: Quoted utter_* strings in code that are not response names.
NOT_RESPONSES = {"utter_action"}  # the metadata key of Rasa's utter events (actions/signals.py)
RESPONSE_REF = re.compile(r"""["'](utter_[a-z0-9_]+)["']""")


def test_the_domain_is_a_directory_of_topic_files() -> None:
    assert not (ROOT / "domain.yml").exists(), "the domain is domain/, not domain.yml"
    assert len(FILES) >= 10
    assert [p.parent for p in FILES] == [DOMAIN_DIR] * len(FILES), "no subfolders: one file per topic"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_topic_file_is_a_valid_domain_file_of_its_own(path: Path) -> None:
    data = read_file(path)
    assert data.get("version") == "3.1"
    assert set(data) <= KEYS, set(data) - KEYS
    assert Domain.is_domain_file(str(path))
    Domain.from_file(str(path))  # Rasa's own validation of one file


def test_no_item_is_defined_in_two_files() -> None:
    assert duplicates() == []


def test_duplicates_are_found_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        'version: "3.1"\nintents: [greet]\nresponses:\n  utter_x:\n    - text: "A"\n', encoding="utf-8"
    )
    (tmp_path / "b.yml").write_text(
        'version: "3.1"\nintents: [greet, thank]\nresponses:\n  utter_x:\n    - text: "B"\n', encoding="utf-8"
    )
    assert duplicates(tmp_path) == ["intents greet: a.yml, b.yml", "responses utter_x: a.yml, b.yml"]


def test_the_one_reader_sees_what_rasa_sees(domain_dict: dict[str, Any], rasa_domain: Domain) -> None:
    defaults = set(DEFAULT_INTENTS)
    assert set(names(domain_dict, "intents")) - defaults == set(rasa_domain.intents) - defaults
    assert set(names(domain_dict, "entities")) == set(rasa_domain.entities)
    assert set(domain_dict["slots"]) == {s.name for s in rasa_domain.slots} - {
        "requested_slot",
        "session_started_metadata",
    }
    assert set(domain_dict["forms"]) == set(rasa_domain.form_names)
    assert set(domain_dict["responses"]) == set(rasa_domain.responses)
    assert set(domain_dict["actions"]) == set(rasa_domain.user_actions) - set(rasa_domain.responses)
    assert (
        domain_dict["session_config"]["session_expiration_time"]
        == rasa_domain.session_config.session_expiration_time
    )


def _steps(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = []
    for item in [*(data.get("rules") or []), *(data.get("stories") or [])]:
        for step in [*(item.get("steps") or []), *(item.get("condition") or [])]:
            if isinstance(step, dict) and isinstance(step.get("action"), str):
                found.append(step["action"])
    return found


def test_every_response_used_by_a_rule_story_or_action_exists(domain_dict: dict[str, Any]) -> None:
    responses = set(domain_dict["responses"])
    forms = set(domain_dict["forms"])
    actions = set(domain_dict["actions"])
    missing = []
    for path in sorted([*(ROOT / "data").rglob("*.yml"), *(ROOT / "tests/stories").rglob("*.yml")]):
        for action in _steps(path):
            if action.startswith("utter_"):
                known = action in responses
            elif action.startswith(("action_", "validate_")):
                known = action in actions or action in RASA_ACTIONS
            else:
                known = action in forms
            if not known:
                missing.append(f"{path.relative_to(ROOT)}: {action}")
    for folder in ("actions", "channels", "components", "privacy", "signals"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for name in RESPONSE_REF.findall(path.read_text(encoding="utf-8")):
                if name not in responses and name not in NOT_RESPONSES and not name.endswith("_"):
                    missing.append(f"{path.relative_to(ROOT)}: {name}")
    assert missing == []


def test_every_form_slot_is_declared_in_the_domain(domain_dict: dict[str, Any]) -> None:
    for form, spec in domain_dict["forms"].items():
        for slot in spec["required_slots"]:
            assert slot in domain_dict["slots"], (form, slot)
