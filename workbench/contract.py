"""The intent contract (docs/spec/intents.yml) with each intent's Dutch description.

The file is not strict YAML (some ``means:`` texts contain ": "), so it is read line by line, as
``scripts/contract.py`` does, keeping the ``means`` text for the labelling screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CONTRACT_PATH = Path("docs/spec/intents.yml")
OUT_OF_SCOPE = "out_of_scope"
_GROUP = re.compile(r"^([a-z_]+):\s*$")
_NAME = re.compile(r"^\s*-\s*name:\s*([a-z_]+)\s*$")
_MEANS = re.compile(r"^\s*means:\s*(.+?)\s*$")


@dataclass(frozen=True)
class ContractIntent:
    """One intent of the contract."""

    name: str
    group: str
    means: str


def load_contract(repo: Path) -> list[ContractIntent]:
    """The contract's intents in file order.

    Args:
        repo: the repository root.
    """
    intents: list[ContractIntent] = []
    group = ""
    name: str | None = None
    for line in (repo / CONTRACT_PATH).read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        if match := _GROUP.match(line):
            group = match.group(1)
        elif match := _NAME.match(line):
            if name:
                intents.append(ContractIntent(name, group, ""))
            name = match.group(1)
        elif (match := _MEANS.match(line)) and name:
            intents.append(ContractIntent(name, group, match.group(1)))
            name = None
    if name:
        intents.append(ContractIntent(name, group, ""))
    return intents
