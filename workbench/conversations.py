"""Stories and rules of data/ as readable conversations ("inwoner zegt" / "assistent doet")."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foundation.domain import read_domain
from workbench.contract import load_contract
from workbench.yamlio import load_fast


@dataclass
class Step:
    """One step: who, and what in Dutch."""

    who: str  # "inwoner", "assistent", "voorwaarde", "geheugen"
    text: str


@dataclass
class Conversation:
    """One story or rule."""

    kind: str  # "verhaal" or "regel"
    name: str
    path: str
    steps: list[Step] = field(default_factory=list)

    def matches(self, query: str) -> bool:
        """Whether the name or a step mentions ``query`` (case-insensitive)."""
        query = query.casefold()
        return query in self.name.casefold() or any(query in s.text.casefold() for s in self.steps)


def describe(step: Any, responses: dict[str, str], means: dict[str, str] | None = None) -> Step:
    """The Dutch reading of one step of a story or rule (``means``: intent descriptions)."""
    means = means or {}
    if not isinstance(step, dict):
        return Step("assistent", str(step))
    if "intent" in step:
        meaning = means.get(str(step["intent"]))
        return Step("inwoner", f"vraagt: {step['intent']}" + (f" ({meaning})" if meaning else ""))
    if "action" in step:
        name = str(step["action"])
        if name in responses:
            return Step("assistent", f"antwoordt met {name}: \u201c{responses[name]}\u201d")
        return Step("assistent", f"voert uit: {name}")
    if "active_loop" in step:
        loop = step["active_loop"]
        return Step("assistent", "sluit het formulier af" if loop is None else f"formulier {loop} is actief")
    if "slot_was_set" in step:
        values = []
        for item in step["slot_was_set"] or []:
            if isinstance(item, dict):
                values.extend(f"{k} = {'leeg' if v is None else v}" for k, v in item.items())
            else:
                values.append(f"{item} is gevuld")
        return Step("geheugen", "onthoudt: " + ", ".join(values))
    if "or" in step:
        names = [str(option.get("intent", option)) for option in step["or"] or []]
        return Step("inwoner", "vraagt: " + " of ".join(names))
    if "checkpoint" in step:
        return Step("voorwaarde", f"vervolg van {step['checkpoint']}")
    return Step("assistent", ", ".join(f"{k}: {v}" for k, v in step.items()))


def first_texts(domain: dict[str, Any]) -> dict[str, str]:
    """The first text of every response in the domain."""
    texts: dict[str, str] = {}
    for name, variants in (domain.get("responses") or {}).items():
        for variant in variants or []:
            if isinstance(variant, dict) and variant.get("text"):
                texts[str(name)] = str(variant["text"]).strip()
                break
    return texts


def load_conversations(repo: Path) -> list[Conversation]:
    """Every story and rule under data/, in file order."""
    domain = read_domain(repo / "domain")
    responses = first_texts(domain)
    means = {intent.name: intent.means for intent in load_contract(repo)}
    found: list[Conversation] = []
    for path in sorted((repo / "data").glob("**/*.yml")):
        data = load_fast(path.read_text(encoding="utf-8"))
        relative = str(path.relative_to(repo))
        for key, kind in (("stories", "verhaal"), ("rules", "regel")):
            for item in (data or {}).get(key) or []:
                conversation = Conversation(kind, str(item.get("story") or item.get("rule")), relative)
                for condition in item.get("condition") or []:
                    step = describe(condition, responses, means)
                    conversation.steps.append(Step("voorwaarde", "alleen als " + step.text))
                conversation.steps.extend(
                    describe(step, responses, means) for step in item.get("steps") or []
                )
                found.append(conversation)
    return found
