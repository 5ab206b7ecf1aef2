"""Guards on labels: personal data, duplicates, the held-out set, the contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workbench.conftest import ROOT
from workbench.guards import ExampleIndex, check_label
from workbench.nlu_data import HELD_OUT_DIR, TRAINING_DIR, normalise, read_examples


@pytest.fixture(scope="module")
def index() -> ExampleIndex:
    return ExampleIndex(ROOT)


def test_a_new_clean_example_passes(index: ExampleIndex) -> None:
    assert check_label("mijn kliko is al drie weken niet geleegd", "waste_collection", index).ok


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("mijn bsn is 123456782 en ik wil een paspoort", "BSN"),
        ("bel me op 06-12345678 over mijn paspoort", "telefoonnummer"),
        ("mail naar jan@example.nl over de afvalbak", "e-mailadres"),
        ("ik heb [BSN] en wil een uittreksel", "[BSN]"),
        ("ik heb diabetes en wil hulp bij het huishouden", "gezondheid"),
    ],
)
def test_personal_data_is_refused(index: ExampleIndex, text: str, word: str) -> None:
    result = check_label(text, "passport_id_card", index)
    assert not result.ok
    assert any("persoonsgegevens" in reason and word in reason for reason in result.reasons)


def test_duplicate_of_training_is_refused_after_normalising(index: ExampleIndex) -> None:
    existing = read_examples(ROOT, TRAINING_DIR)[0]
    variant = existing.text.upper().replace("?", "") + " ?"
    result = check_label(variant, existing.intent, index)
    assert not result.ok
    assert any("bestaat al" in r and str(existing.path) in r for r in result.reasons)


def test_held_out_sentence_is_refused(index: ExampleIndex) -> None:
    held_out = next(e for e in read_examples(ROOT, HELD_OUT_DIR) if "[" not in e.text)
    result = check_label(held_out.text, held_out.intent, index)
    assert not result.ok
    assert any("testset" in r for r in result.reasons)


def test_held_out_with_entity_markup_is_found_by_its_plain_text(index: ExampleIndex) -> None:
    held_out = next(e for e in read_examples(ROOT, HELD_OUT_DIR) if "](" in e.text)
    plain = normalise(held_out.text)
    assert not check_label(plain, held_out.intent, index).ok


def test_pending_duplicate_and_unknown_intent(index: ExampleIndex) -> None:
    text = "mag ik een schuur bouwen in de achtertuin zonder vergunning"
    pending = ["Mag ik een schuur bouwen in de achtertuin, zonder vergunning?"]
    result = check_label(text, "waste_collection", index, pending=pending)
    assert result.reasons == ["Dit voorbeeld is al voorgesteld en wacht op goedkeuring."]
    result = check_label("een geheel nieuwe zin over niks", "no_such_intent", index)
    assert any("intentiecontract" in r for r in result.reasons)


def test_empty_long_and_markup(index: ExampleIndex) -> None:
    assert not check_label("   ", "greet", index).ok
    assert not check_label("a" * 400, "greet", index).ok
    assert not check_label("ik wil een [paspoort](document_type)", "passport_id_card", index).ok


def test_out_of_scope_is_a_valid_choice(index: ExampleIndex) -> None:
    assert check_label("wie wint de eredivisie dit seizoen volgens u", "out_of_scope", index).ok


def test_normalise() -> None:
    assert normalise("Mijn [Paspoort](document_type) is  kwijt!") == "mijn paspoort is kwijt"
    assert normalise("ID-kaart?") == "id kaart"


def test_index_reads_the_repo(tmp_path: Path) -> None:
    index = ExampleIndex(ROOT)
    assert index.training and index.held_out and "greet" in index.intents
