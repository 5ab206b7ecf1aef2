"""Read the public intent contract (docs/spec/intents.yml).

The file is not strict YAML (some ``means:`` texts contain ": "), so it is read line by line:
a group is a line ``<group>:`` at the start, an intent is a line ``- name: <intent>``.
"""

from __future__ import annotations

import re
from pathlib import Path

SPEC = Path(__file__).resolve().parent.parent / "docs/spec/intents.yml"
_GROUP = re.compile(r"^([a-z_]+):\s*$")
_NAME = re.compile(r"^\s*-\s*name:\s*([a-z_]+)\s*$")


def intent_groups(path: Path = SPEC) -> dict[str, list[str]]:
    """Return ``{group: [intent, ...]}`` in file order."""
    groups: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        group = _GROUP.match(line)
        if group:
            current = group.group(1)
            groups[current] = []
            continue
        name = _NAME.match(line)
        if name and current:
            groups[current].append(name.group(1))
    return groups
