"""Proactive signals with consent: rules as data, a consent store, a ledger and the engine.

* ``signals/rules.yml`` (schema ``signals/rules.schema.json``): the rules, readable by policy staff.
* ``signals/aow_ages.yml``: the AOW-age table used by rules of kind ``aow_age``.
* :mod:`signals.rules`: loading/validation and the rule kinds (pure functions of BRP data and a day).
* :mod:`signals.store`: the ``signal_consents`` and ``signal_ledger`` tables.
* :mod:`signals.delivery`: delivery through Rasa's external events API or a WhatsApp template.
* :mod:`signals.engine`: ``python -m signals.engine [--dry-run] [--today YYYY-MM-DD]``.

Nothing happens at import time.
"""
