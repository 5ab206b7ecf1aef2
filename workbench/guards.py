"""Guards on a proposed training example: why a label is refused (in Dutch, for the trainer).

A label is refused when the text still holds personal data (a finding of :func:`privacy.detect.scan`
or a mask placeholder such as ``[BSN]``), when the same example (after normalising case,
punctuation and entity markup) is already in the training data or waiting in another proposal,
when it is in the held-out test set ``tests/nlu/`` (training on it would make the check lie), or
when the intent is not in the contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from privacy.detect import PLACEHOLDERS, scan
from workbench.contract import load_contract
from workbench.nlu_data import HELD_OUT_DIR, TRAINING_DIR, normalise, read_examples

MAX_LENGTH = 300
_MARKUP = re.compile(r"[\[\]{}]")

#: Dutch names of the personal-data categories, for the refusal message.
CATEGORY_NAMES: dict[str, str] = {
    "bsn": "een BSN",
    "iban": "een IBAN",
    "phone": "een telefoonnummer",
    "email": "een e-mailadres",
    "document_number": "een documentnummer",
    "health": "gezondheidsgegevens",
    "criminal": "strafrechtelijke gegevens",
}


@dataclass
class GuardResult:
    """The outcome of the guards: empty ``reasons`` means the label may be proposed."""

    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no guard refused."""
        return not self.reasons


class ExampleIndex:
    """Normalised training and held-out examples of one repository, read once."""

    def __init__(self, repo: Path) -> None:
        """Read the examples of ``repo`` (data/nlu and tests/nlu) and the contract."""
        self.training = {normalise(e.text): e for e in read_examples(repo, TRAINING_DIR)}
        self.held_out = {normalise(e.text): e for e in read_examples(repo, HELD_OUT_DIR)}
        self.intents = {intent.name for intent in load_contract(repo)}


def check_label(text: str, intent: str, index: ExampleIndex, pending: Iterable[str] = ()) -> GuardResult:
    """Check a proposed example.

    Args:
        text: the example text as it would be written.
        intent: the chosen intent (a contract name or ``out_of_scope``).
        index: the repository's examples.
        pending: texts of proposals not yet written (approved or waiting).

    Returns:
        The reasons the label is refused (Dutch), empty when it may be proposed.
    """
    result = GuardResult()
    stripped = " ".join((text or "").split())
    if not stripped:
        result.reasons.append("De tekst is leeg.")
        return result
    if len(stripped) > MAX_LENGTH:
        result.reasons.append(f"De tekst is langer dan {MAX_LENGTH} tekens; kort hem in.")
    if intent not in index.intents:
        result.reasons.append(f"De intentie '{intent}' staat niet in het intentiecontract.")
    categories = sorted(scan(stripped).categories)
    placeholders = [p for p in PLACEHOLDERS.values() if p in stripped]
    if categories or placeholders:
        names = [CATEGORY_NAMES.get(c, c) for c in categories]
        if placeholders:
            names.append("afgeschermde persoonsgegevens (" + ", ".join(placeholders) + ")")
        result.reasons.append(
            "De tekst bevat nog persoonsgegevens: "
            + ", ".join(names)
            + ". Herschrijf het voorbeeld zonder deze gegevens."
        )
    elif _MARKUP.search(stripped):
        result.reasons.append("De tekst bevat haakjes [ ] of { }; die zijn voor entiteiten. Laat ze weg.")
    key = normalise(stripped)
    if key in index.held_out:
        result.reasons.append(
            f"Deze zin staat in de testset ({index.held_out[key].path}). Testzinnen mogen niet in de "
            "training, anders meet de controle niets meer."
        )
    if key in index.training:
        existing = index.training[key]
        result.reasons.append(
            f"Dit voorbeeld bestaat al in {existing.path} bij de intentie '{existing.intent}'."
        )
    if key in {normalise(p) for p in pending}:
        result.reasons.append("Dit voorbeeld is al voorgesteld en wacht op goedkeuring.")
    return result
