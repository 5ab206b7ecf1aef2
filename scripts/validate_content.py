"""Validate all municipality content files (content/*.yml) against content/schema.json.

Usage: python scripts/validate_content.py [CONTENT_DIR]
Exits 0 when every file is valid and answers every topic intent, 1 otherwise (with the reasons).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actions.config import get_settings  # noqa: E402
from actions.content import (  # noqa: E402
    ContentError,
    load_content,
    resolve_dir,
    schema_for,
    topic_intents,
)


def validate_dir(directory: Path) -> list[str]:
    """Validate every ``*.yml`` in ``directory``; return the problems found (empty when all is well)."""
    files = sorted(directory.glob("*.yml"))
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
        if content.id != path.stem:
            problems.append(
                f"{path}: municipality.id {content.id!r} differs from the file name {path.stem!r}"
            )
        missing = sorted(set(topic_intents(schema)) - content.covered_intents())
        if missing:
            problems.append(f"{path}: no product answers these intents: {', '.join(missing)}")
    return problems


def validate_national() -> list[str]:
    """Validate the national help lines of the safety layer (content/national/safety_lines.yml)."""
    from actions.safety import SAFETY_LINES_PATH, load_safety_lines

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
