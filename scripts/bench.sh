#!/usr/bin/env bash
# make bench: benchmarks against pantau_bench_<N> databases in the local cluster
# (or PANTAU_BENCH_DATABASE_URL). Prints one JSON line per figure on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
started_pg=0
stop() { if ((started_pg)); then scripts/pg.sh stop >&2; fi; }
trap stop EXIT
if [[ -z ${PANTAU_BENCH_DATABASE_URL:-} ]]; then
  if ! scripts/pg.sh status >/dev/null 2>&1; then started_pg=1; fi
  scripts/pg.sh start >&2
fi
.venv/bin/python -m bench "$@"
