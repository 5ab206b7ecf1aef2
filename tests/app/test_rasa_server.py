"""The Rasa server process validates action responses with one compiled validator (issue 16)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from app import rasa_server


@pytest.fixture()
def action(monkeypatch: pytest.MonkeyPatch) -> RemoteAction:
    """A remote action with the compiled validation installed (undone after the test)."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    rasa_server.install()
    return RemoteAction("action_test", EndpointConfig("http://localhost:5055/webhook"))


VALID: dict[str, Any] = {
    "events": [{"event": "slot", "name": "permit_topic", "value": "dakkapel", "timestamp": None}],
    "responses": [{"template": "utter_greet"}, {"text": "Hallo"}],
}


def test_a_valid_response_passes(action: RemoteAction) -> None:
    assert action._validate_action_result(VALID) is True


@pytest.mark.parametrize(
    "response",
    [
        {"events": "not a list"},
        {"events": [{"event": "slot"}]},  # a slot event without a name
        {"events": [], "responses": ["not an object"]},
    ],
)
def test_an_invalid_response_raises_rasas_own_error(action: RemoteAction, response: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(response)


def test_the_schema_itself_is_checked_once_not_per_response(
    action: RemoteAction, monkeypatch: pytest.MonkeyPatch
) -> None:
    rasa_server._response_validator.cache_clear()
    checks: list[Any] = []
    validator_class = type(rasa_server._response_validator())
    rasa_server._response_validator.cache_clear()
    original = validator_class.check_schema
    monkeypatch.setattr(
        validator_class, "check_schema", classmethod(lambda cls, s: (checks.append(s), original(s))[1])
    )
    for _ in range(5):
        action._validate_action_result(VALID)
    assert len(checks) == 1


def test_install_is_idempotent(action: RemoteAction) -> None:
    first = RemoteAction._validate_action_result
    rasa_server.install()
    assert RemoteAction._validate_action_result is first
