"""The domain directory (``domain/<topic>.yml``) read as one mapping, the way Rasa merges it.

Rasa 3 loads a directory given as ``--domain domain`` by merging every domain file in it: lists
(``intents``, ``entities``, ``actions``) are joined, mappings (``slots``, ``forms``,
``responses``) are updated, and an item defined in two files is merged **silently** (one of them
wins). :func:`read_domain` gives the same merged mapping for code and tests that read the domain
without Rasa (the action server receives this shape), and :func:`duplicates` lists the items
defined more than once, which ``scripts/validate.py`` and ``tests/test_domain_files.py`` refuse.

Which topic file holds what: README.md ("Layout") and docs/trainers-handleiding.md.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

#: The domain directory of this checkout.
DOMAIN_DIR = Path(__file__).resolve().parents[1] / "domain"
#: Sections whose items are list entries (a name, or a one-key mapping ``{name: {...}}``).
LIST_SECTIONS = ("intents", "entities", "actions")
#: Sections whose items are the keys of a mapping.
MAP_SECTIONS = ("slots", "forms", "responses")

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def domain_files(directory: Path = DOMAIN_DIR) -> list[Path]:
    """The YAML files of the domain directory (recursively, as Rasa reads it), sorted by path."""
    return sorted(p for p in Path(directory).rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def read_file(path: Path) -> dict[str, Any]:
    """One domain file as a mapping (empty for an empty file)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LOADER) or {}  # noqa: S506 - safe loader


def item_name(item: Any) -> str:
    """The name of a list entry: ``greet`` or ``{greet: {use_entities: []}}``."""
    return str(next(iter(item))) if isinstance(item, dict) else str(item)


def names(data: dict[str, Any], section: str) -> list[str]:
    """The item names of one section of a domain mapping, in file order."""
    value = data.get(section) or []
    if section in MAP_SECTIONS:
        return [str(name) for name in value]
    return [item_name(item) for item in value]


def read_domain(directory: Path = DOMAIN_DIR) -> dict[str, Any]:
    """Every file of ``directory`` merged into one domain mapping (files in path order).

    ``version`` and ``session_config`` are taken from the first file that has them; list sections
    are joined and mapping sections updated, so an item defined twice keeps the later file's value
    (see :func:`duplicates`).
    """
    merged: dict[str, Any] = {}
    for path in domain_files(directory):
        data = read_file(path)
        for key, value in data.items():
            if key in LIST_SECTIONS:
                merged.setdefault(key, []).extend(value or [])
            elif key in MAP_SECTIONS:
                merged.setdefault(key, {}).update(value or {})
            else:
                merged.setdefault(key, value)
    return merged


def locate(directory: Path = DOMAIN_DIR) -> dict[tuple[str, str], list[Path]]:
    """Where each item is defined: ``(section, name) -> [files]`` (more than one: a duplicate)."""
    found: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for path in domain_files(directory):
        data = read_file(path)
        for section in (*LIST_SECTIONS, *MAP_SECTIONS):
            for name in names(data, section):
                found[(section, name)].append(path)
    return dict(found)


def duplicates(directory: Path = DOMAIN_DIR) -> list[str]:
    """Items defined more than once in the directory, as readable lines (empty: none)."""
    root = Path(directory)
    return [
        f"{section} {name}: " + ", ".join(str(p.relative_to(root)) for p in paths)
        for (section, name), paths in sorted(locate(directory).items())
        if len(paths) > 1
    ]
