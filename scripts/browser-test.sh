#!/usr/bin/env bash
# Browser tests of the web chat (headless Chromium + Playwright + axe-core), run by `make test`:
# the fake-Rasa cases need nothing; the real-assistant case runs against the whole assistant,
# started here on test ports with a fresh SQLite state, and stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
CHROMIUM_PATH=${CHROMIUM_PATH:-$(command -v chromium || true)}
if [ -z "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser test"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    CHROMIUM_PATH=$(command -v chromium)
  else
    echo "error: the browser test needs Chromium (apt-get install chromium) or CHROMIUM_PATH" >&2
    exit 1
  fi
fi
export CHROMIUM_PATH
tmp=$(mktemp -d)
export RUN_DIR="$tmp/run" LOG_DIR="$tmp/log"
off=${TEST_PORT_OFFSET:-0}  # several checkouts on one machine can test at once
export BACKEND_PORT=$((28001 + off)) ACTIONS_PORT=$((25055 + off)) RASA_PORT=$((25005 + off)) WEBCHAT_PORT=$((28000 + off))
export DATABASE_URL="sqlite:///$tmp/assistant.db" BACKEND_DATABASE_URL="sqlite:///$tmp/backend.db"
export TRACKER_DB_URL="sqlite:///$tmp/tracker.db"
export WEBCHAT_ALLOWED_ORIGINS="http://localhost:$WEBCHAT_PORT"
export RASA_PUBLIC_URL="http://localhost:$RASA_PORT"
sed -e "s#var/tracker.db#$tmp/tracker.db#" -e "s#localhost:5055#localhost:$ACTIONS_PORT#" endpoints.yml >"$tmp/endpoints.yml"
export ENDPOINTS="$tmp/endpoints.yml"
trap 'scripts/run.sh --stop >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
scripts/run.sh --background >/dev/null
export WEBCHAT_URL="http://localhost:$WEBCHAT_PORT" RASA_URL="http://localhost:$RASA_PORT"
export BROWSER_TEST_REQUIRE_RASA=1
node --test tests/browser/
