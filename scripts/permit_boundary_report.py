"""How many permit boundary cases give the reference verdict (tests/actions/permit_boundaries.py).

Usage: ``.venv/bin/python scripts/permit_boundary_report.py [GIT_REF]``: without a ref the working
tree's ``actions/permit_rules.py`` is measured; with one (e.g. ``main``) that commit's version, to
compare before and after.
"""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import actions.permit_rules  # noqa: E402
from actions.content import get_content  # noqa: E402
from tests.actions.permit_boundaries import DORMER_BOUNDARIES, TREE_BOUNDARIES  # noqa: E402

FREE_DORMER = {
    "dormer_building_type": "woning",
    "dormer_monument": "nee",
    "dormer_townscape": "nee",
    "dormer_roof_side": "achter",
    "dormer_flat_roof": "ja",
    "dormer_height": 1.5,
    "dormer_eaves_distance": 0.75,
    "dormer_ridge_distance": 0.8,
    "dormer_side_distance": 0.8,
}


def _rules(ref: str | None) -> types.ModuleType:
    if ref is None:
        return actions.permit_rules
    source = subprocess.run(
        ["git", "show", f"{ref}:actions/permit_rules.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType("permit_rules_at_ref")
    sys.modules[module.__name__] = module
    exec(compile(source, f"{ref}:actions/permit_rules.py", "exec"), module.__dict__)  # noqa: S102
    return module


def main(argv: list[str]) -> int:
    """Print the dormer and tree boundary cases that give the reference verdict, and every miss."""
    rules = _rules(argv[1] if len(argv) > 1 else None)
    wrong = []
    dormer_right = 0
    for slot, value, expected in DORMER_BOUNDARIES:
        got = rules.dormer_verdict({**FREE_DORMER, slot: value}).verdict
        dormer_right += got == expected
        if got != expected:
            wrong.append(f"dormer {slot}={value}: {got}, reference {expected}")
    tree_right = 0
    for municipality, circumference, expected in TREE_BOUNDARIES:
        ordinance = rules.TreeOrdinance.from_content(get_content(municipality).tree_ordinance)
        answers = {
            "tree_protected": "nee",
            "tree_location": "eigen_tuin",
            "tree_trunk_circumference": circumference,
        }
        got = rules.tree_verdict(answers, ordinance).verdict
        tree_right += got == expected
        if got != expected:
            wrong.append(f"tree {municipality} {circumference:.1f} cm: {got}, reference {expected}")
    print(f"dormer boundary cases right: {dormer_right}/{len(DORMER_BOUNDARIES)}")
    print(f"tree boundary cases right:   {tree_right}/{len(TREE_BOUNDARIES)}")
    for line in wrong:
        print("  WRONG", line)
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
