#!/usr/bin/env bash
# Start the assistant locally: backend stand-in, action server, outbox worker, Rasa server, web chat,
# scheduler (signals, purge) and, in the foreground modes, the trainers' workbench.
#   scripts/run.sh            foreground; Ctrl-C stops everything cleanly
#   scripts/run.sh --shell    backend + action server, then a terminal chat (rasa shell)
#   scripts/run.sh --background   start, wait until ready, write PIDs to var/run/pids and return
#   scripts/run.sh --stop     stop what --background started
# Ports can be moved with BACKEND_PORT, ACTIONS_PORT, RASA_PORT, WEBCHAT_PORT, WORKBENCH_PORT.
# The trainers' workbench starts in the foreground modes; WORKBENCH=1 also starts it with
# --background (the test harnesses and make bench do not need it), WORKBENCH=0 never.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
MODEL=${MODEL:-models/gemeente.tar.gz}
BACKEND_PORT=${BACKEND_PORT:-8001}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
WEBCHAT_PORT=${WEBCHAT_PORT:-8000}
WORKBENCH_PORT=${WORKBENCH_PORT:-8002}
if [ "${1:-}" = "--background" ]; then WORKBENCH=${WORKBENCH:-0}; else WORKBENCH=${WORKBENCH:-1}; fi
HOST=${HOST:-127.0.0.1}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://localhost:$ACTIONS_PORT/webhook}
export RASA_URL=${RASA_URL:-http://localhost:$RASA_PORT}
export RASA_PUBLIC_URL=${RASA_PUBLIC_URL:-http://localhost:$RASA_PORT}
base="http://localhost:$BACKEND_PORT"
export ZAKEN_API_URL=${ZAKEN_API_URL:-$base/zaken/api/v1}
export KLANTINTERACTIES_API_URL=${KLANTINTERACTIES_API_URL:-$base/klantinteracties/api/v1}
export BRP_API_URL=${BRP_API_URL:-$base/haalcentraal/api/brp}
export REISDOCUMENTEN_API_URL=${REISDOCUMENTEN_API_URL:-$base/haalcentraal/api/reisdocumenten}
export APPOINTMENTS_API_URL=${APPOINTMENTS_API_URL:-$base/afspraken/api/v1}
export WASTE_API_URL=${WASTE_API_URL:-$base/afvalkalender/api/v1}
export ADDRESSES_API_URL=${ADDRESSES_API_URL:-$base/bag/api/v1}
RUN_DIR=${RUN_DIR:-var/run}
LOG_DIR=${LOG_DIR:-var/log}
ENDPOINTS=${ENDPOINTS:-endpoints.yml}
CREDENTIALS=${CREDENTIALS:-credentials.yml}
mkdir -p "$RUN_DIR" "$LOG_DIR"
PIDS_FILE="$RUN_DIR/pids"

pids=()
start() { # name, command...
  local name=$1; shift
  "$@" >"$LOG_DIR/$name.log" 2>&1 &
  pids+=($!)
  echo "$!" >>"$PIDS_FILE"
  echo "  started $name (pid $!, log $LOG_DIR/$name.log)"
}

wait_port() { # name, port, seconds
  local name=$1 port=$2 limit=${3:-180} i
  for ((i = 0; i < limit; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "error: $name did not open port $port within ${limit}s; see $LOG_DIR/$name.log" >&2
  tail -n 30 "$LOG_DIR/$name.log" >&2 || true
  return 1
}

stop_all() {
  if [ -f "$PIDS_FILE" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$PIDS_FILE"
    sleep 1
    while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done <"$PIDS_FILE"
    rm -f "$PIDS_FILE"
  fi
}

if [ "${1:-}" = "--stop" ]; then stop_all; exit 0; fi
stop_all
: >"$PIDS_FILE"

echo "Starting the municipal assistant:"
start backend "$PY" -m backend --host "$HOST" --port "$BACKEND_PORT"
# the action server wants the shared secret that endpoints.yml makes Rasa send (app/action_server.py)
export ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-local-development-action-server-token}
start actions "$PY" -m app.action_server --host "$HOST" --port "$ACTIONS_PORT"
start outbox "$PY" -m app.outbox_worker
cleanup() { echo; echo "Stopping..."; stop_all; echo "Stopped."; }
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_port backend "$BACKEND_PORT" 60
wait_port actions "$ACTIONS_PORT" 120

if [ "${1:-}" = "--shell" ]; then
  "$PY" -m app.rasa_server shell --model "$MODEL" --endpoints "$ENDPOINTS"
  exit 0
fi

cors=${RASA_CORS:-http://localhost:$WEBCHAT_PORT}
# a request larger than this gets HTTP 413 before anything reads or stores it (issue 13)
SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-262144} start rasa "$PY" -m app.rasa_server run --model "$MODEL" --enable-api --cors "$cors" -i "$HOST" --port "$RASA_PORT" \
  --credentials "$CREDENTIALS" --endpoints "$ENDPOINTS"
start webchat "$PY" -m webchat --host "$HOST" --port "$WEBCHAT_PORT"
if [ "$WORKBENCH" = 1 ]; then
  start workbench "$PY" -m workbench --host "$HOST" --port "$WORKBENCH_PORT"
fi
start scheduler "$PY" scripts/scheduler.py
wait_port rasa "$RASA_PORT" "${RASA_START_SECONDS:-300}"  # a loaded machine may need longer
wait_port webchat "$WEBCHAT_PORT" 60
if [ "$WORKBENCH" = 1 ]; then wait_port workbench "$WORKBENCH_PORT" 60; fi

cat <<MSG

The assistant is running (local development profile: SQLite, no authentication, localhost only).
  Web chat:           http://localhost:$WEBCHAT_PORT/
  REST channel:       POST http://localhost:$RASA_PORT/webhooks/rest/webhook  {"sender": "me", "message": "hallo"}
  Rasa HTTP API:      http://localhost:$RASA_PORT/
  Action server:      http://localhost:$ACTIONS_PORT/health
  Backend stand-in:   http://localhost:$BACKEND_PORT/
  Trainerswerkplaats: http://localhost:$WORKBENCH_PORT/  (accounts: python -m workbench.users add NAME --role lead)
Logs in $LOG_DIR/. Press Ctrl-C to stop.
MSG

if [ "${1:-}" = "--background" ]; then trap - EXIT; exit 0; fi
wait -n "${pids[@]}" || true
echo "A process stopped; see $LOG_DIR/." >&2
