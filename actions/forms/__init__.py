"""The one form framework: every form's validation action is a :class:`FormValidation`.

Contract (what a form gets by subclassing, and what it must provide):

* **Answers from the message itself** (custom slot mappings): :meth:`FormValidation.parse` reads the
  answer to the requested question and, with ``requested=False``, clear answers to other questions
  ("ik verhuis op 1 mei naar 1234 AB 5": several answers in one message).
* **Corrections**: an answer to an earlier question that differs from what was given changes only
  that answer ("nee, de dakkapel komt aan de voorkant"); it never also fills the current question.
  The resident hears ``utter_form_answer_changed``.
* **Invalid answers**: ``validate_<slot>`` calls :meth:`FormValidation.reject` with a reason code
  (``utter_<prefix>_invalid_<code>`` explains it and the question is asked again); after
  :data:`MAX_INVALID_ANSWERS` in a row to the same question the form stops with
  :attr:`FormValidation.offer_human_response` and sets :data:`HANDOFF_SLOT`. One slot family for every
  form: :data:`BOOKKEEPING_SLOTS`.
* **"Weet ik niet"** is an answer only where :attr:`FormValidation.unknown_slots` allows it;
  elsewhere the form says what to do instead (``utter_<prefix>_dont_know_<slot>``, else
  ``utter_form_dont_know``) and asks again.
* **Digressions**: thanks and greetings are answered by the form with ``utter_form_return``; after any
  other side question answered by a rule the form says ``utter_form_return`` before its question
  (unless the rule already said ``utter_resume_*``). A message with the form's own trigger intent
  ("straatverlichting" in the public-space report) is an answer, never a restart.
* **Reset on start**: every form starts clean, also when an earlier run was left without "stop";
  answers in the opening message are used (:meth:`FormValidation.prefill`).
* **Summary and confirm**: :attr:`FormValidation.confirm_slot` and
  :meth:`FormValidation.validate_confirmation`: "ja" is final; "nee" asks ``utter_ask_form_change``
  ("wat wilt u veranderen?"), and only the answer named (:attr:`FormValidation.change_words`) or
  corrected is asked again, then the summary again.
* **Crisis** (:data:`NEVER_ANSWER_INTENTS`): a ``crisis`` message is never an answer and never an
  invalid answer; the safety layer pauses the form and ``action_resume_form`` continues it with its
  answers kept (:meth:`FormValidation.resuming`).
* **Backend failures**: :meth:`FormValidation.stop` ends the form at once (:data:`STOP_SLOT`).
* The submit action ends with :func:`reset_events` and does nothing when :func:`ended_early`.

Answer parsing lives in :mod:`actions.parsing`; ``tests/actions/test_forms_domain.py`` checks every
form's slot tuples against the domain (domain/).
"""

from actions.forms.base import (
    ANSWER_INTENTS,
    CONTROL_INTENTS,
    NEVER_ANSWER_INTENTS,
    FormValidation,
    parse_confirmation,
)
from actions.forms.slots import (
    BOOKKEEPING_SLOTS,
    CHANGE_SLOT,
    HANDOFF_SLOT,
    INVALID_COUNT_SLOT,
    INVALID_SLOT_SLOT,
    MAX_INVALID_ANSWERS,
    STOP_SLOT,
    ended_early,
    invalid,
    is_invalid,
    reset_events,
)
from actions.forms.submission import idempotency_key

__all__ = [
    "ANSWER_INTENTS",
    "BOOKKEEPING_SLOTS",
    "CHANGE_SLOT",
    "CONTROL_INTENTS",
    "HANDOFF_SLOT",
    "INVALID_COUNT_SLOT",
    "INVALID_SLOT_SLOT",
    "MAX_INVALID_ANSWERS",
    "NEVER_ANSWER_INTENTS",
    "STOP_SLOT",
    "FormValidation",
    "ended_early",
    "idempotency_key",
    "invalid",
    "is_invalid",
    "parse_confirmation",
    "reset_events",
]
