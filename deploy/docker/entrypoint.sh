#!/bin/sh
# Role of the container: rasa (default) | actions | outbox | scheduler | any command.
# Every setting comes from the environment (docs/production.md).
set -eu
role=${1:-rasa}
case "$role" in
  rasa)
    shift || true
    # fail closed: refuse to start with a missing, default or short secret (actions/production.py)
    python -m actions.production check --credentials credentials.production.yml
    export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-262144}
    exec python -m app.rasa_server run --model "$MODEL" \
      --endpoints endpoints.production.yml --credentials credentials.production.yml \
      --enable-api --jwt-secret "$RASA_JWT_SECRET" --jwt-method HS256 \
      --cors "$RASA_CORS" -i 0.0.0.0 --port 5005 "$@" ;;
  actions)
    shift
    # the container's own address on the internal network, never all interfaces
    export ACTION_SERVER_HOST=${ACTION_SERVER_HOST:-$(hostname -i | cut -d' ' -f1)}
    python -m actions.production check --credentials credentials.production.yml
    exec python -m app.action_server --host "$ACTION_SERVER_HOST" --port 5055 "$@" ;;
  outbox)
    shift
    exec python -m app.outbox_worker "$@" ;;
  scheduler)
    shift
    exec python scripts/scheduler.py "$@" ;;
  *)
    exec "$@" ;;
esac
