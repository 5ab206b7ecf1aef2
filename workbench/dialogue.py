"""Simple rules and new responses from lists ("when residents ask X, answer with Y"), no YAML typing.

A trainer proposes: the question (an intent of the domain, or a new intent with its description
and a few examples), and the answer (a response of the domain, or a new response text). Writing
it back, through ruamel.yaml round trips that only add lines:

- a new intent goes to the end of ``intents:`` in ``domain/werkplaats.yml`` and its examples to
  ``data/nlu/werkplaats.yml`` (both created when missing);
- a new response goes to the end of ``responses:`` of the domain topic file that holds the rule's
  intent (``domain/burgerzaken.yml`` for ``passport_id_card``), or of ``domain/werkplaats.yml`` for a
  new intent;
- the rule goes to ``data/rules/werkplaats.yml`` (created when missing).

:func:`contradictions` explains in Dutch which existing rule or story already answers the same
question differently (file, name, step), before anything is proposed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from foundation.domain import locate, read_domain
from workbench.yamlio import dump_checked, load_fast, load_round_trip, make_yaml

DOMAIN_DIR = Path("domain")
DOMAIN_FILE = DOMAIN_DIR / "werkplaats.yml"
NLU_FILE = Path("data/nlu/werkplaats.yml")
RULES_FILE = Path("data/rules/werkplaats.yml")
NAME = re.compile(r"^[a-z][a-z0-9_]{2,49}$")
_NLU_HEADER = (
    '# NLU examples of intents added in the Trainerswerkplaats (workbench/dialogue.py).\nversion: "3.1"\n'
)
_DOMAIN_HEADER = (
    '# Intents and responses added in the Trainerswerkplaats (workbench/dialogue.py).\nversion: "3.1"\n'
)
_RULES_HEADER = (
    "# Rules added in the Trainerswerkplaats (workbench/dialogue.py): one question, one answer.\n"
    'version: "3.1"\n'
)


@dataclass(frozen=True)
class DomainLists:
    """What the rule form offers: the domain's intents, responses (with text) and actions."""

    intents: list[str]
    responses: dict[str, str]
    actions: list[str]


def domain_lists(repo: Path) -> DomainLists:
    """The intents, responses and custom actions of ``repo``'s domain directory."""
    domain = read_domain(repo / DOMAIN_DIR)
    intents = [next(iter(i)) if isinstance(i, dict) else str(i) for i in domain.get("intents") or []]
    responses: dict[str, str] = {}
    for name, variants in (domain.get("responses") or {}).items():
        texts = [v.get("text") for v in variants or [] if isinstance(v, dict) and v.get("text")]
        responses[str(name)] = str(texts[0]) if texts else ""
    return DomainLists(intents, responses, [str(a) for a in domain.get("actions") or []])


def contradictions(repo: Path, intent: str, action: str) -> list[str]:
    """Dutch explanations of rules and stories that already answer ``intent`` with another action.

    A rule without conditions, or a story, whose step after ``intent: <intent>`` is an action other
    than ``action`` contradicts the new rule: Rasa could not tell which one to follow.
    """
    found: list[str] = []
    for path in sorted((repo / "data").glob("**/*.yml")):
        data = load_fast(path.read_text(encoding="utf-8")) or {}
        relative = path.relative_to(repo)
        for key, kind in (("rules", "regel"), ("stories", "verhaal")):
            for item in data.get(key) or []:
                if key == "rules" and (item.get("condition") or item.get("conversation_start") is False):
                    continue
                steps = item.get("steps") or []
                for number, step in enumerate(steps, start=1):
                    if not (isinstance(step, dict) and step.get("intent") == intent and number < len(steps)):
                        continue
                    following = steps[number]
                    other = following.get("action") if isinstance(following, dict) else None
                    if other and other != action:
                        name = item.get("rule") or item.get("story")
                        found.append(
                            f"De {kind} '{name}' in {relative} laat de assistent na de vraag '{intent}' "
                            f"(stap {number}) al '{other}' doen (stap {number + 1}). Een nieuwe regel met "
                            f"'{action}' spreekt die tegen. Kies een andere vraag, of vraag een ontwikkelaar "
                            f"om de {kind} '{name}' aan te passen."
                        )
    return found


def response_name(text: str, existing: set[str]) -> str:
    """A new ``utter_werkplaats_<words>`` name for a response text, unique in ``existing``."""
    words = re.findall(r"[a-z0-9]+", text.casefold())[:4] or ["antwoord"]
    base = "utter_werkplaats_" + "_".join(words)
    name, n = base, 2
    while name in existing:
        name, n = f"{base}_{n}", n + 1
    return name


def _write(path: Path, header: str, key: str, item: Any, layout: tuple[int, int, int]) -> None:
    if path.exists():
        original = path.read_text(encoding="utf-8")
        yaml, data = load_round_trip(original)
    else:
        original = header
        yaml = make_yaml(layout)
        data = yaml.load(header)
    if data.get(key) is None:
        data[key] = CommentedSeq()
    data[key].append(item)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_checked(yaml, data, original), encoding="utf-8")


def response_file(repo: Path, intent: str) -> Path:
    """The domain file (relative to ``repo``) a new response for ``intent`` goes to.

    The topic file that declares the intent; ``domain/werkplaats.yml`` for an intent no file
    declares yet (a new one).
    """
    files = locate(repo / DOMAIN_DIR).get(("intents", intent))
    return files[0].relative_to(repo) if files else DOMAIN_FILE


def _add_to_domain(repo: Path, relative: Path, section: str, name: str, value: Any = None) -> None:
    """Append ``name`` (a list entry) or ``name: value`` (a mapping entry) to ``section`` of one file."""
    path = repo / relative
    if path.exists():
        original = path.read_text(encoding="utf-8")
        yaml, data = load_round_trip(original)
    else:
        original = _DOMAIN_HEADER
        yaml = make_yaml((2, 4, 2))
        data = yaml.load(original)
    if value is None:
        if data.get(section) is None:
            data[section] = CommentedSeq()
        data[section].append(name)
    else:
        if data.get(section) is None:
            data[section] = CommentedMap()
        data[section][name] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_checked(yaml, data, original), encoding="utf-8")


def apply_rule(repo: Path, payload: dict[str, Any]) -> list[str]:
    """Write one rule proposal; returns the changed files (relative to ``repo``).

    Payload keys: ``intent``, ``action``; for a new intent ``new_intent: true`` and ``examples``;
    for a new response ``response_text`` (``action`` is then its new name).

    Raises:
        LayoutError: writing would change existing lines.
    """
    changed: list[str] = []
    lists = domain_lists(repo)
    if payload.get("new_intent") and payload["intent"] not in lists.intents:
        _add_to_domain(repo, DOMAIN_FILE, "intents", payload["intent"])
        changed.append(str(DOMAIN_FILE))
    if payload.get("response_text") and payload["action"] not in lists.responses:
        entry = CommentedMap()
        entry["text"] = DoubleQuotedScalarString(payload["response_text"])
        seq = CommentedSeq()
        seq.append(entry)
        target = response_file(repo, payload["intent"])
        _add_to_domain(repo, target, "responses", payload["action"], seq)
        if str(target) not in changed:
            changed.append(str(target))
    if payload.get("new_intent"):
        item = CommentedMap()
        item["intent"] = payload["intent"]
        item["examples"] = LiteralScalarString("".join(f"- {e}\n" for e in payload["examples"]))
        _write(repo / NLU_FILE, _NLU_HEADER, "nlu", item, (2, 2, 0))
        changed.append(str(NLU_FILE))
    rule = CommentedMap()
    rule["rule"] = f"{payload['intent']} beantwoorden met {payload['action']} (werkplaats)"
    steps = CommentedSeq()
    for key, value in (("intent", payload["intent"]), ("action", payload["action"])):
        step = CommentedMap()
        step[key] = value
        steps.append(step)
    rule["steps"] = steps
    _write(repo / RULES_FILE, _RULES_HEADER, "rules", rule, (2, 4, 2))
    changed.append(str(RULES_FILE))
    return changed


def validate_rule(repo: Path, payload: dict[str, Any]) -> list[str]:
    """Dutch reasons why a rule proposal cannot be made (empty: fine)."""
    reasons: list[str] = []
    lists = domain_lists(repo)
    intent = payload.get("intent", "")
    if payload.get("new_intent"):
        if not NAME.match(intent):
            reasons.append(
                "Geef de nieuwe vraag een naam van kleine letters, cijfers en _, "
                "bijvoorbeeld vraag_parkeervergunning."
            )
        elif intent in lists.intents:
            reasons.append(f"De vraag '{intent}' bestaat al; kies hem uit de lijst.")
        if len(payload.get("examples") or []) < 2:
            reasons.append("Geef minstens twee voorbeeldzinnen van hoe inwoners deze vraag stellen.")
    elif intent not in lists.intents:
        reasons.append("Kies een vraag uit de lijst.")
    if payload.get("response_text"):
        if len(payload["response_text"]) < 10:
            reasons.append("Het antwoord is te kort.")
        if "{" in payload["response_text"] or "}" in payload["response_text"]:
            reasons.append("Gebruik geen accolades { } in het antwoord.")
    elif payload.get("action") not in lists.responses:
        reasons.append("Kies een antwoord uit de lijst of schrijf een nieuw antwoord.")
    if not reasons:
        reasons.extend(contradictions(repo, intent, payload.get("action", "")))
    return reasons
