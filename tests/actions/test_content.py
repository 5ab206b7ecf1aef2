"""Tests for actions/content.py, content/*.yml and scripts/validate_content.py."""

from __future__ import annotations

import copy
import importlib.util
import math
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from actions.content import (
    PROJECT_ROOT,
    Content,
    ContentError,
    clear_content_cache,
    get_content,
    load_content,
    merged_data,
    schema_for,
    topic_intents,
    validate_content,
)
from foundation.settings import get_settings

CONTENT_DIR = PROJECT_ROOT / "content"
MUNICIPALITIES = ["voorbeeldstad", "proefdorp", "lindeoord"]


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("MUNICIPALITY", raising=False)
    monkeypatch.delenv("CONTENT_DIR", raising=False)
    get_settings.cache_clear()
    clear_content_cache()
    yield
    get_settings.cache_clear()
    clear_content_cache()


def raw(name: str) -> dict:
    return merged_data(CONTENT_DIR / f"{name}.yml")


def schema() -> dict:
    return schema_for(CONTENT_DIR)


def at(text: str) -> datetime:
    """A naive local (Europe/Amsterdam) time."""
    return datetime.fromisoformat(text)


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize("name", MUNICIPALITIES)
def test_content_files_are_valid_and_answer_every_topic_intent(name: str) -> None:
    content = load_content(CONTENT_DIR / f"{name}.yml")
    assert content.id == name
    assert content.covered_intents() == set(topic_intents())


def test_topic_intents_are_the_spec_groups_without_contact() -> None:
    intents = set(topic_intents())
    assert {
        "passport_id_card",
        "report_move",
        "waste_collection",
        "aow_pension",
        "further_education",
    } <= intents
    assert not intents & {"opening_hours", "contact_info", "greet", "request_human"}
    project = {
        "community_initiative", "meeting_places",
        "loneliness",
    }
    assert project <= intents and len(intents - project) == 25


def test_missing_required_field_is_reported_with_its_path() -> None:
    data = raw("voorbeeldstad")
    del data["contact"]["phone"]
    with pytest.raises(ContentError) as error:
        validate_content(data, schema(), "broken.yml")
    message = str(error.value)
    assert "broken.yml" in message and "contact" in message and "'phone' is a required property" in message


def test_wrong_types_and_unknown_intent_are_rejected() -> None:
    data = raw("voorbeeldstad")
    data["products"]["paspoort"]["appointment_needed"] = "ja"
    data["products"]["rijbewijs"]["intent"] = "drivers_licence"
    data["opening_hours"]["weekly"]["monday"] = [{"open": "8.30", "close": "17:00"}]
    with pytest.raises(ContentError) as error:
        validate_content(data, schema())
    message = str(error.value)
    assert "products.paspoort.appointment_needed" in message
    assert "products.rijbewijs.intent" in message
    assert "opening_hours.weekly.monday.0.open" in message


def test_button_title_longer_than_whatsapp_allows_is_rejected() -> None:
    data = raw("voorbeeldstad")
    data["products"]["paspoort"]["button_title"] = "Paspoort aanvragen of verlengen"
    with pytest.raises(ContentError, match="button_title"):
        validate_content(data, schema())


def test_semantic_errors_are_reported() -> None:
    data = raw("voorbeeldstad")
    data["opening_hours"]["weekly"]["tuesday"] = [{"open": "17:00", "close": "08:30"}]
    data["products"]["bijstand"]["contact"] = "sociaal_loket"
    data["opening_hours"]["extra_closed_dates"] = ["2025-02-30"]
    with pytest.raises(ContentError) as error:
        validate_content(data, schema())
    message = str(error.value)
    assert "opening_hours.weekly.tuesday" in message
    assert "'sociaal_loket' is not a key of social_contacts" in message
    assert "2025-02-30" in message


def test_broken_yaml_and_missing_file_raise_content_error(tmp_path: Path) -> None:
    broken = tmp_path / "kapot.yml"
    broken.write_text("municipality: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError, match="not valid YAML"):
        load_content(broken, schema())
    with pytest.raises(ContentError, match="not found"):
        load_content(tmp_path / "nergens.yml", schema())


def test_get_content_follows_the_municipality_setting_and_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    first = get_content()
    assert first.name == "gemeente Voorbeeldstad"
    assert get_content() is first
    monkeypatch.setenv("MUNICIPALITY", "proefdorp")
    get_settings.cache_clear()
    assert get_content().name == "gemeente Proefdorp"
    assert get_content("voorbeeldstad") is first


@pytest.mark.parametrize("name", ["../domain", "Voorbeeldstad", "bestaat_niet"])
def test_get_content_rejects_bad_or_unknown_names(name: str) -> None:
    with pytest.raises(ContentError):
        get_content(name)


def test_content_dir_setting_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = raw("voorbeeldstad")
    data["municipality"].update(id="testdorp", name="gemeente Testdorp")
    (tmp_path / "testdorp.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path))
    monkeypatch.setenv("MUNICIPALITY", "testdorp")
    get_settings.cache_clear()
    assert get_content().name == "gemeente Testdorp"


def test_template_values_hold_the_contact_details() -> None:
    values = get_content("voorbeeldstad").template_values()
    for key in ("municipality_name", "phone", "phone_hours", "email", "address", "website", "privacy_url"):
        assert values[key], key
    assert values["phone"] == "14 0999"
    assert values["email"] == "info@voorbeeldstad.example"
    assert get_content("proefdorp").template_values()["phone"] == "14 0888"


def test_products_and_lookups() -> None:
    content = get_content("voorbeeldstad")
    assert content.product_for_intent("passport_id_card").key == "paspoort"
    assert content.product_for_intent("passport_id_card", hint="ID-kaart").key == "identiteitskaart"
    assert content.product_for_intent("passport_id_card", hint="fiets").key == "paspoort"
    assert content.product_for_intent("greet") is None
    assert content.find_product("Rijbewijs").key == "rijbewijs"
    assert content.find_product("vliegtuig") is None
    assert content.product("bestaat_niet") is None
    aow = content.product("aow")
    assert aow.other_body and "svb.nl" in aow.other_body["website"]
    assert "studielink" in content.product("vervolgstudie").other_body["website"]
    assert content.product("schuldhulp").social
    assert content.wijkteam["phone"]
    assert content.social_contact("schuldhulp")["name"] == "Schuldhulp Voorbeeldstad"
    assert content.social_contact("bestaat_niet") == content.wijkteam


def test_upl_names_follow_the_list() -> None:
    content = get_content("voorbeeldstad")
    expected = {
        "paspoort": "Paspoort",
        "identiteitskaart": "Nederlandse identiteitskaart",
        "uittreksel_brp": "Uittreksel basisregistratie personen",
        "afval": "Grofvuil",
        "kapvergunning": "Kapvergunning",
        "wmo": "Wmo-voorziening",
    }
    assert {key: content.product(key).upl_name for key in expected} == expected


def test_tree_ordinance_differs_per_municipality_and_is_consistent() -> None:
    for name in MUNICIPALITIES:
        tree = get_content(name).tree_ordinance
        assert tree["measured_at_height_cm"] == 130
        assert math.isclose(tree["min_circumference_cm"], math.pi * tree["min_diameter_cm"], rel_tol=0.05)
        assert tree["source"] and tree["protected_list_note"]
    assert (
        get_content("voorbeeldstad").tree_ordinance["min_circumference_cm"]
        != get_content("proefdorp").tree_ordinance["min_circumference_cm"]
    )
    assert get_content("proefdorp").dormer["omgevingsplan_note"]


# ------------------------------------------------------------------ opening hours
@pytest.fixture
def voorbeeldstad() -> Content:
    return get_content("voorbeeldstad")


def test_open_on_a_weekday_morning(voorbeeldstad: Content) -> None:
    status = voorbeeldstad.opening_status(at("2025-06-10T10:00"))  # Tuesday
    assert status.is_open and status.response == "utter_open_now"
    assert status.template_values(voorbeeldstad.weekday_names)["closes_at"] == "17.00"


def test_weekday_evening_opens_tomorrow(voorbeeldstad: Content) -> None:
    status = voorbeeldstad.opening_status(at("2025-06-10T18:30"))  # Tuesday evening
    assert not status.is_open
    assert status.response == "utter_closed_opens_tomorrow"
    values = status.template_values(voorbeeldstad.weekday_names)
    assert values["opens_at"] == "8.30" and values["opens_day"] == "woensdag"


def test_before_the_evening_opening_opens_today(voorbeeldstad: Content) -> None:
    status = voorbeeldstad.opening_status(at("2025-06-12T17:30"))  # Thursday, evening opening
    assert status.response == "utter_closed_opens_today"
    assert status.template_values(voorbeeldstad.weekday_names)["opens_at"] == "18.00"
    assert voorbeeldstad.opening_status(at("2025-06-12T19:00")).is_open


def test_weekend_opens_on_monday(voorbeeldstad: Content) -> None:
    status = voorbeeldstad.opening_status(at("2025-06-14T11:00"))  # Saturday
    assert status.response == "utter_closed_opens_on_day"
    assert status.next_open_weekday == 0
    assert status.template_values(voorbeeldstad.weekday_names)["opens_day"] == "maandag"
    assert status.holiday_name is None


def test_kings_day_is_closed_and_named(voorbeeldstad: Content) -> None:
    status = voorbeeldstad.opening_status(at("2026-04-27T10:00"))  # Koningsdag, a Monday
    assert not status.is_open
    assert status.holiday_name == "Koningsdag"
    assert status.response == "utter_closed_opens_tomorrow"


def test_christmas_skips_both_days_and_the_weekend(voorbeeldstad: Content) -> None:
    status = voorbeeldstad.opening_status(at("2025-12-25T09:00"))  # Thursday
    assert status.holiday_name == "Eerste Kerstdag"
    assert status.next_open == datetime(2025, 12, 29, 8, 30, tzinfo=voorbeeldstad.timezone)
    assert status.days_until_open == 4


def test_holiday_exceptions_and_extra_closed_dates_per_municipality(voorbeeldstad: Content) -> None:
    good_friday = at("2025-04-18T10:00")
    assert voorbeeldstad.opening_status(good_friday).is_open  # open_on_holidays
    assert not get_content("proefdorp").opening_status(good_friday).is_open
    assert not voorbeeldstad.opening_status(at("2025-05-30T10:00")).is_open  # extra closing day


def test_aware_times_are_converted_to_local_time(voorbeeldstad: Content) -> None:
    # 07:00 UTC is 09:00 in Amsterdam in summer: open; 06:00 UTC is 08:00: not yet.
    assert voorbeeldstad.opening_status(datetime(2025, 6, 10, 7, 0, tzinfo=timezone.utc)).is_open
    early = voorbeeldstad.opening_status(datetime(2025, 6, 10, 6, 0, tzinfo=timezone.utc))
    assert early.response == "utter_closed_opens_today"


def test_opening_hours_differ_per_municipality() -> None:
    friday_afternoon = at("2025-06-13T14:00")
    assert get_content("voorbeeldstad").opening_status(friday_afternoon).is_open
    assert not get_content("proefdorp").opening_status(friday_afternoon).is_open


def test_handoff_response_depends_on_working_hours(voorbeeldstad: Content) -> None:
    assert voorbeeldstad.handoff_staffed(at("2025-06-10T10:00"))
    assert not voorbeeldstad.handoff_staffed(at("2025-06-12T19:00"))  # desk open, no chat staff
    assert not voorbeeldstad.handoff_staffed(at("2025-12-25T10:00"))
    assert (
        voorbeeldstad.handoff_response(at("2025-06-14T10:00"))
        == voorbeeldstad.handoff["outside_hours_response"]
    )
    assert (
        voorbeeldstad.handoff_response(at("2025-06-10T10:00"))
        == voorbeeldstad.handoff["office_hours_response"]
    )


# ------------------------------------------------------------------ validation script
def _script():
    spec = importlib.util.spec_from_file_location(
        "validate_content", PROJECT_ROOT / "scripts" / "validate_content.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_validation_script_accepts_the_project_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert _script().main(["validate_content.py", str(CONTENT_DIR)]) == 0
    assert "valid" in capsys.readouterr().out


def test_validation_script_fails_readably(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = copy.deepcopy(raw("voorbeeldstad"))
    data["municipality"]["id"] = "kapot"
    del data["products"]["aow"]
    del data["tree_ordinance"]["source"]
    (tmp_path / "kapot.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert _script().main(["validate_content.py", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "kapot.yml" in err and "tree_ordinance" in err and "'source' is a required property" in err

    del data["tree_ordinance"]
    data["tree_ordinance"] = raw("voorbeeldstad")["tree_ordinance"]
    (tmp_path / "kapot.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert _script().main(["validate_content.py", str(tmp_path)]) == 1
    assert "aow_pension" in capsys.readouterr().err


def test_validation_script_checks_a_municipalitys_signal_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 18: a ``signals`` section may only change existing national rules, validly."""
    import shutil

    copy_dir = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy_dir)
    path = copy_dir / "lindeoord.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["signals"] = {
        "bestaat_niet": {"enabled": False},
        "paspoort_verloopt": {"when": {"within_days": "binnenkort"}},
        "aow_leeftijd": {"text": "Bericht van de {municipality_name} over {iets_anders}."},
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert _script().main(["validate_content.py", str(copy_dir)]) == 1
    err = capsys.readouterr().err
    assert "signals.bestaat_niet" in err
    assert "signals.paspoort_verloopt" in err
    assert "iets_anders" in err


def test_validation_script_refuses_two_municipalities_with_one_rsin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 18: the shared backends keep municipalities apart by their RSIN; a copy must get its own."""
    import shutil

    copy_dir = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy_dir)
    data = yaml.safe_load((copy_dir / "lindeoord.yml").read_text(encoding="utf-8"))
    data["municipality"]["id"] = "heidebeek"
    (copy_dir / "heidebeek.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with open(copy_dir / "municipalities.yml", "a", encoding="utf-8") as handle:
        handle.write('  heidebeek:\n    whatsapp_phone_number_ids: ["000000000000003"]\n')
    assert _script().main(["validate_content.py", str(copy_dir)]) == 1
    err = capsys.readouterr().err
    assert "002220027" in err and "heidebeek" in err and "lindeoord" in err
    data["backends"]["zgw_rsin"] = "002220039"
    (copy_dir / "heidebeek.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert _script().main(["validate_content.py", str(copy_dir)]) == 0
