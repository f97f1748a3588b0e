#!/usr/bin/env bash
# make run: local database (unless DATABASE_URL is set), migrations, boundaries,
# catalogue, demo data, then the app on http://$HOST:$PORT and the message delivery worker. The Makefile runs it
# under `scripts/pg.sh with DATABASE_URL`, so Ctrl-C stops the app and the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
server=${1:-dash}
[[ -n ${DATABASE_URL:-} ]] || scripts/pg.sh createdb pantau
.venv/bin/flask --app app bootstrap
host=${HOST:-127.0.0.1}
port=${PORT:-8050}
echo "pantau: serving on http://$host:$port  (Ctrl-C stops)"
# The delivery worker for messages to reporters runs beside the app (PANTAU_NOTIFY_WORKER=0 leaves it out)
# and stops with it.
.venv/bin/flask --app app notify --if-enabled &
notify_pid=$!
trap 'kill "$notify_pid" 2>/dev/null; wait "$notify_pid" 2>/dev/null || true' EXIT
# In the foreground (not with &), so Ctrl-C reaches the server; pg.sh then
# stops the cluster it started.
if [[ $server == gunicorn ]]; then
  # Workers, threads and timeouts: gunicorn.conf.py (from PANTAU_WORKERS and PANTAU_THREADS).
  .venv/bin/gunicorn app:server
else
  .venv/bin/python app.py
fi
