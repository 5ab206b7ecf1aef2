"""The composition root (:mod:`app.registry`) and the process entry points that import it.

Every process of the assistant that needs registrations starts here: ``python -m app.action_server``,
``python -m app.outbox_worker``, ``python -m app.employee``, ``python -m app.purge``,
``python -m app.signals`` (and ``scripts/scheduler.py``, which runs the last two).
"""
