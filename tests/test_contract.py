"""The public intent contract (docs/spec/intents.yml) holds: names, training and test examples."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from scripts.contract import intent_groups

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "docs/spec/intents.yml"
SHARED_SPEC = ROOT.parent / "shared/spec/intents.yml"
MIN_TRAINING = 30
MIN_HELD_OUT = 10


def spec_intents() -> list[str]:
    return [name for names in intent_groups(SPEC).values() for name in names]


def count_examples(folder: Path) -> Counter:
    counts: Counter = Counter()
    for path in folder.glob("*.yml"):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in item:
                lines = str(item.get("examples", "")).splitlines()
                counts[item["intent"]] += sum(1 for line in lines if line.strip().startswith("- "))
    return counts


def plain(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))", r"\1", text)
    return " ".join(text.lower().split())


def test_repo_copy_of_the_contract_matches_the_shared_one() -> None:
    if not SHARED_SPEC.exists():
        pytest.skip("shared/spec is not beside this checkout")
    assert SPEC.read_text(encoding="utf-8") == SHARED_SPEC.read_text(encoding="utf-8")


def test_every_contract_intent_is_in_the_domain(domain_dict: dict) -> None:
    domain = domain_dict
    assert len(spec_intents()) == 40
    assert set(spec_intents()) <= set(domain["intents"])


@pytest.mark.parametrize("intent", spec_intents())
def test_intent_has_enough_training_and_held_out_examples(intent: str) -> None:
    assert count_examples(ROOT / "data/nlu")[intent] >= MIN_TRAINING
    assert count_examples(ROOT / "tests/nlu")[intent] >= MIN_HELD_OUT


def test_held_out_examples_are_not_in_the_training_data() -> None:
    def texts(folder: Path) -> set[str]:
        found = set()
        for path in folder.glob("*.yml"):
            for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
                for line in str(item.get("examples", "")).splitlines():
                    if line.strip().startswith("- "):
                        found.add(plain(line.strip()[2:]))
        return found

    overlap = texts(ROOT / "data/nlu") & texts(ROOT / "tests/nlu")
    assert not overlap, f"held-out examples also used for training: {sorted(overlap)[:10]}"
