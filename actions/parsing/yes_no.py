"""Yes / no / "weet ik niet" in residents' answers.

The one reader of plain confirmations: every form and the assistant's own yes/no questions use
:func:`yes_no`; :func:`keyword_yes_no` reads a yes/no from a keyword with its negation ("het is geen
monument").
"""

from __future__ import annotations

import re

YES, NO = "ja", "nee"
#: The value of an answer "weet ik niet" (intent ``dont_know``).
UNKNOWN = "weet_ik_niet"

_NEGATION = re.compile(r"\b(geen|niet|nee|nope)\b")
_YES_WORDS = re.compile(
    r"^\s*(ja|jawel|jazeker|jaa+|klopt|zeker|inderdaad|yes|jep|ja hoor|graag|prima|goed|oke|ok|okay|"
    r"doe maar|doorsturen|akkoord|correct)\b"
)
_NO_WORDS = re.compile(r"^\s*(nee|neen|nope|welnee|nee hoor|niet|liever niet|klopt niet|nee dank\w*)\b")


def yes_no(text: str, intent: str | None = None) -> str | None:
    """Read a plain yes/no answer ("ja", "nee", or the affirm/deny intent).

    Args:
        text: The resident's message.
        intent: The message's intent (``affirm``/``deny`` count), if known.

    Returns:
        :data:`YES`, :data:`NO` or ``None`` when the message is neither.
    """
    lowered = text.lower()
    if _NO_WORDS.search(lowered) or intent == "deny":
        return NO
    if _YES_WORDS.search(lowered) or intent == "affirm":
        return YES
    return None


def keyword_yes_no(text: str, pattern: re.Pattern[str]) -> str | None:
    """Yes/no from a keyword ("het is een monument" -> ja, "geen monument" -> nee), else ``None``.

    The keyword is negated when "geen"/"niet"/"nee" occurs in the same clause before it.
    """
    for clause in re.split(r"[,;.]|\ben\b|\bmaar\b", text.lower()):
        match = pattern.search(clause)
        if match:
            return NO if _NEGATION.search(clause[: match.start()]) else YES
    return None
