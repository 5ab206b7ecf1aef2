"""Validate training data, domain and content; fail on the warnings that matter.

Runs ``rasa data validate`` on ``data/`` and the domain directory ``domain/``, and the content
schema check. Rasa prints some warnings that are expected in this project (listed in ``BENIGN``
with the reason); every other warning fails, and so does an item defined in two domain files (Rasa
would merge them silently).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from foundation import domain as domain_files

ROOT = Path(__file__).resolve().parent.parent

#: Warnings that are expected, with the reason they do not matter.
BENIGN: list[tuple[str, str]] = [
    # Internal intents that come from buttons or channels, not from typed text.
    (
        r"The intent '(nlu_fallback|unsupported_media|human_reply|proactive_signal|session_start|crisis)' "
        r"is listed in the domain file, but is not found",
        "set by a component, a channel or the external-events API, never typed",
    ),
    # The input_problem entity is set by components/input_guard.py, not learned from examples.
    (r"The entity '(input_problem|crisis_type)' is not used in any", "set by a component"),
    (r"Slot '.*' has a custom mapping", "custom slot mappings are filled by actions"),
    (r"The action '(action_session_start|action_default_fallback|action_restart|action_listen)'",
     "default actions overridden on purpose"),
    (r"found in the domain but not used in any story or rule", "responses used by custom actions"),
    (r"The utterance '.*' is not used in any story or rule", "responses dispatched by custom actions"),
    (r"is not used in any story or rule", "used by custom actions"),
    (r"Issue found in '.*': .*duplicat", "duplicates reported by Rasa's own checks are handled below"),
]

WARNING_LINE = re.compile(r"(UserWarning|\sWARNING\s)")


def run_rasa_validate() -> list[str]:
    """Run ``rasa data validate`` and return the warnings that matter (or raise on errors)."""
    cmd = [
        str(ROOT / ".venv/bin/rasa"),
        "data",
        "validate",
        "--data",
        "data",
        "--domain",
        "domain",
        "--config",
        "config.yml",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    lines = [line for line in output.splitlines() if WARNING_LINE.search(line)]
    lines = [line for line in lines if "tensorflow" not in line.lower() and "TensorRT" not in line]
    serious = [line for line in lines if not any(re.search(p, line) for p, _ in BENIGN)]
    if proc.returncode != 0:
        print(output)
        raise SystemExit(f"rasa data validate failed (exit {proc.returncode})")
    return serious


def run_content_validate() -> None:
    """Validate every municipality content file against the schema."""
    script = ROOT / "scripts/validate_content.py"
    if not script.exists():
        return
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit("content validation failed")


RESPONSE_REF = re.compile(r"""response\s*=\s*["'](utter_[a-z0-9_]+)["']""")


def check_response_references() -> list[str]:
    """Every ``response="utter_..."`` used in Python must exist in the domain."""
    known = set(domain_files.read_domain(ROOT / "domain").get("responses") or {})
    problems = []
    for folder in ("actions", "channels", "privacy", "signals"):
        for path in sorted((ROOT / folder).rglob("*.py")) if (ROOT / folder).exists() else []:
            for name in RESPONSE_REF.findall(path.read_text(encoding="utf-8")):
                if name not in known:
                    problems.append(f"{path.relative_to(ROOT)} uses response {name!r}, not in domain/")
    return problems


SINGLE_BRACE_PAYLOAD = re.compile(r"^/[A-Za-z0-9_]+\{(?!\{)")


def check_button_payloads() -> list[str]:
    """Entity payloads of domain buttons must double their braces (``/inform{{"x": "y"}}``).

    Rasa interpolates ``{...}`` in buttons like in texts: a single-brace JSON payload is read as a
    slot placeholder, which fails and logs every slot value of the conversation.
    """
    problems = []
    for path in domain_files.domain_files(ROOT / "domain"):
        for name, variants in (domain_files.read_file(path).get("responses") or {}).items():
            for variant in variants or []:
                for button in variant.get("buttons") or []:
                    payload = str(button.get("payload") or "")
                    if SINGLE_BRACE_PAYLOAD.match(payload):
                        problems.append(
                            f"{path.relative_to(ROOT)} response {name}: button payload {payload!r} needs "
                            f"double braces, e.g. '/inform{{{{\"x\": \"y\"}}}}'"
                        )
    return problems


def check_domain_duplicates() -> list[str]:
    """Every intent, entity, slot, form, response and action is defined in one domain file only."""
    return [f"defined twice in domain/: {line}" for line in domain_files.duplicates(ROOT / "domain")]


def main() -> int:
    serious = check_domain_duplicates() + run_rasa_validate()
    serious += check_response_references() + check_button_payloads()
    if serious:
        print("rasa data validate reported warnings that matter:")
        for line in serious:
            print("  " + line)
        return 1
    run_content_validate()
    print("validate: training data, domain and content are valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
