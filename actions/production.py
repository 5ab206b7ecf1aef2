"""Fail closed: ``python -m actions.production check`` refuses a production start with weak settings.

Run by ``scripts/run-production.sh`` before ``rasa run`` (and before the action server). It exits
with status 1 and lists the problems (names only, never values) when:

* a secret (:data:`SECRETS`) is missing, equal to its local development default, or shorter than
  32 bytes;
* ``RASA_JWT_SECRET`` is empty (the HTTP API would run without authentication: ``PUT /model``
  could load any model);
* ``TRACKER_DB_URL`` or ``DATABASE_URL`` is unset or SQLite (the purge and "vergeet mij" would run
  against an empty local file);
* the credentials file enables the REST channel (it takes any ``sender`` from the request body);
* the action server would bind to all interfaces.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import yaml

from foundation.settings import Settings, secrets

#: Settings fields that are secrets -> their environment variable (declared in foundation.settings).
SECRETS: dict[str, str] = secrets()
MIN_SECRET_BYTES = 32
#: Channels that must not be enabled in production (they trust the client's conversation id).
FORBIDDEN_CHANNELS = ("rest", "channels.rest.ApologeticRestInput", "rasa.core.channels.rest.RestInput")


def problems(env: Mapping[str, str], credentials: Path | None = None) -> list[str]:
    """Everything that makes this environment unfit for production (empty list: fine)."""
    defaults = Settings()
    found: list[str] = []
    for field, variable in SECRETS.items():
        value = env.get(variable, "")
        if not value:
            found.append(f"{variable} is not set")
        elif value == getattr(defaults, field, None):
            found.append(f"{variable} is the public development default")
        elif len(value.encode("utf-8")) < MIN_SECRET_BYTES:
            found.append(f"{variable} is shorter than {MIN_SECRET_BYTES} bytes")
    for variable in ("TRACKER_DB_URL", "DATABASE_URL"):
        url = env.get(variable, "")
        if not url or url.startswith("sqlite"):
            found.append(f"{variable} must name the production database (not unset, not SQLite)")
    if env.get("ACTION_SERVER_HOST", "") in ("0.0.0.0", "::"):
        found.append("ACTION_SERVER_HOST must be an internal address, not all interfaces")
    if credentials is not None:
        data = yaml.safe_load(credentials.read_text(encoding="utf-8")) or {}
        for channel in FORBIDDEN_CHANNELS:
            if channel in data:
                found.append(f"{credentials.name} enables the REST channel ({channel})")
    return found


def main(argv: list[str] | None = None) -> int:
    """``python -m actions.production check [--credentials credentials.production.yml]``."""
    parser = argparse.ArgumentParser(prog="python -m actions.production")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="refuse a production start with missing or weak settings")
    check.add_argument("--credentials", type=Path, default=Path("credentials.production.yml"))
    args = parser.parse_args(argv)
    found = problems(os.environ, args.credentials if args.credentials.exists() else None)
    if not args.credentials.exists():
        found.append(f"{args.credentials} does not exist")
    if found:
        print("production check FAILED; not starting:", file=sys.stderr)
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("production check passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
