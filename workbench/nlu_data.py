"""Read the NLU examples of data/nlu and tests/nlu, and add examples without damaging the files.

An approved example goes into the topic file under ``data/nlu/`` that already holds its intent
(the file with the most examples of it), appended to the intent's ``examples: |`` block through a
ruamel.yaml round trip; :func:`workbench.yamlio.dump_checked` guarantees that nothing but the added
line changes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.scalarstring import LiteralScalarString

from workbench.yamlio import LayoutError, dump_checked, iter_mappings, load_fast, load_round_trip

TRAINING_DIR = Path("data/nlu")
HELD_OUT_DIR = Path("tests/nlu")
_ENTITY = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")
_EXAMPLE_LINE = re.compile(r"^\s*-\s?(.*)$")
_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """The comparison form of an example: entity markup removed, lower case, only words."""
    text = _ENTITY.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def example_lines(block: str) -> list[str]:
    """The examples of an ``examples: |`` block (``- `` removed)."""
    examples = []
    for line in str(block).splitlines():
        match = _EXAMPLE_LINE.match(line)
        if match and match.group(1).strip():
            examples.append(match.group(1).strip())
    return examples


@dataclass(frozen=True)
class Example:
    """One example line and where it is."""

    intent: str
    text: str
    path: Path


def read_examples(root: Path, directory: Path) -> list[Example]:
    """Every intent example of the YAML files in ``root / directory``."""
    found: list[Example] = []
    for path in sorted((root / directory).glob("**/*.yml")):
        data = load_fast(path.read_text(encoding="utf-8"))
        for item in iter_mappings((data or {}).get("nlu"), "intent"):
            for text in example_lines(item.get("examples", "")):
                found.append(Example(str(item["intent"]), text, path.relative_to(root)))
    return found


def file_for_intent(root: Path, intent: str) -> Path | None:
    """The file under data/nlu that holds the most examples of ``intent`` (None: no file)."""
    counts: dict[Path, int] = {}
    for example in read_examples(root, TRAINING_DIR):
        if example.intent == intent:
            counts[example.path] = counts.get(example.path, 0) + 1
    if not counts:
        return None
    return max(sorted(counts), key=lambda path: counts[path])


def add_examples(root: Path, intent: str, texts: Iterable[str]) -> tuple[Path, list[str]]:
    """Append ``texts`` to the examples of ``intent`` in its topic file.

    Args:
        root: the repository root.
        intent: an intent that already has examples under data/nlu.
        texts: plain example texts (one line each).

    Returns:
        The file written (relative to ``root``) and the lines added.

    Raises:
        LayoutError: the intent has no file yet, or writing would change other lines.
    """
    relative = file_for_intent(root, intent)
    if relative is None:
        raise LayoutError(f"geen trainingsbestand bevat de intentie {intent!r}")
    path = root / relative
    original = path.read_text(encoding="utf-8")
    yaml, data = load_round_trip(original)
    items = [item for item in iter_mappings(data.get("nlu"), "intent") if item["intent"] == intent]
    target = max(items, key=lambda item: len(example_lines(item.get("examples", ""))))
    block = str(target.get("examples", ""))
    if block and not block.endswith("\n"):
        block += "\n"
    new_lines = []
    for text in texts:
        line = " ".join(text.split())
        if not line or line.startswith(("#", "-")):
            raise LayoutError("een voorbeeld mag niet leeg zijn of met # of - beginnen")
        new_lines.append(f"- {line}\n")
    target["examples"] = LiteralScalarString(block + "".join(new_lines))
    text = dump_checked(yaml, data, original)
    path.write_text(text, encoding="utf-8")
    return relative, [line.rstrip("\n") for line in new_lines]
