"""NLU component that flags personal and special-category data in a resident's message.

It only annotates: the parse data of every message gets a ``privacy`` key with the categories
found by :func:`privacy.detect.scan` (never the values)::

    "privacy": {"categories": ["bsn", "health"], "special_category": true}

``action_privacy_notice`` (actions/privacy_notice.py) reads it to ask the resident kindly not to share
health or criminal-record information here. Pipeline entry (last, after the classifiers)::

    - name: components.privacy_guard.PrivacyGuard

Registered as a non-trainable intent classifier: Rasa then calls ``process`` at inference only,
it needs no training and does not change the intent or entities.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from components.base import StatelessComponent
from privacy.detect import scan

#: Key of the scan result in the parse data.
PRIVACY_KEY = "privacy"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class PrivacyGuard(StatelessComponent):
    """Adds the privacy scan result (categories only) to each parsed message."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Scan each message's text and add the categories under ``privacy``."""
        for message in messages:
            result = scan(message.get(TEXT) or "")
            message.set(PRIVACY_KEY, result.to_dict(), add_to_output=True)
        return messages
