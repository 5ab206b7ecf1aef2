"""Round-trip YAML for the project's data files (ruamel.yaml), layout kept byte-for-byte.

Every file is loaded with ruamel's round-trip loader and dumped with the indentation the file
already uses (detected by trying the few layouts the project writes), so comments, key order,
quoting and blank lines stay as they were. :func:`dump_checked` refuses a result whose diff to the
original holds anything but added lines.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Iterable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.representer import RoundTripRepresenter

#: (mapping, sequence, offset) layouts tried in order; the first that round-trips wins.
LAYOUTS: tuple[tuple[int, int, int], ...] = ((2, 2, 0), (2, 4, 2), (2, 3, 1), (4, 4, 2), (4, 6, 4))


class LayoutError(ValueError):
    """The file cannot be written back without changing lines that were not added."""


def _represent_none(representer: RoundTripRepresenter, _data: None) -> Any:
    # Rasa's files write `active_loop: null`; ruamel's default would drop the word.
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def make_yaml(layout: tuple[int, int, int]) -> YAML:
    """A round-trip YAML instance for one indentation layout."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=layout[0], sequence=layout[1], offset=layout[2])
    yaml.representer.add_representer(type(None), _represent_none)
    return yaml


def dumps(yaml: YAML, data: Any) -> str:
    """Dump ``data`` to a string."""
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def load_fast(text: str) -> Any:
    """Load ``text`` for reading only (PyYAML's C loader; no layout kept)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


def load_round_trip(text: str) -> tuple[YAML, Any]:
    """Load ``text`` with the first layout that reproduces it exactly.

    Raises:
        LayoutError: no known layout writes the file back unchanged.
    """
    for layout in LAYOUTS:
        yaml = make_yaml(layout)
        data = yaml.load(text)
        if dumps(yaml, data) == text:
            return yaml, data
    raise LayoutError("geen bekende opmaak schrijft dit bestand ongewijzigd terug")


def only_added_lines(before: str, after: str) -> bool:
    """Whether ``after`` is ``before`` with lines inserted and nothing else changed."""
    matcher = difflib.SequenceMatcher(a=before.splitlines(True), b=after.splitlines(True), autojunk=False)
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())


def added_lines(before: str, after: str) -> list[str]:
    """The lines ``after`` adds to ``before`` (for audit and commit messages)."""
    matcher = difflib.SequenceMatcher(a=before.splitlines(True), b=after.splitlines(True), autojunk=False)
    lines: list[str] = []
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag == "insert":
            lines.extend(line.rstrip("\n") for line in after.splitlines(True)[j1:j2])
    return lines


def dump_checked(yaml: YAML, data: Any, original: str) -> str:
    """Dump ``data`` and check that only lines were added to ``original``.

    Raises:
        LayoutError: the dump changed or removed an existing line.
    """
    text = dumps(yaml, data)
    if not only_added_lines(original, text):
        raise LayoutError("het schrijven zou bestaande regels veranderen; niets opgeslagen")
    return text


def iter_mappings(items: Iterable[Any], key: str) -> Iterable[Any]:
    """The mappings in ``items`` that have ``key``."""
    for item in items or []:
        if isinstance(item, dict) and key in item:
            yield item
