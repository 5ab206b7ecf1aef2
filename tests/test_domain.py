"""The domain's buttons as Rasa renders them, and the validation rule that protects them."""

from __future__ import annotations

import importlib.util
import json
import logging
import re
from pathlib import Path
from types import ModuleType

import pytest
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = re.compile(r"^/[a-z_]+(\{.*\})?$")
TEXT_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def load_validate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("validate_script", ROOT / "scripts/validate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def domain(rasa_domain: Domain) -> Domain:
    return rasa_domain


async def test_every_button_payload_reaches_the_channel_as_a_valid_intent_payload(
    domain: Domain, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    tracker = DialogueStateTracker.from_events("resident", [], slots=domain.slots)
    tracker.slots["handoff_phone"].value = "+31612345678"
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    with_buttons = [n for n, variants in domain.responses.items() if any(v.get("buttons") for v in variants)]
    assert "utter_ask_appt_product" in with_buttons
    caplog.set_level(logging.ERROR)
    for name in with_buttons:
        texts = " ".join(str(v.get("text") or "") for v in domain.responses[name])
        placeholders = {key: "x" for key in TEXT_PLACEHOLDER.findall(texts)}
        rendered = await nlg.generate(name, tracker, "rest", **placeholders)
        for button in rendered["buttons"]:
            payload = button["payload"]
            if not payload.startswith("/"):
                continue  # a button that sends its text
            match = PAYLOAD.match(payload)
            assert match, (name, payload)
            if match.group(1):
                assert isinstance(json.loads(match.group(1)), dict), (name, payload)
    logged = capsys.readouterr().err + caplog.text  # Rasa logs interpolation errors through structlog
    assert "interpolat" not in logged
    assert "+31612345678" not in logged


async def test_entity_payload_is_rendered_with_single_braces(domain: Domain) -> None:
    tracker = DialogueStateTracker.from_events("resident", [], slots=domain.slots)
    rendered = await TemplatedNaturalLanguageGenerator(domain.responses).generate(
        "utter_ask_appt_product", tracker, "rest"
    )
    assert rendered["buttons"][0]["payload"] == '/inform{"product": "paspoort"}'


def test_validation_flags_single_brace_payloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validate = load_validate()
    assert validate.check_button_payloads() == []
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain/x.yml").write_text(
        "responses:\n"
        "  utter_x:\n"
        "    - text: Kies\n"
        "      buttons:\n"
        "        - {title: Ja, payload: /affirm}\n"
        "        - {title: A, payload: '/inform{{\"product\": \"a\"}}'}\n"
        "        - {title: B, payload: '/inform{\"product\": \"b\"}'}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(validate, "ROOT", tmp_path)
    [problem] = validate.check_button_payloads()
    assert "utter_x" in problem and '"product": "b"' in problem and "domain/x.yml" in problem
