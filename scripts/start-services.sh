#!/usr/bin/env bash
# Starts the services the tests talk to when they are not already up.
set -euo pipefail

if command -v pg_isready >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if command -v pg_isready >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q; then
  # The store contract suite creates its own databases; make sure it may connect as postgres.
  psql -h 127.0.0.1 -U postgres -d postgres -qtAc 'select 1' >/dev/null
  echo "postgresql: up at 127.0.0.1:5432"
else
  echo "postgresql: not reachable at 127.0.0.1:5432" >&2
  [ "${CI:-}" = "true" ] && exit 1
fi
