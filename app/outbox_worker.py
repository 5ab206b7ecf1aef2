"""The outbox worker: ``python -m app.outbox_worker [--once] [--interval SECONDS]``.

Retries every pending entry of :mod:`foundation.outbox` with its registered handler
(:mod:`app.registry`) until it is delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from app import registry
from foundation.outbox import DEFAULT_INTERVAL_SECONDS, run_worker


def main(argv: list[str] | None = None) -> int:
    """Run the worker."""
    parser = argparse.ArgumentParser(prog="python -m app.outbox_worker", description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="one delivery pass, then exit")
    parser.add_argument(
        "--interval", type=float, default=DEFAULT_INTERVAL_SECONDS, help="seconds between passes"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    registry.register()
    try:
        asyncio.run(run_worker(once=args.once, interval=args.interval))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
