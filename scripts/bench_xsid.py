"""NLU quality on data nobody here wrote: k-fold cross-validation on the xSID-nl dev file.

xSID (van der Goot et al., NAACL 2021; github.com/mainlp/xsid, CC BY-SA 4.0) is a cross-lingual
benchmark of voice-assistant requests (weather, alarms, reminders, music, restaurants, ...) with
slots. Only its Dutch *dev* file is used here (``bench/xsid/nl.valid.conll``, 300 utterances, 15
intents, 33 slot types); the test file is deliberately not in this repository, so it stays a final
check nobody tuned to. The data never enters the assistant's training data.

For every configuration (NLU pipeline of a Rasa config file) the script trains on k-1 folds and
parses the held-out fold in-process, over the same stratified folds, and prints:

- intent accuracy and macro-F1 over the intents;
- entity precision, recall and F1, exact span match (type, start and end must all agree).

Usage::

    python scripts/bench_xsid.py                       # config.yml against Rasa's default config
    python scripts/bench_xsid.py --folds 5 --config config.yml --config other.yml
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEV_FILE = ROOT / "bench/xsid/nl.valid.conll"
DEFAULT_CONFIGS = (ROOT / "config.yml", ROOT / "scripts/bench_default_config.yml")


@dataclass
class Example:
    """One utterance: text, intent and entity spans ``(type, start, end)`` over the text."""

    text: str
    intent: str
    entities: list[tuple[str, int, int]] = field(default_factory=list)


def rasa_name(label: str) -> str:
    """xSID labels to names Rasa accepts ("/" marks retrieval intents in Rasa)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", label)


def read_conll(path: Path) -> list[Example]:
    """Parse xSID's CoNLL format: comment lines with ``text``/``intent``, then token rows.

    Token rows are ``index, token, intent, BIO-slot``. Character offsets are found by locating
    each token in the ``text`` line in order; where a token is not found (the annotation and the
    text disagree), the text is rebuilt from the tokens joined by spaces.
    """
    examples: list[Example] = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        text, intent, rows = "", "", []
        for line in block.splitlines():
            if line.startswith("# text ="):
                text = line.split("=", 1)[1].strip()
            elif line.startswith("# intent ="):
                intent = line.split("=", 1)[1].strip()
            elif line and not line.startswith("#"):
                rows.append(line.split("\t"))
        tokens = [row[1] for row in rows]
        offsets = _offsets(text, tokens)
        if offsets is None:
            text = " ".join(tokens)
            offsets = _offsets(text, tokens)
        assert offsets is not None
        examples.append(Example(text, rasa_name(intent), _spans(rows, offsets)))
    return examples


def _offsets(text: str, tokens: list[str]) -> list[tuple[int, int]] | None:
    found, position = [], 0
    for token in tokens:
        start = text.find(token, position)
        if start < 0:
            return None
        found.append((start, start + len(token)))
        position = start + len(token)
    return found


def _spans(rows: list[list[str]], offsets: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    spans: list[tuple[str, int, int]] = []
    current: list | None = None
    for row, (start, end) in zip(rows, offsets, strict=True):
        tag = row[3]
        continues = tag.startswith("I-") and current is not None and current[0] == rasa_name(tag[2:])
        if tag[:2] in ("B-", "I-") and not continues:
            if current:
                spans.append(tuple(current))  # type: ignore[arg-type]
            current = [rasa_name(tag[2:]), start, end]
        elif continues:
            assert current is not None
            current[2] = end
        else:
            if current:
                spans.append(tuple(current))  # type: ignore[arg-type]
            current = None
    if current:
        spans.append(tuple(current))  # type: ignore[arg-type]
    return spans


def to_rasa_yaml(examples: list[Example]) -> str:
    """Rasa 3 NLU training data with inline entity annotation."""
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        annotated, cursor = [], 0
        for entity, start, end in sorted(example.entities, key=lambda e: e[1]):
            annotated.append(example.text[cursor:start])
            annotated.append(f"[{example.text[start:end]}]({entity})")
            cursor = end
        annotated.append(example.text[cursor:])
        by_intent.setdefault(example.intent, []).append("".join(annotated))
    nlu = [
        {"intent": intent, "examples": "".join(f"- {line}\n" for line in lines)}
        for intent, lines in sorted(by_intent.items())
    ]
    return yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False)


def folds(examples: list[Example], k: int, seed: int) -> Iterator[tuple[list[Example], list[Example]]]:
    """Stratified k folds (intents with fewer than k examples are spread as far as they go)."""
    import warnings

    from sklearn.model_selection import StratifiedKFold

    labels = [example.intent for example in examples]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "least populated class has only 1 member"
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        for train, test in splitter.split(examples, labels):
            yield [examples[i] for i in train], [examples[i] for i in test]


def nlu_only_config(config: Path, out: Path) -> Path:
    """The config's pipeline without its policies (this is an NLU benchmark)."""
    data = yaml.safe_load(config.read_text())
    data.pop("policies", None)
    out.write_text(yaml.safe_dump(data, allow_unicode=True))
    return out


async def parse_all(model: str, examples: list[Example]) -> list[dict]:
    """Parse the examples with a trained model, in-process."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    return [await agent.parse_message(example.text) for example in examples]


def train(config: Path, data: Path, out: Path) -> str:
    """Train an NLU-only model; returns its path."""
    from rasa.model_training import train_nlu

    result = train_nlu(config=str(config), nlu_data=str(data), output=str(out), fixed_model_name="fold")
    assert result, f"training with {config} failed"
    return str(result)


def score(examples: list[Example], parses: list[dict], entity_types: set[str]) -> dict[str, list]:
    """Per-example gold and predicted intents and entity spans."""
    gold_intents, predicted_intents, gold_spans, predicted_spans = [], [], [], []
    for example, parse in zip(examples, parses, strict=True):
        gold_intents.append(example.intent)
        predicted_intents.append((parse.get("intent") or {}).get("name") or "")
        gold_spans.append(set(example.entities))
        found = [e for e in parse.get("entities", []) if e["entity"] in entity_types]
        predicted_spans.append({(e["entity"], e["start"], e["end"]) for e in found})
    return {"gold_intents": gold_intents, "predicted_intents": predicted_intents,
            "gold_spans": gold_spans, "predicted_spans": predicted_spans}


def summarise(rows: dict[str, list]) -> dict[str, float]:
    """Intent accuracy, macro-F1 (over the gold intents) and exact-span entity P/R/F1."""
    from sklearn.metrics import accuracy_score, f1_score

    gold, predicted = rows["gold_intents"], rows["predicted_intents"]
    tp = sum(len(g & p) for g, p in zip(rows["gold_spans"], rows["predicted_spans"], strict=True))
    n_predicted = sum(len(p) for p in rows["predicted_spans"])
    n_gold = sum(len(g) for g in rows["gold_spans"])
    precision = tp / n_predicted if n_predicted else 0.0
    recall = tp / n_gold if n_gold else 0.0
    return {
        "intent_accuracy": accuracy_score(gold, predicted),
        "intent_macro_f1": f1_score(
            gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0
        ),
        "entity_precision": precision,
        "entity_recall": recall,
        "entity_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


def evaluate(config: Path, examples: list[Example], k: int, seed: int, work: Path) -> dict[str, float]:
    """Cross-validate one configuration; returns the pooled figures and the training time."""
    entity_types = {entity for example in examples for entity, _, _ in example.entities}
    pooled: dict[str, list] = {}
    seconds = 0.0
    nlu_config = nlu_only_config(config, work / f"{config.stem}-nlu.yml")
    for number, (train_set, test_set) in enumerate(folds(examples, k, seed), start=1):
        fold_dir = work / f"{config.stem}-{number}"
        fold_dir.mkdir()
        data = fold_dir / "nlu.yml"
        data.write_text(to_rasa_yaml(train_set), encoding="utf-8")
        started = time.perf_counter()
        model = train(nlu_config, data, fold_dir)
        seconds += time.perf_counter() - started
        parses = asyncio.run(parse_all(model, test_set))
        for key, values in score(test_set, parses, entity_types).items():
            pooled.setdefault(key, []).extend(values)
        fold_figures = summarise(score(test_set, parses, entity_types))
        print(f"  {config.name} fold {number}/{k}: {json.dumps(fold_figures)}", flush=True)
    return {**summarise(pooled), "training_s_per_fold": seconds / k}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", action="append", type=Path, help="a Rasa config (repeatable)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    configs = args.config or list(DEFAULT_CONFIGS)
    examples = read_conll(DEV_FILE)
    print(f"xSID-nl dev: {len(examples)} utterances, {len({e.intent for e in examples})} intents, "
          f"{len({t for e in examples for t, _, _ in e.entities})} entity types, {args.folds}-fold CV")
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-xsid-") as tmp:
        for config in configs:
            results[str(config.relative_to(ROOT) if config.is_absolute() else config)] = evaluate(
                config.resolve(), examples, args.folds, args.seed, Path(tmp)
            )
    print(f"\n{'config':40} {'intent acc':>10} {'macro-F1':>9} {'entity P':>9} {'entity R':>9} "
          f"{'entity F1':>10} {'train s/fold':>12}")
    for name, figures in results.items():
        print(f"{name:40} {figures['intent_accuracy']:10.3f} {figures['intent_macro_f1']:9.3f} "
              f"{figures['entity_precision']:9.3f} {figures['entity_recall']:9.3f} "
              f"{figures['entity_f1']:10.3f} "
              f"{figures['training_s_per_fold']:12.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
