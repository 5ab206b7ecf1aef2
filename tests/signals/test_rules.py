"""Rules as data: schema, AOW table, and each rule kind's window boundaries."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from foundation.domain import read_domain
from signals.rules import (
    ONCE,
    RULES_PATH,
    ResidentData,
    RulesError,
    aow_date,
    evaluate,
    load_aow_table,
    parse_rules,
)

ROOT = Path(__file__).resolve().parents[2]


def _raw() -> dict:
    return yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))


def _domain() -> dict:
    return read_domain()


# ---------------------------------------------------------------------------- the data files
def test_rules_file_is_valid_and_complete(rules):
    assert {r.kind for r in rules.rules} == {"aow_age", "school_leaver", "document_expiry"}
    assert rules.consent_text_version in rules.valid_consent_versions
    for rule in rules.rules:
        assert rule.source_url.startswith("https://") and rule.source_text
        assert rule.description


def test_every_message_and_button_exists_in_the_domain(rules):
    domain = _domain()
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    for rule in rules.rules:
        assert rule.message in domain["responses"], rule.message
        for button in rules.buttons(rule):
            assert button["payload"].lstrip("/") in intents, button
            assert len(button["title"]) <= 20  # WhatsApp reply buttons
        assert len(rules.buttons(rule)) <= 3  # WhatsApp: at most 3 reply buttons
    for name in ("proactive_signal",):
        assert name in intents
    assert {"signal_rule", "signal_date"} <= set(domain["entities"])


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["rules"][0].pop("source"), "source"),
        (lambda d: d["rules"][0]["applies_to"].update(kind="horoscope"), "horoscope"),
        (lambda d: d["rules"][0]["follow_up"][0].update(title="Een veel te lange knoptekst"), "long"),
        (lambda d: d["rules"][0]["when"].pop("lead_days"), "lead_days"),
        (lambda d: d["rules"][1]["when"].update({"from": "13-01"}), "13-01"),
        (lambda d: d["rules"][2]["when"].update(within_days="veel"), "veel"),
        (lambda d: d["rules"][0].update(message="utter_greet"), "utter_greet"),
    ],
)
def test_schema_rejects_broken_rules(mutate, message):
    data = copy.deepcopy(_raw())
    mutate(data)
    with pytest.raises(RulesError, match="schema"):
        parse_rules(data)


def test_duplicate_ids_and_a_reversed_window_are_rejected():
    data = copy.deepcopy(_raw())
    data["rules"].append(copy.deepcopy(data["rules"][0]))
    with pytest.raises(RulesError, match="unique"):
        parse_rules(data)
    data = copy.deepcopy(_raw())
    leaver = next(r for r in data["rules"] if r["applies_to"]["kind"] == "school_leaver")
    leaver["when"] = {"from": "05-02", "until": "02-01"}
    with pytest.raises(RulesError, match="after"):
        parse_rules(data)


def test_a_new_rule_of_an_existing_kind_needs_only_data():
    data = copy.deepcopy(_raw())
    new = copy.deepcopy(next(r for r in data["rules"] if r["id"] == "paspoort_verloopt"))
    new.update(id="paspoort_verloopt_kort", message="utter_signal_passport_expiry", when={"within_days": 30})
    data["rules"].append(new)
    rules = parse_rules(data)
    rule = rules.get("paspoort_verloopt_kort")
    today = date(2026, 11, 28)
    resident = ResidentData(documents=(("PN", today + timedelta(days=30), False),))
    assert [d.rule_id for d in evaluate(rule, resident, today)] == ["paspoort_verloopt_kort"]
    resident = ResidentData(documents=(("PN", today + timedelta(days=31), False),))
    assert evaluate(rule, resident, today) == []


# ---------------------------------------------------------------------------- AOW table
@pytest.fixture
def aow_table(rules):
    return rules.get("aow_leeftijd").aow_table


@pytest.mark.parametrize(
    "born, expected",
    [
        (date(1957, 1, 1), date(2024, 1, 1)),  # first birth date of the table: 67 years
        (date(1959, 12, 20), date(2026, 12, 20)),  # seed resident Anna: 67 years
        (date(1960, 12, 31), date(2027, 12, 31)),  # last birth date with 67 years
        (date(1961, 1, 1), date(2028, 4, 1)),  # first birth date with 67 years and 3 months
        (date(1961, 7, 14), date(2028, 10, 14)),  # seed resident Carla: 67 years and 3 months
        (date(1961, 11, 30), date(2029, 2, 28)),  # the day does not exist: last day of the month
        (date(1964, 9, 30), date(2031, 12, 30)),  # last birth date of the known table
        (date(1964, 10, 1), None),  # AOW age reached in 2032: not fixed by law yet
        (date(1970, 5, 5), None),  # unknown AOW age
        (date(1956, 12, 31), None),  # before the table: AOW age reached before 2024
    ],
)
def test_aow_date(aow_table, born, expected):
    assert aow_date(born, aow_table) == expected


@pytest.mark.parametrize(
    "old, new",
    [
        # 67 years and 3 months for people born in 1960: they reach 67 in 2027, where it is 67
        ('born_until: "1960-12-31"', 'born_until: "1959-12-31"'),
        ("months: 3}\n  - born_from", "months: 0}\n  - born_from"),
        # the known table ends too early / the unknown row starts too early
        ('born_until: "1964-09-30"', 'born_until: "1964-06-30"'),
        ('born_from: "1964-10-01"', 'born_from: "1964-07-01"'),
        # a gap between rows
        ('born_from: "1961-01-01"', 'born_from: "1961-02-01"'),
    ],
)
def test_aow_table_is_checked_against_the_reference_by_year(tmp_path, old, new):
    source = (RULES_PATH.parent / "aow_ages.yml").read_text(encoding="utf-8")
    assert source.count(old) == 1
    broken = tmp_path / "aow_ages.yml"
    broken.write_text(source.replace(old, new), encoding="utf-8")
    with pytest.raises(RulesError):
        load_aow_table(broken)


# ---------------------------------------------------------------------------- aow_age window
@pytest.mark.parametrize(
    "born, aow",
    [(date(1959, 12, 20), date(2026, 12, 20)), (date(1961, 7, 14), date(2028, 10, 14))],
)
def test_aow_window_boundaries(rules, born, aow):
    rule = rules.get("aow_leeftijd")
    lead = rule.when["lead_days"]
    resident = ResidentData(birth_date=born)
    start = aow - timedelta(days=lead)
    assert evaluate(rule, resident, start - timedelta(days=1)) == []
    due = evaluate(rule, resident, start)
    assert [(d.rule_id, d.period) for d in due] == [("aow_leeftijd", ONCE)]
    assert due[0].values == {"date": aow.strftime("%d-%m-%Y")}
    assert evaluate(rule, resident, aow - timedelta(days=1))[0].period == ONCE
    assert evaluate(rule, resident, aow) == []


def test_aow_lead_is_about_four_months(rules):
    assert 115 <= rules.get("aow_leeftijd").when["lead_days"] <= 125


def test_aow_unknown_age_never_signals(rules):
    rule = rules.get("aow_leeftijd")
    resident = ResidentData(birth_date=date(1970, 3, 1))
    for year in range(2030, 2040):
        for month in (1, 4, 7, 10):
            assert evaluate(rule, resident, date(year, month, 1)) == []
    assert evaluate(rule, ResidentData(birth_date=None), date(2026, 11, 1)) == []


# ---------------------------------------------------------------------------- school_leaver
def test_school_leaver_window_boundaries(rules):
    rule = rules.get("vervolgopleiding")
    resident = ResidentData(birth_date=date(2008, 6, 15))  # seed resident Daan: 18 in 2026
    assert evaluate(rule, resident, date(2026, 1, 31)) == []
    due = evaluate(rule, resident, date(2026, 2, 1))
    assert [(d.rule_id, d.period, d.values["date"]) for d in due] == [
        ("vervolgopleiding", "2026", "01-05-2026")
    ]
    assert evaluate(rule, resident, date(2026, 5, 1))[0].period == "2026"
    assert evaluate(rule, resident, date(2026, 5, 2)) == []


def test_school_leaver_ages(rules):
    rule = rules.get("vervolgopleiding")
    day = date(2026, 3, 1)
    assert evaluate(rule, ResidentData(birth_date=date(2009, 12, 31)), day)  # turns 17 this year
    assert evaluate(rule, ResidentData(birth_date=date(2008, 1, 1)), day)  # turns 18 this year
    assert evaluate(rule, ResidentData(birth_date=date(2010, 1, 1)), day) == []  # turns 16
    assert evaluate(rule, ResidentData(birth_date=date(2007, 12, 31)), day) == []  # turns 19
    # a new year is a new period
    assert evaluate(rule, ResidentData(birth_date=date(2008, 1, 1)), date(2025, 3, 1))[0].period == "2025"


# ---------------------------------------------------------------------------- document_expiry
def test_document_expiry_window_boundaries(rules):
    rule = rules.get("paspoort_verloopt")
    window = rule.when["within_days"]
    assert window == 120
    today = date(2026, 11, 28)

    def due(days: int) -> list:
        return evaluate(rule, ResidentData(documents=(("PN", today + timedelta(days=days), False),)), today)

    assert due(window + 1) == []
    assert [(d.rule_id, d.period) for d in due(window)] == [
        ("paspoort_verloopt", (today + timedelta(days=window)).isoformat())
    ]
    assert due(0)[0].values == {"date": today.strftime("%d-%m-%Y")}
    assert due(-1) == []  # already expired: not this signal


def test_document_expiry_kinds_lost_documents_and_renewals(rules):
    passport, id_card = rules.get("paspoort_verloopt"), rules.get("id_kaart_verloopt")
    today = date(2026, 11, 28)
    soon, later = today + timedelta(days=45), today + timedelta(days=10 * 365)
    only_id_card = ResidentData(documents=(("NI", soon, False),))
    assert evaluate(passport, only_id_card, today) == []
    assert [d.rule_id for d in evaluate(id_card, only_id_card, today)] == ["id_kaart_verloopt"]
    lost = ResidentData(documents=(("PN", soon, True),))
    assert evaluate(passport, lost, today) == []
    renewed = ResidentData(documents=(("PN", soon, False), ("PN", later, False)))
    assert evaluate(passport, renewed, today) == []


def test_a_disabled_rule_never_signals(rules):
    import dataclasses

    rule = dataclasses.replace(rules.get("paspoort_verloopt"), enabled=False)
    today = date(2026, 11, 28)
    assert evaluate(rule, ResidentData(documents=(("PN", today, False),)), today) == []
