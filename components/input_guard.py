"""NLU components that make bad input harmless and answerable.

``InputSanitizer`` runs first in the pipeline: it strips HTML tags and cuts very long messages,
so the rest of the pipeline never sees megabytes of text or markup. ``InputGuard`` runs last: for a
message that cannot be understood as Dutch text (empty, only emoji/symbols, too long, English) it
sets the intent to ``nlu_fallback`` and adds an ``input_problem`` entity, which the fallback action
(``actions/conversation.py``) turns into a specific Dutch answer from the domain.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.base import StatelessComponent

#: Messages longer than this are cut before NLU and answered with a request to be brief.
DEFAULT_MAX_CHARS = 1000
#: Metadata key that remembers the original length of a cut message.
ORIGINAL_LENGTH_KEY = "original_length"
INPUT_PROBLEM_ENTITY = "input_problem"
#: What the rest of the pipeline sees of an empty message (it must have a token).
EMPTY_PLACEHOLDER = "_"
FALLBACK_INTENT = "nlu_fallback"

_TAG = re.compile(r"<[^>]{0,200}>")
_WORD = re.compile(r"[a-zà-ÿ']+", re.IGNORECASE)

# English-only function words (not Dutch words as well), to spot a message written in English.
_ENGLISH_MARKERS = frozenset(
    """the are were you your yours i'm i've what where when how why which who
    can could would should please thanks thank hello my does did
    don't not this that these those with from about need have has get find
    there their they them our us it's for and to a an be been any some""".split()
)
_DUTCH_MARKERS = frozenset(
    """de het een ik je jij u uw mijn is zijn was waren wat waar wanneer hoe waarom
    welke wie kan kunt kun mag moet wil wilt graag niet geen met van voor naar op
    bij aan en of dat die dit deze er nog al ook maar heb heeft hebben hoi hallo
    dag bedankt dank gemeente""".split()
)


def strip_markup(text: str) -> str:
    """Remove HTML/XML tags and collapse whitespace."""
    return " ".join(_TAG.sub(" ", text).split())


def classify_problem(original: str, max_chars: int = DEFAULT_MAX_CHARS) -> str | None:
    """Return the kind of input problem of a resident's message, or None when it is fine.

    Args:
        original: the message as the resident sent it.
        max_chars: the longest message that is understood as it is.

    Returns:
        ``"empty"``, ``"only_emoji"``, ``"too_long"``, ``"english"`` or None.
    """
    text = strip_markup(original or "")
    if not text:
        return "empty"
    if not any(ch.isalnum() for ch in text):
        if any(unicodedata.category(ch) in ("So", "Sk", "Cs") for ch in text):
            return "only_emoji"
        return "empty"
    if len(original) > max_chars:
        return "too_long"
    words = [w.lower() for w in _WORD.findall(text)]
    english = sum(1 for w in words if w in _ENGLISH_MARKERS)
    dutch = sum(1 for w in words if w in _DUTCH_MARKERS)
    if english >= 2 and english > 2 * dutch:
        return "english"
    return None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class InputSanitizer(StatelessComponent):
    """Strips markup and cuts long messages before tokenisation (first in the pipeline)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default settings."""
        return {"max_chars": DEFAULT_MAX_CHARS}

    def __init__(self, config: dict[str, Any]) -> None:
        self.max_chars = int(config.get("max_chars", DEFAULT_MAX_CHARS))

    takes_config = True

    def process(self, messages: list[Message]) -> list[Message]:
        """Clean each message's text in place."""
        for message in messages:
            original = message.get(TEXT) or ""
            problem = classify_problem(original, self.max_chars)
            if problem:
                message.set("input_problem", problem, add_to_output=False)
            cleaned = strip_markup(original)[: self.max_chars]
            # classifiers fail on a message without any token; InputGuard overrides the intent
            message.set(TEXT, cleaned or EMPTY_PLACEHOLDER)
        return messages


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class InputGuard(StatelessComponent):
    """Turns unusable input into ``nlu_fallback`` with an ``input_problem`` entity (last)."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Override the intent of messages the sanitizer flagged."""
        for message in messages:
            problem = message.get("input_problem")
            if not problem:
                continue
            message.set(
                INTENT,
                {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0},
                add_to_output=True,
            )
            message.set(
                INTENT_RANKING_KEY,
                [{INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}],
                add_to_output=True,
            )
            entities = [
                e for e in (message.get(ENTITIES) or []) if e.get("entity") != INPUT_PROBLEM_ENTITY
            ]
            entities.append(
                {
                    "entity": INPUT_PROBLEM_ENTITY,
                    "value": problem,
                    "start": 0,
                    "end": 0,
                    "extractor": self.__class__.__name__,
                }
            )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
