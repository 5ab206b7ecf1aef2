"""Issue 13, "mijn gegevens": after the channel proved the conversation is the resident's, they see
what is stored about it (masked transcript, consents, tickets) and get a short-lived, single-use
download link served by the web chat server."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
import sqlalchemy as sa
from rasa_sdk.executor import CollectingDispatcher

from actions import tickets
from actions.my_data import ActionMyData, collect
from foundation.domain import read_domain
from privacy import my_data, tracker_db
from privacy.forget import ForgetRequest, registered_hooks
from signals import store as signal_store

WEB_ID = "web:" + "c3" * 16
OTHER_ID = "web:" + "d4" * 16


def domain() -> dict[str, Any]:
    return read_domain()


def store_events(url: str, sender_id: str, events: list[dict[str, Any]]) -> None:
    engine = tracker_db.get_tracker_engine(url)
    tracker_db._metadata.create_all(engine)
    with engine.begin() as connection:
        for index, event in enumerate(events):
            connection.execute(
                sa.insert(tracker_db.events).values(
                    sender_id=sender_id,
                    type_name=event["event"],
                    timestamp=time.time() + index,
                    data=json.dumps(event),
                )
            )


@pytest.fixture
def stored(privacy_env: dict[str, str]) -> dict[str, str]:
    store_events(
        privacy_env["TRACKER_DB_URL"],
        WEB_ID,
        [
            {"event": "action", "name": "action_session_start"},
            {"event": "user", "text": "mijn nummer is [TELEFOONNUMMER]"},
            {"event": "bot", "text": "Dank u. Waarmee kan ik helpen?"},
            {"event": "user", "text": '/inform{"x": 1}'},
            {"event": "user", "text": "EXTERNAL: human_reply"},
        ],
    )
    store_events(privacy_env["TRACKER_DB_URL"], OTHER_ID, [{"event": "user", "text": "van een ander"}])
    signal_store.record_consent("999990007", "socketio", WEB_ID, "v1")
    signal_store.record_consent("999990019", "socketio", OTHER_ID, "v1")
    tickets.create_handoff_ticket(
        tickets.NewTicket(sender_id=WEB_ID, channel="socketio", summary="Grofvuil", contact_preference="chat")
    )
    tickets.create_handoff_ticket(
        tickets.NewTicket(sender_id=OTHER_ID, channel="socketio", summary="Ander", contact_preference="chat")
    )
    return privacy_env


def tracker(make_tracker: Any, channel: str, sender_id: str) -> Any:
    t = make_tracker(intent="request_my_data", text="welke gegevens heeft u van mij", sender_id=sender_id)
    for event in t.events:
        if event.get("event") == "user":
            event["input_channel"] = channel
    return t


def test_the_export_holds_only_this_conversation(stored: dict[str, str]) -> None:
    export = collect(WEB_ID)
    assert [m["text"] for m in export["gesprek"]] == [
        "mijn nummer is [TELEFOONNUMMER]",
        "Dank u. Waarmee kan ik helpen?",
    ]
    assert [t["summary"] for t in export["vragen_aan_medewerker"]] == ["Grofvuil"]
    [consent] = export["aanmeldingen_berichten"]
    assert consent["actief"] is True and "999990007" not in json.dumps(export)  # the BSN is not repeated
    assert "van een ander" not in json.dumps(export) and "Ander" not in json.dumps(export)


async def test_in_the_web_chat_the_resident_sees_it_and_gets_a_link(
    stored: dict[str, str], make_tracker: Any
) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionMyData().run(dispatcher, tracker(make_tracker, "socketio", WEB_ID), domain())
    assert events == []
    names = [m["response"] for m in dispatcher.messages]
    assert names == [
        "utter_my_data_intro",
        "utter_my_data_transcript",
        "utter_my_data_consents",
        "utter_my_data_tickets",
        "utter_my_data_download",
    ]
    transcript = dispatcher.messages[1]["transcript"]
    assert "[TELEFOONNUMMER]" in transcript and "van een ander" not in transcript
    assert re.match(
        r"^http://localhost:8000/mijn-gegevens/[A-Za-z0-9_-]{40,}$", dispatcher.messages[-1]["url"]
    )
    token = dispatcher.messages[-1]["url"].rsplit("/", 1)[1]
    with sa.create_engine(stored["DATABASE_URL"]).connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM my_data_exports")).all()
    assert len(rows) == 1 and token not in str(rows)  # only a hash of the token is stored


@pytest.mark.parametrize(
    ("channel", "sender_id"),
    [
        ("rest", WEB_ID),  # REST: the client chooses the sender id, nothing is proven
        ("rest", "dev-user"),
        ("socketio", "3f2a"),  # not a server-issued web chat id
        (None, WEB_ID),  # e.g. the HTTP API without a channel
    ],
)
async def test_where_ownership_is_not_proven_nothing_is_shown(
    stored: dict[str, str], make_tracker: Any, channel: str | None, sender_id: str
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionMyData().run(dispatcher, tracker(make_tracker, channel, sender_id), domain())
    assert [m["response"] for m in dispatcher.messages] == ["utter_my_data_not_here"]
    assert my_data.count_exports() == 0


async def test_on_whatsapp_the_channel_proves_the_number(
    privacy_env: dict[str, str], make_tracker: Any
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionMyData().run(dispatcher, tracker(make_tracker, "whatsapp", "wa:" + "e5" * 16), domain())
    names = [m["response"] for m in dispatcher.messages]
    assert names[0] == "utter_my_data_intro" and names[-1] == "utter_my_data_download"
    assert "utter_my_data_no_transcript" in names and "utter_my_data_no_consents" in names


def test_a_link_works_once_and_not_after_it_expired(stored: dict[str, str]) -> None:
    token = my_data.create_export(WEB_ID, collect(WEB_ID))
    assert my_data.peek(token)  # looking does not use it up (link previews)
    first = my_data.take(token)
    assert first is not None and first["gesprek"]
    assert my_data.take(token) is None  # single use
    old = my_data.create_export(WEB_ID, {"gesprek": []}, now=time.time() - 3600)
    assert my_data.peek(old) is False and my_data.take(old) is None
    assert my_data.take("x" * 43) is None and my_data.take("") is None


def test_forget_me_and_retention_delete_exports(stored: dict[str, str]) -> None:
    my_data.create_export(WEB_ID, {"gesprek": []})
    my_data.create_export(OTHER_ID, {"gesprek": []}, now=time.time() - 3600)
    assert registered_hooks()["my_data_exports"](ForgetRequest(sender_id=WEB_ID)) == 1
    assert my_data.purge_expired() == 1
    assert my_data.count_exports() == 0
