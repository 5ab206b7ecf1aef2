#!/usr/bin/env bash
# Make sure the local PostgreSQL and Redis the tests use are running (they are preinstalled on
# the project's machines; CI starts them here when they are not). Never fails hard: tests that
# need a service skip with a clear reason when it is not reachable.
set -u
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! up 5432 && command -v pg_ctlcluster >/dev/null 2>&1; then
  v=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$v" ] && pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
fi
if ! up 6379 && command -v redis-server >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null 2>&1 || true
fi
for i in $(seq 1 20); do up 5432 && up 6379 && break; sleep 0.5; done
up 5432 && echo "services: PostgreSQL on 127.0.0.1:5432" || echo "services: PostgreSQL not reachable (postgres tests will skip)"
up 6379 && echo "services: Redis on 127.0.0.1:6379" || echo "services: Redis not reachable (redis tests will skip)"
exit 0
