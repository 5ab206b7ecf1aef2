"""Rules from lists, contradictions in Dutch, content edits with Dutch validation."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from workbench import content_edit, dialogue
from workbench.yamlio import load_fast

NEW_RULE = {
    "intent": "vraag_parkeervergunning",
    "new_intent": True,
    "examples": ["hoe krijg ik een parkeervergunning", "parkeervergunning aanvragen voor mijn straat"],
    "action": "utter_werkplaats_parkeren",
    "response_text": "Een parkeervergunning vraagt u aan op onze website.",
}


def _diff(repo: Path) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(repo), "diff", "--unified=0"], capture_output=True, text=True
    ).stdout
    return [line for line in out.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_a_rule_with_a_new_question_and_answer_only_adds_lines(repo: Path) -> None:
    assert dialogue.validate_rule(repo, NEW_RULE) == []
    changed = dialogue.apply_rule(repo, NEW_RULE)
    assert changed == ["domain/werkplaats.yml", "data/nlu/werkplaats.yml", "data/rules/werkplaats.yml"]
    diff = _diff(repo)
    assert not [line for line in diff if line.startswith("-")]
    new_domain_file = (repo / "domain/werkplaats.yml").read_text().splitlines()  # a new file: not in the diff
    assert "  - vraag_parkeervergunning" in new_domain_file
    assert '    - text: "Een parkeervergunning vraagt u aan op onze website."' in new_domain_file
    rules = load_fast((repo / "data/rules/werkplaats.yml").read_text())
    assert rules["rules"][0]["steps"] == [
        {"intent": "vraag_parkeervergunning"},
        {"action": "utter_werkplaats_parkeren"},
    ]
    nlu = load_fast((repo / "data/nlu/werkplaats.yml").read_text())
    assert nlu["nlu"][0]["intent"] == "vraag_parkeervergunning"
    domain = load_fast((repo / "domain/werkplaats.yml").read_text())
    assert domain["version"] == "3.1"
    assert domain["intents"] == ["vraag_parkeervergunning"]
    assert list(domain["responses"]) == ["utter_werkplaats_parkeren"]
    assert "vraag_parkeervergunning" in dialogue.domain_lists(repo).intents
    # a second rule appends to the same file without touching the first
    before = (repo / "data/rules/werkplaats.yml").read_text()
    dialogue.apply_rule(repo, {"intent": "thank", "action": "utter_greet"})
    assert (repo / "data/rules/werkplaats.yml").read_text().startswith(before)


def test_a_new_answer_to_an_existing_question_goes_to_the_questions_topic_file(repo: Path) -> None:
    rule = {
        "intent": "parking_permit",
        "action": "utter_werkplaats_parkeren_zone",
        "response_text": "In de blauwe zone parkeert u met een vergunning.",
    }
    assert dialogue.response_file(repo, "parking_permit") == Path("domain/wonen.yml")
    changed = dialogue.apply_rule(repo, rule)
    assert changed == ["domain/wonen.yml", "data/rules/werkplaats.yml"]
    diff = _diff(repo)
    assert not [line for line in diff if line.startswith("-")]
    wonen = load_fast((repo / "domain/wonen.yml").read_text())
    assert wonen["responses"]["utter_werkplaats_parkeren_zone"] == [
        {"text": "In de blauwe zone parkeert u met een vergunning."}
    ]
    assert "utter_werkplaats_parkeren_zone" in dialogue.domain_lists(repo).responses
    assert not (repo / "domain/werkplaats.yml").exists()


def test_contradiction_is_explained_in_dutch(repo: Path) -> None:
    reasons = dialogue.validate_rule(repo, {"intent": "passport_id_card", "action": "utter_greet"})
    assert len(reasons) == 1
    assert "answer passport_id_card" in reasons[0] and "data/rules/answers.yml" in reasons[0]
    assert "stap 2" in reasons[0] and "action_answer_topic" in reasons[0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"new_intent": True, "intent": "Foute Naam"}, "kleine letters"),
        ({"new_intent": True, "intent": "greet"}, "bestaat al"),
        ({"examples": ["maar een"]}, "minstens twee"),
        ({"response_text": "kort"}, "te kort"),
        ({"response_text": "Hallo {naam}, welkom bij ons"}, "accolades"),
    ],
)
def test_rule_form_mistakes(repo: Path, change: dict, expected: str) -> None:
    reasons = dialogue.validate_rule(repo, {**NEW_RULE, **change})
    assert any(expected in reason for reason in reasons), reasons


def test_response_names_are_unique() -> None:
    assert (
        dialogue.response_name("Een parkeervergunning vraagt u", set())
        == "utter_werkplaats_een_parkeervergunning_vraagt_u"
    )
    taken = {"utter_werkplaats_hallo"}
    assert dialogue.response_name("Hallo!", taken) == "utter_werkplaats_hallo_2"


MONDAY = "opening_hours.weekly.monday.0.open"


def _form(repo: Path, **changes: str) -> dict[str, str]:
    form = {
        f.path: str(f.value)
        for f in content_edit.fields(repo, "voorbeeldstad", "opening_hours")
        if f.kind != "boolean"
    }
    form["opening_hours.closed_on_public_holidays"] = "ja"
    form.update(changes)
    return form


def test_fields_come_from_the_schema(repo: Path) -> None:
    fields = {f.path: f for f in content_edit.fields(repo, "voorbeeldstad", "opening_hours")}
    assert fields[MONDAY].kind == "time" and fields[MONDAY].value == "08:30"
    assert fields["opening_hours.closed_on_public_holidays"].kind == "boolean"
    assert "maandag" in fields[MONDAY].label


def test_an_impossible_opening_hour_gets_a_dutch_message(repo: Path) -> None:
    changes, errors = content_edit.validate_changes(
        repo, "voorbeeldstad", "opening_hours", _form(repo, **{MONDAY: "8.30"})
    )
    assert errors == {MONDAY: "Vul een tijd in als 08:30: uren van 00 tot 23, minuten van 00 tot 59."}
    _changes, errors = content_edit.validate_changes(
        repo, "voorbeeldstad", "opening_hours", _form(repo, **{MONDAY: "18:00"})
    )
    assert errors == {
        "opening_hours.weekly.monday.0.close": "De sluitingstijd moet na de openingstijd liggen."
    }
    _changes, errors = content_edit.validate_changes(
        repo, "voorbeeldstad", "opening_hours", _form(repo, **{"opening_hours.desk_name": " "})
    )
    assert errors == {"opening_hours.desk_name": "Dit veld mag niet leeg zijn."}


def test_a_valid_change_changes_only_its_line(repo: Path) -> None:
    changes, errors = content_edit.validate_changes(
        repo, "voorbeeldstad", "opening_hours", _form(repo, **{MONDAY: "09:00"})
    )
    assert errors == {} and changes == {MONDAY: "09:00"}
    assert (
        content_edit.apply_changes(repo, {"municipality": "voorbeeldstad", "changes": changes})
        == "content/voorbeeldstad.yml"
    )
    assert _diff(repo) == [
        '-    monday: [{open: "08:30", close: "17:00"}]',
        '+    monday: [{open: "09:00", close: "17:00"}]',
    ]
    assert (
        content_edit.preview(repo, "voorbeeldstad", "opening_hours", {})[0]
        == "Maandag: van 09:00 tot 17:00 uur."
    )


def test_differences_from_the_default(repo: Path) -> None:
    diffs = {path: (own, base) for path, own, base in content_edit.differences(repo, "proefdorp")}
    assert diffs["municipality.id"] == ("proefdorp", "voorbeeldstad")
    assert content_edit.differences(repo, "voorbeeldstad") == []


def test_unknown_municipality(repo: Path) -> None:
    with pytest.raises(KeyError):
        content_edit.load(repo, "../domain")


def test_the_national_base_layer_is_edited_and_checked_against_every_municipality(repo: Path) -> None:
    """Issue 18: a national fact is changed once, in content/national/base.yml."""
    assert "national" in content_edit.municipalities(repo)
    path = "products.aow.link"
    # a browser sends every checked box; the other fields as they are (left out: unchanged)
    form = {f.path: "ja" for f in content_edit.fields(repo, "national", "products") if f.value is True}
    changes, errors = content_edit.validate_changes(
        repo, "national", "products", {**form, path: "https://www.svb.nl/nl/aow"}
    )
    assert errors == {} and changes == {path: "https://www.svb.nl/nl/aow"}
    assert content_edit.apply_changes(repo, {"municipality": "national", "changes": changes}) == (
        "content/national/base.yml"
    )
    assert _diff(repo) == ["-    link: https://www.svb.nl/aow", "+    link: https://www.svb.nl/nl/aow"]
    # a base that breaks a municipality is refused (an empty title is invalid everywhere)
    form["products.aow.title"] = ""
    _, errors = content_edit.validate_changes(repo, "national", "products", form)
    assert errors


def test_a_municipality_file_is_validated_merged_onto_the_base(repo: Path) -> None:
    fields = {f.path for f in content_edit.fields(repo, "proefdorp", "products")}
    assert "products.paspoort.costs" in fields and "products.aow.title" not in fields  # only its own


def test_every_content_field_has_a_dutch_label() -> None:
    """Trainers read Dutch: no form field falls back to an English schema key."""
    import json

    from workbench.content_edit import LABELS

    schema = json.loads((Path(__file__).resolve().parents[2] / "content/schema.json").read_text())
    keys: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            keys.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert sorted(keys - set(LABELS)) == []
