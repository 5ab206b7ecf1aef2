#!/usr/bin/env bash
# Production start of the Rasa server (docs/production.md). Refuses to start when a secret is
# missing, a development default or short, or the REST channel is on (python -m actions.production).
#   scripts/run-production.sh            Rasa server
#   scripts/run-production.sh actions    action server (internal address, shared-secret header)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=${PY:-$VENV/bin/python}
# the command that runs Rasa's command line: the project's Rasa server process (app/rasa_server.py)
RASA=${RASA:-"$PY -m app.rasa_server"}
CREDENTIALS=${CREDENTIALS:-credentials.production.yml}
"$PY" -m actions.production check --credentials "$CREDENTIALS"
if [ "${1:-}" = "actions" ]; then
  exec "$PY" -m app.action_server --host "${ACTION_SERVER_HOST:?set ACTION_SERVER_HOST}" --port "${ACTIONS_PORT:-5055}"
fi
# a request larger than this is refused before anything reads or stores it (issue 13)
export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-262144}
# shellcheck disable=SC2086 # RASA is a command with its arguments
exec $RASA run --model "${MODEL:-models/gemeente.tar.gz}" \
  --endpoints endpoints.production.yml --credentials "$CREDENTIALS" \
  --enable-api --jwt-secret "$RASA_JWT_SECRET" --jwt-method HS256 \
  --cors "${RASA_CORS:?set RASA_CORS to the municipality web origin}" -i 0.0.0.0 --port "${RASA_PORT:-5005}"
