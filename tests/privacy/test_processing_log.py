"""Processing log (privacy/processing_log.py) and the audit command (privacy/audit.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from foundation.db import get_engine
from privacy import audit
from privacy.processing_log import (
    DEFAULT_ACTOR,
    alog_processing,
    log_processing,
    pseudonymise_bsn,
    purge_processing_log,
    query,
)

BSN = "999993653"
OTHER_BSN = "123456782"


def _raw_rows() -> list[tuple]:
    with get_engine().connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text("SELECT * FROM processing_log"))]


def test_lookup_is_logged_without_bsn_or_values(privacy_env):
    entry_id = log_processing(
        "BRP raadplegen",
        "paspoort aanvragen",
        ["geboortedatum", "adres", "reisdocument"],
        "AVG art. 6 lid 1 sub e; Paspoortwet",
        resident_bsn=BSN,
        system="BRP",
    )
    rows = _raw_rows()
    assert len(rows) == 1
    assert BSN not in " ".join(str(value) for value in rows[0])
    (record,) = query(resident_bsn=BSN)
    assert record.id == entry_id
    assert record.activity == "BRP raadplegen"
    assert record.purpose == "paspoort aanvragen"
    assert record.data_categories == ("geboortedatum", "adres", "reisdocument")
    assert record.actor == DEFAULT_ACTOR
    assert record.system == "BRP"
    assert record.subject_pseudonym == pseudonymise_bsn(BSN)
    assert record.time.tzinfo is not None


def test_pseudonym_is_a_keyed_hmac_of_the_compact_bsn(privacy_env):
    pseudonym = pseudonymise_bsn(BSN)
    assert len(pseudonym) == 64 and BSN not in pseudonym
    assert pseudonymise_bsn("9999.93.653") == pseudonym
    assert pseudonymise_bsn(BSN, key="another-key") != pseudonym
    assert pseudonymise_bsn(OTHER_BSN) != pseudonym


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data_categories": [BSN]},
        {"data_categories": ["e-mail jan@example.nl"]},
        {"data_categories": []},
        {"activity": f"BRP raadplegen voor {BSN}"},
        {"purpose": ""},
        {"data_categories": ["adres,geboortedatum"]},
    ],
)
def test_values_in_the_descriptive_fields_are_refused(privacy_env, kwargs):
    arguments = {
        "activity": "BRP raadplegen",
        "purpose": "paspoort aanvragen",
        "data_categories": ["adres"],
        "legal_basis": "AVG art. 6 lid 1 sub e",
    }
    arguments.update(kwargs)
    with pytest.raises(ValueError):
        log_processing(**arguments)
    assert query() == []


async def test_async_wrapper_logs_each_lookup(privacy_env):
    for activity in ("BRP raadplegen", "Reisdocumenten raadplegen"):
        await alog_processing(
            activity, "paspoort aanvragen", ["reisdocument"], "Paspoortwet", resident_bsn=BSN
        )
    await alog_processing(
        "BRP raadplegen", "verhuizing doorgeven", ["adres"], "Wet BRP", resident_bsn=OTHER_BSN
    )
    assert [r.activity for r in query(resident_bsn=BSN)] == ["BRP raadplegen", "Reisdocumenten raadplegen"]
    assert len(query()) == 3


def test_query_filters_by_time_and_purpose(privacy_env):
    now = datetime.now(timezone.utc)
    log_processing(
        "BRP raadplegen", "paspoort aanvragen", ["adres"], "Paspoortwet", BSN, now=now - timedelta(days=10)
    )
    log_processing(
        "BRP raadplegen", "verhuizing doorgeven", ["adres"], "Wet BRP", BSN, now=now - timedelta(days=1)
    )
    log_processing(
        "Zaak aanmaken", "melding openbare ruimte", ["locatie"], "AVG art. 6 lid 1 sub e", None, now=now
    )
    assert [r.purpose for r in query(since=now - timedelta(days=2))] == [
        "verhuizing doorgeven",
        "melding openbare ruimte",
    ]
    assert [r.purpose for r in query(purpose="paspoort aanvragen")] == ["paspoort aanvragen"]
    assert [r.purpose for r in query(resident_bsn=BSN, since=now - timedelta(days=2))] == [
        "verhuizing doorgeven"
    ]
    assert query(resident_bsn=OTHER_BSN) == []


def test_purge_processing_log_keeps_recent_entries(privacy_env):
    now = datetime.now(timezone.utc)
    log_processing(
        "BRP raadplegen", "paspoort aanvragen", ["adres"], "Paspoortwet", BSN, now=now - timedelta(days=400)
    )
    log_processing(
        "BRP raadplegen", "paspoort aanvragen", ["adres"], "Paspoortwet", BSN, now=now - timedelta(days=30)
    )
    assert purge_processing_log(365, now=now, dry_run=True) == 1
    assert len(query()) == 2
    assert purge_processing_log(now=now) == 1  # default retention: 365 days
    assert len(query()) == 1


def test_audit_command_prints_the_entries_of_one_resident(privacy_env, capsys):
    log_processing(
        "BRP raadplegen", "paspoort aanvragen", ["geboortedatum"], "Paspoortwet", BSN, system="BRP"
    )
    log_processing("BRP raadplegen", "verhuizing doorgeven", ["adres"], "Wet BRP", OTHER_BSN)
    assert audit.main(["--bsn", BSN, "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["purpose"] == "paspoort aanvragen" and entry["data_categories"] == ["geboortedatum"]
    assert BSN not in lines[0]

    assert audit.main(["--bsn", BSN]) == 0
    out = capsys.readouterr().out
    assert "BRP raadplegen" in out and "verhuizing" not in out


@pytest.mark.postgres
def test_processing_log_on_postgresql(privacy_env, pg_database):
    from foundation.db import metadata

    engine = sa.create_engine(pg_database["url"], future=True)
    try:
        metadata.create_all(engine, tables=[metadata.tables["processing_log"]])
        now = datetime.now(timezone.utc)
        log_processing(
            "BRP raadplegen", "paspoort aanvragen", ["adres"], "Paspoortwet", BSN, engine=engine, now=now
        )
        log_processing(
            "BRP raadplegen",
            "paspoort aanvragen",
            ["adres"],
            "Paspoortwet",
            BSN,
            engine=engine,
            now=now - timedelta(days=400),
        )
        assert [r.time for r in query(resident_bsn=BSN, engine=engine, since=now - timedelta(days=1))] == [
            now
        ]
        with engine.connect() as connection:
            raw = " ".join(
                str(v) for row in connection.execute(sa.text("SELECT * FROM processing_log")) for v in row
            )
        assert BSN not in raw
        assert purge_processing_log(365, engine=engine, now=now) == 1
        assert len(query(engine=engine)) == 1
    finally:
        engine.dispose()
