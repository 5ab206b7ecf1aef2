"""The one Rasa HTTP API client (integrations/rasa_api.py)."""

from __future__ import annotations

import jwt
import pytest

from foundation.settings import Settings, get_settings
from integrations.rasa_api import rasa_auth


def test_rasa_auth_without_settings_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    monkeypatch.delenv("RASA_JWT_SECRET", raising=False)
    get_settings.cache_clear()
    assert rasa_auth(get_settings(), "employee-tool") == ({}, {})
    get_settings.cache_clear()


def test_rasa_auth_names_the_caller_in_the_jwt() -> None:
    settings = Settings(rasa_token="tok", rasa_jwt_secret="jwt-secret-for-tests-32-bytes-long")
    params, headers = rasa_auth(settings, "signal-engine", now=1000)
    assert params == {"token": "tok"}
    claims = jwt.decode(
        headers["Authorization"].removeprefix("Bearer "),
        "jwt-secret-for-tests-32-bytes-long",
        algorithms=["HS256"],
        options={"verify_exp": False},
    )
    assert claims == {"user": {"username": "signal-engine", "role": "admin"}, "iat": 1000, "exp": 1300}
