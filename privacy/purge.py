"""Retention job, run as ``python -m app.purge [--days N] [--log-days N] [--dry-run]``.

Deletes conversations whose last message is older than the retention period from the tracker
database and processing-log entries older than the processing-log period, each municipality with its
own periods (the ``retention`` section of its content; national default ``RETENTION_DAYS`` and
``PROCESSING_LOG_RETENTION_DAYS``). ``--days`` / ``--log-days`` set one period for every municipality.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from foundation.settings import get_settings
from privacy.retention import run_retention


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of days")
    return number


def main(argv: list[str] | None = None) -> int:
    """Run the purge; returns the exit status."""
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m app.purge", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--days",
        type=_positive,
        default=None,
        help="delete conversations idle for more than this many days, in every municipality "
        f"(default: each municipality's own, nationally {settings.retention_days})",
    )
    parser.add_argument(
        "--log-days",
        type=_positive,
        default=None,
        help="delete processing-log entries older than this many days, in every municipality "
        f"(default: each municipality's own, nationally {settings.processing_log_retention_days})",
    )
    parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not os.environ.get("TRACKER_DB_URL"):
        print("error: TRACKER_DB_URL is not set; refusing to purge a default database", file=sys.stderr)
        return 2

    report = run_retention(args.days, args.log_days, dry_run=args.dry_run)
    verb = "would delete" if report.dry_run else "deleted"
    print(
        f"{verb} {report.conversations} conversations ({report.events} events) idle > {report.days} days; "
        f"{verb} {report.log_entries} processing-log entries older than {report.log_days} days"
        if len(report.municipalities) <= 1
        else f"{verb} {report.conversations} conversations ({report.events} events) and "
        f"{report.log_entries} processing-log entries"
    )
    for own in report.municipalities if len(report.municipalities) > 1 else ():
        print(
            f"  {own.municipality}: {own.days} days: {own.conversations} conversations "
            f"({own.events} events); {own.log_days} days: {own.log_entries} processing-log entries"
        )
    return 0

