#!/usr/bin/env bash
# make test: a separate test database (pantau_test in the local cluster unless
# PANTAU_TEST_DATABASE_URL is set), then lint and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
started_pg=0
stop() { if ((started_pg)); then scripts/pg.sh stop; fi; }
trap stop EXIT
if [[ -z ${PANTAU_TEST_DATABASE_URL:-} ]]; then
  if ! scripts/pg.sh status >/dev/null 2>&1; then started_pg=1; fi
  scripts/pg.sh start
fi
make --no-print-directory lint
.venv/bin/python -m pytest "$@"
