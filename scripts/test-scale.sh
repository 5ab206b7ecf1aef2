#!/usr/bin/env bash
# make test-scale: two Rasa instances + two action servers behind nginx on PostgreSQL and Redis
# (tests/scale/). Skips, saying so, when PostgreSQL or Redis is not reachable; installs Debian's
# nginx when it is missing. Ports: 40000 + TEST_PORT_OFFSET and up.
set -uo pipefail
cd "$(dirname "$0")/.."
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
missing=()
up 5432 || missing+=("PostgreSQL on 127.0.0.1:5432")
up 6379 || missing+=("Redis on 127.0.0.1:6379")
if [ ${#missing[@]} -gt 0 ]; then
  echo "================================================================"
  echo "test-scale: SKIPPED - not reachable: ${missing[*]}"
  echo "================================================================"
  exit 0
fi
scripts/ensure-nginx.sh || exit 1
exec "${VENV:-.venv}/bin/python" -m pytest -m scale tests/scale -q -p no:cacheprovider "$@"
