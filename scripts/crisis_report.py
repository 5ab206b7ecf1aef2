"""Recall and false-alarm rate of the crisis detector on its own test set.

Usage: ``.venv/bin/python scripts/crisis_report.py`` (prints the figures and every miss/false alarm).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from components.crisis import detect_crisis  # noqa: E402

CASES = ROOT / "tests/components/crisis_cases.yml"


def main() -> int:
    """Print recall per kind, overall recall and the false-alarm rate; exit 1 on any miss."""
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    misses: list[str] = []
    total = 0
    for kind, messages in cases["positives"].items():
        found = [m for m in messages if kind in detect_crisis(m)]
        total += len(messages)
        misses += [f"{kind}: {m}" for m in messages if m not in found]
        print(f"{kind:18} recall {len(found)}/{len(messages)}")
    alarms = [m for m in cases["negatives"] if detect_crisis(m)]
    found_total = total - len(misses)
    print(f"overall recall       {found_total}/{total} = {found_total / total:.3f}")
    rate = len(alarms) / len(cases["negatives"])
    print(f"false alarms         {len(alarms)}/{len(cases['negatives'])} = {rate:.3f}")
    for line in misses:
        print("MISS", line)
    for message in alarms:
        print("FALSE ALARM", message, detect_crisis(message))
    return 1 if misses else 0


if __name__ == "__main__":
    raise SystemExit(main())
