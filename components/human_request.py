"""NLU component: an explicit request for a human wins over any topic in the same message.

"ik wil toch een medewerker, mijn rijbewijs is gestolen" names a topic (driving licence) and asks for
a person; the classifier may pick the topic. :class:`HumanRequestOverride` runs after the classifiers
and sets the intent to ``request_human`` when the message clearly asks for a person, so the handoff
starts (its form takes the message text as the resident's question). Questions whether the assistant
is a person ("ben jij een mens?") and negations ("ik hoef geen medewerker") are left alone.

The reverse holds too: a bare "terug" ("ga terug", "vorige vraag") is a resident trying to go back in
a question list, not a request for a person (the training data only knows "terug" from "bel mij
terug") nor a question about their question to an advisor ("vorige vraag" scored
``ask_ticket_status`` 0.97). Whatever it was classified as, it becomes ``nlu_fallback``: inside a
form the question is asked again. Going back to an earlier question is not supported.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.base import StatelessComponent

HUMAN_INTENT = "request_human"
#: Intents that already lead to a person, or that a request pattern must not override.
KEEP_INTENTS = frozenset(
    {HUMAN_INTENT, "answer_not_helpful", "bot_challenge", "human_reply", "cancel", "ask_ticket_status"}
)
#: "de medewerker" is one the resident already has (a question about a ticket), not a request.
_KNOWN_EMPLOYEE = re.compile(r"\b(de|die|uw|jullie)\s+(medewerker|ambtenaar)\w*")
_REQUEST = re.compile(
    r"\b(medewerker|ambtenaar|mens(en)?\s+spreken|(echt|echte)\s+(mens|persoon)|"
    r"iemand\s+(van\s+de\s+gemeente\s+)?(spreken|aan\s+de\s+lijn|aan\s+de\s+telefoon)|"
    r"(een\s+)?persoon\s+spreken|met\s+iemand\s+(praten|bellen)|een\s+mens\b)"
)
_NEGATED = re.compile(r"\b(geen|niet|zonder)\s+(een\s+)?(medewerker|mens|persoon|ambtenaar)")
#: A message that is only a word for going back ("terug", "ga terug", "terug naar de vorige vraag").
_ONLY_GOING_BACK = re.compile(
    r"^\W*((ga|ik\s+wil|kan\s+ik)\s+)?"
    r"(terug|een\s+stap\s+terug|back|(terug\s+)?(naar\s+)?(de\s+)?vorige(\s+vraag)?)"
    r"(\s+(aub|a\.u\.b\.?|graag|alsjeblieft|alstublieft|svp))?\W*$"
)
FALLBACK_INTENT = "nlu_fallback"
_ASKS_WHAT_THE_BOT_IS = re.compile(r"\b(ben|bent|is)\s+(je|jij|u|dit|dat)\b")


def asks_for_a_human(text: str) -> bool:
    """Whether ``text`` explicitly asks for a person (not a negation, not "ben jij een mens?")."""
    lowered = _KNOWN_EMPLOYEE.sub(" ", text.lower())
    if not _REQUEST.search(lowered) or _NEGATED.search(lowered):
        return False
    return not _ASKS_WHAT_THE_BOT_IS.search(lowered)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class HumanRequestOverride(StatelessComponent):
    """Sets ``request_human`` for explicit requests for a person, ``nlu_fallback`` for going back.

    Runs after the classifiers; button payloads ("/intent") are left alone.
    """

    def process(self, messages: list[Message]) -> list[Message]:
        """Override the intent of explicit requests for a human and of bare going-back messages."""
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            if _ONLY_GOING_BACK.match(text.lower()):
                _put_first(message, FALLBACK_INTENT)
                continue
            if intent in KEEP_INTENTS or message.get("input_problem"):
                continue
            if not asks_for_a_human(text):
                continue
            _put_first(message, HUMAN_INTENT)
        return messages


def _put_first(message: Message, intent: str) -> None:
    """Make ``intent`` the message's intent (confidence 1.0) and the head of its ranking."""
    message.set(INTENT, {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != intent]
    message.set(
        INTENT_RANKING_KEY,
        [{INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}, *ranking],
        add_to_output=True,
    )
