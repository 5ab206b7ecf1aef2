"""Writing back without damage: round trips and added examples change nothing but added lines."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.workbench.conftest import ROOT
from workbench.nlu_data import add_examples, file_for_intent, read_examples
from workbench.yamlio import LayoutError, dump_checked, dumps, load_round_trip, only_added_lines

YAML_FILES = sorted(
    [*ROOT.glob("data/**/*.yml"), *ROOT.glob("domain/*.yml"), *ROOT.glob("content/*.yml")], key=str
)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_round_trips_byte_for_byte(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    yaml, data = load_round_trip(text)
    assert dumps(yaml, data) == text


def _diff(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "diff", "--unified=0"], capture_output=True, text=True, check=True
    ).stdout


def test_examples_land_in_the_intents_topic_file_only_as_added_lines(repo: Path) -> None:
    path, lines = add_examples(repo, "passport_id_card", ["mijn pas is door de wasmachine gegaan"])
    assert path == Path("data/nlu/burgerzaken.yml")
    assert lines == ["- mijn pas is door de wasmachine gegaan"]
    diff = _diff(repo)
    changed = [
        line
        for line in diff.splitlines()
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert changed == ["+    - mijn pas is door de wasmachine gegaan"]
    status = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True
    ).stdout
    assert status.strip() == "M data/nlu/burgerzaken.yml"
    texts = [
        e.text
        for e in read_examples(repo, Path("data/nlu"))
        if e.intent == "passport_id_card" and e.path == Path("data/nlu/burgerzaken.yml")
    ]
    assert texts[-1] == "mijn pas is door de wasmachine gegaan"


def test_several_intents_and_out_of_scope(repo: Path) -> None:
    add_examples(repo, "out_of_scope", ["wat is het lekkerste recept voor appeltaart", "wie wint de tour"])
    add_examples(repo, "greet", ["goeiemorgen allemaal"])
    diff = _diff(repo)
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == []
    assert sorted(added) == sorted(
        [
            "+    - wat is het lekkerste recept voor appeltaart",
            "+    - wie wint de tour",
            "+    - goeiemorgen allemaal",
        ]
    )
    assert file_for_intent(repo, "out_of_scope") == Path("data/nlu/conversation.yml")


def test_unknown_intent_and_bad_lines_are_refused(repo: Path) -> None:
    with pytest.raises(LayoutError):
        add_examples(repo, "no_such_intent", ["hallo"])
    with pytest.raises(LayoutError):
        add_examples(repo, "greet", ["# geen commentaar"])
    assert _diff(repo) == ""


def test_dump_checked_refuses_a_changed_line() -> None:
    original = "a: 1  # comment\nb:\n  - x\n"
    yaml, data = load_round_trip(original)
    data["a"] = 2
    with pytest.raises(LayoutError):
        dump_checked(yaml, data, original)
    assert only_added_lines("a\nb\n", "a\nz\nb\n") and not only_added_lines("a\nb\n", "a\n")
