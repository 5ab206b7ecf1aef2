"""The "forget me" flow: registry (privacy/forget.py) and actions (actions/forget_me.py)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from rasa_sdk.events import Restarted

from actions.forget_me import ActionForgetMe, ActionForgetMeConfirm
from app import registry
from foundation.db import get_engine
from privacy import forget as forget_registry
from privacy import tracker_db
from privacy.forget import ForgetRequest, forget, register_forget_hook, table_deleter, unregister_forget_hook


def _store_conversations(url: str, senders: dict[str, int]) -> sa.engine.Engine:
    engine = tracker_db.get_tracker_engine(url)
    tracker_db._metadata.create_all(engine)
    with engine.begin() as connection:
        for sender_id, count in senders.items():
            for _ in range(count):
                connection.execute(
                    sa.insert(tracker_db.events).values(
                        sender_id=sender_id, type_name="user", timestamp=time.time(), data="{}"
                    )
                )
    return engine


def _count(engine: sa.engine.Engine, sender_id: str) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count())
            .select_from(tracker_db.events)
            .where(tracker_db.events.c.sender_id == sender_id)
        ).scalar()


@pytest.fixture
def consents_table(privacy_env):
    """A feature table as another module might define it, with a registered forget hook."""
    engine = get_engine()
    table = sa.Table(
        "test_forget_consents",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255)),
    )
    table.create(engine)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(table), [{"sender_id": "resident"}, {"sender_id": "resident"}, {"sender_id": "x"}]
        )
    register_forget_hook("test_forget_consents", table_deleter("test_forget_consents", "sender_id"))
    yield table
    unregister_forget_hook("test_forget_consents")


def _rows(table: sa.Table, sender_id: str) -> int:
    with get_engine().connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(table).where(table.c.sender_id == sender_id)
        ).scalar()


async def test_confirm_asks_with_buttons(make_tracker, dispatcher):
    events = await ActionForgetMeConfirm().run(dispatcher, make_tracker(intent="forget_me"), {})
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_forget_me"]


async def test_forget_me_deletes_the_conversation_and_registered_data(
    privacy_env, consents_table, make_tracker, dispatcher
):
    engine = _store_conversations(privacy_env["TRACKER_DB_URL"], {"resident": 7, "other": 3})
    tracker = make_tracker(intent="affirm", text="ja", sender_id="resident")

    events = await ActionForgetMe().run(dispatcher, tracker, {})

    assert events == [Restarted()]
    assert [m["response"] for m in dispatcher.messages] == ["utter_forgotten"]
    assert _count(engine, "resident") == 0
    assert _count(engine, "other") == 3
    assert _rows(consents_table, "resident") == 0
    assert _rows(consents_table, "x") == 1


async def test_forget_me_without_affirm_deletes_nothing(privacy_env, make_tracker, dispatcher):
    engine = _store_conversations(privacy_env["TRACKER_DB_URL"], {"resident": 4})
    tracker = make_tracker(intent="deny", text="nee", sender_id="resident")
    events = await ActionForgetMe().run(dispatcher, tracker, {})
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_forget_me_cancelled"]
    assert _count(engine, "resident") == 4


async def test_a_failing_hook_is_reported_and_the_rest_still_runs(privacy_env, make_tracker, dispatcher):
    engine = _store_conversations(privacy_env["TRACKER_DB_URL"], {"resident": 2})

    def broken(request: ForgetRequest) -> int:
        raise RuntimeError("table locked")

    register_forget_hook("broken", broken)
    try:
        events = await ActionForgetMe().run(
            dispatcher, make_tracker(intent="affirm", sender_id="resident"), {}
        )
    finally:
        unregister_forget_hook("broken")
    assert events == [Restarted()]
    assert [m["response"] for m in dispatcher.messages] == ["utter_forget_me_failed"]
    assert _count(engine, "resident") == 0


def test_forget_report_and_hooks_by_bsn(privacy_env):
    seen: list[ForgetRequest] = []

    @register_forget_hook("by_bsn")
    def hook(request: ForgetRequest) -> int:
        seen.append(request)
        return 1

    try:
        report = forget(ForgetRequest("nobody", resident_bsn="999993653"))
    finally:
        unregister_forget_hook("by_bsn")
    assert report.complete
    assert report.deleted["tracker"] == 0
    assert report.deleted["by_bsn"] == 1
    assert "signal_consents" in report.deleted  # registered by app/registry.py
    assert seen == [ForgetRequest("nobody", "999993653")]


def test_table_deleter_ignores_a_missing_table(privacy_env):
    assert table_deleter("no_such_table", "sender_id")(ForgetRequest("x")) == 0
    assert table_deleter("no_such_table", "bsn", by="resident_bsn")(ForgetRequest("x")) == 0


def test_the_composition_root_registers_every_hook(privacy_env):
    assert set(registry.FORGET_HOOKS) <= set(forget_registry.registered_hooks())
    assert "tracker" in forget(ForgetRequest("x")).deleted
