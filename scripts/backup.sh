#!/usr/bin/env bash
# make backup: the database and the photos in one archive with SHA-256 sums
# (db/backup.py). The archive's path is the last line printed.
set -euo pipefail
cd "$(dirname "$0")/.."
started_pg=0
stop() { if ((started_pg)); then scripts/pg.sh stop >&2; fi; }
trap stop EXIT
if [[ -z ${DATABASE_URL:-} ]] && ! scripts/pg.sh status >/dev/null 2>&1; then
  scripts/pg.sh start >&2
  started_pg=1
fi
archive=$(.venv/bin/python -m db.backup backup "$@")
stop
started_pg=0
echo "$archive"
