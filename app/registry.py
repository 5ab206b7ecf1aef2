"""The composition root: every table, outbox handler, forget hook and retention hook, registered here.

Lower packages never name the modules above them; this module names them all, as imports that a
reader and a tool can follow. Every process calls :func:`register` before it does anything
(``app/*.py``; the test suite's ``tests/conftest.py``). A new table, outbox handler or
hook is one line here; forgetting it makes ``tests/test_registry.py`` fail.

Tables: a module's ``Table`` objects are defined on :data:`foundation.db.metadata` when it is
imported, and ``foundation.db.get_engine`` creates every table it knows; the imports below are that
registration (:data:`TABLES`).
"""

from __future__ import annotations

from actions import employee, tickets, verification, zaak_submission
from actions.municipality import settings_for, signal_overrides
from channels import whatsapp_ids, whatsapp_store
from foundation import outbox
from foundation.municipality import set_settings_resolver
from integrations.errors import BackendRejected
from privacy import my_data, processing_log
from privacy.forget import register_forget_hook
from privacy.retention import register_retention_hook
from signals import store as signal_store
from signals.rules import set_overrides_provider

#: Every table of the assistant database, by the module that owns it.
TABLES = {
    "outbox": [outbox.outbox],
    "handoff tickets": [tickets.handoff_tickets],
    "verification": [verification.verification_attempts],
    "whatsapp": [
        whatsapp_store.seen_messages,
        whatsapp_store.contacts,
        whatsapp_store.numbered_choices,
        whatsapp_ids.recipients,
    ],
    "mijn gegevens": [my_data.exports],
    "processing log": [processing_log.processing_log],
    "signals": [signal_store.consents, signal_store.ledger],
}

#: Outbox kind -> handler (``foundation.outbox.deliver`` looks them up).
OUTBOX_HANDLERS = {
    tickets.HANDOFF_KIND: tickets.deliver_handoff,
    employee.REPLY_KIND: employee.deliver_reply,
    employee.COMPLETE_KIND: employee.complete_task,
    zaak_submission.ZAKEN_CREATE: zaak_submission.deliver_zaak,
}

#: "Vergeet mij": hook name -> what deletes the feature's data about the conversation/resident.
FORGET_HOOKS = {
    signal_store.FORGET_HOOK_NAME: signal_store.forget_signal_data,
    "handoff_tickets": tickets.forget_tickets,
    "whatsapp_contacts": whatsapp_store.forget_contact,
    "verification_attempts": verification.forget_attempts,
    "my_data_exports": my_data.forget_exports,
}

#: Retention (``privacy.retention``): hook name -> ``hook(days, now) -> rows deleted``.
RETENTION_HOOKS = {
    "handoff_tickets": tickets.purge_tickets,
    "whatsapp": whatsapp_store.purge_whatsapp,
    "verification_attempts": verification.purge_old_attempts,
    "whatsapp_recipients": whatsapp_ids.purge,
    "my_data_exports": my_data.purge_exports,
}


#: Of those, the hooks whose rows carry their municipality (issue 18): run once per municipality with
#: its own period (``hook(days, now, municipality=name)``); the others run with the shortest period.
MUNICIPAL_RETENTION_HOOKS = frozenset({"handoff_tickets", "whatsapp_recipients"})


def register() -> None:
    """Register everything above (idempotent). Every process calls it first."""
    for kind, handler in OUTBOX_HANDLERS.items():
        outbox.register_handler(kind)(handler)
    outbox.register_permanent_error(BackendRejected)
    for name, hook in FORGET_HOOKS.items():
        register_forget_hook(name, hook)
    for name, hook in RETENTION_HOOKS.items():
        register_retention_hook(name, hook, per_municipality=name in MUNICIPAL_RETENTION_HOOKS)
    # issue 18: the integrations build their clients with the conversation's municipality's backends
    set_settings_resolver(settings_for)
    # issue 18: each municipality's signal rules are the national ones with its content's overrides
    set_overrides_provider(signal_overrides)
