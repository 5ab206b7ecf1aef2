#!/bin/sh
# Role of the container: rasa (default) | actions | outbox | scheduler | any command.
# Every setting comes from the environment (docs/production.md).
set -eu
role=${1:-rasa}
case "$role" in
  rasa)
    shift || true
    exec rasa run --model "$MODEL" \
      --endpoints endpoints.production.yml --credentials credentials.yml \
      --enable-api --jwt-secret "$RASA_JWT_SECRET" --jwt-method HS256 \
      --cors "$RASA_CORS" -i 0.0.0.0 --port 5005 "$@" ;;
  actions)
    shift
    SANIC_HOST=${SANIC_HOST:-0.0.0.0} exec rasa run actions --actions actions --port 5055 "$@" ;;
  outbox)
    shift
    exec python -m actions.outbox "$@" ;;
  scheduler)
    shift
    exec python scripts/scheduler.py "$@" ;;
  *)
    exec "$@" ;;
esac
