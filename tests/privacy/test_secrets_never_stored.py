"""Issue 13, finding 3: no token or other secret metadata reaches the tracker store, at any depth."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, SlotSet, UserUttered

from actions.auth import issue_token
from foundation.domain import DOMAIN_DIR
from privacy.detect import mask
from privacy.tracker_store import MaskingTrackerStore, mask_event_dict

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(DOMAIN_DIR))


def test_jwt_shaped_strings_are_masked_anywhere_in_text() -> None:
    token = issue_token("999993653", secret="x" * 32)
    assert token not in mask(f"mijn token is {token} zie je")
    assert "[TOKEN]" in mask(f"Bearer {token}")
    assert mask("een.gewone.zin met punten") == "een.gewone.zin met punten"


def test_secret_metadata_is_removed_at_every_depth() -> None:
    token = issue_token("999993653", secret="x" * 32)
    event = {
        "event": "slot",
        "name": "session_started_metadata",
        "value": {"auth_token": token, "channel": {"access_token": "abc", "session_secret": "s3"}, "ok": 1},
    }
    stored = mask_event_dict(event)
    assert stored["value"] == {"channel": {}, "ok": 1}
    user = {
        "event": "user",
        "text": "hallo",
        "parse_data": {"metadata": {"auth_token": token}, "text": "hallo"},
        "metadata": {"nested": [{"id_token": "t", "password": "p"}]},
    }
    stored = mask_event_dict(user)
    assert stored["parse_data"]["metadata"] == {}
    assert stored["metadata"] == {"nested": [{}]}


async def test_a_first_turn_with_a_token_leaves_no_token_in_the_database(tmp_path: Path) -> None:
    token = issue_token("999993653", secret="x" * 32)
    db = tmp_path / "tracker.db"
    store = MaskingTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db))
    tracker = await store.get_or_create_tracker("web-first-turn")
    metadata = {"auth_token": token, "widget": {"token": token}}
    for event in (
        SlotSet("session_started_metadata", metadata),
        SessionStarted(metadata=metadata),
        UserUttered("hallo " + token, {"name": "greet"}, metadata=metadata),
    ):
        tracker.update(event)
    await store.save(tracker)
    store.engine.dispose()
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = " ".join(str(r) for r in conn.execute(sa.text("SELECT * FROM events")).fetchall())
    engine.dispose()
    header, payload, _ = token.split(".")
    assert payload not in rows and header not in rows
