"""Validate all municipality content files (content/*.yml) against content/schema.json.

Each file is merged onto the national base (content/national/base.yml) first and the merged result
is validated (actions/content.py). The deployment file content/municipalities.yml must name only
municipalities that have a valid content file and map every WhatsApp number to one of them.

Usage: python scripts/validate_content.py [CONTENT_DIR]
Exits 0 when every file is valid and answers every topic intent, 1 otherwise (with the reasons).
A ``signals`` section may change only national signal rules (signals/rules.yml), and the changed
rules must still match signals/rules.schema.json (issue 18).
Outside the test profile (``profile: test`` in the file marks fictional development content) no
text may hold a placeholder: ``localhost``/``127.0.0.1``, an ``.example`` domain or "fictief".
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actions.content import (  # noqa: E402
    ContentError,
    load_content,
    resolve_dir,
    schema_for,
    topic_intents,
)
from actions.safety import SAFETY_LINES_PATH, load_safety_lines  # noqa: E402
from foundation.municipality import DEPLOYMENT_FILE, DeploymentError, load_deployment  # noqa: E402
from foundation.settings import get_settings  # noqa: E402
from signals.rules import RulesError, check_overrides, load_rules  # noqa: E402

#: Placeholders that must never reach residents of a real municipality.
PLACEHOLDERS = re.compile(r"localhost|127\.0\.0\.1|\.example\b|fictie[fv]", re.IGNORECASE)
TEST_PROFILE = "test"


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in ``value`` with its dotted path (``contact.website``)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}")


def placeholder_problems(data: Any, source: str) -> list[str]:
    """Placeholders in content that is not marked ``profile: test`` (one line per field)."""
    if not isinstance(data, dict) or data.get("profile") == TEST_PROFILE:
        return []
    return [
        f"{source}: {path}: placeholder {match[0]!r} is only allowed in the test profile"
        for path, text in _strings(data)
        if (match := PLACEHOLDERS.search(text))
    ]


def signal_problems(overrides: Any, source: str) -> list[str]:
    """A municipality's ``signals`` section against the national rules (signals/rules.yml)."""
    if not overrides:
        return []
    try:
        national = load_rules()
    except RulesError as exc:
        return [f"{source}: the national signal rules are invalid: {exc}"]
    return [f"{source}: {problem}" for problem in check_overrides(overrides, national)]


def validate_deployment(directory: Path) -> list[str]:
    """Check ``municipalities.yml``: every listed municipality has a content file (else a problem)."""
    if not (directory / DEPLOYMENT_FILE).is_file():
        return []  # a directory of content files without a deployment: nothing to check
    try:
        deployment = load_deployment(directory, get_settings().municipality)
    except DeploymentError as exc:
        return [str(exc)]
    problems = [
        f"{directory / DEPLOYMENT_FILE}: {name} has no content file {name}.yml"
        for name in deployment.names
        if not (directory / f"{name}.yml").is_file()
    ]
    return problems + rsin_problems(directory, deployment.names)


def rsin_problems(directory: Path, names: Iterable[str]) -> list[str]:
    """Two municipalities with one RSIN would share their data on a shared backend (issue 18)."""
    owners: dict[str, list[str]] = {}
    default = get_settings().zgw_rsin
    for name in names:
        path = directory / f"{name}.yml"
        try:
            data = load_content(path, schema_for(directory)).data
        except ContentError:
            continue  # reported by validate_dir
        rsin = str((data.get("backends") or {}).get("zgw_rsin") or default)
        owners.setdefault(rsin, []).append(name)
    return [
        f"{directory}: {', '.join(sorted(shared))} have the same RSIN {rsin} (backends.zgw_rsin; "
        f"without one: ZGW_RSIN): the shared backends keep municipalities apart by it"
        for rsin, shared in owners.items()
        if len(shared) > 1
    ]


def validate_dir(directory: Path) -> list[str]:
    """Validate every ``*.yml`` in ``directory``; return the problems found (empty when all is well)."""
    files = sorted(p for p in directory.glob("*.yml") if p.name != DEPLOYMENT_FILE)
    if not files:
        return [f"{directory}: no content files (*.yml) found"]
    schema = schema_for(directory)
    problems: list[str] = []
    for path in files:
        try:
            content = load_content(path, schema)
        except ContentError as exc:
            problems.append(str(exc))
            continue
        problems += placeholder_problems(content.data, str(path))
        if content.id != path.stem:
            problems.append(
                f"{path}: municipality.id {content.id!r} differs from the file name {path.stem!r}"
            )
        problems += signal_problems(content.data.get("signals"), str(path))
        missing = sorted(set(topic_intents(schema)) - content.covered_intents())
        if missing:
            problems.append(f"{path}: no product answers these intents: {', '.join(missing)}")
    return problems + validate_deployment(directory)


def validate_national() -> list[str]:
    """Validate the national help lines of the safety layer (content/national/safety_lines.yml)."""
    try:
        load_safety_lines(str(SAFETY_LINES_PATH))
    except ContentError as exc:
        return [str(exc)]
    return []


def main(argv: list[str]) -> int:
    """Run the validation; print the result."""
    directory = Path(argv[1]) if len(argv) > 1 else resolve_dir(get_settings().content_dir)
    problems = validate_dir(directory) + validate_national()
    if problems:
        print("Content is NOT valid:", file=sys.stderr)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    print(f"All content files in {directory} are valid.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
