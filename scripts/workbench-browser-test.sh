#!/usr/bin/env bash
# Browser test of the Trainerswerkplaats (make test-workbench, part of make test).
# Everything that writes happens in a temporary copy of the repository: the git commit of the
# batch, the training and the check. Ports move with TEST_PORT_OFFSET.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"
RASA="$ROOT/.venv/bin/rasa"
CHROMIUM_PATH=$(scripts/ensure-chromium.sh)  # installs Debian's chromium when missing
export CHROMIUM_PATH
off=${TEST_PORT_OFFSET:-0}
WB_PORT=$((28002 + off)) RASA_PORT=$((25007 + off)) ACTIONS_PORT=$((25057 + off))
tmp=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

# a copy of the working tree (tracked and new files, not ignored ones) as a fresh git repository
repo="$tmp/repo"
mkdir -p "$repo"
git ls-files -z --cached --others --exclude-standard -- . ":!.venv" | xargs -0 cp --parents -t "$repo"
git -C "$repo" init --quiet -b main
git -C "$repo" add -A
git -C "$repo" -c user.name=test -c user.email=test@example.invalid commit --quiet -m "test copy"
ln -s "$(readlink -f .venv)" "$repo/.venv"
mkdir -p "$repo/var"
[ -d var/spacy-nl ] && ln -s "$ROOT/var/spacy-nl" "$repo/var/spacy-nl"

export PYTHONPATH="$repo" RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
export WORKBENCH_REPO="$repo" WORKBENCH_DB_URL="sqlite:///$tmp/workbench.db"
export TRACKER_DB_URL="sqlite:///$tmp/tracker.db" RASA_URL="http://127.0.0.1:$RASA_PORT"
# no model in the copy: the check trains the base (NLU only) for the "before" figures, which it
# needs when the base itself misses the held-out floor (workbench/check.py, made_worse)
export WORKBENCH_BASELINE_MODEL="$repo/models/gemeente.tar.gz"
export WORKBENCH_TEST_PASSWORD="browser-test-$RANDOM-$RANDOM"
"$PY" "$repo/tests/workbench_browser/seed.py" "$TRACKER_DB_URL"
for account in "anna trainer" "bert lead"; do
  set -- $account
  echo "$WORKBENCH_TEST_PASSWORD" | (cd "$repo" && "$PY" -m workbench.users add "$1" --role "$2" --password-stdin) >/dev/null
done

# the test assistant starts without a model; the workbench loads the checked one (PUT /model).
# endpoints.yml makes Rasa send X-Action-Token: $ACTION_SERVER_TOKEN (Rasa refuses to start
# without it) and the guarded action server (app/action_server.py, as make run) checks it.
export ACTION_SERVER_TOKEN="workbench-test-$RANDOM-$RANDOM-$RANDOM"
sed -e "s#localhost:5055#localhost:$ACTIONS_PORT#" endpoints.yml >"$tmp/endpoints.yml"
(cd "$repo" && exec "$PY" -m app.action_server --host 127.0.0.1 --port "$ACTIONS_PORT") >"$tmp/actions.log" 2>&1 &
pids+=($!)
(cd "$repo" && exec "$RASA" run --enable-api -i 127.0.0.1 --port "$RASA_PORT" --model "$tmp/no-model" \
   --credentials credentials.yml --endpoints "$tmp/endpoints.yml") >"$tmp/rasa.log" 2>&1 &
pids+=($!)
(cd "$repo" && exec "$PY" -m workbench --host 127.0.0.1 --port "$WB_PORT") >"$tmp/workbench.log" 2>&1 &
pids+=($!)
ready=0
for _ in $(seq 1 "${WORKBENCH_START_SECONDS:-300}"); do  # a busy machine starts Rasa slowly
  curl -s -o /dev/null "http://127.0.0.1:$WB_PORT/healthz" && curl -s -o /dev/null "$RASA_URL/" \
    && curl -s -o /dev/null "http://127.0.0.1:$ACTIONS_PORT/health" && { ready=1; break; }
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || break 2; done  # one of them died
  sleep 1
done
if [ "$ready" != 1 ]; then
  echo "error: the workbench, the test assistant or its action server did not start" >&2
  for log in workbench rasa actions; do echo "--- $log log"; tail -n 20 "$tmp/$log.log"; done >&2
  exit 1
fi
export WORKBENCH_URL="http://127.0.0.1:$WB_PORT" SCREENSHOT_DIR="$ROOT/reports/workbench"
status=0
node --test tests/workbench_browser/ || status=$?
if [ "$status" != 0 ]; then
  echo "--- workbench log"; tail -n 40 "$tmp/workbench.log"; echo "--- rasa log"; tail -n 40 "$tmp/rasa.log"
fi
exit "$status"
