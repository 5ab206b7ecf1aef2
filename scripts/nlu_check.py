"""Evaluate the trained NLU on the held-out test set (tests/nlu/) and enforce the thresholds.

Fails (exit 1) when intent accuracy < 0.90, when any intent's F1 < 0.75, when an off-topic
test message is classified as a municipal (or consent/erase) intent with confidence >= 0.5, when
the register section (tests/nlu/register.yml: NT2, WhatsApp register, dialect, typos) scores
below 0.80, or when fewer than 80 % of the off-topic messages are rejected (classified as
out_of_scope or nlu_fallback). Prints per-intent precision/recall/F1, the most frequent confusion
pairs, the answer rate (share of held-out topic questions answered by a topic intent instead of
the fallback), the register section and the out-of-scope rejection rate. Rasa writes the confusion
matrix image to <out>/intent_confusion_matrix.png (with --report).

Usage: python scripts/nlu_check.py --model models/gemeente.tar.gz --out reports/nlu [--report]
       [--nlu tests/nlu]
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "docs/spec/intents.yml"
MIN_ACCURACY = 0.90
MIN_F1 = 0.75
OFF_TOPIC_MAX_CONFIDENCE = 0.5
TOPIC_GROUPS = ("burgerzaken", "wonen_en_buitenruimte", "contact", "sociaal_domein")
#: Social topics added beside the contract (domain/sociaal.yml); they count as topics too.
PROJECT_TOPICS = frozenset({
    "community_initiative", "meeting_places",
    "loneliness",
})
#: Intents that erase data or give/withdraw consent: an off-topic message must never land here.
GUARDED = frozenset({"forget_me", "subscribe_signals", "unsubscribe_signals"})
REJECTED = frozenset({"out_of_scope", "nlu_fallback"})
REGISTER_FILE = "register.yml"
MIN_REGISTER_ACCURACY = 0.80
MIN_OUT_OF_SCOPE_REJECTION = 0.80


def topic_intents() -> set[str]:
    """Intents of the municipal and social-domain groups of the public contract."""
    from contract import intent_groups

    groups = intent_groups(SPEC)
    return {name for group in TOPIC_GROUPS for name in groups.get(group, [])} | PROJECT_TOPICS


def register_texts(nlu_dir: Path) -> set[str]:
    """The example texts of the held-out register section (``register.yml``)."""
    import yaml

    path = nlu_dir / REGISTER_FILE
    if not path.exists():
        return set()
    texts = set()
    for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
        for line in str(item.get("examples", "")).splitlines():
            if line.strip().startswith("- "):
                texts.add(line.strip()[2:])
    return texts


def run_rasa(model: str, out: Path, plot: bool, nlu: str = "tests/nlu") -> None:
    """Run ``rasa test nlu`` on the held-out set."""
    cmd = [
        str(ROOT / ".venv/bin/rasa"), "test", "nlu", "--model", model, "--nlu", nlu,
        "--domain", str(ROOT / "domain"), "--out", str(out), "--successes",
    ]
    if not plot:
        cmd.append("--no-plot")
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def load(out: Path, name: str) -> list | dict:
    path = out / name
    return json.loads(path.read_text()) if path.exists() else []


def evaluate(out: Path, nlu_dir: Path = ROOT / "tests/nlu") -> int:
    """Print the report and return the number of failed checks."""
    report = load(out, "intent_report.json")
    assert isinstance(report, dict)
    failures = 0
    print(f"{'intent':28} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}")
    for intent, row in sorted(report.items()):
        if not isinstance(row, dict) or "f1-score" not in row or intent.endswith("avg"):
            continue
        flag = ""
        if row["f1-score"] < MIN_F1 and intent != "nlu_fallback":
            flag = "  <-- below F1 threshold"
            failures += 1
        print(f"{intent:28} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1-score']:6.3f} "
              f"{int(row['support']):4d}{flag}")
    accuracy = float(report.get("accuracy", 0.0))
    print(f"\nintent accuracy: {accuracy:.3f} (minimum {MIN_ACCURACY})")
    if accuracy < MIN_ACCURACY:
        failures += 1

    errors = load(out, "intent_errors.json")
    successes = load(out, "intent_successes.json")
    pairs = collections.Counter(
        (e["intent"], e["intent_prediction"]["name"]) for e in errors  # type: ignore[index]
    )
    print("\nmost frequent confusions (expected -> predicted):")
    for (expected, predicted), n in pairs.most_common(15):
        print(f"  {n:3d}  {expected} -> {predicted}")

    topics = topic_intents()
    predictions = [*errors, *successes]  # type: ignore[misc]
    topic_rows = [p for p in predictions if p["intent"] in topics]
    answered = [p for p in topic_rows if p["intent_prediction"]["name"] in topics]
    correct = [p for p in topic_rows if p["intent_prediction"]["name"] == p["intent"]]
    if topic_rows:
        print(f"\nanswer rate: {len(answered) / len(topic_rows):.3f} of {len(topic_rows)} held-out topic "
              f"questions get a topic answer ({len(correct) / len(topic_rows):.3f} the right topic)")

    register = register_texts(nlu_dir)
    register_rows = [p for p in predictions if p["text"] in register]
    if register_rows:
        right = sum(p["intent_prediction"]["name"] == p["intent"] for p in register_rows)
        share = right / len(register_rows)
        print(f"\nregister section (NT2, WhatsApp, dialect, typos): {share:.3f} of {len(register_rows)} "
              f"(minimum {MIN_REGISTER_ACCURACY})")
        for p in register_rows:
            if p["intent_prediction"]["name"] != p["intent"]:
                print(f"  {p['intent']} -> {p['intent_prediction']['name']}: {p['text']!r}")
        if share < MIN_REGISTER_ACCURACY:
            failures += 1

    oos_rows = [p for p in predictions if p["intent"] == "out_of_scope"]
    if oos_rows:
        rejected = sum(p["intent_prediction"]["name"] in REJECTED for p in oos_rows)
        rate = rejected / len(oos_rows)
        print(f"\nout-of-scope rejection: {rate:.3f} of {len(oos_rows)} off-topic messages rejected "
              f"(minimum {MIN_OUT_OF_SCOPE_REJECTION})")
        if rate < MIN_OUT_OF_SCOPE_REJECTION:
            failures += 1

    off_topic = [
        p for p in predictions
        if p["intent"] == "out_of_scope"
        and p["intent_prediction"]["name"] in topics | GUARDED
        and p["intent_prediction"]["confidence"] >= OFF_TOPIC_MAX_CONFIDENCE
    ]
    for p in off_topic:
        print(f"off-topic message classified as {p['intent_prediction']['name']} "
              f"({p['intent_prediction']['confidence']:.2f}): {p['text']!r}")
    failures += len(off_topic)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/gemeente.tar.gz")
    parser.add_argument("--out", default="reports/nlu")
    parser.add_argument("--report", action="store_true", help="also write the confusion-matrix image")
    parser.add_argument("--skip-run", action="store_true", help="only read an existing report")
    parser.add_argument("--nlu", default="tests/nlu", help="held-out set (folder of NLU files)")
    args = parser.parse_args()
    out = ROOT / args.out
    if not args.skip_run:
        run_rasa(args.model, out, plot=args.report, nlu=args.nlu)
    failures = evaluate(out, ROOT / args.nlu)
    if args.report:
        print(f"\nconfusion matrix image: {out / 'intent_confusion_matrix.png'}")
    if failures:
        print(f"\nNLU check FAILED ({failures} problem(s))")
        return 1
    print("\nNLU check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
