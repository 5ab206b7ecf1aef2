"""Signal engine: ``python -m signals.engine [--dry-run] [--today YYYY-MM-DD] [--deliver-only]``.

One run has two phases:

1. Evaluate: for every resident with an active consent (on a consent text that is still valid), ask
   the BRP (through :class:`integrations.brp.BrpClient`) only what the enabled rules need (birth
   date, travel documents), log each lookup in the processing log (purpose ``signalering``), evaluate
   the rules and record each due signal in ``signal_ledger`` as ``pending``. The ledger's unique key
   (resident, rule, period) makes a second run on the same day a no-op.
2. Deliver: every pending ledger row is claimed, the consent is checked again right before sending
   (an opt-out in between means: nothing is sent and the row is deleted), rows past their window
   expire, the rest go out (:mod:`signals.delivery`). A failure leaves the row pending for the next
   run; a row is marked ``sent`` only after Rasa or WhatsApp accepted it.

Several municipalities (issue 18): each consent records the municipality of the conversation in
which the resident subscribed. The resident's signals are evaluated with that municipality's rules
(:func:`signals.rules.rules_for`: the national rules with the municipality's overrides from its
content), the BRP is asked through that municipality's backend (``foundation.municipality.settings``)
and the lookup is logged in its processing log.

``--dry-run`` prints what would be recorded and sent, and writes and sends nothing (the BRP lookups
still happen and are logged: they are processing). ``--deliver-only`` skips phase 1 (the scheduler's
retry pass). Output never shows a BSN: residents appear as the first characters of their pseudonym.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import httpx

from foundation import clock
from foundation.db import run_db
from foundation.municipality import use
from foundation.settings import Settings, get_settings
from integrations.brp import BrpClient
from integrations.errors import BackendError
from privacy.processing_log import alog_processing
from signals import store
from signals.delivery import Deliverer, DeliveryError
from signals.rules import (
    NEEDS_BIRTH_DATE,
    NEEDS_DOCUMENTS,
    Due,
    ResidentData,
    RulesError,
    RuleSet,
    evaluate_all,
    load_rules,
    rules_for,
)

logger = logging.getLogger(__name__)

PURPOSE = "signalering"
ACTIVITY = "BRP raadplegen"
LEGAL_BASIS = "AVG art. 6 lid 1 sub a (toestemming van de inwoner voor signaleringen)"
ACTOR = "signaleringsmodule digitale assistent"


@dataclass
class RunReport:
    """What a run did (counts) and, for a dry run, the lines it printed."""

    residents: int = 0
    lookup_failures: int = 0
    recorded: int = 0
    already_recorded: int = 0
    sent: int = 0
    failed: int = 0
    dropped_no_consent: int = 0
    expired: int = 0
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One log line."""
        return (
            f"residents={self.residents} lookup_failures={self.lookup_failures} recorded={self.recorded} "
            f"already_recorded={self.already_recorded} sent={self.sent} failed={self.failed} "
            f"dropped_no_consent={self.dropped_no_consent} expired={self.expired}"
        )


def _short(key: str) -> str:
    return f"{key[:10]}…"


async def _log_lookup(bsn: str, categories: list[str]) -> None:
    """Write a processing-log entry for one BRP lookup."""
    await alog_processing(
        ACTIVITY, PURPOSE, categories, LEGAL_BASIS, resident_bsn=bsn, actor=ACTOR, system="BRP"
    )


async def fetch_resident(client: BrpClient, bsn: str, rules: RuleSet) -> ResidentData:
    """Ask the BRP only what the enabled rules need, logging each lookup.

    Raises:
        BackendError: The BRP failed or does not know the person.
    """
    kinds = {rule.kind for rule in rules.enabled}
    birth_date = None
    documents: tuple[tuple[str, date | None, bool], ...] = ()
    if kinds & NEEDS_BIRTH_DATE:
        person = await client.get_person(bsn, ["geboorte"])
        await _log_lookup(bsn, ["geboortedatum"])
        birth_date = person.geboortedatum
    if kinds & NEEDS_DOCUMENTS:
        found = await client.get_travel_documents(bsn)
        await _log_lookup(bsn, ["reisdocument soort", "reisdocument einddatum geldigheid"])
        documents = tuple((d.soort_code, d.datum_einde_geldigheid, d.ingehouden_of_vermist) for d in found)
    return ResidentData(birth_date=birth_date, documents=documents)


class MunicipalRules:
    """The rules of each municipality (the national ones with its overrides), built once per run."""

    def __init__(self, national: RuleSet) -> None:
        self.national = national
        self._built: dict[str, RuleSet | None] = {}

    def of(self, municipality: str | None) -> RuleSet | None:
        """The rules of ``municipality``; ``None`` when its overrides are invalid (logged once)."""
        name = municipality or ""
        if name not in self._built:
            try:
                self._built[name] = rules_for(municipality, self.national)
            except RulesError:
                logger.exception("signal rules of %s invalid; its residents are skipped", name)
                self._built[name] = None
        return self._built[name]


#: The BRP client of a municipality (one shared client, or one per municipality's own backend).
ClientFor = Callable[[str], "BrpClient"]


async def evaluate(
    rules: RuleSet,
    today: date,
    client: BrpClient | ClientFor,
    report: RunReport,
    dry_run: bool = False,
) -> list[tuple[store.Consent, Due]]:
    """Phase 1: evaluate the rules for every consenting resident and record what is due.

    Args:
        rules: The national rules (each resident gets those of their municipality).
        today: The day to evaluate.
        client: The BRP client, or a function giving the client of a municipality.
        report: Counts of this run.
        dry_run: Record nothing.

    Returns:
        The due signals found (recorded or not).
    """
    client_for: ClientFor = client if not isinstance(client, BrpClient) else (lambda _name: client)
    municipal = MunicipalRules(rules)
    consents = await run_db(store.active_consents)
    found: list[tuple[store.Consent, Due]] = []
    for consent in consents:
        own = municipal.of(consent.municipality)
        if own is None or consent.consent_version not in own.valid_consent_versions or not consent.bsn:
            continue
        report.residents += 1
        if not own.enabled:
            continue  # every rule switched off in this municipality: nothing to ask the BRP
        try:
            with use(consent.municipality):  # its backend, its processing log (issue 18)
                resident = await fetch_resident(client_for(consent.municipality), consent.bsn, own)
        except BackendError as exc:
            report.lookup_failures += 1
            logger.warning("BRP lookup for resident %s failed: %s", _short(consent.resident_key), exc)
            continue
        for due in evaluate_all(own, resident, today):
            found.append((consent, due))
            if dry_run:
                existing = [
                    e
                    for e in await run_db(store.ledger_entries, consent.resident_key)
                    if (e.rule_id, e.period) == (due.rule_id, due.period)
                ]
                state = f"already in the ledger ({existing[0].status})" if existing else "new"
                report.lines.append(
                    f"due: {due.rule_id} period {due.period} for resident {_short(consent.resident_key)} "
                    f"via {consent.channel or 'latest'}: {state}"
                )
                if existing:
                    report.already_recorded += 1
                else:
                    report.recorded += 1
                continue
            added = await run_db(
                store.add_to_ledger, consent.resident_key, due.rule_id, due.period, due.values, due.expires_on
            )
            if added:
                report.recorded += 1
            else:
                report.already_recorded += 1
    return found


async def deliver_pending(
    rules: RuleSet,
    today: date,
    deliverer: Deliverer,
    report: RunReport,
    now: Callable[[], datetime] = clock.utcnow,
) -> None:
    """Phase 2: deliver every pending signal; failures stay pending."""
    municipal = MunicipalRules(rules)
    for entry_id in await run_db(store.pending_ids, now()):
        entry = await run_db(store.claim, entry_id, now())
        if entry is None:
            continue  # sent, dropped or being sent by another run meanwhile
        consent = await run_db(store.active_consent, entry.resident_key)  # re-check right before sending
        # the rules of the resident's municipality (issue 18): a rule switched off there expires
        own = municipal.of(consent.municipality) if consent else rules
        if own is None:  # its overrides are invalid (logged): never send what it may have switched off
            await run_db(store.mark_failed, entry.id, "signal rules of the municipality are invalid")
            report.failed += 1
            continue
        rule = own.get(entry.rule_id)
        if rule is None or not rule.enabled or today > entry.expires_on:
            await run_db(store.mark_expired, entry.id)
            report.expired += 1
            continue
        if consent is None or consent.consent_version not in own.valid_consent_versions:
            await run_db(store.drop_entry, entry.id)
            report.dropped_no_consent += 1
            continue
        try:
            via = await deliverer.deliver(rule, entry.details, consent.channel, consent.sender_id, now())
        except DeliveryError as exc:
            await run_db(store.mark_failed, entry.id, str(exc))
            report.failed += 1
            logger.warning("signal %s (%s) not delivered, stays pending: %s", entry.id, rule.id, exc)
            continue
        except Exception as exc:  # noqa: BLE001 - never lose a signal over an unexpected error
            await run_db(store.mark_failed, entry.id, repr(exc))
            report.failed += 1
            logger.exception("signal %s (%s) delivery crashed, stays pending", entry.id, rule.id)
            continue
        await run_db(store.mark_sent, entry.id, via)
        report.sent += 1
        logger.info("signal %s (%s) sent via %s", entry.id, rule.id, via)


async def dry_run_deliveries(rules: RuleSet, today: date, report: RunReport) -> None:
    """Print which pending signals a real run would try to deliver (nothing is changed)."""
    municipal = MunicipalRules(rules)
    for entry in await run_db(store.ledger_entries):
        if entry.status != store.PENDING:
            continue
        consent = await run_db(store.active_consent, entry.resident_key)
        own = municipal.of(consent.municipality if consent else None) or rules
        rule = own.get(entry.rule_id)
        if rule is None or not rule.enabled or today > entry.expires_on:
            verdict = "would expire"
        elif consent is None or consent.consent_version not in own.valid_consent_versions:
            verdict = "would be dropped (no consent)"
        else:
            verdict = f"would send {rule.message} via {consent.channel or 'latest'}"
        who = _short(entry.resident_key)
        report.lines.append(f"pending: {entry.rule_id} period {entry.period} for resident {who}: {verdict}")


async def run(
    today: date | None = None,
    dry_run: bool = False,
    deliver_only: bool = False,
    settings: Settings | None = None,
    rules: RuleSet | None = None,
    brp_transport: httpx.AsyncBaseTransport | None = None,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
    whatsapp_api: Any | None = None,
) -> RunReport:
    """One engine run (see the module docstring)."""
    s = settings or get_settings()
    ruleset = rules or load_rules()  # the national rules; each resident gets their municipality's
    day = today or date.today()
    report = RunReport()
    if not deliver_only:
        async with AsyncExitStack() as stack:
            clients: dict[str, BrpClient] = {}

            def client_for(name: str) -> BrpClient:
                # given settings: one BRP for all; else each municipality's own (or the shared one)
                key = "" if settings is not None else name
                if key not in clients:
                    built = BrpClient.from_settings(settings, transport=brp_transport)
                    clients[key] = built
                    stack.push_async_callback(built.aclose)
                return clients[key]

            await evaluate(ruleset, day, client_for, report, dry_run=dry_run)
    if dry_run:
        await dry_run_deliveries(ruleset, day, report)
        return report
    async with Deliverer(s, rasa_transport=rasa_transport, whatsapp_api=whatsapp_api) as deliverer:
        await deliver_pending(ruleset, day, deliverer, report)
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line; returns the exit status (1 when the rules are invalid)."""
    parser = argparse.ArgumentParser(prog="python -m signals.engine", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; record and send nothing"
    )
    parser.add_argument(
        "--today", type=date.fromisoformat, help="evaluate as if it were this day (YYYY-MM-DD)"
    )
    parser.add_argument("--deliver-only", action="store_true", help="only retry pending deliveries")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        report = asyncio.run(run(today=args.today, dry_run=args.dry_run, deliver_only=args.deliver_only))
    except RulesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in report.lines:
        print(line)
    print(("dry run: " if args.dry_run else "") + report.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
