"""Find held-out NLU lines (tests/nlu/) that are near-copies of training lines (data/nlu/).

A held-out line is a near-copy when its normalised character edit distance to a training line of
the same intent (Levenshtein distance divided by the longer length, after lower-casing, removing entity
annotations, punctuation and extra spaces) is at most ``--max-distance`` (default 0.25). Such lines
measure memory, not understanding, so the held-out figure would mean little. A line close to a
training line of ANOTHER intent ("aanmelden" / "afmelden voor berichten") is kept: it tests the
near-pairs the classifier must separate.

Usage: python scripts/nlu_near_copies.py [--train data/nlu] [--test tests/nlu] [--max-distance 0.25]
Exits 1 when near-copies are found (one line each: distance, intent, held-out line, training line).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MAX_DISTANCE = 0.25
_ANNOTATION = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))")
_NON_WORD = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class NearCopy:
    """A held-out line and the training line it nearly copies."""

    distance: float
    intent: str
    held_out: str
    training: str
    training_intent: str


def normalise(text: str) -> str:
    """Lower case, no entity annotations, no punctuation, single spaces."""
    text = _ANNOTATION.sub(r"\1", text).lower()
    return " ".join(_NON_WORD.sub(" ", text).split())


def examples(folder: Path) -> list[tuple[str, str]]:
    """(intent, example text) of every ``*.yml`` NLU file in ``folder``."""
    found = []
    for path in sorted(folder.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" not in item:
                continue
            for line in str(item.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    found.append((item["intent"], line.strip()[2:]))
    return found


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance of ``a`` and ``b``; any value above ``limit`` is returned as ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def near_copies(train: Path, test: Path, max_distance: float = DEFAULT_MAX_DISTANCE) -> list[NearCopy]:
    """Every held-out line within ``max_distance`` of a training line of its intent (the closest)."""
    training = [(intent, text, normalise(text)) for intent, text in examples(train)]
    by_words = [(intent, text, norm, set(norm.split())) for intent, text, norm in training]
    found = []
    for intent, text in examples(test):
        norm = normalise(text)
        words = set(norm.split())
        best: NearCopy | None = None
        for train_intent, train_text, train_norm, train_words in by_words:
            if train_intent != intent:
                continue
            longest = max(len(norm), len(train_norm)) or 1
            limit = int(max_distance * longest)
            if abs(len(norm) - len(train_norm)) > limit:
                continue
            # two lines within the distance share most of their words: cheap filter first
            if words and train_words and len(words & train_words) * 2 < min(len(words), len(train_words)):
                continue
            distance = levenshtein(norm, train_norm, limit) / longest
            if distance <= max_distance and (best is None or distance < best.distance):
                best = NearCopy(round(distance, 3), intent, text, train_text, train_intent)
        if best is not None:
            found.append(best)
    return found


def main(argv: list[str] | None = None) -> int:
    """Print the near-copies; exit 1 when there are any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=ROOT / "data/nlu")
    parser.add_argument("--test", type=Path, default=ROOT / "tests/nlu")
    parser.add_argument("--max-distance", type=float, default=DEFAULT_MAX_DISTANCE)
    args = parser.parse_args(argv)
    found = near_copies(args.train, args.test, args.max_distance)
    for item in sorted(found, key=lambda c: (c.intent, c.distance)):
        print(f"{item.distance:.3f}  {item.intent:22} {item.held_out!r}  ~  {item.training!r}")
    total = len(examples(args.test))
    print(f"{len(found)} of {total} held-out lines are near-copies (distance <= {args.max_distance})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
