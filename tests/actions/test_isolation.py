"""Isolation between municipalities (issue 18): tickets, the employee tool and the processing log."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from actions import employee, municipality, tickets
from app import employee as employee_cli
from foundation.db import get_engine
from privacy import processing_log


def new_ticket(sender: str, summary: str) -> tickets.NewTicket:
    return tickets.NewTicket(sender_id=sender, channel="rest", summary=summary, contact_preference="chat")


@pytest.fixture
def two_tickets(sqlite_db: str) -> dict[str, str]:
    with municipality.use("proefdorp"):
        proefdorp, _ = tickets.create_handoff_ticket(new_ticket("p1", "Vraag over de kermis"))
    with municipality.use("lindeoord"):
        lindeoord, _ = tickets.create_handoff_ticket(new_ticket("l1", "Vraag over de haven"))
    return {"proefdorp": proefdorp, "lindeoord": lindeoord}


def test_a_ticket_carries_the_municipality_of_its_conversation(two_tickets: dict[str, str]) -> None:
    assert tickets.get_ticket(two_tickets["proefdorp"]).municipality == "proefdorp"
    assert tickets.get_ticket(two_tickets["lindeoord"]).municipality == "lindeoord"
    payload = tickets.handoff_payload("T-1", new_ticket("x", "y"))
    assert payload["municipality"] == "voorbeeldstad"


def test_a_ticket_of_one_municipality_is_invisible_to_the_other(two_tickets: dict[str, str]) -> None:
    seen = [t.reference for t in tickets.list_tickets(municipality="proefdorp")]
    assert seen == [two_tickets["proefdorp"]]
    assert tickets.get_ticket(two_tickets["lindeoord"], municipality="proefdorp") is None
    assert employee.open_count("proefdorp") == 1


async def test_an_employee_cannot_answer_or_close_another_municipalitys_ticket(
    two_tickets: dict[str, str],
) -> None:
    with pytest.raises(employee.TicketError, match="not found"):
        await employee.answer_ticket(two_tickets["lindeoord"], "Antwoord", municipality="proefdorp")
    with pytest.raises(employee.TicketError, match="not found"):
        employee.close_ticket(two_tickets["lindeoord"], municipality="proefdorp")
    assert tickets.get_ticket(two_tickets["lindeoord"]).status == tickets.OPEN


def test_the_employee_cli_lists_only_its_municipality(
    two_tickets: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert employee_cli.main(["--gemeente", "lindeoord", "list"]) == 0
    out = capsys.readouterr().out
    assert two_tickets["lindeoord"] in out and two_tickets["proefdorp"] not in out
    assert employee_cli.main(["--gemeente", "lindeoord", "show", two_tickets["proefdorp"]]) == 1
    assert employee_cli.main(["--gemeente", "atlantis", "list"]) == 2  # unknown municipality: usage error


def log(name: str) -> int:
    with municipality.use(name):
        return processing_log.log_processing(
            "BRP raadplegen", "paspoort aanvragen", ["adres"], "AVG art. 6 lid 1 sub e", "999993653"
        )


def test_the_processing_log_records_and_filters_by_municipality(sqlite_db: str) -> None:
    log("proefdorp")
    log("lindeoord")
    records = processing_log.query(resident_bsn="999993653", municipality="lindeoord")
    assert [r.municipality for r in records] == ["lindeoord"]
    assert {r.municipality for r in processing_log.query()} == {"proefdorp", "lindeoord"}


def test_an_existing_database_gets_the_new_columns(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A var/assistant.db made before issue 18 has no municipality columns: they are added."""
    from foundation import db
    from foundation.settings import get_settings

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE handoff_tickets (id INTEGER PRIMARY KEY, reference VARCHAR(20))"))
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    db.dispose_engines()
    try:
        columns = {c["name"] for c in sa.inspect(get_engine()).get_columns("handoff_tickets")}
        assert "municipality" in columns
    finally:
        db.dispose_engines()
        get_settings.cache_clear()
