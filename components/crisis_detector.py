"""NLU component: a message from a person in danger becomes intent ``crisis`` (runs last in NLU).

It uses :func:`components.crisis.detect_crisis`. When a message speaks of suicide, violence or abuse at
home, or acute danger, the intent is set to ``crisis`` (confidence 1.0, ranked first) and one
``crisis_type`` entity is added per kind found (``acute_danger``, ``suicide``,
``domestic_violence``; most urgent first). An ``input_problem`` entity of the input guard is
dropped, so an English or over-long crisis message is answered too. Rules in
``data/rules/safety.yml`` answer ``crisis`` before anything else, in and outside every form; the
forms never read a ``crisis`` message as an answer. Pipeline entry (after ``InputGuard``)::

    - name: components.crisis_detector.CrisisDetector

Registered as a non-trainable intent classifier: Rasa calls ``process`` at inference only.
"""

from __future__ import annotations

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
from components.crisis import detect_crisis

CRISIS_INTENT = "crisis"
CRISIS_ENTITY = "crisis_type"
_DROPPED_ENTITIES = frozenset({CRISIS_ENTITY, "input_problem"})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisDetector(StatelessComponent):
    """Sets intent ``crisis`` and ``crisis_type`` entities on messages from a person in danger."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Override the intent of each message that speaks of danger."""
        for message in messages:
            kinds = detect_crisis(message.get(TEXT) or "")
            if not kinds:
                continue
            top = {INTENT_NAME_KEY: CRISIS_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [
                r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get(INTENT_NAME_KEY) != CRISIS_INTENT
            ]
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top, *ranking][:10], add_to_output=True)
            entities = [e for e in (message.get(ENTITIES) or []) if e.get("entity") not in _DROPPED_ENTITIES]
            extractor = self.__class__.__name__
            entities += [
                {"entity": CRISIS_ENTITY, "value": kind, "start": 0, "end": 0, "extractor": extractor}
                for kind in kinds
            ]
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
