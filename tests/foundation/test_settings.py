"""Settings from the environment (foundation/settings.py)."""

from __future__ import annotations

import pytest

from foundation.settings import LOCAL_BACKEND, STAND_IN_PATHS, Settings, stand_in_urls


def test_defaults_point_every_api_at_the_local_stand_in() -> None:
    defaults = Settings()
    assert {name: getattr(defaults, name) for name in STAND_IN_PATHS} == stand_in_urls(LOCAL_BACKEND)


def test_each_stand_in_url_is_read_from_its_upper_case_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    urls = stand_in_urls("http://127.0.0.1:18001/")
    for name, url in urls.items():
        monkeypatch.setenv(name.upper(), url)
    settings = Settings.from_env()
    assert {name: getattr(settings, name) for name in urls} == urls
    assert urls["zaken_api_url"] == "http://127.0.0.1:18001/zaken/api/v1"
