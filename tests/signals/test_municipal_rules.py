"""Signal rules per municipality (issue 18): the national rules (signals/rules.yml) are the default;
a municipality's content file may switch a rule off or change its parameters and text (``signals``).
Each resident's signals are evaluated with the rules of the municipality of the conversation in which
they subscribed (recorded with the consent).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions import municipality
from actions.content import clear_content_cache
from actions.signals import ActionDeliverSignal
from signals import rules as signal_rules
from signals import store
from signals.engine import run
from signals.rules import RulesError, check_overrides, rules_for
from tests.signals.conftest import only
from tests.signals.test_consent import tracker
from tests.signals.test_engine import ANNA, AOW_DAY, CARLA

OFF_IN_LINDEOORD = {"lindeoord": {"aow_leeftijd": {"enabled": False}}}


@pytest.fixture
def overrides(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, dict]]:
    """The municipalities' ``signals`` sections, without touching the content files."""
    sections: dict[str, dict] = {}
    monkeypatch.setattr(signal_rules, "_overrides", [lambda name: sections.get(name) or {}])
    yield sections


def test_a_rule_switched_off_in_one_municipality_stays_on_in_another(rules, overrides) -> None:
    overrides.update(OFF_IN_LINDEOORD)
    assert rules_for("lindeoord", rules).get("aow_leeftijd").enabled is False
    assert rules_for("proefdorp", rules).get("aow_leeftijd").enabled is True
    assert rules_for(None, rules) is rules  # no municipality: the national rules


def test_parameters_and_text_can_be_overridden(rules, overrides) -> None:
    overrides["proefdorp"] = {
        "paspoort_verloopt": {
            "when": {"within_days": 60},
            "text": "Bericht van de {municipality_name}: uw paspoort verloopt op {signal_date}.",
        }
    }
    rule = rules_for("proefdorp", rules).get("paspoort_verloopt")
    assert rule.when == {"within_days": 60}
    assert rule.text and "{signal_date}" in rule.text
    assert rule.applies_to == rules.get("paspoort_verloopt").applies_to  # the rest is national
    national = rules_for("lindeoord", rules).get("paspoort_verloopt")
    assert national.when == {"within_days": 120} and national.text is None


def test_overrides_are_validated_against_the_rules_schema(rules) -> None:
    with pytest.raises(RulesError):
        rules.with_overrides({"paspoort_verloopt": {"when": {"within_days": "soon"}}})
    with pytest.raises(RulesError):  # the kind of a rule is national
        rules.with_overrides({"paspoort_verloopt": {"applies_to": {"kind": "aow_age"}}})
    assert check_overrides({"bestaat_niet": {"enabled": False}}, rules)
    assert check_overrides({"paspoort_verloopt": {"colour": "red"}}, rules)
    assert check_overrides({"aow_leeftijd": {"enabled": False}}, rules) == []


def test_the_consent_records_the_conversations_municipality() -> None:
    with municipality.use("lindeoord"):
        store.record_consent(ANNA, "socketio", "web-anna", "2026-12")
    store.record_consent(CARLA, "socketio", "web-carla", "2026-12")
    assert {c.sender_id: c.municipality for c in store.active_consents()} == {
        "web-anna": "lindeoord",
        "web-carla": "voorbeeldstad",
    }


async def test_the_engine_uses_the_residents_municipalitys_rules(settings, rules, fake_rasa, overrides):
    """Anna is in her AOW window: subscribed in Proefdorp she gets the signal, in Lindeoord not."""
    overrides.update(OFF_IN_LINDEOORD)
    with municipality.use("lindeoord"):
        store.record_consent(ANNA, "socketio", "web-anna-lindeoord", "2026-12")
    report = await run(today=AOW_DAY, settings=settings, rules=only(rules, "aow_leeftijd"))
    assert (report.residents, report.recorded, report.sent) == (1, 0, 0)
    assert fake_rasa.delivered == []

    store.revoke_consents(sender_id="web-anna-lindeoord")
    with municipality.use("proefdorp"):
        store.record_consent(ANNA, "socketio", "web-anna-proefdorp", "2026-12")
    report = await run(today=AOW_DAY, settings=settings, rules=only(rules, "aow_leeftijd"))
    assert (report.residents, report.recorded, report.sent) == (1, 1, 1)
    [call] = fake_rasa.delivered
    assert call["sender_id"] == "web-anna-proefdorp"


async def test_a_pending_signal_of_a_rule_switched_off_meanwhile_expires(
    settings, rules, fake_rasa, overrides
):
    with municipality.use("lindeoord"):
        store.record_consent(ANNA, "socketio", "web-anna", "2026-12")
    aow = only(rules, "aow_leeftijd")
    fake_rasa.fail(1)
    assert (await run(today=AOW_DAY, settings=settings, rules=aow)).failed == 1
    overrides.update(OFF_IN_LINDEOORD)
    report = await run(today=AOW_DAY, settings=settings, rules=aow, deliver_only=True)
    assert (report.expired, report.sent) == (1, 0)


async def test_the_signal_action_follows_the_conversations_municipality(dispatcher, overrides):
    """The message (sender name, text) and whether it is shown at all follow the municipality."""
    overrides.update(OFF_IN_LINDEOORD)
    overrides["proefdorp"] = {
        "aow_leeftijd": {"text": "Bericht van de {municipality_name}: AOW vanaf {signal_date}. Zie svb.nl."}
    }
    entities = [
        {"entity": "signal_rule", "value": "aow_leeftijd"},
        {"entity": "signal_date", "value": "20-12-2026"},
    ]
    with municipality.use("lindeoord"):
        await ActionDeliverSignal().run(dispatcher, tracker("proactive_signal", entities=entities), {})
    assert dispatcher.messages == []
    with municipality.use("proefdorp"):
        await ActionDeliverSignal().run(dispatcher, tracker("proactive_signal", entities=entities), {})
    [message] = dispatcher.messages
    assert message["text"] == "Bericht van de gemeente Proefdorp: AOW vanaf 20-12-2026. Zie svb.nl."
    assert [b["payload"] for b in message["buttons"]][-1] == "/unsubscribe_signals"


def test_content_files_switch_rules_through_the_registry(rules) -> None:
    """The real content: Lindeoord sends no further-education signal (content/lindeoord.yml)."""
    clear_content_cache()
    assert rules_for("lindeoord", rules).get("vervolgopleiding").enabled is False
    assert rules_for("proefdorp", rules).get("vervolgopleiding").enabled is True
    assert rules_for("voorbeeldstad", rules).get("vervolgopleiding").enabled is True
