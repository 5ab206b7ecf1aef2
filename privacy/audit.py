"""Print processing-log entries for an audit: ``python -m privacy.audit --bsn 999993653``.

Answers a resident's request "which of my data did the assistant process, when and why?"
(AVG art. 15). Entries are found by the pseudonym of the BSN; the BSN is not stored.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone

from privacy.processing_log import query


def _since(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def main(argv: list[str] | None = None) -> int:
    """Run the audit command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m privacy.audit", description=__doc__.splitlines()[0])
    parser.add_argument("--bsn", help="BSN of the resident (matched by its pseudonym)")
    parser.add_argument("--since", type=_since, help="only entries from this date/time on (ISO, UTC)")
    parser.add_argument("--purpose", help="only entries with this purpose")
    parser.add_argument("--gemeente", help="only entries of this municipality (issue 18)")
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    args = parser.parse_args(argv)

    records = query(resident_bsn=args.bsn, since=args.since, purpose=args.purpose, municipality=args.gemeente)
    for record in records:
        if args.json:
            print(json.dumps(record.as_dict(), ensure_ascii=False))
        else:
            print(
                f"{record.time.isoformat(timespec='seconds')}  {record.activity}  "
                f"doel: {record.purpose}  gegevens: {', '.join(record.data_categories)}  "
                f"grondslag: {record.legal_basis}  door: {record.actor}"
                + (f"  systeem: {record.system}" if record.system else "")
                + (f"  gemeente: {record.municipality}" if record.municipality else "")
            )
    if not args.json:
        print(f"{len(records)} entries", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
