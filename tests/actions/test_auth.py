"""Portal token verification: signature, expiry, audience, level, BSN 11-check; never a slot."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from actions import auth
from tests.conftest import TrackerFactory

SECRET = "portal-secret-for-the-tests-32-bytes!"
BSN = "999993653"


def token(**overrides: Any) -> str:
    now = int(time.time())
    claims = {"sub": BSN, "aud": auth.AUDIENCE, "iat": now, "exp": now + 600, "acr": "midden"}
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, SECRET, algorithm="HS256")


def test_valid_token_gives_the_bsn() -> None:
    assert auth.verify_token(token(), SECRET) == BSN


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda: token(exp=int(time.time()) - 120), id="expired"),
        pytest.param(lambda: token(aud="other-app"), id="wrong audience"),
        pytest.param(lambda: token(aud=None), id="no audience"),
        pytest.param(lambda: token(iat=None), id="no iat"),
        pytest.param(lambda: token(sub="123456789"), id="bsn fails 11-check"),
        pytest.param(lambda: token(acr="basis"), id="level too low"),
        pytest.param(lambda: token(acr=None), id="no level"),
        pytest.param(lambda: token(exp=int(time.time()) + 3 * 3600), id="too long-lived"),
        pytest.param(
            lambda: jwt.encode({"sub": BSN}, "another-secret-of-32-bytes-length!!", algorithm="HS256"),
            id="wrong signature",
        ),
        pytest.param(lambda: token()[:-4] + "abcd", id="tampered"),
        pytest.param(lambda: "not-a-token", id="garbage"),
    ],
)
def test_invalid_tokens_are_refused(bad: Any) -> None:
    assert auth.verify_token(bad(), SECRET) is None


def test_none_algorithm_is_refused() -> None:
    unsigned = jwt.encode({"sub": BSN, "aud": auth.AUDIENCE, "iat": 1, "exp": 2**31}, None, algorithm="none")
    assert auth.verify_token(unsigned, SECRET) is None


def test_higher_level_passes_a_lower_minimum_and_urn_levels_work() -> None:
    assert auth.verify_token(token(acr="urn:etoegang:core:assurance-class:loa3"), SECRET) == BSN
    assert auth.verify_token(token(acr="midden"), SECRET, min_level="substantieel") is None


def test_verified_bsn_reads_the_message_metadata(
    make_tracker: TrackerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_TOKEN_SECRET", SECRET)
    from foundation.settings import get_settings

    get_settings.cache_clear()
    try:
        message = {
            "text": "mijn zaken",
            "intent": {"name": "case_status"},
            "entities": [],
            "metadata": {"auth_token": token()},
        }
        assert auth.verified_bsn(make_tracker(latest_message=message)) == BSN
        whatsapp = {"text": "mijn zaken", "intent": {"name": "case_status"}, "entities": [], "metadata": {}}
        assert auth.verified_bsn(make_tracker(latest_message=whatsapp)) is None
        earlier = [{"event": "user", "text": "hoi", "metadata": {"auth_token": token()}}]
        assert auth.verified_bsn(make_tracker(latest_message=whatsapp, events=earlier)) == BSN
        expired = {**message, "metadata": {"auth_token": token(exp=int(time.time()) - 300)}}
        assert auth.verified_bsn(make_tracker(latest_message=expired)) is None
    finally:
        get_settings.cache_clear()


def test_issue_helper_round_trips(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_TOKEN_SECRET", SECRET)
    from foundation.settings import get_settings

    get_settings.cache_clear()
    try:
        assert auth.main(["issue", "--bsn", BSN]) == 0
        printed = capsys.readouterr().out.strip()
        assert auth.verify_token(printed) == BSN
        with pytest.raises(SystemExit):
            auth.main(["issue", "--bsn", "123456789"])
    finally:
        get_settings.cache_clear()


def test_no_bsn_slot_in_the_domain(domain_dict: dict) -> None:
    slots = domain_dict["slots"]
    assert not [name for name in slots if "bsn" in name.lower()]


def test_a_token_lives_15_minutes_at_most() -> None:
    """Issue 13: the portal token must be short-lived (it can be replayed for its lifetime)."""
    now = int(time.time())
    assert auth.verify_token(token(iat=now, exp=now + 15 * 60), SECRET) == BSN
    assert auth.verify_token(token(iat=now, exp=now + 30 * 60), SECRET) is None


def test_a_token_bound_to_one_conversation_is_refused_in_another(
    make_tracker: TrackerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_TOKEN_SECRET", SECRET)
    from foundation.settings import get_settings

    get_settings.cache_clear()
    try:
        bound = auth.issue_token(BSN, secret=SECRET, conversation_id="web:abc")
        message = {"text": "mijn zaken", "intent": {"name": "case_status"}, "entities": []}
        own = make_tracker(latest_message={**message, "metadata": {"auth_token": bound}}, sender_id="web:abc")
        other = make_tracker(latest_message={**message, "metadata": {"auth_token": bound}}, sender_id="web:x")
        assert auth.verified_bsn(own) == BSN
        assert auth.verified_bsn(other) is None
        monkeypatch.setenv("PORTAL_TOKEN_REQUIRE_CONVERSATION", "1")
        get_settings.cache_clear()
        unbound = auth.issue_token(BSN, secret=SECRET)
        unbound_message = {**message, "metadata": {"auth_token": unbound}}
        assert auth.verified_bsn(make_tracker(latest_message=unbound_message)) is None
    finally:
        get_settings.cache_clear()
